"""Result objects: what an analysis found, kept apart from how it is shown.

Every published number is a `Cell` holding its `Figure` (its records and definition, made
by the tabulation API). Disclosure control marks figures hidden; a hidden cell has no
value, interval or text to give away: templates, JSON and spreadsheets only ever read cells.

A section holds `Item`s. Each kind of item names the template file and the macro in it that
show it (`template_file`, `macro`): that is the whole registry of item kinds, so a plugin adds a
kind by defining an `Item` of its own and shipping its template (docs/plugins.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

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


class Item:
    """Something a report section shows: a table, chart, row of key figures, sentence, comparison …

    `template_file` is the template file that shows it and `macro` the macro in that file, called
    with the item. `cells()` yields every cell it prints, so that disclosure control sees them
    all; `tables()` the tables it carries into report.json and the spreadsheet.
    """

    template_file: ClassVar[str]
    macro: ClassVar[str]

    def cells(self) -> Iterator[Cell]:
        raise NotImplementedError(f"{type(self).__name__} does not say which cells it prints")

    def tables(self) -> Iterator[Table]:
        return iter(())


@dataclass
class Column:
    id: str
    label: str
    kind: str = "text"


Row = dict[str, Cell]
"""One row of a table: its cells by column id, in the order of the columns."""


@dataclass(init=False)
class Table(Item):
    """A table with a stable id, its columns and rows of cells.

    Each row is given either as a mapping from column id to cell, or as a sequence of cells in
    the order of the columns; either way it is kept as a `Row` and read by column id.
    """

    template_file: ClassVar[str] = "table.html"
    macro: ClassVar[str] = "table"

    id: str
    title: str
    columns: list[Column]
    rows: list[Row]
    note: str | None = None
    n: Cell | None = None
    definition: str | None = None
    long: bool = False

    def __init__(self, id: str, title: str, columns: list[Column],
                 rows: Iterable[Mapping[str, Cell] | Sequence[Cell]], note: str | None = None,
                 n: Cell | None = None, definition: str | None = None, long: bool = False) -> None:
        ids = [column.id for column in columns]
        if len(set(ids)) != len(ids):
            raise ValueError(f"table {id}: a column id is used twice in {ids}")
        self.id, self.title, self.columns, self.note, self.n = id, title, columns, note, n
        self.definition, self.long = definition, long
        self.rows = [self._keyed(row, ids) for row in rows]

    def _keyed(self, row: Mapping[str, Cell] | Sequence[Cell], ids: list[str]) -> Row:
        if isinstance(row, Mapping):
            if set(row) != set(ids):
                raise ValueError(f"table {self.id}: a row has the columns {list(row)}, the table {ids}")
            return {column: row[column] for column in ids}
        if len(row) != len(ids):
            raise ValueError(f"table {self.id}: a row has {len(row)} cells for {len(ids)} columns")
        return dict(zip(ids, row, strict=True))

    def cells(self) -> Iterator[Cell]:
        for row in self.rows:
            yield from row.values()
        if self.n is not None:
            yield self.n

    def tables(self) -> Iterator[Table]:
        yield self

    def column(self, column_id: str) -> list[Cell]:
        """The cells of one column, row by row."""
        return [row[column_id] for row in self.rows]


@dataclass
class Bar:
    label: str
    cell: Cell


@dataclass
class Chart(Item):
    """A chart described by data cells; drawn to SVG after disclosure control."""

    template_file: ClassVar[str] = "chart.html"
    macro: ClassVar[str] = "chart"

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
class KeyFigures(Item):
    """A row of headline figures shown together."""

    template_file: ClassVar[str] = "keyfigures.html"
    macro: ClassVar[str] = "keyfigures"

    figures: list[KeyFigure]

    def cells(self) -> Iterator[Cell]:
        for figure in self.figures:
            yield figure.cell


@dataclass
class Paragraph(Item):
    """Text with numbers: `template` has {name} placeholders filled from `values`.

    When a cell is hidden and `fallback` is given, the fallback text (without
    numbers) is used instead, so a sentence never carries a hidden number.
    """

    template_file: ClassVar[str] = "paragraph.html"
    macro: ClassVar[str] = "paragraph"

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


@dataclass(frozen=True)
class Contrast:
    """One group against the rest, as an analysis measured it: the cells a comparison's row shows,
    and the sizes and p-value the report's adjustment reads."""

    group: str
    assessed: Cell          # the group's units with the indicator assessed
    pct: Cell               # the share with the indicator in the group …
    pct_rest: Cell          # … and in the rest
    diff: Cell              # pct − pct_rest, in percentage points
    n: int
    n_rest: int
    p_value: float


