"""Follow-up models: the parsed form of a model.yaml (fields, scales, rules, analyses).

Fields are Frictionless Table Schema field descriptors with ISU keys beside them
(role, block, identifier, internal). A municipality's own variables (`fields:` in
its config) are parsed by the same code and added with `Model.with_own_fields`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from isu_engine.stats.pairing import occasion_without_order
from isu_engine.configure.schema import Document
from isu_engine.configure.yamlio import load_yaml_bytes
from isu_engine.read.files import read_file_bytes

FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "year", "list")
NUMBER_TYPES = ("integer", "number", "year")
DATE_TYPES = ("date", "datetime")
ROLES = ("subject", "episode", "occasion", "group", "age", "measure", "case")
BLOCKS = ("target_group", "intervention", "result")
FORMATS = ("wide", "long")
DIRECTIONS = ("higher_is_better", "lower_is_better")
FIELD_KEYS = (
    "name", "type", "title", "description", "format", "constraints", "categories", "categoriesOrdered",
    "missingValues", "delimiter", "itemType", "decimalChar", "groupChar", "decimals", "trueValues", "falseValues",
    "example", "role", "block", "identifier", "internal",
)
CONSTRAINT_KEYS = (
    "required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern", "enum",
)
CONSTRAINT_ATTRIBUTES = {  # Table Schema constraint -> Field attribute
    "required": "required", "unique": "unique", "minimum": "minimum", "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum", "exclusiveMaximum": "exclusive_maximum",
    "minLength": "min_length", "maxLength": "max_length", "pattern": "pattern", "enum": "enum",
}
SCALE_KEYS = (
    "title", "description", "items", "total", "total_tolerance", "range", "pre", "post", "value",
    "direction", "reliability", "reliable_change", "sd_ref", "cutoff",
)
SCALE_SETTINGS = ("direction", "reliability", "reliable_change", "sd_ref", "cutoff")  # a config may override these
MODEL_KEYS = (
    "name", "title", "description", "version", "format", "missingValues", "fields", "scales", "rules",
    "analyses", "parameters", "harmonize",
)
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_NAMES = ("file", "row", "reason")  # the columns the quarantine file puts before the fields
DEFAULT_TRUE = ("true", "ja", "j", "yes", "y", "1", "x", "sant")
DEFAULT_FALSE = ("false", "nej", "n", "no", "0", "falskt")


@dataclass(frozen=True)
class Category:
    value: Any
    labels: dict[str, str]

    def label(self, language: str) -> str:
        return self.labels.get(language) or str(self.value)


@dataclass(frozen=True)
class Field:
    """One variable: its type, constraints, categories and ISU role."""

    name: str
    type: str = "string"
    titles: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    format: str | None = None
    required: bool = False
    unique: bool = False
    minimum: Any = None
    maximum: Any = None
    exclusive_minimum: Any = None
    exclusive_maximum: Any = None
    min_length: float | None = None   # as the model writes it (a number)
    max_length: float | None = None
    pattern: str | None = None
    enum: tuple | None = None
    categories: tuple[Category, ...] = ()
    ordered: bool = False
    missing_values: tuple[str, ...] | None = None
    delimiter: str = ";"
    item_type: str = "string"
    decimal_char: str | None = None
    group_char: str | None = None
    decimals: int | None = None  # numbers: at most this many decimals (ORS items: one)
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    role: str | None = None
    block: str | None = None
    identifier: bool = False
    internal: bool = False
    own: bool = False

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.name

    @property
    def allowed_values(self) -> tuple | None:
        """The values a category field accepts (categories, else enum), or None."""
        if self.categories:
            return tuple(category.value for category in self.categories)
        return self.enum

    def label_of(self, value: Any, language: str) -> str:
        for category in self.categories:
            if category.value == value:
                return category.label(language)
        return str(value)

    @property
    def is_categorical(self) -> bool:
        return bool(self.categories or self.enum)

    def descriptor(self, language: str) -> dict[str, Any]:
        """The field as a Frictionless Table Schema field descriptor (without the ISU keys), titled in `language`."""
        descriptor: dict[str, Any] = {"name": self.name, "type": self.type, "title": self.title(language)}
        if self.description.get(language):
            descriptor["description"] = self.description[language]
        if self.format is not None:
            descriptor["format"] = self.format
        constraints = {key: getattr(self, attribute) for key, attribute in CONSTRAINT_ATTRIBUTES.items()
                       if getattr(self, attribute) is not None and getattr(self, attribute) is not False}
        if self.allowed_values is not None and self.type != "list":
            constraints["enum"] = list(self.allowed_values)
        if constraints:
            descriptor["constraints"] = constraints
        if self.categories:
            descriptor["categories"] = [{"value": c.value, "label": c.label(language)} for c in self.categories]
            if self.ordered:
                descriptor["categoriesOrdered"] = True
        if self.missing_values is not None:
            descriptor["missingValues"] = list(self.missing_values)
        if self.type == "list":
            descriptor["delimiter"] = self.delimiter
            descriptor["itemType"] = self.item_type
        descriptor.update({key: value for key, value in (("decimalChar", self.decimal_char),
                                                          ("groupChar", self.group_char)) if value is not None})
        return descriptor


@dataclass(frozen=True)
class CutoffRule:
    when: dict[str, Any]
    value: float | None


@dataclass(frozen=True)
class Cutoff:
    """A clinical cutoff: a number, Jacobson–Truax a or c, or rules per group (first match wins)."""

    kind: str  # "number" | "a" | "c" | "rules"
    value: float | None = None
    functional_mean: float | None = None
    functional_sd: float | None = None
    rules: tuple[CutoffRule, ...] = ()


@dataclass(frozen=True)
class Scale:
    name: str
    titles: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    items: tuple[str, ...] = ()
    total: str | None = None
    total_tolerance: float = 0.0
    range: tuple[float, float] | None = None
    pre: str | None = None
    post: str | None = None
    value: str | None = None
    direction: str = "higher_is_better"
    reliability: float | None = None
    reliable_change: float | None = None
    sd_ref: float | None = None
    cutoff: Cutoff | None = None

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.name

    @property
    def score_field(self) -> str | None:
        """The field that holds the scale's score in long data."""
        return self.value or self.total


