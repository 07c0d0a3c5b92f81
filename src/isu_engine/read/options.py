"""How to read one data file: the `read:` key of a dataset in the config.

Its own module so that a config can be checked without loading the readers (pandas, Arrow).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadOptions:
    """How to read one data file (the `read:` key of a dataset in the config)."""

    sheet: str | int | None = None  # sheet name, or 1-based index; None = the sheet whose headings match best
    header_row: int | None = None  # 1-based row holding the headings; None = the row that matches best
    header_rows: int = 1  # headings written on this many rows (merged cells above), joined with a space
    encoding: str = "auto"  # auto | utf-8 | utf-8-sig | cp1252 | latin-1 ...
    delimiter: str = "auto"  # auto | ";" | "," | "\t" | "|"
    decimal: str = "auto"  # auto | "," | "." — for the coercion step; cells stay as read