@dataclass(frozen=True)
class Adjusted:
    """A comparison once the report's tests are adjusted: each row's q-value (NaN outside the
    family) and flag, the table that shows them, and a question for each flagged row."""

    q_values: list[float]
    flagged: list[bool]
    table: Table
    questions: list[Question] = field(default_factory=list)


@dataclass
class Comparison(Item):
    """One indicator compared group by group, each group against the rest.

    An analysis makes it from what it measured (`compare_groups`). The report's tests are
    adjusted together after disclosure control (`analyse.differences.finalize`), which gives it
    its q-values, flags, table and reflection questions, once (`adjust`); until then it has no table.
    """

    template_file: ClassVar[str] = "comparison.html"
    macro: ClassVar[str] = "comparison"

    id: str
    indicator: str          # e.g. "avslutade enligt plan"
    grouping: str           # e.g. "kön"
    contrasts: list[Contrast]
    assessed: Cell          # every unit assessed, in any group
    adjusted: Adjusted | None = field(default=None, init=False)

    @property
    def groups(self) -> list[str]:
        return [contrast.group for contrast in self.contrasts]

    def adjust(self, adjusted: Adjusted) -> None:
        """Give the comparison its q-values, flags, table and questions (once, after disclosure control)."""
        if self.adjusted is not None:
            raise RuntimeError(f"comparison {self.id} is already adjusted")
        self.adjusted = adjusted

    def _outcome(self) -> Adjusted:
        if self.adjusted is None:
            raise RuntimeError(f"comparison {self.id} is read before the report's tests are adjusted")
        return self.adjusted

    @property
    def table(self) -> Table:
        return self._outcome().table

    @property
    def q_values(self) -> list[float]:
        return self._outcome().q_values

    @property
    def flagged(self) -> list[bool]:
        return self._outcome().flagged

    @property
    def questions(self) -> list[Question]:
        """The reflection questions its flagged rows raise (none before the adjustment)."""
        return self.adjusted.questions if self.adjusted is not None else []

    def cells(self) -> Iterator[Cell]:
        """Every cell of its table; before the adjustment, the cells it measured."""
        if self.adjusted is not None:
            yield from self.adjusted.table.cells()
            return
        for contrast in self.contrasts:
            yield from (contrast.assessed, contrast.pct, contrast.pct_rest, contrast.diff)
        yield self.assessed

    def tables(self) -> Iterator[Table]:
        yield self.table


@dataclass
class Question:
    """A reflection question, optionally with the observation that prompted it."""

    text: str
    observation: Paragraph | None = None


@dataclass
class Section:
    """A part of a report: a heading, an introduction and items; failed sections keep their error."""

    id: str
    title: str
    intro: str | None = None
    items: list[Item] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)   # the analysis's own (see all_questions)
    order: int = 50
    status: str = "ok"
    error: str | None = None
    template: str | None = None

    def all_questions(self) -> list[Question]:
        """Its own questions, then those its comparisons' flagged differences raise."""
        return [*self.questions, *(question for comparison in self.comparisons() for question in comparison.questions)]

    def all_cells(self) -> Iterator[Cell]:
        for item in self.items:
            yield from item.cells()
        for question in self.all_questions():
            if question.observation is not None:
                yield from question.observation.cells()

    def tables(self) -> Iterator[Table]:
        for item in self.items:
            yield from item.tables()

    def key_figures(self) -> Iterator[KeyFigure]:
        for item in self.items:
            if isinstance(item, KeyFigures):
                yield from item.figures

    def comparisons(self) -> Iterator[Comparison]:
        for item in self.items:
            if isinstance(item, Comparison):
                yield item
