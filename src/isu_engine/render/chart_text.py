"""A chart's numbers as text: the part of its text alternative that a screen reader reads aloud.

The alternative text of a chart is its description followed by every value it draws, e.g.
"Stapeldiagram: Kön, andel i procent per kategori. Flickor och kvinnor: 44,2 %; Pojkar och
män: 53,6 %; Annat kön: dold uppgift (färre än 5 eller skyddar en annan)." A hidden value is read by its name, a
missing one as "uppgift saknas", so the text says exactly what the picture shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from isu_engine.analyse.results import Cell, Chart
from isu_engine.i18n import t
from isu_engine.render.formatting import EN_DASH, format_cell, hidden_name, is_missing


def chart_alt_text(chart: Chart, language: str, min_cell: int) -> str:
    """The chart's description and then its values, as one text."""
    values = chart_values_text(chart, language, min_cell)
    return f"{chart.description.rstrip()} {values}" if values else chart.description


def chart_values_text(chart: Chart, language: str, min_cell: int) -> str:
    """Every value the chart draws, labelled: "A: 12,5 %; B: 40,0 %." for bars, one group per row or
    line; a line's band follows each value in brackets, "K1 20,0 (15,0–25,0)", where it is drawn."""

    def spoken(cell: Cell) -> str:
        if cell.hidden:
            return hidden_name(language, min_cell)
        if is_missing(cell.value):
            return t("render.no_value", language)
        return format_cell(cell, language, min_cell)

    def point(x: str, value: Cell, low: Cell | None, high: Cell | None) -> str:
        """A line's value at x, with its band as drawn: none where the value or a bound is hidden or missing."""
        band = ""
        if low is not None and high is not None and not any(
                cell.hidden or is_missing(cell.value) for cell in (value, low, high)):
            band = f" ({spoken(low)}{EN_DASH}{spoken(high)})"
        return f"{x} {spoken(value)}{band}"

    if chart.kind == "bar":
        groups = ["; ".join(f"{bar.label}: {spoken(bar.cell)}" for bar in chart.bars)]
    elif chart.kind == "stacked":
        groups = [f"{label}: " + ", ".join(f"{bar.label} {spoken(bar.cell)}" for bar in bars)
                  for label, bars in chart.stacked_rows]
    else:
        groups = []
        for name, values, low, high in chart.series:
            lows: Sequence[Cell | None] = low or [None] * len(values)
            highs: Sequence[Cell | None] = high or [None] * len(values)
            groups.append(f"{name}: " + ", ".join(map(point, chart.x_labels, values, lows, highs)))
    text = "; ".join(group for group in groups if group)
    return f"{text}." if text else ""
