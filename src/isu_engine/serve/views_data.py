"""Start page, unit page, and the analyst's pages: datasets, configuration, uploads and mapping, jobs."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pandas as pd
import yaml
from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from isu_engine import library
from isu_engine.serve.language import line, t
from isu_engine.protect.identifiers import mask_personal_numbers
from isu_engine.serve import audit, categories, configs, storage
from isu_engine.serve.forms import ConfigForm, DatasetForm, EraseForm, RunForm, UploadForm
from isu_engine.serve.jobs import enqueue, registry, subject_fields
from isu_engine.serve.models import Dataset, Decision, Job, Organisation, PeriodRows, Run, Upload
from isu_engine.serve.roles import allowed, may, roles_in, run_action, units_for

OWN_VARIABLE = "__own__"
LEAVE_OUT = ""


@allowed("signed_in")
def home(request):
    units = [{"unit": u, "roles": sorted(roles_in(request.user, u))} for u in units_for(request.user)]
    return render(request, "isu/home.html", {"units": units})


def visible_runs(user, unit):
    runs = Run.objects.filter(dataset__unit=unit).select_related("dataset")
    return [r for r in runs if may(user, run_action(r), unit)]


@allowed("view_published")
def unit_page(request, unit):
    decisions = Decision.objects.filter(dataset__unit=unit, followed_up_at__isnull=True).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due__lt=timezone.localdate())))
    return render(request, "isu/unit.html", {
        "unit": unit, "datasets": unit.datasets.all(), "runs": visible_runs(request.user, unit),
        "may_data": may(request.user, "work_with_data", unit),
        "may_internal": may(request.user, "view_internal", unit),
        "open_decisions": decisions["open"], "overdue": decisions["overdue"]})


@allowed("work_with_data")
def dataset_new(request, unit):
    form = DatasetForm(request.POST or None, models=sorted(registry().models))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if unit.datasets.filter(name=data["name"]).exists():
            form.add_error("name", t("serve.dataset.exists"))
        else:
            text = configs.starting_config(Organisation.current(), unit, data["name"], data["model"], data["title"])
            dataset = Dataset.objects.create(unit=unit, name=data["name"], model=data["model"], config_yaml=text)
            audit.record(request, "dataset_created", unit=unit, target=dataset.name)
            return redirect("dataset", dataset=dataset.pk)
    return render(request, "isu/dataset_new.html", {"form": form, "unit": unit})


@allowed("work_with_data")
def dataset_page(request, dataset):
    return render(request, "isu/dataset.html", {
        "dataset": dataset, "unit": dataset.unit,
        "uploads": dataset.uploads.order_by("-uploaded_at")[:20],
        "periods": PeriodRows.objects.filter(dataset=dataset).order_by("period").defer("rows"),
        "runs": dataset.runs.all()[:20],
        "jobs": Job.objects.filter(unit=dataset.unit).exclude(kind="retention").order_by("-id")[:5]})


@allowed("work_with_data")
def dataset_config(request, dataset):
    form = ConfigForm(request.POST or None, initial={"config": dataset.config_yaml})
    error = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["config"].replace("\r\n", "\n")
        try:
            raw = configs.check_uploaded(text, Organisation.current(), may_set_internal=False)
            _, entry = configs.first_dataset(raw)
            if str(entry.get("model")) != dataset.model:
                raise library.UserError("serve.config.model_changed", file=configs.CONFIG_NAME, model=dataset.model)
        except library.UserError as problem:
            error = line(problem)
        else:
            dataset.config_yaml = text
            dataset.save()
            audit.record(request, "config_changed", unit=dataset.unit, target=dataset.name)
            return redirect("dataset", dataset=dataset.pk)
    return render(request, "isu/dataset_config.html", {"form": form, "dataset": dataset, "error": error})


@allowed("work_with_data")
def dataset_config_download(request, dataset):
    audit.record(request, "download", unit=dataset.unit, target=f"{dataset.name}.yaml")
    response = HttpResponse(dataset.config_yaml.encode("utf-8"), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{dataset.name}.yaml"'
    return response


def _safe_name(name: str) -> str:
    """An uploaded file's name as shown: no folders, no personal identity number, plain characters."""
    base = Path(name).name
    base = str(mask_personal_numbers(pd.Series([base], dtype=object)).iloc[0])
    return re.sub(r"[^\w.\- ]", "_", base)[:150] or "upload"


