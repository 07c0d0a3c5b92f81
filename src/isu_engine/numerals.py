"""Numbers, percentages and dates as the report language writes them.

The one formatter of the engine: tables, charts, sentences and rule messages all use it,
and the language is always passed in. Swedish writes a decimal comma and separates
thousands with a narrow no-break space (U+202F), so a number never breaks across lines:
"1 234,5", "0,05", "12,5 %". English writes "1,234.5", "0.05", "12.5%". A negative
number takes the true minus sign (U+2212), and a value that rounds to zero takes none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

MINUS = "\u2212"
NARROW_NO_BREAK_SPACE = "\u202f"
NO_BREAK_SPACE = "\u00a0"
MOST_DECIMALS = 10


def number(value: float, language: str, decimals: int | None = None) -> str:
    """`value` rounded to `decimals`, or with as many decimals as it needs when `decimals` is None."""
    if decimals is None:
        decimals = decimals_needed(value)
    digits = f"{abs(value):,.{decimals}f}"
    if language == "sv":
        digits = digits.replace(",", NARROW_NO_BREAK_SPACE).replace(".", ",")
    negative = value < 0 and any(digit in digits for digit in "123456789")
    return MINUS + digits if negative else digits


def decimals_needed(*values: float) -> int:
    """The fewest decimals that write every value exactly (at most ten): 25 → 0, 0.05 → 2."""
    return next((d for d in range(MOST_DECIMALS) if all(abs(round(v, d) - v) < 1e-12 * max(1.0, abs(v))
                                                        for v in values)), MOST_DECIMALS)


def percent_sign(text: str, language: str) -> str:
    """A written number with its percent sign: "12,5 %" (no-break space) in Swedish, "12.5%" in English."""
    return f"{text}{NO_BREAK_SPACE}%" if language == "sv" else f"{text}%"


def percent(value: float, language: str, decimals: int | None = None) -> str:
    """A percentage (0–100) with its sign, e.g. "12,5 %"."""
    return percent_sign(number(value, language, decimals), language)


def date(value: Any) -> str:
    """A date (or the date of a date-time) in ISO form, YYYY-MM-DD, in every language."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
