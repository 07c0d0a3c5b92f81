"""Tests of the inline SVG charts: structure, accessibility, escaping, geometry, styles."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isu_engine.render.charts import (
    LINE_COLOURS,
    PALETTE,
    Bar,
    Segment,
    Series,
    bar_chart,
    line_chart,
    nice_ticks,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
NNBSP = "\u202f"  # between thousands, in charts as in tables
JT = ["Återhämtad", "Förbättrad", "Oförändrad", "Försämrad"]


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def elements(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if cls is None or cls in (e.get("class") or "").split()]


def texts(root: ET.Element, cls: str) -> list[str]:
    return [e.text or "" for e in elements(root, "text", cls)]


NUMBER = r"(-?[\d.]+)"


def bar_boxes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """(x, y, width, height) of each bar, read from the bars' one path ("M x,y h w v h h -w z" each)."""
    paths = elements(root, "path", "bars")
    assert len(paths) <= 1
    d = paths[0].get("d") if paths else ""
    boxes = re.findall(rf"M{NUMBER},{NUMBER}h{NUMBER}v{NUMBER}h{NUMBER}z", d)
    assert "".join(f"M{x},{y}h{w}v{h}h{back}z" for x, y, w, h, back in boxes) == d
    assert all(float(back) == -float(w) for _, _, w, _, back in boxes)
    return [(float(x), float(y), float(w), float(h)) for x, y, w, h, _ in boxes]


