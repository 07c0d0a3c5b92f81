"""The overview: how many cases the period had, how many ended, and the two headline results."""

from __future__ import annotations

from isu_engine.api import KeyFigure, KeyFigures, Paragraph, Section

from .compilation import Compilation


def planned_labels(comp: Compilation) -> str:
    """The end reasons that count as ended as planned, as the report shows them."""
    field = comp.model.fields["end_reason"]
    return ", ".join(field.label_of(v, comp.ctx.language) for v in comp.model.parameters.get("planned_values", []))


def headline_figures(comp: Compilation) -> KeyFigures:
    """n_cases, ended and open cases, ended as planned and goal attained (report.json ids of DESIGN §5)."""
    ctx, now = comp.ctx, comp.current
    return KeyFigures([
        KeyFigure("n_cases", ctx.t("loke.figure.n_cases"), now.n_cases, ctx.t("loke.definition.n_cases")),
        KeyFigure("n_cases_ended", ctx.t("loke.figure.n_cases_ended"), now.n_ended,
                  ctx.t("loke.definition.n_cases_ended")),
        KeyFigure("n_cases_open", ctx.t("loke.figure.n_cases_open"), now.n_open, ctx.t("loke.definition.n_cases_open")),
        KeyFigure("ended_as_planned_pct", ctx.t("loke.figure.ended_as_planned_pct"), now.ended_as_planned.pct,
                  ctx.t("loke.definition.ended_as_planned_pct", planned=planned_labels(comp))),
        KeyFigure("goal_attained_pct", ctx.t("loke.figure.goal_attained_pct"), now.goal_attained.pct,
                  ctx.t("loke.definition.goal_attained_pct")),
    ])


def build_overview(section: Section, comp: Compilation) -> None:
    ctx, now = comp.ctx, comp.current
    section.intro = ctx.t("loke.overview.intro")
    section.items.append(headline_figures(comp))
    section.items.append(Paragraph(
        template=ctx.t("loke.overview.summary", n_cases="{n_cases}", n_ended="{n_ended}", n_open="{n_open}"),
        values={"n_cases": now.n_cases, "n_ended": now.n_ended, "n_open": now.n_open},
        fallback=ctx.t("loke.overview.summary_hidden"),
    ))
    section.items.append(Paragraph.plain(ctx.t("loke.overview.period_rule")))
