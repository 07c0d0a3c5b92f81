"""Declaring a dataset's own categories from an upload (config key `categories:`).

A report tabulates a field without categories of its model (LOKE's referral, problem areas,
interventions and methods; FIT's units and therapists) only when the unit declares them. After the
columns are confirmed, the analyst is offered each such field's distinct values in the upload with
their row counts and ticks the ones that are categories, optionally giving a value the name the
report shows; values given the same name become one category. What is ticked is saved into the
dataset's YAML as `categories:` (and the merged spellings as `values:`), exactly as a person would
write it for the command line.

Values are row-level text: they are shown to the analyst on this page only and only ticked values
are stored. A value that could identify a person (a personal identity number, a long run of digits,
a long text) is shown masked and cannot be ticked; a value that looks like free text (long, several
words, digits) or stands on fewer rows than the organisation's smallest shown cell is not ticked in
advance.
"""

from __future__ import annotations

import re
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from isu_engine import library
from isu_engine.protect.identifiers import mask_personal_numbers
from isu_engine.serve import configs

FIXED_ROLES = ("subject", "episode")  # identifiers are never categories
MAX_VALUES = 50  # values offered per field; a field with more looks like free text: nothing is ticked in advance
TEXT_LENGTH, TEXT_WORDS, TEXT_DIGITS = 30, 4, 4  # longer, more words or more digits: looks like free text
OPEN_LENGTH, OPEN_WORDS, OPEN_DIGITS = 60, 8, 6  # beyond these a value could identify someone: masked, not offered
DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Value:
    """One distinct value of a field in the upload, as offered on the page."""

    index: int
    value: str  # as written in the file (never shown when `identifying`)
    shown: str  # what the page shows
    rows: int
    kind: str  # "category" (looks like one) | "text" (looks like free text) | "identifying" (masked, not offered)
    ticked: bool
    name: str  # the name in the report, when other than the value itself


@dataclass(frozen=True)
class FieldValues:
    name: str
    title: str
    values: tuple[Value, ...]
    more: int  # distinct values beyond those offered
    more_rows: int
    saved: dict = dataclasses.field(default_factory=dict)  # category (case-folded) -> its item as the YAML has it


def open_fields(model) -> list[str]:
    """The fields whose categories the unit declares: text and list fields without categories of their own."""
    return [name for name, spec in model.fields.items()
            if spec.type in ("string", "list") and not spec.categories and not spec.enum
            and spec.role not in FIXED_ROLES and not spec.identifier]


def kind_of(value: str) -> str:
    """"identifying" (could single out a person), "text" (looks like free text) or "category"."""
    digits, words = len(DIGIT.findall(value)), len(value.split())
    if str(mask_personal_numbers(pd.Series([value], dtype=object)).iloc[0]) != value or digits >= OPEN_DIGITS \
            or len(value) > OPEN_LENGTH or words > OPEN_WORDS:
        return "identifying"
    if digits >= TEXT_DIGITS or len(value) > TEXT_LENGTH or words > TEXT_WORDS:
        return "text"
    return "category"


def masked(value: str) -> str:
    """A value that could identify someone, as the page shows it: personal numbers and digits hidden, first words
    only."""
    hidden = DIGIT.sub("•", str(mask_personal_numbers(pd.Series([value], dtype=object)).iloc[0]))
    words = hidden.split()
    return " ".join(words[:3]) + (" …" if len(words) > 3 else "")


def saved_items(entry: dict, name: str) -> dict[str, object]:
    """The categories the dataset's config already declares for field `name`, by value (case-folded)."""
    items = (entry.get("categories") or {}).get(name) or []
    return {str(item.get("value") if isinstance(item, dict) else item).casefold(): item for item in items}


def value_and_name(item) -> tuple[str, str]:
    """A declared category's value and the name the report shows (its label; the Swedish one of two)."""
    if not isinstance(item, dict):
        return str(item), str(item)
    label = item.get("label")
    if isinstance(label, dict):
        label = label.get("sv") or label.get("en")
    return str(item.get("value")), str(label or item.get("value"))


