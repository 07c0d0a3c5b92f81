"""Group differences within each compared dataset: by gender, age band and unit (DESIGN §2).

Each dataset's yes/no indicators (ended as planned; improved by the dataset's own definition)
are compared group against rest with `comparisons.compare_groups`, on the dataset's own
counts, so disclosure control treats them like every other count of the run. The comparison
report's `finalize` adjusts the p-values of all these tables together (Benjamini–Hochberg),
flags and asks. Units are compared only within a dataset that has more than one and whose model
declares them (unit names are never tabulated from the data). Differences are never compared
between datasets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from isu_engine.analyse.differences import compare_groups, two_way_gender, two_way_gender_order
from isu_engine.analyse.distinct import map_distinct
from isu_engine.analyse.generic import categories_of
from isu_engine.analyse.context import AnalysisConfig
from isu_engine.analyse.results import Comparison
from isu_engine.analyse.tabulate import Population

if TYPE_CHECKING:
    from isu_engine.compare.comparison import Compared

GENDER, AGE, UNIT = "gender_two_way", "age_group", "unit"


@dataclass(frozen=True)
class Indicator:
    """A yes/no indicator of a compared dataset: its units, their answers and the overall counts they add up to."""

    name: str
    population: Population
    units: pd.DataFrame
    flags: pd.Series


@dataclass(frozen=True)
class Grouping:
    """A way to split a dataset's units: the variable, the table id's last part, its label and order."""

    variable: str
    suffix: str
    label: str
    groups: pd.Series
    order: list[str] | None


def groupings(ctx: AnalysisConfig, c: Compared, units: pd.DataFrame) -> list[Grouping]:
    """Gender two ways and age bands, and units when the dataset has more than one."""
    gender = two_way_gender(units["gender"], c.ctx)
    found = [Grouping(GENDER, "gender", ctx.t("comparison.groups.gender"), gender, two_way_gender_order(ctx, gender)),
             Grouping(AGE, AGE, ctx.t("common.age_group"), c.ctx.age_bands(units["age"]), ctx.age_band_labels())]
    unit_field = c.model.fields.get("unit")
    categories = categories_of(unit_field, c.ctx.language) if unit_field is not None else None
    if categories and c.frame["unit"].nunique() > 1:     # unit names only when the model declares them
        labels = map_distinct(units["unit"], dict(categories).get)
        found.append(Grouping(UNIT, UNIT, ctx.t("comparison.groups.unit"), labels, [label for _, label in categories]))
    return found


def group_differences(ctx: AnalysisConfig, c: Compared, indicators: list[Indicator]) -> list[Comparison]:
    """Each indicator of a dataset by each grouping, group against rest (groupings with fewer than two groups
    are left out); table ids `<comparison>.<dataset>.<indicator>.<grouping>`."""
    found = []
    for indicator in indicators:
        for grouping in groupings(ctx, c, indicator.units):
            comparison = compare_groups(
                c.ctx, comparison_id=f"{ctx.dataset.name}.{c.name}.{indicator.name}.{grouping.suffix}",
                population=indicator.population, indicator=indicator.name,
                indicator_label=ctx.t(f"comparison.groups.{indicator.name}", dataset=c.title), flags=indicator.flags,
                grouping=grouping.variable, grouping_label=grouping.label, groups=grouping.groups, order=grouping.order)
            if comparison is not None:
                found.append(comparison)
    return found

