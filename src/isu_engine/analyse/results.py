"""Result objects: what an analysis found, kept apart from how it is shown.

Every published number is a `Cell` holding its `Figure` (its records and definition, made
by the tabulation API). Disclosure control marks figures hidden; a hidden cell has no
value, interval or text to give away: templates, JSON and spreadsheets only ever read cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from isu_engine.protect.records import Figure

HIDDEN_REPR = "Cell(hidden)"


class Cell:
    """One value in a table, figure, chart or sentence; its figure says what it rests on."""

    __slots__ = ("_high", "_low", "_value", "decimals", "figure", "kind")

    def __init__(self, value: Any, kind: str = "text", decimals: int | None = None, low: float | None = None,
                 high: float | None = None, figure: Figure | None = None) -> None:
        self._value = value
        self.kind = kind
        self.decimals = decimals
        self._low = low
        self._high = high
        self.figure = figure

    @property
    def hidden(self) -> bool:
        return self.figure is not None and self.figure.hidden

    @property
    def value(self) -> Any:
        """The value, or None when disclosure control has hidden it."""
        return None if self.hidden else self._value

    @property
    def low(self) -> float | None:
        return None if self.hidden else self._low

    @property
    def high(self) -> float | None:
        return None if self.hidden else self._high

    @property
    def shown_value(self) -> Any:
        """The value as it may be published: None when hidden."""
        return self.value

    def __repr__(self) -> str:
        if self.hidden:
            return HIDDEN_REPR
        return f"Cell({self._value!r}, {self.kind!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def text(value: Any) -> Cell:
    return Cell(value=value, kind="text")


@dataclass
class Column:
    id: str
    label: str
    kind: str = "text"


@dataclass
class Table:
    """A table with a stable id, its columns and rows of cells."""

    id: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    note: str | None = None
    n: Cell | None = None
    definition: str | None = None
    long: bool = False

    def cells(self) -> Iterator[Cell]:
        for row in self.rows:
            yield from row
        if self.n is not None:
            yield self.n


@dataclass
class Bar:
    label: str
    cell: Cell


@dataclass
class Chart:
    """A chart described by data cells; drawn to SVG after disclosure control."""

    id: str
    kind: str  # "bar" | "stacked" | "line"
    title: str
    description: str
    axis_label: str = ""
    bars: list[Bar] = field(default_factory=list)
    segment_names: list[str] = field(default_factory=list)
    stacked_rows: list[tuple[str, list[Bar]]] = field(default_factory=list)
    x_labels: list[str] = field(default_factory=list)
    series: list[tuple[str, list[Cell], list[Cell] | None, list[Cell] | None]] = field(default_factory=list)
    reference_lines: list[tuple[float, str]] = field(default_factory=list)
    y_range: tuple[float, float] | None = None
    max_value: float | None = None
    note: str | None = None
    n: Cell | None = None

    def cells(self) -> Iterator[Cell]:
        for bar in self.bars:
            yield bar.cell
        for _, bars in self.stacked_rows:
            for bar in bars:
                yield bar.cell
        for _, values, low, high in self.series:
            yield from values
            yield from low or []
            yield from high or []
        if self.n is not None:
            yield self.n


@dataclass
class KeyFigure:
    """A headline figure with a stable id (the name used in report.json)."""

    id: str
    label: str
    cell: Cell
    definition: str | None = None
    in_json: bool = True
    shown: bool = True

    def cells(self) -> Iterator[Cell]:
        yield self.cell


@dataclass
class KeyFigures:
    """A row of headline figures shown together."""

    figures: list[KeyFigure]

    def cells(self) -> Iterator[Cell]:
        for figure in self.figures:
            yield figure.cell


@dataclass
class Paragraph:
    """Text with numbers: `template` has {name} placeholders filled from `values`.

    When a cell is hidden and `fallback` is given, the fallback text (without
    numbers) is used instead, so a sentence never carries a hidden number.
    """

    template: str
    values: dict[str, Cell] = field(default_factory=dict)
    fallback: str | None = None

    def cells(self) -> Iterator[Cell]:
        yield from self.values.values()

    @classmethod
    def plain(cls, sentence: str) -> Paragraph:
        """A sentence without values (braces in it are kept as they are)."""
        return cls(template=sentence.replace("{", "{{").replace("}", "}}"))

    def fill(self, format_cell: Callable[[Cell], str]) -> str:
        """The sentence with formatted values, or the fallback when a value is hidden."""
        if self.fallback is not None and any(cell.hidden for cell in self.values.values()):
            return self.fallback
        return self.template.format(**{name: format_cell(cell) for name, cell in self.values.items()})


@dataclass
class Comparison:
    """One indicator compared group by group (each group against the rest)."""

    id: str
    indicator: str          # e.g. "avslutade enligt plan"
    grouping: str           # e.g. "kön"
    table: Table
    groups: list[str]
    pct: list[Cell]
    pct_rest: list[Cell]
    n: list[int]
    n_rest: list[int]
    diff: list[float]
    p_values: list[float]
    q_values: list[float] = field(default_factory=list)
    flagged: list[bool] = field(default_factory=list)


@dataclass
class Question:
    """A reflection question, optionally with the observation that prompted it."""

    text: str
    observation: Paragraph | None = None


Item = Table | Chart | KeyFigures | Paragraph | Comparison


@dataclass
class Section:
    """A part of a report: a heading, an introduction and items; failed sections keep their error."""

    id: str
    title: str
    intro: str | None = None
    items: list[Item] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    order: int = 50
    status: str = "ok"
    error: str | None = None
    template: str | None = None

    def all_cells(self) -> Iterator[Cell]:
        for item in self.items:
            yield from (item.table.cells() if isinstance(item, Comparison) else item.cells())
        for question in self.questions:
            if question.observation is not None:
                yield from question.observation.cells()

    def tables(self) -> Iterator[Table]:
        for item in self.items:
            if isinstance(item, Table):
                yield item
            elif isinstance(item, Comparison):
                yield item.table

    def key_figures(self) -> Iterator[KeyFigure]:
        for item in self.items:
            if isinstance(item, KeyFigures):
                yield from item.figures

    def comparisons(self) -> Iterator[Comparison]:
        for item in self.items:
            if isinstance(item, Comparison):
                yield item
