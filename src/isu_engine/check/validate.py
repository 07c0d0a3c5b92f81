"""Coerce and validate a mapped table on whole columns; every failing cell becomes an issue.

An issue records the table position, the field, the check that failed, the value
as the person wrote it and a message in the report language. A row with any issue
is quarantined by the caller.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import numpy as np
import pandas as pd

from isu_engine import numerals
from isu_engine.check import coerce
from isu_engine.errors import UserError, line_place
from isu_engine.check.messages_vec import fill
from isu_engine.configure.model import Field, Model
from isu_engine.check.rules import Failure, RuleKind
from isu_engine.configure.schema import display_path

ISSUE_COLUMNS = ["position", "field", "check", "value", "message"]
MAX_VALUE_CHARS = 80
NUMBER_WITH_UNIT = r"[+-]?\d[\d\s.,]*[^\d\s.,+-][^\d]*"  # "5 st", "12 kr", "50 %": a number and a unit


class IssueLog:
    """Issues gathered check by check, as column pieces joined at the end."""

    def __init__(self, rows: pd.Series, language: str):
        self.rows = rows
        self.language = language
        self.pieces: dict[str, list[np.ndarray]] = {name: [] for name in ISSUE_COLUMNS}

    def add(self, mask: pd.Series | np.ndarray, field_name: str, check: str, values: pd.Series, message_key: str,
            **params) -> None:
        """The cells where `mask` is True fail `check`; an array mask is on the rows of the table."""
        failing = mask.to_numpy(dtype=bool, na_value=False) if isinstance(mask, pd.Series) else mask
        if not failing.any():
            return
        index = (mask.index if isinstance(mask, pd.Series) else self.rows.index)[failing]
        scoped = {k: (_texts(v.loc[index]) if isinstance(v, pd.Series) else v) for k, v in params.items()}
        value_text = _texts(values.loc[index].astype(str).str.slice(0, MAX_VALUE_CHARS))
        message = fill(message_key, len(index), self.language, row=_texts(self.rows.loc[index]), value=value_text,
                       **scoped)
        pieces = (index.to_numpy(), np.full(len(index), field_name, dtype=object),
                  np.full(len(index), check, dtype=object), value_text, message)
        for name, piece in zip(ISSUE_COLUMNS, pieces, strict=True):
            self.pieces[name].append(piece)

    def frame(self) -> pd.DataFrame:
        """The issues (columns position, field, check, value, message) in the order they were found."""
        return pd.DataFrame({name: np.concatenate(pieces) if pieces else np.array([], dtype=object)
                             for name, pieces in self.pieces.items()})


def _texts(values: pd.Series) -> np.ndarray:
    """A Series as an array of texts (objects), NaN where missing."""
    return values.astype(str).to_numpy(dtype=object)


def coerce_and_check(text: dict[str, pd.Series], raw: dict[str, pd.Series], index: pd.Index, model: Model,
                     decimal: str, missing_values: tuple[str, ...], log: IssueLog, language: str,
                     field_decimals: dict[str, str] | None = None) -> pd.DataFrame:
    """Typed columns for every field (a frame on `index`) from its cells as read (`raw`) and as text, with type
    and constraint issues logged.

    `field_decimals` gives a field's decimal mark where its column showed one; `decimal` is for the others.
    The fields are coerced in batches (see coerce.batches), the missing cells of a batch found together.
    """
    field_decimals = field_decimals or {}
    typed = {}
    for fields in coerce.batches(list(model.fields.values()), len(index)):
        present = _present(fields, text, model, missing_values)
        for field in fields:
            column_text = text[field.name]
            typed[field.name] = _coerce_field(field, raw[field.name], column_text, present[field.name],
                                              field_decimals.get(field.name, decimal), log, language)
            if field.required:
                log.add(~present[field.name], field.name, "required", column_text, "issue.required",
                        field=field.title(language))
    for field in model.fields.values():
        _check_constraints(field, typed[field.name], text[field.name], log, language)
    return pd.DataFrame(typed, index=index, copy=False)  # the typed columns as they are (no second copy)


def _present(fields: list[Field], texts: dict[str, pd.Series], model: Model,
             missing_values: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Which cells of each of `fields` hold a value: neither empty nor one of the field's missing values (the
    fields with the same missing values are looked at together)."""
    fields_by_missing: dict[tuple[str, ...], list[str]] = {}
    for field in fields:
        field_missing = field.missing_values if field.missing_values is not None else model.missing_values
        fields_by_missing.setdefault(tuple(field_missing) + missing_values, []).append(field.name)
    present: dict[str, np.ndarray] = {}
    for missing, names in fields_by_missing.items():
        found = coerce.on_columns([texts[name] for name in names], partial(coerce.missing_mask, missing=missing))
        present.update((name, ~cells) for name, cells in zip(names, found, strict=True))
    return present