@allowed("work_with_data")
def upload_new(request, dataset):
    form = UploadForm(request.POST or None, request.FILES or None, max_bytes=settings.MAX_UPLOAD_BYTES)
    if request.method == "POST" and form.is_valid():
        incoming = form.cleaned_data["file"]
        shown = _safe_name(incoming.name)
        upload = Upload.objects.create(dataset=dataset, period=form.cleaned_data["period"], filename=shown,
                                       sha256="", size=incoming.size, uploaded_by=request.user.get_username())
        folder = storage.folder("uploads", str(upload.pk))
        target = folder / ("upload" + Path(shown).suffix.lower())
        digest = hashlib.sha256()
        with target.open("wb") as handle:
            for chunk in incoming.chunks():
                digest.update(chunk)
                handle.write(chunk)
        target.chmod(0o600)
        upload.sha256, upload.stored_path = digest.hexdigest(), str(target)
        upload.save()
        audit.record(request, "upload", unit=dataset.unit, target=f"upload {upload.pk}",
                     detail=f"period={upload.period} bytes={upload.size} sha256={upload.sha256}")
        return redirect("upload_mapping", upload=upload.pk)
    return render(request, "isu/upload_new.html", {"form": form, "dataset": dataset})


def _saved_mapping(dataset) -> tuple[dict, dict]:
    """The headings and recodings the dataset's config already has (a unit's next upload starts from them)."""
    raw = configs.plain(yaml.safe_load(dataset.config_yaml))
    _, entry = configs.first_dataset(raw)
    return entry.get("columns") or {}, entry.get("values") or {}


def _whole_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and int(text) > 0 else None


def _mapping_rows(inspection, model, language: str, saved_columns: dict, saved_values: dict) -> list[dict]:
    """One row per column of the file: the proposed (or earlier confirmed) field and the values to recode."""
    rows = []
    for index, column in enumerate(inspection.columns if inspection else []):
        proposed = column.field if column.kind == "model" else OWN_VARIABLE if column.kind == "own" else LEAVE_OUT
        chosen = saved_columns.get(column.heading, proposed)
        if chosen not in model.fields and chosen != OWN_VARIABLE:
            chosen = proposed
        spec = model.fields.get(chosen)
        categories = [(str(c.value), c.label(language)) for c in spec.categories] if spec is not None else []
        values = [{"index": i, "local": v.value, "rows": v.rows,
                   "chosen": (saved_values.get(chosen) or {}).get(v.value, v.category or "")}
                  for i, v in enumerate(column.values) if v.needs_recoding] if column.kind == "model" else []
        rows.append({"index": index, "heading": column.heading, "chosen": chosen, "column": column,
                     "values": values, "categories": categories})
    return rows


