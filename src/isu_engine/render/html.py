"""Render a report to one self-contained HTML page with the shared Jinja2 templates.

Templates are looked up by file name, first in a municipality's own folder (`templates_dir`
in its config), then in the plugins' folders in the given order, then in the shared
`report_templates/`. The shared files are also reachable as ``shared/<name>``, so an
override can extend the file it replaces and change only some blocks::

    {% extends "shared/base.html" %}
    {% block title_page %}{{ super() }}<p>Vår egen rad</p>{% endblock %}

A municipality's own templates are rendered in a sandbox: they cannot reach Python
internals, a hidden cell's value or interval, the raw group sizes of a comparison, or the
data behind the report (templates get `meta`, `sections` and the hidden-cell count, never
the dataset). A template error in that folder becomes a `UserError` naming the file and line.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from isu_engine.render import charts
from isu_engine.render.chart_text import chart_alt_text
from isu_engine.protect.disclosure import hidden_text
from isu_engine.errors import UserError, line_place
from isu_engine.i18n import LANGUAGES, DEFAULT_LANGUAGE, t
from isu_engine.protect.records import Figure
from isu_engine.analyse.results import Cell, Chart, Comparison, Contrast, Item, Table
from isu_engine import numerals
from isu_engine.render.formatting import NUMERIC_KINDS, format_cell, format_interval, hidden_name, is_missing

if TYPE_CHECKING:
    from isu_engine.analyse.report import Report

SHARED_PREFIX = "shared"
LONG_TABLE_ROWS = 10
"""Tables with more rows than this may break across pages in print (their header row repeats, at least three
rows go to each page); shorter ones are kept whole, with their title and notes (report.css)."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CSS_PLAIN = re.compile(r"[\w ,.:;()\-–]", re.UNICODE)


def shared_templates_dir() -> Path:
    """The folder of the shared report templates (package `isu_engine.report_templates`)."""
    return Path(str(resources.files("isu_engine.report_templates")))


