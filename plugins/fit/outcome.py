"""Resultat: ORS change per episode (Jacobson–Truax with each episode's own cutoff) and its breakdowns."""

from __future__ import annotations

import pandas as pd

from isu_engine.api import (Bar, Chart, Column, KeyFigure, KeyFigures, Section, Table, change_categories,
                            change_items, compare_groups, group_columns, improved_flags, text)

from .change import category_counts, improvement_cells, reliable_change
from .inputs import FitInputs

YCORS = "YCORS"
OWN_DEFINITIONS = {"ors.n_paired": "n_paired_definition", "ors.mean_pre": "mean_pre_definition",
                   "ors.mean_post": "mean_post_definition", "ors.effect_size": "effect_size_definition"}


def build_outcome(section: Section, fit: FitInputs) -> None:
    ctx, pop, ors = fit.ctx, fit.populations, fit.ors
    current = fit.current
    section.intro = ctx.t("fit.outcome.intro", points=_points(ors.reliable_change, ctx))
    jt = current.jt
    items, result = change_items(ctx, scale=ors, paired=jt[["pre", "post"]], population=pop.jt,
                                 cutoffs=jt["cutoff"], unit_label=ctx.t("fit.episodes_unit"))
    for figure in items[0].figures:  # ors.* are the ORS and CORS episodes with a cutoff: say so
        if figure.id in OWN_DEFINITIONS:
            figure.definition = ctx.t(f"fit.outcome.{OWN_DEFINITIONS[figure.id]}")
    section.items.extend(items)
    cells = improvement_cells(ctx, pop.jt, ors, result)
    section.items.insert(1, KeyFigures([
        KeyFigure("fit.ors_improved_pct", ctx.t("fit.outcome.improved_pct"), cells["improved_pct"],
                  ctx.t("fit.outcome.improved_pct_definition", points=_points(ors.reliable_change, ctx))),
        KeyFigure("fit.ors_recovered_pct", ctx.t("fit.outcome.recovered_pct"), cells["recovered_pct"],
                  ctx.t("fit.outcome.recovered_pct_definition")),
    ]))
    _no_cutoff_items(section, fit)
    by_instrument, ycors = _by_instrument(fit, jt, current.no_cutoff)
    section.items.append(KeyFigures(ycors))
    section.items.append(by_instrument)
    intake = current.episodes.loc[jt.index]
    flags = improved_flags(result)
    change = change_categories(ctx, result)
    for name, label, labels, order in group_columns(fit.dataset, intake, ctx):
        section.items.append(_stacked_chart(fit, name, label, labels, order, change, cells["total"]))
        comparison = compare_groups(ctx, comparison_id=f"{fit.table_prefix}.ors.improved.{name}", population=pop.jt,
                                    indicator=f"{ors.name}.improved",
                                    indicator_label=ctx.t("fit.outcome.improved_share"),
                                    flags=flags, grouping=name, grouping_label=label, groups=labels, order=order)
        if comparison is not None:
            section.items.append(comparison)


def _no_cutoff_items(section: Section, fit: FitInputs) -> None:
    """Episodes without a cutoff (YCORS, unknown instrument or age): left out of Jacobson–Truax, counted
    as exclusions, and shown in their own table of reliable change only."""
    ctx, pop, ors = fit.ctx, fit.populations, fit.ors
    rest = fit.current.no_cutoff
    result = reliable_change(fit.current, ors)
    rows, rest_total = category_counts(ctx, pop.no_cutoff, f"{ors.name}.reliable_change", result)
    ycors = (fit.current.episodes.loc[rest.index, "instrument"] == YCORS).fillna(False).to_numpy(dtype=bool)
    analysis = ctx.t("fit.outcome.jt_analysis")
    ctx.exclude(analysis, ctx.t("fit.outcome.excluded_ycors"), pop.paired, rest.index[ycors])
    ctx.exclude(analysis, ctx.t("fit.outcome.excluded_no_cutoff"), pop.paired, rest.index[~ycors])
    if not len(rest):
        return
    section.items.append(Table(
        id=f"{fit.table_prefix}.ors.change.no_cutoff", title=ctx.t("fit.outcome.no_cutoff_title"),
        columns=[Column("category", ctx.t("change.category_column")), Column("n", ctx.t("common.count"), "count"),
                 Column("pct", ctx.t("common.share"), "pct")],
        rows=[[text(r.label), r.count, r.pct] for r in rows], n=rest_total,
        note=ctx.t("fit.outcome.no_cutoff_note", points=_points(ors.reliable_change, ctx)),
        definition=ctx.t(f"change.definition.{result.method}"),
    ))


