"""Every colour in the demo's charts stands out from what lies under it: text by 4.5:1 (WCAG 2.1
SC 1.4.3), shapes by 3:1 (SC 1.4.11). axe-core does not judge SVG graphics, so this test takes
every chart of the demo's reports, finds what each text and shape is drawn on, and computes the
contrast with its own, independent formula (`test_charts.contrast`)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from accessibility_support import REPORTS
from test_charts import SVG, contrast

pytestmark = [pytest.mark.slow, pytest.mark.plugins("fit", "loke", "gas")]  # the demo, with its PDFs, in two languages

WHITE = "#ffffff"
SHAPES = {SVG + tag for tag in ("rect", "path", "line", "polyline", "polygon", "circle")}
NOT_ON_THEIR_OWN = {
    "grid": "a reading aid under the data; the values are printed (docs/accessibility.md)",
    "band": "a translucent quartile band; its values are in the text alternative (docs/accessibility.md)",
    "hatch": "a texture laid over a fill that is checked itself",
    "text-patch": "the plain fill under a segment's text, part of the segment",
    "reference-backing": "the backing of a label, checked as the label's background",
}


def demo_charts(folder) -> list[ET.Element]:
    charts = []
    for report in REPORTS:
        html = (folder / f"{report}.html").read_text(encoding="utf-8")
        charts += [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", html, re.S)]
    return charts


def blend(under: str, over: str, opacity: float) -> str:
    """`over` laid on `under` with the given opacity, as one #rrggbb colour."""
    a, b = ([int(colour[i:i + 2], 16) for i in (1, 3, 5)] for colour in (under, over))
    return "#" + "".join(f"{round(x * (1 - opacity) + y * opacity):02x}" for x, y in zip(a, b))


def solid(element: ET.Element, attribute: str) -> str | None:
    """The element's fill or stroke when it is one opaque colour."""
    colour = element.get(attribute)
    if not colour or colour == "none" or colour.startswith("url("):
        return None
    return colour if float(element.get(f"{attribute}-opacity", "1")) == 1 else None


def under_point(chart: ET.Element, drawn_before: list[ET.Element], x: float, y: float, ink: str) -> str:
    """The colour under (x, y) from the shapes drawn before: the page, a fill, a hatch or a backing.

    A translucent shape is laid over the darkest colour the chart uses, the worst case."""
    hatches = {pattern.get("id"): pattern.find(SVG + "path") for pattern in chart.iter(SVG + "pattern")}
    colour = WHITE
    for rect in drawn_before:
        if rect.tag != SVG + "rect" or rect.get("fill") in (None, "none"):
            continue
        left, top = float(rect.get("x")), float(rect.get("y"))
        if not (left <= x <= left + float(rect.get("width")) and top <= y <= top + float(rect.get("height"))):
            continue
        fill = rect.get("fill")
        if fill.startswith("url(#"):
            stroke = hatches[fill[5:-1]]
            colour = blend(colour, stroke.get("stroke"), float(stroke.get("stroke-opacity", "1")))
        elif float(rect.get("fill-opacity", "1")) < 1:
            colour = blend(ink, fill, float(rect.get("fill-opacity")))
        else:
            colour = fill
    return colour


@pytest.fixture(scope="module")
def charts(demo_outputs) -> list[ET.Element]:
    found = demo_charts(demo_outputs["sv"]) + demo_charts(demo_outputs["en"])
    assert len(found) > 20
    return found


def test_every_shape_stands_out_from_the_page_by_3_to_1(charts):
    checked = 0
    for chart in charts:
        patterns = {element for pattern in chart.iter(SVG + "pattern") for element in pattern.iter()}
        for shape in chart.iter():
            if shape.tag not in SHAPES or shape in patterns or shape.get("class") in NOT_ON_THEIR_OWN:
                continue
            colours = [c for c in (solid(shape, "fill"), solid(shape, "stroke")) if c and c != WHITE]
            assert colours, f"a {shape.get('class')} shape with no opaque colour"
            best = max(contrast(colour, WHITE) for colour in colours)
            assert best >= 3, f"{shape.get('class')} in {colours}: {best:.2f}:1 against the page"
            checked += 1
    assert checked > 100


def test_every_text_stands_out_from_what_it_is_drawn_on_by_4_5_to_1(charts):
    checked = 0
    for chart in charts:
        group = chart.find(SVG + "g")
        ink = group.get("fill")
        drawn = list(chart.iter())
        for index, text in enumerate(drawn):
            if text.tag != SVG + "text":
                continue
            size = float(text.get("font-size", group.get("font-size")))
            x = float(text.get("x")) + {"start": 1, "middle": 0, "end": -1}[text.get("text-anchor", "start")]
            y = float(text.get("y")) - 0.35 * size
            background = under_point(chart, drawn[:index], x, y, ink)
            colour = text.get("fill", ink)
            assert contrast(colour, background) >= 4.5, f"{text.text!r}: {colour} on {background}"
            checked += 1
    assert checked > 200
