"""The harmonized frame: one row per case or client episode, in columns every model can fill.

A comparison (`isu compare`) puts datasets of different models side by side through
this frame. A model's plugin supplies it with the `harmonize` function it registers; a model
without one (a YAML-only model) gets it from its roles and scales (`generic_harmonized`).

Columns (one row per unit of analysis in the period; `COLUMNS` gives the dtypes):

- dataset, model: the dataset's and the model's name;
- subject: the client or case id; unit, gender (the model's gender codes), age;
- start, end: when the case or episode began, and when it ended — NaT while it is open
  at the period's end (for long data without endings: the last occasion);
- contacts: contacts or sessions (the definition is in the metadata); duration_days:
  end − start in days (NA while open);
- ended_planned: True / False for units that ended, NA while open or when the model
  cannot tell;
- outcome: improved | unchanged | deteriorated | not_measured, from the model's own
  change definition; goal_attained: True / False / NA (NA when not assessed, and always
  for models without goal attainment); feedback: the client's feedback as a number on
  the model's own scale, or NA.

`frame.attrs` describes what the columns mean for this model (see `ATTRS`): the unit of
analysis, the definition behind each column (None when the model does not measure it),
who answers, what the model shows that others don't, and `unit_kind`: the kind of unit
each row is in the model's own report ("rows", "episodes" …). The frame's index holds
those units' keys, so that the comparison counts the same units as the report and
disclosure control sees how their numbers relate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types

from isu_engine.analyse.context import AnalysisConfig, active_in_period, in_period
from isu_engine.check.dataset import ROW, Dataset
from isu_engine.errors import UserError
from isu_engine.analyse.generic import cutoffs_by_rules, settings_for
from isu_engine.configure.model import Model
from isu_engine.configure.plugins import Registry, call_declared
from isu_engine.stats.change import analyse_change
from isu_engine.stats.pairing import pair_scale

COLUMNS: dict[str, str] = {
    "dataset": "text", "model": "text", "subject": "text", "unit": "text", "gender": "text", "age": "number",
    "start": "date", "end": "date", "contacts": "number", "duration_days": "number", "ended_planned": "flag",
    "outcome": "text", "goal_attained": "flag", "feedback": "number",
}
IMPROVED, UNCHANGED, DETERIORATED, NOT_MEASURED = "improved", "unchanged", "deteriorated", "not_measured"
OUTCOMES = (IMPROVED, UNCHANGED, DETERIORATED, NOT_MEASURED)
OUTCOME_OF = {
    "recovered": IMPROVED, "improved": IMPROVED, "better": IMPROVED,
    "unchanged": UNCHANGED, "same": UNCHANGED,
    "deteriorated": DETERIORATED, "harmed": DETERIORATED, "worse": DETERIORATED,
}
RESPONDENTS = ("client", "staff")
DEFINITIONS = ("contacts", "duration", "ending", "outcome", "goal", "feedback")
"""The aspects whose definition a harmonized frame states (None: the model does not measure it)."""
ATTRS = ("unit_of_analysis", "units", "target_group", "definitions", "outcome_measure", "feedback_scale",
         "respondents", "measures_only", "unit_kind")
HARMONIZE_KEYS = ("subject", "unit", "gender", "age", "start", "end", "contacts")
"""The common names a model's `harmonize:` mapping may give a field for."""
CORE = "isu_engine"


class HarmonizeError(ValueError):
    """A harmonized frame that breaks the contract; the message names the plugin and the dataset."""


def harmonized_frame(*, dataset: str, model: str, subject: pd.Series, unit: pd.Series | None = None,
                     gender: pd.Series | None = None, age: pd.Series | None = None, start: pd.Series | None = None,
                     end: pd.Series | None = None, contacts: pd.Series | None = None,
                     ended_planned: pd.Series | None = None, outcome: pd.Series | None = None,
                     goal_attained: pd.Series | None = None, feedback: pd.Series | None = None) -> pd.DataFrame:
    """A frame in the contract's columns and dtypes; every series is aligned on `subject`'s index.

    duration_days is computed as end − start in days; a column left out is all missing
    (outcome: not_measured).
    """
    index = subject.index

    def aligned(values: pd.Series | None, missing: Any = pd.NA) -> pd.Series:
        if values is None:
            return pd.Series(missing, index=index, dtype=object)
        return values.reindex(index)

    start_dates = _dates(aligned(start))
    end_dates = _dates(aligned(end))
    frame = pd.DataFrame({
        "dataset": pd.Series(dataset, index=index, dtype=object),
        "model": pd.Series(model, index=index, dtype=object),
        "subject": subject.astype(object),
        "unit": _text(aligned(unit)),
        "gender": _text(aligned(gender)),
        "age": _numbers(aligned(age)),
        "start": start_dates,
        "end": end_dates,
        "contacts": _numbers(aligned(contacts)),
        "duration_days": (end_dates - start_dates).dt.days.astype("float64"),
        "ended_planned": aligned(ended_planned).astype("boolean"),
        "outcome": _text(aligned(outcome)).where(lambda s: s.notna(), NOT_MEASURED),
        "goal_attained": aligned(goal_attained).astype("boolean"),
        "feedback": _numbers(aligned(feedback)),
    }, index=index)
    return frame


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), None)


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype(object).where(values.notna(), np.nan)).astype("float64")


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype(object).where(values.notna(), None)).astype("datetime64[ns]")


