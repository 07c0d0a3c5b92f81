"""From a file's own headings and values to the model's fields and values.

A heading maps to a field through the config's `columns:`, or by itself when it
equals the field's name or its Swedish or English title (ignoring case and
spaces). Values are recoded through the config's `values:` and through the
category labels of the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from isu_engine.check.coerce import TEXT, batches, combined, joined_text, large_strings, text_series
from isu_engine.errors import UserError
from isu_engine.i18n import Message
from isu_engine.configure.model import Field, Model


@lru_cache(maxsize=4096)
def normalise_heading(text: str) -> str:
    """Headings compare without case, surrounding spaces, repeated spaces or a trailing colon (remembered: the
    rows looked at for the headings repeat their cells)."""
    return re.sub(r"\s+", " ", str(text)).strip().rstrip(":").strip().casefold()


@dataclass(frozen=True)
class ColumnMap:
    """Which column position of a file holds which field, and what was left out."""

    positions: dict[str, int]
    headings: dict[str, str]
    unmapped: list[tuple[int, str]]


def map_columns(headings: list[str], model: Model, explicit: dict[str, str], file: str,
                header_place: Message, next_row: list | None = None, next_place: Message | None = None) -> ColumnMap:
    """Match a file's headings to the model's fields; a required field left unmatched is a UserError.

    Two columns for one field are an error naming both. `next_row` (the row under the
    headings) is looked at for headings that went on to a second row, as when Excel
    headings use merged cells; the error then says so instead of reporting missing fields.
    """
    by_heading: dict[str, list[int]] = {}
    for position, heading in enumerate(headings):
        by_heading.setdefault(normalise_heading(heading), []).append(position)
    positions: dict[str, int] = {}
    sources: dict[str, str] = {}

    def take(field_name: str, position: int) -> None:
        if field_name in positions and positions[field_name] != position:
            raise UserError("map.two_columns", file=file, place=header_place, field=field_name,
                            first=headings[positions[field_name]], second=headings[position])
        positions[field_name] = position
        sources[field_name] = headings[position]

    def single(found: list[int]) -> list[int]:
        if len(found) > 1:
            raise UserError("map.duplicate_heading", file=file, place=header_place, heading=headings[found[0]],
                            headings=", ".join(f"'{headings[p]}'" for p in found))
        return found

    for heading, field_name in explicit.items():
        found = single(by_heading.get(normalise_heading(heading), []))
        if found:
            take(field_name, found[0])
    explicit_targets = set(explicit.values())
    for field in model.fields.values():
        if field.name in positions or field.name in explicit_targets:
            continue
        taken = set(positions.values())
        for candidate in names_of(field):
            found = [p for p in single(by_heading.get(candidate, [])) if p not in taken]
            if found:
                take(field.name, found[0])
    if next_row is not None:
        below = _headings_below(next_row, headings, model, positions)
        if below:
            raise UserError("map.headings_on_two_rows", file=file, place=next_place,
                            headings=", ".join(f"'{h}'" for h in below))
    for field in model.fields.values():
        if field.required and field.name not in positions:
            raise UserError("map.required_missing", file=file, place=header_place, field=field.name,
                            title=field.title("sv"), headings=", ".join(h for h in headings if h) or "–")
    used = set(positions.values())
    unmapped = [(p, h) for p, h in enumerate(headings) if p not in used]
    return ColumnMap(positions=positions, headings=sources, unmapped=unmapped)


def _headings_below(next_row: list, headings: list[str], model: Model, positions: dict[str, int]) -> list[str]:
    """Cells of the row under the headings that name a field not yet found, under an empty heading or for a
    required field."""
    names = {name: field for field in model.fields.values() if field.name not in positions for name in names_of(field)}
    found = []
    for position, cell in enumerate(next_row[: len(headings)]):
        field = names.get(normalise_heading(cell)) if isinstance(cell, str) and cell.strip() else None
        if field is not None and (not headings[position] or field.required):
            found.append(cell.strip())
    return found


def names_of(field: Field) -> list[str]:
    names = [field.name, *field.titles.values()]
    return list(dict.fromkeys(normalise_heading(n) for n in names))


def recode(text: pd.Series, field: Field, local: dict) -> pd.Series:
    """Replace a unit's own spellings (and category labels) by the model's values, as text."""
    lookup = _lookup(field, local)
    if not lookup:
        return text
    if field.type == "list":
        return _recode_items(text, field.delimiter, lookup)
    replaced = next(_replaced([text], [lookup]))
    return pd.Series(text.astype(TEXT).array, index=text.index, dtype=TEXT) if replaced is None else replaced


def recode_fields(text: dict[str, pd.Series], model: Model,
                  local: dict[str, dict]) -> Iterator[tuple[str, pd.Series]]:
    """`recode` of every field, for the fields whose values it changes (a list field's items are always
    written again), in turn; the fields of one value a cell are recoded together (see _replaced)."""
    lookups = {name: _lookup(field, local.get(name, {})) for name, field in model.fields.items()}
    lists = [name for name, lookup in lookups.items() if lookup and model.fields[name].type == "list"]
    singles = [name for name, lookup in lookups.items() if lookup and name not in lists]
    for name in lists:
        yield name, _recode_items(text[name], model.fields[name].delimiter, lookups[name])
    replaced = _replaced([text[name] for name in singles], [lookups[name] for name in singles])
    yield from ((name, column) for name, column in zip(singles, replaced, strict=True) if column is not None)


def _replaced(columns: list[pd.Series], lookups: list[dict[str, str]]) -> Iterator[pd.Series | None]:
    """Each column in turn with its values found in its lookup (compared case-folded) replaced; None when no
    value is.

    The columns are joined (see coerce.batches) and worked out on their distinct values only.
    """
    rows = len(columns[0]) if columns else 0
    for batch in batches(list(zip(columns, lookups, strict=True)), rows):
        encoded = pc.dictionary_encode(combined(joined_text(column for column, _ in batch)))
        distinct = encoded.dictionary
        folded = large_strings(text_series(distinct).str.casefold())
        for position, (column, lookup) in enumerate(batch):
            keys = pa.array(list(lookup), type=pa.large_string())
            targets = pa.array(list(lookup.values()), type=pa.large_string())
            replaced = pc.coalesce(targets.take(pc.index_in(folded, value_set=keys)), distinct)
            changed = pc.not_equal(replaced, distinct)  # (a value of another column of the batch, perhaps)
            own = encoded.indices.slice(position * rows, rows)
            yield (text_series(replaced.take(own), column.index)
                   if pc.any(changed).as_py() and pc.any(changed.take(own)).as_py() else None)


def _lookup(field: Field, local: dict) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for category in field.categories:
        for label in (*category.labels.values(), str(category.value)):
            lookup.setdefault(str(label).strip().casefold(), str(category.value))
    for source, target in local.items():
        lookup[str(source).strip().casefold()] = "" if target is None else str(target)
    return lookup


def _recode_items(text: pd.Series, delimiter: str, lookup: dict[str, str]) -> pd.Series:
    items = text.str.split(delimiter, regex=False).explode().astype(TEXT).str.strip()
    replaced = next(_replaced([items], [lookup]))
    items = items if replaced is None else replaced
    items = items[items.notna() & (items != "")]
    return items.groupby(level=0).agg(delimiter.join).reindex(text.index, fill_value="").astype(TEXT)
