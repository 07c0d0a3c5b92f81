"""Report items the LOKE sections share: a field's distribution by its type, bands of numbers,
and the unit's own variables of a block."""

from __future__ import annotations

import numpy as np
import pandas as pd

from isu_engine.api import (AnalysisConfig, Field, Model, Paragraph, Population, categories_of, frequency_items,
                            multi_frequency_items, summary_items)

NUMBER_TYPES = ("integer", "number", "year")


def field_items(ctx: AnalysisConfig, *, table_id: str, field: Field, population: Population,
                values: pd.Series) -> list:
    """The distribution of one field among a population's cases, as the field's type suits.

    Several values per case: the share with each value; a number without categories: n,
    mean, median and quartiles; a date: nothing (single dates would show single cases);
    anything else: counts and shares of each category. A field without declared categories
    is not tabulated (its values could be any text a person wrote): a sentence says so.
    """
    title = field.title(ctx.language)
    if field.type in NUMBER_TYPES and not field.is_categorical:
        return [summary_items(ctx, table_id=table_id, title=title, population=population,
                              rows=[(field.name, title, values)])]
    if field.type in ("date", "datetime"):
        return []
    if field.type == "boolean":
        categories = [(True, ctx.t("common.yes")), (False, ctx.t("common.no"))]
    else:
        categories = categories_of(field, ctx.language)
    if categories is None:
        return [Paragraph.plain(ctx.t("generic.not_tabulated", field=title))]
    if field.type == "list":
        return multi_frequency_items(ctx, table_id=table_id, title=title, population=population,
                                     variable=field.name, values=values, delimiter=field.delimiter,
                                     categories=categories)
    return frequency_items(ctx, table_id=table_id, title=title, population=population, variable=field.name,
                           values=values, categories=categories)


def band_labels(values: pd.Series, edges: list[int], ctx: AnalysisConfig, unit: str) -> tuple[pd.Series, list[str]]:
    """Whole numbers in bands [edges[i], edges[i+1] − 1], the last open ("21+"); 0 gets a band of its own
    when it occurs below the first edge. Returns the band of each value (NA when missing) and the band order."""
    lows = list(edges)
    if (values < edges[0]).any():
        lows = [0, *lows]
    labels = []
    for low, next_low in zip(lows, [*lows[1:], None], strict=True):
        if next_low is None:
            labels.append(ctx.t("loke.band.open", low=low, unit=unit))
        elif next_low - 1 == low:
            labels.append(ctx.t("loke.band.single", low=low, unit=unit))
        else:
            labels.append(ctx.t("loke.band.range", low=low, high=next_low - 1, unit=unit))
    numbers = values.astype("float64")
    position = np.searchsorted(np.array(lows, dtype=float), numbers.to_numpy(), side="right") - 1
    bands = pd.Series(np.array(labels, dtype=object)[np.clip(position, 0, len(labels) - 1)], index=values.index)
    return bands.where(numbers.notna(), None), labels


def banded_items(ctx: AnalysisConfig, *, table_id: str, title: str, population: Population, variable: str,
                 values: pd.Series, edges: list[int], unit: str, definition: str | None = None) -> list:
    """A number in bands as table and bar chart."""
    bands, order = band_labels(values, edges, ctx, unit)
    return frequency_items(ctx, table_id=table_id, title=title, population=population, variable=variable,
                           values=bands, categories=[(label, label) for label in order], definition=definition)


def own_fields(model: Model, block: str, internal: bool = False) -> list[Field]:
    """The unit's own variables in one LOKE block, in the order of the config (internal ones only
    in internal reports, identifiers never)."""
    return [f for f in model.fields.values()
            if f.own and f.block == block and not f.identifier and (internal or not f.internal)]


def own_items(ctx: AnalysisConfig, *, dataset: str, model: Model, block: str, population: Population,
              frame: pd.DataFrame, absent: list[str]) -> list:
    """The own variables of a block that are in the data, each as its type suits."""
    fields = own_fields(model, block, ctx.internal)
    if not fields:
        return []
    items: list = [Paragraph.plain(ctx.t("loke.own.intro", names=", ".join(f.title(ctx.language) for f in fields)))]
    items.extend(absent_note(ctx, model, absent, [f.name for f in fields]))
    for field in (f for f in fields if f.name not in absent):
        items.extend(field_items(ctx, table_id=f"{dataset}.own.{field.name}", field=field, population=population,
                                 values=frame[field.name]))
    return items


def absent_note(ctx: AnalysisConfig, model: Model, absent: list[str], fields: list[str]) -> list:
    """A sentence naming the block's fields that are not in the data (their tables are left out)."""
    missing = [model.fields[name].title(ctx.language) for name in fields if name in absent]
    return [Paragraph.plain(ctx.t("loke.absent_fields", fields=", ".join(missing)))] if missing else []
