"""The language of the request being served.

The engine takes its language as an argument everywhere. A web page speaks its user's
language: the request middleware sets it here for the request, and the web application's
forms, views and jobs word their texts and the engine's errors through `t` and `line`.
"""

from __future__ import annotations

import contextvars

from isu_engine import i18n
from isu_engine.errors import UserError

_current = contextvars.ContextVar("isu_serve_language", default=i18n.DEFAULT_LANGUAGE)


def set_language(language: str) -> None:
    """Serve the rest of this request (or job) in `language`."""
    _current.set(language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current.get()


def t(key: str, language: str | None = None, **params) -> str:
    """A message in the request's language (or in `language`)."""
    return i18n.t(key, language or current_language(), **params)


def line(error: UserError) -> str:
    """An engine error's one line, in the request's language."""
    return error.line(current_language())
