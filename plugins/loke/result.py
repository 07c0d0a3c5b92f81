"""The section "Resultat", for the cases that ended in the period: end reasons, goal attainment,
change in the client's own rating, satisfaction and the own result variables."""

from __future__ import annotations

from isu_engine.api import (IMPROVED_CATEGORIES, Cell, KeyFigure, KeyFigures, Section, categories_of, change_items,
                            frequency_items)

from .compilation import Compilation
from .figures import RATING, PeriodFigures
from .items import absent_note, own_items
from .overview import planned_labels

FIELDS = ("end_reason", "goal_attainment", "rating_start", "rating_end", "satisfaction")


def build_result(section: Section, comp: Compilation) -> None:
    ctx, model, now = comp.ctx, comp.model, comp.current
    ended, population = now.cases.ended, now.populations.ended
    section.intro = ctx.t("loke.result.intro")
    section.items.append(_figures(comp))
    section.items.extend(absent_note(ctx, model, comp.data.absent_fields, list(FIELDS)))
    for name in ("end_reason", "goal_attainment"):
        field = model.fields[name]
        section.items.extend(frequency_items(
            ctx, table_id=f"{comp.name}.{name}", title=field.title(ctx.language), population=population,
            variable=name, values=ended[name], categories=categories_of(field, ended[name], ctx.language),
            definition=ctx.t(f"loke.result.{name}_definition")))
    for cell, name, parameter in ((now.ended_as_planned.yes, "end_reason", "planned_values"),
                                  (now.goal_attained.yes, "goal_attainment", "goal_attained_values"),
                                  (now.goal_partly.yes, "goal_attainment", "goal_partly_values"),
                                  (now.goal_attained.assessed, "goal_attainment", "goal_assessed_values")):
        _link(comp, cell, name, model.parameters.get(parameter, []))
    section.items.extend(_rating_items(comp, now))
    field = model.fields["satisfaction"]
    section.items.extend(frequency_items(
        ctx, table_id=f"{comp.name}.satisfaction", title=field.title(ctx.language), population=population,
        variable="satisfaction", values=ended["satisfaction"].astype(object).where(ended["satisfaction"].notna(), None),
        categories=categories_of(field, ended["satisfaction"], ctx.language)))
    section.items.extend(own_items(ctx, dataset=comp.name, model=model, block="result", population=population,
                                   frame=ended, total=now.n_ended, absent=comp.data.absent_fields))


def _figures(comp: Compilation) -> KeyFigures:
    ctx, now = comp.ctx, comp.current
    n_answered, mean = now.satisfaction
    return KeyFigures([
        KeyFigure("ended_as_planned_pct", ctx.t("loke.figure.ended_as_planned_pct"), now.ended_as_planned.pct,
                  ctx.t("loke.definition.ended_as_planned_pct", planned=planned_labels(comp))),
        KeyFigure("goal_attained_pct", ctx.t("loke.figure.goal_attained_pct"), now.goal_attained.pct,
                  ctx.t("loke.definition.goal_attained_pct")),
        KeyFigure("goal_partly_pct", ctx.t("loke.figure.goal_partly_pct"), now.goal_partly.pct,
                  ctx.t("loke.definition.goal_partly_pct")),
        KeyFigure("rating_improved_pct", ctx.t("loke.figure.rating_improved_pct"), now.rating_improved.pct,
                  ctx.t("loke.definition.rating_improved_pct")),
        KeyFigure("satisfaction_mean", ctx.t("loke.figure.satisfaction_mean"), mean,
                  ctx.t("loke.definition.satisfaction_mean")),
    ])


def _link(comp: Compilation, cell: Cell, variable: str, values: list) -> None:
    """Register that an indicator's count is the sum of the categories of `variable` it counts."""
    tally = comp.ctx.tally
    known = comp.model.fields[variable].allowed_values or ()
    population = comp.current.populations.ended
    tally.ledger.equation(cell.count_key, [tally.key(population, [(variable, v)]) for v in values if v in known])


def _rating_items(comp: Compilation, now: PeriodFigures) -> list:
    """Change in the client's own rating from start to end among ended cases with both ratings."""
    ctx, tally = comp.ctx, comp.ctx.tally
    scale = comp.model.scales[RATING]
    pairs = now.rating_pairs
    items, result = change_items(ctx, scale=scale, paired=pairs, population=now.populations.rated,
                                 unit_label=ctx.t("loke.unit.cases"))
    paired = tally.key(now.populations.rated)
    unpaired = len(now.cases.ended) - len(pairs)
    parts = [paired]
    if unpaired:
        reason = ctx.t("loke.result.rating_unpaired")
        ctx.exclude(scale.title(ctx.language), reason, now.populations.ended, unpaired)
        parts.append(tally.key(now.populations.ended, [("excluded", reason)]))
    tally.ledger.equation(now.n_ended.count_key, parts)
    improved = [tally.key(now.populations.rated, [(f"{RATING}.change", c)])
                for c in result.categories.cat.categories if c in IMPROVED_CATEGORIES]
    tally.ledger.equation(now.rating_improved.yes.count_key, improved)
    return items
