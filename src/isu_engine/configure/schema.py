"""Checks for the YAML files users write (models, configs): known keys and value types.

Every problem is a UserError naming the file, the line and, for an unknown key,
the nearest known key.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterable
from typing import Any, overload

from isu_engine.errors import UserError, line_place
from isu_engine.configure.yamlio import line_of


@dataclass(frozen=True)
class Document:
    """A loaded YAML file, for error messages that point into it."""

    file: str

    def error(self, key: str, container: Any = None, item: Any = None, **params) -> UserError:
        """A UserError at the line of `item` in `container` (or of the container itself)."""
        line = line_of(container, item) if item is not None else getattr(container, "line", None)
        return UserError(key, file=self.file, place=line_place(line), **params)

    def mapping(self, value: Any, where: str, container: Any = None, item: Any = None) -> dict:
        """`value` must be a mapping (None counts as empty)."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error("schema.not_mapping", container, item, where=where)
        return value

    def sequence(self, value: Any, where: str, container: Any = None, item: Any = None) -> list:
        """`value` must be a list (None counts as empty)."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error("schema.not_list", container, item, where=where)
        return value

    def known_keys(self, mapping: dict, known: Iterable[str], where: str) -> None:
        """Every key of `mapping` must be one of `known`."""
        known = list(known)
        for key in mapping:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
                if close:
                    raise self.error("schema.unknown_key_suggest", mapping, key, name=key, where=where,
                                     suggestion=close[0])
                raise self.error("schema.unknown_key", mapping, key, name=key, where=where,
                                 known=", ".join(known))

    def required(self, mapping: dict, key: str, where: str) -> Any:
        if key not in mapping or mapping[key] is None:
            raise self.error("schema.missing_key", mapping, name=key, where=where)
        return mapping[key]

    @overload
    def text(self, mapping: dict, key: str, where: str, default: str) -> str: ...
    @overload
    def text(self, mapping: dict, key: str, where: str, default: None = None) -> str | None: ...
    def text(self, mapping: dict, key: str, where: str, default: str | None = None) -> str | None:
        value = mapping.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error("schema.not_text", mapping, key, name=key, where=where)
        return str(value)

    @overload
    def number(self, mapping: dict, key: str, where: str, default: float) -> float: ...
    @overload
    def number(self, mapping: dict, key: str, where: str, default: None = None) -> float | None: ...
    def number(self, mapping: dict, key: str, where: str, default: float | None = None) -> float | None:
        value = mapping.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error("schema.not_number", mapping, key, name=key, where=where, value=value)
        return value

    def boolean(self, mapping: dict, key: str, where: str, default: bool = False) -> bool:
        value = mapping.get(key, default)
        if not isinstance(value, bool):
            raise self.error("schema.not_boolean", mapping, key, name=key, where=where, value=value)
        return value

    @overload
    def choice(self, mapping: dict, key: str, choices: Iterable[str], where: str, default: str) -> str: ...
    @overload
    def choice(self, mapping: dict, key: str, choices: Iterable[str], where: str,
               default: None = None) -> str | None: ...
    def choice(self, mapping: dict, key: str, choices: Iterable[str], where: str,
               default: str | None = None) -> str | None:
        value = mapping.get(key, default)
        choices = list(choices)
        if value is None:
            return default
        if value not in choices:
            raise self.error("schema.bad_choice", mapping, key, name=key, where=where, value=value,
                             choices=" | ".join(choices))
        return value

    def titles(self, mapping: dict, key: str, where: str, fallback: str) -> dict[str, str]:
        """A title as plain text or as {sv: …, en: …}; missing languages fall back."""
        value = mapping.get(key)
        if value is None:
            return {"sv": fallback, "en": fallback}
        if isinstance(value, dict):
            self.known_keys(value, ("sv", "en"), f"{where}.{key}")
            sv = value.get("sv") or value.get("en") or fallback
            en = value.get("en") or value.get("sv") or fallback
            return {"sv": str(sv), "en": str(en)}
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return {"sv": str(value), "en": str(value)}
        raise self.error("schema.not_text", mapping, key, name=key, where=where)


def display_path(path: Path, base: Path | None = None) -> str:
    """A path as short as possible for messages and reports: relative to `base` or the working folder,
    with any personal identity number in it masked (a file named after a client)."""
    from isu_engine.protect.number_shape import may_hold_one

    text = _shortest(path, base)
    if not may_hold_one(text):
        return text
    from isu_engine.protect.identifiers import mask_text  # pandas: only for a text that may hold one

    return mask_text(text)


def _shortest(path: Path, base: Path | None) -> str:
    for root in (base, Path.cwd()):
        if root is None:
            continue
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            continue
    return str(path)
