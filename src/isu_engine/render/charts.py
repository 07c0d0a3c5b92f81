"""Charts of the reports as self-contained inline SVG strings.

Written as plain SVG rather than with a plotting library: the few simple charts need real
<text>, an accessible text alternative, no external references and one fixed grey-scale-safe
style, and they must render quickly and identically in WeasyPrint and in browsers.

The text alternative is the SVG's <title>: the chart's title and its description (which the
report gives the chart's values, `chart_text.py`). It names the image for screen readers in
browsers (`aria-labelledby`) and is the alternative text of the tagged PDF's figure, which
WeasyPrint takes from the <title>.

WeasyPrint draws an SVG node by node in Python, so lines and bars that share a style are one
<path> each (all grid lines of a chart, all bars, all whiskers); every text stays a <text>.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Sequence
from typing import TypeGuard
from dataclasses import dataclass
from xml.sax.saxutils import escape

from isu_engine import numerals
from isu_engine.i18n import DEFAULT_LANGUAGE

NumberFormat = Callable[[float], str]

PALETTE = ("#08306b", "#a6611a", "#4f98b8", "#e6a157", "#9ecae1", "#fde9a9")
"""Fills from dark to light; their relative luminances differ pairwise by at least 0.1. A fill
with less than 3:1 contrast against the page is outlined in dark grey (`outline_for`)."""

LINE_COLOURS = ("#08306b", "#a6611a", "#4f98b8", "#6a3d9a", "#1a1a1a", "#c05a1c")
"""Line colours, each with a contrast of at least 3:1 against white."""

ELLIPSIS = "\u2026"

FONT_FAMILY = "'Source Sans 3','Source Sans Pro','Segoe UI','Helvetica Neue',Arial,'DejaVu Sans',sans-serif"
"""The report's font stack (report.css), named in the chart as WeasyPrint does not inherit it into SVG;
no spaces after the commas, as WeasyPrint strips only the quotes around each name."""

INK = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#d9d9d9"
WHITE = "#ffffff"
HIDDEN_FILL = "#e8e8e8"  # the hidden rest of a stacked bar: light grey, unlike every palette fill
BAR_FILL = PALETTE[2]

WIDTH = 640
PAD = 8
FONT_SIZE = 11
SMALL_SIZE = 10
LINE_HEIGHT = 13
ROW_HEIGHT = 32
BAR_HEIGHT = 16
PLOT_HEIGHT = 200
MIN_LABEL_WIDTH = 60
MAX_LABEL_WIDTH = 220
SWATCH = 12

_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_NICE_MANTISSAS = (1.0, 2.0, 2.5, 5.0)
_HATCH_SIZE = 7
_HATCHES = (
    "",
    "M0,7 L7,0 M-1,1 L1,-1 M6,8 L8,6",
    "",
    "M0,0 L7,7 M-1,6 L1,8 M6,-1 L8,1",
    "",
    "M0,3.5 L7,3.5 M3.5,0 L3.5,7",
)
_DASHES = ("", "6 3", "1.5 2.5", "8 3 2 3", "14 4", "8 3 2 3 2 3")
_MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross")
_NARROW = frozenset(" .,:;!|'()[]/ijlrtfI1-\u2009\u202f")
_WIDE = frozenset("MWmw%@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_chart_numbers = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    """One category of a bar chart; `value` None (hidden or missing) draws no bar, only `text`."""

    label: str
    value: float | None
    text: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar; `label` is one of the chart's segment names."""

    label: str
    value: float | None
    text: str


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a value per x position (None = gap) and an optional band."""

    name: str
    values: list[float | None]
    low: list[float | None] | None = None
    high: list[float | None] | None = None


def nice_ticks(low: float, high: float, *, inside: bool = False) -> list[float]:
    """Evenly spaced round numbers (1, 2, 2.5 or 5 × 10^k apart) for an axis over low..high.

    By default 4 to 6 ticks from at or below `low` to at or above `high`; with `inside`, at
    most 6 ticks (4 when the range allows) that stay within low..high.
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        raise ValueError(f"no axis from {low} to {high}")
    if high == low:
        high = low + 1.0
    exponent = math.floor(math.log10((high - low) / 5)) - 1
    steps = sorted(m * 10.0**e for e in range(exponent, exponent + 4) for m in _NICE_MANTISSAS)
    candidates = []
    for step in steps:
        if inside:
            first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        else:
            first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        if last - first < 6:
            candidates.append([round((first + k) * step, 12) for k in range(last - first + 1)])
    return next((ticks for ticks in candidates if len(ticks) >= 4), candidates[0])


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    axis_label: str,
    max_value: float | None = None,
    note: str | None = None,
    number_format: NumberFormat | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """Horizontal bars from 0, one per category, value text at the bar end, optional whiskers.

    The axis reaches at least `max_value` (e.g. 100 for percentages); `number_format` labels
    its ticks (default: the numbers in `language`, with the decimals the ticks need).
    """
    values = [v for bar in bars for v in (bar.value, bar.low, bar.high) if _present(v)]
    if any(v < 0 for v in values):
        raise ValueError("a bar chart shows values from 0 upwards")
    ticks = nice_ticks(0.0, max([*values, max_value or 0.0]))
    fmt = number_format or _tick_format(ticks, language)
    label_width = _label_column([bar.label for bar in bars])
    tick_overhang = _text_width(fmt(ticks[-1]), SMALL_SIZE) / 2
    value_room = max([_text_width(bar.text) for bar in bars] + [tick_overhang]) + 10
    x0 = PAD + label_width + 8
    x1 = WIDTH - PAD - value_room

    def scale(v: float) -> float:
        return x0 + (x1 - x0) * v / ticks[-1]

    top = PAD
    axis_y = top + len(bars) * ROW_HEIGHT
    body = _value_axis(ticks, fmt, scale, top, axis_y)
    texts: list[str] = []
    boxes: list[str] = []
    whiskers: list[str] = []
    for index, bar in enumerate(bars):
        middle = top + (index + 0.5) * ROW_HEIGHT
        texts += _label(bar.label, x0 - 8, middle, label_width)
        if not _present(bar.value):
            texts.append(_text(x0 + 4, middle, bar.text, cls="value hidden", fill=MUTED))
            continue
        end = scale(bar.value)
        boxes.append(_box(x0, middle - BAR_HEIGHT / 2, end - x0, BAR_HEIGHT))
        if _present(bar.low) and _present(bar.high):
            whiskers.append(_whisker(scale(bar.low), scale(bar.high), middle))
            end = max(end, scale(bar.high))
        texts.append(_text(end + 4, middle, bar.text, cls="value"))
    if boxes:
        body.append(_path(boxes, cls="bars", fill=BAR_FILL))
    if whiskers:
        body.append(_path(whiskers, cls="interval", stroke=INK, width=1.2))
    body += texts
    body.append(_text((x0 + x1) / 2, axis_y + 32, axis_label, anchor="middle", cls="axis-label"))
    height = _add_note(body, note, axis_y + 48) if note else axis_y + 36  # no empty line kept for a note
    return _svg(_id_prefix(title), height, title, description, body)


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[Segment]]],
    *,
    segment_names: Sequence[str],
    title: str,
    description: str,
    note: str | None = None,
    number_format: NumberFormat | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """100 % stacked horizontal bars with a legend; segment values are percentages of their row.

    Visible segments are drawn at their true share. A row with hidden segments (value None)
    leaves the rest of its bar as one grey block, so the hidden shares are neither shown nor
    spread over the visible ones, and shows their texts (e.g. "<5") after the bar. A row with
    nothing hidden fills its bar (shares that add up to 99.9 or 100.1 by rounding).
    `number_format` labels the 0–100 % axis (default "0 %", "20 %", ...).
    """
    if len(segment_names) > len(PALETTE):
        raise ValueError(f"a stacked bar chart shows at most {len(PALETTE)} segment kinds")
    style_of = {name: index for index, name in enumerate(segment_names)}
    for _, segments in rows:
        for segment in segments:
            if segment.label not in style_of:
                raise ValueError(f"segment {segment.label!r} is not among the segment names")
            if _present(segment.value) and segment.value < 0:
                raise ValueError("stacked segments cannot be negative")
    prefix = _id_prefix(title)
    ticks = nice_ticks(0.0, 100.0)
    fmt = number_format or (lambda x: numerals.percent(x, language, 0))
    markers = [_hidden_marker(segments) for _, segments in rows]
    label_width = _label_column([label for label, _ in rows])
    tick_overhang = _text_width(fmt(100.0), SMALL_SIZE) / 2
    x0 = PAD + label_width + 8
    x1 = WIDTH - PAD - max([_text_width(m) + 10 for m in markers if m] + [tick_overhang])

    def scale(share: float) -> float:
        return x0 + (x1 - x0) * share / 100.0

    legend, legend_height = _legend(
        [(_swatch(prefix, index), name) for index, name in enumerate(segment_names)], SWATCH, PAD
    )
    top = PAD + legend_height + 8
    axis_y = top + len(rows) * ROW_HEIGHT
    body = legend + _value_axis(ticks, fmt, scale, top, axis_y)
    for index, (label, segments) in enumerate(rows):
        middle = top + (index + 0.5) * ROW_HEIGHT
        body += _label(label, x0 - 8, middle, label_width)
        body.append('<g class="row">')
        body += _stack(segments, style_of, prefix, x0, x1, middle)
        body.append("</g>")
        if markers[index]:
            body.append(_text(x1 + 6, middle, markers[index], cls="value hidden", fill=MUTED))
    height = _add_note(body, note, axis_y + 32)
    return _svg(prefix, height, title, description, body, defs=_patterns(prefix, len(segment_names)))


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    description: str,
    y_label: str,
    y_range: tuple[float, float] | None = None,
    reference_lines: Sequence[tuple[float, str]] = (),
    note: str | None = None,
    number_format: NumberFormat | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """Lines with markers over categorical x positions, optional bands, reference lines, legend.

    The y axis starts at 0 (or below, for negative data) unless `y_range` is given; a given
    range is widened to include every value.
    """
    if len(series) > len(_MARKERS):
        raise ValueError(f"a line chart shows at most {len(_MARKERS)} series")
    for line in series:
        for values in (line.values, line.low, line.high):
            if values is not None and len(values) != len(x_labels):
                raise ValueError(f"series {line.name!r} needs one value per x label")
    low, high, ticks = _y_axis_range(series, reference_lines, y_range)
    fmt = number_format or _tick_format(ticks, language)

    x0 = PAD + LINE_HEIGHT + 6 + max(_text_width(fmt(t), SMALL_SIZE) for t in ticks) + 6
    x1 = WIDTH - PAD
    top = PAD + 6
    bottom = top + PLOT_HEIGHT
    step = (x1 - x0) / max(len(x_labels), 1)
    xs = [x0 + (i + 0.5) * step for i in range(len(x_labels))]

    def y_of(v: float) -> float:
        return bottom - PLOT_HEIGHT * (v - low) / (high - low)

    body = [_path([f"M{_f(x0)},{_f(y_of(tick))}H{_f(x1)}" for tick in ticks], cls="grid", stroke=GRID)]
    body += [_text(x0 - 6, y_of(tick), fmt(tick), anchor="end", size=SMALL_SIZE, cls="tick") for tick in ticks]
    body.append(_line(x0, bottom, x1, bottom, stroke=MUTED, cls="axis"))
    body.append(
        f'<text class="axis-label" transform="rotate(-90)" x="{_f(-(top + bottom) / 2)}" '
        f'y="{_f(PAD + FONT_SIZE)}" text-anchor="middle">{_escape(y_label)}</text>'
    )
    for x, label in zip(xs, x_labels, strict=True):
        for number, text in enumerate(_wrap(label, step - 4)):
            body.append(_text(x, bottom + 14 + number * LINE_HEIGHT, text, anchor="middle", cls="x-label"))
    for value, _ in reference_lines:
        body.append(_line(x0, y_of(value), x1, y_of(value), stroke=MUTED, dash="5 3", cls="reference"))

    for index, line in enumerate(series):
        body += _band(line, LINE_COLOURS[index], xs, y_of)
    for index, line in enumerate(series):
        body += _series_marks(line, index, xs, y_of)
    for value, label in reference_lines:
        body += _reference_label(label, x1 - 2, y_of(value) - 8)

    legend, legend_height = _legend(
        [(_line_swatch(index), line.name) for index, line in enumerate(series)], 28, bottom + 14 + 2 * LINE_HEIGHT
    )
    body += legend
    height = _add_note(body, note, bottom + 14 + 2 * LINE_HEIGHT + legend_height + 12)
    return _svg(_id_prefix(title), height, title, description, body)