def _coerce_field(field: Field, raw: pd.Series, text: pd.Series, present: np.ndarray, decimal: str,
                  log: IssueLog, language: str) -> pd.Series:
    label = field.title(language)
    if field.type in ("integer", "number", "year"):
        values, bad = coerce.coerce_number(raw, text, present, field, decimal)
        if bad.any():
            with_unit = bad.copy()
            with_unit[bad] = text[bad].str.fullmatch(NUMBER_WITH_UNIT).to_numpy(dtype=bool, na_value=False)
            log.add(with_unit, field.name, "type", text, "issue.type_unit", field=label)
            log.add(bad & ~with_unit, field.name, "type", text,
                    f"issue.type_{'number' if field.type == 'number' else 'integer'}", field=label)
        return values
    if field.type in ("date", "datetime"):
        values, bad = coerce.coerce_date(raw, text, present, field)
        log.add(bad, field.name, "type", text, "issue.type_date", field=label)
        return values
    if field.type == "boolean":
        values, bad = coerce.coerce_boolean(text, present, field)
        log.add(bad, field.name, "type", text, "issue.type_boolean", field=label)
        return values
    if field.type == "list":
        return coerce.coerce_list(text, present, field)
    strings = text.astype(coerce.STRINGS)
    return strings if present.all() else strings.where(present)


def _bound(field: Field, value):
    if value is None:
        return None
    if field.type in ("date", "datetime"):
        return pd.Timestamp(value if not isinstance(value, dt.date) else value.isoformat())
    return value


def _check_constraints(field: Field, values: pd.Series, text: pd.Series, log: IssueLog, language: str) -> None:
    label = field.title(language)
    present = ~values.array.isna()
    comparisons = (
        ("minimum", field.minimum, lambda v, b: v < b),
        ("maximum", field.maximum, lambda v, b: v > b),
        ("exclusiveMinimum", field.exclusive_minimum, lambda v, b: v <= b),
        ("exclusiveMaximum", field.exclusive_maximum, lambda v, b: v >= b),
    )
    if field.type in ("integer", "number", "year", "date", "datetime"):
        comparable = _floats(values) if field.type in ("integer", "year") else values.to_numpy()
        for check, bound, broken in comparisons:
            bound = _bound(field, bound)
            if bound is None:
                continue
            mask = present & broken(comparable, bound.to_datetime64() if isinstance(bound, pd.Timestamp) else bound)
            shown = bound.date().isoformat() if isinstance(bound, pd.Timestamp) else _number_text(bound, language)
            log.add(mask, field.name, check, text, f"issue.{check}", field=label, bound=shown)
    if field.decimals is not None:
        scaled = _floats(values) * 10**field.decimals
        too_precise = present & (np.abs(scaled - np.round(scaled)) > 1e-6)
        log.add(too_precise, field.name, "decimals", text, "issue.decimals", field=label, bound=field.decimals)
    if field.type == "string" and (field.min_length is not None or field.max_length is not None):
        lengths = _floats(text.str.len())
        if field.min_length is not None:
            log.add(present & (lengths < field.min_length), field.name, "minLength", text, "issue.minLength",
                    field=label, bound=field.min_length)
        if field.max_length is not None:
            log.add(present & (lengths > field.max_length), field.name, "maxLength", text, "issue.maxLength",
                    field=label, bound=field.max_length)
    if field.type == "string" and field.pattern is not None:
        matches = text.str.fullmatch(field.pattern).to_numpy(dtype=bool, na_value=False)
        log.add(present & ~matches, field.name, "pattern", text, "issue.pattern", field=label)
    allowed = field.allowed_values
    if allowed is not None:
        _check_allowed(field, values, present, text, allowed, log, language)
    if field.unique:
        duplicated = pd.Series(pd.factorize(values)[0]).duplicated(keep=False).to_numpy() & present
        log.add(duplicated, field.name, "unique", text, "issue.unique", field=label)


