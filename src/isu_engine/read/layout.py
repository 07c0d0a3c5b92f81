"""Where the table starts: the heading row (and sheet) when the config does not say.

Titles, blank rows and notes above the headings are common in a unit's own sheet, and so
is an instruction sheet before the data sheet. The heading row is the row among the first
SEARCH_ROWS whose headings a scorer rates highest (the model's field names and titles and
the config's `columns:`, see read/headings.py); the first row among equals. Headings
written on several rows (a merged heading over the columns below it) are joined.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


SEARCH_ROWS = 30


def joined_headings(rows: Sequence[Sequence], merged: Sequence[tuple[int, int, int, int]] = ()) -> list[str]:
    """The headings of one or more heading rows, the cells of a column joined with a space.

    `rows` are the heading rows from the top. A cell of an upper row merged across the
    columns to its right (`merged`: 0-based first row, first column, last row, last column,
    with row 0 the first of `rows`) heads each of those columns.
    """
    if len(rows) == 1:  # (a single row: its cells' texts)
        return [_text(cell) for cell in rows[0]]
    width = max((len(row) for row in rows), default=0)
    cells = [[_text(row[column]) if column < len(row) else "" for column in range(width)] for row in rows]
    for first_row, first_column, last_row, last_column in merged:
        if 0 <= first_row < len(rows) - 1 and first_column < width:
            for row in range(first_row, min(last_row, len(rows) - 2) + 1):
                for column in range(first_column + 1, min(last_column, width - 1) + 1):
                    if not cells[row][column]:
                        cells[row][column] = cells[first_row][first_column]
    return [" ".join(dict.fromkeys(part for part in column if part)) for column in zip(*cells, strict=True)]


def choose_heading_row(rows: Sequence[Sequence], score: Callable[[list], float] | None, header_rows: int = 1,
                       merged: Sequence[tuple[int, int, int, int]] = ()) -> tuple[int, float]:
    """(1-based heading row, its score): the best of the first SEARCH_ROWS rows; the first among equals.

    With `header_rows` above 1 the row returned is the last heading row. Without a scorer
    nothing tells headings from data, so the heading row is the first filled row; its score
    is its number of filled cells.
    """
    last_rows = range(header_rows, min(len(rows), SEARCH_ROWS + header_rows - 1) + 1)
    if score is None:
        filled = ((last, float(sum(bool(_text(cell)) for cell in rows[last - 1]))) for last in last_rows)
        return next(((last, n) for last, n in filled if n), (header_rows, 0.0))
    best_row, best_score = None, -1.0
    for last in last_rows:
        block = rows[last - header_rows:last]
        if not any(_text(cell) for cell in block[-1]):
            continue
        shifted = [(r - (last - header_rows), c0, r1 - (last - header_rows), c1) for r, c0, r1, c1 in merged]
        value = score(joined_headings(block, shifted))
        if value > best_score:
            best_row, best_score = last, value
    return (best_row or header_rows), max(best_score, 0.0)


def _text(cell: object) -> str:
    return cell.strip() if isinstance(cell, str) else "" if cell is None else str(cell).strip()
