"""From a file's own headings and values to the model's fields and values.

A heading maps to a field through the config's `columns:`, or by itself when it
equals the field's name or its Swedish or English title (ignoring case and
spaces). Values are recoded through the config's `values:` and through the
category labels of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .coerce import TEXT
from .errors import UserError
from .model import Field, Model


def normalise_heading(text: str) -> str:
    """Headings compare without case, surrounding spaces, repeated spaces or a trailing colon."""
    return re.sub(r"\s+", " ", str(text)).strip().rstrip(":").strip().casefold()


@dataclass(frozen=True)
class ColumnMap:
    """Which column position of a file holds which field, and what was left out."""

    positions: dict[str, int]
    headings: dict[str, str]
    unmapped: list[tuple[int, str]]


def map_columns(headings: list[str], model: Model, explicit: dict[str, str], file: str,
                header_place: str) -> ColumnMap:
    """Match a file's headings to the model's fields; a required field left unmatched is a UserError."""
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

    for heading, field_name in explicit.items():
        found = by_heading.get(normalise_heading(heading), [])
        if len(found) > 1:
            raise UserError("map.duplicate_heading", file=file, place=header_place, heading=heading)
        if found:
            take(field_name, found[0])
    explicit_targets = set(explicit.values())
    for field in model.fields.values():
        if field.name in positions or field.name in explicit_targets:
            continue
        for candidate in _names_of(field):
            found = by_heading.get(candidate, [])
            if len(found) > 1:
                raise UserError("map.duplicate_heading", file=file, place=header_place, heading=headings[found[0]])
            if found and found[0] not in positions.values():
                take(field.name, found[0])
                break
    for field in model.fields.values():
        if field.required and field.name not in positions:
            raise UserError("map.required_missing", file=file, place=header_place, field=field.name,
                            title=field.title("sv"), headings=", ".join(h for h in headings if h) or "–")
    used = set(positions.values())
    unmapped = [(p, h) for p, h in enumerate(headings) if p not in used]
    return ColumnMap(positions=positions, headings=sources, unmapped=unmapped)


def _names_of(field: Field) -> list[str]:
    names = [field.name, *field.titles.values()]
    return list(dict.fromkeys(normalise_heading(n) for n in names))


def recode(text: pd.Series, field: Field, local: dict) -> pd.Series:
    """Replace a unit's own spellings (and category labels) by the model's values, as text."""
    lookup = _lookup(field, local)
    if not lookup:
        return text
    if field.type == "list":
        return _recode_items(text, field.delimiter, lookup)
    return _map_unique(text, lookup)


def _map_unique(text: pd.Series, lookup: dict[str, str]) -> pd.Series:
    """Replace each value found in `lookup` (compared case-folded), working on the distinct values only."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    distinct = pd.Series(uniques, dtype=TEXT)
    replaced = distinct.str.casefold().map(lookup)
    replaced = replaced.where(replaced.notna(), distinct).astype(TEXT)
    return pd.Series(replaced.array.take(codes), index=text.index, dtype=TEXT)


def _lookup(field: Field, local: dict) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for category in field.categories:
        for label in (*category.labels.values(), str(category.value)):
            lookup.setdefault(str(label).strip().casefold(), str(category.value))
    for source, target in local.items():
        lookup[str(source).strip().casefold()] = "" if target is None else str(target)
    return lookup


def _recode_items(text: pd.Series, delimiter: str, lookup: dict[str, str]) -> pd.Series:
    items = _map_unique(text.str.split(delimiter, regex=False).explode().astype(TEXT).str.strip(), lookup)
    items = items[items.notna() & (items != "")]
    return items.groupby(level=0).agg(delimiter.join).reindex(text.index, fill_value="").astype(TEXT)
