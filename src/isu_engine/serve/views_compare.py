"""The comparison of published runs: a unit's, or every unit's for the administrator (see comparison.py)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from isu_engine import library
from isu_engine.serve import audit, comparison
from isu_engine.serve.language import line
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
    """The periods offered, the one asked for, and its comparison (built now if it is not kept) or a one-line problem."""
    found = comparison.periods(unit)
    period = comparison.chosen(found, request.GET.get("period"))
    built, error = None, None
    if period is not None:
        try:
            built = comparison.comparison_of(unit, period, request.user.get_username())
        except library.UserError as problem:
            error = line(problem)
    return found, period, built, error


def _page(request, unit):
    found, period, built, error = _built(request, unit)
    return render(request, "isu/comparison.html", {"unit": unit, "periods": found, "period": period,
                                                   "built": built, "error": error})


def _report(request, unit):
    _, period, built, _ = _built(request, unit)
    if built is None or not built.html or period.key != request.GET.get("period", period.key):
        raise Http404
    audit.record(request, "comparison_viewed", unit=unit, target=f"comparison {period.key}")
    return sandboxed(bytes(built.html))
