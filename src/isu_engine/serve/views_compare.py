"""The comparison of published runs: a unit's, or every unit's for the administrator (see comparison.py)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from isu_engine.serve import audit, comparison
from isu_engine.serve.roles import allowed
from isu_engine.serve.views_runs import sandboxed


@allowed("view_published")
def unit_comparison(request, unit):
    return _page(request, unit)


@allowed("view_published")
def all_units_comparison(request):
    return _page(request, None)


@allowed("view_published")
def unit_comparison_report(request, unit):
    return _report(request, unit)


@allowed("view_published")
def all_units_comparison_report(request):
    return _report(request, None)


def _built(request, unit):
    """The periods offered, the one asked for, its kept comparison and, while there is none, the job building it."""
    found = comparison.periods(unit)
    period = comparison.chosen(found, request.GET.get("period"))
    built = comparison.kept(unit, period) if period is not None else None
    job = comparison.requested(unit, period, request.user.get_username()) if period and built is None else None
    return found, period, built, job


def _page(request, unit):
    found, period, built, job = _built(request, unit)
    return render(request, "isu/comparison.html", {"unit": unit, "periods": found, "period": period, "built": built,
                                                   "job": job, "running": job is not None and job.state != "failed"})


def _report(request, unit):
    _, period, built, _ = _built(request, unit)
    if built is None or not built.html or period.key != request.GET.get("period", period.key):
        raise Http404
    audit.record(request, "comparison_viewed", unit=unit, target=f"comparison {period.key}")
    return sandboxed(bytes(built.html))
