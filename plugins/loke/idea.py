"""The unit's idea (verksamhetsidé) as criteria, and which cases meet them.

A target-group or intervention criterion names a field (or `duration_days`, the days from
start to end of an ended case). For numbers and dates it is a range [min, max], inclusive,
where a bound may be null (no limit); for other fields it is a list of accepted values (one
value alone is a list of one), and a case with several values (problem areas) meets it when
at least one of them is accepted. A case missing the field is neither inside nor outside
(NA). A result criterion names a figure and the level the figure should reach at least; it is
judged on the figure's interval (`ResultCriterion.verdict`).

Names, values and levels are checked against the model: every mistake is a UserError that
names the config file and line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from isu_engine.api import Document, Field, Model, flags_distinct, format_number, list_items, t, yes_no

from .cases import DURATION

CASE_BLOCKS = ("target_group", "intervention")
NUMBER_TYPES = ("integer", "number", "year")
DATE_TYPES = ("date", "datetime")
RANGE = "range"
VALUES = "values"
TOLERANCE = 1e-9

Translate = Callable[..., str]


@dataclass(frozen=True)
class Criterion:
    """One criterion on one field: a range, or accepted values (any of several for a list field)."""

    field: str
    title: str
    kind: str
    low: Any = None
    high: Any = None
    accepted: tuple = ()
    shown: tuple[str, ...] = ()
    delimiter: str | None = None

    def meets(self, frame: pd.DataFrame) -> pd.Series:
        """Per case: True when met, False when not, NA when the field is missing."""
        values = frame[self.field]
        if self.kind == RANGE:
            return _in_range(values, self.low, self.high)
        if self.delimiter is not None:
            return _any_accepted(values, self.accepted, self.delimiter)
        return _accepted(values, self.accepted)

    def describe(self, t: Translate, language: str) -> str:
        """The criterion in words, e.g. "Ålder 0–12" or "Problemområden: föräldraskap eller relationer"."""
        if self.kind == VALUES:
            return t("loke.idea.one_of", field=self.title, values=_or_list(self.shown, t))
        low, high = (_bound_text(v, language) for v in (self.low, self.high))
        if low is not None and high is not None:
            return t("loke.idea.range", field=self.title, low=low, high=high)
        if low is not None:
            return t("loke.idea.at_least", field=self.title, low=low)
        return t("loke.idea.at_most", field=self.title, high=high)


MET, NOT_MET, CANNOT_TELL, NOT_ASSESSABLE = "met", "not_met", "cannot_tell", "not_assessable"


@dataclass(frozen=True)
class ResultCriterion:
    """An intended result: a figure and the level it should reach at least."""

    figure: str
    level: float

    def verdict(self, value: float | None, low: float | None = None, high: float | None = None) -> str:
        """Judged on the figure's 95 % interval: met when its lower bound reaches the level, not met when
        its upper bound is below it, cannot tell otherwise. A figure without an interval (a count of the
        unit's own cases) is judged on its value; without a value it cannot be assessed."""
        if value is None:
            return NOT_ASSESSABLE
        level = self.level - TOLERANCE
        if low is None or high is None:
            return MET if value >= level else NOT_MET
        if low >= level:
            return MET
        return NOT_MET if high < level else CANNOT_TELL


@dataclass(frozen=True)
class Idea:
    """The intended target group, interventions and results."""

    target_group: tuple[Criterion, ...] = ()
    intervention: tuple[Criterion, ...] = ()
    result: tuple[ResultCriterion, ...] = ()

    def criteria(self, block: str) -> tuple[Criterion, ...]:
        return getattr(self, block)

    @property
    def empty(self) -> bool:
        return not (self.target_group or self.intervention or self.result)


def block_flags(criteria: Iterable[Criterion], frame: pd.DataFrame) -> tuple[list[pd.Series], pd.Series]:
    """Each criterion's flags, and whether a case meets every one (NA when any needed field is missing)."""
    each = [criterion.meets(frame) for criterion in criteria]
    if not each:
        return [], pd.Series(pd.NA, index=frame.index, dtype="boolean")
    met_all, known = np.ones(len(frame), dtype=bool), np.ones(len(frame), dtype=bool)
    for flags in each:
        met_all &= flags.to_numpy(dtype=bool, na_value=False)
        known &= flags.notna().to_numpy()
    return each, yes_no(met_all, known, frame.index)


def read_idea(value: Any, model: Model, document: Document, container: dict, key: str, where: str,
              language: str) -> Idea:
    """A dataset's `idea:` from the config, checked when the dataset is loaded (so `isu validate` sees mistakes)."""
    from .figures import RESULT_FIGURES

    idea = document.mapping(value, where, container, key)
    document.known_keys(idea, (*CASE_BLOCKS, "result"), where)
    for block in (*CASE_BLOCKS, "result"):
        document.mapping(idea.get(block), f"{where}.{block}", idea, block)
    return parse_idea(idea, model, document, RESULT_FIGURES, lambda message, **params: t(message, language, **params),
                      language)


def parse_idea(raw: Any, model: Model, doc: Document, figures: Iterable[str], t: Translate, language: str) -> Idea:
    """The idea from an `idea:` mapping that holds mappings under known keys."""
    raw = raw or {}
    blocks = {}
    for block in CASE_BLOCKS:
        container = raw.get(block) or {}
        blocks[block] = tuple(_criterion(block, str(name), container, model, doc, t, language) for name in container)
    container = raw.get("result") or {}
    known = list(figures)
    result = tuple(_result_criterion(str(name), container, doc, known) for name in container)
    return Idea(target_group=blocks["target_group"], intervention=blocks["intervention"], result=result)


def _criterion(block: str, name: str, container: dict, model: Model, doc: Document, t: Translate,
               language: str) -> Criterion:
    value = container[name]
    if name == DURATION:
        return _range(block, name, t("loke.duration_days"), "number", value, container, doc)
    field = model.fields.get(name)
    if field is None:
        known = ", ".join([*model.fields, DURATION])
        raise doc.error("loke.idea_error.unknown_field", container, name, name=name, block=block, known=known)
    if field.type in NUMBER_TYPES and not field.is_categorical:
        return _range(block, name, field.title(language), "number", value, container, doc)
    if field.type in DATE_TYPES:
        return _range(block, name, field.title(language), "date", value, container, doc)
    accepted = _accepted_values(block, field, value, container, doc)
    shown = tuple(field.label_of(v, language) if field.categories else str(v) for v in accepted)
    return Criterion(field=name, title=field.title(language), kind=VALUES, accepted=accepted, shown=shown,
                     delimiter=field.delimiter if field.type == "list" else None)


def _range(block: str, name: str, title: str, kind: str, value: Any, container: dict, doc: Document) -> Criterion:
    key = "loke.idea_error.bad_date_range" if kind == "date" else "loke.idea_error.bad_range"
    if not isinstance(value, list) or len(value) != 2 or all(v is None for v in value):
        raise doc.error(key, container, name, name=name, block=block)
    try:
        low, high = (None if v is None else _bound(v, kind) for v in value)
    except (TypeError, ValueError):
        raise doc.error(key, container, name, name=name, block=block) from None
    if low is not None and high is not None and low > high:
        raise doc.error("loke.idea_error.range_order", container, name, name=name, block=block)
    return Criterion(field=name, title=title, kind=RANGE, low=low, high=high)


def _bound(value: Any, kind: str) -> Any:
    if kind == "date":
        if isinstance(value, dt.date):
            return pd.Timestamp(value)
        if not isinstance(value, str):
            raise TypeError(value)
        return pd.Timestamp(dt.date.fromisoformat(value))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(value)
    return value


def _accepted_values(block: str, field: Field, value: Any, container: dict, doc: Document) -> tuple:
    items = value if isinstance(value, list) else [value]
    if not items or any(isinstance(v, (dict, list)) or v is None for v in items):
        raise doc.error("loke.idea_error.bad_values", container, field.name, name=field.name, block=block)
    if field.type == "boolean":
        return tuple(_boolean(v, field, block, container, doc) for v in items)
    allowed = field.allowed_values
    if allowed is None:
        return tuple(items)
    by_text = {str(v).casefold(): v for v in allowed}
    unknown = [v for v in items if str(v).casefold() not in by_text]
    if unknown:
        raise doc.error("loke.idea_error.unknown_value", container, field.name, name=field.name, block=block,
                        value=unknown[0], allowed=", ".join(str(v) for v in allowed))
    return tuple(by_text[str(v).casefold()] for v in items)


def _boolean(value: Any, field: Field, block: str, container: dict, doc: Document) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in field.true_values:
        return True
    if text in field.false_values:
        return False
    raise doc.error("loke.idea_error.unknown_value", container, field.name, name=field.name, block=block,
                    value=value, allowed="true, false")


def _result_criterion(name: str, container: dict, doc: Document, known: list[str]) -> ResultCriterion:
    if name not in known:
        raise doc.error("loke.idea_error.unknown_figure", container, name, name=name, known=", ".join(known))
    level = container[name]
    if isinstance(level, bool) or not isinstance(level, (int, float)):
        raise doc.error("loke.idea_error.bad_level", container, name, name=name, value=level)
    if name.endswith("_pct") and not 0 <= level <= 100:
        raise doc.error("loke.idea_error.bad_level_pct", container, name, name=name, value=level)
    return ResultCriterion(figure=name, level=float(level))


def _in_range(values: pd.Series, low: Any, high: Any) -> pd.Series:
    """Numbers or dates (bounds as pd.Timestamp) compared as numpy arrays; a missing value is in no range."""
    dates = isinstance(low, pd.Timestamp) or isinstance(high, pd.Timestamp)
    points = values.to_numpy(dtype="datetime64[ns]") if dates else values.to_numpy(dtype="float64", na_value=np.nan)
    present = values.notna().to_numpy()
    inside = present.copy()
    if low is not None:
        inside &= points >= (np.datetime64(low) if dates else low)
    if high is not None:
        inside &= points <= (np.datetime64(high) if dates else high)
    return yes_no(inside, present, values.index)


def _folded(value: Any) -> str:
    return str(value).strip().casefold()


def _accepted(values: pd.Series, accepted: tuple) -> pd.Series:
    present = values.notna().to_numpy()
    if all(isinstance(v, str) for v in accepted):
        wanted = {_folded(v) for v in accepted}
        hits = flags_distinct(values, lambda value: _folded(value) in wanted)
    else:
        hits = values.isin(list(accepted)).to_numpy(dtype=bool, na_value=False)
    return yes_no(hits, present, values.index)


def _any_accepted(values: pd.Series, accepted: tuple, delimiter: str) -> pd.Series:
    present = flags_distinct(values, lambda value: value != "")
    wanted = {_folded(v) for v in accepted}
    hits = flags_distinct(values, lambda value: any(_folded(item) in wanted for item in list_items(value, delimiter)))
    return yes_no(hits, present, values.index)


def _bound_text(value: Any, language: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return format_number(value, language)


def _or_list(values: tuple[str, ...], t: Translate) -> str:
    if len(values) == 1:
        return values[0]
    return t("loke.idea.or_list", first=", ".join(values[:-1]), last=values[-1])