def _by_instrument(fit: FitInputs, jt: pd.DataFrame, rest: pd.DataFrame) -> tuple[Table, list[KeyFigure]]:
    """Paired episodes per form (ORS, CORS, YCORS: their norms differ): n and means, and whether they are
    judged by Jacobson–Truax; and the YCORS figures (`ycors.n_paired`, `ycors.mean_pre`, `ycors.mean_post`)."""
    ctx, tally, pop = fit.ctx, fit.tally, fit.populations
    forms = [c.value for c in fit.dataset.model.fields["instrument"].categories]
    instrument = fit.current.episodes["instrument"]
    rows, ycors = [], {}
    for population, episodes, judged in ((pop.jt, jt, True), (pop.no_cutoff, rest, False)):
        form_of = instrument.reindex(episodes.index)
        for form in forms:
            inside = (form_of == form).fillna(False).to_numpy(dtype=bool)
            if not inside.any():
                continue
            cell = tally.count(population, episodes.index[inside], [("instrument", form)])
            means = [tally.mean(episodes[column][inside], cell) for column in ("pre", "post")]
            rows.append([text(form), cell, *means, text(ctx.t("common.yes" if judged else "common.no"))])
            if form == YCORS:
                ycors = {"n": cell, "pre": means[0], "post": means[1]}
    table = Table(
        id=f"{fit.table_prefix}.ors.by_instrument", title=ctx.t("fit.outcome.by_instrument_title"),
        columns=[Column("instrument", ctx.t("fit.trajectory.instrument_column")),
                 Column("n", ctx.t("fit.outcome.n_paired_column"), "count"),
                 Column("mean_pre", ctx.t("change.mean_pre"), "mean"),
                 Column("mean_post", ctx.t("change.mean_post"), "mean"),
                 Column("jt", ctx.t("fit.outcome.jt_column"))],
        rows=rows, definition=ctx.t("fit.outcome.by_instrument_definition"),
    )
    figures = [] if not ycors else [
        KeyFigure("ycors.n_paired", ctx.t("fit.outcome.ycors_n_paired"), ycors["n"],
                  ctx.t("fit.outcome.ycors_n_paired_definition"), shown=False),
        KeyFigure("ycors.mean_pre", ctx.t("fit.outcome.ycors_mean_pre"), ycors["pre"],
                  ctx.t("fit.outcome.ycors_mean_definition"), shown=False),
        KeyFigure("ycors.mean_post", ctx.t("fit.outcome.ycors_mean_post"), ycors["post"],
                  ctx.t("fit.outcome.ycors_mean_definition"), shown=False),
    ]
    return table, figures


def _points(value, ctx) -> str:
    return "–" if value is None else ctx.number(value)


def _stacked_chart(fit: FitInputs, name: str, label: str, labels: pd.Series, order: list[str] | None,
                   change: tuple[pd.Series, list[tuple[str, str]]], total) -> Chart:
    """The Jacobson–Truax categories per group (missing group values as a group of their own); `change` is
    each episode's category and the categories shown (`change_categories`)."""
    ctx, tally, pop, ors = fit.ctx, fit.tally, fit.populations, fit.ors
    missing = ctx.t("common.missing")
    groups = labels.astype(object).where(labels.notna(), missing)
    present = set(groups)
    ordered = [g for g in (order or sorted((g for g in present if g != missing), key=str)) if g in present]
    ordered += [missing] if missing in present and missing not in ordered else []
    variable = f"{ors.name}.change"
    values, categories = change
    rows = []
    for group in ordered:
        inside = (groups == group).to_numpy()
        counted, _ = tally.distribution(pop.jt, variable, values[inside], categories, missing, [(name, group)])
        rows.append((group, [Bar(c.label, c.pct) for c in counted if c.value is not None]))
    return Chart(
        id=f"{fit.table_prefix}.ors.change.{name}.chart", kind="stacked",
        title=ctx.t("fit.outcome.by_group_title", grouping=label),
        description=ctx.t("fit.outcome.by_group_description", grouping=label),
        segment_names=[c_label for _, c_label in categories], stacked_rows=rows, n=total,
    )
