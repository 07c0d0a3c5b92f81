"""Pairing a scale's first and last measurement per subject, and the rule on occasion order.

Wide data pairs a row's pre and post columns. Long data pairs each subject's first and last
usable measurement, and "first" needs an order: a long model's occasion field must declare
one — a date, a number, or categories (their order in the model is the order of the
occasions). Text without categories has none: sorted as text, "post" comes before "pre",
so such a model is refused when it is read (`occasion_without_order`). A long model
without an occasion field pairs in the order of the rows in the file.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from isu_engine.stats.change import pair_long, pair_wide

ORDERED_TYPES = ("date", "datetime", "integer", "number", "year")
DATED_TYPES = ("date", "datetime")


def has_declared_order(field: Any) -> bool:
    """Whether an occasion field orders its values: a date, a number, or categories."""
    return field.type in ORDERED_TYPES or bool(field.categories)


def occasion_without_order(model_format: str, fields: dict[str, Any]) -> Any | None:
    """The occasion field of a long model that declares no order, else None."""
    if model_format != "long":
        return None
    occasion = next((f for f in fields.values() if f.role == "occasion"), None)
    return occasion if occasion is not None and not has_declared_order(occasion) else None


def occasion_ranks(values: pd.Series, field: Any) -> pd.Series:
    """The occasions as sortable values: the category's place for categories, else the values
    (dates and numbers); an occasion outside the categories is missing."""
    if field.categories and field.type not in ORDERED_TYPES:
        return values.map({c.value: place for place, c in enumerate(field.categories)}).astype("Float64")
    return values


def pair_scale(frame: pd.DataFrame, *, subject: str, scale: Any, occasion: Any | None, order_column: str,
               until: Any = None) -> pd.DataFrame:
    """The paired measurements of one scale: columns subject, pre, post (see `pair_wide`, `pair_long`).

    Wide (the scale has pre and post): one pair per row, input index kept. Long: one pair per
    subject from its first and last measurement in the occasion's order (`order_column`, the
    file's row order, when the model has no occasion field), up to `until` when the occasion
    is a date; one row per subject, sorted by subject.
    """
    if scale.pre and scale.post:
        return pair_wide(frame, subject, scale.pre, scale.post)
    if occasion is None:
        return pair_long(frame, subject, order_column, scale.score_field)
    if not has_declared_order(occasion):
        raise ValueError(f"the occasion field '{occasion.name}' declares no order (a date, a number or categories)")
    ordered = frame.assign(**{occasion.name: occasion_ranks(frame[occasion.name], occasion)})
    dated = occasion.type in DATED_TYPES
    return pair_long(ordered, subject, occasion.name, scale.score_field,
                     until=pd.Timestamp(until) if dated and until is not None else None)
