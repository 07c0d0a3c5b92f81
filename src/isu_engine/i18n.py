"""Message catalogues: every sentence the engine prints lives in messages/<lang>.yaml."""

from __future__ import annotations

import contextvars
from functools import cache
from importlib import resources

import yaml

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"

_current = contextvars.ContextVar("isu_language", default=DEFAULT_LANGUAGE)


def set_language(language: str) -> None:
    """Make `language` the language of messages from now on (in this context)."""
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current.get()


@cache
def catalogue(language: str) -> dict[str, str]:
    """The flat key -> template catalogue for one language."""
    text = resources.files("isu_engine.messages").joinpath(f"{language}.yaml").read_text("utf-8")
    return _flatten(yaml.safe_load(text) or {})


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