@dataclass(frozen=True)
class Rule:
    """A declarative cross-field check; `params` are checked by the rule kind."""

    type: str
    params: dict
    id: str
    messages: dict[str, str]
    line: int | None = None


ANALYSIS_KINDS = {"overview": (), "frequencies": ("fields",), "change": ("scales",)}


@dataclass(frozen=True)
class Analysis:
    """One of the engine's generic analyses, named in the model's `analyses:`."""

    kind: str  # overview | frequencies | change
    fields: tuple[str, ...] = ()  # frequencies: the fields to show
    scales: tuple[str, ...] = ()  # change: the scales (empty: every scale)


DEFAULT_ANALYSES = (Analysis("overview"), Analysis("change"))


@dataclass(frozen=True)
class Model:
    name: str
    titles: dict[str, str]
    version: str
    format: str
    fields: dict[str, Field]
    description: dict[str, str] = field(default_factory=dict)
    scales: dict[str, Scale] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    analyses: tuple[Analysis, ...] | None = None
    parameters: dict = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    harmonize: dict[str, str] = field(default_factory=dict)
    missing_values: tuple[str, ...] = ("",)
    path: Path | None = None
    origin: str = ""

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.name

    def fields_with_role(self, role: str) -> list[Field]:
        return [f for f in self.fields.values() if f.role == role]

    def field_with_role(self, role: str) -> Field | None:
        found = self.fields_with_role(role)
        return found[0] if found else None

    def with_own_fields(self, own: list[Field]) -> Model:
        """This model with a unit's own variables added after its fields."""
        fields = dict(self.fields)
        fields.update({f.name: f for f in own})
        return dataclasses.replace(self, fields=fields)

    def with_settings(self, settings: dict[str, Any]) -> Model:
        """This model with a dataset's own settings (the dataset keys the model's plugin declares, parsed)."""
        return dataclasses.replace(self, settings=settings)

    def with_overrides(self, scales: dict[str, Scale], parameters: dict) -> Model:
        """This model with some scales replaced and parameters updated (from a config)."""
        return dataclasses.replace(self, scales={**self.scales, **scales},
                                   parameters={**self.parameters, **parameters})


