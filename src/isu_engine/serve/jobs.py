"""The work the job worker does: validate an upload, build a run, delete data past its retention.

Each job calls the engine only through `isu_engine.library`, with the config the unit saved (the
same YAML the command line reads) and the paths the server owns.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from django.db import transaction
from django.utils import timezone

from isu_engine import library
from isu_engine.serve.language import current_language, line, set_language, t
from isu_engine.serve import audit, configs, storage
from isu_engine.serve.models import (Decision, Interpretation, Job, Organisation, PeriodRows, Run, RunFile, Unit,
                                     Upload)

logger = logging.getLogger("isu_engine.serve.jobs")
RUN_FORMATS = ("html", "pdf", "json", "xlsx")
ID_ROLES = ("subject", "episode")


@functools.cache
def registry():
    """The plugins' models, loaded once per process."""
    return library.load_registry()


def enqueue(kind: str, unit: Unit | None, created_by: str, **payload) -> Job:
    return Job.objects.create(kind=kind, unit=unit, created_by=created_by, payload=payload)


def step(job: Job, key: str, **params) -> None:
    job.progress = t(f"serve.progress.{key}", **params)
    Job.objects.filter(pk=job.pk).update(progress=job.progress)


def execute(job: Job) -> None:
    """Run one claimed job to its end: done, or failed with a one-line reason."""
    set_language(Organisation.current().language)
    try:
        work = {"validate": validate_upload, "run": build_run, "retention": apply_retention, "compare": compare_runs}
        work[job.kind](job)
    except library.UserError as error:
        _finish(job, "failed", error=line(error))
    except Exception as error:  # a bug: one line for the user, the job can be rerun
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, "failed", error=t("serve.job.internal_error", error=type(error).__name__))
    else:
        _finish(job, "done")


