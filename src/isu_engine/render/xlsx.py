"""Write a report's tables to an Excel workbook: an "About" sheet, then one sheet per table.

Numbers are stored as numbers (percentages 0–100, rounded as in the report and shown with
their decimals), a hidden cell as its hidden text ("<5"), never its value. Text from the
data is always stored as text, so a value such as "=SUM(A1)" is never a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from isu_engine.render.atomic import atomic_path
from isu_engine.protect.disclosure import hidden_text
from isu_engine.i18n import t
from isu_engine.analyse.results import Cell, Table
from isu_engine.render.formatting import DEFAULT_DECIMALS, NUMERIC_KINDS, format_cell, is_missing

SHEET_NAME_LIMIT = 31
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60
TITLE_ROW, HEADER_ROW = 1, 2
ABOUT_WIDTH = 100


def write_xlsx(tables: list[Table], path: Path, *, language: str, min_cell: int, title: str) -> None:
    """One sheet per table after an "About" sheet with the title and the disclosure note; written atomically."""
    workbook = Workbook()
    about = workbook.worksheets[0]
    names = unique_sheet_names([t("render.xlsx_about_sheet", language)] + [table.id for table in tables])
    about.title = names[0]
    _about_sheet(about, tables, names[1:], language=language, min_cell=min_cell, title=title)
    for table, name in zip(tables, names[1:], strict=True):
        _table_sheet(workbook.create_sheet(name), table, language=language, min_cell=min_cell)
    with atomic_path(Path(path)) as temporary:
        workbook.save(temporary)


def unique_sheet_names(wanted: list[str]) -> list[str]:
    """Valid Excel sheet names (≤ 31 characters, none of []:*?/\\), unique regardless of case."""
    names: list[str] = []
    taken: set[str] = set()
    for name in wanted:
        base = _FORBIDDEN_IN_SHEET_NAME.sub("_", _clean(name)).strip().strip("'")[:SHEET_NAME_LIMIT] or "_"
        candidate, number = base, 1
        while candidate.casefold() in taken:
            number += 1
            suffix = f"~{number}"
            candidate = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(candidate.casefold())
        names.append(candidate)
    return names


def _about_sheet(sheet: Worksheet, tables: list[Table], names: list[str], *, language: str, min_cell: int,
                 title: str) -> None:
    _put(sheet, 1, 1, title).font = Font(bold=True, size=14)
    note = "render.disclosure_off" if min_cell <= 1 else "render.hidden_note"
    _put(sheet, 3, 1, t(note, language, hidden=hidden_text(min_cell), min_cell=min_cell)).alignment = Alignment(
        wrap_text=True, vertical="top")
    _put(sheet, 5, 1, t("render.xlsx_sheet", language)).font = Font(bold=True)
    _put(sheet, 5, 2, t("render.xlsx_table", language)).font = Font(bold=True)
    for row, (table, name) in enumerate(zip(tables, names, strict=True), start=6):
        _put(sheet, row, 1, name)
        _put(sheet, row, 2, table.title)
    sheet.column_dimensions["A"].width = max([len(t("render.xlsx_sheet", language)) + 2, *map(len, names)])
    sheet.column_dimensions["B"].width = ABOUT_WIDTH
    sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=2)
    sheet.row_dimensions[3].height = 45


def _table_sheet(sheet: Worksheet, table: Table, *, language: str, min_cell: int) -> None:
    """Title in row 1, bold headings in row 2 (frozen), the rows, then n, note and definition."""
    _put(sheet, TITLE_ROW, 1, table.title).font = Font(bold=True, size=12)
    widths = [len(column.label) for column in table.columns]
    for index, column in enumerate(table.columns, start=1):
        heading = _put(sheet, HEADER_ROW, index, column.label)
        heading.font = Font(bold=True)
        heading.alignment = Alignment(horizontal="right" if column.kind in NUMERIC_KINDS else "left",
                                      wrap_text=True, vertical="bottom")
    for row_number, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for index, cell in enumerate(row.values(), start=1):
            target = _put(sheet, row_number, index, _stored(cell, min_cell))
            if cell.hidden:
                target.alignment = Alignment(horizontal="right")
            elif isinstance(target.value, (int, float, dt.date)):
                target.number_format = _number_format(cell, language)
            widths[index - 1] = max(widths[index - 1], len(format_cell(cell, language, min_cell)))
    below = HEADER_ROW + len(table.rows) + 2
    lines = []
    if table.n is not None:
        lines.append(t("render.n_line", language, n=format_cell(table.n, language, min_cell)))
    lines += [text for text in (table.note, table.definition) if text]
    if any(cell.hidden for cell in table.cells()):
        lines.append(t("render.hidden_note", language, hidden=hidden_text(min_cell), min_cell=min_cell))
    for offset, line in enumerate(lines):
        _put(sheet, below + offset, 1, line).font = Font(italic=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1).coordinate


def _stored(cell: Cell, min_cell: int) -> Any:
    """What goes into the sheet: the hidden text, a rounded number, a date, or text."""
    if cell.hidden:
        return hidden_text(min_cell)
    value = cell.value
    if is_missing(value):
        return None
    if cell.kind == "count":
        return round(float(value))
    if cell.kind in NUMERIC_KINDS:
        return round(float(value), DEFAULT_DECIMALS if cell.decimals is None else cell.decimals)
    if cell.kind == "date" and isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    return str(value)


def _number_format(cell: Cell, language: str) -> str:
    if cell.kind == "date":
        return "yyyy-mm-dd"
    if cell.kind == "count":
        return "#,##0"
    decimals = DEFAULT_DECIMALS if cell.decimals is None else cell.decimals
    digits = "0." + "0" * decimals if decimals > 0 else "0"
    if cell.kind == "pct":
        return f'{digits}" %"' if language == "sv" else f'{digits}"%"'
    return digits


def _put(sheet: Worksheet, row: int, column: int, value: Any):
    """Write a value; text is cleaned of characters XML forbids and always stored as text."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = _clean(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _clean(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub(" ", text)