def interval_strokes(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """(x1, y1, x2, y2) of each stroke of the whiskers' one path (horizontal "H" or vertical "V")."""
    [path] = elements(root, "path", "interval")
    strokes = []
    for x, y, kind, end in re.findall(rf"M{NUMBER},{NUMBER}([HV]){NUMBER}", path.get("d")):
        x, y, end = float(x), float(y), float(end)
        strokes.append((x, y, end, y) if kind == "H" else (x, y, x, end))
    return strokes


def swedish(text: str) -> float:
    return float(text.replace(NNBSP, "").replace("\u2212", "-").replace(",", ".").removesuffix("\u00a0%"))


def sample_bar() -> str:
    return bar_chart(
        [Bar("Hemtjänst", 12.5, "12,5 %", 8.0, 18.0), Bar("Missbruk", None, "<5"), Bar("Familj", 50.0, "50,0 %")],
        title="Andel förbättrade",
        description="Andel förbättrade per verksamhet",
        axis_label="Andel (%)",
        note="n = 245",
    )


def sample_stacked() -> str:
    return stacked_bar_chart(
        [
            ("Kvinnor", [Segment(JT[0], 32.0, "32 %"), Segment(JT[1], 21.0, "21 %"),
                         Segment(JT[2], 40.0, "40 %"), Segment(JT[3], 7.0, "7 %")]),
            ("Män", [Segment(JT[0], 30.0, "30"), Segment(JT[1], None, "<5"),
                     Segment(JT[2], 60.0, "60"), Segment(JT[3], None, "<5")]),
        ],
        segment_names=JT,
        title="Jacobson–Truax per kön",
        description="Fördelning av kategorier",
        note="n = 120",
    )


def sample_line() -> str:
    return line_chart(
        ["1", "2", "3", "4", "5"],
        [
            Series(
                "Median",
                [10.0, 20.0, None, 24.0, 26.0],
                low=[8.0, 15.0, None, 20.0, 22.0],
                high=[12.0, 24.0, None, 28.0, 30.0],
            ),
            Series("Medel", [11.0, None, 23.0, None, None]),
        ],
        title="ORS över sessioner",
        description="Medianvärde per session",
        y_label="ORS",
        y_range=(0.0, 40.0),
        reference_lines=[(25.0, "Klinisk gräns 25")],
        note="Skuggat: kvartilavstånd",
    )


ALL_SAMPLES = [sample_bar, sample_stacked, sample_line]


# --- structure and accessibility ------------------------------------------------------


@pytest.mark.parametrize("make", ALL_SAMPLES)
def test_chart_is_an_accessible_self_contained_svg(make):
    svg = make()
    root = parse(svg)
    assert root.tag == SVG + "svg"
    assert root.get("width") == "100%" and root.get("role") == "img"
    assert re.fullmatch(r"0 0 640 \d+", root.get("viewBox"))
    [title_id] = root.get("aria-labelledby").split()
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert ids[title_id].tag == SVG + "title" and ids[title_id].text
    assert root.find(SVG + "desc") is None  # one text alternative, read once
    without_namespace = svg.replace('xmlns="http://www.w3.org/2000/svg"', "", 1)
    for forbidden in ("http", "file:", "href", "<script", "foreignObject", "javascript"):
        assert forbidden not in without_namespace
    for reference in re.findall(r"url\(#([^)]+)\)", svg):
        assert reference in ids


@pytest.mark.parametrize("make", ALL_SAMPLES)
def test_grid_is_one_path_with_a_line_at_every_tick(make):
    root = parse(make())
    [grid] = elements(root, "path", "grid")
    strokes = re.findall(rf"M{NUMBER},{NUMBER}([HV]){NUMBER}", grid.get("d"))
    assert "".join(f"M{x},{y}{kind}{end}" for x, y, kind, end in strokes) == grid.get("d")
    ticks = elements(root, "text", "tick")
    assert len(strokes) == len(ticks) >= 4
    for (x, y, kind, end), tick in zip(strokes, ticks):
        if kind == "V":  # a value axis along the bottom: the line runs down to just above its tick label
            assert float(x) == float(tick.get("x")) and float(y) < float(end) < float(tick.get("y"))
        else:  # a value axis along the left: the line starts right of its tick label, level with it
            assert float(tick.get("x")) < float(x) < float(end)
            assert float(y) == pytest.approx(float(tick.get("y")) - 3.5, abs=0.02)  # baseline 0.35 em below


def test_title_carries_the_given_title_and_description():
    root = parse(sample_bar())
    assert root.find(SVG + "title").text == "Andel förbättrade. Andel förbättrade per verksamhet"


def test_caller_texts_are_escaped():
    nasty = "<script>alert(1)</script> & co"
    svg = bar_chart(
        [Bar(nasty, 3.0, "3 & 4"), Bar("B", None, "<5")],
        title="A & B <script>",
        description="x < y & z",
        axis_label="<b>",
        note="n < 5 & more",
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find(SVG + "title").text == "A & B <script>. x < y & z"
    all_text = " ".join(e.text or "" for e in root.iter(SVG + "text"))
    for given_text in ("3 & 4", "<5", "<b>", "n < 5 & more"):
        assert given_text in all_text
    assert " ".join(texts(root, "label")).startswith("<script>")


def test_ids_are_unique_across_charts_with_the_same_title():
    first, second = sample_stacked(), sample_stacked()
    ids = [e.get("id") for svg in (first, second) for e in parse(svg).iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 2 * 3  # title and two hatch patterns per chart


# --- bar chart -----------------------------------------------------------------------


def test_one_bar_per_visible_value_and_hidden_bar_shows_only_its_text():
    root = parse(sample_bar())
    bars = bar_boxes(root)
    assert len(bars) == 2
    assert texts(root, "hidden") == ["<5"]
    assert "12,5 %" in texts(root, "value") and "50,0 %" in texts(root, "value")
    # widths proportional to the values, from a common origin
    assert {x for x, _, _, _ in bars} == {bars[0][0]}
    widths = [width for _, _, width, _ in bars]
    assert widths[1] / widths[0] == pytest.approx(50.0 / 12.5, rel=1e-3)
    # each bar sits in the row of its category: the first and the third label
    label_ys = [float(e.get("y")) for e in elements(root, "text", "label")]
    assert bars[1][1] - bars[0][1] == pytest.approx(label_ys[2] - label_ys[0], abs=0.01)


def test_nan_value_is_treated_as_hidden():
    root = parse(bar_chart([Bar("A", float("nan"), "<5"), Bar("B", 10.0, "10")],
                           title="t", description="d", axis_label="x"))
    assert len(bar_boxes(root)) == 1
    assert texts(root, "hidden") == ["<5"]


def test_confidence_interval_is_drawn_as_whisker_and_widens_the_axis():
    root = parse(bar_chart([Bar("A", 40.0, "40", 30.0, 75.0)], title="t", description="d", axis_label="x"))
    whisker, left_cap, right_cap = interval_strokes(root)
    ticks = [swedish(t) for t in texts(root, "tick")]
    assert ticks[-1] >= 75.0
    [(x0, bar_y, bar_width, bar_height)] = bar_boxes(root)
    assert (whisker[0] - x0) / bar_width == pytest.approx(30.0 / 40.0, rel=1e-3)
    assert (whisker[2] - x0) / bar_width == pytest.approx(75.0 / 40.0, rel=1e-3)
    assert whisker[1] == whisker[3] == pytest.approx(bar_y + bar_height / 2)
    # the caps are short vertical strokes across the whisker at both of its ends
    assert left_cap[0] == left_cap[2] == whisker[0] and right_cap[0] == right_cap[2] == whisker[2]
    for cap in (left_cap, right_cap):
        assert cap[1] < whisker[1] < cap[3] and cap[3] - cap[1] < bar_height


def test_axis_ticks_hand_computed():
    # max 50: steps 5 and 10 give 11 and 6 ticks -> step 10
    root = parse(sample_bar())
    assert [swedish(t) for t in texts(root, "tick")] == [0, 10, 20, 30, 40, 50]
    # max 58.3: step 10 would need 7 ticks -> step 20
    root = parse(bar_chart([Bar("A", 58.3, "58,3")], title="t", description="d", axis_label="x"))
    assert [swedish(t) for t in texts(root, "tick")] == [0, 20, 40, 60]
    # max_value 100 sets the axis for percentages
    root = parse(bar_chart([Bar("A", 12.0, "12")], title="t", description="d", axis_label="x", max_value=100))
    assert [swedish(t) for t in texts(root, "tick")] == [0, 20, 40, 60, 80, 100]


def test_tick_labels_use_swedish_decimals_or_the_callers_format():
    root = parse(bar_chart([Bar("A", 12.5, "12,5")], title="t", description="d", axis_label="x"))
    assert texts(root, "tick") == ["0,0", "2,5", "5,0", "7,5", "10,0", "12,5"]
    root = parse(bar_chart([Bar("A", 2000.0, "2000")], title="t", description="d", axis_label="x",
                           number_format=lambda x: f"[{x:g}]"))
    assert texts(root, "tick") == ["[0]", "[500]", "[1000]", "[1500]", "[2000]"]


def test_negative_bar_is_refused():
    with pytest.raises(ValueError):
        bar_chart([Bar("A", -1.0, "-1")], title="t", description="d", axis_label="x")


def test_long_label_wraps_into_two_lines_and_very_long_label_is_cut_with_ellipsis():
    medium = "Ekonomiskt bistånd och andra insatser för vuxna"
    huge = " ".join(["Mycket lång kategori med många ord"] * 6)
    root = parse(bar_chart([Bar(medium, 1.0, "1")], title="t", description="d", axis_label="x"))
    lines = texts(root, "label")
    assert len(lines) == 2 and " ".join(lines) == medium
    root = parse(bar_chart([Bar(huge, 1.0, "1")], title="t", description="d", axis_label="x"))
    lines = texts(root, "label")
    assert len(lines) == 2
    assert lines[-1].endswith("\u2026")
    assert huge.startswith(" ".join(lines).removesuffix("\u2026").rstrip())
    assert len(" ".join(lines)) < len(huge) / 2


def test_a_single_overlong_word_is_ellipsized():
    word = "Socialtjänstlagsinsatsuppföljningsverksamhetsområdesbeteckningen"
    root = parse(bar_chart([Bar(word, 1.0, "1")], title="t", description="d", axis_label="x"))
    [line] = texts(root, "label")
    assert line.endswith("\u2026") and word.startswith(line[:-1])


def test_note_is_printed():
    assert texts(parse(sample_bar()), "note") == ["n = 245"]


# --- stacked bar chart ---------------------------------------------------------------


def test_stacked_segments_and_hidden_rest_fill_the_full_width_of_each_row():
    root = parse(sample_stacked())
    rows = elements(root, "g", "row")
    assert len(rows) == 2
    for row in rows:
        frame = elements(row, "rect", "frame")[0]
        segments = elements(row, "rect", "segment")
        total = sum(float(s.get("width")) for s in segments + elements(row, "rect", "hidden-rest"))
        assert total == pytest.approx(float(frame.get("width")), abs=0.05)
        assert float(segments[0].get("x")) == pytest.approx(float(frame.get("x")), abs=0.01)


def test_stacked_widths_are_shares_and_hidden_segments_show_the_marker():
    root = parse(sample_stacked())
    women, men = elements(root, "g", "row")
    widths = [float(s.get("width")) for s in elements(women, "rect", "segment")]
    assert [w / sum(widths) for w in widths] == pytest.approx([0.32, 0.21, 0.40, 0.07], abs=1e-3)
    men_segments = elements(men, "rect", "segment")
    assert len(men_segments) == 2
    [frame] = elements(men, "rect", "frame")
    full = float(frame.get("width"))
    # visible segments keep their true share; the hidden rest is one grey block, not spread over them
    assert [float(s.get("width")) / full for s in men_segments] == pytest.approx([0.30, 0.60], abs=1e-3)
    [rest] = elements(men, "rect", "hidden-rest")
    assert float(rest.get("width")) / full == pytest.approx(0.10, abs=1e-3)
    assert rest.get("fill") not in PALETTE
    assert texts(root, "hidden") == ["<5"]


def test_each_segment_name_keeps_its_fill_and_has_a_legend_entry():
    root = parse(sample_stacked())
    women, men = elements(root, "g", "row")
    fills_women = [s.get("fill") for s in elements(women, "rect", "segment")]
    assert fills_women == list(PALETTE[:4])
    assert [s.get("fill") for s in elements(men, "rect", "segment")] == [PALETTE[0], PALETTE[2]]
    assert texts(root, "legend") == JT
    assert [s.get("fill") for s in elements(root, "rect", "swatch")] == list(PALETTE[:4])
    assert len(elements(root, "pattern")) >= 1


def test_text_inside_segments_has_readable_contrast():
    root = parse(sample_stacked())
    for row in elements(root, "g", "row"):
        segments = elements(row, "rect", "segment")
        for text in elements(row, "text", "segment-text"):
            x = float(text.get("x"))
            under = next(s for s in segments if float(s.get("x")) <= x <= float(s.get("x")) + float(s.get("width")))
            assert contrast(text.get("fill"), under.get("fill")) >= 4.5


def test_stacked_refuses_unknown_segment_names():
    with pytest.raises(ValueError):
        stacked_bar_chart([("A", [Segment("Okänd", 1.0, "1")])], segment_names=JT, title="t", description="d")


# --- line chart ----------------------------------------------------------------------


def polylines(root: ET.Element, series: int) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, point.split(","))) for point in line.get("points").split()]
        for line in elements(root, "polyline", "line")
        if line.get("data-series") == str(series)
    ]