def saved_choices(entry: dict, name: str) -> dict[str, tuple[str, str]]:
    """What the dataset's config already declares for field `name`: spelling (case-folded) -> (category, its name
    when other than the category)."""
    found: dict[str, tuple[str, str]] = {}
    for item in saved_items(entry, name).values():
        value, label = value_and_name(item)
        found[value.casefold()] = (value, label if label != value else "")
    for local, target in ((entry.get("values") or {}).get(name) or {}).items():
        category = found.get(str(target).casefold())
        if category is not None:
            found[str(local).strip().casefold()] = (category[0], category[1] or category[0])
    return found


def offered(counts: pd.Series, saved: dict[str, tuple[str, str]], min_rows: int) -> tuple[list[Value], int, int]:
    """The values offered for one field: those in the upload (most rows first), then saved categories it lacks."""
    top, rest = counts.iloc[:MAX_VALUES], counts.iloc[MAX_VALUES:]
    fresh = not saved and len(counts) <= MAX_VALUES
    values: list[Value] = []
    seen: set[str] = set()
    for value, rows in zip(top.index.astype(str), top.to_numpy(), strict=True):
        kind = kind_of(value)
        before = saved.get(value.casefold())
        ticked = kind != "identifying" and (before is not None or (fresh and kind == "category" and rows >= min_rows))
        name = "" if before is None else before[1] or (before[0] if before[0] != value else "")
        values.append(Value(len(values), value, masked(value) if kind == "identifying" else value, int(rows), kind,
                            ticked, name))
        seen.add(value.casefold())
    for spelling, (category, name) in saved.items():
        if spelling == category.casefold() and spelling not in seen:
            values.append(Value(len(values), category, category, 0, "category", True, name))
    return values, len(rest), int(rest.sum())


def declared(fields: list[FieldValues], posted) -> tuple[dict[str, list], dict[str, dict[str, str]]]:
    """The ticked values as `categories:` and `values:` entries; values given the same name are one category.

    The category keeps the spelling that is written as its name, else the one on most rows; the other
    spellings are recoded to it under `values:`. A field with nothing ticked declares no categories.
    """
    categories: dict[str, list] = {}
    recodings: dict[str, dict[str, str]] = {}
    for field in fields:
        groups: dict[str, tuple[str, list[Value]]] = {}
        for value in field.values:
            if value.kind == "identifying" or not posted.get(f"cat_{field.name}_{value.index}"):
                continue
            name = " ".join(str(posted.get(f"name_{field.name}_{value.index}", "")).split())[:100] or value.value
            groups.setdefault(name.casefold(), (name, []))[1].append(value)
        for key, (name, members) in groups.items():
            category = next((m.value for m in members if m.value.casefold() == key), members[0].value)
            before = field.saved.get(category.casefold())
            unchanged = before is not None and value_and_name(before) == (category, name)
            categories.setdefault(field.name, []).append(
                before if unchanged else category if name == category else {"value": category, "label": name})
            for member in members:
                if member.value != category:
                    recodings.setdefault(field.name, {})[member.value] = category
    return categories, recodings


def upload_fields(text: str, upload: Path, registry, language: str, min_rows: int) -> list[FieldValues]:
    """The fields of the dataset's config (`text`) without categories of their own that the upload has a column
    for, each with the values offered (a problem reading the file is the engine's one-line UserError)."""
    config = library.check_config_text(configs.with_source(text, upload.name), upload.parent)
    name, dataset = next(iter(config.datasets.items()))
    model = library.model_of(registry, dataset.model).with_own_fields(dataset.fields)
    fields = open_fields(model)
    counts = library.field_values(config, registry, name, fields)
    entry = configs.first_dataset(configs.plain(yaml.safe_load(text)))[1]
    found = []
    for name in fields:
        if name in counts:
            values, more, more_rows = offered(counts[name], saved_choices(entry, name), min_rows)
            found.append(FieldValues(name, model.fields[name].title(language), tuple(values), more, more_rows,
                                     saved_items(entry, name)))
    return found
