"""What the reader finds in an unknown export, and a starting config for it (`isu inspect`).

`inspect_file(path, model)` reads a file the way `isu validate` would, with nothing
given: it finds the encoding, delimiter, decimal mark, sheet and heading row, proposes
the model field for each heading (with how sure the match is), proposes for each column
mapped to a field with categories the category each distinct value would recode to, and
proposes the other columns as the unit's own variables. `Inspection.config()` turns the
result into a starting config (`columns:`, `values:`, `fields:`); `Inspection.config_yaml()`
writes it with each proposed recoding marked for a person to confirm.

Privacy: values are listed only for columns with categories (a model field's, or an own
column whose every value is frequent); never for free text or identifiers, and any
personal identity number is masked wherever it stands (headings, values, sheet names).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from isu_engine.check.coerce import as_text, parse_date_text, to_number
from isu_engine.configure.model import NAME_PATTERN, RESERVED_NAMES, Field, Model
from isu_engine.configure.plugins import Registry, load_registry
from isu_engine.i18n import DEFAULT_LANGUAGE, t
from isu_engine.protect.identifiers import mask_personal_numbers, personal_number_mask
from isu_engine.read.headings import LIKELY, HeadingMatcher, fold, word_score
from isu_engine.read.options import ReadOptions
from isu_engine.read.readers import AMBIGUOUS, RawTable, column_decimal, read_table

MAX_CATEGORIES = 20  # an own column with more distinct values is text, not categories
MIN_CATEGORY_ROWS = 5  # an own column is proposed with categories only when every value is on this many rows
MAX_VALUES_SHOWN = 50  # distinct values listed for one categorical column
_NOT_NAME = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class ValueProposal:
    """One distinct value of a categorical column, and the category it would recode to."""

    value: str  # as written in the file (personal numbers masked)
    rows: int
    category: str | None  # the model's value; None: no proposal
    confidence: float  # 1.0 the value is the category or its label; below: a proposal to confirm
    needs_recoding: bool  # False when the engine already reads it as the category (its value or label)


@dataclass(frozen=True)
class ColumnProposal:
    """One column of the file: the field it maps to, or the own variable proposed for it."""

    position: int
    heading: str  # personal numbers masked
    field: str | None  # a model field, or the proposed own variable's name; None: left out
    confidence: float  # of the heading match; 1.0 for an own variable named after its heading
    kind: str  # "model" | "own" | "identifier" | "empty"
    type: str  # the field's type, or the type read from the values
    values: tuple[ValueProposal, ...] = ()  # only for columns with categories
    own_field: dict | None = None  # the field descriptor proposed for an own variable


@dataclass
class Inspection:
    """What the reader detected in one file and what it proposes (see the module docstring)."""

    file: str
    kind: str
    encoding: str | None
    delimiter: str | None
    decimal: str
    sheet: str | None
    header_row: int
    rows: int
    model: str | None
    columns: list[ColumnProposal] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)

    def recodings(self) -> dict[str, dict[str, str]]:
        """field -> {value in the file: category} for every proposed recoding the engine would not do by itself."""
        found: dict[str, dict[str, str]] = {}
        for column in self.columns:
            for value in column.values:
                if (column.kind == "model" and column.field is not None and value.category is not None
                        and value.needs_recoding):
                    found.setdefault(column.field, {})[value.value] = value.category
        return found

    def config(self, dataset: str = "data", source: str | None = None) -> dict:
        """A starting config: one dataset with the detected `read:` options, `columns:`, `values:` and own `fields:`."""
        read: dict[str, Any] = ({"sheet": self.sheet, "header_row": self.header_row} if self.sheet
                                else {"header_row": self.header_row})
        if self.kind == "csv":
            read.update(encoding=self.encoding, delimiter=self.delimiter)
        if self.decimal != "auto":
            read["decimal"] = self.decimal
        entry: dict[str, Any] = {"model": self.model, "source": source or Path(self.file).name, "read": read}
        if self.model is None:  # the person names the model (isu models lists them); validate says it is missing
            del entry["model"]
        columns = {c.heading: c.field for c in self.columns if c.kind in ("model", "own") and c.field}
        if columns:
            entry["columns"] = columns
        if self.recodings():
            entry["values"] = self.recodings()
        own = [c.own_field for c in self.columns if c.kind == "own" and c.own_field]
        if own:
            entry["fields"] = own
        return {"datasets": {dataset: entry}}

    def config_yaml(self, dataset: str = "data", source: str | None = None, extra: dict | None = None,
                    language: str = DEFAULT_LANGUAGE) -> str:
        """The starting config as YAML; each proposed recoding carries a comment asking to confirm it."""
        config = self.config(dataset, source)
        entry = config["datasets"][dataset]
        values = entry.pop("values", {})
        lines = [f"# {line}" for line in t("inspect.config_header", language, file=Path(self.file).name).splitlines()]
        for key, value in (extra or {}).items():
            lines.append(f"{key}: {_scalar(value)}")
        lines += ["datasets:", f"  {_scalar(dataset)}:"]
        for key, value in entry.items():
            lines += _block(key, value, 4)
        if values:
            lines.append("    values:" + f"  # {t('inspect.confirm_values', language)}")
            sure = {(c.field, v.value): v.confidence for c in self.columns for v in c.values}
            for field_name, recoding in values.items():
                lines.append(f"      {field_name}:")
                for local, category in recoding.items():
                    note = t("inspect.confirm", language, percent=round(100 * sure[(field_name, local)]))
                    lines.append(f"        {_scalar(local)}: {_scalar(category)}  # {note}")
        return "\n".join(lines) + "\n"


def inspect_file(path: Path | str, model: Model | str | None = None, display_name: str | None = None,
                 options: ReadOptions = ReadOptions(), *, registry: Registry | None = None) -> Inspection:
    """Read `path` with nothing known about its layout and propose how it maps onto `model` (see module docstring).

    `model` is a Model, or a model's name looked up in `registry` (the installed plugins when
    not given); None inspects the layout only. `options` may fix what is known (a sheet, the
    encoding). A file that cannot be read is a UserError, as in `isu validate`.
    """
    if isinstance(model, str):
        model = (registry or load_registry()).model(model)
    matcher = HeadingMatcher(model) if model is not None else None
    table = read_table(path, options, display_name, score_headings=matcher.row_score if matcher else None)
    matches = matcher.match(table.headings) if matcher else []
    columns = []
    taken_names = set(model.fields) if model is not None else set()
    for position, heading in enumerate(table.headings):
        match = matches[position] if matches else None
        cells = table.frame[position]
        text = as_text(cells)
        shown_heading = _masked([heading])[0]
        if model is not None and match is not None and match.field is not None and shown_heading == heading:
            spec = model.fields[match.field]
            values = _value_proposals(text, spec) if spec.categories and not _is_identifier(spec) else ()
            columns.append(ColumnProposal(position, shown_heading, match.field, match.confidence, "model", spec.type,
                                          values))
        elif shown_heading != heading or personal_number_mask(text).any():
            columns.append(ColumnProposal(position, shown_heading, None, 0.0, "identifier", "string"))
        elif not (text != "").any():
            columns.append(ColumnProposal(position, shown_heading, None, 0.0, "empty", "string"))
        else:
            columns.append(_own_column(position, shown_heading, cells, text, table.decimal, taken_names))
    mapped = {c.field for c in columns if c.kind == "model"}
    missing = [f.name for f in model.fields.values() if f.required and f.name not in mapped] if model else []
    return Inspection(
        file=_masked([table.file])[0], kind=table.kind, encoding=table.encoding, delimiter=table.delimiter,
        decimal=_decimal_mark(table), sheet=_masked([table.sheet])[0] if table.sheet else None,
        header_row=table.header_row,
        rows=len(table.frame), model=model.name if model is not None else None, columns=columns,
        missing_required=missing,
    )


def _decimal_mark(table: RawTable) -> str:
    """The decimal mark the file's numbers show ("," or "."), or "auto" when they show none or both."""
    marks = {mark for position in table.frame.columns
             if (mark := column_decimal(table.frame[position])) is not None and mark != AMBIGUOUS}
    return marks.pop() if len(marks) == 1 else "auto"