@allowed("work_with_data")
def upload_mapping(request, upload):
    """What `isu inspect` proposes, as a form: sheet, heading row, heading → field, value recodings, own variables."""
    dataset = upload.dataset
    if upload.state != "mapping" or not upload.stored_path:
        return redirect("upload", upload=upload.pk)
    plugins = registry()
    model = library.model_of(plugins, dataset.model)
    sheet = (request.POST.get("sheet") or "").strip() or None
    header_row = _whole_or_none(request.POST.get("header_row"))
    error, inspection = None, None
    try:
        inspection = library.propose_mapping(Path(upload.stored_path), model, sheet=sheet, header_row=header_row,
                                             shown_name=upload.filename)
    except library.UserError as problem:
        error = line(problem)
    rows = _mapping_rows(inspection, model, request.language, *_saved_mapping(dataset))
    if request.method == "POST" and request.POST.get("action") == "confirm" and inspection is not None:
        columns: dict[str, str] = {}
        values: dict[str, dict] = {}
        own: list[dict] = []
        for row in rows:
            target = request.POST.get(f"field_{row['index']}", LEAVE_OUT)
            column = row["column"]
            if target == OWN_VARIABLE and column.own_field:
                own.append(column.own_field)
                columns[column.heading] = column.own_field["name"]
            elif target in model.fields:
                columns[column.heading] = target
                for value in row["values"]:
                    recoded = request.POST.get(f"value_{row['index']}_{value['index']}", "")
                    if recoded:
                        values.setdefault(target, {})[value["local"]] = recoded
        read = inspection.config()["datasets"]["data"]["read"]
        text = configs.with_mapping(dataset.config_yaml, source=f"{dataset.name}{Path(upload.filename).suffix.lower()}",
                                    read=read, columns=columns, values=values, own_fields=own)
        error = _save_config(request, upload, text, plugins, "mapping_confirmed")
        if error is None:
            try:
                asks = bool(_open_fields(dataset, upload, plugins, request.language))
            except library.UserError:
                asks = True  # the categories page shows the problem in one line
            if asks:
                upload.state = "categories"
                upload.save()
                return redirect("upload_categories", upload=upload.pk)
            return _validate(request, upload)
    language = request.language
    return render(request, "isu/upload_mapping.html", {
        "upload": upload, "dataset": dataset, "inspection": inspection, "rows": rows, "OWN": OWN_VARIABLE,
        "choices": [(name, f"{spec.title(language)} ({name})") for name, spec in model.fields.items()],
        "sheet": inspection.sheet if inspection and inspection.sheet else (sheet or ""),
        "header_row": inspection.header_row if inspection else (header_row or 1), "error": error,
        "missing": [model.fields[name].title(language)
                    for name in (inspection.missing_required if inspection else [])]})


def _save_config(request, upload, text: str, plugins, event: str, detail: str = "") -> str | None:
    """Check an upload's new dataset YAML as the CLI would and save it (with its audit entry); the one-line
    problem when it is refused."""
    dataset = upload.dataset
    try:
        configs.check_uploaded(text, Organisation.current(), may_set_internal=False)
        library.check_against_model(plugins, library.check_config_text(text, Path(upload.stored_path).parent))
    except library.UserError as problem:
        return line(problem)
    dataset.config_yaml = text
    dataset.save()
    audit.record(request, event, unit=dataset.unit, target=f"upload {upload.pk}", detail=detail)
    return None


def _open_fields(dataset, upload, plugins, language: str) -> list:
    """The upload's fields whose categories the unit may declare, with their values (see categories.py)."""
    return categories.upload_fields(dataset.config_yaml, Path(upload.stored_path), plugins, language,
                                    Organisation.current().min_cell_floor)


def _validate(request, upload):
    """Queue the upload's validation and show its job."""
    upload.state = "queued"
    upload.save()
    job = enqueue("validate", upload.dataset.unit, request.user.get_username(), upload=upload.pk)
    return redirect("job", job=job.pk)


@allowed("work_with_data")
def upload_categories(request, upload):
    """Which values of the fields without categories of their own are categories (`categories:` in the YAML)."""
    dataset = upload.dataset
    if upload.state != "categories" or not upload.stored_path:
        return redirect("upload", upload=upload.pk)
    if request.method == "POST" and request.POST.get("action") == "back":
        upload.state = "mapping"
        upload.save()
        return redirect("upload_mapping", upload=upload.pk)
    plugins = registry()
    error, fields = None, []
    try:
        fields = _open_fields(dataset, upload, plugins, request.language)
    except library.UserError as problem:
        error = line(problem)
    if request.method == "POST" and request.POST.get("action") == "confirm" and error is None:
        chosen, recoded = categories.declared(fields, request.POST)
        text = configs.with_categories(dataset.config_yaml, [f.name for f in fields], chosen, recoded)
        error = _save_config(request, upload, text, plugins, "categories_confirmed",
                             detail="fields=" + ",".join(sorted(chosen)))
        if error is None:
            return _validate(request, upload)
    return render(request, "isu/upload_categories.html", {"upload": upload, "dataset": dataset, "fields": fields,
                                                          "error": error})


