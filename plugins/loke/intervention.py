"""The section "Vad fick de?": interventions, methods, contacts, duration, open and ended cases,
and the own intervention variables.

Interventions and methods are shown for every case of the period. The number of contacts
and the duration are shown for the cases that ended in the period: for an open case they
are not final yet.
"""

from __future__ import annotations

from isu_engine.api import Column, Section, Table, summary_items, text

from .cases import DURATION, ENDED, OPEN
from .compilation import Compilation
from .items import absent_note, banded_items, field_items, own_items

CONTACT_EDGES = [1, 6, 11, 21]
DURATION_EDGES = [0, 31, 91, 181, 366]
FIELDS = ("intervention", "method", "n_contacts", "end_date")


def build_intervention(section: Section, comp: Compilation) -> None:
    ctx, model, now = comp.ctx, comp.model, comp.current
    frame, population = now.cases.frame, now.populations.cases
    ended, ended_population = now.cases.ended, now.populations.ended
    section.intro = ctx.t("loke.intervention.intro")
    section.items.extend(absent_note(ctx, model, comp.data.absent_fields, list(FIELDS)))
    for name in ("intervention", "method"):
        if comp.present(name):
            section.items.extend(field_items(ctx, table_id=f"{comp.name}.{name}", field=model.fields[name],
                                             population=population, values=frame[name]))
    section.items.append(_status_table(comp))
    if comp.present("n_contacts"):
        section.items.extend(banded_items(
            ctx, table_id=f"{comp.name}.contacts", title=ctx.t("loke.intervention.contacts_title"),
            population=ended_population, variable="n_contacts", values=ended["n_contacts"], edges=CONTACT_EDGES,
            unit=ctx.t("loke.unit.contacts"), definition=ctx.t("loke.intervention.ended_only")))
    section.items.extend(banded_items(
        ctx, table_id=f"{comp.name}.duration", title=ctx.t("loke.intervention.duration_title"),
        population=ended_population, variable=DURATION, values=ended[DURATION], edges=DURATION_EDGES,
        unit=ctx.t("loke.unit.days"), definition=ctx.t("loke.definition.duration_days")))
    rows = [(DURATION, ctx.t("loke.duration_days"), ended[DURATION])]
    if comp.present("n_contacts"):
        rows.insert(0, ("n_contacts", model.fields["n_contacts"].title(ctx.language), ended["n_contacts"]))
    section.items.append(summary_items(ctx, table_id=f"{comp.name}.intervention.summary",
                                       title=ctx.t("loke.intervention.summary_title"), population=ended_population,
                                       rows=rows))
    section.items.extend(own_items(ctx, dataset=comp.name, model=model, block="intervention",
                                   population=population, frame=frame, absent=comp.data.absent_fields))


def _status_table(comp: Compilation) -> Table:
    """Cases ended in the period and cases still open at its end."""
    ctx, now = comp.ctx, comp.current
    status = now.case_counts.status
    rows = [[text(status[value].label), status[value].count, status[value].pct] for value in (ENDED, OPEN)]
    return Table(
        id=f"{comp.name}.status", title=ctx.t("loke.intervention.status_title"),
        columns=[Column("status", ctx.t("common.category")), Column("n", ctx.t("common.count"), "count"),
                 Column("pct", ctx.t("common.share"), "pct")],
        rows=rows, n=now.n_cases, definition=ctx.t("loke.definition.n_cases_open"),
    )
