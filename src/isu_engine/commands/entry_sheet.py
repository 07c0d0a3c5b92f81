"""`isu template`: an Excel data-entry sheet for one dataset, so data is right when it is typed.

The sheet "Data" comes first and has one column per field (the model's and the unit's
own, in model order). Each heading is the field's title in the config's language, or
its name where a title would map to another field; the headings are checked against
the engine's own column mapping, so the file reads back with no `columns:`. Category
fields get drop-down lists of their labels (checked to recode to the model's values),
numbers, dates and text get range and length checks, and a codebook sheet and an
about sheet explain every field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from isu_engine.render import atomic
from isu_engine.check.coerce import TEXT
from isu_engine.configure.config import Config
from isu_engine.check.dataset import dataset_model
from isu_engine.errors import UserError, row_place
from isu_engine.i18n import t
from isu_engine.read.mapping import map_columns, normalise_heading, recode
from isu_engine.configure.model import Field, Model
from isu_engine.configure.plugins import Registry

DATA_ROWS = 5000
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
REQUIRED_FILL = PatternFill("solid", fgColor="FFE8A3")
DATE_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
EXCEL_DATES = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
YEARS = (1800, 2199)
ValidationKind = Literal["whole", "decimal", "list", "date", "time", "textLength", "custom"]  # openpyxl's kinds


def write_template(config: Config, dataset_name: str, registry: Registry, target: Path) -> Path:
    """Write the data-entry workbook for `dataset_name` of `config` to `target` (atomically)."""
    if dataset_name not in config.datasets:
        raise UserError("template.unknown_dataset", file=config.doc.file, name=dataset_name,
                        known=", ".join(config.datasets))
    dataset = config.datasets[dataset_name]
    model = dataset_model(registry, config, dataset)
    workbook = build_workbook(model, config.language, dataset_name, dataset.values, Path(target).name)
    with atomic.atomic_path(Path(target)) as temporary:
        workbook.save(temporary)
    return Path(target)


def build_workbook(model: Model, language: str, dataset_name: str, local_values: dict | None = None,
                   file_name: str = "data.xlsx") -> Workbook:
    """The workbook: Data (first, so it is read by default), codebook, about, and the hidden lists."""
    local_values = local_values or {}
    headings = template_headings(model, language)
    workbook = Workbook()
    data = workbook.worksheets[0]
    data.title = t("template.sheet_data", language)
    codebook = workbook.create_sheet(t("template.sheet_codebook", language))
    about = workbook.create_sheet(t("template.sheet_about", language))
    lists = workbook.create_sheet(t("template.sheet_lists", language))
    lists.sheet_state = "hidden"
    list_column = 0
    for position, field in enumerate(model.fields.values(), start=1):
        letter = get_column_letter(position)
        cell = data.cell(row=1, column=position, value=headings[field.name])
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if field.required else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = _comment(field, language)
        choices = dropdown_values(field, language, local_values.get(field.name, {}))
        validation: DataValidation | None
        if choices:
            list_column += 1
            validation = _list_validation(lists, list_column, field, choices, language)
        else:
            validation = _value_validation(field, letter, language)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
            data.add_data_validation(validation)
        if field.type in DATE_FORMATS:
            data.column_dimensions[letter].number_format = DATE_FORMATS[field.type]
        widest = max([len(headings[field.name]), *(len(str(c)) for c in choices or ())], default=10)
        data.column_dimensions[letter].width = min(40, max(12, widest + 2))
    data.freeze_panes = "A2"
    _codebook_sheet(codebook, model, headings, language, local_values)
    _about_sheet(about, model, language, dataset_name, file_name)
    workbook.active = 0
    return workbook


def template_headings(model: Model, language: str) -> dict[str, str]:
    """Field name -> heading: the title, or the name where the title also names another field.

    The result is checked against the engine's own column mapping, so the headings read back.
    """
    names = {name: {normalise_heading(n) for n in (name, *field.titles.values())}
             for name, field in model.fields.items()}
    headings = {}
    for name, field in model.fields.items():
        others = set().union(*(found for other, found in names.items() if other != name))
        title = field.title(language)
        headings[name] = name if normalise_heading(title) in others else title
    wrong = _misread(model, headings)
    if wrong:
        raise UserError("template.ambiguous_heading", name=wrong[0], heading=headings[wrong[0]])
    return headings


def _misread(model: Model, headings: dict[str, str]) -> list[str]:
    """Fields whose heading the engine's column mapping would not give back to them."""
    order = list(headings)
    optional = {name: dataclasses.replace(field, required=False) for name, field in model.fields.items()}
    relaxed = dataclasses.replace(model, fields=optional)
    try:
        mapped = map_columns([headings[name] for name in order], relaxed, {}, model.name, row_place(1)).positions
    except UserError as error:
        return [error.params.get("field", order[0])]
    return [name for position, name in enumerate(order) if mapped.get(name) != position]


