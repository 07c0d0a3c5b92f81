"""Declarative cross-field rules (compare, sum_equals, required_if, unique_together, none_after).

A rule kind checks its parameters when a model is loaded and, at validation time,
returns the rows that break it — computed on whole columns. Plugins add kinds
through the `isu_rule_types` hook with `register(RuleKind(...))`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from isu_engine.configure.model import Field, Rule
from isu_engine.configure.schema import Document

if TYPE_CHECKING:  # pandas is imported when rules run, not when models load
    import pandas as pd

OPERATORS: dict[str, Callable] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}


@dataclass
class Failure:
    """Rows (mask) that break a rule, the field the issue is filed under, and its message."""

    mask: pd.Series
    field: str
    message_key: str
    params: dict


@dataclass(frozen=True)
class RuleKind:
    """A kind of rule: its parameter keys, which of them name fields, and its check."""

    name: str
    keys: tuple[str, ...]
    field_keys: tuple[str, ...]
    evaluate: Callable[[pd.DataFrame, Rule], list[Failure]]
    required_keys: tuple[str, ...] = ()
    choices: dict[str, tuple] | None = None
    list_keys: tuple[str, ...] = ()  # field keys that must be a list of fields; "when" is a mapping of fields

    def check(self, rule: Rule, fields: dict[str, Field], doc: Document, raw: Any) -> None:
        """Check a rule's parameters when its model is loaded."""
        doc.known_keys(rule.params, self.keys, f"rule '{rule.id}' ({self.name})")
        for key in self.required_keys:
            if key not in rule.params:
                raise doc.error("schema.missing_key", raw, name=key, where=f"rule '{rule.id}'")
        for key in self.field_keys:
            value = rule.params.get(key)
            if value is None:
                continue
            where = f"rule '{rule.id}'"
            if key == "when":
                names = list(doc.mapping(value, f"{where}.when", raw, key))
            elif key in self.list_keys or isinstance(value, list):
                names = doc.sequence(value, f"{where}.{key}", raw, key)
            else:
                names = [doc.text(raw, key, where)]
            for name in names:
                if not isinstance(name, str) or name not in fields:
                    raise doc.error("model.unknown_field", raw, key, name=name, where=f"rule '{rule.id}'")
        for key, allowed in (self.choices or {}).items():
            if key in rule.params and rule.params[key] not in allowed:
                raise doc.error("schema.bad_choice", raw, key, name=key, where=f"rule '{rule.id}'",
                                value=rule.params[key], choices=" | ".join(allowed))


def _compare(frame: pd.DataFrame, rule: Rule) -> list[Failure]:
    p = rule.params
    op = OPERATORS[p.get("op", "<=")]
    left = frame[p["field"]]
    if "other" in p:
        right = frame[p["other"]]
        present = left.notna() & right.notna()
        ok = op(left.where(present), right.where(present))
    else:
        present = left.notna()
        ok = op(left.where(present), p.get("value"))
    mask = present & ~ok.fillna(True).astype(bool)
    other_label = p.get("other", p.get("value"))
    return [Failure(mask, p["field"], "rule.compare", {"op": p.get("op", "<="), "other": other_label})]


def _sum_equals(frame: pd.DataFrame, rule: Rule) -> list[Failure]:
    p = rule.params
    parts = frame[p["fields"]].astype(float)
    total = frame[p["total"]].astype(float)
    complete = parts.notna().all(axis=1) & total.notna()
    difference = (parts.sum(axis=1) - total).abs()
    mask = complete & (difference > float(p.get("tolerance", 0)) + 1e-9)
    return [Failure(mask, p["total"], "rule.sum_equals",
                    {"fields": ", ".join(p["fields"]), "tolerance": p.get("tolerance", 0),
                     "expected": parts.sum(axis=1).round(2)})]


def condition_mask(frame: pd.DataFrame, when: dict) -> pd.Series:
    """Rows meeting every condition: `present`, `missing`, a value, or a list of values."""
    import pandas as pd

    mask = pd.Series(True, index=frame.index)
    for name, condition in when.items():
        column = frame[name]
        if condition == "present":
            mask &= column.notna()
        elif condition == "missing":
            mask &= column.isna()
        else:
            accepted = condition if isinstance(condition, list) else [condition]
            mask &= column.isin(accepted).fillna(False).astype(bool)
    return mask


def _required_if(frame: pd.DataFrame, rule: Rule) -> list[Failure]:
    p = rule.params
    mask = condition_mask(frame, p["when"]) & frame[p["field"]].isna()
    condition = ", ".join(f"{k} = {v}" for k, v in p["when"].items())
    return [Failure(mask, p["field"], "rule.required_if", {"condition": condition})]


def _unique_together(frame: pd.DataFrame, rule: Rule) -> list[Failure]:
    names = rule.params["fields"]
    columns = frame[names]
    duplicated = columns.duplicated(keep=False) & columns.notna().all(axis=1)
    return [Failure(duplicated, names[0], "rule.unique_together", {"fields": ", ".join(names)})]


def _none_after(frame: pd.DataFrame, rule: Rule) -> list[Failure]:
    """Rows of a group (`by`) whose `order` value comes after the first row meeting `when` (such as an end).

    Missing values in the `by` fields form a group value of their own, so without an
    episode field all of a client's rows are one group.
    """
    p = rule.params
    by = p["by"]
    order = frame[p["order"]]
    ends = condition_mask(frame, p["when"]) & order.notna()
    end_at = order.where(ends)
    if ends.any():  # each row gets its group's first end: the order of the groups does not matter (sort=False)
        end_at = end_at.groupby([frame[name] for name in by], dropna=False, sort=False).transform("min")
    mask = (order.notna() & end_at.notna() & (order > end_at)).fillna(False).astype(bool)
    late = end_at[mask]
    shown = late.dt.strftime("%Y-%m-%d") if late.dtype.kind == "M" else late.astype(str)
    condition = ", ".join(f"{k} = {v}" for k, v in p["when"].items())
    return [Failure(mask, p["order"], "rule.none_after", {"end": shown, "condition": condition, "by": ", ".join(by)})]


BUILTIN_RULE_KINDS = (
    RuleKind("compare", ("field", "op", "other", "value"), ("field", "other"), _compare, ("field",),
             {"op": tuple(OPERATORS)}),
    RuleKind("sum_equals", ("fields", "total", "tolerance"), ("fields", "total"), _sum_equals, ("fields", "total"),
             list_keys=("fields",)),
    RuleKind("required_if", ("field", "when"), ("field", "when"), _required_if, ("field", "when")),
    RuleKind("unique_together", ("fields",), ("fields",), _unique_together, ("fields",), list_keys=("fields",)),
    RuleKind("none_after", ("by", "order", "when"), ("by", "order", "when"), _none_after, ("by", "order", "when"),
             list_keys=("by",)),
)


def builtin_rule_kinds() -> dict[str, RuleKind]:
    return {kind.name: kind for kind in BUILTIN_RULE_KINDS}

