"""Read, map, coerce and validate one dataset of a config: valid rows and quarantine.

`rows_in == rows_valid + rows_quarantined` always holds: every non-empty row read
is either valid or quarantined with its source row number and the reasons.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from isu_engine.check import coerce
from isu_engine.configure.config import Config, DatasetConfig
from isu_engine.errors import UserError, line_place, row_place
from isu_engine.protect.identifiers import (PSEUDONYM_PATTERN, load_key, mask_personal_numbers, personal_number_mask,
                                           pseudonymize)
from isu_engine.i18n import Message, t
from isu_engine.protect.number_shape import may_hold_one
from isu_engine.read.headings import HeadingMatcher
from isu_engine.read.mapping import map_columns, recode_fields
from isu_engine.configure.config import DATASET_KEYS
from isu_engine.configure.model import SCALE_SETTINGS, Field, Model, Scale, scale_settings
from isu_engine.configure.plugins import Registry, call_declared
from isu_engine.read.readers import AMBIGUOUS, RawTable, column_decimal, read_table
from isu_engine.configure.schema import Document
from isu_engine.configure.yamlio import line_of
from isu_engine.check.validate import IssueLog, check_rules, coerce_and_check, complete_totals

ROW = "_row"
FILE = "_file"
MAX_QUARANTINE_CHARS = 1000  # a longer cell is cut in the quarantine file (the source row keeps it all)


@dataclass
class Dataset:
    """A validated dataset: typed valid rows, quarantined rows and the issues found."""

    name: str
    title: str
    model: Model
    config: DatasetConfig
    frame: pd.DataFrame
    quarantine: pd.DataFrame
    issues: pd.DataFrame
    rows_in: int
    rows_skipped: int
    files: dict[str, str] = field(default_factory=dict)
    absent_fields: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    identifier_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader chose or passed over, one line each

    @property
    def rows_quarantined(self) -> int:
        return len(self.quarantine)

    @property
    def rows_valid(self) -> int:
        return len(self.frame)


def dataset_model(registry: Registry, config: Config, dataset: DatasetConfig) -> Model:
    """The dataset's model with the unit's own variables and parameter/scale overrides."""
    try:
        model = registry.model(dataset.model)
        entry = registry.models[dataset.model]
    except UserError as error:
        if error.key != "plugins.unknown_model":
            raise
        raise UserError(error.key, file=config.doc.file, place=line_place(line_of(dataset.raw, "model")),
                        **error.params) from None
    clash = [f.name for f in dataset.fields if f.name in model.fields]
    if clash:
        raise config.doc.error("dataset.own_field_clash", dataset.raw, "fields", name=clash[0], model=model.name)
    model = model.with_own_fields(dataset.fields)
    scales = {}
    for name, override in dataset.scales.items():
        if name not in model.scales:
            raise config.doc.error("model.unknown_scale", dataset.scales, name, name=name, model=model.name)
        base = model.scales[name]
        scales[name] = _override_scale(base, override, config.doc, dataset.scales, name, model)
    for heading, target in dataset.columns.items():
        if target not in model.fields:
            raise config.doc.error("dataset.unknown_column_target", dataset.raw.get("columns"), heading,
                                   heading=heading, name=target, model=model.name)
    for field_name in dataset.values:
        if field_name not in model.fields:
            raise config.doc.error("model.unknown_field", dataset.raw.get("values"), field_name,
                                   name=field_name, where=f"datasets.{dataset.name}.values")
    model = model.with_own_fields([_with_categories(model, config, dataset, name, categories)
                                   for name, categories in dataset.categories.items()])
    model = model.with_overrides(scales, dataset.parameters)
    return model.with_settings(_model_settings(dataset, config, model, entry.dataset_keys))


def _with_categories(model: Model, config: Config, dataset: DatasetConfig, name: str, categories) -> Field:
    """A model field that declares no categories, with the unit's own (config key `categories:`)."""
    base = model.fields.get(name)
    where = dataset.raw.get("categories")
    if base is None:
        raise config.doc.error("model.unknown_field", where, name, name=name,
                               where=f"datasets.{dataset.name}.categories")
    if base.categories or base.type not in ("string", "list"):
        raise config.doc.error("dataset.categories_not_allowed", where, name, name=name, model=model.name)
    return dataclasses.replace(base, categories=categories)


