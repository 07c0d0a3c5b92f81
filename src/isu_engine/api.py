"""The engine's public interface for model plugins: everything a plugin may import from the core.

A plugin imports from this module only (and `hookimpl` from `isu_engine`); a test keeps
FIT, LOKE and the GAS example to it, and docs/plugins.md describes each name. What is
not here may change without notice.

The names are imported when first used: a plugin that registers a model or a rule kind
does not load pandas and the analyses (so `isu models` starts quickly).
"""

from __future__ import annotations

import importlib

_WHERE = {  # name → (module, name there): imported when a plugin first asks for it
    "AnalysisConfig": ("isu_engine.analyse.context", "AnalysisConfig"),
    "active_in_period": ("isu_engine.analyse.context", "active_in_period"),
    "in_period": ("isu_engine.analyse.context", "in_period"),
    "compare_groups": ("isu_engine.analyse.differences", "compare_groups"),
    "two_way_gender": ("isu_engine.analyse.differences", "two_way_gender"),
    "two_way_gender_order": ("isu_engine.analyse.differences", "two_way_gender_order"),
    "flags_distinct": ("isu_engine.analyse.distinct", "flags_distinct"),
    "list_items": ("isu_engine.analyse.distinct", "list_items"),
    "IMPROVED_CATEGORIES": ("isu_engine.analyse.generic", "IMPROVED"),
    "categories_of": ("isu_engine.analyse.generic", "categories_of"),
    "change_items": ("isu_engine.analyse.generic", "change_items"),
    "cutoffs_by_rules": ("isu_engine.analyse.generic", "cutoffs_by_rules"),
    "frequency_items": ("isu_engine.analyse.generic", "frequency_items"),
    "group_columns": ("isu_engine.analyse.generic", "group_columns"),
    "improved_flags": ("isu_engine.analyse.generic", "improved_flags"),
    "multi_frequency_items": ("isu_engine.analyse.generic", "multi_frequency_items"),
    "settings_for": ("isu_engine.analyse.generic", "settings_for"),
    "summary_items": ("isu_engine.analyse.generic", "summary_items"),
    "Bar": ("isu_engine.analyse.results", "Bar"),
    "Cell": ("isu_engine.analyse.results", "Cell"),
    "Chart": ("isu_engine.analyse.results", "Chart"),
    "Column": ("isu_engine.analyse.results", "Column"),
    "KeyFigure": ("isu_engine.analyse.results", "KeyFigure"),
    "KeyFigures": ("isu_engine.analyse.results", "KeyFigures"),
    "Paragraph": ("isu_engine.analyse.results", "Paragraph"),
    "Section": ("isu_engine.analyse.results", "Section"),
    "Table": ("isu_engine.analyse.results", "Table"),
    "text": ("isu_engine.analyse.results", "text"),
    "YearRow": ("isu_engine.analyse.year_on_year", "YearRow"),
    "period_name": ("isu_engine.analyse.year_on_year", "period_name"),
    "previous_year_table": ("isu_engine.analyse.year_on_year", "previous_year_table"),
    "Category": ("isu_engine.analyse.tabulate", "Category"),
    "Tally": ("isu_engine.analyse.tabulate", "Tally"),
    "FILE": ("isu_engine.check.dataset", "FILE"),
    "ROW": ("isu_engine.check.dataset", "ROW"),
    "Dataset": ("isu_engine.check.dataset", "Dataset"),
    "Failure": ("isu_engine.check.rules", "Failure"),
    "RuleKind": ("isu_engine.check.rules", "RuleKind"),
    "builtin_rule_kinds": ("isu_engine.check.rules", "builtin_rule_kinds"),
    "rows_to_break": ("isu_engine.commands.demo", "rows_to_break"),
    "DETERIORATED": ("isu_engine.compare.harmonize", "DETERIORATED"),
    "IMPROVED": ("isu_engine.compare.harmonize", "IMPROVED"),
    "NOT_MEASURED": ("isu_engine.compare.harmonize", "NOT_MEASURED"),
    "OUTCOME_OF": ("isu_engine.compare.harmonize", "OUTCOME_OF"),
    "UNCHANGED": ("isu_engine.compare.harmonize", "UNCHANGED"),
    "describe": ("isu_engine.compare.harmonize", "describe"),
    "harmonized_frame": ("isu_engine.compare.harmonize", "harmonized_frame"),
    "outcome_from": ("isu_engine.compare.harmonize", "outcome_from"),
    "Period": ("isu_engine.configure.config", "Period"),
    "Field": ("isu_engine.configure.model", "Field"),
    "Model": ("isu_engine.configure.model", "Model"),
    "Rule": ("isu_engine.configure.model", "Rule"),
    "Scale": ("isu_engine.configure.model", "Scale"),
    "load_model": ("isu_engine.configure.model", "load_model"),
    "Document": ("isu_engine.configure.schema", "Document"),
    "hookimpl": ("isu_engine.hookspecs", "hookimpl"),
    "LANGUAGES": ("isu_engine.i18n", "LANGUAGES"),
    "t": ("isu_engine.i18n", "t"),
    "format_number": ("isu_engine.numerals", "number"),
    "ChangeResult": ("isu_engine.stats.change", "ChangeResult"),
    "analyse_change": ("isu_engine.stats.change", "analyse_change"),
    "effect_size_interval": ("isu_engine.stats.change", "effect_size_interval"),
    "pair_long": ("isu_engine.stats.change", "pair_long"),
    "pair_wide": ("isu_engine.stats.change", "pair_wide"),
    "mean_interval": ("isu_engine.stats.means", "mean_interval"),
    "design_effect": ("isu_engine.stats.proportions", "design_effect"),
    "wilson_interval_design": ("isu_engine.stats.proportions", "wilson_interval_design"),
}

__all__ = [
    # hooks
    "hookimpl",
    # the model, the data and what an analysis gets
    "Model", "Field", "Scale", "Rule", "load_model", "Dataset", "ROW", "FILE", "AnalysisConfig", "Period",
    "in_period", "active_in_period", "Document",
    # rule kinds
    "RuleKind", "Failure", "builtin_rule_kinds",
    # results and counting
    "Section", "Table", "Column", "Cell", "KeyFigure", "KeyFigures", "Chart", "Bar", "Paragraph", "text",
    "Tally", "Category",
    # building blocks of analyses
    "frequency_items", "multi_frequency_items", "summary_items", "change_items", "categories_of", "group_columns",
    "settings_for", "cutoffs_by_rules", "improved_flags", "IMPROVED_CATEGORIES", "flags_distinct", "list_items",
    "compare_groups", "two_way_gender", "two_way_gender_order", "previous_year_table", "YearRow", "period_name",
    # change on a scale
    "analyse_change", "pair_wide", "pair_long", "ChangeResult", "effect_size_interval",
    # intervals
    "mean_interval", "design_effect", "wilson_interval_design",
    # the harmonized frame for isu compare
    "harmonized_frame", "describe", "outcome_from", "OUTCOME_OF", "IMPROVED", "UNCHANGED", "DETERIORATED",
    "NOT_MEASURED",
    # texts and demo data
    "t", "LANGUAGES", "format_number", "rows_to_break",
]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _WHERE[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
