"""Swedish personal identity numbers in data: find them, mask them, pseudonymise them.

A personal identity number (personnummer) or co-ordination number (samordningsnummer,
day + 60) is recognised in the writings YYYYMMDD-NNNN, YYYYMMDDNNNN, YYMMDD-NNNN,
YYMMDD+NNNN (100 years or older) and YYMMDDNNNN, with optional spaces around the
separator, also inside longer text but never as part of a longer run of digits (0–9).
It counts only when its date exists (after taking 60 off a co-ordination number's day),
a 4-digit year starts with 18, 19 or 20, and the Luhn check digit over YYMMDDNNNC is right.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from isu_engine.check.coerce import arrow_strings
from isu_engine.errors import UserError
from isu_engine.protect.number_shape import CANDIDATE, NUMBER

MASK = "********-****"
PSEUDONYM_PREFIX = "p_"
PSEUDONYM_BYTES = 8  # 16 hex characters
PSEUDONYM_PATTERN = rf"{PSEUDONYM_PREFIX}[0-9a-f]{{{2 * PSEUDONYM_BYTES}}}"  # one keyed pseudonym, whole cell
MIN_KEY_BYTES = 16
CENTURIES = (18, 19, 20)
COORDINATION_DAY_OFFSET = 60
SHORTEST_NUMBER = 10  # characters: YYMMDDNNNN

_LUHN_WEIGHTS = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_ZERO = ord("0")


class _Parsed(NamedTuple):
    """Numbers written in any accepted form, taken apart into integer arrays."""

    ten: np.ndarray  # (n, 10) digits YYMMDDNNNC
    century: np.ndarray  # (n,) the first two digits of a 4-digit year, -1 when not written
    plus: np.ndarray  # (n,) written with "+" (100 years or older)


def personal_number_mask(values: pd.Series) -> pd.Series:
    """True where the cell contains a valid personal identity or co-ordination number."""
    mask = np.zeros(len(values), dtype=bool)
    candidates = _candidate_positions(values)
    if candidates.size:
        found = _found_numbers(_as_text(values.iloc[candidates]))
        mask[candidates[found.index[_is_valid(_parse(found.to_numpy()))]]] = True
    return pd.Series(mask, index=values.index, name=values.name)


def mask_personal_numbers(values: pd.Series) -> pd.Series:
    """The values with every valid personal number replaced by "********-****"; other text kept.

    Cells without a valid number are returned unchanged (string columns keep their dtype,
    anything else comes back as objects).
    """
    result = values.copy() if isinstance(values.dtype, pd.StringDtype) else values.astype(object)
    candidates = _candidate_positions(values)
    if not candidates.size:
        return result
    text = _as_text(values.iloc[candidates])
    found = _found_numbers(text)
    valid = _is_valid(_parse(found.to_numpy()))
    with_valid = np.unique(found.index[valid])
    mixed = np.intersect1d(with_valid, found.index[~valid])
    only_valid = np.setdiff1d(with_valid, mixed)
    masked = text.copy()  # cells whose candidates are all valid take one replace; mixed cells go piece by piece
    masked.iloc[only_valid] = text.iloc[only_valid].str.replace(NUMBER, MASK, regex=True)
    masked.iloc[mixed] = _mask_valid_among_invalid(text.iloc[mixed]).to_numpy()
    result.iloc[candidates[with_valid]] = masked.iloc[with_valid].to_numpy()
    return result


def mask_text(text: str) -> str:
    """One text (a file, sheet or heading name) with every valid personal number masked."""
    return str(mask_personal_numbers(pd.Series([text], dtype=object)).iloc[0])


def pseudonymize(values: pd.Series, key: bytes, today: dt.date | None = None) -> pd.Series:
    """Keyed pseudonyms "p_" + 16 hex characters of HMAC-SHA-256; missing values stay missing.

    Values are stripped first. A value written as a personal number loses its separator
    and spaces, and a valid 10-digit one gets its century (born 0–99 years before `today`,
    or 100 years or more when written with "+"), so every writing of one number gives one
    pseudonym. Empty text stays empty.
    """
    text = _as_text(values).str.strip()
    present = (text.notna() & (text != "")).to_numpy()
    normalised = _normalise(text[present], today or dt.date.today())
    codes, uniques = pd.factorize(normalised)
    pseudonyms = np.array([_pseudonym(key, value) for value in uniques], dtype=object)
    result = values.astype(object)  # a copy
    result.iloc[np.flatnonzero(present)] = pseudonyms[codes]
    result.iloc[np.flatnonzero((text == "").to_numpy())] = ""
    return result


def load_key(env_var: str | None, key_file: Path | None, data_folders: list[Path]) -> bytes:
    """The pseudonymisation key: from the environment variable if set, else from `key_file`.

    The key file must be a file outside every data folder (symbolic links resolved); the
    key must have at least 16 bytes once surrounding whitespace is stripped.
    """
    from_env = os.environ.get(env_var, "").strip() if env_var else ""
    if from_env:
        key = from_env.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise UserError("identifiers.env_key_too_short", env_var=env_var, length=len(key), minimum=MIN_KEY_BYTES)
        return key
    if key_file is None:
        if env_var:
            raise UserError("identifiers.no_key_env", env_var=env_var)
        raise UserError("identifiers.no_key")
    path = Path(key_file).expanduser()
    if not path.is_file():
        raise UserError("identifiers.key_file_missing", file=path)
    resolved = path.resolve()
    for folder in data_folders:
        if resolved.is_relative_to(Path(folder).expanduser().resolve()):
            raise UserError("identifiers.key_in_data_folder", file=path, folder=str(folder))
    try:
        key = resolved.read_bytes().strip()
    except OSError as error:
        raise UserError("identifiers.key_file_unreadable", file=path, reason=error.strerror or str(error)) from None
    if len(key) < MIN_KEY_BYTES:
        raise UserError("identifiers.key_too_short", file=path, length=len(key), minimum=MIN_KEY_BYTES)
    return key


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as text (object dtype, positional index); missing cells stay missing."""
    missing = values.isna().to_numpy()
    text = values.astype(str).astype(object).reset_index(drop=True)
    text[missing] = np.nan
    return text


