"""What an analysis gets besides its data: the period, settings, texts and the run's tally."""

from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import dataclass, field
from collections.abc import Callable

import numpy as np
import pandas as pd

from isu_engine.configure.config import Config, DatasetConfig, GroupSettings, Period
from isu_engine.errors import UserError
from isu_engine import numerals
from isu_engine.i18n import t
from isu_engine.analyse.results import Cell, Section
from isu_engine.analyse.tabulate import Population, Tally


def shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def default_period(frame: pd.DataFrame, date_fields: list[str]) -> Period:
    """The calendar year of the latest date in the data (used when the config names no period)."""
    latest = None
    for name in date_fields:
        value = frame[name].max() if name in frame and len(frame) else None
        if value is not None and not pd.isna(value) and (latest is None or value > latest):
            latest = value
    year = latest.year if latest is not None else dt.date.today().year
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), explicit=False)


@dataclass
class AnalysisConfig:
    """The settings an analysis works with (passed to plugins as `config`)."""

    config: Config
    dataset: DatasetConfig
    period: Period
    tally: Tally
    failures: list[str] = field(default_factory=list)
    exclusions: list[tuple[str, str, Cell]] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.config.language

    @property
    def groups(self) -> GroupSettings:
        return self.config.groups

    @property
    def internal(self) -> bool:
        return self.config.internal

    @property
    def min_cell(self) -> int:
        return self.config.min_cell

    def t(self, key: str, **params) -> str:
        return t(key, self.language, **params)

    def number(self, value: float, decimals: int | None = None) -> str:
        """A number as the report language writes it ("0,05" in Swedish); as many decimals as it needs by default."""
        return numerals.number(value, self.language, decimals)

    def exclude(self, analysis: str, reason: str, population: Population, units) -> Cell | None:
        """Record that `units` were left out of an analysis, and why (counted under data quality)."""
        if not len(units):
            return None
        cell = self.tally.count(population, units, [("excluded", reason)])
        self.exclusions.append((analysis, reason, cell))
        return cell

    def previous_period(self) -> Period:
        """The same period one year earlier (for comparison with the previous year)."""
        return Period(shift_years(self.period.start, -1), shift_years(self.period.end, -1))

    def age_band_labels(self) -> list[str]:
        return [self.t("common.age_band", low=low, high=high) for low, high in self.config.age_bands]

    def age_bands(self, ages: pd.Series) -> pd.Series:
        """Each age as the label of its age band (NA outside every band or missing)."""
        labels = self.age_band_labels()
        values = ages.to_numpy(dtype="float64", na_value=np.nan)  # a missing age is in no band
        result = np.full(len(values), pd.NA, dtype=object)
        for (low, high), label in zip(self.config.age_bands, labels, strict=True):
            result[(values >= low) & (values <= high)] = label
        return pd.Series(result, index=ages.index, dtype=object)

    def section(self, section_id: str, title: str, build: Callable[[Section], None], order: int = 50) -> Section:
        """A section filled by `build`; if it raises, the section is marked failed and the error kept."""
        section = Section(id=section_id, title=title, order=order)
        try:
            build(section)
        except UserError:
            raise
        except Exception as error:  # one failing analysis must not take the report down
            frame = traceback.extract_tb(error.__traceback__)[-1]
            section.items.clear()
            section.questions.clear()
            section.status = "failed"
            section.error = f"{type(error).__name__}: {error} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"
            self.failures.append(section_id)
        return section


def in_period(dates: pd.Series, period: Period) -> pd.Series:
    """Dates inside the period (inclusive)."""
    values = _datetimes(dates)
    return pd.Series((values >= _midnight(period.start)) & (values <= _midnight(period.end)), index=dates.index)


def active_in_period(start: pd.Series, end: pd.Series, period: Period) -> pd.Series:
    """Cases active during the period: start ≤ period end and (no end or end ≥ period start)."""
    ends = _datetimes(end)
    active = (_datetimes(start) <= _midnight(period.end)) & (np.isnat(ends) | (ends >= _midnight(period.start)))
    return pd.Series(active, index=start.index)


def _datetimes(dates: pd.Series) -> np.ndarray:
    """Dates as numpy datetimes (a missing date is NaT, which no comparison holds for)."""
    return dates.to_numpy(dtype="datetime64[ns]")


def _midnight(day: dt.date) -> np.datetime64:
    return np.datetime64(day, "ns")