def load_model(path: Path, display: str, rule_kinds: dict[str, Any], origin: str = "") -> Model:
    """Read and check a model.yaml; every problem names the file and line."""
    return parse_model(_model_document(path, display), Document(display), rule_kinds, path=path, origin=origin)


def _model_document(path: Path, display: str) -> Any:
    """The model file's YAML, parsed once per process for each content (a registry is loaded for each run:
    every job of the web application's worker, every test). Checking a model only reads the document."""
    return _parsed(read_file_bytes(path, display), display)


@lru_cache(maxsize=32)
def _parsed(raw: bytes, display: str) -> Any:
    return load_yaml_bytes(raw, display)


def parse_model(raw: Any, doc: Document, rule_kinds: dict[str, Any], path: Path | None = None,
                origin: str = "") -> Model:
    raw = doc.mapping(raw, "model")
    doc.known_keys(raw, MODEL_KEYS, "model")
    name = doc.text(raw, "name", "model")
    if name is None:
        raise doc.error("schema.missing_key", raw, name="name", where="model")
    if not NAME_PATTERN.match(name):
        raise doc.error("model.bad_name", raw, "name", name=name)
    model_missing = tuple(str(v) for v in doc.sequence(raw.get("missingValues", [""]), "missingValues", raw,
                                                       "missingValues"))
    fields = parse_fields(doc.sequence(raw.get("fields"), "fields", raw, "fields"), doc, own=False)
    if not fields:
        raise doc.error("model.no_fields", raw)
    fmt = doc.choice(raw, "format", FORMATS, "model", default="wide")
    unordered = occasion_without_order(fmt, fields)
    if unordered is not None:
        items = raw["fields"]
        place = next(i for i, item in enumerate(items) if isinstance(item, dict) and item.get("name") == unordered.name)
        raise doc.error("model.occasion_order", items[place], "type", name=unordered.name, type=unordered.type)
    scales_raw = doc.mapping(raw.get("scales"), "scales", raw, "scales")
    scales = {key: parse_scale(key, value, doc, scales_raw, fields) for key, value in scales_raw.items()}
    rules = parse_rules(doc.sequence(raw.get("rules"), "rules", raw, "rules"), doc, fields, rule_kinds)
    analyses = raw.get("analyses")
    if analyses is not None:
        analyses = parse_analyses(doc.sequence(analyses, "analyses", raw, "analyses"), doc, fields, scales, name)
    harmonize = doc.mapping(raw.get("harmonize"), "harmonize", raw, "harmonize")
    for common, field_name in harmonize.items():
        if field_name not in fields:
            raise doc.error("model.unknown_field", harmonize, common, name=field_name, where="harmonize")
    return Model(
        name=name,
        titles=doc.titles(raw, "title", "model", name),
        description=doc.titles(raw, "description", "model", ""),
        version=str(raw.get("version", "0")),
        format=fmt,
        fields=fields,
        scales=scales,
        rules=rules,
        analyses=analyses,
        parameters=dict(doc.mapping(raw.get("parameters"), "parameters", raw, "parameters")),
        harmonize=dict(harmonize),
        missing_values=model_missing,
        path=path,
        origin=origin,
    )


def parse_analyses(items: list, doc: Document, fields: dict[str, Field], scales: dict[str, Scale],
                   model: str) -> tuple[Analysis, ...]:
    """The `analyses:` list: each a known kind with the fields or scales it names."""
    analyses = []
    for index, item in enumerate(items):
        item = doc.mapping(item, "analyses[]", items, index)
        kind = doc.choice(item, "kind", tuple(ANALYSIS_KINDS), "analyses[]")
        if kind is None:
            raise doc.error("schema.missing_key", item, name="kind", where="analyses[]")
        where = f"analyses[{kind}]"
        doc.known_keys(item, ("kind", *ANALYSIS_KINDS[kind]), where)
        named_fields = tuple(str(v) for v in doc.sequence(item.get("fields", []), f"{where}.fields", item, "fields"))
        for name in named_fields:
            if name not in fields:
                raise doc.error("model.unknown_field", item, "fields", name=name, where=where)
        if kind == "frequencies" and not named_fields:
            raise doc.error("schema.missing_key", item, name="fields", where=where)
        named_scales = tuple(str(v) for v in doc.sequence(item.get("scales", []), f"{where}.scales", item, "scales"))
        for name in named_scales:
            if name not in scales:
                raise doc.error("model.unknown_scale", item, "scales", name=name, model=model)
        analyses.append(Analysis(kind, named_fields, named_scales))
    return tuple(analyses)


