"""Fill message templates for many rows at once (whole-column string concatenation)."""

from __future__ import annotations

import string

import pandas as pd

from isu_engine.i18n import t, template


def fill(key: str, index: pd.Index, language: str, **params) -> pd.Series:
    """The message `key` in `language` for every row of `index`; params may be scalars or Series on `index`."""
    if not any(isinstance(value, pd.Series) for value in params.values()):
        return pd.Series(t(key, language, **params), index=index, dtype=object)
    result = pd.Series("", index=index, dtype=object)
    for literal, name, spec, _ in string.Formatter().parse(template(key, language)):
        if literal:
            result = result + literal
        if name is None:
            continue
        value = params[name]
        result = result + (value.astype(str) if isinstance(value, pd.Series) else format(value, spec or ""))
    return result
