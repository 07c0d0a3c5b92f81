"""The LOKE annual compilation: the sections of the report, in reading order.

Overview, then the idea against what happened, then the three LOKE blocks (who came, what
they got, the results), group differences and the previous year. Every section is built
through `ctx.section`, so one failing analysis leaves the others standing.
"""

from __future__ import annotations

from isu_engine.api import AnalysisConfig, Dataset, Section

from .compilation import Compilation
from .differences import build_differences
from .idea_report import build_idea
from .intervention import build_intervention
from .overview import build_overview
from .previous_year import build_previous_year
from .result import build_result
from .target_group import build_target_group

SECTIONS = (
    ("loke.overview", "loke.overview.title", build_overview, 10),
    ("loke.idea", "loke.idea.title", build_idea, 20),
    ("loke.target_group", "loke.target_group.title", build_target_group, 30),
    ("loke.intervention", "loke.intervention.title", build_intervention, 40),
    ("loke.result", "loke.result.title", build_result, 50),
    ("loke.differences", "loke.differences.title", build_differences, 60),
    ("loke.previous_year", "loke.previous.title", build_previous_year, 70),
)


def sections(data: Dataset, ctx: AnalysisConfig) -> list[Section]:
    """Every section of the LOKE report for one dataset."""
    comp = Compilation(data, ctx)
    return [ctx.section(section_id, ctx.t(title), lambda section, build=build: build(section, comp), order=order)
            for section_id, title, build, order in SECTIONS]
