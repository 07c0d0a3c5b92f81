"""The rule kind `filled_in_order`: fields that must be filled from the first, without gaps.

GAS goals are numbered: goal 2 without goal 1 is a mistake in the data. In a model:

    - {type: filled_in_order, id: goals_in_order, fields: [goal_1_baseline, goal_2_baseline, …]}

A row breaks the rule at every listed field that is filled after an empty one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from isu_engine.api import Failure, Rule, RuleKind

if TYPE_CHECKING:
    import pandas as pd


def _filled_in_order(frame: pd.DataFrame, rule: Rule) -> list[Failure]:
    names = rule.params["fields"]
    filled = frame[names].notna()
    gap_seen = (~filled).cummax(axis=1)
    listed = ", ".join(names)
    return [Failure(filled[name] & gap_seen[name], name, "gas.rule.filled_in_order", {"fields": listed})
            for name in names[1:]]


FILLED_IN_ORDER = RuleKind("filled_in_order", ("fields",), ("fields",), _filled_in_order, ("fields",),
                           list_keys=("fields",))
