"""The comparison in the browser: published runs of one period compared by the engine's own comparison.

For a unit (or, for the administrator, every unit), the comparison of a period takes the latest
published run of each dataset for that period — at least two — and hands exactly the rows those
runs used to the engine (`library.build_run` and `library.write_comparison`): the same
harmonisation, templates and disclosure control as `isu compare`, protected together with the
datasets' reports. A dataset whose stored rows changed after its report was published (a new
upload for one of its years) is left out and named, until a new report of it is published.
Before it is shown, the comparison is audited together with the compared runs' published files
(`library.audit_published`, as `isu audit`); if a reader of all of them could work out a hidden
count, it is not shown. The job worker builds a comparison when a run of its period is published (or when
its page asks for one not built yet); it is kept until another run of the period is published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from isu_engine import library
from isu_engine.serve import configs, storage
from isu_engine.serve.jobs import enqueue, registry
from isu_engine.serve.models import Comparison, Job, Organisation, PeriodRows, Run, Unit

FORMATS = ("html", "json")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    runs: tuple[Run, ...]  # the latest published run of each dataset, by unit and dataset name

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @property
    def run_ids(self) -> str:
        return ",".join(str(run.pk) for run in sorted(self.runs, key=lambda run: run.pk))


def periods(unit: Unit | None) -> list[Period]:
    """The periods with published runs of at least two datasets (of `unit`, or of every unit), latest first."""
    published = Run.objects.filter(published_at__isnull=False, internal=False).select_related("dataset__unit")
    if unit is not None:
        published = published.filter(dataset__unit=unit)
    latest: dict[tuple, Run] = {}
    for run in published.order_by("published_at", "pk"):
        latest[(run.period_start, run.period_end, run.dataset_id)] = run
    grouped: dict[tuple, list[Run]] = {}
    for (start, end, _), run in latest.items():
        grouped.setdefault((start, end), []).append(run)
    found = [Period(start, end, tuple(sorted(runs, key=lambda r: (r.dataset.unit.name, r.dataset.name))))
             for (start, end), runs in grouped.items() if len(runs) >= 2]
    return sorted(found, key=lambda period: (period.end, period.start), reverse=True)


def chosen(found: list[Period], key: str | None) -> Period | None:
    return next((period for period in found if period.key == key), found[0] if found else None)


def kept(unit: Unit | None, period: Period) -> Comparison | None:
    """The comparison already built of exactly these runs."""
    return Comparison.objects.filter(unit=unit, period_start=period.start, period_end=period.end,
                                     runs=period.run_ids).order_by("-built_at").first()


def comparison_of(unit: Unit | None, period: Period, username: str) -> Comparison:
    """The kept comparison of these runs, or a new one built now (a problem is the engine's UserError)."""
    return kept(unit, period) or build(unit, period, username)


def requested(unit: Unit | None, period: Period, username: str) -> Job:
    """The job that builds this comparison: one queued or running, the last one if it failed after the period's
    latest publication (it would fail again), or a new one."""
    jobs = Job.objects.filter(kind="compare", unit=unit, payload__period=period.key).order_by("-id")
    last = jobs.first()
    latest = max(run.published_at for run in period.runs)
    if last is not None and (last.state in ("queued", "running") or (last.state == "failed" and last.created > latest)):
        return last
    return enqueue("compare", unit, username, period=period.key)


def prepare(unit: Unit, start: dt.date, end: dt.date, username: str) -> None:
    """After a publication: queue the comparisons of the period it changes, the unit's and every unit's."""
    for scope in (unit, None):
        period = next((p for p in periods(scope) if (p.start, p.end) == (start, end)), None)
        if period is not None and kept(scope, period) is None:
            requested(scope, period, username)


def build(unit: Unit | None, period: Period, username: str) -> Comparison:
    organisation = Organisation.current()
    plugins = registry()
    with tempfile.TemporaryDirectory(dir=storage.folder("work")) as scratch:
        work = Path(scratch)
        entries, used, left_out, min_cells = {}, [], [], [organisation.min_cell_floor]
        for run in period.runs:
            dataset = run.dataset
            stored = PeriodRows.objects.filter(dataset=dataset).order_by("period")
            rows = [storage.rows_from_bytes(p.rows) for p in stored]
            key = f"{dataset.name}-{dataset.pk}" if any(r.dataset.name == dataset.name and r.pk != run.pk
                                                        for r in period.runs) else dataset.name
            source = storage.engine_csv(rows, work / f"{key}.csv")
            if hashlib.sha256(source.read_bytes()).hexdigest() != run.inputs.get("rows_sha256"):
                left_out.append(dataset.name if unit is not None else f"{dataset.unit.name}: {dataset.name}")
                continue
            min_cells.append(library.check_config_text(dataset.config_yaml, work).min_cell)
            entries[key] = (dataset.config_yaml, source.name, None if unit is not None else dataset.unit.name)
            used.append(run)
        html, pinned = b"", 0
        if len(entries) >= 2:
            text = configs.for_comparison(entries, (period.start, period.end), max(min_cells), organisation.language)
            (work / configs.CONFIG_NAME).write_text(text, "utf-8")
            config = library.load_config(work / configs.CONFIG_NAME)
            result = library.build_run(config, plugins)
            written = library.write_comparison(result, config, plugins, work / "out", FORMATS)
            html = next(path for path in written if path.suffix == ".html").read_bytes()
            pinned = len(library.audit_published([work / "out", *published_files(used, work)]))
    return Comparison.objects.create(unit=unit, period_start=period.start, period_end=period.end, runs=period.run_ids,
                                     left_out=left_out, pinned=pinned, built_by=username, html=b"" if pinned else html)


def published_files(runs: list[Run], work: Path) -> list[Path]:
    """A folder per run with its published report.json, to audit them together with the comparison."""
    folders = []
    for run in runs:
        folder = work / f"published-{run.pk}"
        folder.mkdir()
        for stored in run.files.filter(name="report.json"):
            (folder / stored.name).write_bytes(bytes(stored.content))
        folders.append(folder)
    return folders
