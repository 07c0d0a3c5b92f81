"""How a Swedish personal identity number is written, without its checks: a first look that needs no pandas.

`identifiers` finds, checks and masks the numbers; this module holds only their written shape, so
that a single text (a file name in a message) can be passed over quickly when it cannot hold one.
"""

from __future__ import annotations

import re

BLANK = "[ \t\u00a0\u202f]*"  # the characters themselves (RE2 reads no \\u escapes)
NUMBER = rf"(?<![0-9])(?:[0-9]{{2}})?[0-9]{{6}}{BLANK}[-+]?{BLANK}[0-9]{{4}}(?![0-9])"
"""One written number (YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN, or without the separator), never inside a
longer run of digits."""
CANDIDATE = rf"[0-9]{{6}}{BLANK}[-+]?{BLANK}[0-9]{{4}}"
"""NUMBER's shape without look-around (for the RE2 engine): every text holding a NUMBER holds a CANDIDATE."""

_CANDIDATE = re.compile(CANDIDATE)


def may_hold_one(text: str) -> bool:
    """Whether `text` has the shape of a personal number somewhere (False: it certainly holds none)."""
    return _CANDIDATE.search(text) is not None
