"""The analysis meeting: what stood out, the team's interpretations, the manager's decisions, the list of
decisions per unit, and the reflection log as the YAML file the command line reads."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from isu_engine import library
from isu_engine.serve import audit, storage
from isu_engine.serve.language import current_language, line
from isu_engine.serve.forms import DecisionForm, InterpretationForm, ReflectionImportForm
from isu_engine.serve.jobs import reflection_entries
from isu_engine.serve.models import Decision, Interpretation
from isu_engine.serve.roles import allowed, may, run_action

MAX_LOG_BYTES = 1024 * 1024


def _meeting_forms(request, run, interpretation=None, decision=None):
    figures = (run.summary or {}).get("figures", {})
    return render(request, "isu/meeting.html", {
        "run": run, "dataset": run.dataset, "unit": run.dataset.unit,
        "stood_out": (run.summary or {}).get("stood_out", []),
        "interpretations": Interpretation.objects.filter(run=run).order_by("id"),
        "decisions": Decision.objects.filter(run=run).order_by("id"),
        "earlier": Decision.objects.filter(dataset=run.dataset,
                                           period_end__lt=run.period_start).order_by("-period_end"),
        "figures": figures,
        "interpretation_form": interpretation or InterpretationForm(prefix="interpretation"),
        "decision_form": decision or DecisionForm(figures=figures, prefix="decision"),
        "may_interpret": may(request.user, "interpret", run.dataset.unit),
        "may_decide": may(request.user, "decide", run.dataset.unit)})


@allowed(lambda objects: run_action(objects["run"]))
def meeting(request, run):
    if not run.published:
        return redirect("run", run=run.pk)
    return _meeting_forms(request, run)


@allowed("interpret")
@require_POST
def add_interpretation(request, run):
    if not run.published:
        return redirect("run", run=run.pk)
    form = InterpretationForm(request.POST, prefix="interpretation")
    if not form.is_valid():
        return _meeting_forms(request, run, interpretation=form)
    Interpretation.objects.create(dataset=run.dataset, run=run, period_start=run.period_start,
                                  period_end=run.period_end, topic=form.cleaned_data["topic"],
                                  text=form.cleaned_data["text"], written_by=request.user.get_username())
    audit.record(request, "interpretation", unit=run.dataset.unit, target=f"run {run.pk}")
    return redirect("meeting", run=run.pk)


@allowed("decide")
@require_POST
def add_decision(request, run):
    if not run.published:
        return redirect("run", run=run.pk)
    form = DecisionForm(request.POST, figures=(run.summary or {}).get("figures", {}), prefix="decision")
    if not form.is_valid():
        return _meeting_forms(request, run, decision=form)
    Decision.objects.create(dataset=run.dataset, run=run, period_start=run.period_start, period_end=run.period_end,
                            recorded_by=request.user.get_username(), **form.cleaned_data)
    audit.record(request, "decision", unit=run.dataset.unit, target=f"run {run.pk}")
    return redirect("meeting", run=run.pk)


@allowed("decide")
@require_POST
def decision_followed_up(request, decision):
    decision.followed_up_at = timezone.localdate()
    decision.save()
    audit.record(request, "decision_followed_up", unit=decision.dataset.unit, target=f"decision {decision.pk}")
    return redirect("decisions", unit=decision.dataset.unit.pk)


@allowed("view_published")
def decisions(request, unit):
    today = timezone.localdate()
    items = Decision.objects.filter(dataset__unit=unit).select_related("dataset").order_by("followed_up_at", "due")
    rows = [{"decision": d, "overdue": d.followed_up_at is None and d.due is not None and d.due < today}
            for d in items]
    return render(request, "isu/decisions.html", {"unit": unit, "rows": rows,
                                                  "may_decide": may(request.user, "decide", unit)})


@allowed("view_internal")
def reflection_export(request, unit):
    entries = [entry for dataset in unit.datasets.all() for entry in reflection_entries(dataset)]
    audit.record(request, "download", unit=unit, target="reflektion.yaml")
    response = HttpResponse(library.reflection_yaml(entries).encode("utf-8"),
                            content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reflektion.yaml"'
    return response


@allowed("work_with_data")
def reflection_import(request, unit):
    """Read a reflection log with the engine's own reader; entries become interpretations and decisions."""
    form = ReflectionImportForm(request.POST or None, request.FILES or None)
    error, imported = None, None
    if request.method == "POST" and form.is_valid():
        incoming = form.cleaned_data["file"]
        if incoming.size > MAX_LOG_BYTES:
            error = "reflektion.yaml: " + library.UserError("serve.upload.too_large", mb=1).problem(current_language())
        else:
            try:
                imported = _import_log(unit, incoming.read(), request.user.get_username())
            except library.UserError as problem:
                error = line(problem)
            else:
                audit.record(request, "reflection_imported", unit=unit, detail=f"entries={imported}")
    return render(request, "isu/reflection_import.html", {"form": form, "unit": unit, "error": error,
                                                          "imported": imported})


def _import_log(unit, content: bytes, by: str) -> int:
    datasets = {d.name: d for d in unit.datasets.all()}
    with tempfile.TemporaryDirectory(dir=storage.folder("work")) as work:
        (Path(work) / "reflektion.yaml").write_bytes(content)
        text = "reflection_log: reflektion.yaml\ndatasets: {x: {model: x, source: x.csv}}\n"
        config = library.check_config_text(text, Path(work))
        try:
            entries = library.read_reflection_log(config)
        except library.UserError as error:  # name the file as the person knows it, not the server's folder
            raise library.UserError(error.key, file="reflektion.yaml", place=error.place, **error.params) from None
    count = 0
    for entry in entries:
        dataset = datasets.get(entry.dataset) if entry.dataset else \
            (next(iter(datasets.values())) if len(datasets) == 1 else None)
        if dataset is None or entry.period is None:
            continue
        common = {"dataset": dataset, "period_start": entry.period.start, "period_end": entry.period.end,
                  "date": entry.date or entry.period.end, "topic": entry.topic}
        if entry.interpretation:
            Interpretation.objects.create(text=entry.interpretation, written_by=by, **common)
            count += 1
        if entry.decision:
            Decision.objects.create(what=entry.decision, responsible=entry.responsible or "–",
                                    follow_up=",".join(entry.follow_up), recorded_by=by, due=None, **common)
            count += 1
    return count