class ReportSandbox(SandboxedEnvironment):
    """The sandbox for a municipality's templates: no internals and no figure that disclosure hid."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, Cell) and (attr == "figure" or (obj.hidden and attr in ("value", "low", "high"))):
            return False                 # a cell's figure holds its records: never for a template
        if isinstance(obj, Figure):
            return False
        if isinstance(obj, Contrast) and attr in ("n", "n_rest", "p_value"):
            return False                 # the raw group sizes: a hidden row's only through its cells
        if isinstance(obj, Comparison) and attr in ("q_values", "adjusted"):
            return False
        return super().is_safe_attribute(obj, attr, value)


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process and kept, each checked against its source before use.

    A run renders several reports, and `isu serve` renders many: compiling the shared templates
    again for each took longer than rendering. Jinja2 compares a kept template's checksum with
    the source it finds, so an edited template (a municipality's own) is compiled afresh.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


# one store per kind of environment: the sandbox compiles some operators differently
_COMPILED: dict[type, CompiledTemplates] = {}


def render_html(report: Report, *, template_dirs: Sequence[Path] = (), user_templates: Path | None = None) -> str:
    """The report as one HTML page: inline CSS and SVG, no scripts, no external references."""
    language = report.meta.language if report.meta.language in LANGUAGES else DEFAULT_LANGUAGE
    environment = _environment(template_dirs, user_templates)
    environment.globals.update(_template_globals(language, report.meta.min_cell))
    repeated = repeated_definitions(report.sections)
    environment.globals["definition_repeated"] = lambda item: id(item) in repeated
    period = f"{report.meta.period.start.isoformat()} – {report.meta.period.end.isoformat()}"
    context = {
        "meta": report.meta,
        "sections": list(report.sections),
        "hidden_cells": report.hidden_cells,
        "language": language,
        "period": period,
        "generated": report.meta.generated.strftime("%Y-%m-%d"),
        "page_css": page_css(language, running_header=f"{report.meta.municipality} · {report.meta.unit} · {period}"),
    }
    try:
        return environment.get_template("base.html").render(context)
    except Exception as error:  # an error raised by a municipality's own template is the user's to fix
        converted = _user_error(error, user_templates)
        if converted is error:
            raise
        raise converted from error


def _environment(template_dirs: Sequence[Path], user_templates: Path | None) -> jinja2.Environment:
    shared = jinja2.FileSystemLoader(shared_templates_dir())
    folders = ([user_templates] if user_templates is not None else []) + list(template_dirs)
    loader = jinja2.ChoiceLoader(
        [jinja2.PrefixLoader({SHARED_PREFIX: shared}), *(jinja2.FileSystemLoader(f) for f in folders), shared]
    )
    kind = ReportSandbox if user_templates is not None else jinja2.Environment
    return kind(
        loader=loader,
        bytecode_cache=_COMPILED.setdefault(kind, CompiledTemplates()),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml", "svg"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _template_globals(language: str, min_cell: int) -> dict[str, Any]:
    """What every template may call: texts, cell formats and the item helpers."""
    numbers = itertools.count(1)
    return {
        "t": lambda key, **params: message(key, language, params),
        "cell": lambda cell: cell_html(cell, language, min_cell),
        "interval": lambda cell: format_interval(cell, language),
        "number": lambda value, decimals=0: numerals.number(value, language, decimals),
        "paragraph_text": lambda paragraph: paragraph.fill(lambda cell: format_cell(cell, language, min_cell)),
        "chart_svg": lambda chart: chart_svg(chart, language, min_cell),
        "next_id": lambda prefix: f"{prefix}-{next(numbers)}",
        "item_template": item_template,
        "has_hidden": has_hidden,
        "is_long": is_long,
        "numeric_kinds": NUMERIC_KINDS,
        "hidden": hidden_text(min_cell),
        "min_cell": min_cell,
    }


def message(key: str, language: str, params: dict[str, Any]) -> str | Markup:
    """A catalogue message for a template; parameters that are markup (a hidden cell) stay markup."""
    if not any(isinstance(value, Markup) for value in params.values()):
        return t(key, language, **params)
    return escape(t(key, language)).format(**params)


def cell_html(cell: Cell, language: str, min_cell: int) -> Markup:
    """A cell on the page. A hidden cell shows "<5" and is read by its name (`hidden_name`)."""
    text = format_cell(cell, language, min_cell)
    if not cell.hidden:
        return escape(text)
    return Markup('<span class="hidden-cell"><span aria-hidden="true">{}</span>'
                  '<span class="visually-hidden">{}</span></span>').format(text, hidden_name(language, min_cell))


def item_template(item: Any) -> str:
    """The template file that shows a section item (it holds the macro the item names)."""
    if not isinstance(item, Item):
        raise TypeError(f"a report section cannot show {type(item).__name__}: it is not an Item")
    return item.template_file


def repeated_definitions(sections: Sequence[Any]) -> set[int]:
    """The tables (by id) whose definition is the one of the table before them in their section: a page
    prints it once and then says "as above" (a section of group comparisons repeats one long method text)."""
    repeated: set[int] = set()
    for section in sections:
        before = None
        for item in section.items:
            table = getattr(item, "table", item)           # a comparison shows its table
            definition = getattr(table, "definition", None)
            if definition and definition == before:
                repeated.add(id(table))
            before = definition or before
    return repeated


def has_hidden(item: Item) -> bool:
    """Whether any value of a table, chart, comparison or figure row is hidden."""
    return any(cell.hidden for cell in item.cells())


def is_long(table: Table) -> bool:
    """Long tables may break across pages; short ones are kept whole."""
    return table.long or len(table.rows) > LONG_TABLE_ROWS


def chart_svg(chart: Chart, language: str, min_cell: int) -> Markup:
    """The chart as inline SVG, drawn from its cells after disclosure (a hidden cell draws nothing);
    its text alternative carries every value (hidden ones by their name)."""

    def shown(cell: Cell) -> str:
        return format_cell(cell, language, min_cell)

    common: dict[str, Any] = {"title": chart.title, "description": chart_alt_text(chart, language, min_cell),
                              "note": chart.note,
              "language": language}
    if chart.kind == "bar":
        bars = [
            charts.Bar(label=bar.label, value=_drawn(bar.cell), text=shown(bar.cell),
                       low=_bound(bar.cell, bar.cell.low), high=_bound(bar.cell, bar.cell.high))
            for bar in chart.bars
        ]
        svg = charts.bar_chart(bars, axis_label=chart.axis_label, max_value=chart.max_value, **common)
    elif chart.kind == "stacked":
        rows = [
            (label, [charts.Segment(label=bar.label, value=_drawn(bar.cell), text=shown(bar.cell)) for bar in bars])
            for label, bars in chart.stacked_rows
        ]
        svg = charts.stacked_bar_chart(rows, segment_names=chart.segment_names, **common)
    elif chart.kind == "line":
        series = [_series(name, values, low, high) for name, values, low, high in chart.series]
        svg = charts.line_chart(chart.x_labels, series, y_label=chart.axis_label, y_range=chart.y_range,
                                reference_lines=chart.reference_lines, **common)
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r} in chart {chart.id!r}")
    return Markup(svg)


def _drawn(cell: Cell) -> float | None:
    """The number to draw for a cell: None when it is hidden or missing."""
    return None if cell.hidden or is_missing(cell.value) else float(cell.value)


def _bound(cell: Cell, bound: float | None) -> float | None:
    """An interval bound of a cell, dropped with the cell when it is hidden."""
    return None if cell.hidden or bound is None or is_missing(bound) else float(bound)


def _series(name: str, values: list[Cell], low: list[Cell] | None, high: list[Cell] | None) -> charts.Series:
    """A line: a gap where a value is hidden, and no band where the value or a bound is hidden."""

    def band(bounds: list[Cell] | None) -> list[float | None] | None:
        if bounds is None:
            return None
        return [None if value.hidden else _drawn(bound) for value, bound in zip(values, bounds, strict=True)]

    return charts.Series(name=name, values=[_drawn(cell) for cell in values], low=band(low), high=band(high))



def page_css(language: str, running_header: str) -> Markup:
    """The @page rule with the running header (from the second page on) and the catalogue's page
    numbering, e.g. "Sida 3 av 12", as CSS content: page furniture, never part of the document's text."""
    counters = {"page": "counter(page)", "pages": "counter(pages)"}
    return Markup(f"@page {{ @top-left {{ content: {css_content(running_header, {})}; }} "
                  f"@bottom-right {{ content: {css_content(t('render.page_of', language), counters)}; }} }}")