def parse_fields(items: list, doc: Document, own: bool, existing: dict[str, Field] | None = None) -> dict[str, Field]:
    """Parse field descriptors; names must be unique (also against `existing`)."""
    fields: dict[str, Field] = {}
    taken = dict(existing or {})
    for index, item in enumerate(items):
        descriptor = doc.mapping(item, "fields[]", items, index)
        parsed = parse_field(descriptor, doc, own)
        if parsed.name in fields or parsed.name in taken:
            raise doc.error("model.duplicate_field", items, index, name=parsed.name)
        fields[parsed.name] = parsed
    return fields


def parse_field(raw: dict, doc: Document, own: bool) -> Field:
    doc.known_keys(raw, FIELD_KEYS, "field")
    name = doc.text(raw, "name", "field")
    if not name:
        raise doc.error("schema.missing_key", raw, name="name", where="field")
    if not NAME_PATTERN.match(name):
        raise doc.error("model.bad_field_name", raw, "name", name=name)
    if name in RESERVED_NAMES:
        raise doc.error("model.reserved_field_name", raw, "name", name=name, reserved=", ".join(RESERVED_NAMES))
    where = f"field '{name}'"
    ftype = doc.choice(raw, "type", FIELD_TYPES, where, default="string")
    constraints = doc.mapping(raw.get("constraints"), f"{where}.constraints", raw, "constraints")
    doc.known_keys(constraints, CONSTRAINT_KEYS, f"{where}.constraints")
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in constraints and ftype in NUMBER_TYPES:
            doc.number(constraints, key, f"{where}.constraints")
        if key in constraints and ftype in DATE_TYPES:
            _date_bound(constraints, key, doc)
    if ftype in DATE_TYPES and raw.get("format") not in (None, "default", "any"):
        _date_format(raw, doc, where)
    if ftype == "list" and not raw.get("delimiter", ";"):
        raise doc.error("model.empty_delimiter", raw, "delimiter", where=where)
    pattern = doc.text(constraints, "pattern", f"{where}.constraints")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise doc.error("model.bad_pattern", constraints, "pattern", pattern=pattern, reason=str(error)) from error
    enum = constraints.get("enum")
    if enum is not None:
        enum = tuple(doc.sequence(enum, f"{where}.constraints.enum", constraints, "enum"))
    categories = parse_categories(raw, doc, where)
    if ftype in NUMBER_TYPES:
        for key, values in (("enum", enum or ()), ("categories", [c.value for c in categories])):
            for value in values:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise doc.error("schema.not_number", constraints if key == "enum" else raw, key, name=key,
                                    where=where, value=value)
    missing = raw.get("missingValues")
    if missing is not None:
        missing = tuple(str(v) for v in doc.sequence(missing, f"{where}.missingValues", raw, "missingValues"))
    true_values = raw.get("trueValues")
    false_values = raw.get("falseValues")
    return Field(
        name=name,
        type=ftype,
        titles=doc.titles(raw, "title", where, name),
        description=doc.titles(raw, "description", where, ""),
        format=doc.text(raw, "format", where),
        required=doc.boolean(constraints, "required", f"{where}.constraints"),
        unique=doc.boolean(constraints, "unique", f"{where}.constraints"),
        minimum=constraints.get("minimum"),
        maximum=constraints.get("maximum"),
        exclusive_minimum=constraints.get("exclusiveMinimum"),
        exclusive_maximum=constraints.get("exclusiveMaximum"),
        min_length=doc.number(constraints, "minLength", f"{where}.constraints"),
        max_length=doc.number(constraints, "maxLength", f"{where}.constraints"),
        pattern=pattern,
        enum=enum,
        categories=categories,
        ordered=doc.boolean(raw, "categoriesOrdered", where),
        missing_values=missing,
        delimiter=doc.text(raw, "delimiter", where, ";"),
        item_type=doc.choice(raw, "itemType", ("string", "integer", "number"), where, default="string"),
        decimal_char=doc.text(raw, "decimalChar", where),
        group_char=doc.text(raw, "groupChar", where),
        decimals=_decimals(raw, doc, where, ftype),
        true_values=tuple(str(v).lower() for v in true_values) if true_values else DEFAULT_TRUE,
        false_values=tuple(str(v).lower() for v in false_values) if false_values else DEFAULT_FALSE,
        role=doc.choice(raw, "role", ROLES, where),
        block=doc.choice(raw, "block", BLOCKS, where),
        identifier=doc.boolean(raw, "identifier", where),
        internal=doc.boolean(raw, "internal", where),
        own=own,
    )


