"""Turn read cells into typed columns, whole column at a time.

Each function takes the raw cells of one field (text from CSV, Python values
from Excel) and returns the typed column plus a mask of cells that were present
but could not be read as that type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from isu_engine.configure.model import Field

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
NOT_A_TIME = np.datetime64("NaT", "ns")
EXCEL_SERIAL_RANGE = (1, 109574)  # 1899-12-31 .. 2199-12-31, the years a date cell may have
TEXT_SERIAL = r"[1-9]\d{4}"  # an Excel date serial exported as text: 1927-05-18 .. 2173-10-13
_SPACES = "[\\s\u00a0\u202f']"  # RE2 (Arrow) has no \\u escapes: the characters themselves
DISTINCT_FROM = 64  # cells from which a column's values are read once per distinct value
TEXT = pd.StringDtype("pyarrow")
STRINGS = pd.StringDtype("pyarrow", na_value=np.nan)  # a string field's values; NaN where missing, as pandas' own "str"


def as_text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text (Arrow-backed strings, "" for empty); Excel numbers and dates as a person reads them."""
    if (not isinstance(raw.dtype, pd.StringDtype)
            and pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty")):
        raw = raw.map(_cell_text, na_action="ignore")
    cells = pc.fill_null(large_strings(raw), "")
    stripped = pc.utf8_trim_whitespace(cells)
    if pc.sum(pc.binary_length(stripped)).as_py() == pc.sum(pc.binary_length(cells)).as_py():
        stripped = cells  # nothing to strip: keep one copy in memory
    return text_series(stripped, raw.index, raw.name)


def text_series(strings: pa.Array | pa.ChunkedArray, index: pd.Index | None = None, name=None) -> pd.Series:
    """Arrow strings as a Series of TEXT (large strings without a copy)."""
    # pandas-stubs leave out the dtype's public __from_arrow__ (Arrow array -> pandas array).
    return pd.Series(TEXT.__from_arrow__(strings), index=index, name=name)  # type: ignore[attr-defined]


def large_strings(text: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow large strings, what pandas' Arrow-backed str dtype holds (no copy of such a column)."""
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        return pa.array(text.array)
    return pa.array(text.astype(TEXT).array, type=pa.large_string())


def joined_text(columns: Iterable[pd.Series]) -> pa.ChunkedArray:
    """Text columns one after another as one Arrow column of large strings, without a copy.

    A kernel called once on it looks at every cell of a file: a call costs about as much as
    a small column, so a file's columns are looked at together rather than one by one.
    """
    chunks: list[pa.Array] = []
    for column in columns:
        strings = large_strings(column)
        chunks.extend(strings.chunks if isinstance(strings, pa.ChunkedArray) else [strings])
    return pa.chunked_array(chunks, type=pa.large_string())


def by_column(cells: np.ndarray, columns: int) -> np.ndarray:
    """A result on `joined_text` (a value per cell) as one row per column."""
    return cells.reshape(columns, len(cells) // columns if columns else 0)


SCAN_CELLS = 1_000_000  # cells of several columns looked at together (see batches)


def batches(columns: list, rows: int) -> Iterator[list]:
    """`columns` (of `rows` cells each) in batches of about SCAN_CELLS cells, each to be looked at as one long column.

    A call of pandas or of an Arrow kernel costs about as much as a small column, and an export can
    carry thousands of columns; a long column is a batch of its own (a large file's cells are not copied).
    """
    size = max(1, SCAN_CELLS // max(rows, 1))
    for start in range(0, len(columns), size):
        yield columns[start:start + size]


def on_columns(columns: list[pd.Series], compute: Callable[[pa.ChunkedArray], np.ndarray]) -> Iterator[np.ndarray]:
    """`compute(cells)` (a value per cell) for each of the text `columns` of one table, in turn, called on the
    columns joined one after another (see batches)."""
    for batch in batches(columns, len(columns[0]) if columns else 0):
        yield from by_column(compute(joined_text(batch)), len(batch))


def as_texts(columns: list[pd.Series]) -> list[pd.Series]:
    """as_text of each of the columns of one table, worked out on the columns joined (see batches)."""
    texts: list[pd.Series] = []
    rows = len(columns[0]) if columns else 0
    for batch in batches(columns, rows):
        cells = large_strings(as_text(joined_cells(batch)))
        texts.extend(text_series(cells.slice(i * rows, rows), column.index, column.name)
                     for i, column in enumerate(batch))
    return texts


def joined_cells(columns: list[pd.Series]) -> pd.Series:
    """The columns one after another as one Series: Arrow-backed text without a copy, other cells as objects."""
    if all(isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow" for column in columns):
        return text_series(joined_text(columns))
    return pd.Series(np.concatenate([column.to_numpy(dtype=object) for column in columns]), dtype=object)


def _cell_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def missing_mask(strings: pa.Array | pa.ChunkedArray, missing: tuple[str, ...]) -> np.ndarray:
    """Cells (Arrow text) that count as missing (an array): empty, or one of the field's missing values."""
    value_set = pa.array(["", *(v for v in missing if v != "")], type=strings.type)
    return flags(pc.is_in(strings, value_set=value_set))


def flags(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow boolean column as a numpy one, False where null."""
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DOT_GROUPS = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?"     # 1.234.567,5
_COMMA_GROUPS = r"[+-]?\d{1,3}(?:,\d{3})+\.\d+"        # 1,234.5 (needs a decimal point to be told apart)
_OTHER = {",": ".", ".": ","}
_PLAIN = {mark: rf"^[+-]?[0-9]+(?:\{mark}[0-9]+)?$" for mark in (",", ".")}  # "12", "-3,5": most cells


def arrow_strings(text: pd.Series) -> pa.Array:
    """A text column as an Arrow string array (for the compute kernels)."""
    return pc.cast(large_strings(text), pa.string())


def to_number(text: pd.Series, decimal: str = "auto", group_char: str | None = None) -> pd.Series:
    """Numbers from text with decimal comma or point and thousands separators; NaN where unreadable.

    With `decimal` "," or ".", the other mark is a thousands separator only where it splits
    the digits in groups of three (1.234.567,5 or 1,234); elsewhere a single other mark is
    read as the decimal mark (20.5 in a decimal-comma file is 20.5, never 205).

    A column of plain numbers ("12", "-3,5" with a decimal comma) is cast at once; otherwise
    the plain cells are, and only the others go through the general reading of separators,
    spaces and signs.
    """
    return pd.Series(number_values(text, decimal, group_char), index=text.index)


def number_values(text: pd.Series, decimal: str = "auto", group_char: str | None = None) -> np.ndarray:
    """to_number as an array."""
    return on_distinct(arrow_strings(text), lambda values: _numbers(values, decimal, group_char))


def on_distinct(values: pa.Array | pa.ChunkedArray, compute: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
    """`compute(values)`, worked out once per distinct value when values repeat (scores, dates, codes).

    For a `compute` whose result for a cell depends only on the cell and on which values the
    column holds (not on how often or where): the distinct values are the same set.
    """
    values = combined(values)
    if values.null_count or len(values) < DISTINCT_FROM:
        return compute(values)
    encoded = pc.dictionary_encode(values)
    if len(encoded.dictionary) * 2 > len(values):
        return compute(values)
    return compute(encoded.dictionary)[encoded.indices.to_numpy(zero_copy_only=False)]


def combined(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one Arrow array (its chunks joined)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _numbers(values: pa.Array, decimal: str, group_char: str | None) -> np.ndarray:
    """to_number on Arrow strings."""
    plain_mark = "," if decimal == "," else "."
    other_mark_written = pc.any(pc.match_substring(values, _OTHER[plain_mark])).as_py()
    if not other_mark_written:
        present = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
        try:
            with_point = pc.replace_substring(present, ",", ".") if plain_mark == "," else present
            return pc.cast(with_point, pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # some cell is not a plain number
    plain = pc.fill_null(pc.match_substring_regex(values, _PLAIN[plain_mark]), False)
    result = np.full(len(values), np.nan)
    chosen = np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool)
    if chosen.any():
        digits = pc.filter(values, plain)
        if plain_mark == ",":
            digits = pc.replace_substring(digits, ",", ".")
        result[chosen] = pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False)
    rest = ~chosen & flags(pc.not_equal(values, ""))
    if rest.any():
        others = pc.filter(values, pa.array(rest))
        points_are_groups = decimal == "," and other_mark_written
        result[rest] = _general_numbers(others, decimal, group_char, points_are_groups)
    return result


def _general_numbers(values: pa.Array, decimal: str, group_char: str | None, points_are_groups: bool) -> np.ndarray:
    """Floats from text written with spaces, thousands separators, a minus sign or an exponent; NaN where unreadable."""
    if not points_are_groups:
        try:
            return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    values = pc.replace_substring_regex(values, _SPACES, "")
    values = pc.replace_substring(values, "\u2212", "-")
    if group_char:
        values = pc.replace_substring(values, group_char, "")
    if decimal in _OTHER:
        values = _with_decimal_point(values, decimal, _OTHER[decimal])
    else:
        dot_groups = pc.match_substring_regex(values, f"^{_DOT_GROUPS}$")
        comma_groups = pc.match_substring_regex(values, f"^{_COMMA_GROUPS}$")
        values = pc.if_else(dot_groups, pc.replace_substring(values, ".", ""), values)
        values = pc.if_else(comma_groups, pc.replace_substring(values, ",", ""), values)
        values = pc.replace_substring(values, ",", ".")
    readable = pc.fill_null(pc.match_substring_regex(values, f"^{_NUMBER}$"), False)
    values = pc.if_else(readable, values, pa.scalar(None, pa.string()))
    return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)


def _with_decimal_point(values: pa.Array, decimal: str, other: str) -> pa.Array:
    """Text with `decimal` as the decimal mark rewritten so that "." is the only mark left."""
    d, o = re.escape(decimal), re.escape(other)
    grouped = pc.match_substring_regex(values, rf"^[+-]?[1-9]\d{{0,2}}(?:{o}\d{{3}})+(?:{d}\d*)?$")
    swapped = pc.match_substring_regex(values, rf"^[+-]?[1-9]\d{{0,2}}(?:{d}\d{{3}})+{o}\d*$")
    lone_other = pc.match_substring_regex(values, rf"^[+-]?\d*{o}\d+$")

    def rewrite(drop: str, point: str) -> pa.Array:
        return pc.replace_substring(pc.replace_substring(values, drop, ""), point, ".")

    return pc.case_when(
        pc.make_struct(grouped, swapped, lone_other),
        rewrite(other, decimal),
        rewrite(decimal, other),
        pc.replace_substring(values, other, "."),
        pc.replace_substring(values, decimal, "."),
    )


def coerce_number(raw: pd.Series, text: pd.Series, present: np.ndarray, field: Field, decimal: str):
    """A float column (integers included) and the mask of unreadable cells (an array)."""
    decimal = field.decimal_char or decimal
    if raw.dtype == object:
        values = _excel_numbers(raw).to_numpy(copy=True)
        todo = np.isnan(values) & present
        if todo.any():
            values[todo] = number_values(text[todo], decimal, field.group_char)
    else:
        values = number_values(text, decimal, field.group_char)
    if not present.all():
        values = np.where(present, values, np.nan)
    bad = present & np.isnan(values)
    if field.type in ("integer", "year"):
        not_whole = present & ~bad & ((np.abs(values - np.round(values)) > 1e-9) | (np.abs(values) >= 2**53))
        return pd.Series(_whole_numbers(np.where(not_whole, np.nan, values)), index=text.index), bad | not_whole
    return pd.Series(values, index=text.index), bad


def _whole_numbers(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Whole floats (NaN where missing) as pandas' nullable Int64."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, np.round(values)).astype(np.int64), missing)


def _excel_numbers(raw: pd.Series) -> pd.Series:
    """Numeric Excel cells as floats, everything else NaN (text is parsed separately)."""
    kind = pd.api.types.infer_dtype(raw, skipna=True)
    if kind in ("string", "empty"):
        return pd.Series(np.nan, index=raw.index)
    is_number = raw.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), na_action="ignore")
    is_number = is_number.fillna(False).astype(bool)
    return pd.to_numeric(raw.where(is_number), errors="coerce")


def coerce_boolean(text: pd.Series, present: np.ndarray, field: Field):
    """A nullable boolean column and the mask of unreadable cells (an array)."""
    lower = text.str.lower()
    is_true = lower.isin(field.true_values).to_numpy(dtype=bool)
    is_false = lower.isin(field.false_values).to_numpy(dtype=bool)
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[is_true & present] = True
    values[is_false & present] = False
    bad = present & ~(is_true | is_false)
    return values, bad


def coerce_date(raw: pd.Series, text: pd.Series, present: np.ndarray, field: Field):
    """Dates from Excel date cells, Excel serial numbers (also five digits as text), ISO text, YYYYMMDD or D/M/YYYY;
    and the mask of unreadable cells (an array)."""
    values = _excel_cell_dates(raw)
    todo = present & np.isnat(values)
    if todo.all():
        values = date_values(text, field.format)
    elif todo.any():
        values[todo] = date_values(text[todo], field.format)
    unread = present & np.isnat(values)  # five digits are asked of the cells not read as dates only
    if unread.any():
        serial_text = unread.copy()
        serial_text[unread] = text[unread].str.fullmatch(TEXT_SERIAL).to_numpy(dtype=bool, na_value=False)
        if serial_text.any():
            values[serial_text] = _from_serial(text[serial_text])
    dates = pd.Series(values, index=raw.index)
    if field.type == "date":
        dates = dates.dt.normalize()
    return dates, present & np.isnat(dates.to_numpy())


def _excel_cell_dates(raw: pd.Series) -> np.ndarray:
    """The dates of Excel's date cells and date serials (datetime64[ns]), NaT elsewhere (text is read separately)."""
    values = np.full(len(raw), NOT_A_TIME)
    if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):
        is_date = raw.map(lambda v: isinstance(v, (dt.date, dt.datetime, pd.Timestamp)),
                          na_action="ignore").fillna(False).to_numpy(dtype=bool)
        if is_date.any():
            values[is_date] = _excel_dates(raw[is_date])
        serial = _excel_numbers(raw)
        in_range = serial.between(*EXCEL_SERIAL_RANGE).to_numpy(dtype=bool) & np.isnat(values)
        if in_range.any():
            values[in_range] = _from_serial(serial[in_range])
    return values


def _from_serial(serial: pd.Series) -> np.ndarray:
    """Excel date serials (days since 1899-12-30, a fraction is the time of day) as timestamps."""
    days_before_1970 = (pd.Timestamp("1970-01-01") - EXCEL_EPOCH).days
    return pd.to_datetime(serial.astype(float) - days_before_1970, unit="D").to_numpy(dtype="datetime64[ns]")


YEAR = r"(?:1[89]\d\d|20\d\d|21\d\d)"
DATE_PATTERNS = (
    (rf"{YEAR}-\d{{1,2}}-\d{{1,2}}(?:[ T]\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?)?", "ISO8601"),
    (rf"{YEAR}\d{{4}}", "%Y%m%d"),
    (rf"\d{{1,2}}[./]\d{{1,2}}[./]{YEAR}", None),
)


def _excel_dates(values: pd.Series) -> np.ndarray:
    """Date cells from Excel as timestamps; years outside 1800–2199 become NaT (no real session date)."""
    plausible = values.map(lambda v: 1800 <= v.year <= 2199).to_numpy(dtype=bool)
    result = np.full(len(values), NOT_A_TIME)
    if plausible.any():
        dates = pd.to_datetime(values[plausible].map(pd.Timestamp), errors="coerce")
        result[plausible] = dates.to_numpy(dtype="datetime64[ns]")
    return result


def parse_date_text(text: pd.Series, fmt: str | None = None) -> pd.Series:
    """Dates written as text (ISO, YYYYMMDD, D/M/YYYY or D.M.YYYY, years 1800–2199); NaT where no real date.

    Each distinct text is read once (a column of session dates holds a few hundred).
    """
    return pd.Series(date_values(text, fmt), index=text.index, dtype="datetime64[ns]")


def date_values(text: pd.Series, fmt: str | None = None) -> np.ndarray:
    """parse_date_text as an array."""
    def parse(values: pa.Array) -> np.ndarray:
        return _parse_date_text(text_series(pc.cast(values, pa.large_string())), fmt)

    return on_distinct(arrow_strings(text), parse)


def _parse_date_text(text: pd.Series, fmt: str | None) -> np.ndarray:
    """The dates of `text` (datetime64[ns], an array of its own: the caller may write into it)."""
    if fmt and fmt not in ("default", "any"):
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True).dt.tz_localize(None)
        return parsed.where(parsed.dt.year.between(1800, 2199)).to_numpy(dtype="datetime64[ns]", copy=True)
    result = np.full(len(text), NOT_A_TIME)
    for pattern, date_format in DATE_PATTERNS:
        unread = np.isnat(result)
        if not unread.any():
            break
        matches = unread & text.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)
        if not matches.any():
            continue
        chosen = text[matches]
        if date_format is None:
            chosen = chosen.str.replace(r"[./]", "-", regex=True)
            date_format = "%d-%m-%Y"
        result[matches] = pd.to_datetime(chosen, format=date_format, errors="coerce").to_numpy(dtype="datetime64[ns]")
    return result


_LIST_SPACE = "[ \t\r\n\f\v\u00a0\u202f]"  # the spaces around a list delimiter (the characters themselves, for RE2)


def coerce_list(text: pd.Series, present: np.ndarray, field: Field) -> pd.Series:
    """Several values in one cell, kept as text joined by the field's delimiter with items trimmed."""
    delimiter = re.escape(field.delimiter)
    cells = pc.if_else(pa.array(present), arrow_strings(text), "")
    cleaned = pc.replace_substring_regex(cells, f"{_LIST_SPACE}*{delimiter}{_LIST_SPACE}*", field.delimiter)
    cleaned = pc.replace_substring_regex(cleaned, f"(?:{delimiter}){{2,}}", field.delimiter)
    cleaned = text_series(cleaned, text.index).str.strip(field.delimiter + " ")
    return cleaned.where(cleaned != "")


def explode_list(values: pd.Series, delimiter: str = ";") -> pd.Series:
    """One row per item of a list field (index repeated), empty items dropped."""
    items = values.dropna().str.split(delimiter, regex=False).explode()
    return items[items.notna() & (items != "")]