def describe(frame: pd.DataFrame, *, unit_of_analysis: str, units: str, target_group: str,
             definitions: dict[str, str | None], outcome_measure: str | None = None, feedback_scale: str | None = None,
             respondents: dict[str, str | None] | None = None, measures_only: str = "",
             unit_kind: str = "rows") -> pd.DataFrame:
    """Attach what the columns mean for this model (`frame.attrs`, keys `ATTRS`) and return the frame."""
    frame.attrs.update({
        "unit_of_analysis": unit_of_analysis, "units": units, "target_group": target_group,
        "definitions": {aspect: definitions.get(aspect) for aspect in DEFINITIONS},
        "outcome_measure": outcome_measure, "feedback_scale": feedback_scale,
        "respondents": {aspect: (respondents or {}).get(aspect) for aspect in ("outcome", "goal", "feedback")},
        "measures_only": measures_only, "unit_kind": unit_kind,
    })
    return frame


def outcome_from(categories: pd.Series, index: pd.Index) -> pd.Series:
    """Change categories of paired units (Jacobson–Truax, reliable change or better/same/worse) as outcomes;
    units of `index` without a category are not measured."""
    mapped = categories.astype(object).map(OUTCOME_OF)
    return mapped.reindex(index).astype(object).where(lambda s: s.notna(), NOT_MEASURED)


