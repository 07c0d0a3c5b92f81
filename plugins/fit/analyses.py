"""The FIT report sections, in order: volume, outcome, alliance, local expected trajectory, over time,
compared with the previous year. Each runs on its own, so one failing analysis leaves the others."""

from __future__ import annotations

from isu_engine.api import AnalysisConfig, Dataset, Section

from .alliance import build_alliance
from .expected import build_trajectory
from .inputs import FitInputs
from .outcome import build_outcome
from .over_time import build_over_time
from .previous_year import build_previous_year
from .volume import build_volume

SECTIONS = (
    ("fit.volume", build_volume, 10),
    ("fit.outcome", build_outcome, 20),
    ("fit.alliance", build_alliance, 30),
    ("fit.trajectory", build_trajectory, 40),
    ("fit.over_time", build_over_time, 50),
    ("fit.previous_year", build_previous_year, 60),
)


def sections(data: Dataset, config: AnalysisConfig) -> list[Section]:
    """The FIT sections for one dataset; the continuous compilation only when the config has a period step."""
    fit = FitInputs(ctx=config, dataset=data)
    result = []
    for section_id, build, order in SECTIONS:
        if section_id == "fit.over_time" and config.config.period_step == "none":
            continue
        result.append(config.section(section_id, config.t(f"{section_id}.title"),
                                     lambda section, build=build: build(section, fit), order=order))
    return result
