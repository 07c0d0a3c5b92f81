"""The section "Vilka kom?": gender, age, referral, problem areas and the own target-group variables."""

from __future__ import annotations

import pandas as pd

from isu_engine.api import Population, Section, categories_of, frequency_items, two_way_gender, two_way_gender_order

from .compilation import Compilation
from .items import absent_note, field_items, own_items

GENDER = "gender"
GENDER_TWO_WAY = "gender_two_way"
AGE_GROUP = "age_group"
FIELDS = ("gender", "age", "referral", "problem_areas")


def build_target_group(section: Section, comp: Compilation) -> None:
    ctx, model, now = comp.ctx, comp.model, comp.current
    frame, population = now.cases.frame, now.populations.cases
    section.intro = ctx.t("loke.target_group.intro")
    section.items.extend(absent_note(ctx, model, comp.data.absent_fields, list(FIELDS)))
    if comp.present("gender"):
        section.items.extend(_gender_items(comp, frame, population))
    if comp.present("age"):
        section.items.extend(frequency_items(
            ctx, table_id=f"{comp.name}.age_group", title=ctx.t("common.age_group"), population=population,
            variable=AGE_GROUP, values=ctx.age_bands(frame["age"]),
            categories=[(label, label) for label in ctx.age_band_labels()]))
    for name in ("referral", "problem_areas"):
        if comp.present(name):
            section.items.extend(field_items(ctx, table_id=f"{comp.name}.{name}", field=model.fields[name],
                                             population=population, values=frame[name]))
    section.items.extend(own_items(ctx, dataset=comp.name, model=model, block="target_group",
                                   population=population, frame=frame, absent=comp.data.absent_fields))


def _gender_items(comp: Compilation, frame: pd.DataFrame, population: Population) -> list:
    """Girls with women and boys with men (annat and okänt apart), then all six categories."""
    ctx = comp.ctx
    field = comp.model.fields[GENDER]
    two_way = two_way_gender(frame[GENDER], ctx)
    order = two_way_gender_order(ctx, two_way)
    items = frequency_items(ctx, table_id=f"{comp.name}.gender_two_way",
                            title=ctx.t("loke.target_group.gender_two_way"),
                            population=population, variable=GENDER_TWO_WAY, values=two_way,
                            categories=[(label, label) for label in order])
    items += frequency_items(ctx, table_id=f"{comp.name}.gender", title=field.title(ctx.language),
                             population=population, variable=GENDER, values=frame[GENDER],
                             categories=categories_of(field, ctx.language), chart=False)
    return items
