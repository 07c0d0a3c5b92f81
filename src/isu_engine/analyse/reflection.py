"""Reflection: the questions a report raises, and the team's log of interpretations and decisions.

Results become knowledge through reflection. The log (`reflection_log:` in the
config, YAML) holds what the team concluded after an analysis meeting; the next
report shows the earlier decisions beside the new value of the figure each one
follows up, so the team can see whether what they decided made a difference.

Log format — a list of entries:

    - date: 2025-02-12            # the analysis meeting
      period: "2024"              # the period discussed: a year, or {start, end}
      dataset: violalund          # optional: which dataset (all when left out);
                                  # `comparison` for the comparative report
      topic: Pojkar avbryter oftare
      interpretation: Vi når inte pappor med våra tider.
      decision: Kvällstider en dag i veckan från mars.
      follow_up: ended_as_planned_pct   # a figure id of report.json (optional)
      responsible: Enhetschef
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from isu_engine.configure.config import Config, Period, parse_date
from isu_engine.analyse.results import Column, KeyFigure, Paragraph, Question, Section, Table, text
from isu_engine.configure.schema import Document, display_path
from isu_engine.configure.yamlio import load_yaml_file

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


@dataclass(frozen=True)
class LogScope:
    """What a report's log entries may be about: a dataset (or the comparison, `dataset: comparison`), the
    period its figures cover, its name in the report and the figures that entries' follow-ups name.
    Entries without a dataset belong to a scope with `untagged`."""

    dataset: str
    period: Period
    title: str = ""
    figures: Mapping[str, KeyFigure] = field(default_factory=dict)
    untagged: bool = True


def earlier_entries(entries: list[LogEntry], dataset: str, period: Period, *, untagged: bool = True) -> list[LogEntry]:
    """Entries about this dataset (and those without a dataset, with `untagged`) from before the period,
    newest first."""
    tags = (None, dataset) if untagged else (dataset,)
    chosen = [e for e in entries
              if e.dataset in tags and (e.period is None or e.period.end < period.start)
              and (e.date is None or e.date <= period.end + dt.timedelta(days=366))]
    return sorted(chosen, key=_newest, reverse=True)


def _newest(entry: LogEntry) -> tuple[dt.date, dt.date]:
    return entry.period.end if entry.period else dt.date.min, entry.date or dt.date.min


def reflection_section(report, ctx, scopes: list[LogScope] | None = None) -> Section:
    """Questions gathered from the report, earlier decisions with today's figures, and a log template.

    `scopes` are what the report covers (default: the report's own dataset and period). A
    comparison passes itself and each compared dataset, with that dataset's own period and the
    figures of its own report; its log table then says which dataset each entry is about.
    """

    def build(section: Section) -> None:
        section.intro = ctx.t("reflection.intro")
        chosen = scopes or [LogScope(report.meta.dataset, ctx.period, report.meta.dataset_title, report.figures())]
        log = load_log(ctx.config)
        found = sorted(((scope, entry) for scope in chosen
                        for entry in earlier_entries(log, scope.dataset, scope.period, untagged=scope.untagged)),
                       key=lambda pair: _newest(pair[1]), reverse=True)
        several = len(chosen) > 1
        if found:
            section.items.append(_log_table(report, ctx, found, several))
            for scope, entry in found:
                section.items.extend(_follow_ups(ctx, scope, entry, several))
        else:
            section.items.append(Paragraph.plain(ctx.t("reflection.no_log")))
        section.questions.append(Question(text=ctx.t("reflection.general_question")))

    return ctx.section("reflection", ctx.t("reflection.title"), build, order=REFLECTION_ORDER)


def _log_table(report, ctx, found: list[tuple[LogScope, LogEntry]], several: bool) -> Table:
    """The earlier entries, with the dataset each is about when the report covers several."""
    rows = []
    for scope, entry in found:
        follow = [scope.figures[f].label if f in scope.figures else f for f in entry.follow_up]
        about = [text(scope.title if entry.dataset else ctx.t("reflection.all_datasets"))] if several else []
        rows.append([*about, text(entry.period.label() if entry.period else "–"), text(entry.topic),
                     text(entry.interpretation), text(entry.decision), text(", ".join(follow) or "–"),
                     text(entry.responsible)])
    return Table(
        id=f"{report.meta.dataset}.reflection.log", title=ctx.t("reflection.log_title"),
        columns=[*([Column("dataset", ctx.t("reflection.dataset"))] if several else []),
                 Column("period", ctx.t("reflection.period")), Column("topic", ctx.t("reflection.topic")),
                 Column("interpretation", ctx.t("reflection.interpretation")),
                 Column("decision", ctx.t("reflection.decision")),
                 Column("follow_up", ctx.t("reflection.follow_up")),
                 Column("responsible", ctx.t("reflection.responsible"))],
        rows=rows, long=True)


def _follow_ups(ctx, scope: LogScope, entry: LogEntry, several: bool) -> list[Paragraph]:
    """`Topic: figure is now value.` for each follow-up figure the scope has (a copy of its cell, so
    that the report's own disclosure control decides on it)."""
    paragraphs = []
    for figure_id in entry.follow_up:
        figure = scope.figures.get(figure_id)
        if figure is None:
            continue
        topic, label = _literal(entry.topic), _literal(figure.label)
        template = ctx.t("reflection.follow_up_now_in", topic=topic, dataset=_literal(scope.title), figure=label,
                         value="{value}") if several and entry.dataset else \
            ctx.t("reflection.follow_up_now", topic=topic, figure=label, value="{value}")
        paragraphs.append(Paragraph(template=template, values={"value": figure.cell}))
    return paragraphs


def _literal(value: str) -> str:
    """Text from the log or a label, safe inside a paragraph template."""
    return value.replace("{", "{{").replace("}", "}}")
