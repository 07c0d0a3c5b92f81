"""Forms; every label and message comes from the message catalogues."""

from __future__ import annotations

from django import forms

from isu_engine.serve.language import t
from isu_engine.serve.models import PERIOD_STEPS, ROLES


class Form(forms.Form):
    """A form whose labels have no trailing colon (they are whole phrases from the catalogues)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def label(key: str) -> str:
    return t(f"serve.field.{key}")


class SignInForm(Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput(render_value=False), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = label("username")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].label = label("password")
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class CodeForm(Form):
    code = forms.CharField(max_length=8, min_length=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label("code")
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric"})


class UnitForm(Form):
    name = forms.CharField(max_length=200)
    period_step = forms.ChoiceField(choices=[(s, s) for s in PERIOD_STEPS], initial="quarter")
    retention_years = forms.IntegerField(min_value=1, max_value=50, initial=5)
    keep_raw_uploads = forms.BooleanField(required=False)
    internal = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = label(name)
        self.fields["period_step"].choices = [(s, t(f"serve.period_step.{s}")) for s in PERIOD_STEPS]


class NewUserForm(Form):
    username = forms.RegexField(regex=r"^[\w.@+-]{2,150}$", max_length=150)
    administrator = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = label("username")
        self.fields["administrator"].label = label("administrator")


class MembershipForm(Form):
    unit = forms.ChoiceField()
    role = forms.ChoiceField()

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["unit"].label = label("unit")
        self.fields["role"].choices = [(r, t(f"serve.role.{r}")) for r in ROLES]
        self.fields["role"].label = label("role")


class OrganisationForm(Form):
    municipality = forms.CharField(max_length=200)
    min_cell_floor = forms.IntegerField(min_value=1, max_value=100)
    language = forms.ChoiceField(choices=[("sv", "svenska"), ("en", "English")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = label(name)


class DatasetForm(Form):
    name = forms.SlugField(max_length=60)
    title = forms.CharField(max_length=200)
    model = forms.ChoiceField()

    def __init__(self, *args, models=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = label(f"dataset_{name}")
        self.fields["model"].choices = [(m, m) for m in models]


class ConfigForm(Form):
    config = forms.CharField(widget=forms.Textarea(attrs={"rows": 30, "cols": 90, "spellcheck": "false"}),
                             max_length=200_000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["config"].label = label("config")


UPLOAD_TYPES = (".csv", ".txt", ".xlsx", ".xlsm", ".ods")


class UploadForm(Form):
    file = forms.FileField()
    period = forms.RegexField(regex=r"^\d{4}$", max_length=4)

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].label = label("file")
        self.fields["file"].help_text = t("serve.upload.types", types=", ".join(UPLOAD_TYPES),
                                          mb=max_bytes // (1024 * 1024))
        self.fields["file"].widget.attrs["accept"] = ",".join(UPLOAD_TYPES)
        self.fields["period"].label = label("period_year")
        self.fields["period"].help_text = t("serve.upload.period_help")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(t("serve.upload.too_large", mb=self.max_bytes // (1024 * 1024)))
        if not upload.name.lower().endswith(UPLOAD_TYPES):
            raise forms.ValidationError(t("serve.upload.bad_type", types=", ".join(UPLOAD_TYPES)))
        return upload


class RunForm(Form):
    period = forms.ChoiceField(required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", t("serve.run.custom_period")), *periods]
        self.fields["period"].label = label("run_period")
        self.fields["start"].label = label("start")
        self.fields["end"].label = label("end")

    def clean(self):
        data = super().clean()
        if not data.get("period") and not (data.get("start") and data.get("end")):
            raise forms.ValidationError(t("serve.run.choose_period"))
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(t("serve.run.period_order"))
        return data


class InterpretationForm(Form):
    topic = forms.CharField(max_length=300)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].label = label("topic")
        self.fields["text"].label = label("interpretation")


class DecisionForm(Form):
    topic = forms.CharField(max_length=300)
    what = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    responsible = forms.CharField(max_length=200)
    due = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    follow_up = forms.ChoiceField(required=False)

    def __init__(self, *args, figures=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = label(f"decision_{name}")
        self.fields["follow_up"].choices = [("", "–"), *sorted((figures or {}).items(), key=lambda kv: kv[1])]


class EraseForm(Form):
    identifier = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier"].label = label("identifier")
        self.fields["identifier"].help_text = t("serve.erase.help")


class ReflectionImportForm(Form):
    file = forms.FileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = label("reflection_file")
        self.fields["file"].widget.attrs["accept"] = ".yaml,.yml"
