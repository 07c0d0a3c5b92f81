"""A dataset's configuration in the browser: the same YAML the command line reads, with what the
server owns refused (server paths, min_cell below the organisation's floor, `internal`)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from isu_engine import library
from isu_engine.configure.schema import Document
from isu_engine.configure.yamlio import load_yaml_text

CONFIG_NAME = "config.yaml"
SERVER_KEYS = ("plugins_dirs", "templates_dir", "reflection_log", "allow_outside_paths")
BARE_FILE_NAME = re.compile(r"^[^/\\:*?\[\]]+$")


def check_uploaded(text: str, organisation, may_set_internal: bool = False) -> dict:
    """The parsed config, or a one-line UserError: the engine's own checks first, then the server's refusals."""
    doc = Document(CONFIG_NAME)
    raw = load_yaml_text(text, CONFIG_NAME)
    for key in SERVER_KEYS:
        if isinstance(raw, dict) and key in raw:
            raise doc.error("serve.config.server_key", raw, key, name=key)
    if isinstance(raw, dict) and isinstance(raw.get("pseudonymize"), dict):
        for key in ("key_file", "key_env"):
            if key in raw["pseudonymize"]:
                raise doc.error("serve.config.server_key", raw["pseudonymize"], key, name=f"pseudonymize.{key}")
    for name, entry in (raw.get("datasets") or {}).items() if isinstance(raw, dict) else ():
        if isinstance(entry, dict) and "source" in entry and not (
                isinstance(entry["source"], str) and BARE_FILE_NAME.match(entry["source"])
                and entry["source"] not in (".", "..")):
            raise doc.error("serve.config.server_key", entry, "source", name=f"datasets.{name}.source")
    config = library.check_config_text(text, Path("/nonexistent-upload-folder"), CONFIG_NAME)
    if config.min_cell < organisation.min_cell_floor:
        where = raw["disclosure"]
        raise doc.error("serve.config.min_cell_floor", where, "min_cell", value=config.min_cell,
                        floor=organisation.min_cell_floor)
    if config.internal and not may_set_internal:
        raise doc.error("serve.config.internal", raw, "internal")
    if len(config.datasets) != 1:
        raise doc.error("serve.config.one_dataset", raw, "datasets")
    return raw


def first_dataset(raw: dict) -> tuple[str, dict]:
    name = next(iter(raw["datasets"]))
    return str(name), raw["datasets"][name]


def dump(raw: dict) -> str:
    return yaml.safe_dump(plain(raw), allow_unicode=True, sort_keys=False)


def plain(value):
    """Loaded YAML (with line-number containers) as plain dicts and lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def starting_config(organisation, unit, dataset_name: str, model: str, title: str) -> str:
    """A new dataset's config: the organisation's and unit's settings and the model."""
    raw = {
        "municipality": organisation.municipality,
        "unit": unit.name,
        "period_step": unit.period_step,
        "language": organisation.language,
        "disclosure": {"min_cell": organisation.min_cell_floor},
        "datasets": {dataset_name: {"model": model, "title": title, "source": f"{dataset_name}.csv"}},
    }
    return dump(raw)


def with_mapping(text: str, *, source: str, read: dict, columns: dict, values: dict, own_fields: list[dict]) -> str:
    """The config with a confirmed mapping of an upload (read options, headings, recodings, own variables)."""
    raw = plain(yaml.safe_load(text))
    _, entry = first_dataset(raw)
    entry["source"] = source
    entry["read"] = read
    entry["columns"] = columns
    declared = entry.get("categories") or {}  # the categories step owns the recodings of these fields
    values = {**{name: recoded for name, recoded in (entry.get("values") or {}).items() if name in declared}, **values}
    _set_or_drop(entry, "values", values)
    if own_fields:
        entry["fields"] = own_fields
    else:
        entry.pop("fields", None)
    return dump(raw)


def with_categories(text: str, fields: list[str], categories: dict[str, list], values: dict[str, dict]) -> str:
    """The config with the unit's own categories of `fields` as declared on the categories page (others kept)."""
    raw = plain(yaml.safe_load(text))
    _, entry = first_dataset(raw)
    for key, chosen in (("categories", categories), ("values", values)):
        kept = {name: item for name, item in (entry.get(key) or {}).items() if name not in fields}
        _set_or_drop(entry, key, {**kept, **{name: chosen[name] for name in fields if name in chosen}})
    return dump(raw)


def _set_or_drop(entry: dict, key: str, value: dict) -> None:
    if value:
        entry[key] = value
    else:
        entry.pop(key, None)


def with_source(text: str, source: str) -> str:
    """The config with the dataset's `source` replaced (a file in the folder the config is checked in)."""
    raw = plain(yaml.safe_load(text))
    first_dataset(raw)[1]["source"] = source
    return dump(raw)


def for_validation(text: str, source: str, key_file: Path, subject_fields: list[str]) -> str:
    """The stored config made ready for the engine on the server: the upload as source, identifiers pseudonymised."""
    raw = plain(yaml.safe_load(text))
    _, entry = first_dataset(raw)
    entry["source"] = source
    raw["pseudonymize"] = {"columns": subject_fields, "key_file": str(key_file)}
    raw["reflection_log"] = None
    return dump(raw)


def for_run(text: str, source: str, period: tuple[dt.date, dt.date], internal: bool, min_cell: int) -> str:
    """The stored config made ready for a run over stored rows: already mapped, recoded and pseudonymised."""
    raw = plain(yaml.safe_load(text))
    _, entry = first_dataset(raw)
    entry["source"] = source
    for key in ("read", "columns", "values"):
        entry.pop(key, None)
    entry.pop("period", None)
    raw["period"] = {"start": period[0].isoformat(), "end": period[1].isoformat()}
    raw["internal"] = internal
    raw["disclosure"] = {"min_cell": min_cell}
    raw["reflection_log"] = "reflektion.yaml"
    raw.pop("pseudonymize", None)
    return dump(raw)


def for_comparison(entries: dict[str, tuple[str, str, str | None]], period: tuple[dt.date, dt.date], min_cell: int,
                   language: str) -> str:
    """One config over several datasets' stored configs, each made ready as for a run, comparing them all.

    `entries`: the dataset's name in the comparison -> (its stored config, its rows' file, the unit's name when
    units are compared, added to a title that does not name it). Settings such as groups and age bands are the first
    dataset's.
    """
    merged: dict = {}
    for key, (text, source, unit_name) in entries.items():
        raw = plain(yaml.safe_load(for_run(text, source, period, internal=False, min_cell=min_cell)))
        name, entry = first_dataset(raw)
        title = str(entry.get("title") or name)
        named = unit_name is None or unit_name.casefold() in title.casefold()
        entry["title"] = title if named else f"{title} ({unit_name})"
        merged = merged or {**raw, "datasets": {}}
        merged["datasets"][key] = entry
    merged.update(language=language, reflection_log=None, compare=list(entries))
    if any(unit for _, _, unit in entries.values()):
        merged.pop("unit", None)  # units compared: the municipality's comparison
    return dump(merged)

