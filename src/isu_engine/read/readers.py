"""Reading a municipality's data file (CSV, xlsx, xls, ods) into a table of raw cells.

The kind of file is decided by its content, not its name. CSV cells stay text; sheet cells
keep their types. Each data row carries the row number a person sees in the file (§5).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import chain, islice, zip_longest
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from isu_engine.check.coerce import STRINGS
from isu_engine.errors import UserError, line_place, row_place
from isu_engine.read.files import read_file_bytes
from isu_engine.i18n import Message

DELIMITERS = (";", ",", "\t", "|")
DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t"}
DECIMALS = (",", ".")
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SNIFF_CHARS = 65536
_SNIFF_RECORDS = 50
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BREAK_IN_TEXT = re.compile(r"[ \t]*[\r\n\x0b\x0c\x85\u2028\u2029]+[ \t]*")
_HTML_START = re.compile(r"(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta)\b", re.I | re.S)
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+$", re.M)
_DOT_NUMBER = re.compile(r"^[+-]?\d+\.\d+$", re.M)
_ERROR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\b(?=[^>]*\bt=[\"']e[\"'])([^>]*?)(?<!/)>(.*?)</(?:[\w.-]+:)?c>", re.S
)
_CELL_REF = re.compile(rb"\br=[\"']([A-Z]+)([0-9]+)[\"']")
_CELL_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_TOTALS_WINDOW = 64  # bottom rows looked at for totals rows (more while they all are)
_TOTALS_LABEL = r"(?:summa|totalt?|sum|antal|medel(?:värde)?|snitt|genomsnitt|average|mean|count)(?:\s+\w+)?\s*:?"


@dataclass(frozen=True)
class ReadOptions:
    """How to read one data file (the `read:` key of a dataset in the config)."""

    sheet: str | int | None = None  # xlsx: sheet name, or 1-based index; None = first sheet
    header_row: int = 1  # 1-based row holding the headings; data starts on the next row
    encoding: str = "auto"  # auto | utf-8 | utf-8-sig | cp1252 | latin-1 ...
    delimiter: str = "auto"  # auto | ";" | "," | "\t" | "|"
    decimal: str = "auto"  # auto | "," | "." — for the coercion step; cells stay as read


@dataclass
class RawTable:
    """The cells of one data file, before columns are mapped or values coerced."""

    file: str
    headings: list[str]
    frame: pd.DataFrame  # columns 0..n-1, one per heading position; non-empty data rows only
    row_numbers: np.ndarray  # the row number a person sees, for each frame row
    rows_skipped: int  # completely empty rows between the header and the last non-empty row
    row_problems: pd.DataFrame  # columns row, check, detail
    encoding: str | None
    delimiter: str | None
    kind: str  # csv | xlsx | xls | ods
    decimal: str


def read_table(path: Path | str, options: ReadOptions = ReadOptions(), display_name: str | None = None) -> RawTable:
    """Read a data file into a RawTable; a problem the user must fix raises UserError."""
    path = Path(path)
    name = display_name or str(path)
    options = _checked_options(options, name)
    data = _read_bytes(path, name)
    kind = _sniff_kind(data, name)
    if kind == "csv":
        return _read_text_table(data, path, options, name)
    return _read_workbook(data, kind, options, name)


# --- options and bytes -------------------------------------------------------------------


def _checked_options(options: ReadOptions, name: str) -> ReadOptions:
    """The options with aliases resolved; UserError for a value the reader cannot use."""
    header_row = options.header_row
    if isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1:
        raise UserError("read.bad_option", file=name, option="header_row", value=header_row, allowed="1, 2, 3, …")
    sheet = options.sheet
    if isinstance(sheet, bool) or (isinstance(sheet, int) and sheet < 1):
        raise UserError("read.bad_option", file=name, option="sheet", value=sheet, allowed="1, 2, 3, …")
    delimiter = DELIMITER_ALIASES.get(options.delimiter, options.delimiter)
    if delimiter != "auto" and delimiter not in DELIMITERS:
        allowed = 'auto, ";", ",", "\\t", "|"'
        raise UserError("read.bad_option", file=name, option="delimiter", value=repr(options.delimiter), allowed=allowed)
    if options.decimal != "auto" and options.decimal not in DECIMALS:
        raise UserError("read.bad_option", file=name, option="decimal", value=repr(options.decimal), allowed='auto, ",", "."')
    if options.encoding != "auto":
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise UserError("read.unknown_encoding", file=name, encoding=options.encoding) from None
    return replace(options, delimiter=delimiter)


def _read_bytes(path: Path, name: str) -> bytes:
    data = read_file_bytes(path, name)
    if not data or data.isspace():
        raise UserError("read.empty_file", file=name)
    return data


def _sniff_kind(data: bytes, name: str) -> str:
    """csv | xlsx | xls | ods, from the first bytes (and a zip archive's member names)."""
    if data.startswith(_OLE_MAGIC):
        return "xls"
    if not data.startswith(_ZIP_MAGIC):
        return "csv"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
            if "mimetype" in members and archive.read("mimetype").startswith(_ODS_MIMETYPE):
                return "ods"
    except zipfile.BadZipFile as error:
        raise UserError("read.bad_workbook", file=name, reason=str(error)) from None
    if any(member.startswith("xl/") for member in members):
        return "xlsx"
    raise UserError("read.not_a_table", file=name, what=Message("read.looks_like.zip"))


# --- text files --------------------------------------------------------------------------


def _read_text_table(data: bytes, path: Path, options: ReadOptions, name: str) -> RawTable:
    if data.startswith(b"%PDF-"):
        raise UserError("read.not_a_table", file=name, what=Message("read.looks_like.pdf"))
    text, encoding = _decode(data, options.encoding, name)
    if not text.strip():
        raise UserError("read.empty_file", file=name)
    looks_like = _non_table_text(text)
    if looks_like:
        raise UserError("read.not_a_table", file=name, what=Message(f"read.looks_like.{looks_like}"))
    delimiter = options.delimiter if options.delimiter != "auto" else _detect_delimiter(text, options.header_row)

    records = _records_with_ends(text, delimiter, name)
    leading = list(islice(records, options.header_row))
    if len(leading) < options.header_row:
        raise UserError("read.header_beyond_end", file=name, row=options.header_row, rows=len(leading))
    header_start = leading[-2][1] if len(leading) > 1 else 0
    headings = [_heading(cell) for cell in leading[-1][0]]
    if not any(headings):
        filled = (any(cell.strip() for cell in record) for record, _ in chain(leading, records))
        raise _empty_header_error(name, options.header_row, filled)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES and len(headings) < 2:
        raise UserError("read.not_a_table", file=name, what=Message("read.looks_like.text"))

    lines_above = len(_LINE_BREAK.findall(text[:header_start]))
    cells = _parse_clean_records(_utf8_body(data, text, header_start, encoding), delimiter, len(headings))
    if cells is not None:
        problems = _problem_frame([], [], [])
    else:
        cells, problems = _parse_records(text[header_start:], delimiter, len(headings), options.header_row,
                                         lines_above, name)
    for position in cells.columns:
        blank = cells[position].str.isspace().to_numpy(dtype=bool)
        if blank.any():
            cells[position] = cells[position].where(~blank, "")
    mixed = _other_delimiter_rows(text[header_start:], cells, delimiter, len(headings), options.header_row)
    problems = pd.concat([problems, mixed], ignore_index=True)
    return _finish(name, headings, cells, options, problems, kind="csv", encoding=encoding, delimiter=delimiter)


def _decode(data: bytes, encoding: str, name: str) -> tuple[str, str]:
    """The text of the file and the encoding used (detected when `encoding` is auto)."""
    if encoding == "auto":
        encoding = _detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = len(_LINE_BREAK.findall(data[: error.start].decode(encoding, errors="replace"))) + 1
        raise UserError(
            "read.decoding_failed",
            file=name,
            place=line_place(line),
            encoding=encoding,
            byte=f"0x{data[error.start]:02X}",
        ) from None
    return text.removeprefix("\ufeff"), encoding


def _detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _non_table_text(text: str) -> str | None:
    """What a text that is clearly not a delimited table looks like, or None."""
    head = text[:4096].lstrip()
    lowered = head.lower()
    if lowered.startswith("<?xml"):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered or 'progid="excel.sheet"' in lowered:
            return "spreadsheet_xml"
        return "html" if "<html" in lowered else "xml"
    if _HTML_START.match(head):
        return "html"
    sample = text[:_SNIFF_CHARS]
    if "\x00" in sample or len(_CONTROL_CHARS.findall(sample)) > max(2, len(sample) // 100):
        return "binary"
    return None


def _detect_delimiter(text: str, header_row: int) -> str:
    """The delimiter that splits the header record most consistently with the records below it."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    wanted = header_row + _SNIFF_RECORDS

    def score(delimiter: str) -> tuple[bool, float, int]:
        try:
            records = list(islice(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), wanted + 1))
        except csv.Error:
            return (False, 0.0, 0)
        if truncated and len(records) <= wanted:
            records = records[:-1]  # the sample may end inside this record
        if len(records) < header_row:
            return (False, 0.0, 0)
        width = len(records[header_row - 1])
        below = [len(record) for record in records[header_row:wanted] if record]
        consistency = sum(count == width for count in below) / len(below) if below else 1.0
        return (width > 1, consistency, width)

    return max(DELIMITERS, key=score)


def _records_with_ends(text: str, delimiter: str, name: str) -> Iterator[tuple[list[str], int]]:
    """Each record of `text` with the offset in `text` just after it."""
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        while consumed < len(text):
            found = _LINE_BREAK.search(text, consumed)
            end = found.end() if found else len(text)
            line = text[consumed:end]
            consumed = end
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for record in reader:
            yield record, consumed
    except csv.Error:
        raise UserError("read.bad_csv", file=name, place=line_place(reader.line_num)) from None


def _utf8_body(data: bytes, text: str, header_start: int, encoding: str) -> memoryview | bytes:
    """The file from the header record on, as UTF-8 bytes (a slice of the file when it is UTF-8)."""
    if encoding in ("utf-8", "utf-8-sig"):
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        return memoryview(data)[bom + len(text[:header_start].encode("utf-8")):]
    return text[header_start:].encode("utf-8")


def _parse_clean_records(body: memoryview | bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """The data records after the header record that starts `body`, parsed by Arrow on every core.

    None when a record does not have exactly `width` fields or the last record spans lines:
    the other parsers then read the file and note its problems.
    """
    names = [str(position) for position in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', newlines_in_values=True,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows and any(_LINE_BREAK.search(table.column(n)[-1].as_py()) for n in names):
        return None  # perhaps a quotation mark never closed, which swallowed the lines after it
    frame = table.to_pandas(types_mapper={pa.string(): STRINGS}.get)
    frame.columns = range(width)
    return frame


def _parse_records(
    text: str, delimiter: str, width: int, header_row: int, lines_above: int, name: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The data records after the header record that starts `text`, and their structural problems.

    The C parser reads the common case; a record with more fields than the header (which
    the C parser refuses) or an unclosed quotation mark sends the text to the csv module.
    """
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            sep=delimiter,
            quotechar='"',
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError:
        return _parse_ragged_records(text, delimiter, width, header_row, lines_above, name)
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = range(frame.shape[1])
    return frame, _problem_frame([], [], [])


def _parse_ragged_records(
    text: str, delimiter: str, width: int, header_row: int, lines_above: int, name: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like _parse_records, with the csv module: records keep every field, problems are noted."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a cell may be as long as the file
    try:
        records = list(reader)[1:]
    except csv.Error:
        raise UserError("read.bad_csv", file=name, place=line_place(lines_above + reader.line_num)) from None
    finally:
        csv.field_size_limit(limit)
    counts = np.fromiter(map(len, records), dtype=np.int64, count=len(records))
    columns = list(zip_longest(*records, fillvalue=""))
    columns += [("",) * len(records)] * (width - len(columns))
    frame = pd.DataFrame({position: list(column) for position, column in enumerate(columns)}, dtype=object)
    frame = frame.astype(str)
    numbers = header_row + 1 + np.arange(len(records))

    extra = frame.iloc[:, width:]
    too_many = extra.apply(lambda column: column.str.strip() != "").any(axis=1).to_numpy(dtype=bool)
    rows = list(numbers[too_many])
    checks = ["field_count"] * len(rows)
    details = [Message("read.detail.field_count", {"fields": int(count), "headings": width}) for count in counts[too_many]]
    if records and _ends_inside_quotes(text, records[-1]):
        rows.append(numbers[-1])
        checks.append("unclosed_quote")
        details.append(Message("read.detail.unclosed_quote"))
    return frame, _problem_frame(rows, checks, details)


def _other_delimiter_rows(body: str, cells: pd.DataFrame, delimiter: str, width: int, header_row: int) -> pd.DataFrame:
    """Rows written with another delimiter: lines with neither the file's delimiter nor quotes that
    another delimiter splits into `width` fields.

    `body` starts with the header record and `cells` holds the records after it. Only records
    whose first cell alone is filled can be such lines, so the text is split into lines only
    when there are any; the check is left out when a quoted field spans lines.
    """
    if width < 2 or cells.shape[1] < 2:
        return _problem_frame([], [], [])
    only_first = (cells[0] != "").to_numpy(dtype=bool)
    for position in cells.columns[1:]:
        only_first = only_first & (cells[position] == "").to_numpy(dtype=bool)
    if not only_first.any():
        return _problem_frame([], [], [])
    lines = _LINE_BREAK.split(body.rstrip("\r\n"))[1:]
    if len(lines) != len(cells):
        return _problem_frame([], [], [])
    positions = np.flatnonzero(only_first)
    lines = pd.Series(np.asarray(lines, dtype=object)[positions], dtype=object)
    plain = ~lines.str.contains(delimiter, regex=False) & ~lines.str.contains('"', regex=False)
    rows, details = [], []
    for other in DELIMITERS:
        if other == delimiter:
            continue
        numbers = header_row + 1 + positions[(plain & (lines.str.count(re.escape(other)) + 1 == width)).to_numpy()]
        rows.extend(numbers)
        details.extend([Message("read.detail.delimiter", {"used": _shown(other), "expected": _shown(delimiter)})]
                       * len(numbers))
    return _problem_frame(rows, ["delimiter"] * len(rows), details)


def _shown(delimiter: str) -> str:
    return "tab" if delimiter == "\t" else delimiter


def _ends_inside_quotes(text: str, last_record: list[str]) -> bool:
    """Whether the text ends inside a quoted field, so its last record swallowed the lines after it."""
    return bool(last_record) and bool(_LINE_BREAK.search(last_record[-1])) and not text.rstrip("\r\n").endswith('"')


# --- workbooks ---------------------------------------------------------------------------


def _read_workbook(data: bytes, kind: str, options: ReadOptions, name: str) -> RawTable:
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            index = _sheet_index(workbook.sheet_names, options.sheet, name)
            sheet_name = workbook.sheet_names[index]
            rows = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
    except PasswordError:
        raise UserError("read.password_protected", file=name) from None
    except (CalamineError, ValueError, OSError) as error:
        raise UserError("read.bad_workbook", file=name, reason=str(error)) from None
    if not rows:
        raise UserError("read.empty_sheet", file=name, sheet=sheet_name)
    if kind == "xlsx":
        _put_error_cells(rows, _xlsx_error_cells(data, index))

    grid = _typed_grid(rows)
    header_row = options.header_row
    if header_row > len(grid):
        raise UserError("read.header_beyond_end", file=name, row=header_row, rows=len(grid))
    headings = [_heading(value) for value in grid[header_row - 1]]
    if not any(headings):
        raise _empty_header_error(name, header_row, (grid != "").any(axis=1))
    cells = pd.DataFrame(grid[header_row:], columns=range(grid.shape[1]), dtype=object)
    return _finish(name, headings, cells, options, _problem_frame([], [], []), kind=kind, encoding=None, delimiter=None)


def _sheet_index(names: list[str], sheet: str | int | None, name: str) -> int:
    listed = ", ".join(names)
    if not names:
        raise UserError("read.bad_workbook", file=name, reason=Message("read.no_sheets"))
    if sheet is None:
        return 0
    if isinstance(sheet, int):
        if sheet > len(names):
            raise UserError("read.missing_sheet_number", file=name, number=sheet, count=len(names), sheets=listed)
        return sheet - 1
    if sheet not in names:
        raise UserError("read.missing_sheet", file=name, sheet=sheet, sheets=listed)
    return names.index(sheet)


def _typed_grid(rows: list[list]) -> np.ndarray:
    """The sheet as a 2-D object array: whole numbers as int, whitespace-only text as ""."""
    grid = np.empty((len(rows), max(map(len, rows))), dtype=object)
    grid[:] = rows
    types = np.frompyfunc(type, 1, 1)(grid)

    floats = types == float
    numbers = grid[floats].astype(float)
    whole = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2**53)
    converted = grid[floats]
    converted[whole] = numbers[whole].astype(np.int64).astype(object)
    grid[floats] = converted

    texts = types == str
    blank = np.frompyfunc(str.isspace, 1, 1)(grid[texts]).astype(bool)
    stripped = grid[texts]
    stripped[blank] = ""
    grid[texts] = stripped
    return grid


def _put_error_cells(rows: list[list], errors: list[tuple[int, int, str]]) -> None:
    """Write error values (#DIV/0!, #N/A, …) into the cells that calamine leaves empty."""
    for row, column, value in errors:
        if row < len(rows) and column < len(rows[row]):
            rows[row][column] = value


def _xlsx_error_cells(data: bytes, index: int) -> list[tuple[int, int, str]]:
    """(row, column, error text), 0-based, of the error cells in the index-th sheet of an xlsx file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _xlsx_sheet_part(archive, index)
        if part is None:
            return []
        xml = archive.read(part)
    if b't="e"' not in xml and b"t='e'" not in xml:
        return []
    errors = []
    for match in _ERROR_CELL.finditer(xml):
        ref = _CELL_REF.search(match.group(1))
        value = _CELL_VALUE.search(match.group(2))
        if ref and value:
            errors.append((int(ref.group(2)) - 1, _column_index(ref.group(1).decode()), value.group(1).decode()))
    return errors


def _xlsx_sheet_part(archive: zipfile.ZipFile, index: int) -> str | None:
    """The archive member holding the index-th sheet (following the relationships), or None."""
    members = set(archive.namelist())
    workbook_part = "xl/workbook.xml"
    for relation in _relationships(archive, "_rels/.rels"):
        if relation.get("Type", "").endswith("/officeDocument"):
            workbook_part = relation.get("Target", workbook_part).lstrip("/")
    if workbook_part not in members:
        return None
    folder, _, file_name = workbook_part.rpartition("/")
    targets = {
        relation.get("Id"): relation.get("Target", "")
        for relation in _relationships(archive, f"{folder}/_rels/{file_name}.rels")
    }
    workbook = ElementTree.fromstring(archive.read(workbook_part))
    sheets = [element for element in workbook.iter() if _local(element.tag) == "sheet"]
    if index >= len(sheets):
        return None
    relation_id = next((value for key, value in sheets[index].attrib.items() if _local(key) == "id"), None)
    target = targets.get(relation_id, "")
    part = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}" if folder else target
    return part if part in members else None


def _relationships(archive: zipfile.ZipFile, part: str) -> list[ElementTree.Element]:
    if part not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read(part))
    return [element for element in root.iter() if _local(element.tag) == "Relationship"]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


# --- shared ------------------------------------------------------------------------------


def _finish(
    name: str,
    headings: list[str],
    cells: pd.DataFrame,
    options: ReadOptions,
    problems: pd.DataFrame,
    *,
    kind: str,
    encoding: str | None,
    delimiter: str | None,
) -> RawTable:
    """Drop empty rows and empty unnamed columns, number the rows, and pack the RawTable.

    `cells` holds every record after the header ("" for empty); columns beyond the
    headings keep a row that has content only there, and are then left out. Problems
    are kept only for rows that stay in the frame.
    """
    width = len(headings)
    if cells.shape[1] < width:
        cells = cells.reindex(columns=range(width), fill_value="")
    filled = (cells != "").to_numpy()
    non_empty = filled.any(axis=1)
    numbers = options.header_row + 1 + np.arange(len(cells))

    last = np.flatnonzero(non_empty)
    rows_skipped = int((~non_empty[: last[-1]]).sum()) if last.size else 0
    frame = cells.iloc[non_empty, :width]
    has_data = filled[non_empty, :width].any(axis=0)
    keep = [position for position in range(width) if headings[position] or has_data[position]]
    frame = frame.iloc[:, keep].reset_index(drop=True)
    frame.columns = range(len(keep))

    row_numbers = numbers[non_empty]
    problems = problems[problems["row"].isin(row_numbers)]
    problems = pd.concat([problems, _totals_rows(frame, row_numbers)], ignore_index=True)
    problems = problems.sort_values("row", kind="stable").reset_index(drop=True)
    decimal = options.decimal
    if decimal == "auto":
        decimal = "," if delimiter == ";" else _detect_decimal(frame)
    return RawTable(
        file=name,
        headings=[headings[position] for position in keep],
        frame=frame,
        row_numbers=row_numbers,
        rows_skipped=rows_skipped,
        row_problems=problems,
        encoding=encoding,
        delimiter=delimiter,
        kind=kind,
        decimal=decimal,
    )


def _totals_rows(frame: pd.DataFrame, row_numbers: np.ndarray) -> pd.DataFrame:
    """The rows at the bottom whose first filled cell says they hold totals ("Summa", "Totalt", "Medel" …).

    Only the bottom rows are looked at, more of them while every row looked at is a totals row.
    """
    size = _TOTALS_WINDOW
    while True:
        tail = frame.iloc[-size:]
        cells = tail.to_numpy(dtype=object)
        first = cells[np.arange(len(cells)), (cells != "").argmax(axis=1)] if len(cells) else cells[:, :0].ravel()
        words = pd.Series(first, dtype=object).astype(str).str.strip()
        is_total = words.str.fullmatch(_TOTALS_LABEL, case=False).to_numpy(dtype=bool)
        if not is_total.all() or size >= len(frame):
            break
        size *= 2
    at_bottom = np.logical_and.accumulate(is_total[::-1])[::-1]
    details = list(words[at_bottom])
    return _problem_frame(list(row_numbers[len(frame) - len(tail):][at_bottom]), ["totals_row"] * len(details), details)


def _heading(cell: object) -> str:
    """A heading cell as one line of text: a line break (Alt+Enter in Excel) and the spaces around it become one space."""
    return _BREAK_IN_TEXT.sub(" ", str(cell)).strip()


def _empty_header_error(name: str, header_row: int, filled_rows: Iterable[bool]) -> UserError:
    """The error for an empty heading row, naming the first row with content."""
    first = next((number for number, filled in enumerate(filled_rows, start=1) if filled), None)
    if first is None:
        return UserError("read.empty_file", file=name)
    return UserError("read.empty_header", file=name, place=row_place(header_row), first=first)


def _detect_decimal(frame: pd.DataFrame) -> str:
    """"," when text cells hold numbers like 12,5 and none like 12.5, else "."."""
    values = frame.to_numpy(dtype=object).ravel()
    texts = values[np.frompyfunc(type, 1, 1)(values) == str]
    joined = "\n".join(texts)
    return "," if _COMMA_NUMBER.search(joined) and not _DOT_NUMBER.search(joined) else "."


def _problem_frame(rows: list[int], checks: list[str], details: list[str]) -> pd.DataFrame:
    """The row_problems frame (columns row, check, detail), in row order."""
    frame = pd.DataFrame(
        {
            "row": np.asarray(rows, dtype=np.int64),
            "check": pd.Series(checks, dtype=object),
            "detail": pd.Series(details, dtype=object),
        }
    )
    return frame.sort_values("row", kind="stable").reset_index(drop=True)