def _finish(job: Job, state: str, error: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(state=state, error=error, finished=timezone.now(), result_url=job.result_url)


def subject_fields(model) -> list[str]:
    return [name for name, spec in model.fields.items() if spec.role in ID_ROLES]


def validate_upload(job: Job) -> None:
    upload = Upload.objects.select_related("dataset__unit").get(pk=job.payload["upload"])
    dataset = upload.dataset
    job.result_url = f"/uploads/{upload.pk}/"
    source = Path(upload.stored_path)
    try:
        step(job, "reading")
        plugins = registry()
        model = library.model_of(plugins, dataset.model)
        text = configs.for_validation(dataset.config_yaml, source.name, storage.key_file(), subject_fields(model))
        config = library.check_config_text(text, source.parent)
        step(job, "validating")
        checked = library.validate(config, plugins)
        result = next(iter(checked.values()))
        with tempfile.TemporaryDirectory(dir=storage.folder("work")) as work:
            files = library.validation_files(checked, Path(work))
        rows = library.valid_rows(result)
        first, last = date_range(rows, model)
        with transaction.atomic():
            PeriodRows.objects.update_or_create(
                dataset=dataset, period=upload.period,
                defaults={"upload": upload, "rows": storage.rows_to_bytes(rows), "n_rows": len(rows),
                          "first_date": first, "last_date": last, "stored_at": timezone.now()})
            upload.summary = {
                "lines": library.summary_lines(result, current_language()), "rows_in": result.rows_in,
                "rows_valid": result.rows_valid,
                "rows_quarantined": result.rows_quarantined, "rows_skipped": result.rows_skipped,
                "issues": library.issues_summary(result),
                "quarantined_rows": [int(r) for r in result.quarantine["row"].tolist()[:500]],
            }
            upload.validation_csv = files["validation.csv"]
            upload.quarantine_csv = files[f"quarantine-{result.name}.csv"]
            upload.state = "validated"
            upload.save()
        audit.record(job.created_by, "validated", unit=dataset.unit, target=f"upload {upload.pk}",
                     detail=f"rows_in={result.rows_in} valid={result.rows_valid} quarantined={result.rows_quarantined}")
    except library.UserError as error:
        Upload.objects.filter(pk=upload.pk).update(state="failed", error=line(error))
        raise
    finally:
        if not dataset.unit.keep_raw_uploads:
            shutil.rmtree(source.parent, ignore_errors=True)
            Upload.objects.filter(pk=upload.pk).update(stored_path="")


def date_range(rows, model) -> tuple[dt.date | None, dt.date | None]:
    """The first and last date in the rows' occasion field (else any date field): which years a run can cover."""
    dates = [name for name, spec in model.fields.items() if spec.type == "date" and name in rows.columns]
    occasion = [name for name in dates if model.fields[name].role == "occasion"]
    chosen = rows[occasion or dates]
    if chosen.empty:
        return None, None
    first, last = chosen.min().min(), chosen.max().max()
    return (None, None) if pd.isna(first) else (first.date(), last.date())


def reflection_entries(dataset) -> list[dict]:
    """The dataset's interpretations and decisions as reflection-log entries (the engine's YAML keys)."""
    entries = []
    for item in Interpretation.objects.filter(dataset=dataset).order_by("date", "id"):
        entries.append({"date": item.date, "period": {"start": item.period_start, "end": item.period_end},
                        "dataset": dataset.name, "topic": item.topic, "interpretation": item.text})
    for item in Decision.objects.filter(dataset=dataset).order_by("date", "id"):
        entries.append({"date": item.date, "period": {"start": item.period_start, "end": item.period_end},
                        "dataset": dataset.name, "topic": item.topic, "decision": item.what,
                        "follow_up": item.follow_up.split(",") if item.follow_up else None,
                        "responsible": item.responsible})
    return entries


def build_run(job: Job) -> None:
    from isu_engine.serve.models import Dataset

    dataset = Dataset.objects.select_related("unit").get(pk=job.payload["dataset"])
    start, end = dt.date.fromisoformat(job.payload["start"]), dt.date.fromisoformat(job.payload["end"])
    organisation = Organisation.current()
    stored = list(PeriodRows.objects.filter(dataset=dataset).order_by("period"))
    if not stored:
        raise library.UserError("serve.run.no_rows", dataset=dataset.name)
    internal = dataset.unit.internal
    with tempfile.TemporaryDirectory(dir=storage.folder("work")) as folder:
        work = Path(folder)
        step(job, "reading")
        source = storage.engine_csv([storage.rows_from_bytes(p.rows) for p in stored], work / "rows.csv")
        (work / "reflektion.yaml").write_text(library.reflection_yaml(reflection_entries(dataset)), "utf-8")
        configured = library.check_config_text(dataset.config_yaml, work).min_cell
        min_cell = max(organisation.min_cell_floor, configured)
        text = configs.for_run(dataset.config_yaml, source.name, (start, end), internal, min_cell)
        (work / configs.CONFIG_NAME).write_text(text, "utf-8")
        config = library.load_config(work / configs.CONFIG_NAME)
        set_language(config.language)
        plugins = registry()
        step(job, "analysing")
        result = library.build_run(config, plugins)
        step(job, "rendering")
        out = work / "out"
        written = library.write_run(result, config, plugins, out, RUN_FORMATS)
        report = result.reports[0]
        run = Run.objects.create(
            dataset=dataset, period_start=start, period_end=end, fixed_period=job.payload.get("fixed", False),
            internal=internal or not job.payload.get("fixed", False), run_by=job.created_by,
            inputs={"config_sha256": config.sha256(),
                    "rows_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
                    "periods": [p.period for p in stored]},
            engine_version=library.ENGINE_VERSION, plugin_versions=library.plugin_versions(plugins),
            summary={"stood_out": library.what_stood_out(report), "figures": library.figure_labels(report),
                     "hidden_cells": report.hidden_cells, "rows_valid": report.dataset.rows_valid},
        )
        for path in written:
            RunFile.objects.create(run=run, name=path.name, content=path.read_bytes())
    job.result_url = f"/runs/{run.pk}/"
    audit.record(job.created_by, "run", unit=dataset.unit, target=f"run {run.pk}", detail=run.period_label)


def compare_runs(job: Job) -> None:
    """Build the comparison of a period's published runs (of `job.unit`, or of every unit) for the comparison page."""
    from isu_engine.serve import comparison

    period = next((p for p in comparison.periods(job.unit) if p.key == job.payload["period"]), None)
    if period is not None:
        step(job, "analysing")
        comparison.comparison_of(job.unit, period, job.created_by)


def apply_retention(job: Job) -> None:
    """Gallring: delete stored rows and upload records older than each unit's retention (in years)."""
    today = timezone.localdate()
    for unit in Unit.objects.all():
        oldest_kept = today.year - unit.retention_years
        old = [p for p in PeriodRows.objects.filter(dataset__unit=unit) if _year(p.period) < oldest_kept]
        for rows in old:
            audit.record("", "retention", unit=unit, target=f"dataset {rows.dataset.name}",
                         detail=f"period={rows.period} rows={rows.n_rows}")
            rows.delete()
        Upload.objects.filter(dataset__unit=unit, uploaded_at__year__lt=oldest_kept).update(
            validation_csv=b"", quarantine_csv=b"")


def _year(period: str) -> int:
    try:
        return int(str(period)[:4])
    except ValueError:
        return 10_000