@allowed("work_with_data")
def upload_page(request, upload):
    return render(request, "isu/upload.html", {"upload": upload, "dataset": upload.dataset,
                                               "summary": upload.summary or {}})


def _csv_download(request, upload, content: bytes, name: str):
    audit.record(request, "download", unit=upload.dataset.unit, target=f"upload {upload.pk} {name}")
    response = HttpResponse(bytes(content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@allowed("work_with_data")
def upload_validation_csv(request, upload):
    return _csv_download(request, upload, upload.validation_csv, "validation.csv")


@allowed("work_with_data")
def upload_quarantine_csv(request, upload):
    return _csv_download(request, upload, upload.quarantine_csv, f"quarantine-{upload.dataset.name}.csv")


def fixed_periods(dataset) -> list[tuple[str, str]]:
    """The periods a publishable run may cover: each stored year, and its quarters or months (period_step)."""
    step = dataset.unit.period_step
    years: set[int] = set()
    for label, first, last in PeriodRows.objects.filter(dataset=dataset).values_list("period", "first_date",
                                                                                     "last_date"):
        years |= set(range(first.year, last.year + 1)) if first and last else {int(label)}
    options = []
    for year in sorted(years):
        options.append((f"{year}-01-01/{year}-12-31", str(year)))
        if step == "quarter":
            for q, (first, last) in enumerate(((1, 3), (4, 6), (7, 9), (10, 12)), start=1):
                end = (dt.date(year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1))
                options.append((f"{year}-{first:02d}-01/{end.isoformat()}", f"{year} Q{q}"))
    return options


@allowed("work_with_data")
def run_new(request, dataset):
    periods = fixed_periods(dataset)
    form = RunForm(request.POST or None, periods=periods)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["period"] and form.cleaned_data["period"] in dict(periods):
            start, end = form.cleaned_data["period"].split("/")
            fixed = True
        else:
            start, end = form.cleaned_data["start"].isoformat(), form.cleaned_data["end"].isoformat()
            fixed = False
        job = enqueue("run", dataset.unit, request.user.get_username(), dataset=dataset.pk, start=start, end=end,
                      fixed=fixed)
        audit.record(request, "run_queued", unit=dataset.unit, target=dataset.name, detail=f"{start}/{end}")
        return redirect("job", job=job.pk)
    return render(request, "isu/run_new.html", {"form": form, "dataset": dataset})


@allowed("work_with_data")
def job_page(request, job):
    return render(request, "isu/job.html", {"job": job, "running": job.state in ("queued", "running")})


@allowed("work_with_data")
@require_POST
def job_rerun(request, job):
    if job.state != "failed":
        return redirect("job", job=job.pk)
    if job.kind == "validate":
        Upload.objects.filter(pk=job.payload.get("upload")).update(state="queued")
    again = enqueue(job.kind, job.unit, request.user.get_username(), **job.payload)
    audit.record(request, "job_rerun", unit=job.unit, target=f"job {job.pk}")
    return redirect("job", job=again.pk)


@allowed("work_with_data")
def erase_client(request, unit):
    """Erase one client's rows from every stored period of the unit: the pseudonym is computed, never stored."""
    form = EraseForm(request.POST or None)
    erased = None
    if request.method == "POST" and form.is_valid():
        key = storage.pseudonym_key()
        target = library.pseudonym(form.cleaned_data["identifier"], key)
        erased = 0
        for rows in PeriodRows.objects.filter(dataset__unit=unit).select_related("dataset"):
            frame = storage.rows_from_bytes(rows.rows)
            fields = [f for f in subject_fields(library.model_of(registry(), rows.dataset.model)) if f in frame.columns]
            hit = (frame[fields] == target).any(axis=1) if fields else None
            if hit is not None and hit.any():
                kept = frame.loc[~hit]
                rows.rows, rows.n_rows = storage.rows_to_bytes(kept), len(kept)
                rows.save()
                erased += int(hit.sum())
        audit.record(request, "erasure", unit=unit, detail=f"rows={erased}")
        form = EraseForm()
    return render(request, "isu/erase.html", {"form": form, "unit": unit, "erased": erased})