def validate_harmonized(frame: Any, plugin: str, dataset: str) -> pd.DataFrame:
    """The frame in contract column order, or a HarmonizeError naming the plugin and what is wrong."""

    def fail(problem: str) -> HarmonizeError:
        return HarmonizeError(f"the harmonized frame from '{plugin}' for dataset '{dataset}' is not valid: {problem}")

    if not isinstance(frame, pd.DataFrame):
        raise fail(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [name for name in COLUMNS if name not in frame.columns]
    if missing:
        raise fail(f"missing columns {missing}")
    for name, kind in COLUMNS.items():
        if not _has_kind(frame[name], kind):
            raise fail(f"column '{name}' should hold {kind} values, not {frame[name].dtype}")
    if frame.index.has_duplicates:
        raise fail("the index must hold each unit once (the keys the model's own report counts)")
    if frame["subject"].isna().any():
        raise fail("'subject' has missing values")
    unknown = sorted(set(frame["outcome"].dropna().astype(str)) - set(OUTCOMES))
    if unknown or frame["outcome"].isna().any():
        raise fail(f"'outcome' must be one of {list(OUTCOMES)}, found {unknown or ['a missing value']}")
    if (frame["ended_planned"].notna() & frame["end"].isna()).any():
        raise fail("'ended_planned' is set for a unit without an end date")
    for name in ("contacts", "duration_days"):
        if (frame[name] < 0).any():
            raise fail(f"'{name}' has negative values")
    _check_attrs(frame.attrs, fail)
    result = frame[list(COLUMNS)]
    result.attrs = dict(frame.attrs)
    return result


def _has_kind(column: pd.Series, kind: str) -> bool:
    if kind == "text":
        return types.is_object_dtype(column) or types.is_string_dtype(column)
    if kind == "number":
        return types.is_numeric_dtype(column) and not types.is_bool_dtype(column)
    if kind == "date":
        return types.is_datetime64_dtype(column)
    return bool(types.is_bool_dtype(column) or column.isna().all())


def _check_attrs(attrs: dict, fail) -> None:
    absent = [key for key in ATTRS if key not in attrs]
    if absent:
        raise fail(f"frame.attrs lacks {absent} (see isu_engine.compare.harmonize.describe)")
    for key in ("unit_of_analysis", "units", "target_group"):
        if not isinstance(attrs[key], str) or not attrs[key]:
            raise fail(f"frame.attrs['{key}'] must be a text")
    definitions = attrs["definitions"]
    if not isinstance(definitions, dict) or set(definitions) != set(DEFINITIONS):
        raise fail(f"frame.attrs['definitions'] must have the keys {list(DEFINITIONS)}")
    respondents = attrs["respondents"]
    if not isinstance(respondents, dict) or any(v not in (None, *RESPONDENTS) for v in respondents.values()):
        raise fail(f"frame.attrs['respondents'] values must be one of {list(RESPONDENTS)} or None")
    if not isinstance(attrs["unit_kind"], str) or not attrs["unit_kind"]:
        raise fail("frame.attrs['unit_kind'] must be a text")


def harmonize_dataset(dataset: Dataset, ctx: AnalysisConfig, registry: Registry) -> pd.DataFrame:
    """The dataset's harmonized frame: from the model's plugin when it gives one, else from the YAML."""
    entry = registry.models.get(dataset.model.name)
    if entry is not None and entry.harmonize is not None:
        try:
            result = call_declared(entry.harmonize, model=dataset.model, data=dataset, config=ctx)
        except UserError:
            raise
        except Exception as error:
            raise HarmonizeError(f"the plugin '{entry.plugin}' failed to harmonize dataset '{dataset.name}': "
                                 f"{type(error).__name__}: {error}") from error
        if result is not None:
            return validate_harmonized(result, entry.plugin, dataset.name)
    try:
        frame = generic_harmonized(dataset, ctx)
    except (HarmonizeError, UserError):
        raise
    except Exception as error:  # a model the roles cannot describe must not take the comparison down
        raise HarmonizeError(f"dataset '{dataset.name}' (model '{dataset.model.name}') could not be harmonized "
                             f"from its roles and scales: {type(error).__name__}: {error}") from error
    return validate_harmonized(frame, CORE, dataset.name)


def _harmonize_field(model: Model, common: str) -> str | None:
    """The field for a common column: the model's `harmonize:` mapping, else a field of that name."""
    if common in model.harmonize:
        return model.harmonize[common]
    if common in ("age", "subject") and (found := model.field_with_role(common)) is not None:
        return found.name
    return common if common in model.fields and common not in ("start", "end", "contacts") else None


def generic_harmonized(dataset: Dataset, ctx: AnalysisConfig) -> pd.DataFrame:
    """A harmonized frame from a model's roles and scales alone (no plugin code).

    Long data: one row per subject; with dated occasions, per subject with an occasion in the
    period, start/end = its first/last occasion up to the period end and contacts = its rows
    in the period (undated: every subject, contacts = its rows). Wide data: one row per row of
    the file (active in the period when `harmonize:` maps start and end). Outcome: change on the
    model's first scale. Endings, goal attainment and feedback are not known without a plugin.
    """
    model = dataset.model
    unknown = sorted(set(model.harmonize) - set(HARMONIZE_KEYS))
    if unknown:
        raise HarmonizeError(f"model '{model.name}': harmonize: names unknown common columns {unknown}; "
                             f"known: {list(HARMONIZE_KEYS)}")
    field = {common: _harmonize_field(model, common) for common in HARMONIZE_KEYS}
    occasion = model.field_with_role("occasion")
    dated_by = occasion.name if occasion is not None and occasion.type in ("date", "datetime") else None
    dated = dated_by is not None
    subject = field["subject"]
    long = model.format == "long" and subject is not None
    if model.format == "long" and subject is not None:
        units, rows, columns = _long_units(dataset.frame, subject, dated_by, ctx)
    else:
        units, rows, columns = _wide_units(dataset.frame, field, dated_by, ctx)
    unit_word, units_word = ctx.t("comparison.unit.subject"), ctx.t("comparison.unit.subjects")
    outcome, outcome_definition, outcome_measure = _generic_outcome(dataset, ctx, units, rows, field["subject"],
                                                                    units_word)
    frame = harmonized_frame(
        dataset=dataset.name, model=model.name, subject=columns["subject"],
        unit=units[field["unit"]] if field["unit"] else None,
        gender=units[field["gender"]] if field["gender"] else None,
        age=units[field["age"]] if field["age"] else None, start=columns.get("start"), end=columns.get("end"),
        contacts=columns.get("contacts"), outcome=outcome)
    title = {name: model.fields[name].title(ctx.language) for name in filter(None, field.values())}
    contacts: str | None
    if long:
        target = ctx.t("comparison.target.with_occasion" if dated else "comparison.target.all_rows", units=units_word)
        contacts = ctx.t("comparison.contacts.rows" if dated else "comparison.contacts.rows_all", unit=unit_word)
        duration = ctx.t("comparison.duration.occasions") if dated else None
    else:
        start_field, end_field, recorded = field["start"], field["end"], field["contacts"]
        dates = start_field is not None and end_field is not None
        target = ctx.t("comparison.target.active" if dates else "comparison.target.all_rows", units=units_word)
        contacts = ctx.t("comparison.contacts.recorded", field=title[recorded], unit=unit_word,
                         units=units_word) if recorded else None
        duration = ctx.t("comparison.duration.dates", start=title[start_field], end=title[end_field],
                         units=units_word) if start_field is not None and end_field is not None else None
    return describe(frame, unit_of_analysis=unit_word, units=units_word, target_group=target,
                    definitions={"contacts": contacts, "duration": duration, "outcome": outcome_definition},
                    outcome_measure=outcome_measure, unit_kind="subjects" if long else "rows",
                    measures_only=model.description.get(ctx.language) or model.description.get("sv", ""))


def _long_units(frame: pd.DataFrame, subject: str, occasion: str | None, ctx: AnalysisConfig):
    """Subjects with an occasion in the period (every subject when the occasion is not a date): first row
    each, rows up to the period end, and columns (start and end only for dated occasions)."""
    if occasion is None:
        rows = frame.sort_values(ROW, kind="stable")
        units = rows.drop_duplicates(subject, keep="first").set_index(subject, drop=False)
        return units, rows, {"subject": units[subject].astype(str),
                             "contacts": rows.groupby(subject).size().astype("float64")}
    rows = frame[(frame[occasion] <= pd.Timestamp(ctx.period.end)).fillna(False)]
    inside = in_period(rows[occasion], ctx.period).fillna(False)
    rows = rows[rows[subject].isin(pd.unique(rows.loc[inside, subject]))].sort_values([occasion, ROW], kind="stable")
    units = rows.drop_duplicates(subject, keep="first").set_index(subject, drop=False)
    dates = rows.groupby(subject)[occasion]
    in_period_rows = rows[in_period(rows[occasion], ctx.period).fillna(False)]
    columns = {
        "subject": units[subject].astype(str),
        "start": dates.min(), "end": dates.max(),
        "contacts": in_period_rows.groupby(subject).size().astype("float64"),
    }
    return units, rows, columns


def _wide_units(frame: pd.DataFrame, field: dict[str, str | None], occasion: str | None, ctx: AnalysisConfig):
    """Rows of the period (by start and end, else by the occasion date, else all) and their columns."""
    if field["start"] and field["end"]:
        frame = frame[active_in_period(frame[field["start"]], frame[field["end"]], ctx.period)]
    elif occasion is not None:
        frame = frame[in_period(frame[occasion], ctx.period).fillna(False)]
    subject = frame[field["subject"]].astype(str) if field["subject"] else frame[ROW].astype(str)
    columns: dict[str, Any] = {"subject": subject}
    for common in ("start", "end", "contacts"):
        if field[common]:
            columns[common] = frame[field[common]]
    return frame, frame, columns


def _generic_outcome(dataset: Dataset, ctx: AnalysisConfig, units: pd.DataFrame, rows: pd.DataFrame,
                     subject: str | None, units_word: str) -> tuple[pd.Series | None, str | None, str | None]:
    """Outcome per unit from the model's first scale, its definition and its short name (None without a scale)."""
    model = dataset.model
    if not model.scales:
        return None, None, None
    scale = next(iter(model.scales.values()))
    long = not (scale.pre and scale.post)
    if long and (subject is None or scale.score_field is None):
        return None, None, None
    paired = pair_scale(units if not long else rows, subject=subject or ROW, scale=scale,
                        occasion=model.field_with_role("occasion"), order_column=ROW, until=ctx.period.end)
    if long:
        paired = paired.set_index("subject")
    paired_units = units.loc[paired.index]
    cutoffs = None
    if scale.cutoff is not None and scale.cutoff.kind == "rules":
        cutoffs = cutoffs_by_rules(scale.cutoff, paired_units)
        cutoffs.index = paired.index
    result = analyse_change(paired["pre"], paired["post"], settings_for(scale), cutoffs=cutoffs)
    title = scale.title(ctx.language)
    points = "–" if result.reliable_change_points is None else f"{result.reliable_change_points:.3g}"
    definition = ctx.t(f"comparison.outcome.{result.method}", scale=title, points=points,
                       who=ctx.t("comparison.who.paired", units=units_word))
    measure = ctx.t(f"comparison.outcome_short.{result.method}", scale=title, points=points)
    return outcome_from(result.categories, units.index), definition, measure
