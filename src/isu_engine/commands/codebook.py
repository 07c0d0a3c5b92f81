"""`isu models`: the list of models and one model's codebook (text, Markdown, JSON, Table Schema, Data Package)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from isu_engine.errors import EXIT_OK, UserError
from isu_engine import numerals
from isu_engine.i18n import t
from isu_engine.configure.model import Field, Model
from isu_engine.configure.plugins import Registry

DATA_PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


def models_overview(registry: Registry, language: str) -> dict:
    """Every model with its origin, plus every plugin that failed and why."""
    return {
        "models": [
            {"name": name, "title": entry.model.title(language), "version": entry.version, "plugin": entry.plugin,
             "origin": entry.origin, "loaded": True}
            for name, entry in sorted(registry.models.items())
        ],
        "problems": [
            {"plugin": p.plugin, "origin": p.origin, "loaded": False, "problem": p.problem} for p in registry.problems
        ],
    }


def field_entry(field: Field, language: str) -> dict:
    entry: dict[str, Any] = {
        "name": field.name, "type": field.type, "title": field.title(language),
        "role": field.role, "block": field.block, "required": field.required, "unique": field.unique,
        "own": field.own,
    }
    for key in ("minimum", "maximum", "pattern", "min_length", "max_length"):
        value = getattr(field, key)
        if value is not None:
            entry[key] = value
    if field.categories:
        entry["categories"] = [{"value": c.value, "label": c.label(language)} for c in field.categories]
    elif field.enum:
        entry["categories"] = [{"value": v, "label": str(v)} for v in field.enum]
    if field.description.get(language):
        entry["description"] = field.description[language]
    return entry


def codebook(model: Model, language: str) -> dict:
    """A model's fields, scales and rules in plain data."""
    from isu_engine.analyse.methods import cutoff_text  # the methods section's wording; loads the analyses

    return {
        "name": model.name, "title": model.title(language), "version": model.version, "format": model.format,
        "origin": model.origin,
        "fields": [field_entry(f, language) for f in model.fields.values()],
        "scales": [
            {"name": s.name, "title": s.title(language), "items": list(s.items), "total": s.total,
             "pre": s.pre, "post": s.post, "direction": s.direction, "reliability": s.reliability,
             "reliable_change": s.reliable_change,
             "cutoff": None if s.cutoff is None else cutoff_text(s.cutoff, language)}
            for s in model.scales.values()
        ],
        "rules": [{"id": r.id, "type": r.type, **r.params} for r in model.rules],
    }


def table_schema(model: Model, language: str) -> dict:
    """The model's fields as a Frictionless Table Schema descriptor."""
    fields = [field.descriptor(language) for field in model.fields.values()]
    schema = {"fields": fields, "missingValues": list(model.missing_values)}
    subject = model.field_with_role("subject")
    if subject is not None and model.format == "wide":
        schema["primaryKey"] = [subject.name]
    return schema


def data_package(model: Model, language: str) -> dict:
    """The model as a Frictionless Data Package (v2) descriptor: one table resource with the model's schema."""
    descriptor: dict[str, Any] = {
        "$schema": DATA_PACKAGE_PROFILE,
        "name": model.name,
        "title": model.title(language),
        "version": model.version,
    }
    if model.description.get(language):
        descriptor["description"] = model.description[language]
    descriptor["resources"] = [{
        "name": model.name,
        "type": "table",
        "path": f"{model.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": table_schema(model, language),
    }]
    return descriptor


def print_models(registry: Registry, name: str | None, fmt: str | None, out: TextIO, language: str) -> int:
    if name is None:
        overview = models_overview(registry, language)
        if fmt == "json":
            out.write(json.dumps(overview, ensure_ascii=False, indent=2) + "\n")
            return EXIT_OK
        for entry in overview["models"]:
            out.write(f"{entry['name']:<12} {entry['version']:<8} {entry['title']}  [{entry['origin']}]\n")
        for problem in overview["problems"]:
            out.write(t("codebook.not_loaded", language, plugin=problem["plugin"], origin=problem["origin"],
                        problem=problem["problem"]) + "\n")
        return EXIT_OK
    if name not in registry.models:
        raise UserError("plugins.unknown_model", name=name, known=", ".join(sorted(registry.models)) or "–")
    model = registry.models[name].model
    if fmt == "json":
        out.write(json.dumps(codebook(model, language), ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "table-schema":
        out.write(json.dumps(table_schema(model, language), ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "datapackage":
        out.write(json.dumps(data_package(model, language), ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        out.write(codebook_markdown(codebook(model, language), language))
    return EXIT_OK


def codebook_markdown(book: dict, language: str) -> str:
    """A readable codebook (Markdown, also fine as plain text)."""
    lines = [f"# {book['title']} ({book['name']} {book['version']})", "",
             f"{t('codebook.origin', language)}: {book['origin']}", "",
             f"## {t('codebook.fields', language)}", "",
             "| " + " | ".join(t(f"codebook.{key}", language)
                             for key in ("name", "title", "type", "role", "rules", "values")) + " |",
             "| --- | --- | --- | --- | --- | --- |"]
    for field in book["fields"]:
        checks = []
        if field["required"]:
            checks.append(t("codebook.required", language))
        if field["unique"]:
            checks.append(t("codebook.unique", language))
        if "minimum" in field or "maximum" in field:
            checks.append(f"{field.get('minimum', '')}–{field.get('maximum', '')}")
        if "pattern" in field:
            checks.append(f"`{field['pattern']}`")
        values = ", ".join(f"{c['value']} = {c['label']}" if str(c["value"]) != c["label"] else str(c["value"])
                           for c in field.get("categories", []))
        role = " / ".join(x for x in (field["role"], field["block"]) if x)
        lines.append(f"| {field['name']} | {field['title']} | {field['type']} | {role} | {'; '.join(checks)} "
                     f"| {values} |")
    if book["scales"]:
        lines += ["", f"## {t('codebook.scales', language)}", ""]
        for scale in book["scales"]:
            parts = [f"{t('codebook.direction', language)}: {scale['direction']}"]
            if scale["items"]:
                parts.append(f"{t('codebook.items', language)}: {', '.join(scale['items'])}")
            if scale["total"]:
                parts.append(f"{t('codebook.total', language)}: {scale['total']}")
            if scale["pre"]:
                parts.append(f"pre/post: {scale['pre']}/{scale['post']}")
            if scale["reliable_change"] is not None:
                parts.append(f"{t('codebook.reliable_change', language)}: "
                             f"{numerals.number(scale['reliable_change'], language)}")
            elif scale["reliability"] is not None:
                parts.append(f"{t('codebook.reliability', language)}: "
                             f"{numerals.number(scale['reliability'], language)}")
            if scale["cutoff"]:
                parts.append(f"{t('codebook.cutoff', language)}: {scale['cutoff']}")
            lines.append(f"- **{scale['title']}** ({scale['name']}): " + "; ".join(parts))
    if book["rules"]:
        lines += ["", f"## {t('codebook.rules', language)}", ""]
        for rule in book["rules"]:
            params = ", ".join(f"{k}={v}" for k, v in rule.items() if k not in ("id", "type"))
            lines.append(f"- {rule['id']} ({rule['type']}): {params}")
    return "\n".join(lines) + "\n"