def _model_settings(dataset: DatasetConfig, config: Config, model: Model, parsers: dict) -> dict:
    """The dataset's keys that its model declares (LOKE's `idea:`), each checked by the model's own parser.

    A key that neither the engine nor the model knows is an error naming the file and line.
    """
    config.doc.known_keys(dataset.raw, [*DATASET_KEYS, *parsers], f"datasets.{dataset.name}")
    return {key: call_declared(parsers[key], value=value, model=model, document=config.doc, container=dataset.raw,
                               key=key, where=f"datasets.{dataset.name}.{key}", language=config.language)
            for key, value in dataset.model_keys.items()}


def _override_scale(base: Scale, override: Any, doc: Document, container: dict, name: str, model: Model) -> Scale:
    """The scale with a config's overrides, checked by the same parser as the model's own scale keys.

    `null` removes a setting (reliability, reliable_change, sd_ref, cutoff).
    """
    where = f"scales.{name}"
    override = doc.mapping(override, where, container, name)
    doc.known_keys(override, SCALE_SETTINGS, where)
    removed: dict[str, Any] = {key: None for key, value in override.items() if value is None and key != "direction"}
    return dataclasses.replace(base, **removed, **scale_settings(override, doc, where, model.fields))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_dataset(config: Config, dataset: DatasetConfig, registry: Registry) -> Dataset:
    """Read every source file of `dataset`, validate all rows, split valid from quarantined."""
    language = config.language
    model = dataset_model(registry, config, dataset)
    tables: list[RawTable] = []
    files: dict[str, str] = {}
    headings = HeadingMatcher(model, dataset.columns)
    for path in dataset.sources:
        shown = config.display(path)
        if not path.exists():
            raise UserError("config.missing_source", file=config.doc.file,
                            place=line_place(line_of(dataset.raw, "source")), path=shown)
        tables.append(read_table(path, dataset.read, shown, score_headings=headings.row_score))
        files[shown] = file_sha256(path)
    pieces_raw: list[pd.DataFrame] = []
    ignored: list[str] = []
    unmapped_positions: list[list[tuple[int, str]]] = []
    used_columns: list[dict[int, str]] = []
    present_fields: set[str] = set()
    table: RawTable | None = None  # (the last one stays bound after the loop; it is let go with the cells below)
    for table in tables:
        header_row = table.header_row
        follows = len(table.frame) > 0 and table.row_numbers[0] == header_row + 1
        columns = map_columns(table.headings, model, dataset.columns, table.file, row_place(header_row),
                              next_row=table.frame.iloc[0].tolist() if follows else None,
                              next_place=row_place(header_row + 1))
        present_fields.update(columns.positions)
        used_columns.append({position: field_name for field_name, position in columns.positions.items()})
        ignored.extend(h for _, h in columns.unmapped if h)
        unmapped_positions.append(columns.unmapped)
        cells: dict[str, Any] = dict.fromkeys(model.fields, "")  # a field without a column: empty cells
        cells.update({field_name: table.frame[position] for field_name, position in columns.positions.items()})
        cells[ROW] = table.row_numbers
        cells[FILE] = pd.Categorical.from_codes(np.zeros(len(table.frame), dtype=np.int8), pd.Index([table.file]))
        # the file's cells are shared, not copied, until they change (a lower peak of memory)
        pieces_raw.append(pd.DataFrame(cells, index=pd.RangeIndex(len(table.frame)), copy=False))
    raw = pd.concat(pieces_raw, ignore_index=True) if pieces_raw else pd.DataFrame(columns=[*model.fields, ROW, FILE])
    rows = raw[ROW].astype("int64")
    log = IssueLog(rows, language)
    _structural_issues(tables, used_columns, raw, log)
    cells = {name: raw[name] for name in model.fields}  # each field's cells as read, and below as text
    text = dict(zip(model.fields, coerce.as_texts(list(cells.values())), strict=True))
    pseudonymized = _pseudonymize(config, dataset, model, text)
    _personal_number_issues(text, model, pseudonymized, log, language)
    text.update(recode_fields(text, model, dataset.values))  # (each field is read before it is replaced)
    decimal = tables[0].decimal if tables else "auto"
    typed = coerce_and_check(text, cells, raw.index, model, decimal, dataset.missing_values, log, language,
                             _field_decimals(tables, used_columns, model, dataset.read.decimal))
    complete_totals(typed, text, model, log, language)
    check_rules(typed, text, model, registry.rule_kinds, log, language)
    issues = log.frame()
    bad = np.unique(issues["position"].to_numpy(dtype=np.int64))
    if len(issues):
        issues["value"] = mask_personal_numbers(issues["value"].astype(object).fillna(""))
        issues["message"] = mask_personal_numbers(issues["message"].astype(object).fillna(""))
    quarantine = _quarantine_frame(text, raw, bad, issues)
    issues = _issue_table(issues, raw, dataset.name)
    rows_in, rows_skipped = len(raw), sum(table.rows_skipped for table in tables)
    identifier_columns = _masked(_identifier_columns(tables, unmapped_positions))
    notes = [*(t("validate.lock_file_skipped", language, file=_masked([config.display(path)])[0])
               for path in dataset.skipped_sources),
             *(layout_note(table, language) for table in tables if table.found),
             *(_masked([note.text(language)])[0] for table in tables for note in table.notes)]
    typed_columns = {**{str(name): column for name, column in typed.items()}, ROW: rows, FILE: raw[FILE]}
    # the cells as read and as text are let go before the valid rows are copied (a lower peak of memory:
    # the text of the number and date columns is no longer needed)
    keep = np.ones(rows_in, dtype=bool)
    keep[bad] = False
    del raw, cells, text, tables, table, pieces_raw, typed
    valid = _rows_kept(typed_columns, keep)
    return Dataset(
        name=dataset.name, title=dataset.title, model=model, config=dataset, frame=valid,
        quarantine=quarantine, issues=issues,
        rows_in=rows_in, rows_skipped=rows_skipped, files=files,
        absent_fields=[name for name in model.fields if name not in present_fields],
        ignored_columns=_masked(list(dict.fromkeys(ignored))),
        identifier_columns=identifier_columns,
        notes=notes,
    )


