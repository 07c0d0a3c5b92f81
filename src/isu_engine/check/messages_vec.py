"""Fill message templates for many rows at once (whole-column string concatenation)."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from isu_engine.i18n import t, template


def fill(key: str, size: int, language: str, **params) -> np.ndarray:
    """The message `key` in `language` for `size` rows, as an array of objects.

    A param is a scalar or an array of texts, one a row; where such a text is missing (NaN),
    the row's message is missing too.
    """
    if not any(isinstance(value, np.ndarray) for value in params.values()):
        return np.full(size, t(key, language, **params), dtype=object)
    result = np.full(size, "", dtype=object)
    missing = np.zeros(size, dtype=bool)
    for literal, name, spec, _ in string.Formatter().parse(template(key, language)):
        if literal:
            result = result + literal
        if name is None:
            continue
        value = params[name]
        if isinstance(value, np.ndarray):
            absent = pd.isna(value)
            missing |= absent
            result = result + np.where(absent, "", value)
        else:
            result = result + format(value, spec or "")
    result[missing] = np.nan
    return result