def _is_identifier(spec: Field) -> bool:
    return spec.identifier or spec.role == "subject"


def _value_proposals(text: pd.Series, spec: Field) -> tuple[ValueProposal, ...]:
    """The distinct values of a column mapped to a field with categories, each with its proposed category."""
    counts = text[text != ""].value_counts(sort=True)
    counts = counts.iloc[:MAX_VALUES_SHOWN]
    names = {str(c.value): [str(c.value), *map(str, c.labels.values())] for c in spec.categories}
    exact = {fold(name).strip(): value for value, labels in names.items() for name in labels}
    shown = _masked(list(counts.index))
    proposals = []
    for value, rows, written in zip(shown, counts.to_numpy(), counts.index, strict=True):
        if fold(written).strip() in exact:
            proposals.append(ValueProposal(value, int(rows), exact[fold(written).strip()], 1.0, False))
            continue
        category, confidence = _closest_category(written, names)
        masked = value != written
        proposals.append(ValueProposal(value, int(rows), None if masked else category, confidence, True))
    return tuple(proposals)


def _closest_category(written: str, names: dict[str, list[str]]) -> tuple[str | None, float]:
    """The one category whose value or labels the written value most likely means, and how sure.

    A short code ("F", "P") is the category whose value begins with it, or else whose labels
    do, when only one does; otherwise the words decide. A tie is no proposal.
    """
    key = fold(written).strip().rstrip(".")
    if key.isalpha() and len(key) <= 2:
        for candidates in ([value] for value in names), names.values():
            starting = {value for value, labels in zip(names, candidates, strict=True)
                        if any(fold(label).startswith(key) for label in labels)}
            if len(starting) == 1:
                return starting.pop(), LIKELY + 0.1
    scored = sorted(((word_score(written, labels), value) for value, labels in names.items()), reverse=True)
    if not scored or scored[0][0] < LIKELY or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None, 0.0
    return scored[0][1], round(min(scored[0][0], 0.99), 2)