def layout_note(table: RawTable, language: str) -> str:
    """Where the reader found the table: "read the sheet Data, headings on row 4" (file and sheet names masked)."""
    file, sheet = _masked([table.file, table.sheet or ""])
    if table.sheet is None:
        return t("validate.layout_rows", language, file=file, row=table.header_row)
    return t("validate.layout_sheet", language, file=file, sheet=sheet, row=table.header_row)


def _rows_kept(columns: dict[str, pd.Series], keep: np.ndarray) -> pd.DataFrame:
    """The kept rows, column by column, each of `columns` let go once copied (a lower peak of memory); the
    columns as they are when every row is kept."""
    every = keep.all()
    kept = {name: array if every else array[keep] for name in list(columns) for array in [columns.pop(name).array]}
    return pd.DataFrame(kept, copy=False)


def _pseudonymize(config: Config, dataset: DatasetConfig, model: Model, text: dict[str, pd.Series]) -> list[str]:
    """Replace the configured identifier fields by keyed pseudonyms before anything else reads them."""
    names = [n for n in config.pseudonymize.columns if n in model.fields]
    wanted = set(config.pseudonymize.columns)
    names += [n for n, c in dataset.columns.items() if n in wanted and c in model.fields and c not in names]
    names = [dataset.columns.get(n, n) for n in names]
    if not names:
        return []
    key = load_key(config.pseudonymize.key_env, config.pseudonymize.key_file,
                   sorted({path.parent for path in dataset.sources}))
    for name in dict.fromkeys(names):
        text[name] = pseudonymize(text[name], key).astype(coerce.TEXT)
    return list(dict.fromkeys(names))


