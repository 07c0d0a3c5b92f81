"""The section "Verksamhetsidén – gör vi det vi säger?": the unit's idea against what happened.

Target group: every case of the period. Intervention: the cases that ended in the period,
since only then is the intervention complete (all contacts, the whole duration). Result:
each intended result against the figure of the period.

A result criterion is judged on the figure's 95 % interval: met when the whole interval
reaches the level, not met when the whole interval lies below it, cannot tell otherwise
(`ResultCriterion.verdict`). This is decided on the true values, also when disclosure
control hides them; the table then hides the value but still gives the verdict, and a note
says that `idea.result_pct` rests on hidden figures. A verdict reveals only that a hidden
share lies above or below a level, a bound, which disclosure control does not protect
(DESIGN §2).
"""

from __future__ import annotations

from isu_engine.api import (AnalysisConfig, Bar, Cell, Chart, Column, KeyFigure, KeyFigures, Paragraph, Section, Table,
                            text)

from .compilation import Compilation
from .figures import IdeaShare, PeriodFigures
from .idea import CANNOT_TELL, MET, NOT_ASSESSABLE, NOT_MET, Idea

BLOCKS = ("target_group", "intervention")


def build_idea(section: Section, comp: Compilation) -> None:
    ctx = comp.ctx
    section.intro = ctx.t("loke.idea.intro")
    idea = comp.written_idea
    if idea.empty:
        section.items.append(Paragraph.plain(ctx.t("loke.idea.none")))
        section.items.append(_figures(comp, None, None, None))
        return
    now = comp.current
    shares = {block: getattr(now, block) for block in BLOCKS}
    for block in BLOCKS:
        section.items.extend(_block_items(comp, block, shares[block]))
    result, result_items = _result_items(comp, idea, now)
    section.items.insert(0, _figures(comp, shares["target_group"], shares["intervention"], result))
    section.items.extend(result_items)


def _figures(comp: Compilation, target: IdeaShare | None, intervention: IdeaShare | None,
             result: tuple[Cell, Cell] | None) -> KeyFigures:
    ctx = comp.ctx
    past = comp.current.open_past_duration if intervention is not None else None

    def pct(share: IdeaShare | None) -> Cell:
        return share.every.pct if share is not None else Cell(None, "pct", decimals=1)

    result_pct, undecided = result if result is not None else (Cell(None, "pct", decimals=1), Cell(None, "count"))
    return KeyFigures([
        KeyFigure("idea.target_group_pct", ctx.t("loke.figure.idea_target_group_pct"), pct(target),
                  ctx.t("loke.definition.idea_target_group_pct"), shown=target is not None),
        KeyFigure("idea.intervention_pct", ctx.t("loke.figure.idea_intervention_pct"), pct(intervention),
                  ctx.t("loke.definition.idea_intervention_pct"), shown=intervention is not None),
        KeyFigure("idea.result_pct", ctx.t("loke.figure.idea_result_pct"), result_pct,
                  ctx.t("loke.definition.idea_result_pct"), shown=result is not None),
        KeyFigure("idea.result_undecided", ctx.t("loke.figure.idea_result_undecided"), undecided,
                  ctx.t("loke.definition.idea_result_undecided"), shown=result is not None),
        *([] if past is None else [KeyFigure("idea.open_past_duration", ctx.t("loke.figure.idea_open_past_duration"),
                                             past, ctx.t("loke.definition.idea_open_past_duration"))]),
    ])


def _block_items(comp: Compilation, block: str, share: IdeaShare | None) -> list:
    """The block in one sentence, criterion by criterion in a table, and intended against actual in a chart."""
    ctx, tally = comp.ctx, comp.ctx.tally
    lead = ctx.t(f"loke.idea.{block}")
    if share is None:
        return [Paragraph.plain(ctx.t("loke.idea.block_none", lead=lead))]
    criteria = [criterion for criterion, _, _ in share.each]
    described = ", ".join(c.describe(ctx.t, ctx.language) for c in criteria)
    left_out = share.flags.index[share.flags.isna().to_numpy()]
    missing = tally.count(share.population, left_out, [(share.name, None)])
    if len(left_out):
        fields = ", ".join(c.title for c, flags, _ in share.each if flags.isna().any())
        ctx.exclude(lead, ctx.t(f"loke.idea.excluded_{block}", fields=fields), share.population, left_out)
    units = ctx.t(f"loke.idea.units_{block}")
    sentence = Paragraph(
        template=ctx.t("loke.idea.sentence", lead=lead, criteria=_escaped(described), pct="{pct}", yes="{yes}",
                       n="{n}", units=units),
        values={"pct": share.every.pct, "yes": share.every.yes, "n": share.every.assessed},
        fallback=ctx.t("loke.idea.sentence_hidden", lead=lead, criteria=described, units=units),
    )
    rows = [[text(c.describe(ctx.t, ctx.language)), s.assessed, s.yes, s.pct] for c, _, s in share.each]
    rows.append([text(ctx.t("loke.idea.every_criterion")), share.every.assessed, share.every.yes, share.every.pct])
    rows.append([text(ctx.t("loke.idea.left_out")), missing, text(""), text("")])
    table = Table(
        id=f"{comp.name}.idea.{block}", title=ctx.t(f"loke.idea.table_{block}"),
        columns=[Column("criterion", ctx.t("loke.idea.criterion")),
                 Column("n", ctx.t("loke.idea.n_with_data"), "count"),
                 Column("meeting", ctx.t("loke.idea.n_meeting"), "count"),
                 Column("pct", ctx.t("loke.idea.share_meeting"), "pct")],
        rows=rows, n=comp.current.n_cases if block == "target_group" else comp.current.n_ended,
        note=ctx.t(f"loke.idea.note_{block}"),
        definition=ctx.t(f"loke.definition.idea_{block}_pct"),
    )
    return [sentence, table, _chart(comp, block, share)]