def _check_allowed(field: Field, values: pd.Series, present: np.ndarray, text: pd.Series, allowed: tuple,
                   log: IssueLog, language: str) -> None:
    label = field.title(language)
    labels = ", ".join(str(v) for v in allowed)
    check = "categories" if field.categories else "enum"
    if field.type == "list":
        items = coerce.explode_list(values, field.delimiter)
        bad_items = items[~items.isin([str(v) for v in allowed])]
        mask = pd.Series(False, index=values.index)
        mask[bad_items.index.unique()] = True
        log.add(mask, field.name, check, text, "issue.category", field=label, allowed=labels)
        return
    comparable = values
    if field.type in ("integer", "number", "year"):
        allowed = tuple(float(v) for v in allowed)
        comparable = values.astype(float)
    else:
        allowed = tuple(str(v) for v in allowed)
    inside = comparable.isin(allowed).to_numpy(dtype=bool, na_value=False)
    log.add(present & ~inside, field.name, check, text, "issue.category", field=label, allowed=labels)


def _shown_numbers(value, mask: pd.Series, language: str):
    """A rule's message parameter with numbers written as the report language writes them (3,5 in Swedish)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(float(value), language)
    if isinstance(value, pd.Series) and pd.api.types.is_float_dtype(value.dtype):
        failing = value[mask.fillna(False).astype(bool)]
        return failing.map(lambda number: _number_text(number, language))
    return value


def _number_text(value, language: str) -> str:
    return numerals.number(value, language) if isinstance(value, float) else str(value)


def complete_totals(frame: pd.DataFrame, text: dict[str, pd.Series], model: Model, log: IssueLog,
                    language: str) -> None:
    """Fill a scale total from its items where it is missing; check it against the items where given."""
    for scale in model.scales.values():
        if not scale.items or scale.total is None:
            continue
        items = np.vstack([_floats(frame[name]) for name in scale.items])  # an item a row: summed in order
        complete = ~np.isnan(items).any(axis=0)
        item_sum = pd.Series(np.round(items.sum(axis=0), 6), index=frame.index)
        total = _floats(frame[scale.total])
        mismatch = complete & (np.abs(item_sum.to_numpy() - total) > scale.total_tolerance + 1e-9)
        if mismatch.any():
            expected = item_sum[mismatch].map(lambda v: _number_text(round(v, 1), language))
            log.add(mismatch, scale.total, "total", text[scale.total], "issue.total",
                    field=model.fields[scale.total].title(language), expected=expected,
                    tolerance=_number_text(scale.total_tolerance, language))
        fill_in = complete & np.isnan(total)
        if fill_in.any():
            frame.loc[fill_in, scale.total] = item_sum[fill_in].round(1)


def _floats(values: pd.Series) -> np.ndarray:
    """A column's numbers as floats, NaN where missing."""
    return values.to_numpy(dtype="float64", na_value=np.nan)


def check_rules(frame: pd.DataFrame, text: dict[str, pd.Series], model: Model, rule_kinds: dict[str, RuleKind],
                log: IssueLog, language: str) -> None:
    """Evaluate the model's declarative rules and log their failures.

    A rule that cannot be evaluated on this data (say, comparing a date with a number)
    is a UserError naming the model file, the rule and its line.
    """
    for rule in model.rules:
        try:
            failures: list[Failure] = rule_kinds[rule.type].evaluate(frame, rule)
        except Exception as error:
            shown = display_path(model.path) if model.path else model.name
            raise UserError("rule.evaluation_failed", file=shown, place=line_place(rule.line), rule=rule.id,
                            kind=rule.type, problem=f"{type(error).__name__}: {error}") from None
        for failure in failures:
            label = model.fields[failure.field].title(language) if failure.field in model.fields else failure.field
            key = failure.message_key
            params = {name: _shown_numbers(value, failure.mask, language) for name, value in failure.params.items()}
            if rule.messages:
                key = "rule.custom"
                params = {"text": rule.messages.get(language) or rule.messages.get("sv")}
            written = text[failure.field] if failure.field in text else pd.Series("", index=frame.index)
            log.add(failure.mask, failure.field, rule.id, written, key, field=label, **params)