def _own_column(position: int, heading: str, cells: pd.Series, text: pd.Series, decimal: str,
                taken: set[str]) -> ColumnProposal:
    """An unmapped column proposed as an own variable, with the type its values have."""
    name = _own_name(heading or f"column {position + 1}", taken)
    taken.add(name)
    kind = _value_type(cells, text, decimal)
    descriptor: dict = {"name": name, "type": kind, "title": {"sv": heading or name, "en": heading or name}}
    values: tuple[ValueProposal, ...] = ()
    if kind == "string":
        counts = text[text != ""].value_counts().sort_index()
        if len(counts) <= MAX_CATEGORIES and counts.min() >= MIN_CATEGORY_ROWS:
            values = tuple(ValueProposal(str(v), int(n), str(v), 1.0, False) for v, n in counts.items())
            descriptor["categories"] = [str(v) for v in counts.index]
    return ColumnProposal(position, heading, name, 1.0, "own", kind, values, descriptor)


def _value_type(cells: pd.Series, text: pd.Series, decimal: str) -> str:
    """integer, number, date or string: the type every filled cell of the column can be read as."""
    filled = text[text != ""]
    distinct = pd.Series(pd.unique(filled.to_numpy(dtype=object)), dtype=object).astype(str)
    raw = pd.Series(pd.unique(cells[(text != "").to_numpy()].to_numpy(dtype=object)), dtype=object)
    if len(raw) and raw.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).all():
        return "date"
    numbers = to_number(as_text(distinct), decimal)
    if len(distinct) and numbers.notna().all():
        return "integer" if np.all(np.mod(numbers.to_numpy(), 1) == 0) else "number"
    if len(distinct) and parse_date_text(as_text(distinct)).notna().all():
        return "date"
    return "string"


def _own_name(heading: str, taken: set[str]) -> str:
    """A field name from a heading: "Skolnärvaro förbättrad" -> skolnarvaro_forbattrad, unique among `taken`."""
    base = _NOT_NAME.sub("_", fold(heading)).strip("_") or "column"
    if not NAME_PATTERN.match(base) or base in RESERVED_NAMES:
        base = f"own_{base}"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    return name


def _masked(texts: list[str]) -> list[str]:
    return mask_personal_numbers(pd.Series(texts, dtype=object)).astype(str).tolist() if texts else []


def _scalar(value) -> str:
    """A YAML scalar: numbers and booleans as they are, text always quoted (JSON strings are YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _block(key: str, value, indent: int) -> list[str]:
    """YAML lines for `key: value` at `indent` spaces (mappings and lists nested, scalars quoted)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = [f"{pad}{_scalar(key) if not NAME_PATTERN.match(str(key)) else key}:"]
        for inner, item in value.items():
            lines += _block(inner, item, indent + 2)
        return lines
    if isinstance(value, list):
        lines = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                first, *rest = [line for k, v in item.items() for line in _block(k, v, indent + 4)]
                lines.append(f"{pad}  - {first.strip()}")
                lines += rest
            else:
                lines.append(f"{pad}  - {_scalar(item)}")
        return lines
    shown = _scalar(key) if not NAME_PATTERN.match(str(key)) else key
    return [f"{pad}{shown}: {_scalar(value)}"]