def _decimals(raw: dict, doc: Document, where: str, ftype: str) -> int | None:
    """The `decimals` key: a whole number of at least 0, for number fields only."""
    value = doc.number(raw, "decimals", where)
    if value is None:
        return None
    if ftype != "number" or value != int(value) or value < 0:
        raise doc.error("model.bad_decimals", raw, "decimals", where=where, value=value)
    return int(value)


def _date_bound(constraints: dict, key: str, doc: Document) -> None:
    """A date field's bound must be a date written YYYY-MM-DD (a time may follow)."""
    value = constraints[key]
    try:
        dt.datetime.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        raise doc.error("config.bad_date", constraints, key, value=value) from None


def _date_format(raw: dict, doc: Document, where: str) -> None:
    """A date field's `format` must be a format that dates can be read with."""
    import pandas as pd  # only for a model that gives a date format

    value = raw["format"]
    try:
        pd.to_datetime(pd.Series(["2000-01-01"]), format=str(value), errors="coerce")
    except (ValueError, TypeError) as error:
        raise doc.error("model.bad_date_format", raw, "format", format=value, where=where, reason=str(error)) from None


def parse_categories(raw: dict, doc: Document, where: str) -> tuple[Category, ...]:
    items = doc.sequence(raw.get("categories"), f"{where}.categories", raw, "categories")
    categories = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            doc.known_keys(item, ("value", "label"), f"{where}.categories")
            value = doc.required(item, "value", f"{where}.categories")
            labels = doc.titles(item, "label", f"{where}.categories", str(value))
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            value, labels = item, {"sv": str(item), "en": str(item)}
        else:
            raise doc.error("model.bad_category", items, index, where=where)
        categories.append(Category(value=value, labels=labels))
    values = [c.value for c in categories]
    if len(set(values)) != len(values):
        raise doc.error("model.duplicate_category", raw, "categories", where=where)
    return tuple(categories)


def parse_scale(name: str, raw: Any, doc: Document, container: dict, fields: dict[str, Field]) -> Scale:
    where = f"scale '{name}'"
    raw = doc.mapping(raw, where, container, name)
    doc.known_keys(raw, SCALE_KEYS, where)

    def numeric(name: str, key: str) -> str:
        if name not in fields:
            raise doc.error("model.unknown_field", raw, key, name=name, where=where)
        if fields[name].type not in ("integer", "number"):
            raise doc.error("model.scale_field_type", raw, key, name=name, where=where, type=fields[name].type)
        return name

    def field_ref(key: str) -> str | None:
        value = doc.text(raw, key, where)
        return numeric(value, key) if value is not None else None
    items = tuple(numeric(str(i), "items") for i in doc.sequence(raw.get("items"), f"{where}.items", raw, "items"))
    value_range = raw.get("range")
    if value_range is not None:
        value_range = doc.sequence(value_range, f"{where}.range", raw, "range")
        if len(value_range) != 2 or not all(isinstance(v, (int, float)) for v in value_range):
            raise doc.error("model.bad_range", raw, "range", where=where)
        value_range = (float(value_range[0]), float(value_range[1]))
    settings = scale_settings(raw, doc, where, fields)
    scale = Scale(
        name=name,
        titles=doc.titles(raw, "title", where, name),
        description=doc.titles(raw, "description", where, ""),
        items=items,
        total=field_ref("total"),
        total_tolerance=float(doc.number(raw, "total_tolerance", where, 0.0)),
        range=value_range,
        pre=field_ref("pre"),
        post=field_ref("post"),
        value=field_ref("value"),
        direction=settings.get("direction", "higher_is_better"),
        reliability=settings.get("reliability"),
        reliable_change=settings.get("reliable_change"),
        sd_ref=settings.get("sd_ref"),
        cutoff=settings.get("cutoff"),
    )
    if (scale.pre is None) != (scale.post is None):
        raise doc.error("model.pre_post_pair", raw, where=where)
    return scale


