"""How cells read in a report: hidden cells, missing values, intervals, in the report language.

Numbers go through `isu_engine.numerals`, the engine's one number formatter. These are
plain functions; the HTML renderer also hands them to Jinja as filters and globals. A
hidden cell always prints as the hidden text ("<5"), whatever its value.
A screen reader reads a hidden cell's name instead, "dold uppgift (färre än 5 eller skyddar en annan)" (`hidden_name`).
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any, SupportsFloat, cast

from isu_engine import numerals
from isu_engine.protect.disclosure import hidden_text
from isu_engine.analyse.results import Cell
from isu_engine.i18n import t

EN_DASH = "\u2013"
MISSING = EN_DASH

NUMERIC_KINDS = frozenset({"count", "pct", "mean", "number", "effect"})
DEFAULT_DECIMALS = 1


def is_missing(value: Any) -> bool:
    """None, NaN, infinity and pandas' missing markers have nothing to print."""
    if value is None:
        return True
    if isinstance(value, Number) and not isinstance(value, bool):
        try:
            return not math.isfinite(float(cast(SupportsFloat, value)))  # a Number converts, or raises
        except (TypeError, ValueError):
            return False
    return type(value).__name__ in {"NAType", "NaTType"}


def format_cell(cell: Cell, language: str, min_cell: int) -> str:
    """The text of one cell as the reader sees it; a hidden cell is always the hidden text."""
    if cell.hidden:
        return hidden_text(min_cell)
    value = cell.value
    if is_missing(value):
        return MISSING
    kind = cell.kind
    if kind == "count":
        return numerals.number(round(float(value)), language, 0)
    if kind in NUMERIC_KINDS:
        decimals = DEFAULT_DECIMALS if cell.decimals is None else cell.decimals
        text = numerals.number(float(value), language, decimals)
        return numerals.percent_sign(text, language) if kind == "pct" else text
    if kind == "date":
        return numerals.date(value)
    return str(value)


def hidden_name(language: str, min_cell: int) -> str:
    """What a hidden cell is called for a screen reader.

    "dold uppgift (färre än 5 eller skyddar en annan)" / "hidden (fewer than 5, or protecting another)".
    """
    return t("render.hidden_name", language, min_cell=min_cell)


def format_interval(cell: Cell, language: str) -> str:
    """The interval of a numeric cell, e.g. "(10,2–15,3)"; empty when hidden or not given."""
    low, high = cell.low, cell.high
    if (cell.hidden or cell.kind not in NUMERIC_KINDS or low is None or high is None
            or is_missing(low) or is_missing(high)):
        return ""
    decimals = DEFAULT_DECIMALS if cell.decimals is None else cell.decimals
    low_text = numerals.number(float(low), language, decimals)
    high_text = numerals.number(float(high), language, decimals)
    return f"({low_text}{EN_DASH}{high_text})"