# --- layout pieces ---------------------------------------------------------------------


def _y_axis_range(
    series: Sequence[Series], reference_lines: Sequence[tuple[float, str]], y_range: tuple[float, float] | None
) -> tuple[float, float, list[float]]:
    """The line chart's y domain and ticks: from 0 (or the data) to nice ticks, or `y_range` widened."""
    data = [
        v
        for line in series
        for values in (line.values, line.low or [], line.high or [])
        for v in values
        if _present(v)
    ] + [value for value, _ in reference_lines]
    if y_range is None:
        ticks = nice_ticks(min([0.0, *data]), max([0.0, *data]))
        return ticks[0], ticks[-1], ticks
    low, high = min([y_range[0], *data]), max([y_range[1], *data])
    high = high if high > low else low + 1.0
    return low, high, nice_ticks(low, high, inside=True)


def _band(line: Series, colour: str, xs: list[float], y_of: Callable[[float], float]) -> list[str]:
    """The shaded low..high band of a series, broken where either bound is missing."""
    if line.low is None or line.high is None:
        return []
    lows = {i: v for i, v in enumerate(line.low) if _present(v)}
    highs = {i: v for i, v in enumerate(line.high) if _present(v)}
    parts = []
    for run in _runs([i for i in range(len(xs)) if i in lows and i in highs]):
        upper = [(xs[i], y_of(highs[i])) for i in run]
        lower = [(xs[i], y_of(lows[i])) for i in reversed(run)]
        parts.append(
            f'<polygon class="band" points="{_points(upper + lower)}" '
            f'fill="{colour}" fill-opacity="0.15" stroke="none"/>'
        )
    return parts