def scale_settings(raw: dict, doc: Document, where: str, fields: dict[str, Field]) -> dict:
    """The keys of a scale that a config may override (`SCALE_SETTINGS`), checked; only those given."""
    settings: dict[str, Any] = {}
    if raw.get("reliability") is not None:
        settings["reliability"] = doc.number(raw, "reliability", where)
        if not 0 <= settings["reliability"] < 1:
            raise doc.error("model.bad_reliability", raw, "reliability", where=where, value=settings["reliability"])
    if raw.get("reliable_change") is not None:
        settings["reliable_change"] = doc.number(raw, "reliable_change", where)
        if settings["reliable_change"] <= 0:
            raise doc.error("model.bad_positive", raw, "reliable_change", name="reliable_change", where=where)
    if raw.get("sd_ref") is not None:
        settings["sd_ref"] = doc.number(raw, "sd_ref", where)
    if raw.get("direction") is not None:
        settings["direction"] = doc.choice(raw, "direction", DIRECTIONS, where)
    if raw.get("cutoff") is not None:
        settings["cutoff"] = parse_cutoff(raw["cutoff"], doc, raw, where, fields)
    return settings


def parse_cutoff(value: Any, doc: Document, container: dict, where: str, fields: dict[str, Field]) -> Cutoff | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Cutoff(kind="number", value=float(value))
    value = doc.mapping(value, f"{where}.cutoff", container, "cutoff")
    if "rules" in value:
        doc.known_keys(value, ("rules",), f"{where}.cutoff")
        rules = []
        items = doc.sequence(value["rules"], f"{where}.cutoff.rules", value, "rules")
        for index, item in enumerate(items):
            item = doc.mapping(item, f"{where}.cutoff.rules[]", items, index)
            doc.known_keys(item, ("when", "value"), f"{where}.cutoff.rules[]")
            when = doc.mapping(item.get("when"), f"{where}.cutoff.rules[].when", item, "when")
            for field_name in when:
                if field_name not in fields:
                    raise doc.error("model.unknown_field", when, field_name, name=field_name, where=f"{where}.cutoff")
            rules.append(CutoffRule(when=dict(when), value=doc.number(item, "value", f"{where}.cutoff.rules[]")))
        return Cutoff(kind="rules", rules=tuple(rules))
    kind = doc.choice(value, "type", ("a", "c"), f"{where}.cutoff")
    if kind is None:
        raise doc.error("schema.missing_key", value, name="type", where=f"{where}.cutoff")
    if kind == "a":
        doc.known_keys(value, ("type",), f"{where}.cutoff")
        return Cutoff(kind="a")
    doc.known_keys(value, ("type", "functional_mean", "functional_sd"), f"{where}.cutoff")
    mean = doc.number(value, "functional_mean", f"{where}.cutoff")
    sd = doc.number(value, "functional_sd", f"{where}.cutoff")
    if mean is None or sd is None:
        raise doc.error("model.cutoff_c", value, where=where)
    return Cutoff(kind="c", functional_mean=float(mean), functional_sd=float(sd))


def parse_rules(items: list, doc: Document, fields: dict[str, Field], rule_kinds: dict[str, Any]) -> tuple[Rule, ...]:
    rules = []
    for index, item in enumerate(items):
        raw = doc.mapping(item, "rules[]", items, index)
        kind = doc.text(raw, "type", "rules[]")
        if kind is None:
            raise doc.error("schema.missing_key", raw, name="type", where="rules[]")
        if kind not in rule_kinds:
            known = sorted(rule_kinds)
            raise doc.error("schema.bad_choice", raw, "type", name="type", where="rules[]", value=kind,
                            choices=" | ".join(known))
        rule_id = doc.text(raw, "id", "rules[]", f"{kind}_{index + 1}")
        messages = doc.titles(raw, "message", "rules[]", "") if "message" in raw else {}
        params = {k: v for k, v in raw.items() if k not in ("type", "id", "message")}
        rule = Rule(type=kind, params=params, id=rule_id, messages=messages,
                    line=raw.line if hasattr(raw, "line") else None)
        rule_kinds[kind].check(rule, fields, doc, raw)
        rules.append(rule)
    return tuple(rules)
