"""The method section: definitions of the figures, the parameters used, and provenance."""

from __future__ import annotations

import itertools

from isu_engine import __version__, numerals
from isu_engine.analyse.context import AnalysisConfig
from isu_engine.check.dataset import Dataset
from isu_engine.configure.model import Cutoff
from isu_engine.configure.plugins import Registry
from isu_engine.i18n import t
from isu_engine.analyse.results import Column, Paragraph, Section, Table, text

METHODS_ORDER = 97


def parameter_rows(dataset: Dataset, ctx: AnalysisConfig) -> list[tuple[str, str]]:
    """Every setting that shapes the figures, as (name, value) text."""
    config = ctx.config
    rows = [
        (ctx.t("methods.period"), ctx.period.label() + _period_note(dataset, ctx)),
        (ctx.t("methods.min_cell"), str(config.min_cell) if config.min_cell > 1 else ctx.t("methods.disclosure_off")),
        (ctx.t("methods.min_group"), str(config.groups.min_group)),
        (ctx.t("methods.min_difference"), ctx.t("methods.points", value=ctx.number(config.groups.min_difference))),
        (ctx.t("methods.max_q"), ctx.number(config.groups.max_q)),
        (ctx.t("methods.age_bands"), ", ".join(ctx.age_band_labels())),
        (ctx.t("methods.internal"), ctx.t("common.yes") if config.internal else ctx.t("common.no")),
    ]
    for scale in dataset.model.scales.values():
        parts = [ctx.t(f"methods.direction.{scale.direction}")]
        if scale.reliable_change is not None:
            parts.append(ctx.t("methods.reliable_change_fixed", value=ctx.number(scale.reliable_change)))
        elif scale.reliability is not None:
            parts.append(ctx.t("methods.reliability", value=ctx.number(scale.reliability)))
        else:
            parts.append(ctx.t("methods.no_reliability"))
        if scale.cutoff is not None:
            parts.append(ctx.t("methods.cutoff", value=cutoff_text(scale.cutoff, ctx.language)))
        rows.append((scale.title(ctx.language), "; ".join(parts)))
    for key, value in dataset.model.parameters.items():
        rows.append((key, _parameter_text(value, ctx)))
    return rows


def _period_note(dataset: Dataset, ctx: AnalysisConfig) -> str:
    """How the period was chosen when the config names none: the latest calendar year of the data's dates,
    or, without any date in the data, a period that selects nothing."""
    if ctx.period.explicit:
        return ""
    dated = [f.name for f in dataset.model.fields.values()
             if f.type in ("date", "datetime") and f.name in dataset.frame]
    has_dates = any(dataset.frame[name].notna().any() for name in dated)
    return " " + ctx.t("methods.period_default" if has_dates else "methods.period_no_dates")


def _parameter_text(value, ctx: AnalysisConfig) -> str:
    """A parameter as text: a number as the report language writes it; bands that follow on each other
    ([0, 15], [15, 20] …) as the half-open bands they are (0 till under 15, 15 till under 20 …, the last
    with its upper end)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ctx.number(value)
    pairs = isinstance(value, list) and len(value) > 1 and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) for v in p) for p in value)
    if not pairs or any(a[1] != b[0] for a, b in itertools.pairwise(value)):
        return str(value)
    parts = [ctx.t("methods.band_half_open", low=ctx.number(low), high=ctx.number(high)) for low, high in value[:-1]]
    low, high = value[-1]
    return ", ".join([*parts, ctx.t("methods.band_closed", low=ctx.number(low), high=ctx.number(high))])


def cutoff_text(cutoff: Cutoff, language: str) -> str:
    """A scale's clinical cutoff in words: a number, type a or c, or its rules
    ("instrument YCORS: –; age 18–120: 25")."""
    if cutoff.kind == "number":
        assert cutoff.value is not None, "a number cutoff has its number"
        return numerals.number(cutoff.value, language)
    if cutoff.kind == "a":
        return t("methods.cutoff_a", language)
    if cutoff.kind == "c":
        assert cutoff.functional_mean is not None and cutoff.functional_sd is not None, "type c has its norms"
        return t("methods.cutoff_c", language, mean=numerals.number(cutoff.functional_mean, language),
                 sd=numerals.number(cutoff.functional_sd, language))
    parts = []
    for rule in cutoff.rules:
        when = ", ".join(f"{k} {'–'.join(str(v) for v in c) if isinstance(c, list) else c}"
                         for k, c in rule.when.items())
        parts.append(f"{when}: {'–' if rule.value is None else numerals.number(rule.value, language)}")
    return "; ".join(parts)


def methods_section(dataset: Dataset, ctx: AnalysisConfig, registry: Registry, sections: list[Section]) -> Section:
    def build(section: Section) -> None:
        definitions = []
        seen = set()
        for other in sections:
            for figure in other.key_figures():
                if figure.definition and figure.id not in seen:
                    seen.add(figure.id)
                    definitions.append([text(figure.label), text(figure.definition)])
        if definitions:
            section.items.append(Table(
                id=f"{dataset.name}.methods.definitions", title=ctx.t("methods.definitions_title"),
                columns=[Column("figure", ctx.t("methods.figure")), Column("definition", ctx.t("methods.definition"))],
                rows=definitions, long=True))
        section.items.append(Table(
            id=f"{dataset.name}.methods.parameters", title=ctx.t("methods.parameters_title"),
            columns=[Column("parameter", ctx.t("methods.parameter")), Column("value", ctx.t("methods.value"))],
            rows=[[text(name), text(value)] for name, value in parameter_rows(dataset, ctx)]))
        section.items.append(Paragraph.plain(ctx.t("methods.statistics")))
        provenance = [
            (ctx.t("methods.engine"), f"isu-engine {__version__}"),
            *((ctx.t("methods.model_version", model=name), entry.version)
              for name, entry in sorted(registry.models.items())),
            (ctx.t("methods.config_hash"), ctx.config.sha256()),
            *((ctx.t("methods.file_hash", file=name), digest) for name, digest in dataset.files.items()),
        ]
        section.items.append(Table(
            id=f"{dataset.name}.methods.provenance", title=ctx.t("methods.provenance_title"),
            columns=[Column("what", ctx.t("methods.what")), Column("value", ctx.t("methods.value"))],
            rows=[[text(a), text(b)] for a, b in provenance]))

    return ctx.section("methods", ctx.t("methods.title"), build, order=METHODS_ORDER)