def _series_marks(line: Series, index: int, xs: list[float], y_of: Callable[[float], float]) -> list[str]:
    """A series as polylines between neighbouring values (gaps at None) and a marker per value."""
    colour, dash = LINE_COLOURS[index], _DASHES[index]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    values = {i: v for i, v in enumerate(line.values) if _present(v)}
    present = list(values)
    parts = [
        f'<polyline class="line" data-series="{index}" '
        f'points="{_points([(xs[i], y_of(values[i])) for i in run])}" '
        f'fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        for run in _runs(present)
        if len(run) > 1
    ]
    return parts + [_marker(_MARKERS[index], xs[i], y_of(values[i]), colour) for i in present]


def _value_axis(
    ticks: list[float], fmt: NumberFormat, scale: Callable[[float], float], top: float, axis_y: float
) -> list[str]:
    """Vertical grid lines (one path), the horizontal axis line and its tick labels."""
    parts = [_path([f"M{_f(scale(tick))},{_f(top)}V{_f(axis_y)}" for tick in ticks], cls="grid", stroke=GRID)]
    parts.append(_line(scale(ticks[0]), axis_y, scale(ticks[-1]), axis_y, stroke=MUTED, cls="axis"))
    parts += [
        _text(scale(tick), axis_y + 14, fmt(tick), anchor="middle", size=SMALL_SIZE, cls="tick") for tick in ticks
    ]
    return parts


