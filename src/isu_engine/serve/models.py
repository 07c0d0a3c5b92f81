"""What the application keeps: units and roles, datasets and their stored rows, runs, jobs,
the analysis meeting (interpretations and decisions) and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

ROLES = ("analyst", "manager", "staff")
PERIOD_STEPS = ("month", "quarter", "none")


class Organisation(models.Model):
    """The one organisation of this server: its name and the settings only an administrator changes."""

    municipality = models.CharField(max_length=200, default="Kommunen")
    min_cell_floor = models.PositiveIntegerField(default=5)
    language = models.CharField(max_length=2, default="sv")

    @classmethod
    def current(cls) -> Organisation:
        return cls.objects.get_or_create(pk=1)[0]


class Unit(models.Model):
    name = models.CharField(max_length=200, unique=True)
    period_step = models.CharField(max_length=10, default="quarter")
    internal = models.BooleanField(default=False)
    retention_years = models.PositiveIntegerField(default=5)
    keep_raw_uploads = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What Django's user lacks: the administrator flag, a one-time password still to change, the language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    administrator = models.BooleanField(default=False)
    must_change_password = models.BooleanField(default=True)
    language = models.CharField(max_length=2, blank=True, default="")


class Membership(models.Model):
    """A user's role in one unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=[(r, r) for r in ROLES])

    class Meta:
        unique_together = [("user", "unit", "role")]


class SignInAttempts(models.Model):
    """Failed sign-ins per user name (also names that do not exist: no user enumeration)."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)


class Dataset(models.Model):
    """A unit's dataset: a model and the configuration (the same YAML the command line reads)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="datasets")
    name = models.SlugField(max_length=60)
    model = models.CharField(max_length=60)
    config_yaml = models.TextField(blank=True, default="")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        unique_together = [("unit", "name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Upload(models.Model):
    """One uploaded export: its validation summary; the raw file is deleted after validation."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="uploads")
    period = models.CharField(max_length=20)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField(default=timezone.now)
    stored_path = models.CharField(max_length=500, blank=True, default="")
    state = models.CharField(max_length=20, default="mapping")  # mapping | queued | validated | failed
    error = models.TextField(blank=True, default="")
    summary = models.JSONField(default=dict, blank=True)
    validation_csv = models.BinaryField(default=b"")
    quarantine_csv = models.BinaryField(default=b"")


class PeriodRows(models.Model):
    """The validated, pseudonymised rows of one dataset and period (a new upload replaces them)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="period_rows")
    period = models.CharField(max_length=20)
    upload = models.ForeignKey(Upload, on_delete=models.SET_NULL, null=True)
    rows = models.BinaryField()
    n_rows = models.PositiveIntegerField()
    first_date = models.DateField(null=True, blank=True)
    last_date = models.DateField(null=True, blank=True)
    stored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        unique_together = [("dataset", "period")]


class Job(models.Model):
    """Work for the job worker: validate an upload or build a run. Progress is a line of text."""

    KINDS = ("validate", "run", "retention", "compare")
    kind = models.CharField(max_length=20)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, related_name="jobs")
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=20, default="queued")  # queued | running | done | failed
    progress = models.CharField(max_length=300, blank=True, default="")
    error = models.TextField(blank=True, default="")
    created_by = models.CharField(max_length=150, blank=True, default="")
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True, default="")
    result_url = models.CharField(max_length=300, blank=True, default="")


class Run(models.Model):
    """A report run, kept with who, when, the inputs' SHA-256 and the engine and plugin versions."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField()
    period_end = models.DateField()
    fixed_period = models.BooleanField(default=False)
    internal = models.BooleanField(default=False)
    run_by = models.CharField(max_length=150)
    run_at = models.DateTimeField(default=timezone.now)
    inputs = models.JSONField(default=dict)
    engine_version = models.CharField(max_length=40, blank=True, default="")
    plugin_versions = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)
    published_by = models.CharField(max_length=150, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-run_at"]

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def period_label(self) -> str:
        return f"{self.period_start.isoformat()} – {self.period_end.isoformat()}"


class RunFile(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        unique_together = [("run", "name")]


class Comparison(models.Model):
    """The comparison of published runs of one period (a unit's, or every unit's when `unit` is empty),
    built once from exactly the rows those runs used and kept until another run of the period is published."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="comparisons")
    period_start = models.DateField()
    period_end = models.DateField()
    runs = models.CharField(max_length=500)  # the compared runs' ids, sorted and comma-separated
    left_out = models.JSONField(default=list)  # datasets whose rows changed after their report was published
    pinned = models.PositiveIntegerField(default=0)  # hidden counts the comparison would give away: then not shown
    built_by = models.CharField(max_length=150, blank=True, default="")
    built_at = models.DateTimeField(default=timezone.now)
    html = models.BinaryField(default=b"")


class Interpretation(models.Model):
    """The team's interpretation of what stood out in a published report (analysis meeting)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="interpretations")
    run = models.ForeignKey(Run, on_delete=models.SET_NULL, null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    date = models.DateField(default=timezone.localdate)
    topic = models.CharField(max_length=300)
    text = models.TextField()
    written_by = models.CharField(max_length=150, blank=True, default="")


class Decision(models.Model):
    """What the team decided, who follows it up, by when, and whether it has been followed up."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="decisions")
    run = models.ForeignKey(Run, on_delete=models.SET_NULL, null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    date = models.DateField(default=timezone.localdate)
    topic = models.CharField(max_length=300)
    what = models.TextField()
    responsible = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    follow_up = models.CharField(max_length=100, blank=True, default="")
    recorded_by = models.CharField(max_length=150, blank=True, default="")
    followed_up_at = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due", "id"]


class AuditEvent(models.Model):
    """One line of the audit log. The database refuses UPDATE and DELETE on this table (a trigger)."""

    at = models.DateTimeField(default=timezone.now)
    username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=40)
    unit = models.CharField(max_length=200, blank=True, default="")
    target = models.CharField(max_length=300, blank=True, default="")
    detail = models.CharField(max_length=500, blank=True, default="")
    address = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