def _masked(headings: list[str]) -> list[str]:
    """Column headings with any personal identity number in them masked (they are printed; most have none of
    its shape and need no pandas)."""
    if not any(may_hold_one(heading) for heading in headings):
        return list(headings)
    return mask_personal_numbers(pd.Series(headings, dtype=object)).tolist()


def _personal_number_issues(text: dict[str, pd.Series], model: Model, skip: list[str], log: IssueLog,
                            language: str) -> None:
    """A personal identity number in any field, as written, quarantines its row: it must never reach a report.

    The fields are scanned together, as one long column (see coerce.batches).
    """
    names = [name for name in model.fields if name not in skip]
    found = coerce.on_columns([text[name] for name in names],
                              lambda cells: np.asarray(personal_number_mask(coerce.text_series(cells)), dtype=bool))
    for name, hits in zip(names, found, strict=True):
        if hits.any():
            _log_personal_numbers(text[name], name, hits, model.fields[name].title(language), log)


def _log_personal_numbers(column: pd.Series, name: str, found: np.ndarray, label: str, log: IssueLog) -> None:
    """Log the cells of `column` where `found`, but a keyed pseudonym (stored rows read again) that holds ten
    digits by chance: it is never a personal number."""
    hits = np.flatnonzero(found)
    pseudonym = column.iloc[hits].str.fullmatch(PSEUDONYM_PATTERN).fillna(False).to_numpy(dtype=bool)
    found = found.copy()
    found[hits[pseudonym]] = False
    if found.any():
        log.add(found, name, "personal_number", mask_personal_numbers(column[found]),
                "issue.personal_number", field=label)


def _identifier_columns(tables: list[RawTable], unmapped: list[list[tuple[int, str]]]) -> list[str]:
    """Unused columns that hold personal identity numbers (they are dropped; the summary warns)."""
    found: list[str] = []
    for table, columns in zip(tables, unmapped, strict=True):
        for chosen in coerce.batches(columns, len(table.frame)):
            cells = coerce.as_text(coerce.joined_cells([table.frame[position] for position, _ in chosen]))
            hits = coerce.by_column(np.asarray(personal_number_mask(cells), dtype=bool), len(chosen))
            found.extend(chosen[i][1] or str(chosen[i][0] + 1) for i in np.flatnonzero(hits.any(axis=1)))
    return list(dict.fromkeys(found))


def _field_decimals(tables: list[RawTable], used: list[dict[int, str]], model: Model,
                    decimal: str) -> dict[str, str]:
    """The decimal mark of each number field whose column shows one (the first file that does decides).

    A number field whose numbers all read both ways ("1.250": 1.25 or 1250) stops the run,
    unless the field says its `decimalChar` or `groupChar` (or the config its `read.decimal`).
    """
    if decimal != "auto":
        return {}
    marks: dict[str, str] = {}
    for table, fields in zip(tables, used, strict=True):
        for position, field_name in fields.items():
            spec = model.fields[field_name]
            if spec.type not in ("number", "integer") or spec.decimal_char or spec.group_char:
                continue
            mark = column_decimal(table.frame[position])
            if mark == AMBIGUOUS and spec.type == "number":
                raise UserError("read.ambiguous_decimal", file=table.file, column=table.headings[position],
                                field=field_name, example=_example_of_both(table.frame[position]))
            if mark in (",", ".") and field_name not in marks:
                marks[field_name] = mark
    return marks


def _example_of_both(cells: pd.Series) -> str:
    """One number of the column that reads both ways (shown in the error; numbers only, never text)."""
    text = coerce.as_text(cells)
    found = text[text.str.fullmatch(r"[+-]?[1-9]\d{0,2}[.,]\d{3}").fillna(False).astype(bool)]
    return str(found.iloc[0]) if len(found) else ""


