"""The shortcuts of whole-column reading give exactly what the full kernels give.

Numbers and dates are read once per distinct value, stripping keeps the column when no cell
changes, and a file without quotation marks is split at its line ends; each is checked against
the full reading.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings, strategies as st

from isu_engine.check import coerce
from isu_engine.check.coerce import TEXT, as_text, parse_date_text, to_number
from isu_engine.read.readers import _parse_clean_records

WRITTEN = ["", "6,4", "6.4", "12", "-3,5", "1.250", "1,250", "1 234,5", "\u22123,5", "1.234.567,5", "12,345.6",
           "+4", "1e3", "inf", "nan", ".5", "5 st", "abc", "0,0001", "99999999999", "1,234", "1.234", "-0",
           "2024-01-01", "20240301", "3/4/2024", "4.5.2024", "2024-13-01", "2024-02-29", "2023-02-29",
           "2024-01-01 10:00", "2024-01-01T10:00:00.5", "45000", "1799-01-01", "2200-01-01", "\u0663", " 7 ",
           "1.5E+3", "12.", "-.5", "1\u00a0234"]
SPACES = " \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u2028\u3000\u200b\ufeff\x00\x7f"

columns = st.lists(st.sampled_from(WRITTEN), min_size=1, max_size=12).flatmap(
    lambda pool: st.lists(st.sampled_from(pool), min_size=0, max_size=300))


def every_cell(monkeypatch) -> None:
    """Make on_distinct run the computation on every cell, as before it existed."""
    monkeypatch.setattr(coerce, "DISTINCT_FROM", 10**9)


@settings(deadline=None)
@given(columns, st.sampled_from([",", ".", "auto"]), st.sampled_from([None, " ", "."]))
def test_numbers_read_once_per_distinct_value_are_those_read_cell_by_cell(cells, decimal, group_char):
    text = as_text(pd.Series(cells, dtype=object))
    shortcut = to_number(text, decimal, group_char).to_numpy()
    with pytest.MonkeyPatch.context() as monkeypatch:
        every_cell(monkeypatch)
        full = to_number(text, decimal, group_char).to_numpy()
    np.testing.assert_array_equal(shortcut, full)


@settings(deadline=None)
@given(columns, st.sampled_from([None, "%Y-%m-%d", "%d/%m/%Y"]))
def test_dates_read_once_per_distinct_value_are_those_read_cell_by_cell(cells, fmt):
    text = as_text(pd.Series(cells, dtype=object))
    shortcut = parse_date_text(text, fmt)
    with pytest.MonkeyPatch.context() as monkeypatch:
        every_cell(monkeypatch)
        full = parse_date_text(text, fmt)
    pd.testing.assert_series_equal(shortcut, full)


texts = st.lists(st.one_of(st.none(), st.text(max_size=6), st.text(alphabet=st.sampled_from(SPACES + "ab1é"),
                                                                     max_size=5)), max_size=40)


@settings(deadline=None)
@given(texts)
def test_stripped_text_is_every_cell_trimmed(cells):
    stripped = as_text(pd.Series(cells, dtype=object))
    expected = pc.utf8_trim_whitespace(pc.fill_null(pa.array(cells, type=pa.large_string()), "")).to_pylist()
    assert stripped.dtype == TEXT
    assert stripped.tolist() == expected


unquoted_cells = st.text(alphabet=st.sampled_from("ab1,;é \t\r\n"), max_size=6)


@settings(deadline=None, max_examples=2 * settings.default.max_examples)  # 200 in the thorough profile
@given(st.lists(st.lists(unquoted_cells, min_size=1, max_size=4), min_size=1, max_size=12),
       st.sampled_from([",", ";"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_file_without_quotation_marks_is_parsed_alike_with_and_without_following_quotes(records, delimiter, end):
    width = max(len(record) for record in records)
    body = end.join(delimiter.join(record) for record in [["h"] * width, *records]).encode("utf-8")
    following = _parse_clean_records(body, delimiter, width, quoted=True)
    at_line_ends = _parse_clean_records(body, delimiter, width, quoted=False)
    if following is None or at_line_ends is None:
        assert following is None and at_line_ends is None
    else:
        pd.testing.assert_frame_equal(following, at_line_ends)
