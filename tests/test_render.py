"""Tests of rendering: number formats, HTML (escaping, disclosure, layout parts), sandbox, PDF, Excel."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from isu_engine.configure.config import Period
from isu_engine.errors import UserError
from isu_engine.render.chart_text import chart_values_text
from isu_engine.render.formatting import format_cell, format_interval
from isu_engine.render.html import css_content, render_html, shared_templates_dir
from isu_engine.render.xlsx import unique_sheet_names, write_xlsx
from isu_engine.analyse.report import Report, ReportMeta
from isu_engine.analyse.results import (
    Bar,
    Cell,
    Chart,
    Column,
    Adjusted,
    Comparison,
    Contrast,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Question,
    Section,
    Table,
    text,
)
from isu_engine.analyse.tabulate import Population, Tally
from isu_engine.protect.protection import Settings, protect
from isu_engine.protect.records import COUNT, MEAN, SHARE, STATISTIC, Figure, Records

NNBSP = "\u202f"
NBSP = "\u00a0"
ATTACK = '<script>alert(1)</script>" onload="x'
SECRET = 12345
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
HIDDEN_NOTE_SV = "<5 = uppgiften är dold för att skydda enskilda (färre än 5, eller för att en dold uppgift annars skulle kunna räknas fram)."


# --- building reports by hand -----------------------------------------------------------


FIGURE_KINDS = {"count": COUNT, "pct": SHARE, "mean": MEAN}


def cell(value, kind="text", hidden=False, **formats) -> Cell:
    """A cell as disclosure control leaves it: its figure holds the value and says whether it is hidden."""
    figure = Figure(kind=FIGURE_KINDS.get(kind, STATISTIC), dataset="violalund", population="ärenden",
                    unit_kind="cases", value=value, hidden=hidden)
    return Cell(value=value, kind=kind, figure=figure, **formats)


def count(value, hidden=False):
    return cell(value, "count", hidden)


def pct(value, hidden=False, low=None, high=None):
    return cell(value, "pct", hidden, low=low, high=high)


def make_meta(**changes) -> ReportMeta:
    values = dict(
        municipality="Exempelkommun Ärla-Östra", unit="Öppenvården Violalund", dataset="violalund",
        dataset_title="Årlig sammanställning", model="loke", model_title="LOKE", model_version="1.0",
        period=Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), language="sv", min_cell=5, internal=False,
        generated=dt.datetime(2026, 1, 15, 9, 30), engine_version="0.1.0",
        config_sha256="a" * 64, files={"data/violalund.xlsx": "b" * 64},
    )
    values.update(changes)
    return ReportMeta(**values)


def make_sections(label: str = "Flickor") -> list[Section]:
    """One section with every item kind, hidden cells holding SECRET, a failed section, a questions section."""
    table = Table(
        id="by_gender", title="Ärenden efter kön",
        columns=[Column("group", "Kön"), Column("n", "Antal", "count"), Column("pct", "Andel", "pct")],
        rows=[[text(label), count(1234), pct(12.5, low=10.2, high=15.3)],
              [text("Pojkar"), count(SECRET, hidden=True), pct(SECRET, hidden=True)]],
        n=count(1240), note="En anteckning.", definition="Ärenden aktiva under perioden.",
    )
    clean_table = Table(id="plain", title="Tabell utan dolda värden", columns=[Column("a", "A"), Column("b", "B", "count")],
                        rows=[[text("rad"), count(7)]])
    chart = Chart(id="ended", kind="bar", title="Avslutade enligt plan", description="Stapeldiagram över andelar per insats.",
                  axis_label="Andel (%)", bars=[Bar(label, pct(40.0)), Bar("Dold insats", pct(SECRET, hidden=True))],
                  max_value=100, n=count(80))
    stacked = Chart(id="goals", kind="stacked", title="Måluppfyllelse", description="Staplade andelar helt, delvis, inte.",
                    segment_names=["Helt", "Delvis"],
                    stacked_rows=[("Insats A", [Bar("Helt", pct(60.0)), Bar("Delvis", pct(40.0))])])
    line = Chart(id="ors", kind="line", title="ORS per kvartal", description="Linjediagram över medelvärden per kvartal.",
                 axis_label="ORS", x_labels=["K1", "K2"],
                 series=[("Alla", [Cell(20.0, "mean"), cell(SECRET, "mean", hidden=True)], None, None)])
    figures = KeyFigures([KeyFigure("n_cases", "Ärenden", count(245), definition="Aktiva ärenden."),
                          KeyFigure("goal_pct", "Mål uppnådda", pct(SECRET, hidden=True))])
    comparison_table = Table(
        id="cmp", title="Avslutade enligt plan efter kön",
        columns=[Column("group", "Kön"), Column("pct", "Andel", "pct"), Column("flag", "Flagga")],
        rows=[[text("Kvinnor"), pct(80.0), text("flaggad")], [text("Män"), pct(50.0), text("")]],
    )
    comparison = Comparison(
        id="cmp", indicator="avslutade enligt plan", grouping="kön", assessed=count(SECRET + 40),
        contrasts=[Contrast("Kvinnor", count(SECRET), pct(80.0), pct(50.0), cell(30.0, "number"), SECRET, 40, 0.001),
                   Contrast("Män", count(40), pct(50.0), pct(80.0), cell(-30.0, "number"), 40, SECRET, 0.001)])
    comparison.adjust(Adjusted(q_values=[0.002, 0.002], flagged=[True, False], table=comparison_table))
    question = Question("Vad kan skillnaden bero på?",
                        Paragraph("{group}: {pct} jämfört med {rest}.",
                                  {"group": text("Kvinnor"), "pct": pct(80.0), "rest": pct(50.0)}))
    hidden_with_fallback = Paragraph("Dolt antal {n} här.", {"n": count(SECRET, hidden=True)},
                                     fallback="Ett fåtal ärenden.")
    hidden_without_fallback = Paragraph("Bland pojkarna var {n} yngre än 6 år.", {"n": count(SECRET, hidden=True)})
    return [
        Section(id="overview", title="Översikt", intro="Inledning till översikten.",
                items=[figures, table, clean_table, hidden_with_fallback, hidden_without_fallback]),
        Section(id="charts", title="Diagram", items=[chart, stacked, line]),
        Section(id="groups", title="Skillnader mellan grupper", items=[comparison], questions=[question]),
        Section(id="broken", title="Nöjdhet", intro="INTRO-FAILED", status="failed",
                error="KeyError: 'satisfaction'",
                items=[Table(id="x", title="TABLE-FAILED", columns=[Column("a", "A")], rows=[[text("a")]])]),
    ]


def tallied_table() -> Table:
    """Cases by gender counted from their units and protected: 17 girls and 3 boys among 20 cases whose
    keys are personal identity numbers (Skatteverket's test series)."""
    records = Records()
    tally = Tally(records, "violalund")
    genders = pd.Series(["flicka"] * 17 + ["pojke"] * 3, index=[f"19121212-12{i:02d}" for i in range(20)])
    rows, total = tally.distribution(Population("cases", "cases"), "gender", genders,
                                     [("flicka", "Flickor"), ("pojke", "Pojkar")], "Saknas")
    table = Table(id="by_gender", title="Ärenden efter kön",
                  columns=[Column("group", "Kön"), Column("n", "Antal", "count"), Column("pct", "Andel", "pct")],
                  rows=[[text(row.label), row.count, row.pct] for row in rows], n=total)
    protect(records, [c.figure for c in table.cells() if c.figure is not None], Settings(min_cell=5))
    return table


def make_report(sections: list[Section] | None = None, hidden_cells: int = 7, **meta) -> Report:
    return Report(meta=make_meta(**meta), sections=sections if sections is not None else make_sections(),
                  hidden_cells=hidden_cells)


class _Text(HTMLParser):
    """The text a reader sees (style contents left out), with entities decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag == "style"

    def handle_endtag(self, tag):
        self._skip -= tag == "style"

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


class _Tags(HTMLParser):
    """Every element name and attribute name in a document."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.attributes.update(name for name, _ in attrs)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts)).strip()


def element(html: str, start: str, end: str) -> str:
    """The part of `html` from the first `start` to the next `end`."""
    begin = html.index(start)
    return html[begin:html.index(end, begin)]


# --- number and cell formats ------------------------------------------------------------


def test_cell_formats():
    assert format_cell(pct(12.5), "sv", 5) == f"12,5{NBSP}%"
    assert format_cell(pct(12.5), "en", 5) == "12.5%"
    assert format_cell(pct(12.345, ), "sv", 5) == f"12,3{NBSP}%"
    assert format_cell(Cell(12.345, "pct", decimals=2), "sv", 5) == f"12,35{NBSP}%"
    assert format_cell(count(1234.0), "sv", 5) == f"1{NNBSP}234"
    assert format_cell(Cell(2.0, "mean"), "sv", 5) == "2,0"
    assert format_cell(Cell(0.456, "effect", decimals=2), "en", 5) == "0.46"
    assert format_cell(Cell(dt.datetime(2025, 3, 1, 12, 0), "date"), "sv", 5) == "2025-03-01"
    assert format_cell(Cell(None, "count"), "sv", 5) == "–"
    assert format_cell(Cell(float("nan"), "mean"), "sv", 5) == "–"
    assert format_cell(text("Åsa"), "sv", 5) == "Åsa"


@pytest.mark.parametrize("kind", ["count", "pct", "mean", "text", "date"])
def test_hidden_cell_is_always_the_hidden_text(kind):
    assert format_cell(cell(3, kind, hidden=True), "sv", 5) == "<5"
    assert format_cell(cell(None, kind, hidden=True), "en", 10) == "<10"


def test_intervals():
    assert format_interval(pct(12.5, low=10.2, high=15.3), "sv") == "(10,2–15,3)"
    assert format_interval(pct(12.5, low=10.2, high=15.3), "en") == "(10.2–15.3)"
    assert format_interval(pct(12.5, hidden=True, low=10.2, high=15.3), "sv") == ""
    assert format_interval(pct(12.5), "sv") == ""


def test_css_content_escapes_text_and_keeps_counters():
    value = css_content('Sida {page} av "{pages}"</style>', {"page": "counter(page)", "pages": "counter(pages)"})
    assert value.startswith('"Sida " counter(page) " av ')
    assert "counter(pages)" in value
    assert "</style>" not in value and '"""' not in value
    assert "\\22 " in value and "\\3c " in value


# --- HTML ------------------------------------------------------------------------------


def test_values_from_data_and_config_are_escaped():
    sections = make_sections(label=ATTACK)
    sections[0].title = ATTACK
    sections[0].intro = ATTACK
    sections[0].items[1].title = ATTACK
    sections[0].items[1].columns[0].label = ATTACK
    sections[1].items[0].title = ATTACK
    sections[1].items[0].description = ATTACK
    sections[2].questions[0].text = ATTACK
    sections[3].error = ATTACK
    html = render_html(make_report(sections, municipality=ATTACK, unit=ATTACK, dataset_title=ATTACK))
    tags = _Tags()
    tags.feed(html)
    assert "script" not in tags.names
    assert not [name for name in tags.attributes if name.startswith("on")]
    assert "<script" not in html
    # Outside the SVG (whose text nodes the chart module escapes) quotes are escaped too.
    assert '" onload=' not in re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34; onload=&#34;x" in html
    assert visible_text(html).count("<script>alert(1)</script>") >= 10


def test_document_is_self_contained_without_urls_or_scripts():
    html = render_html(make_report())
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="sv">' in html
    assert '<meta charset="utf-8">' in html
    assert "<style>" in html and "<link" not in html and "<script" not in html
    without_namespace = html.replace(f'xmlns="{SVG_NAMESPACE}"', "")
    assert not re.search(r"https?:|file:|//[a-z]", without_namespace, re.IGNORECASE)
    assert "@font-face" not in html
    assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', html))
    assert '<html lang="en">' in render_html(make_report(language="en"))


def test_hidden_cells_show_the_hidden_text_and_never_their_value():
    html = render_html(make_report())
    shown = visible_text(html)
    for secret in (str(SECRET), f"12{NNBSP}345", "12 345", "12,345"):
        assert secret not in html
    assert "<5" in shown
    assert "Ett fåtal ärenden." in shown
    assert "Dolt antal" not in shown
    assert "Bland pojkarna var <5 yngre än 6 år." in shown


def test_a_count_hidden_by_protection_prints_as_the_hidden_text():
    table = tallied_table()
    (girls, girls_pct), (boys, boys_pct) = [(row["n"], row["pct"]) for row in table.rows]
    assert boys.hidden and boys_pct.hidden and boys.value is None and str(boys) == "Cell(hidden)"
    # the reader must not get the 3 boys as total − girls: one of the two is hidden with them
    assert girls.hidden or table.n.hidden
    html = render_html(make_report([Section(id="overview", title="Översikt", items=[table])]))
    shown = visible_text(html).replace(" dold uppgift (färre än 5 eller skyddar en annan)", "")   # the screen reader's name of "<5"
    girls_text = "<5 <5" if girls.hidden else f"17 85,0{NBSP}%"
    assert f"Flickor {girls_text}" in shown and "Pojkar <5 <5" in shown
    assert "15,0" not in shown and "1912" not in html


def test_hidden_note_after_each_item_with_hidden_values_and_once_in_the_about_part():
    html = render_html(make_report(hidden_cells=7))
    # Items with hidden values: key figures, the table, the bar chart, the line chart; plus the general note.
    assert html.count(HIDDEN_NOTE_SV.replace("<", "&lt;")) == 5
    about = visible_text(element(html, 'id="about-figures"', "</section>"))
    assert HIDDEN_NOTE_SV in about
    assert "Antal dolda uppgifter i rapporten: 7." in about
    plain_table = element(html, "Tabell utan dolda värden", "</div>\n</div>")
    assert "uppgiften är dold" not in plain_table


def test_swedish_formats_in_the_report():
    shown = visible_text(render_html(make_report()))
    assert f"12,5{NBSP}%" in shown
    assert f"1{NNBSP}234" in shown
    assert "(10,2–15,3)" in shown
    assert f"n = 1{NNBSP}240" in shown


def test_failed_section_shows_its_error_and_nothing_else():
    html = render_html(make_report())
    failed = visible_text(element(html, 'class="report-section failed"', "</section>"))
    assert "Den här delen kunde inte tas fram" in failed
    assert "KeyError: 'satisfaction'" in failed
    assert "INTRO-FAILED" not in html and "TABLE-FAILED" not in html


def test_internal_use_text_only_when_internal():
    internal = "För internt bruk – innehåller uppgifter per behandlare"
    assert internal in render_html(make_report(internal=True))
    assert internal not in render_html(make_report(internal=False))
    assert "For internal use – contains figures per therapist" in render_html(make_report(internal=True, language="en"))


def test_title_page_says_when_disclosure_control_is_off():
    off = "Röjandekontrollen är avstängd."
    title_page = element(render_html(make_report(min_cell=1)), '<header class="title-page">', "</header>")
    assert off in title_page
    assert "Exempelkommun Ärla-Östra" in title_page and "2025-01-01 – 2025-12-31" in title_page
    assert off not in render_html(make_report(min_cell=5))


def test_charts_are_inline_svg_whose_title_carries_every_value():
    html = render_html(make_report())
    assert html.count("<svg") == 3
    alternatives = re.findall(r'<svg [^>]*aria-labelledby="([^"]+)"[^>]*><title id="\1">([^<]*)</title>', html)
    assert [text for _, text in alternatives] == [
        f"Avslutade enligt plan. Stapeldiagram över andelar per insats. Flickor: 40,0{NBSP}%; "
        "Dold insats: dold uppgift (färre än 5 eller skyddar en annan).",
        f"Måluppfyllelse. Staplade andelar helt, delvis, inte. Insats A: Helt 60,0{NBSP}%, Delvis 40,0{NBSP}%.",
        "ORS per kvartal. Linjediagram över medelvärden per kvartal. Alla: K1 20,0, K2 dold uppgift (färre än 5 eller skyddar en annan).",
    ]


def test_a_lines_band_is_read_where_it_is_drawn():
    value, low, high = Cell(20.0, "mean"), Cell(15.0, "mean"), Cell(25.0, "mean")
    line = Chart(id="ors", kind="line", title="ORS", description="Linjediagram.", x_labels=["K1", "K2", "K3"],
                 series=[("Alla", [value, Cell(22.0, "mean"), cell(SECRET, "mean", hidden=True)],
                          [low, cell(SECRET, "mean", hidden=True), Cell(18.0, "mean")],
                          [high, Cell(26.0, "mean"), Cell(28.0, "mean")])])
    assert chart_values_text(line, "sv", 5) == "Alla: K1 20,0 (15,0–25,0), K2 22,0, K3 dold uppgift (färre än 5 eller skyddar en annan)."
    assert chart_values_text(line, "en", 3) == "Alla: K1 20.0 (15.0–25.0), K2 22.0, K3 hidden (fewer than 3, or protecting another)."


def test_hidden_cell_shows_its_mark_and_is_named_for_screen_readers():
    html = render_html(make_report())
    hidden = re.findall(r'<td class="num hidden-value"><span class="value">(.*?)</span></td>', html)
    assert hidden and set(hidden) == {
        '<span class="hidden-cell"><span aria-hidden="true">&lt;5</span>'
        '<span class="visually-hidden">dold uppgift (färre än 5 eller skyddar en annan)</span></span>'}
    english = render_html(make_report(language="en", min_cell=3))
    assert '<span aria-hidden="true">&lt;3</span><span class="visually-hidden">hidden (fewer than 3, or protecting another)</span>' in english
    assert "dold uppgift" not in english


def test_a_definition_the_table_before_gave_is_printed_once_then_as_above():
    def plain(id_: str, definition: str | None) -> Table:
        return Table(id=id_, title=f"Tabell {id_}", columns=[Column("a", "A"), Column("b", "B", "count")],
                     rows=[[text("rad"), count(7)]], definition=definition)

    sections = [Section(id="s1", title="Ett", items=[plain("a", "Metod X."), plain("b", "Metod X."),
                                                     plain("c", None), plain("d", "Metod X."), plain("e", "Metod Y.")]),
                Section(id="s2", title="Två", items=[plain("f", "Metod Y.")])]
    shown = visible_text(render_html(make_report(sections)))
    notes = re.findall(r"Tabell (\w) (?:(?!Tabell ).)*?Definition: (Metod \w\.|som för tabellen ovan\.)", shown)
    assert notes == [("a", "Metod X."), ("b", "som för tabellen ovan."), ("d", "som för tabellen ovan."),
                     ("e", "Metod Y."), ("f", "Metod Y.")]   # a new section gives its definition again


@pytest.mark.parametrize(("n", "in_threes"), [(3, False), (4, False), (5, True), (6, True), (7, False), (9, True)])
def test_key_figures_go_three_to_a_row_where_four_would_leave_one_or_two_alone(n, in_threes):
    figures = KeyFigures([KeyFigure(f"f{i}", f"Tal {i}", count(10 + i)) for i in range(n)])
    html = render_html(make_report([Section(id="s", title="Översikt", items=[figures])]))
    assert ('class="key-figures in-threes"' in html) == in_threes
    assert html.count('<li class="key-figure') == n


def test_comparison_marks_flagged_rows_with_a_symbol_not_colour_alone():
    html = render_html(make_report())
    rows = re.findall(r"<tr( class=\"flagged\")?>\s*<th scope=\"row\"[^>]*>(.*?)</th>", html, re.S)
    flagged = {label.split("</span>")[-1].strip(): bool(mark) for mark, label in rows if "Kvinnor" in label or "Män" in label}
    assert flagged == {"Kvinnor": True, "Män": False}
    assert "◆</span> Kvinnor" in html
    assert "skillnaden mot övriga är både stor och tydlig" in html


def test_questions_show_observation_and_question_in_a_reflection_box():
    html = render_html(make_report())
    box = visible_text(element(html, '<aside class="reflection">', "</aside>"))
    assert f"Kvinnor: 80,0{NBSP}% jämfört med 50,0{NBSP}%." in box
    assert "Vad kan skillnaden bero på?" in box


def test_table_of_contents_links_every_section():
    html = render_html(make_report())
    toc = element(html, '<nav class="toc"', "</nav>")
    for number, title in enumerate(["Översikt", "Diagram", "Skillnader mellan grupper", "Nöjdhet"], start=1):
        assert f'href="#section-{number}">{title}' in toc
        assert f'id="section-{number}"' in html


def test_plugin_templates_override_by_name_and_sections_choose_their_template(tmp_path):
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "paragraph.html").write_text(
        '{% macro paragraph(item) %}<p class="plugin-paragraph">{{ paragraph_text(item) }}</p>{% endmacro %}')
    (plugin / "own_section.html").write_text('<section id="{{ anchor }}"><h2>EGEN {{ section.title }}</h2></section>')
    sections = make_sections()
    sections[1].template = "own_section.html"
    html = render_html(make_report(sections), template_dirs=[plugin])
    assert '<p class="plugin-paragraph">Ett fåtal ärenden.</p>' in html
    assert "<h2>EGEN Diagram</h2>" in html
    assert "Stapeldiagram över andelar per insats." not in html


