"""Fill message templates for many rows at once (whole-column string concatenation)."""

from __future__ import annotations

import string

import pandas as pd

from isu_engine.i18n import t, catalogue, current_language, DEFAULT_LANGUAGE


def fill(key: str, index: pd.Index, **params) -> pd.Series:
    """The message `key` for every row of `index`; params may be scalars or Series on `index`."""
    language = current_language()
    template = catalogue(language).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if template is None:
        raise KeyError(f"no message {key!r}")
    if not any(isinstance(value, pd.Series) for value in params.values()):
        return pd.Series(t(key, **params), index=index, dtype=object)
    result = pd.Series("", index=index, dtype=object)
    for literal, name, spec, _ in string.Formatter().parse(template):
        if literal:
            result = result + literal
        if name is None:
            continue
        value = params[name]
        if isinstance(value, pd.Series):
            result = result + value.astype(str)
        else:
            result = result + format(value, spec or "")
    return result
