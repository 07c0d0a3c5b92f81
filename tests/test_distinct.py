"""Answers worked out once per distinct value equal the answers worked out row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isu_engine.analyse.distinct import flags_distinct, list_item_rows, list_items, map_distinct

texts = st.lists(st.one_of(st.none(), st.sampled_from(["flicka", "pojke", " Flicka", "", "annat;", "a;b", "b;a;a",
                                                        ";;", "ÅÄÖ;åäö"])), max_size=30)


def series(values: list, dtype) -> pd.Series:
    return pd.Series(values, dtype=dtype, index=pd.RangeIndex(100, 100 + len(values)))


@settings(deadline=None)
@given(texts, st.sampled_from([object, "string", "str"]))
def test_map_distinct_is_map(values, dtype):
    column = series(values, dtype)
    result = map_distinct(column, lambda v: v.upper())
    expected = [None if pd.isna(v) else v.upper() for v in column]
    assert [None if pd.isna(v) else v for v in result] == expected
    assert result.index.equals(column.index)


@settings(deadline=None)
@given(texts, st.sampled_from([object, "string", "str"]))
def test_flags_distinct_tests_each_present_value(values, dtype):
    column = series(values, dtype)
    flags = flags_distinct(column, lambda v: v.strip().casefold() == "flicka")
    assert flags.tolist() == [not pd.isna(v) and v.strip().casefold() == "flicka" for v in column]


@settings(deadline=None)
@given(texts, st.sampled_from([object, "string", "str"]))
def test_list_item_rows_mark_the_rows_holding_each_item(values, dtype):
    column = series(values, dtype)
    expected: dict[str, list[bool]] = {}
    for position, value in enumerate(column):
        if isinstance(value, str):
            for item in {item for item in value.split(";") if item}:
                expected.setdefault(item, [False] * len(column))[position] = True
    assert {item: rows.tolist() for item, rows in list_item_rows(column, ";").items()} == expected


def test_list_items_by_hand():
    assert list_items("a;;b; ", ";") == ["a", "b", " "]
    assert list_items(np.nan, ";") == [] and list_items("", ";") == []


@pytest.mark.parametrize("dtype", [object, "string"])
def test_everything_missing(dtype):
    column = series([None, None], dtype)
    assert map_distinct(column, str.upper).isna().all()
    assert flags_distinct(column, lambda v: True).tolist() == [False, False]
    assert list_item_rows(column, ";") == {}
    assert list_item_rows(series([], dtype), ";") == {}
    assert len(map_distinct(series([], dtype), str.upper)) == 0