def dropdown_values(field: Field, language: str, local: dict) -> list[str] | None:
    """The drop-down entries for a one-value category or yes/no field: labels when they read back, else values."""
    if field.type == "list":
        return None
    if field.type == "boolean":
        return [_boolean_word(field.true_values, "yes", language), _boolean_word(field.false_values, "no", language)]
    if not field.is_categorical:
        return None
    allowed = field.allowed_values or ()
    values = [str(v) for v in allowed]
    labels = [field.label_of(v, language) for v in allowed]
    if labels != values and len({label.casefold() for label in labels}) == len(labels):
        read_back = recode(pd.Series(labels, dtype=TEXT), field, local)
        if list(read_back) == values:
            return labels
    return values


def _boolean_word(words: tuple[str, ...], key: str, language: str) -> str:
    wanted = t(f"template.{key}", language)
    return wanted if wanted in words else words[0]


def _list_validation(lists: Worksheet, column: int, field: Field, choices: list[str], language: str) -> DataValidation:
    letter = get_column_letter(column)
    lists.cell(row=1, column=column, value=field.name)
    for row, choice in enumerate(choices, start=2):
        lists.cell(row=row, column=column, value=choice)
    reference = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(choices) + 1}"
    return _validation("list", language, "template.error_list", formula1=reference)


def limits(field: Field) -> tuple[Any, Any, bool, bool]:
    """(low, high, low is exclusive, high is exclusive) from the field's constraints."""
    low, low_strict = (field.exclusive_minimum, True) if field.exclusive_minimum is not None else (field.minimum, False)
    high, high_strict = ((field.exclusive_maximum, True) if field.exclusive_maximum is not None
                         else (field.maximum, False))
    return low, high, low_strict, high_strict


def _value_validation(field: Field, letter: str, language: str) -> DataValidation | None:
    low, high, low_strict, high_strict = limits(field)
    if field.type in ("integer", "year"):
        if field.type == "year":
            low, high = (YEARS[0] if low is None else low), (YEARS[1] if high is None else high)
        low = None if low is None else int(low) + (1 if low_strict else 0)
        high = None if high is None else int(high) - (1 if high_strict else 0)
        return _bounded("whole", low, high, False, False, language, "template.error_whole", letter)
    if field.type == "number":
        return _bounded("decimal", low, high, low_strict, high_strict, language, "template.error_decimal", letter)
    if field.type in ("date", "datetime"):
        low = _date(low) or EXCEL_DATES[0]
        high = _date(high) or EXCEL_DATES[1]
        return _validation("date", language, "template.error_date", operator="between",
                           formula1=_date_formula(low), formula2=_date_formula(high),
                           bounds=t("template.range", language, low=low.isoformat(), high=high.isoformat()))
    if field.type == "string" and (field.min_length is not None or field.max_length is not None):
        low, high = field.min_length or 0, field.max_length
        if high is None:
            return _validation("textLength", language, "template.error_length", operator="greaterThanOrEqual",
                               formula1=str(low), bounds=t("template.at_least", language, low=low))
        return _validation("textLength", language, "template.error_length", operator="between", formula1=str(low),
                           formula2=str(high), bounds=t("template.range", language, low=low, high=high))
    return None


def _bounded(kind: ValidationKind, low, high, low_strict: bool, high_strict: bool, language: str, message: str,
             letter: str) -> DataValidation:
    """A whole/decimal check; a range with an exclusive bound becomes a formula on the cell."""
    shown = _range_text(low, high, low_strict, high_strict, language)
    if low is not None and high is not None and (low_strict or high_strict):
        cell = f"{letter}2"
        formula = (f"AND(ISNUMBER({cell}),{cell}{'>' if low_strict else '>='}{_number(low)},"
                   f"{cell}{'<' if high_strict else '<='}{_number(high)})")
        return _validation("custom", language, message, formula1=formula, bounds=shown)
    if low is not None and high is not None:
        return _validation(kind, language, message, operator="between", formula1=_number(low),
                           formula2=_number(high), bounds=shown)
    if low is not None:
        return _validation(kind, language, message, operator="greaterThan" if low_strict else "greaterThanOrEqual",
                           formula1=_number(low), bounds=shown)
    if high is not None:
        return _validation(kind, language, message, operator="lessThan" if high_strict else "lessThanOrEqual",
                           formula1=_number(high), bounds=shown)
    return _validation(kind, language, message, operator="between", formula1="-1E+15", formula2="1E+15", bounds="")