def test_municipality_template_extends_the_shared_layout(tmp_path):
    (tmp_path / "base.html").write_text(
        '{% extends "shared/base.html" %}{% block title_page %}{{ super() }}<p class="own">Vår rad</p>{% endblock %}')
    html = render_html(make_report(), user_templates=tmp_path)
    assert '<p class="own">Vår rad</p>' in html
    assert '<header class="title-page">' in html and "Översikt" in html


# --- sandbox ---------------------------------------------------------------------------


def test_sandbox_refuses_python_internals_with_a_user_error(tmp_path):
    (tmp_path / "base.html").write_text("<p>\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n</p>")
    with pytest.raises(UserError) as caught:
        render_html(make_report(), user_templates=tmp_path)
    assert caught.value.key == "render.template_unsafe"
    assert "base.html" in str(caught.value) and "rad 2" in str(caught.value)


def test_a_template_compiled_before_is_used_again_and_names_its_line_the_same(tmp_path):
    (tmp_path / "base.html").write_text("<p>\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n</p>")
    places = []
    for _ in range(2):    # the second render takes the compiled template the first one kept
        with pytest.raises(UserError) as caught:
            render_html(make_report(), user_templates=tmp_path)
        places.append(str(caught.value))
    assert places[0] == places[1] and "rad 2" in places[1]
    (tmp_path / "base.html").write_text("<p>ändrad</p>")      # edited: compiled afresh, not taken from before
    assert render_html(make_report(), user_templates=tmp_path) == "<p>ändrad</p>"