def css_content(template: str, placeholders: dict[str, str]) -> str:
    """A CSS `content` value from a message with {placeholders}; literal text is CSS-escaped."""
    parts = []
    for index, piece in enumerate(_PLACEHOLDER.split(template)):
        if index % 2:
            parts.append(placeholders[piece])
        elif piece:
            parts.append('"' + "".join(c if _CSS_PLAIN.fullmatch(c) else f"\\{ord(c):x} " for c in piece) + '"')
    return " ".join(parts) or '""'


def _user_error(error: Exception, user_templates: Path | None) -> Exception:
    """An error raised in a municipality's own templates (syntax, sandbox, a loop beyond the sandbox's
    range limit …) as a UserError naming file and line; other errors unchanged."""
    if user_templates is None:
        return error
    folder = Path(user_templates).resolve()
    file, line = _place_in(folder, error)
    unsafe = isinstance(error, SecurityError)
    if file is None and not unsafe:
        return error
    key = "render.template_unsafe" if unsafe else "render.template_error"
    where = file or folder
    return UserError(key, file=where, place=line_place(line), template=where.name, problem=str(error))


def _place_in(folder: Path, error: Exception) -> tuple[Path | None, int | None]:
    """The file inside `folder` (and its line) where the template error happened, if any."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        file = Path(error.filename).resolve()
        return (file, error.lineno) if file.is_relative_to(folder) else (None, None)
    found: tuple[Path | None, int | None] = (None, None)
    for filename, line in _frames(error.__traceback__):
        file = Path(filename).resolve()
        if file.is_relative_to(folder):
            found = (file, line)
    return found


def _frames(tb: TracebackType | None) -> Iterable[tuple[str, int]]:
    while tb is not None:
        yield tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
