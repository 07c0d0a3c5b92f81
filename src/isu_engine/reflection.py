"""Reflection: the questions a report raises, and the team's log of interpretations and decisions.

Results become knowledge through reflection. The log (`reflection_log:` in the
config, YAML) holds what the team concluded after an analysis meeting; the next
report shows the earlier decisions beside the new value of the figure each one
follows up, so the team can see whether what they decided made a difference.

Log format — a list of entries:

    - date: 2025-02-12            # the analysis meeting
      period: "2024"              # the period discussed: a year, or {start, end}
      dataset: violalund          # optional: which dataset (all when left out)
      topic: Pojkar avbryter oftare
      interpretation: Vi når inte pappor med våra tider.
      decision: Kvällstider en dag i veckan från mars.
      follow_up: ended_as_planned_pct   # a figure id of report.json (optional)
      responsible: Enhetschef
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .config import Config, Period, parse_date
from .results import Column, Paragraph, Question, Section, Table, text
from .schema import Document, display_path
from .yamlio import load_yaml_file

ENTRY_KEYS = ("date", "period", "dataset", "topic", "interpretation", "decision", "follow_up", "responsible")
REFLECTION_ORDER = 99


@dataclass(frozen=True)
class LogEntry:
    date: dt.date | None
    period: Period | None
    dataset: str | None
    topic: str
    interpretation: str
    decision: str
    follow_up: tuple[str, ...]
    responsible: str


def load_log(config: Config) -> list[LogEntry]:
    """The team's reflection log; a log file that does not exist yet is an empty log."""
    path: Path | None = config.reflection_log
    if path is None or not path.exists():
        return []
    shown = display_path(path)
    doc = Document(shown)
    raw = doc.sequence(load_yaml_file(path, shown), "reflection log")
    entries = []
    for index, item in enumerate(raw):
        item = doc.mapping(item, "reflection log[]", raw, index)
        doc.known_keys(item, ENTRY_KEYS, "reflection log[]")
        follow = item.get("follow_up")
        follow = follow if isinstance(follow, list) else [follow] if follow else []
        entries.append(LogEntry(
            date=parse_date(item["date"], doc, item, "date") if item.get("date") else None,
            period=_period(item.get("period"), doc, item),
            dataset=doc.text(item, "dataset", "reflection log[]"),
            topic=doc.text(item, "topic", "reflection log[]", "") or "",
            interpretation=doc.text(item, "interpretation", "reflection log[]", "") or "",
            decision=doc.text(item, "decision", "reflection log[]", "") or "",
            follow_up=tuple(str(f) for f in follow),
            responsible=doc.text(item, "responsible", "reflection log[]", "") or "",
        ))
    return entries


def _period(value, doc: Document, container) -> Period | None:
    if value is None:
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) == 4):
        year = int(value)
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    value = doc.mapping(value, "period", container, "period")
    doc.known_keys(value, ("start", "end"), "reflection log[].period")
    return Period(parse_date(value.get("start"), doc, value, "start"), parse_date(value.get("end"), doc, value, "end"))


def earlier_entries(entries: list[LogEntry], dataset: str, period: Period) -> list[LogEntry]:
    """Entries about this dataset from before the report's period, newest first."""
    chosen = [e for e in entries
              if (e.dataset in (None, dataset)) and (e.period is None or e.period.end < period.start)
              and (e.date is None or e.date <= period.end + dt.timedelta(days=366))]
    return sorted(chosen, key=lambda e: (e.period.end if e.period else dt.date.min, e.date or dt.date.min), reverse=True)


def reflection_section(report, ctx) -> Section:
    """Questions gathered from the report, earlier decisions with today's figures, and a log template."""

    def build(section: Section) -> None:
        section.intro = ctx.t("reflection.intro")
        entries = earlier_entries(load_log(ctx.config), report.meta.dataset, ctx.period)
        figures = report.figures()
        if entries:
            rows = []
            for entry in entries:
                follow = [f"{figures[f].label}" if f in figures else f for f in entry.follow_up]
                rows.append([text(entry.period.label() if entry.period else "–"), text(entry.topic),
                             text(entry.interpretation), text(entry.decision),
                             text(", ".join(follow) or "–"), text(entry.responsible)])
            section.items.append(Table(
                id=f"{report.meta.dataset}.reflection.log", title=ctx.t("reflection.log_title"),
                columns=[Column("period", ctx.t("reflection.period")), Column("topic", ctx.t("reflection.topic")),
                         Column("interpretation", ctx.t("reflection.interpretation")),
                         Column("decision", ctx.t("reflection.decision")),
                         Column("follow_up", ctx.t("reflection.follow_up")),
                         Column("responsible", ctx.t("reflection.responsible"))],
                rows=rows, long=True))
            for entry in entries:
                for figure_id in entry.follow_up:
                    if figure_id in figures:
                        figure = figures[figure_id]
                        section.items.append(Paragraph(
                            template=ctx.t("reflection.follow_up_now", topic=entry.topic.replace("{", "{{").replace("}", "}}"),
                                           figure=figure.label.replace("{", "{{").replace("}", "}}"), value="{value}"),
                            values={"value": figure.cell}))
        else:
            section.items.append(Paragraph.plain(ctx.t("reflection.no_log")))
        section.questions.append(Question(text=ctx.t("reflection.general_question")))

    return ctx.section("reflection", ctx.t("reflection.title"), build, order=REFLECTION_ORDER)