def _label(label: str, right: float, middle: float, width: float) -> list[str]:
    """A category label right-aligned at `right`, wrapped to two lines, centred on `middle`."""
    lines = _wrap(label, width)
    first = middle - (len(lines) - 1) * LINE_HEIGHT / 2
    return [
        _text(right, first + number * LINE_HEIGHT, text, anchor="end", cls="label")
        for number, text in enumerate(lines)
    ]


def _whisker(left: float, right: float, middle: float) -> str:
    """Path data of a confidence interval: a line from `left` to `right` with short end caps."""
    cap = 5
    low, high = _f(middle - cap), _f(middle + cap)
    return (f"M{_f(left)},{_f(middle)}H{_f(right)}"
            f"M{_f(left)},{low}V{high}M{_f(right)},{low}V{high}")


def _stack(
    segments: Sequence[Segment], style_of: dict[str, int], prefix: str, x0: float, x1: float, middle: float
) -> list[str]:
    """One row of a stacked bar: visible segments at their share, the hidden rest as one grey block."""
    visible = [(s, s.value) for s in segments if _present(s.value) and s.value > 0]
    hidden = any(not _present(s.value) for s in segments)
    shown = sum(value for _, value in visible)
    total = max(shown, 100.0) if hidden else shown
    if total <= 0:
        return []
    parts, cumulative, top = [], 0.0, middle - BAR_HEIGHT / 2 - 2
    height = BAR_HEIGHT + 4
    for segment, value in visible:
        left = round(x0 + (x1 - x0) * cumulative / total, 2)
        cumulative += value
        right = round(x0 + (x1 - x0) * cumulative / total, 2)
        style = style_of[segment.label]
        parts += _filled_rect(prefix, style, left, top, right - left, height, cls="segment")
        text_width = _text_width(segment.text, SMALL_SIZE)
        if text_width + 8 <= right - left:
            if _HATCHES[style]:  # the text sits on the plain fill, so the hatch never weakens its contrast
                parts.append(_rect((left + right - text_width) / 2 - 2, middle - SMALL_SIZE / 2 - 1, text_width + 4,
                                   SMALL_SIZE + 2, fill=PALETTE[style], cls="text-patch"))
            parts.append(
                _text((left + right) / 2, middle, segment.text, anchor="middle", size=SMALL_SIZE,
                      fill=_ink_on(PALETTE[style]), cls="segment-text")
            )
    if hidden and shown < total:
        left = round(x0 + (x1 - x0) * shown / total, 2)
        parts.append(_rect(left, top, x1 - left, height, fill=HIDDEN_FILL, stroke=MUTED, cls="hidden-rest"))
    parts.append(_rect(x0, top, x1 - x0, height, fill="none", stroke=MUTED, cls="frame"))
    return parts