def _chart(comp: Compilation, block: str, share: IdeaShare) -> Chart:
    """Intended against actual: the share of cases as intended and the share outside the idea."""
    ctx, tally = comp.ctx, comp.ctx.tally
    inside, outside = ctx.t("loke.idea.inside"), ctx.t("loke.idea.outside")
    outside_units = share.flags.index[share.flags.eq(False).fillna(False).to_numpy(dtype=bool)]
    no = tally.count(share.population, outside_units, [(share.name, False)])
    lead = ctx.t(f"loke.idea.{block}")
    return Chart(
        id=f"{comp.name}.idea.{block}.chart", kind="stacked", title=ctx.t("loke.idea.chart_title", lead=lead),
        description=ctx.t("loke.idea.chart_description", lead=lead.lower()), axis_label=ctx.t("common.share_axis"),
        segment_names=[inside, outside],
        stacked_rows=[(lead, [Bar(inside, share.every.pct), Bar(outside, tally.pct(no, share.every.assessed))])],
        max_value=100.0, n=share.every.assessed,
    )


def _result_items(comp: Compilation, idea: Idea, now: PeriodFigures) -> tuple[tuple[Cell, Cell] | None, list]:
    """The intended results against the period's figures, each judged on the figure's interval.

    idea.result_pct = criteria met / (met + not met); idea.result_undecided = the criteria that are
    neither: the interval holds the level (cannot tell), or the figure has no value (no data).
    """
    ctx = comp.ctx
    if not idea.result:
        return None, [Paragraph.plain(ctx.t("loke.idea.block_none", lead=ctx.t("loke.idea.result")))]
    rows, bars, actual_cells = [], [], {}
    verdicts = []
    for index, criterion in enumerate(idea.result):
        label = ctx.t(f"loke.figure.{criterion.figure.replace('.', '_')}")
        actual, base = now.figure(criterion.figure)
        verdict = criterion.verdict(actual.value, actual.low, actual.high)
        verdicts.append(verdict)
        level = _level_text(criterion.figure, criterion.level, ctx)
        rows.append([text(label), text(level), actual, base if base is not None else text(""),
                     text(ctx.t(f"loke.idea.verdict.{verdict}"))])
        actual_cells[f"actual{index}"] = actual
        if base is not None:
            actual_cells[f"n{index}"] = base
        if criterion.figure.endswith("_pct"):
            bars.append(Bar(ctx.t("loke.idea.bar_intended", label=label), Cell(criterion.level, "pct", decimals=1)))
            bars.append(Bar(ctx.t("loke.idea.bar_actual", label=label), actual))
    met, not_met = verdicts.count(MET), verdicts.count(NOT_MET)
    decided = met + not_met
    result_pct = Cell(100.0 * met / decided if decided else None, "pct", decimals=1)
    undecided = Cell(len(verdicts) - decided, "count")
    summary = ctx.t("loke.idea.result_summary", met=met, not_met=not_met, total=len(verdicts))
    if verdicts.count(CANNOT_TELL):
        summary += " " + ctx.t("loke.idea.result_cannot_tell", n=verdicts.count(CANNOT_TELL))
    if verdicts.count(NOT_ASSESSABLE):
        summary += " " + ctx.t("loke.idea.result_not_assessable", n=verdicts.count(NOT_ASSESSABLE))
    table = Table(
        id=f"{comp.name}.idea.result", title=ctx.t("loke.idea.table_result"),
        columns=[Column("figure", ctx.t("loke.idea.intended_result")), Column("level", ctx.t("loke.idea.level")),
                 Column("actual", ctx.t("loke.idea.actual"), "number"),
                 Column("n", ctx.t("loke.idea.n_actual"), "count"),
                 Column("met", ctx.t("loke.idea.met"))],
        rows=rows, definition=ctx.t("loke.definition.idea_result_pct"),
    )
    note = Paragraph(template=_escaped(summary), values=actual_cells,
                     fallback=summary + " " + ctx.t("loke.idea.result_hidden"))
    items: list = [table, note]
    if bars:
        items.append(Chart(
            id=f"{comp.name}.idea.result.chart", kind="bar", title=ctx.t("loke.idea.result_chart_title"),
            description=ctx.t("loke.idea.result_chart_description"), axis_label=ctx.t("common.share_axis"),
            bars=bars, max_value=100.0, n=now.n_ended, note=ctx.t("loke.idea.result_chart_note"),
        ))
    return (result_pct, undecided), items


def _level_text(figure: str, level: float, ctx: AnalysisConfig) -> str:
    return ctx.t("loke.idea.level_pct" if figure.endswith("_pct") else "loke.idea.level_number",
                 level=ctx.number(level))


def _escaped(sentence: str) -> str:
    return sentence.replace("{", "{{").replace("}", "}}")