def test_sandbox_refuses_a_hidden_value_and_raw_comparison_counts(tmp_path):
    (tmp_path / "base.html").write_text("{{ sections[0].items[1].rows[1]['n'].value }}")
    with pytest.raises(UserError) as caught:
        render_html(make_report(), user_templates=tmp_path)
    assert caught.value.key == "render.template_unsafe"
    for raw in ("contrasts[0].n", "contrasts[1].n_rest", "contrasts[0].p_value", "q_values"):
        (tmp_path / "base.html").write_text("{{ sections[2].items[0]." + raw + " }}")
        with pytest.raises(UserError) as caught:
            render_html(make_report(), user_templates=tmp_path)
        assert caught.value.key == "render.template_unsafe", raw
    (tmp_path / "base.html").write_text("{{ sections[0].items[1].rows[0]['n'].value }}")
    assert render_html(make_report(), user_templates=tmp_path) == "1234"


@pytest.mark.parametrize("reach", [
    "rows[1]['n'].figure.value",                    # the hidden count of boys
    "rows[0]['n'].figure.units",                    # a shown count's units
    "n.figure.universe.index.tolist()",             # the keys of every case: personal identity numbers
])
def test_sandbox_refuses_the_figure_behind_a_cell(tmp_path, reach):
    (tmp_path / "base.html").write_text("{{ sections[0].items[0]." + reach + " }}")
    report = make_report([Section(id="overview", title="Översikt", items=[tallied_table()])])
    with pytest.raises(UserError) as caught:
        render_html(report, user_templates=tmp_path)
    assert caught.value.key == "render.template_unsafe"


