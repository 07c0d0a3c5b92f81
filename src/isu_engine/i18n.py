"""Message catalogues: every sentence the engine prints lives in messages/<lang>.yaml."""

from __future__ import annotations

import contextvars
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

_current = contextvars.ContextVar("isu_language", default=DEFAULT_LANGUAGE)
_extra_folders: list[Path] = []


def set_language(language: str) -> None:
    """Make `language` the language of messages from now on (in this context)."""
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current.get()


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


def t(key: str, language: str | None = None, **params) -> str:
    """The message `key` in `language` (default: the current one), filled with `params`."""
    language = language or current_language()
    template = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if template is None:
        raise KeyError(f"no message {key!r}")
    return template.format(**params) if params else template
