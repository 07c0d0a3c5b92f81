"""The section "Resultat", for the cases that ended in the period: end reasons, goal attainment,
change in the client's own rating, satisfaction and the own result variables."""

from __future__ import annotations

from isu_engine.api import KeyFigure, KeyFigures, Section, categories_of, change_items, frequency_items

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
            variable=name, values=ended[name], categories=categories_of(field, ctx.language),
            definition=ctx.t(f"loke.result.{name}_definition")))
    section.items.extend(_rating_items(comp, now))
    field = model.fields["satisfaction"]
    section.items.extend(frequency_items(
        ctx, table_id=f"{comp.name}.satisfaction", title=field.title(ctx.language), population=population,
        variable="satisfaction", values=ended["satisfaction"], categories=categories_of(field, ctx.language)))
    section.items.extend(own_items(ctx, dataset=comp.name, model=model, block="result", population=population,
                                   frame=ended, absent=comp.data.absent_fields))


def _figures(comp: Compilation) -> KeyFigures:
    ctx, now = comp.ctx, comp.current
    _, mean = now.satisfaction
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


def _rating_items(comp: Compilation, now: PeriodFigures) -> list:
    """Change in the client's own rating from start to end among ended cases with both ratings;
    the ended cases without both are counted under data quality."""
    ctx = comp.ctx
    scale = comp.model.scales[RATING]
    pairs = now.rating_pairs
    items, _ = change_items(ctx, scale=scale, paired=pairs, population=now.populations.rated,
                            unit_label=ctx.t("loke.unit.cases"))
    ended = now.cases.ended.index
    ctx.exclude(scale.title(ctx.language), ctx.t("loke.result.rating_unpaired"), now.populations.ended,
                ended[~ended.isin(pairs.index)])
    return items