def test_error_in_a_municipality_template_names_file_and_line(tmp_path):
    (tmp_path / "table.html").write_text("{% macro table(item) %}\n{% if %}\n{% endmacro %}")
    with pytest.raises(UserError) as caught:
        render_html(make_report(), user_templates=tmp_path)
    assert caught.value.key == "render.template_error"
    assert str(tmp_path / "table.html") in str(caught.value) and "rad 2" in str(caught.value)


# --- PDF -------------------------------------------------------------------------------


def render_pdf(html: str, **options) -> bytes:
    """The engine's `render_pdf`, imported here: WeasyPrint loads only in a run that makes a PDF."""
    from isu_engine.render.pdf import render_pdf as render

    return render(html, **options)


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return result.stdout.split("\f")[:-1]


@pytest.fixture(scope="module")
def internal_pdf() -> bytes:
    return render_pdf(render_html(make_report(internal=True)))


@pytest.mark.slow
def test_pdf_has_pages_numbers_header_and_headings(internal_pdf, tmp_path):
    assert internal_pdf.startswith(b"%PDF")
    pages = pdf_pages(internal_pdf, tmp_path)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Sida {number} av {len(pages)}" in page
        assert "För internt bruk – innehåller uppgifter per behandlare" in page
    everything = "\n".join(pages)
    assert "Exempelkommun Ärla-Östra" in pages[0] and "Årlig sammanställning" in pages[0]
    for heading in ("Innehåll", "Översikt", "Diagram", "Skillnader mellan grupper", "Nöjdhet", "Om uppgifterna"):
        assert heading in everything
    assert "Exempelkommun Ärla-Östra · Öppenvården Violalund · 2025-01-01 – 2025-12-31" in pages[-1]
    assert str(SECRET) not in everything


