"""How numbers and cells read in a report: Swedish or English number format, hidden cells, intervals.

These are plain functions; the HTML renderer also hands them to Jinja as filters and globals.
A hidden cell always prints as the hidden text ("<5"), whatever its value; a screen reader
reads its name instead, "dold uppgift (färre än 5)" (`hidden_name`).
"""

from __future__ import annotations

import datetime as dt
import math
from numbers import Number
from typing import Any

from isu_engine.protect.disclosure import hidden_text
from isu_engine.analyse.results import Cell
from isu_engine.i18n import t

MINUS = "\u2212"
NARROW_NO_BREAK_SPACE = "\u202f"
NO_BREAK_SPACE = "\u00a0"
EN_DASH = "\u2013"
MISSING = EN_DASH

NUMERIC_KINDS = frozenset({"count", "pct", "mean", "number", "effect"})
DEFAULT_DECIMALS = 1


def format_number(value: float, decimals: int = 0, language: str = "sv") -> str:
    """`value` rounded to `decimals`: "1 234,5" in Swedish, "1,234.5" in English, minus as "−".

    Swedish separates thousands with a narrow no-break space, so a number never breaks
    across lines. A value that rounds to zero carries no minus sign.
    """
    digits = f"{abs(value):,.{decimals}f}"
    if language == "sv":
        digits = digits.replace(",", NARROW_NO_BREAK_SPACE).replace(".", ",")
    negative = value < 0 and any(digit in digits for digit in "123456789")
    return MINUS + digits if negative else digits


def percent_sign(text: str, language: str) -> str:
    """A formatted number with its percent sign: "12,5 %" (no-break space) in Swedish, "12.5%" in English."""
    return f"{text}{NO_BREAK_SPACE}%" if language == "sv" else f"{text}%"


def is_missing(value: Any) -> bool:
    """None, NaN, infinity and pandas' missing markers have nothing to print."""
    if value is None:
        return True
    if isinstance(value, Number) and not isinstance(value, bool):
        try:
            return not math.isfinite(float(value))
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
        return format_number(round(float(value)), 0, language)
    if kind in NUMERIC_KINDS:
        decimals = DEFAULT_DECIMALS if cell.decimals is None else cell.decimals
        text = format_number(float(value), decimals, language)
        return percent_sign(text, language) if kind == "pct" else text
    if kind == "date":
        return format_date(value)
    return str(value)


def hidden_name(language: str, min_cell: int) -> str:
    """What a hidden cell is called for a screen reader: "dold uppgift (färre än 5)" / "hidden (fewer than 5)"."""
    return t("render.hidden_name", language, min_cell=min_cell)


def format_date(value: Any) -> str:
    """A date (or the date of a date-time) in ISO form, YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_interval(cell: Cell, language: str) -> str:
    """The interval of a numeric cell, e.g. "(10,2–15,3)"; empty when hidden or not given."""
    if cell.hidden or cell.kind not in NUMERIC_KINDS or is_missing(cell.low) or is_missing(cell.high):
        return ""
    decimals = DEFAULT_DECIMALS if cell.decimals is None else cell.decimals
    low = format_number(float(cell.low), decimals, language)
    high = format_number(float(cell.high), decimals, language)
    return f"({low}{EN_DASH}{high})"