def _candidate_positions(values: pd.Series) -> np.ndarray:
    """Positions of the cells that may hold a personal number.

    A number is written with at least ten digits (0–9), so the RE2 engine looks only at the
    cells that have as many: counting digits is one pass of numpy over the column's bytes,
    and in most columns (dates, scores, codes) no cell is left to look at.
    """
    strings = arrow_strings(values if isinstance(values.dtype, pd.StringDtype) else values.astype(str))
    if not len(strings) or (pc.max(pc.binary_length(strings)).as_py() or 0) < SHORTEST_NUMBER:
        return np.array([], dtype=np.int64)  # no text is long enough (a column of codes, scores or ages)
    enough = np.flatnonzero(digit_counts(strings) >= SHORTEST_NUMBER)
    if not enough.size:
        return enough
    matches = pc.match_substring_regex(strings.take(pa.array(enough)), CANDIDATE)
    return enough[np.asarray(pc.fill_null(matches, False).to_numpy(zero_copy_only=False), dtype=bool)]


def digit_counts(strings: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """How many ASCII digits (0–9) each text holds (0 for a missing one), read from the UTF-8 bytes.

    A digit's byte never occurs inside another character's UTF-8 bytes, so the count per cell is
    the difference of a running count of digit bytes at the cell's two offsets.
    """
    chunks = strings.chunks if isinstance(strings, pa.ChunkedArray) else [strings]
    counts = [_chunk_digit_counts(chunk) for chunk in chunks if len(chunk)]
    return np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)