def test_line_chart_breaks_lines_at_gaps():
    root = parse(sample_line())
    first = polylines(root, 0)
    assert [len(run) for run in first] == [2, 2]
    assert polylines(root, 1) == []  # no two neighbouring values
    assert len(elements(root, "circle", "marker")) == 4  # markers of the first series
    assert len(elements(root, "polygon", "band")) == 2
    x_positions = sorted({x for run in first for x, _ in run})
    assert len(x_positions) == 4


def test_line_chart_y_positions_follow_the_axis():
    root = parse(sample_line())
    ticks = {swedish(e.text): float(e.get("y")) for e in elements(root, "text", "tick")}
    assert sorted(ticks) == [0, 10, 20, 30, 40]
    reference = elements(root, "line", "reference")[0]
    y20, y30 = ticks[20] - 3.5, ticks[30] - 3.5  # tick text baselines sit 0.35 em below the value
    assert float(reference.get("y1")) == pytest.approx((y20 + y30) / 2, abs=0.02)
    assert texts(root, "reference-label") == ["Klinisk gräns 25"]
    (x_a, y_10), (x_b, y_20) = polylines(root, 0)[0]
    assert y_20 == pytest.approx(y20, abs=0.02)
    assert y_10 == pytest.approx(ticks[10] - 3.5, abs=0.02)


