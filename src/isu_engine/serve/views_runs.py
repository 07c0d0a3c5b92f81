"""Runs: the run page, the report served so nothing in it can run, downloads, publishing."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from isu_engine import library
from isu_engine.serve import audit, comparison, storage
from isu_engine.serve.models import Run
from isu_engine.serve.roles import allowed, may, run_action
from isu_engine.serve.security import REPORT_CSP

DOWNLOADS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "json": "application/json"}


def _view_run(objects) -> str:
    return run_action(objects["run"])


def _file(run: Run, name: str) -> bytes:
    found = run.files.filter(name=name).first()
    if found is None:
        raise Http404
    return bytes(found.content)


@allowed(_view_run)
def run_page(request, run):
    unit = run.dataset.unit
    return render(request, "isu/run.html", {
        "run": run, "dataset": run.dataset, "unit": unit,
        "files": sorted(run.files.values_list("name", flat=True)),
        "may_publish": may(request.user, "publish", unit) and run.fixed_period and not run.published
        and not run.internal,
        "problem": request.GET.get("problem")})


@allowed(_view_run)
def run_report(request, run):
    """The engine's HTML report as its own document, in a CSP sandbox: no script, form or request can run."""
    content = _file(run, f"{run.dataset.name}.html")
    audit.record(request, "report_viewed", unit=run.dataset.unit, target=f"run {run.pk}")
    return sandboxed(content)


def sandboxed(html: bytes) -> HttpResponse:
    """An engine report as its own document, in a CSP sandbox: no script, form or request in it can run."""
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@allowed(_view_run)
def run_download(request, run, fmt):
    if fmt not in DOWNLOADS:
        raise Http404
    name = "report.json" if fmt == "json" else f"{run.dataset.name}.{fmt}"
    content = _file(run, name)
    audit.record(request, "download", unit=run.dataset.unit, target=f"run {run.pk} {name}")
    response = HttpResponse(content, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{run.dataset.name}-{run.period_start}-{name}"'
    return response


def unit_runs_audit(run: Run) -> list[str]:
    """Audit the unit's published runs together with this one; what a reader of all of them could pin."""
    others = Run.objects.filter(dataset__unit=run.dataset.unit, published_at__isnull=False).exclude(pk=run.pk)
    with tempfile.TemporaryDirectory(dir=storage.folder("work")) as work:
        folders = []
        for index, item in enumerate([run, *others]):
            folder = Path(work, str(index))
            folder.mkdir()
            for stored in item.files.filter(name__endswith=".json"):
                (folder / stored.name).write_bytes(bytes(stored.content))
            folders.append(folder)
        return library.audit_published(folders)


@allowed("publish")
@require_POST
def run_publish(request, run):
    if not run.fixed_period or run.internal or run.published:
        return redirect("run", run=run.pk)
    pinned = unit_runs_audit(run)
    if pinned:
        audit.record(request, "publish_refused", unit=run.dataset.unit, target=f"run {run.pk}",
                     detail=f"pinned={len(pinned)}")
        return redirect(f"/runs/{run.pk}/?problem=audit")
    run.published_by, run.published_at = request.user.get_username(), timezone.now()
    run.save()
    audit.record(request, "published", unit=run.dataset.unit, target=f"run {run.pk}", detail=run.period_label)
    comparison.prepare(run.dataset.unit, run.period_start, run.period_end, request.user.get_username())
    return redirect("meeting", run=run.pk)
