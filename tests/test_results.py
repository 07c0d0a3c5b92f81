"""Result objects: table rows read by column id, a comparison built once, every item shown by the template it names."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from isu_engine.analyse.differences import finalize
from isu_engine.analyse.results import (Adjusted, Cell, Chart, Column, Comparison, Contrast, Item, KeyFigures, Paragraph,
                                        Section, Table, text)
from isu_engine.analyse.tabulate import Population, Tally
from isu_engine.protect.protection import Settings, protect
from isu_engine.protect.records import Records
from isu_engine.render.html import item_template, render_html
from isu_engine.stats.groups import FlagRule

COLUMNS = [Column("group", "Grupp"), Column("n", "Antal", "count"), Column("pct", "Andel", "pct")]


# --- tables ---------------------------------------------------------------------------------


def test_a_row_given_in_column_order_is_read_by_column_id():
    table = Table(id="t", title="T", columns=COLUMNS, rows=[[text("Flickor"), Cell(12, "count"), Cell(60.0, "pct")]])
    [row] = table.rows
    assert list(row) == ["group", "n", "pct"]
    assert (row["group"].value, row["n"].value, row["pct"].value) == ("Flickor", 12, 60.0)
    assert [cell.value for cell in table.column("n")] == [12]


def test_a_row_given_as_a_mapping_is_kept_in_column_order():
    cells = {"pct": Cell(60.0, "pct"), "group": text("Flickor"), "n": Cell(12, "count")}
    table = Table(id="t", title="T", columns=COLUMNS, rows=[cells])
    assert list(table.rows[0]) == ["group", "n", "pct"]
    assert [cell.value for cell in table.cells()] == ["Flickor", 12, 60.0]


@pytest.mark.parametrize("row, problem", [
    ([text("Flickor"), Cell(12, "count")], "2 cells for 3 columns"),
    ([text("Flickor"), Cell(12, "count"), Cell(60.0, "pct"), text("extra")], "4 cells for 3 columns"),
    ({"group": text("Flickor"), "n": Cell(12, "count"), "share": Cell(60.0, "pct")}, "the columns"),
])
def test_a_row_that_does_not_fit_the_columns_is_refused(row, problem):
    with pytest.raises(ValueError, match=problem):
        Table(id="t", title="T", columns=COLUMNS, rows=[row])


def test_a_column_id_used_twice_is_refused():
    with pytest.raises(ValueError, match="used twice"):
        Table(id="t", title="T", columns=[Column("n", "Antal"), Column("n", "Antal igen")], rows=[])


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8).flatmap(
    lambda values: st.tuples(st.just(values), st.permutations(range(len(values))))))
def test_a_row_reads_the_same_by_id_whatever_the_order_it_was_given_in(case):
    values, order = case
    columns = [Column(f"c{i}", f"C{i}", "count") for i in range(len(values))]
    in_order = Table(id="t", title="T", columns=columns, rows=[[Cell(v, "count") for v in values]])
    shuffled = Table(id="t", title="T", columns=columns,
                     rows=[{f"c{i}": Cell(values[i], "count") for i in order}])
    for column in columns:
        assert in_order.rows[0][column.id].value == shuffled.rows[0][column.id].value
    assert [cell.value for cell in shuffled.cells()] == values


# --- the comparison: measured, then adjusted once ------------------------------------------------


def measured_comparison() -> tuple[Comparison, Records]:
    """Women 24 of 30 against men 12 of 30, counted through the tally (p < 0.01, 40 points)."""
    records = Records()
    tally = Tally(records, "d")
    population = Population("cases", "cases")
    flags = pd.Series([True] * 24 + [False] * 6 + [True] * 12 + [False] * 18, index=[f"c{i}" for i in range(60)])
    women = pd.Series(range(60), index=flags.index) < 30
    contrasts = []
    for name, inside, p_value in (("Kvinnor", women, 0.002), ("Män", ~women, 0.002)):
        _, assessed, share = tally.indicator(population, "yes", flags[inside], [("gender", name)])
        _, _, rest = tally.indicator(population, "yes", flags[~inside], [("gender", ("not", name))])
        diff = tally.difference(share, rest, share.value - rest.value)
        contrasts.append(Contrast(name, assessed, share, rest, diff, 30, 30, p_value))
    everyone = tally.indicator(population, "yes", flags, [("gender", ("any",))])[1]
    return Comparison(id="d.cmp", indicator="Avslutade enligt plan", grouping="Kön", contrasts=contrasts,
                      assessed=everyone), records


def test_a_comparison_has_no_table_until_the_reports_tests_are_adjusted():
    comparison, _ = measured_comparison()
    with pytest.raises(RuntimeError, match="before the report's tests are adjusted"):
        comparison.table  # noqa: B018 - reading it is the test
    with pytest.raises(RuntimeError):
        list(Section(id="s", title="S", items=[comparison]).tables())
    # what it measured is there for disclosure control: each group's assessed count, shares, difference, and the total
    assert len(list(comparison.cells())) == 2 * 4 + 1


def test_finalize_builds_the_table_once_with_its_q_values_and_flags_by_column_id():
    comparison, records = measured_comparison()
    section = Section(id="s", title="S", items=[comparison])
    protect(records, [cell.figure for cell in section.all_cells() if cell.figure], Settings(min_cell=5))
    flags = finalize([section], FlagRule(min_group=20), lambda key, **params: key)
    table = comparison.table
    assert [column.id for column in table.columns] == ["group", "n", "pct", "pct_rest", "diff", "q", "flag"]
    assert [cell.value for cell in table.column("group")] == ["Kvinnor", "Män"]
    assert [cell.value for cell in table.column("n")] == [30, 30]
    assert [cell.value for cell in table.column("pct")] == pytest.approx([80.0, 40.0])
    assert [cell.value for cell in table.column("diff")] == pytest.approx([40.0, -40.0])
    # one contrast, read from both rows, in a family of one: q = p
    assert [cell.value for cell in table.column("q")] == pytest.approx([0.002, 0.002])
    assert comparison.q_values == pytest.approx([0.002, 0.002])
    assert [cell.value for cell in table.column("flag")] == ["compare.flagged", "compare.flagged"]
    assert comparison.flagged == [True, True] and flags == 2
    assert section.questions == [] and section.all_questions() == comparison.questions
    assert [q.observation.values["group"].value for q in comparison.questions] == ["Kvinnor", "Män"]
    assert table.n is comparison.assessed and table.note == "compare.family"
    with pytest.raises(RuntimeError, match="already adjusted"):
        comparison.adjust(Adjusted([0.5, 0.5], [False, False], table))
    assert comparison.table is table


def test_a_hidden_group_gets_no_q_and_its_q_cell_is_hidden():
    records = Records()
    tally = Tally(records, "d")
    population = Population("cases", "cases")
    flags = pd.Series([True] * 3 + [False] * 22 + [True] * 10 + [False] * 25, index=[f"c{i}" for i in range(60)])
    first = pd.Series(range(60), index=flags.index) < 25
    contrasts = []
    for name, inside in (("H", first), ("I", ~first)):
        _, assessed, share = tally.indicator(population, "yes", flags[inside], [("g", name)])
        _, _, rest = tally.indicator(population, "yes", flags[~inside], [("g", ("not", name))])
        contrasts.append(Contrast(name, assessed, share, rest, tally.difference(share, rest, 0.0),
                                  int(inside.sum()), int((~inside).sum()), 0.02))
    comparison = Comparison(id="d.h", indicator="x", grouping="g", contrasts=contrasts,
                            assessed=tally.indicator(population, "yes", flags, [("g", ("any",))])[1])
    section = Section(id="s", title="S", items=[comparison])
    protect(records, [cell.figure for cell in section.all_cells() if cell.figure], Settings(min_cell=5))
    finalize([section], FlagRule(min_group=20), lambda key, **params: key)
    assert all(math.isnan(q) for q in comparison.q_values)         # 3 of 25: H's share is hidden
    assert comparison.table.rows[0]["q"].hidden and comparison.table.rows[0]["q"].value is None
    assert comparison.flagged == [False, False] and section.all_questions() == []


# --- the kinds of item and their templates ----------------------------------------------------


def test_every_kind_of_item_names_a_shared_template_that_defines_its_macro():
    from isu_engine.render.html import shared_templates_dir

    for kind in (Table, Chart, KeyFigures, Paragraph, Comparison):
        assert issubclass(kind, Item)
        source = (shared_templates_dir() / kind.template_file).read_text(encoding="utf-8")
        assert f"{{% macro {kind.macro}(" in source, kind.__name__


def test_a_section_item_that_is_not_an_item_is_refused_by_name():
    with pytest.raises(TypeError, match="cannot show dict"):
        item_template({"title": "not an item"})


def test_a_plugin_kind_overrides_nothing_and_is_shown_by_its_own_macro(tmp_path):
    from test_render import make_report

    class Note(Item):
        template_file = "note.html"
        macro = "note"

        def __init__(self, words: str) -> None:
            self.words = words

        def cells(self):
            return iter(())

    (tmp_path / "note.html").write_text('{% macro note(item) %}<p class="own-note">{{ item.words }}</p>{% endmacro %}')
    html = render_html(make_report([Section(id="s", title="S", items=[Note("<b>Egen</b>"),
                                                                        Paragraph.plain("Vanlig text.")])]),
                       template_dirs=[tmp_path])
    assert '<p class="own-note">&lt;b&gt;Egen&lt;/b&gt;</p>' in html          # escaped like every template
    assert "Vanlig text." in html