def test_line_series_differ_in_dash_and_marker_shape():
    series = [Series(f"S{i}", [float(i), float(i + 1)]) for i in range(6)]
    root = parse(line_chart(["a", "b"], series, title="t", description="d", y_label="y"))
    dashes = [line.get("stroke-dasharray") for line in elements(root, "polyline", "line")]
    assert len(dashes) == 6 and len(set(dashes)) == 6
    assert len(elements(root, "circle", "marker")) == 2 and len(elements(root, "path", "marker")) == 2
    shapes = set()
    for marker in elements(root, "polygon", "marker"):
        points = [tuple(map(float, p.split(","))) for p in marker.get("points").split()]
        shapes.add(tuple((round(x - points[0][0], 1), round(y - points[0][1], 1)) for x, y in points))
    assert len(shapes) == 4
    assert texts(root, "legend") == [s.name for s in series]


def test_line_chart_widens_a_given_range_to_the_data():
    root = parse(line_chart(["a", "b"], [Series("S", [10.0, 55.0])], title="t", description="d",
                            y_label="y", y_range=(0.0, 40.0)))
    ticks = {swedish(e.text): float(e.get("y")) - 3.5 for e in elements(root, "text", "tick")}
    assert sorted(ticks) == [0, 10, 20, 30, 40, 50]
    (_, y_10), (_, y_55) = polylines(root, 0)[0]
    assert y_10 == pytest.approx(ticks[10], abs=0.02)
    assert (ticks[0] - y_55) / (ticks[0] - ticks[50]) == pytest.approx(55 / 50, abs=1e-3)