def _structural_issues(tables: list[RawTable], used: list[dict[int, str]], raw: pd.DataFrame, log: IssueLog) -> None:
    """Problems the reader found in a row (too many fields, an unclosed quotation mark, an error value in a
    used column).

    An error value's cell is emptied in `raw`, so that it is told once, as what it is.
    """
    offset = 0
    for table, fields in zip(tables, used, strict=True):
        if len(table.row_problems):  # (most files have none)
            _log_problems(table, fields, offset, raw, log)
        offset += len(table.frame)


def _log_problems(table: RawTable, fields: dict[int, str], offset: int, raw: pd.DataFrame, log: IssueLog) -> None:
    """Log the problems of one file (its rows from `offset` on in `raw`), those of a row or of a used column."""
    problems = table.row_problems
    problems = problems[(problems["column"] < 0) | problems["column"].isin(list(fields))]
    for (check, column), group in problems.groupby(["check", "column"], sort=True) if len(problems) else ():
        positions = pd.Index(np.searchsorted(table.row_numbers, group["row"].to_numpy()) + offset)
        mask = pd.Series(False, index=raw.index)
        mask[positions] = True
        detail = pd.Series("", index=raw.index, dtype=object)
        detail.loc[positions] = np.asarray([d.text(log.language) if isinstance(d, Message) else str(d)
                                            for d in group["detail"]], dtype=object)
        field_name = fields.get(cast(int, column), "")  # a position (pandas types group keys as Hashable)
        log.add(mask, field_name, str(check), detail, f"issue.{check}", detail=detail)
        if field_name:  # the error value is no data: the cell reads as empty, and only this issue is told
            raw.loc[positions, field_name] = ""


def _quarantine_frame(text: dict[str, pd.Series], raw: pd.DataFrame, bad: np.ndarray,
                      issues: pd.DataFrame) -> pd.DataFrame:
    """The rows at positions `bad` with their file, row and reasons, and their cells as text (personal identity
    numbers masked, long cells cut)."""
    reasons = issues.groupby("position")["message"].agg(" | ".join) if len(issues) else pd.Series(dtype=object)
    frame = pd.DataFrame({"file": raw[FILE].array.take(bad), "row": raw[ROW].to_numpy(dtype=np.int64)[bad],
                          "reason": reasons.reindex(bad).fillna("").reset_index(drop=True)})
    cells = pd.DataFrame(text, index=raw.index, copy=False)
    if len(bad):  # every cell at once, row by row
        masked = mask_personal_numbers(pd.Series(cells.iloc[bad].to_numpy(dtype=object).ravel(), dtype=object))
        cut = masked.str.slice(0, MAX_QUARANTINE_CHARS).to_numpy(dtype=object)
        cells = pd.DataFrame(cut.reshape(len(bad), cells.shape[1]), columns=cells.columns, dtype=object)
    else:
        cells = cells.iloc[:0]  # (the columns as they are, without rows)
    return pd.concat([frame, cells], axis=1)


def _issue_table(issues: pd.DataFrame, raw: pd.DataFrame, dataset: str) -> pd.DataFrame:
    positions = issues["position"].to_numpy(dtype=np.int64)
    table = pd.DataFrame({
        "dataset": dataset,
        "file": raw[FILE].iloc[positions].to_numpy(),  # (a whole categorical column as objects would be 8 bytes a row)
        "row": raw[ROW].to_numpy()[positions].astype("int64"),
        "field": issues["field"].to_numpy(),
        "check": issues["check"].to_numpy(),
        "value": issues["value"].to_numpy(),
        "message": issues["message"].to_numpy(),
    })
    if len(table) < 2:
        return table  # (in order already)
    return table.sort_values(["file", "row", "field"], kind="stable").reset_index(drop=True)


def issues_summary(dataset: Dataset) -> list[dict]:
    """Issues counted by field and check: the rows affected by each."""
    if dataset.issues.empty:
        return []
    counted = dataset.issues.groupby(["field", "check"], sort=True)["row"].nunique().reset_index(name="rows")
    counted = counted.sort_values(["rows", "field", "check"], ascending=[False, True, True], kind="stable")
    return [{"field": field_name, "check": check, "rows": int(rows)}
            for field_name, check, rows in zip(counted["field"], counted["check"], counted["rows"], strict=True)]
