"""One number formatter for every output: tables, charts, sentences and rule messages, in the report language."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isu_engine import numerals
from isu_engine.render import charts
from isu_engine.render.formatting import format_cell
from isu_engine.analyse.results import Cell

NNBSP = "\u202f"
NBSP = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(("value", "language", "decimals", "expected"), [
    (1234, "sv", 0, f"1{NNBSP}234"),
    (12.5, "sv", 1, "12,5"),
    (-1234567.25, "sv", 1, f"{MINUS}1{NNBSP}234{NNBSP}567,2"),
    (1234.5, "en", 1, "1,234.5"),
    (-12.0, "en", 0, f"{MINUS}12"),
    (-0.04, "sv", 1, "0,0"),
    (999.5, "sv", 0, f"1{NNBSP}000"),
    (1234567.891, "sv", 2, f"1{NNBSP}234{NNBSP}567,89"),
    (0.05, "sv", None, "0,05"),
    (0.05, "en", None, "0.05"),
    (25.0, "sv", None, "25"),
    (0.93, "sv", None, "0,93"),
    (1e-5, "sv", None, "0,00001"),
    (-3.5, "sv", None, f"{MINUS}3,5"),
    (12345.5, "sv", None, f"12{NNBSP}345,5"),
])
def test_numbers_as_the_report_language_writes_them(value, language, decimals, expected):
    assert numerals.number(value, language, decimals) == expected


def test_percent_and_date():
    assert numerals.percent(12.5, "sv", 1) == f"12,5{NBSP}%"
    assert numerals.percent(12.5, "en", 1) == "12.5%"
    assert numerals.date(dt.datetime(2025, 3, 4, 10, 30)) == "2025-03-04"
    assert numerals.date(dt.date(2025, 3, 4)) == "2025-03-04"


@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(["sv", "en"]))
def test_whole_numbers_read_back(value, language):
    printed = numerals.number(value, language, 0)
    digits = printed.replace(NNBSP, "").replace(",", "").replace(MINUS, "-")
    assert int(digits) == value
    groups = printed.lstrip(MINUS).split(NNBSP if language == "sv" else ",")
    assert all(len(group) == 3 for group in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_decimals_read_back(value, decimals):
    printed = numerals.number(value, "sv", decimals)
    number = float(printed.replace(NNBSP, "").replace(",", ".").replace(MINUS, "-"))
    assert abs(number - value) <= 0.5 * 10**-decimals + 1e-6 * abs(value)
    assert printed.count(",") == (1 if decimals else 0)


@given(st.decimals(min_value=-10**6, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_shortest_form_reads_back_exactly(value):
    printed = numerals.number(float(value), "sv")
    assert float(printed.replace(NNBSP, "").replace(",", ".").replace(MINUS, "-")) == float(value)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_chart_writes_thousands_like_a_table(language):
    svg = charts.bar_chart([charts.Bar("a", 2500.0, "2500")], title="t", description="d", axis_label="n",
                           language=language)
    table = format_cell(Cell(2500, "count"), language, 5)
    assert table == ("2\u202f500" if language == "sv" else "2,500")
    assert f">{numerals.number(2000, language, 0)}<" in svg and "\u2009" not in svg


def test_an_english_chart_writes_english_ticks_and_percentages():
    rows = [("a", [charts.Segment("x", 60.0, "60%"), charts.Segment("y", 40.0, "40%")])]
    svg = charts.stacked_bar_chart(rows, segment_names=["x", "y"], title="t", description="d", language="en")
    assert ">20%<" in svg and "20\u00a0%" not in svg
    line = charts.line_chart(["q1", "q2"], [charts.Series("s", [0.5, 1.5])], title="t", description="d",
                             y_label="y", language="en")
    assert ">0.5<" in line and ">0,5<" not in line


@pytest.mark.parametrize("language, max_q, rho", [("sv", "0,05", "0,3"), ("en", "0.05", "0.3")])
def test_a_report_s_method_section_writes_settings_in_its_language(cli, write, tmp_path, language, max_q, rho):
    write("models/m/model.yaml", "name: m\nparameters: {rho: 0.3}\nfields:\n"
                                 "  - {name: id, type: string, role: subject}\n  - {name: score, type: number}\n")
    write("d.csv", "id;score\n" + "".join(f"K{i};{i}\n" for i in range(12)))
    config = write("c.yaml", f"language: {language}\nplugins_dirs: [models]\nreflection_log: null\n"
                             "period: {start: 2025-01-01, end: 2025-12-31}\ndatasets:\n  a: {model: m, source: d.csv}\n")
    result = cli("report", config, "--out", tmp_path / "out", "--format", "json")
    assert result.code == 0, result.err
    tables = {table["id"]: table for table in result.json(tmp_path / "out" / "report.json")["datasets"]["a"]["tables"]}
    rows = {row[0]: row[1] for table in tables.values() if table["id"].endswith("methods.parameters")
            for row in table["rows"]}
    assert rows["rho"] == rho
    assert max_q in rows.values()