def _validation(kind: ValidationKind, language: str, message: str, bounds: str = "", **options) -> DataValidation:
    error = t(message, language, bounds=bounds, suffix=f", {bounds}" if bounds else "")
    return DataValidation(type=kind, allow_blank=True, showErrorMessage=True, errorStyle="stop",
                          errorTitle=t("template.error_title", language), error=error, **options)


def _range_text(low, high, low_strict: bool, high_strict: bool, language: str) -> str:
    if low is not None and high is not None and not (low_strict or high_strict):
        return t("template.range", language, low=_shown(low), high=_shown(high))
    parts = []
    if low is not None:
        parts.append(t("template.above" if low_strict else "template.at_least", language, low=_shown(low)))
    if high is not None:
        parts.append(t("template.below" if high_strict else "template.at_most", language, high=_shown(high)))
    return ", ".join(parts)


def _shown(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _number(value) -> str:
    return f"{float(value):.15g}"


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _date_formula(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def field_hint(field: Field, language: str) -> list[str]:
    """What a person entering data needs to know about a field, one sentence each."""
    lines = []
    if field.description.get(language):
        lines.append(field.description[language])
    lines.append(t("template.hint_type", language, type=t(f"template.type.{field.type}", language)))
    if field.required:
        lines.append(t("template.hint_required", language))
    if field.type == "list":
        lines.append(t("template.hint_list", language, delimiter=field.delimiter))
    if field.is_categorical:
        lines.append(t("template.hint_values", language, values=values_text(field, language)))
    bounds = limits_text(field, language)
    if bounds:
        lines.append(t("template.hint_limits", language, limits=bounds))
    if field.pattern:
        lines.append(t("template.hint_pattern", language, pattern=field.pattern))
    return lines


def values_text(field: Field, language: str) -> str:
    return "; ".join(field.label_of(v, language) for v in field.allowed_values or ())


def limits_text(field: Field, language: str) -> str:
    if field.type in ("integer", "number", "year", "date", "datetime"):
        low, high, low_strict, high_strict = limits(field)
        return _range_text(low, high, low_strict, high_strict, language)
    if field.min_length is not None or field.max_length is not None:
        return t("template.length", language,
                 range=_range_text(field.min_length, field.max_length, False, False, language))
    return ""


def _comment(field: Field, language: str) -> Comment:
    comment = Comment("\n".join(field_hint(field, language)), "isu-engine")
    comment.width, comment.height = 320, 160
    return comment


def _codebook_sheet(sheet: Worksheet, model: Model, headings: dict[str, str], language: str, local: dict) -> None:
    columns = ("heading", "name", "title", "type", "required", "values", "limits", "description")
    widths = (24, 22, 28, 14, 12, 48, 22, 60)
    for position, (key, width) in enumerate(zip(columns, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=position, value=t(f"template.column.{key}", language))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(position)].width = width
    for row, field in enumerate(model.fields.values(), start=2):
        choices = dropdown_values(field, language, local.get(field.name, {}))
        values = "; ".join(choices) if choices else values_text(field, language)
        cells = (headings[field.name], field.name, field.title(language), t(f"template.type.{field.type}", language),
                 t("template.yes" if field.required else "template.no", language), values,
                 limits_text(field, language), field.description.get(language, ""))
        for position, value in enumerate(cells, start=1):
            sheet.cell(row=row, column=position, value=value).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _about_sheet(sheet: Worksheet, model: Model, language: str, dataset_name: str, file_name: str) -> None:
    sheet.column_dimensions["A"].width = 100
    title = sheet.cell(row=1, column=1, value=t("template.about_title", language, model=model.title(language)))
    title.font = Font(bold=True, size=14)
    rows = t("template.rows_long" if model.format == "long" else "template.rows_wide", language)
    lines = t("template.about_text", language, data=t("template.sheet_data", language), rows=rows,
              codebook=t("template.sheet_codebook", language)).strip().splitlines()
    snippet = ["", t("template.about_config", language), "datasets:", f"  {dataset_name}:",
               f"    model: {model.name}", f"    source: {file_name}"]
    for row, line in enumerate([*lines, *snippet], start=3):
        cell = sheet.cell(row=row, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if line.startswith(("datasets:", "  ")):
            cell.font = Font(name="Courier New")
