"""The method section: definitions of the figures, the parameters used, and provenance."""

from __future__ import annotations

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
        (ctx.t("methods.period"), ctx.period.label() + ("" if ctx.period.explicit else " " + ctx.t("methods.period_default"))),
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
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        rows.append((key, ctx.number(value) if number else str(value)))
    return rows


def cutoff_text(cutoff: Cutoff, language: str) -> str:
    """A scale's clinical cutoff in words: a number, type a or c, or its rules ("instrument YCORS: –; age 18–120: 25")."""
    if cutoff.kind == "number":
        return numerals.number(cutoff.value, language)
    if cutoff.kind == "a":
        return t("methods.cutoff_a", language)
    if cutoff.kind == "c":
        return t("methods.cutoff_c", language, mean=numerals.number(cutoff.functional_mean, language),
                 sd=numerals.number(cutoff.functional_sd, language))
    parts = []
    for rule in cutoff.rules:
        when = ", ".join(f"{k} {'–'.join(str(v) for v in c) if isinstance(c, list) else c}" for k, c in rule.when.items())
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
            *((ctx.t("methods.model_version", model=name), entry.version) for name, entry in sorted(registry.models.items())),
            (ctx.t("methods.config_hash"), ctx.config.sha256()),
            *((ctx.t("methods.file_hash", file=name), digest) for name, digest in dataset.files.items()),
        ]
        section.items.append(Table(
            id=f"{dataset.name}.methods.provenance", title=ctx.t("methods.provenance_title"),
            columns=[Column("what", ctx.t("methods.what")), Column("value", ctx.t("methods.value"))],
            rows=[[text(a), text(b)] for a, b in provenance]))

    return ctx.section("methods", ctx.t("methods.title"), build, order=METHODS_ORDER)
