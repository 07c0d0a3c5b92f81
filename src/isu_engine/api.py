"""The engine's public interface for model plugins: everything a plugin may import from the core.

A plugin imports from this module only (and `hookimpl` from `isu_engine`); a test keeps
FIT, LOKE and the GAS example to it, and docs/plugins.md describes each name. What is
not here may change without notice.

The names are imported when first used: a plugin that registers a model or a rule kind
does not load pandas and the analyses (so `isu models` starts quickly).
"""

from __future__ import annotations

import importlib

_FROM = {  # module → the names taken from it ("public=inside" where the two differ)
    # hooks
    "isu_engine.hookspecs": "hookimpl",
    # the model, the data and what an analysis gets
    "isu_engine.configure.model": "Model Field Scale Rule load_model",
    "isu_engine.check.dataset": "Dataset ROW FILE",
    "isu_engine.analyse.context": "AnalysisConfig in_period active_in_period",
    "isu_engine.configure.config": "Period",
    "isu_engine.configure.schema": "Document",
    # rule kinds
    "isu_engine.check.rules": "RuleKind Failure builtin_rule_kinds",
    # results and counting
    "isu_engine.analyse.results": "Section Item Table Column Cell KeyFigure KeyFigures Chart Bar Paragraph text",
    "isu_engine.analyse.tabulate": "Tally Category Population yes_no",
    # building blocks of analyses
    "isu_engine.analyse.generic": "frequency_items multi_frequency_items summary_items change_items categories_of "
                                  "group_columns settings_for cutoffs_by_rules improved_flags change_categories",
    "isu_engine.analyse.distinct": "flags_distinct list_items",
    "isu_engine.analyse.differences": "compare_groups two_way_gender two_way_gender_order",
    "isu_engine.analyse.year_on_year": "previous_year_table YearRow period_name",
    # change on a scale
    "isu_engine.stats.change": "analyse_change pair_wide pair_long ChangeResult effect_size_interval",
    # intervals
    "isu_engine.stats.means": "mean_interval",
    "isu_engine.stats.proportions": "design_effect wilson_interval_design",
    # the harmonized frame for isu compare
    "isu_engine.compare.harmonize": "harmonized_frame describe outcome_from IMPROVED UNCHANGED DETERIORATED "
                                    "NOT_MEASURED",
    # texts and demo data
    "isu_engine.i18n": "t LANGUAGES",
    "isu_engine.numerals": "format_number=number",
    "isu_engine.commands.demo": "rows_to_break",
}

_WHERE = {public: (module, inside)
          for module, names in _FROM.items()
          for public, _, inside in (name.partition("=") for name in names.split())
          for inside in [inside or public]}

__all__ = list(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, inside = _WHERE[name]
    value = getattr(importlib.import_module(module), inside)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