@pytest.mark.slow
def test_pdf_contents_carry_page_numbers(internal_pdf, tmp_path):
    pages = pdf_pages(internal_pdf, tmp_path)
    contents = next(page for page in pages if "Innehåll" in page)
    numbered = dict(re.findall(r"^\s*(Översikt|Nöjdhet)[^\d\n]*\s(\d+)\s*$", contents, re.M))
    assert set(numbered) == {"Översikt", "Nöjdhet"}
    for title, page in numbered.items():
        assert re.search(rf"^\s*{title}\s*$", pages[int(page) - 1], re.M)


@pytest.mark.slow
def test_pdf_embeds_the_bundled_font(internal_pdf, tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(internal_pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "SourceSans3" in fonts.replace("-", "")


@pytest.mark.slow
def test_pdf_prints_chart_texts_in_the_bundled_font(internal_pdf, tmp_path):
    if shutil.which("pdftohtml") is None:
        pytest.skip("pdftohtml (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(internal_pdf)
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", str(path)], capture_output=True, text=True,
                         check=True).stdout
    families = dict(re.findall(r'<fontspec id="(\d+)"[^>]* family="([^"]+)"', xml))
    printed = {text: families[font] for font, text in re.findall(r'<text [^>]*font="(\d+)">([^<]*)</text>', xml)}
    # texts that only the charts carry: a bar chart's axis label, a stacked row's label, a line chart's x label
    for chart_text in ("Andel (%)", "Insats A", "K1"):
        assert "SourceSans3" in printed[chart_text].replace("-", ""), (chart_text, printed[chart_text])


def test_bundled_faces_are_truetype_files_next_to_their_licence():
    shared = shared_templates_dir()
    sources = re.findall(r'src: url\(([^)]+)\) format\("truetype"\)', (shared / "fonts.css").read_text())
    assert len(sources) == (shared / "fonts.css").read_text().count("@font-face") == 8
    for source in sources:
        face = shared / source
        assert face.parent == shared / "fonts"
        assert face.read_bytes()[:4] == b"\x00\x01\x00\x00"  # an sfnt with TrueType outlines, not compressed
    assert "SIL Open Font License" in (shared / "fonts" / "OFL.txt").read_text()


@pytest.mark.slow
def test_bundled_fonts_are_loaded_once_for_all_pdfs_of_a_process(pdf_fetches):
    html = render_html(make_report(make_sections()[:1]))
    render_pdf(html)
    assert len([url for url, _ in pdf_fetches if url.endswith(".ttf")]) == 8
    pdf_fetches.clear()
    second = render_pdf(html)
    assert second.startswith(b"%PDF") and not [url for url, _ in pdf_fetches if url.endswith(".ttf")]


def test_fetcher_serves_only_template_folders(tmp_path):
    from isu_engine.render.pdf import TemplateFolderFetcher

    shared = shared_templates_dir()
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (assets / "link.txt").symlink_to(outside)
    fetcher = TemplateFolderFetcher([shared, assets])
    font = next((shared / "fonts").glob("*.ttf"))
    assert fetcher(font.as_uri()).read()[:4] == b"\x00\x01\x00\x00"
    assert fetcher((assets / "logo.svg").as_uri()).read().startswith(b"<svg")
    assert fetcher("data:text/plain,hej").read() == b"hej"
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/x.png", "https://example.org/x.css",
                outside.as_uri(), (assets / "link.txt").as_uri(), f"{shared.as_uri()}/../../../etc/passwd",
                "file://otherhost/etc/passwd", "ftp://127.0.0.1/x"):
        with pytest.raises(PermissionError):
            fetcher(url)


@pytest.mark.slow
def test_pdf_never_fetches_urls_from_data_or_municipality_templates(tmp_path, pdf_fetches):
    asked = pdf_fetches
    own = tmp_path / "templates"
    own.mkdir()
    (own / "base.html").write_text(
        '{% extends "shared/base.html" %}{% block head %}'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        "<style>body { background: url(file:///etc/hostname); }</style>{% endblock %}"
        '{% block title_page %}{{ super() }}<img src="file:///etc/passwd" alt="x">{% endblock %}')
    sections = make_sections(label="file:///etc/passwd")
    sections[0].intro = "http://127.0.0.1:9/x.png"
    data = render_pdf(render_html(make_report(sections), user_templates=own))
    assert data.startswith(b"%PDF")
    served = [url for url, ok in asked if ok]
    assert served and all(url.startswith(shared_templates_dir().as_uri()) for url in served)
    refused = {url for url, ok in asked if not ok}
    assert {"file:///etc/passwd", "http://127.0.0.1:9/x.css", "file:///etc/hostname"} <= refused
    assert "http://127.0.0.1:9/x.png" not in {url for url, _ in asked}


# --- Excel -----------------------------------------------------------------------------


def test_xlsx_sheets_hidden_cells_and_numbers(tmp_path):
    tables = [table for section in make_sections() if section.status == "ok" for table in section.tables()]
    formula = Table(id="by_gender", title="Samma id", columns=[Column("a", "Text"), Column("d", "Datum", "date")],
                    rows=[[text("=1+2"), Cell(dt.date(2025, 3, 1), "date")]])
    tables.append(formula)
    path = tmp_path / "out" / "report.xlsx"
    write_xlsx(tables, path, language="sv", min_cell=5, title="Årlig sammanställning 2025")
    assert [p.name for p in path.parent.iterdir()] == ["report.xlsx"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Om rapporten", "by_gender", "plain", "cmp", "by_gender~2"]
    about = book["Om rapporten"]
    assert about["A1"].value == "Årlig sammanställning 2025"
    assert about["A3"].value == HIDDEN_NOTE_SV
    sheet = book["by_gender"]
    assert [c.value for c in sheet[2]] == ["Kön", "Antal", "Andel"]
    assert all(c.font.bold for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[3]] == ["Flickor", 1234, 12.5]
    assert isinstance(sheet["B3"].value, int) and isinstance(sheet["C3"].value, float)
    assert "0.0" in sheet["C3"].number_format
    assert [c.value for c in sheet[4]] == ["Pojkar", "<5", "<5"]
    values = [c.value for s in book.worksheets for row in s.iter_rows() for c in row]
    assert SECRET not in values and float(SECRET) not in values
    assert any(v == HIDDEN_NOTE_SV for v in values)
    other = book["by_gender~2"]
    assert other["A3"].value == "=1+2" and other["A3"].data_type == "s"
    assert other["B3"].value == dt.datetime(2025, 3, 1) and other["B3"].number_format == "yyyy-mm-dd"


@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=12))
def test_sheet_names_are_valid_and_unique(wanted):
    names = unique_sheet_names(wanted)
    assert len(names) == len(wanted)
    assert len({name.casefold() for name in names}) == len(names)
    for name in names:
        assert 1 <= len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")


