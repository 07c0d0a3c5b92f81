"""Per-row answers worked out once per distinct value.

Text columns in ISU data hold few distinct values (genders, interventions, problem-area
lists) over many rows. Running Python on each distinct value and spreading the answers
back by the factorized codes gives the same result as running it on every row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import take


def map_distinct(values: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """`values.map(func)` for a func that maps missing to missing; func runs once per distinct present value."""
    codes, uniques = pd.factorize(values)
    mapped = pd.Series([func(value) for value in uniques], dtype=None if len(uniques) else object)
    return pd.Series(take(mapped.array, codes, allow_fill=True), index=values.index)


def flags_distinct(values: pd.Series, test: Callable[[Any], bool]) -> np.ndarray:
    """`test(value)` per row as booleans, False where the value is missing; test runs once per distinct value."""
    codes, uniques = pd.factorize(values)
    answers = np.array([bool(test(value)) for value in uniques] + [False], dtype=bool)
    return answers[codes]


def list_item_rows(values: pd.Series, delimiter: str) -> dict[str, np.ndarray]:
    """For a list field (items joined by `delimiter`): for each non-empty item, which rows hold it at least once."""
    codes, uniques = pd.factorize(values)
    holders: dict[str, list[int]] = {}
    for code, value in enumerate(uniques):
        if isinstance(value, str):
            for item in dict.fromkeys(value.split(delimiter)):
                if item:
                    holders.setdefault(item, []).append(code)
    return {item: np.isin(codes, held) for item, held in holders.items()}


def list_items(value: Any, delimiter: str) -> list[str]:
    """The non-empty items of one list-field value (none when it is not text)."""
    return [item for item in value.split(delimiter) if item] if isinstance(value, str) else []