def _chunk_digit_counts(chunk: pa.Array) -> np.ndarray:
    size = len(chunk)
    offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offset_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=offset_type)[chunk.offset: chunk.offset + size + 1].astype(np.int64)
    start = int(offsets[0])
    if data_buffer is None or int(offsets[-1]) == start:
        return np.zeros(size, dtype=np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8)[start: int(offsets[-1])]
    running: np.ndarray = np.zeros(len(data) + 1, dtype=np.int32 if len(data) < 2**31 else np.int64)
    np.cumsum((data - np.uint8(_ZERO)) < 10, out=running[1:])
    counts = (running[offsets[1:] - start] - running[offsets[:-1] - start]).astype(np.int64)
    if chunk.null_count:
        counts[np.asarray(chunk.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = 0
    return counts


def _found_numbers(text: pd.Series) -> pd.Series:
    """Every candidate number in the text, indexed by the position of its cell (repeated)."""
    return text.str.findall(NUMBER).explode().dropna()


def _parse(numbers: np.ndarray) -> _Parsed:
    """Take candidate numbers apart: keep the digits, note the century and a "+"."""
    chars = np.asarray(numbers, dtype=str)
    width = max(chars.dtype.itemsize // 4, 12)
    codes = chars.astype(f"U{width}").view(np.uint32).reshape(len(chars), width)
    is_digit = (codes >= _ZERO) & (codes <= _ZERO + 9)
    digit_first = np.argsort(~is_digit, axis=1, kind="stable")[:, :12]
    digits = np.take_along_axis(codes, digit_first, axis=1).astype(np.int64) - _ZERO
    has_century = is_digit.sum(axis=1) == 12
    ten = np.where(has_century[:, None], digits[:, 2:12], digits[:, :10])
    century = np.where(has_century, digits[:, 0] * 10 + digits[:, 1], -1)
    return _Parsed(ten, century, (codes == ord("+")).any(axis=1))


def _birth_day(ten: np.ndarray) -> np.ndarray:
    """Day of month, with a co-ordination number's 60 taken off."""
    day = ten[:, 4] * 10 + ten[:, 5]
    return np.where(day > COORDINATION_DAY_OFFSET, day - COORDINATION_DAY_OFFSET, day)


def _is_valid(parsed: _Parsed) -> np.ndarray:
    """Which numbers have a real date, an accepted century and a right Luhn check digit."""
    ten, century = parsed.ten, parsed.century
    products = ten * _LUHN_WEIGHTS
    luhn_ok = (products - 9 * (products > 9)).sum(axis=1) % 10 == 0

    yy = ten[:, 0] * 10 + ten[:, 1]
    month = ten[:, 2] * 10 + ten[:, 3]
    day = _birth_day(ten)
    has_century = century >= 0
    year = century * 100 + yy
    leap = np.where(
        has_century,
        (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)),
        yy % 4 == 0,  # no century written: 29 February counts when some century makes it a leap day
    )
    month_ok = (month >= 1) & (month <= 12)
    days_in_month = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    day_ok = (day >= 1) & (day <= days_in_month)
    century_ok = ~has_century | np.isin(century, CENTURIES)
    return luhn_ok & month_ok & day_ok & century_ok


def _mask_valid_among_invalid(text: pd.Series) -> pd.Series:
    """Mask the valid numbers in cells that also hold invalid candidates, which stay as written."""
    pieces = text.str.split(f"({NUMBER})", regex=True).explode()
    is_number = (pieces.groupby(level=0).cumcount() % 2 == 1).to_numpy()
    to_mask = np.flatnonzero(is_number)[_is_valid(_parse(pieces.iloc[is_number].to_numpy()))]
    pieces.iloc[to_mask] = MASK
    return pieces.groupby(level=0).sum()


def _normalise(text: pd.Series, today: dt.date) -> pd.Series:
    """Values written as personal numbers as bare digits, 12 when the century is known."""
    shaped = text.str.fullmatch(NUMBER).to_numpy(dtype=bool)
    if not shaped.any():
        return text
    parsed = _parse(text.iloc[shaped].to_numpy())
    century = parsed.century.copy()
    needs_century = (century < 0) & _is_valid(parsed)
    century[needs_century] = _century(parsed.ten[needs_century], parsed.plus[needs_century], today)
    codes = np.zeros((len(century), 12), dtype=np.uint32)
    known = century >= 0
    codes[known, 0] = century[known] // 10
    codes[known, 1] = century[known] % 10
    codes[known, 2:] = parsed.ten[known]
    codes[~known, :10] = parsed.ten[~known]  # 10 digits; the two trailing zero codes end the text
    codes[:, :10] += _ZERO
    codes[known, 10:] += _ZERO
    normalised = text.copy()
    normalised.iloc[np.flatnonzero(shaped)] = codes.view("U12").ravel().astype(object)
    return normalised


def _century(ten: np.ndarray, plus: np.ndarray, today: dt.date) -> np.ndarray:
    """The century of 10-digit numbers: born 0–99 years before `today`, 100 or more with "+"."""
    yy = ten[:, 0] * 10 + ten[:, 1]
    month_day = (ten[:, 2] * 10 + ten[:, 3]) * 100 + _birth_day(ten)
    year = today.year - (today.year - yy) % 100
    not_yet_born = (year == today.year) & (month_day > today.month * 100 + today.day)
    year = year - 100 * not_yet_born - 100 * plus
    return year // 100


def _pseudonym(key: bytes, value: str) -> str:
    return PSEUDONYM_PREFIX + hmac.digest(key, value.encode("utf-8"), "sha256")[:PSEUDONYM_BYTES].hex()