def test_line_chart_keeps_a_given_range_that_holds_the_data():
    root = parse(line_chart(["a", "b"], [Series("S", [10.0, 20.0])], title="t", description="d",
                            y_label="y", y_range=(0.0, 36.0)))
    # step 5 would need 8 ticks within 0..36 -> step 10; the axis still ends at 36
    assert [swedish(t) for t in texts(root, "tick")] == [0, 10, 20, 30]


def test_line_chart_refuses_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        line_chart(["a", "b"], [Series("S", [1.0])], title="t", description="d", y_label="y")


# --- palette and numbers -------------------------------------------------------------


def test_palette_fills_differ_in_grey_value():
    for a, b in itertools.combinations(PALETTE, 2):
        assert abs(luminance(a) - luminance(b)) >= 0.08, (a, b)


def test_line_colours_stand_out_against_white():
    for colour in LINE_COLOURS:
        assert contrast(colour, "#ffffff") >= 3.0


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0, 50, [0, 10, 20, 30, 40, 50]), (0, 12.5, [0, 2.5, 5, 7.5, 10, 12.5]), (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1]),
     (-3, 7, [-5, -2.5, 0, 2.5, 5, 7.5])],
)
def test_nice_ticks_hand_computed(low, high, expected):
    assert nice_ticks(low, high) == pytest.approx(expected)


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=1e-3, max_value=1e6, allow_nan=False),
)
def test_nice_ticks_are_few_round_and_cover_the_range(low, span):
    high = low + span
    ticks = nice_ticks(low, high)
    assert 4 <= len(ticks) <= 6
    step = ticks[1] - ticks[0]
    tolerance = 1e-6 * step
    assert ticks[0] <= low + tolerance and ticks[-1] >= high - tolerance
    assert all(abs((b - a) - step) <= tolerance for a, b in itertools.pairwise(ticks))
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10))
    assert all(abs(t / step - round(t / step)) < 1e-6 * max(1.0, abs(t / step)) for t in ticks)