def _reference_label(label: str, right: float, middle: float) -> list[str]:
    """A reference line's label, right-aligned, on a translucent white backing over the data."""
    width = _text_width(label, SMALL_SIZE) + 4
    backing = (
        f'<rect class="reference-backing" x="{_f(right - width)}" y="{_f(middle - 7)}" '
        f'width="{_f(width + 2)}" height="14" fill="{WHITE}" fill-opacity="0.8"/>'
    )
    return [backing, _text(right, middle, label, anchor="end", size=SMALL_SIZE, fill=MUTED, cls="reference-label")]


def _hidden_marker(segments: Sequence[Segment]) -> str:
    """The distinct texts of a row's hidden segments, e.g. "<5"."""
    texts = [s.text for s in segments if not _present(s.value)]
    return ", ".join(dict.fromkeys(texts))


def _legend(
    items: list[tuple[Callable[[float, float], str], str]], swatch_width: float, top: float
) -> tuple[list[str], float]:
    """Legend entries flowing left to right in rows; returns the parts and their height."""
    parts, x, y = [], float(PAD), top
    rows = 1 if items else 0
    for draw_swatch, name in items:
        name = _ellipsize(name, WIDTH - 2 * PAD - swatch_width - 6)
        width = swatch_width + 6 + _text_width(name) + 16
        if x > PAD and x + width > WIDTH - PAD:
            x, y, rows = float(PAD), y + LINE_HEIGHT + 6, rows + 1
        middle = y + SWATCH / 2
        parts.append(draw_swatch(x, middle))
        parts.append(_text(x + swatch_width + 6, middle, name, cls="legend"))
        x += width
    return parts, rows * (LINE_HEIGHT + 6)


def _swatch(prefix: str, style: int) -> Callable[[float, float], str]:
    def draw(x: float, middle: float) -> str:
        top = middle - SWATCH / 2
        square = _filled_rect(prefix, style, x, top, SWATCH, SWATCH, cls="swatch")
        return "".join(square) + _rect(x, top, SWATCH, SWATCH, fill="none", stroke=MUTED, cls="swatch-frame")

    return draw


def _line_swatch(index: int) -> Callable[[float, float], str]:
    def draw(x: float, middle: float) -> str:
        colour = LINE_COLOURS[index]
        return _line(x, middle, x + 28, middle, stroke=colour, width=2, dash=_DASHES[index]) + _marker(
            _MARKERS[index], x + 14, middle, colour, cls="legend-marker"
        )

    return draw


def _add_note(body: list[str], note: str | None, y: float) -> float:
    """Append the note under the chart; returns the chart's total height."""
    if note:
        body.append(_text(PAD, y, note, size=SMALL_SIZE, fill=MUTED, cls="note"))
        y += LINE_HEIGHT
    return y