@pytest.mark.slow
def test_the_pdfs_of_a_run_print_side_by_side_as_they_print_one_by_one(tmp_path, monkeypatch):
    from isu_engine.render import pdf as pdf_module

    pages = [render_html(make_report(internal=True)), render_html(make_report(internal=False))]
    monkeypatch.setattr(pdf_module, "available_cores", lambda: 2)
    side_by_side = list(pdf_module.render_pdfs(pages))
    monkeypatch.setattr(pdf_module, "available_cores", lambda: 1)
    one_by_one = list(pdf_module.render_pdfs(pages))
    assert len(side_by_side) == len(one_by_one) == 2
    for parallel, sequential in zip(side_by_side, one_by_one):
        assert pdf_pages(parallel, tmp_path) == pdf_pages(sequential, tmp_path)
    assert pdf_pages(side_by_side[0], tmp_path) != pdf_pages(side_by_side[1], tmp_path)  # in the order given


@pytest.mark.slow
def test_a_pdf_that_fails_in_its_process_fails_the_run(monkeypatch):
    from isu_engine.render import pdf as pdf_module

    monkeypatch.setattr(pdf_module, "available_cores", lambda: 2)
    with pytest.raises(TypeError):
        list(pdf_module.render_pdfs([render_html(make_report()), None]))
