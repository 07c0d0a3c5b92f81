"""The engine's public interface for model plugins: everything a plugin may import from the core.

A plugin imports from this module only (and `hookimpl` from `isu_engine`); a test keeps
FIT, LOKE and the GAS example to it, and docs/plugins.md describes each name. What is
not here may change without notice.
"""

from __future__ import annotations

from isu_engine.analyse.context import AnalysisConfig, active_in_period, in_period
from isu_engine.analyse.differences import compare_groups, two_way_gender, two_way_gender_order
from isu_engine.analyse.distinct import flags_distinct, list_items
from isu_engine.analyse.generic import (categories_of, change_categories, change_items, cutoffs_by_rules,
                                        frequency_items, group_columns, improved_flags, multi_frequency_items,
                                        settings_for, summary_items)
from isu_engine.analyse.results import (Bar, Cell, Chart, Column, KeyFigure, KeyFigures, Paragraph, Section, Table,
                                        text)
from isu_engine.analyse.year_on_year import YearRow, period_name, previous_year_table
from isu_engine.analyse.tabulate import Category, Population, Tally
from isu_engine.check.dataset import FILE, ROW, Dataset
from isu_engine.check.rules import Failure, RuleKind, builtin_rule_kinds
from isu_engine.commands.demo import rows_to_break
from isu_engine.compare.harmonize import (DETERIORATED, IMPROVED, NOT_MEASURED, UNCHANGED, describe,
                                          harmonized_frame, outcome_from)
from isu_engine.configure.config import Period
from isu_engine.configure.model import Field, Model, Rule, Scale, load_model
from isu_engine.configure.schema import Document
from isu_engine.hookspecs import hookimpl
from isu_engine.i18n import LANGUAGES, t
from isu_engine.numerals import number as format_number
from isu_engine.stats.change import ChangeResult, analyse_change, effect_size_interval, pair_long, pair_wide
from isu_engine.stats.means import mean_interval
from isu_engine.stats.proportions import design_effect, wilson_interval_design

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
    "Tally", "Category", "Population",
    # building blocks of analyses
    "frequency_items", "multi_frequency_items", "summary_items", "change_items", "categories_of", "group_columns",
    "settings_for", "cutoffs_by_rules", "improved_flags", "change_categories", "flags_distinct", "list_items",
    "compare_groups", "two_way_gender", "two_way_gender_order", "previous_year_table", "YearRow", "period_name",
    # change on a scale
    "analyse_change", "pair_wide", "pair_long", "ChangeResult", "effect_size_interval",
    # intervals
    "mean_interval", "design_effect", "wilson_interval_design",
    # the harmonized frame for isu compare
    "harmonized_frame", "describe", "outcome_from", "IMPROVED", "UNCHANGED", "DETERIORATED",
    "NOT_MEASURED",
    # texts and demo data
    "t", "LANGUAGES", "format_number", "rows_to_break",
]