def _runs(indices: list[int]) -> list[list[int]]:
    """Split ascending indices into runs of consecutive numbers."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


# --- styles --------------------------------------------------------------------------


def _filled_rect(prefix: str, style: int, x: float, y: float, width: float, height: float, *, cls: str) -> list[str]:
    """A rectangle in palette fill `style`, outlined (`outline_for`), with its hatch (if any) laid over the fill."""
    parts = [_rect(x, y, width, height, fill=PALETTE[style], stroke=outline_for(PALETTE[style]), cls=cls)]
    if _HATCHES[style]:
        parts.append(_rect(x, y, width, height, fill=f"url(#{prefix}-hatch-{style})", cls="hatch"))
    return parts


def _patterns(prefix: str, count: int) -> list[str]:
    """Transparent hatch patterns (lines only), so tile seams never show on the solid fill."""
    return [
        f'<pattern id="{prefix}-hatch-{i}" patternUnits="userSpaceOnUse" '
        f'width="{_HATCH_SIZE}" height="{_HATCH_SIZE}">'
        f'<path d="{_HATCHES[i]}" stroke="{_ink_on(PALETTE[i])}" stroke-opacity="0.3" stroke-width="1"/>'
        "</pattern>"
        for i in range(count)
        if _HATCHES[i]
    ]


def _marker(kind: str, x: float, y: float, colour: str, cls: str = "marker") -> str:
    """A data marker; each kind of shape belongs to one series."""
    r = 4.0
    shapes = {
        "square": [(x + dx * (r - 0.5), y + dy * (r - 0.5)) for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))],
        "triangle": [(x, y - r - 0.5), (x + r, y + r - 0.5), (x - r, y + r - 0.5)],
        "triangle-down": [(x, y + r + 0.5), (x + r, y - r + 0.5), (x - r, y - r + 0.5)],
        "diamond": [(x, y - r - 0.5), (x + r + 0.5, y), (x, y + r + 0.5), (x - r - 0.5, y)],
    }
    if kind == "circle":
        return (
            f'<circle class="{cls}" cx="{_f(x)}" cy="{_f(y)}" r="{_f(r - 0.5)}" '
            f'fill="{colour}" stroke="{WHITE}" stroke-width="0.8"/>'
        )
    if kind == "cross":
        d = f"M{_f(x - r)},{_f(y - r)} L{_f(x + r)},{_f(y + r)} M{_f(x - r)},{_f(y + r)} L{_f(x + r)},{_f(y - r)}"
        return f'<path class="{cls}" d="{d}" stroke="{colour}" stroke-width="2" fill="none"/>'
    return (
        f'<polygon class="{cls}" points="{_points(shapes[kind])}" '
        f'fill="{colour}" stroke="{WHITE}" stroke-width="0.8"/>'
    )


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours, from 1 to 21."""
    light, dark = sorted((_relative_luminance(first), _relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def outline_for(fill: str) -> str:
    """The outline of a filled shape: white (a thin gap to its neighbour) when the fill stands out
    from the page by at least 3:1, else dark grey, so every shape's edge does (WCAG 1.4.11)."""
    return WHITE if contrast(fill, WHITE) >= 3 else MUTED


def _relative_luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def _ink_on(fill: str) -> str:
    """White or dark text, whichever contrasts more with `fill`."""
    return WHITE if contrast(fill, WHITE) > contrast(fill, INK) else INK


def _tick_format(ticks: list[float], language: str) -> NumberFormat:
    """The ticks in `language`, each with as many decimals as the ticks need."""
    decimals = numerals.decimals_needed(*ticks)
    return lambda x: numerals.number(x, language, decimals)


# --- text ----------------------------------------------------------------------------


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of `text` in a common sans-serif font (no font metrics at hand)."""
    units = sum(
        0.32 if c in _NARROW else 0.92 if c in _WIDE else 0.72 if c.isupper() else 0.6 for c in text
    )
    return units * size


def _label_column(labels: Sequence[str]) -> float:
    widest = max((_text_width(label) for label in labels), default=0.0)
    return min(max(widest, MIN_LABEL_WIDTH), MAX_LABEL_WIDTH)


def _wrap(text: str, width: float, max_lines: int = 2) -> list[str]:
    """Word-wrap into at most `max_lines` lines of `width`; the last ends in an ellipsis if cut."""
    lines: list[str] = []
    for word in _clean(text).split():
        if lines and _text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :]) + ELLIPSIS]
    return [_ellipsize(line, width) for line in lines] or [""]


def _ellipsize(text: str, width: float) -> str:
    """`text` cut to fit `width`, ending in an ellipsis when cut."""
    if _text_width(text) <= width:
        return text
    text = text.removesuffix(ELLIPSIS)
    while text and _text_width(text.rstrip() + ELLIPSIS) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _clean(text: str) -> str:
    """Control characters (not allowed in XML) become spaces."""
    return _CONTROL.sub(" ", text)


def _escape(text: str) -> str:
    return escape(_clean(text))


# --- SVG elements ----------------------------------------------------------------------


def _svg(prefix: str, height: float, title: str, description: str, body: list[str], defs: Sequence[str] = ()) -> str:
    parts = [
        f'<svg xmlns="{_SVG_NAMESPACE}" viewBox="0 0 {WIDTH} {_f(math.ceil(height + PAD))}" width="100%" '
        f'role="img" aria-labelledby="{prefix}-title" class="isu-chart">',
        f'<title id="{prefix}-title">{_escape(alternative_text(title, description))}</title>',
    ]
    if defs:
        parts.append("<defs>" + "".join(defs) + "</defs>")
    parts.append(f'<g font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{INK}">')
    parts += body
    parts.append("</g></svg>")
    return "".join(parts)


def alternative_text(title: str, description: str) -> str:
    """The chart's text alternative: its title as a sentence, then its description."""
    title = title.strip()
    if title and title[-1] not in ".!?:":
        title += "."
    return f"{title} {description.strip()}".strip()


def _id_prefix(title: str) -> str:
    """An id prefix unique within the process, so several charts on one page do not clash."""
    digest = hashlib.sha1(title.encode("utf-8")).hexdigest()[:6]
    return f"isu-chart-{next(_chart_numbers)}-{digest}"


def _text(
    x: float,
    middle: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = FONT_SIZE,
    fill: str | None = None,
    cls: str,
) -> str:
    """One line of text vertically centred on `middle` (baseline placed by hand, no baseline CSS)."""
    size_attr = f' font-size="{_f(size)}"' if size != FONT_SIZE else ""
    fill_attr = f' fill="{fill}"' if fill else ""
    return (
        f'<text class="{cls}" x="{_f(x)}" y="{_f(middle + 0.35 * size)}" text-anchor="{anchor}"'
        f"{size_attr}{fill_attr}>{_escape(text)}</text>"
    )


def _box(x: float, y: float, width: float, height: float) -> str:
    """Path data of a rectangle (clockwise from the top left corner)."""
    width = max(width, 0.0)
    return f"M{_f(x)},{_f(y)}h{_f(width)}v{_f(height)}h{_f(-width)}z"


def _path(pieces: Sequence[str], *, cls: str, fill: str = "none", stroke: str | None = None, width: float = 1.0) -> str:
    """One <path> drawing all `pieces` of path data in one style."""
    stroke_attr = f' stroke="{stroke}" stroke-width="{_f(width)}"' if stroke else ""
    return f'<path class="{cls}" d="{"".join(pieces)}" fill="{fill}"{stroke_attr}/>'


def _rect(x: float, y: float, width: float, height: float, *, fill: str, cls: str, stroke: str | None = None) -> str:
    stroke_attr = f' stroke="{stroke}" stroke-width="0.75"' if stroke else ""
    return (
        f'<rect class="{cls}" x="{_f(x)}" y="{_f(y)}" width="{_f(max(width, 0.0))}" '
        f'height="{_f(height)}" fill="{fill}"{stroke_attr}/>'
    )


def _line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str,
    width: float = 1.0,
    dash: str = "",
    cls: str | None = None,
) -> str:
    cls_attr = f' class="{cls}"' if cls else ""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line{cls_attr} x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
        f'stroke="{stroke}" stroke-width="{_f(width)}"{dash_attr}/>'
    )


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points)


def _f(value: float) -> str:
    """A coordinate with at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _present(value: float | None) -> TypeGuard[float]:
    """A drawable number: not None and not NaN/infinite."""
    return value is not None and math.isfinite(value)
