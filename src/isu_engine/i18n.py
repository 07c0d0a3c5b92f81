"""Message catalogues: every sentence the engine prints lives in messages/<lang>.yaml.

The language is always passed explicitly (a report's, a config's, or the command line's
default): nothing here remembers a "current" language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

_extra_folders: list[Path] = []


def register_messages(folder: Path) -> None:
    """Add a plugin's catalogues (`<folder>/<lang>.yaml`); their keys must not clash with the core's."""
    folder = Path(folder)
    if folder.is_dir() and folder not in _extra_folders:
        _extra_folders.append(folder)
        catalogue.cache_clear()  # merged again when next asked for; each file is parsed once


@cache
def catalogue(language: str) -> dict[str, str]:
    """The flat key -> template catalogue for one language (core first, then plugins)."""
    flat = dict(_core_catalogue(language))
    for folder in _extra_folders:
        for key, value in _file_catalogue(folder / f"{language}.yaml").items():
            flat.setdefault(key, value)
    return flat


@cache
def _core_catalogue(language: str) -> dict[str, str]:
    return _flatten(_parse(resources.files("isu_engine.messages").joinpath(f"{language}.yaml").read_text("utf-8")))


@cache
def _file_catalogue(path: Path) -> dict[str, str]:
    return _flatten(_parse(path.read_text("utf-8"))) if path.is_file() else {}


def _parse(text: str) -> dict:
    """A catalogue's YAML (the project's own files: no line numbers needed), by libyaml when it is there."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


def template(key: str, language: str) -> str:
    """The unfilled message `key` in `language` (the default language's when that one lacks it)."""
    found = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if found is None:
        raise KeyError(f"no message {key!r}")
    return found


def t(key: str, language: str, **params) -> str:
    """The message `key` in `language`, filled with `params` (a `Message` among them is worded too)."""
    worded = {name: value.text(language) if isinstance(value, Message) else value for name, value in params.items()}
    return template(key, language).format(**worded) if params else template(key, language)


@dataclass(frozen=True)
class Message:
    """A message to be worded later, in the language of whoever shows it (an error's place, a detail)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str) -> str:
        return t(self.key, language, **self.params)
