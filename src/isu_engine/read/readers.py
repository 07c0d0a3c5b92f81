"""Reading a municipality's data file (CSV, xlsx, xls, ods) into a table of raw cells.

The kind of file is decided by its content, not its name. CSV cells stay text; sheet cells
keep their types. Each data row carries the row number a person sees in the file (§5).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain, islice, zip_longest
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import xlrd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, PasswordError, SheetVisibleEnum

from isu_engine.check.coerce import STRINGS, by_column, flags, joined_text, large_strings
from isu_engine.errors import UserError, line_place, row_place
from isu_engine.read.files import read_file_bytes
from isu_engine.read.layout import SEARCH_ROWS, choose_heading_row, joined_headings
from isu_engine.read.options import ReadOptions
from isu_engine.i18n import Message

DELIMITERS = (";", ",", "\t", "|")
DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t"}
DECIMALS = (",", ".")
ERROR_VALUES = frozenset(
    ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#FIELD!",
     "#GETTING_DATA", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#NV", "#WERT!", "#BEZUG!",
     "#ZAHL!", "#NAMN?", "#SAKNAS!", "#VÄRDEFEL!", "#REFERENS!", "#DIVISION/0!", "#OGILTIGT!", "#SKÄRNING!"]
    + [f"Err:{code}" for code in range(501, 540)]
)  # a spreadsheet's error values, also as Excel and LibreOffice write them in CSV (English, Swedish, German)
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ODS_MANIFEST = "META-INF/manifest.xml"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_SNIFF_CHARS = 65536
_SNIFF_RECORDS = 50
WIDE_COLUMNS = 2_000  # from this many headings, cells are kept as one block of text (no column-wise parse)
_ARROW_BLOCK = 1 << 20  # bytes Arrow parses at a time, unless a record is longer
EIGHT_BIT_ENCODINGS = ("cp1252", "cp850", "mac_roman")  # Windows, Excel's "CSV (MS-DOS)", the old Mac
_UTF8_LATIN_LETTER = re.compile(rb"\xc3[\x80-\xbf]")
_SWEDISH_LETTERS = frozenset("åäöÅÄÖéÉüÜ")
_COMMON_SIGNS = frozenset("–—‘’‚“”„…€£§°«»´·¹²³½¼¾×±\u00a0")
_CONTROL_IN_CELL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # for RE2: tab, line feed and carriage return are text
_CONTROL_TEXT = re.compile(_CONTROL_IN_CELL)
_NOT_CONTROL_BYTES = bytes(byte for byte in range(256) if byte >= 0x20 and byte != 0x7F)
_TEXT_CONTROL_BYTES = (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A)  # tab, line breaks, form feed, end-of-file mark
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_LINE = re.compile(r"sep=(\\t|\t|.)[ \t]*(?:\r\n|\r|\n)", re.I)
_DECLARED = {"\\t": "\t"}
_END_OF_FILE = "\x1a"
_BREAK_IN_TEXT = re.compile(r"[ \t]*[\r\n\x0b\x0c\x85\u2028\u2029]+[ \t]*")
_HTML_START = re.compile(r"(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta)\b", re.I | re.S)
AMBIGUOUS = "?"  # a column whose numbers read both with a decimal comma and with a decimal point
_DECIMAL_SAYS = {  # numbers that can only be read with this decimal mark
    ",": r"^\s*[+-]?(?:\d+,(?:\d{1,2}|\d{4,})|\d{4,},\d+|0,\d+|\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,})\s*$",
    ".": r"^\s*[+-]?(?:\d+\.(?:\d{1,2}|\d{4,})|\d{4,}\.\d+|0\.\d+|\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,})\s*$",
}
_EITHER_MARK = r"^\s*[+-]?[1-9]\d{0,2}[.,]\d{3}\s*$"  # 1.250 or 1,250: a decimal or a thousands separator
_COMMA_NUMBER = r"(?m)^[+-]?\p{Nd}+,\p{Nd}+$"  # RE2: a cell's line that is a number with a decimal comma
_DOT_NUMBER = r"(?m)^[+-]?\p{Nd}+\.\p{Nd}+$"
_ERROR_CELL = re.compile(
    rb"<(?:[\w.-]+:)?c\b(?=[^>]*\bt=[\"']e[\"'])([^>]*?)(?<!/)>(.*?)</(?:[\w.-]+:)?c>", re.S
)
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"<(?:[\w.-]+:)?c\b([^>]*?)(?<!/)>\s*<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>[^<]*</(?:[\w.-]+:)?f>)"
    rb"\s*(?:<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</(?:[\w.-]+:)?v>)?\s*</(?:[\w.-]+:)?c>"
)
_CELL_REF = re.compile(rb"\br=[\"']([A-Z]+)([0-9]+)[\"']")
_CELL_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_ROWS_REPEATED = f"{{{_ODS_TABLE}}}number-rows-repeated"
_ODS_COLUMNS_REPEATED = f"{{{_ODS_TABLE}}}number-columns-repeated"
_ODS_VALUE_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
_TOTALS = re.compile(r"(?:summa|totalt?|sum|antal|medel(?:värde)?|snitt|genomsnitt|average|mean|count)(?:\s+\w+)?\s*:?",
                     re.IGNORECASE)  # a totals row's label (its \s and \w are Python's: pandas would use re too)


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
    header_row: int = 1  # the row holding the headings (the last of them when headings span rows)
    sheet: str | None = None  # the sheet read, for workbooks
    found: bool = False  # True when the sheet or the heading row was chosen by the reader, not the config
    notes: list[Message] = field(default_factory=list)  # what the person should know about the file, a line each


ScoreHeadings = Callable[[list], float]


def read_table(path: Path | str, options: ReadOptions = ReadOptions(), display_name: str | None = None,
               score_headings: ScoreHeadings | None = None) -> RawTable:
    """Read a data file into a RawTable; a problem the user must fix raises UserError.

    Without `header_row` (or `sheet`) in `options`, the heading row (and sheet) is the one
    `score_headings` rates highest among the first rows (see read/layout.py); the first
    row among equals.
    """
    path = Path(path)
    name = display_name or str(path)
    options = _checked_options(options, name)
    data = _read_bytes(path, name)
    kind = _sniff_kind(data, name)
    if kind == "csv":
        return _read_text_table(data, path, options, name, score_headings)
    return _read_workbook(data, kind, options, name, score_headings)


# --- options and bytes -------------------------------------------------------------------


def _checked_options(options: ReadOptions, name: str) -> ReadOptions:
    """The options with aliases resolved; UserError for a value the reader cannot use."""
    for option in ("header_row", "header_rows"):
        value = getattr(options, option)
        if option == "header_row" and value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UserError("read.bad_option", file=name, option=option, value=value, allowed="1, 2, 3, …")
    sheet = options.sheet
    if isinstance(sheet, bool) or (isinstance(sheet, int) and sheet < 1):
        raise UserError("read.bad_option", file=name, option="sheet", value=sheet, allowed="1, 2, 3, …")
    delimiter = DELIMITER_ALIASES.get(options.delimiter, options.delimiter)
    if delimiter != "auto" and delimiter not in DELIMITERS:
        allowed = 'auto, ";", ",", "\\t", "|"'
        raise UserError("read.bad_option", file=name, option="delimiter", value=repr(options.delimiter),
                        allowed=allowed)
    if options.decimal != "auto" and options.decimal not in DECIMALS:
        raise UserError("read.bad_option", file=name, option="decimal", value=repr(options.decimal),
                        allowed='auto, ",", "."')
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
        if _ENCRYPTED_PACKAGE in data:  # an xlsx saved with a password is an encrypted package in this container
            raise UserError("read.password_protected", file=name)
        return "xls"
    if not data.startswith(_ZIP_MAGIC):
        return "csv"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
            if "mimetype" in members and archive.read("mimetype").startswith(_ODS_MIMETYPE):
                if _ODS_MANIFEST in members and b"encryption-data" in archive.read(_ODS_MANIFEST):
                    raise UserError("read.password_protected", file=name)
                return "ods"
    except zipfile.BadZipFile as error:
        raise UserError("read.bad_workbook", file=name, reason=str(error)) from None
    if any(member.startswith("xl/") for member in members):
        return "xlsx"
    raise UserError("read.not_a_table", file=name, what=Message("read.looks_like.zip"))


# --- text files --------------------------------------------------------------------------


def _read_text_table(data: bytes, path: Path, options: ReadOptions, name: str, score: ScoreHeadings | None) -> RawTable:
    if data.startswith(b"%PDF-"):
        raise UserError("read.not_a_table", file=name, what=Message("read.looks_like.pdf"))
    if _looks_binary(data):
        raise UserError("read.not_a_table", file=name, what=Message("read.looks_like.binary"))
    text, encoding = _decode(data, options.encoding, name)
    marks = len(text) - len(text.rstrip(_END_OF_FILE))  # an old end-of-file mark (Ctrl-Z) is no row
    text = text[: len(text) - marks]
    if not text or text.isspace():  # (no stripped copy of the whole text)
        raise UserError("read.empty_file", file=name)
    looks_like = _non_table_text(text)
    if looks_like:
        raise UserError("read.not_a_table", file=name, what=Message(f"read.looks_like.{looks_like}"))
    declared = _SEP_LINE.match(text)
    if declared:  # Excel's "sep=;" first line names the delimiter and is not shown as a row
        text = text[declared.end():]
    delimiter = options.delimiter if options.delimiter != "auto" else (
        _DECLARED.get(declared.group(1), declared.group(1)) if declared
        else _detect_delimiter(text, options.header_row))

    header_row, found = options.header_row, False
    if header_row is None:
        limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a cell may be as long as the file
        try:
            top = [record for record, _ in islice(_records_with_ends(text, delimiter, name),
                                                   SEARCH_ROWS + options.header_rows)]
        finally:
            csv.field_size_limit(limit)
        header_row, _ = choose_heading_row(top, score, options.header_rows)
        found = header_row != options.header_rows
    records = _records_with_ends(text, delimiter, name)
    leading = list(islice(records, header_row))
    if len(leading) < header_row:
        raise UserError("read.header_beyond_end", file=name, row=header_row, rows=len(leading))
    header_start = leading[-2][1] if len(leading) > 1 else 0
    headings = _headings([record for record, _ in leading[max(header_row - options.header_rows, 0):]])
    if not any(headings):
        filled = (any(cell.strip() for cell in record) for record, _ in chain(leading, records))
        raise _empty_header_error(name, header_row, filled)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES and len(headings) < 2:
        raise UserError("read.not_a_table", file=name, what=Message("read.looks_like.text"))
    options = replace(options, header_row=header_row)

    lines_above = len(_LINE_BREAK.findall(text[:header_start]))
    prefix = declared.group(0) if declared else ""
    look_for = frozenset(
        [*(["error values"] if "#" in text or "Err:" in text else []),
         *(["control characters"] if _has_control_characters(data, text, encoding, marks) else [])])
    quoted = '"' in text

    def body_text() -> str:
        """The text from the header record on, decoded again from the file's bytes (see below)."""
        decoded = _decode(data, encoding, name)[0]
        return decoded[: len(decoded) - marks][len(prefix):][header_start:]

    if len(headings) >= WIDE_COLUMNS:
        cells = _parse_wide_records(text[header_start:], delimiter, len(headings))
    else:
        body = _utf8_body(data, text, header_start, encoding, prefix, marks)
        # the decoded text (as large as the file) is let go while Arrow parses the bytes; the rare
        # files that need it again (broken records, rows with another delimiter) decode it again
        del text, records, declared
        cells = _parse_clean_records(body, delimiter, len(headings), quoted=quoted)
        del body
    if cells is not None:
        problems = _problem_frame([], [], [])
    else:
        cells, problems = _parse_records(body_text(), delimiter, len(headings), header_row, lines_above, name)
    cells = _without_blank_cells(cells)
    filled_cells = _filled(cells)
    mixed = _other_delimiter_rows(body_text, cells, filled_cells, delimiter, len(headings), header_row)
    problems = _joined_problems([problems, mixed])
    return _finish(name, headings, cells, filled_cells, options, problems, kind="csv", encoding=encoding,
                   delimiter=delimiter, found=found, look_for=look_for)


def _decode(data: bytes, encoding: str, name: str) -> tuple[str, str]:
    """The text of the file and the encoding used (detected when `encoding` is auto)."""
    if encoding == "auto":
        encoding, text = _detect_encoding(data, name)
        if text is not None:
            return text, encoding
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


def _detect_encoding(data: bytes, name: str) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM) or UTF-16 with BOM when the bytes say so; else the one 8-bit
    encoding of Windows, MS-DOS or the old Mac whose letters make Swedish text. With the encoding
    comes the text when telling it decoded the file (UTF-8 without a BOM: not decoded twice).

    Only the distinct bytes above 127 are looked at: an encoding is plausible when each is a
    letter or a common sign in it (no box drawing, control or mathematical characters), and
    the plausible one with the most Swedish letters (å ä ö é ü) wins. A tie stops the run:
    a text is never read in an encoding that only might be right.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8", text.removeprefix("\ufeff")
    distinct = np.unique(np.frombuffer(data, dtype=np.uint8))
    high = distinct[distinct >= 0x80].tobytes()
    utf8_letters = _UTF8_LATIN_LETTER.search(data) is not None  # "Ã…", "Ã–": UTF-8 letters read as Windows text
    scores = {}
    for encoding in EIGHT_BIT_ENCODINGS:
        try:
            characters = high.decode(encoding)
        except UnicodeDecodeError:
            continue
        if all(_plausible(character) for character in characters) and not (encoding == "cp1252" and utf8_letters):
            scores[encoding] = sum(character in _SWEDISH_LETTERS for character in characters)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked:
        raise UserError("read.no_encoding_fits", file=name, candidates=", ".join(EIGHT_BIT_ENCODINGS))
    if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
        return ranked[0][0], None
    raise UserError("read.unknown_encoding_auto", file=name, candidates=", ".join(encoding for encoding, _ in ranked))


def _plausible(character: str) -> bool:
    """A character that text from a Swedish unit may hold: a letter, or a common sign."""
    return character in _COMMON_SIGNS or unicodedata.category(character).startswith("L")


def _has_control_characters(data: bytes, text: str, encoding: str, end_marks: int) -> bool:
    """Whether the text holds a control character other than tab and line breaks (end-of-file marks at the end aside).

    Counted on the bytes where one byte below 32 is one character (all but UTF-16): two
    passes of bytes.translate, no search.
    """
    if encoding.startswith("utf-16"):
        return _CONTROL_TEXT.search(text) is not None
    controls = data.translate(None, _NOT_CONTROL_BYTES).translate(None, b"\t\n\r")
    return len(controls) > end_marks


def _looks_binary(data: bytes) -> bool:
    """Whether the first bytes hold more control bytes than a text file has (UTF-16 with a BOM aside)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    sample = np.frombuffer(data[:_SNIFF_CHARS], dtype=np.uint8)
    control = np.count_nonzero((sample < 0x20) & ~np.isin(sample, _TEXT_CONTROL_BYTES))
    return bool(control > max(2, len(sample) // 100))


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
    return None


def _detect_delimiter(text: str, header_row: int | None) -> str:
    """The delimiter that splits the header record most consistently with the records below it.

    Without a known header row the first record is tried as the header; when no delimiter
    splits it (a title line), the delimiter that gives most records one and the same number
    of fields (more than one) wins.
    """
    if header_row is None:
        chosen = _detect_delimiter(text, 1)
        if len(next(csv.reader(io.StringIO(text[:_SNIFF_CHARS], newline=""), delimiter=chosen), [])) > 1:
            return chosen
        modal = max(DELIMITERS, key=lambda delimiter: _modal_width(text, delimiter))
        share, width, records = _modal_width(text, modal)
        return modal if width > 1 and share > 0.5 and records > 2 else chosen
    sample = text[:max(_SNIFF_CHARS, _end_of_line(text, header_row + 1))]  # a wide header and a record below it
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


def _end_of_line(text: str, number: int) -> int:
    """The offset just after the `number`-th line of `text` (the end of the text when it has fewer)."""
    breaks = _LINE_BREAK.finditer(text)
    found = next(islice(breaks, number - 1, None), None)
    return found.end() if found else len(text)


def _modal_width(text: str, delimiter: str) -> tuple[float, int, int]:
    """(share of the first records with the most common number of fields, that number, records looked at)."""
    try:
        records = list(islice(csv.reader(io.StringIO(text[:_SNIFF_CHARS], newline=""), delimiter=delimiter),
                              _SNIFF_RECORDS))
    except csv.Error:
        return (0.0, 0, 0)
    counts = [len(record) for record in records if record]
    if not counts:
        return (0.0, 0, 0)
    width = max(set(counts), key=lambda n: (counts.count(n) * (n > 1), n))
    return (counts.count(width) / len(counts), width, len(counts))


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


def _utf8_body(data: bytes, text: str, header_start: int, encoding: str, prefix: str = "",
               end_marks: int = 0) -> memoryview | bytes:
    """The file from the header record on, as UTF-8 bytes (a slice of the file when it is UTF-8).

    `text` is the file's text after `prefix` (a "sep=" line) and without `end_marks` end-of-file marks.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        start = bom + len(prefix.encode("utf-8")) + len(text[:header_start].encode("utf-8"))
        return memoryview(data)[start: len(data) - end_marks]
    return text[header_start:].encode("utf-8")


def _parse_clean_records(body: memoryview | bytes, delimiter: str, width: int,
                         quoted: bool = True) -> pd.DataFrame | None:
    """The data records after the header record that starts `body`, parsed by Arrow on every core.

    None when a record does not have exactly `width` fields or the last record spans lines:
    the other parsers then read the file and note its problems. Without a quotation mark in the
    file (`quoted` False) no value can hold a line break, and Arrow splits the text at line ends
    without following quotes (a quarter faster).
    """
    names = [str(position) for position in range(width)]
    first_line = bytes(body[: _ARROW_BLOCK]).find(b"\n")
    block = _ARROW_BLOCK if 0 <= first_line < _ARROW_BLOCK // 4 else 4 * len(body)  # a block holds whole records
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=max(block, 1)),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', newlines_in_values=quoted,
                                             ignore_empty_lines=False),
            # large_string is what pandas' Arrow-backed str dtype holds: the frame is made without a cast
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows and any(_LINE_BREAK.search(table.column(n)[-1].as_py()) for n in names):
        return None  # perhaps a quotation mark never closed, which swallowed the lines after it
    frame = table.to_pandas(types_mapper={pa.large_string(): STRINGS}.get)
    frame.columns = range(width)
    return frame


def _parse_wide_records(text: str, delimiter: str, width: int) -> pd.DataFrame | None:
    """The data records of a table with thousands of columns, as one block of text cells.

    A frame with one Arrow column per heading costs time per column in every step; a wide
    export has few rows, so its cells are read by the csv module into one object block.
    None when a record does not have exactly `width` fields: the other parsers then note it.
    """
    limit = csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[1:]
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(limit)
    if any(len(record) != width for record in records):
        return None
    grid = np.empty((len(records), width), dtype=object)
    grid[:] = records
    return pd.DataFrame(grid, columns=range(width), dtype=object)


def _without_blank_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells with whitespace-only text made empty."""
    if not _all_text(cells):
        grid = cells.to_numpy(dtype=object, copy=True)
        blank = np.frompyfunc(str.isspace, 1, 1)(grid).astype(bool)
        if blank.any():
            grid[blank] = ""
            cells = pd.DataFrame(grid, columns=cells.columns, dtype=object)
        return cells
    blank = by_column(flags(pc.utf8_is_space(joined_text(column for _, column in cells.items()))), cells.shape[1])
    for column, column_blank in zip(cells.columns, blank, strict=True):
        if column_blank.any():
            cells[column] = cells[column].where(~column_blank, "")
    return cells


def _all_text(cells: pd.DataFrame) -> bool:
    """Whether every column of `cells` is Arrow-backed text (a CSV file's, parsed column by column)."""
    return all(isinstance(dtype, pd.StringDtype) for dtype in cells.dtypes)


def _filled(cells: pd.DataFrame) -> np.ndarray:
    """Which cells hold something (are not ""), as a 2-D array; a CSV file's text columns looked at together."""
    if cells.shape[1] and _all_text(cells):
        empty = by_column(flags(pc.equal(joined_text(column for _, column in cells.items()), "")), cells.shape[1])
        return ~empty.T  # (a missing value is not "", as pandas compares)
    return (cells != "").to_numpy(dtype=bool)


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
    frame.columns = pd.RangeIndex(frame.shape[1])
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
    broken = len(records) if records and _ends_inside_quotes(text, records[-1]) else None
    if broken is not None:
        records = _unswallowed(records, delimiter)
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
    details = [Message("read.detail.field_count", {"fields": int(count), "headings": width})
               for count in counts[too_many]]
    if broken is not None:  # the row that opened the quotation mark and every line it swallowed
        rows.extend(numbers[broken - 1:])
        checks.extend(["unclosed_quote"] * (len(records) - broken + 1))
        details.extend([Message("read.detail.unclosed_quote", {"row": int(numbers[broken - 1])})]
                       * (len(records) - broken + 1))
    return frame, _problem_frame(rows, checks, details)


def _unswallowed(records: list[list[str]], delimiter: str) -> list[list[str]]:
    """The records with the lines that an unclosed quotation mark swallowed into the last one given back as records.

    The last field of the last record holds the rest of its own line and then every line
    after it; each such line becomes a record again (read without quotation marks).
    """
    *first, last = records
    own_line, *swallowed = _LINE_BREAK.split(last[-1])
    lines = csv.reader(swallowed, delimiter=delimiter, quoting=csv.QUOTE_NONE)
    return [*first, [*last[:-1], own_line], *(line or [""] for line in lines)]


def _other_delimiter_rows(body: Callable[[], str], cells: pd.DataFrame, filled: np.ndarray, delimiter: str,
                          width: int, header_row: int) -> pd.DataFrame:
    """Rows written with another delimiter: lines with neither the file's delimiter nor quotes that
    another delimiter splits into `width` fields.

    `body()` gives the text from the header record on and `cells` holds the records after it (`filled`:
    which cells hold something). Only records whose first cell alone is filled can be such lines, so the
    text is taken and split into lines only when there are any; the check is left out when a quoted
    field spans lines.
    """
    if width < 2 or cells.shape[1] < 2:
        return _problem_frame([], [], [])
    only_first = filled[:, 0] & ~filled[:, 1:].any(axis=1)
    if not only_first.any():
        return _problem_frame([], [], [])
    lines = _LINE_BREAK.split(body().rstrip("\r\n"))[1:]
    if len(lines) != len(cells):
        return _problem_frame([], [], [])
    positions = np.flatnonzero(only_first)
    candidates = pd.Series(np.asarray(lines, dtype=object)[positions], dtype=object)
    plain = ~candidates.str.contains(delimiter, regex=False) & ~candidates.str.contains('"', regex=False)
    rows: list[int] = []
    details: list[Message] = []
    for other in DELIMITERS:
        if other == delimiter:
            continue
        numbers = header_row + 1 + positions[(plain & (candidates.str.count(re.escape(other)) + 1 == width)).to_numpy()]
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


def _read_workbook(data: bytes, kind: str, options: ReadOptions, name: str, score: ScoreHeadings | None) -> RawTable:
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            names = workbook.sheet_names
            if options.sheet is not None or options.header_row is None or len(names) > 1:
                index, header_row, sheet = _choose_sheet(workbook, options, score, name)
            else:
                index, header_row, sheet = 0, options.header_row, workbook.get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(a, b, c, d) for (a, b), (c, d) in sheet.merged_cell_ranges or ()]
    except PasswordError:
        raise UserError("read.password_protected", file=name) from None
    except (CalamineError, ValueError, OSError) as error:
        raise UserError("read.bad_workbook", file=name, reason=str(error)) from None
    sheet_name = names[index]
    if not rows:
        raise UserError("read.empty_sheet", file=name, sheet=sheet_name)
    unsaved: list[tuple[int, int]] = []
    if kind == "xlsx":
        errors, unsaved = _xlsx_error_cells(data, index)
    else:
        errors = _ods_error_cells(data, index) if kind == "ods" else _xls_error_cells(data, index)
    _put_error_cells(rows, errors)

    grid = _typed_grid(rows)
    if header_row > len(grid):
        raise UserError("read.header_beyond_end", file=name, row=header_row, rows=len(grid))
    top = header_row - options.header_rows
    headings = _headings(grid[max(top, 0):header_row], [(a - top, b, c - top, d) for a, b, c, d in merged])
    if not any(headings):
        raise _empty_header_error(name, header_row, (grid != "").any(axis=1))
    cells = pd.DataFrame(grid[header_row:], columns=range(grid.shape[1]), dtype=object)
    found = options.header_row is None or (options.sheet is None and len(names) > 1 and score is not None)
    table = _finish(name, headings, cells, _filled(cells), replace(options, header_row=header_row),
                    _problem_frame([], [], []), kind=kind, encoding=None, delimiter=None, sheet=sheet_name, found=found,
                    look_for=frozenset(["error values"] if errors else []))
    table.notes.extend(_unsaved_formula_notes(unsaved, header_row, headings, name))
    return table


def _choose_sheet(workbook: CalamineWorkbook, options: ReadOptions, score: ScoreHeadings | None,
                  name: str) -> tuple[int, int, CalamineSheet]:
    """(sheet index, heading row, sheet): the given ones, or the sheet and row whose headings match best.

    Hidden sheets are looked at only when no sheet is visible; the first sheet wins a tie. Without
    a scorer (no model to match) the first sheet is read.
    """
    names = workbook.sheet_names
    if not names:
        raise UserError("read.bad_workbook", file=name, reason=Message("read.no_sheets"))
    if options.sheet is not None:
        candidates = [_sheet_index(names, options.sheet, name)]
    else:
        visible = [i for i, meta in enumerate(workbook.sheets_metadata) if meta.visible == SheetVisibleEnum.Visible]
        candidates = (visible or list(range(len(names))))[: None if score else 1]
    best: tuple[float, int, int, CalamineSheet] | None = None
    for index in candidates:
        sheet = workbook.get_sheet_by_index(index)
        if options.header_row is not None:
            top = sheet.to_python(skip_empty_area=False, nrows=options.header_row)
            row = options.header_row
            headings = _headings(top[max(row - options.header_rows, 0):row])
            value = score(headings) if score else float(sum(map(bool, headings)))
        else:
            top = sheet.to_python(skip_empty_area=False, nrows=SEARCH_ROWS + options.header_rows)
            merged = [(a, b, c, d) for (a, b), (c, d) in sheet.merged_cell_ranges or ()]
            texts = [[_heading(cell) for cell in row] for row in top]
            row, value = choose_heading_row(texts, score, options.header_rows, merged)
        if best is None or value > best[0]:
            best = (value, index, row, sheet)
    assert best is not None, "a workbook with sheets has a candidate"
    return best[1], best[2], best[3]


def _headings(rows, merged=()) -> list[str]:
    """The heading of each column from the heading row(s): one line of text per column."""
    texts = [[_heading(cell) for cell in row] for row in rows]
    return texts[0] if len(texts) == 1 else [_heading(text) for text in joined_headings(texts, merged)]


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

    floats = types == float  # noqa: E721 (an array of types, compared cell by cell)
    numbers = grid[floats].astype(float)
    whole = np.isfinite(numbers) & (numbers == np.round(numbers)) & (np.abs(numbers) < 2**53)
    converted = grid[floats]
    converted[whole] = numbers[whole].astype(np.int64).astype(object)
    grid[floats] = converted

    texts = types == str  # noqa: E721 (an array of types, compared cell by cell)
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


def _xlsx_error_cells(data: bytes, index: int) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Of the index-th sheet of an xlsx file, 0-based: the error cells (row, column, error text), and the
    formula cells without a stored result (row, column) – a program that does not calculate wrote them."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        part = _xlsx_sheet_part(archive, index)
        if part is None:
            return [], []
        xml = archive.read(part)
    errors, unsaved = [], []
    if b't="e"' in xml or b"t='e'" in xml:
        for match in _ERROR_CELL.finditer(xml):
            ref = _CELL_REF.search(match.group(1))
            value = _CELL_VALUE.search(match.group(2))
            if ref and value:
                errors.append((int(ref.group(2)) - 1, _column_index(ref.group(1).decode()), value.group(1).decode()))
    if b"<f" in xml:
        for match in _FORMULA_WITHOUT_VALUE.finditer(xml):
            ref = _CELL_REF.search(match.group(1))
            if ref:
                unsaved.append((int(ref.group(2)) - 1, _column_index(ref.group(1).decode())))
    return errors, unsaved


def _unsaved_formula_notes(unsaved: list[tuple[int, int]], header_row: int, headings: list[str],
                           name: str) -> list[Message]:
    """One note per column whose formulas below the headings have no stored result (their cells read as empty)."""
    counts: dict[int, int] = {}
    for row, column in unsaved:
        if row >= header_row:
            counts[column] = counts.get(column, 0) + 1
    return [Message("read.unsaved_formulas", {"file": name, "count": count,
                                              "column": (headings[column] if column < len(headings) else "")
                                              or _column_letters(column)}) for column, count in sorted(counts.items())]


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _xls_error_cells(data: bytes, index: int) -> list[tuple[int, int, str]]:
    """(row, column, error text), 0-based, of the error cells in the index-th sheet of an xls file.

    calamine leaves them empty; xlrd knows each cell's type, column by column.
    """
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(index)
    except (xlrd.XLRDError, ValueError, IndexError, KeyError, AssertionError, struct.error):
        return []  # calamine opened it: nothing more to learn here
    errors = []
    for column in range(sheet.ncols):
        types = np.asarray(sheet.col_types(column))
        for row in np.flatnonzero(types == xlrd.XL_CELL_ERROR):
            errors.append((int(row), column, xlrd.error_text_from_code.get(sheet.cell_value(int(row), column), "#ERR")))
    book.release_resources()
    return errors


def _ods_error_cells(data: bytes, index: int) -> list[tuple[int, int, str]]:
    """(row, column, error text), 0-based, of the error cells in the index-th table of an ods file."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "content.xml" not in archive.namelist():
            return []
        xml = archive.read("content.xml")
    if b'value-type="error"' not in xml:
        return []
    errors, table, row, column, inside = [], -1, 0, 0, False
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start" and tag == "table" and _ODS_TABLE in element.tag:
            table, row, inside = table + 1, 0, table + 1 == index
        elif not inside or event != "end":
            continue
        elif tag == "table-row":
            row += int(element.get(_ODS_ROWS_REPEATED, 1))
            column = 0
            element.clear()
        elif tag in ("table-cell", "covered-table-cell"):
            if element.get(_ODS_VALUE_TYPE) == "error":
                errors.append((row, column, "".join(element.itertext()).strip() or "#ERR"))
            column += int(element.get(_ODS_COLUMNS_REPEATED, 1))
        elif tag == "table" and _ODS_TABLE in element.tag:
            break
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
    filled: np.ndarray,
    options: ReadOptions,
    problems: pd.DataFrame,
    *,
    kind: str,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None = None,
    found: bool = False,
    look_for: frozenset[str] = frozenset(),
) -> RawTable:
    """Drop empty rows and empty unnamed columns, number the rows, and pack the RawTable.

    `cells` holds every record after the header ("" for empty; `filled` says which cells
    are not); columns beyond the headings keep a row that has content only there, and are then left out. Problems
    are kept only for rows that stay in the frame. `look_for` names the cells worth
    looking for, cell by cell ("error values", "control characters"): the caller knows
    from the whole file whether there can be any.
    """
    width = len(headings)
    if cells.shape[1] < width:
        cells = cells.reindex(columns=range(width), fill_value="")
        filled = np.pad(filled, ((0, 0), (0, width - filled.shape[1])))
    assert options.header_row is not None, "the caller has found the heading row"
    non_empty = np.any(filled, axis=1)
    numbers = options.header_row + 1 + np.arange(len(cells))

    last = np.flatnonzero(non_empty)
    rows_skipped = int((~non_empty[: last[-1]]).sum()) if last.size else 0
    frame = cells.iloc[:, :width]
    if not non_empty.all():
        frame = frame[non_empty]
    has_data = np.any(filled[non_empty, :width], axis=0)
    keep = [position for position in range(width) if headings[position] or has_data[position]]
    frame = frame.iloc[:, keep].reset_index(drop=True)
    frame.columns = pd.RangeIndex(len(keep))

    row_numbers = numbers[non_empty]
    checked = [problems[problems["row"].isin(row_numbers)], _totals_rows(frame, row_numbers)]
    if "error values" in look_for:
        checked.append(_error_cells(frame, row_numbers, headings, keep))
    if "control characters" in look_for:
        checked.append(_control_characters(frame, row_numbers, headings, keep))
    decimal = options.decimal
    if decimal == "auto":
        decimal = "," if delimiter == ";" else _detect_decimal(frame)
    return RawTable(
        file=name,
        headings=[headings[position] for position in keep],
        frame=frame,
        row_numbers=row_numbers,
        rows_skipped=rows_skipped,
        row_problems=_joined_problems(checked),
        encoding=encoding,
        delimiter=delimiter,
        kind=kind,
        decimal=decimal,
        header_row=options.header_row,
        sheet=sheet,
        found=found,
    )


def _totals_rows(frame: pd.DataFrame, row_numbers: np.ndarray) -> pd.DataFrame:
    """The rows at the bottom whose first filled cell says they hold totals ("Summa", "Totalt", "Medel" …).

    Only the bottom rows are looked at: the last one, then twice as many while every row looked at is a totals row.
    """
    size = 1
    while True:
        tail = frame.iloc[-size:]
        cells = tail.to_numpy(dtype=object)
        first = cells[np.arange(len(cells)), (cells != "").argmax(axis=1)] if len(cells) else cells[:, :0].ravel()
        words = np.frompyfunc(lambda cell: str(cell).strip(), 1, 1)(first)
        is_total = np.frompyfunc(lambda word: _TOTALS.fullmatch(word) is not None, 1, 1)(words).astype(bool)
        if not is_total.all() or size >= len(frame):
            break
        size *= 2
    at_bottom = np.logical_and.accumulate(is_total[::-1])[::-1]
    details = list(words[at_bottom])
    return _problem_frame(list(row_numbers[len(frame) - len(tail):][at_bottom]), ["totals_row"] * len(details), details)


def _heading(cell: object) -> str:
    """A heading cell as one line of text: a line break (Alt+Enter in Excel) and the spaces around it become
    one space."""
    return _BREAK_IN_TEXT.sub(" ", str(cell)).strip()


def _empty_header_error(name: str, header_row: int, filled_rows: Iterable[bool]) -> UserError:
    """The error for an empty heading row, naming the first row with content."""
    first = next((number for number, filled in enumerate(filled_rows, start=1) if filled), None)
    if first is None:
        return UserError("read.empty_file", file=name)
    return UserError("read.empty_header", file=name, place=row_place(header_row), first=first)


def column_decimal(cells: pd.Series) -> str | None:
    """The decimal mark a text column's numbers are written with, decided from its distinct values.

    "12,5" or "1.234,5" say comma and "12.5" or "1,234.5" say point. A column whose only
    numbers with a mark look like "1.250" or "1,250" (either a decimal or a thousands
    separator) is AMBIGUOUS; a column with both readings, with no mark or not text is None.
    """
    if not isinstance(cells.dtype, pd.StringDtype):
        return None
    values = pc.unique(large_strings(cells))  # every test below is on the distinct values
    if not (pc.any(pc.match_substring(values, ",")).as_py() or pc.any(pc.match_substring(values, ".")).as_py()):
        return None
    if not pc.any(pc.match_substring_regex(values, r"^\s*[+-]?\d[\d\s]*[.,]\d")).as_py():
        return None
    says = {mark: pc.any(pc.match_substring_regex(values, pattern)).as_py() for mark, pattern in _DECIMAL_SAYS.items()}
    if says[","] != says["."]:
        return "," if says[","] else "."
    if not says[","] and pc.any(pc.match_substring_regex(values, _EITHER_MARK)).as_py():
        return AMBIGUOUS
    return None


def _detect_decimal(frame: pd.DataFrame) -> str:
    """"," when text cells hold numbers like 12,5 and none like 12.5, else ".".

    Decided column by column on the distinct text values (a line of a cell counts as a cell).
    """
    if all(isinstance(dtype, pd.StringDtype) for dtype in frame.dtypes):
        columns = [frame[position] for position in frame.columns]
    else:  # a sheet, or a wide table in one block: all cells at once
        columns = [pd.Series(frame.to_numpy(dtype=object).ravel(), dtype=object)]
    comma = False
    for cells in columns:
        texts = _distinct_texts(cells)
        if texts is None:
            continue
        if pc.any(pc.match_substring_regex(texts, _DOT_NUMBER)).as_py():
            return "."
        comma = comma or bool(pc.any(pc.match_substring_regex(texts, _COMMA_NUMBER)).as_py())
    return "," if comma else "."


def _distinct_texts(cells: pd.Series) -> pa.Array | None:
    """The distinct text values of a column as an Arrow array; None when none holds a digit and a mark."""
    if isinstance(cells.dtype, pd.StringDtype):
        values = pc.unique(large_strings(cells))
    else:  # a sheet's column: numbers, dates and text side by side
        distinct = pd.unique(cells.to_numpy(dtype=object))
        kinds = np.frompyfunc(type, 1, 1)(distinct)
        values = pa.array(distinct[kinds == str].tolist(), type=pa.string())  # noqa: E721 (an array of types)
    if not pc.any(pc.match_substring_regex(values, r"[.,]")).as_py():
        return None
    return values


def _error_cells(frame: pd.DataFrame, row_numbers: np.ndarray, headings: list[str], keep: list[int]) -> pd.DataFrame:
    """The cells that hold a spreadsheet's error value (#N/A, #DIV/0!, Err:502 …), one problem each, with its column."""
    found = frame.isin(ERROR_VALUES).to_numpy(dtype=bool)
    found_columns, found_rows = np.nonzero(found.T)  # column by column, as the problems are listed
    details = [Message("read.detail.error_cell", {"column": headings[keep[column]] or str(column + 1),
                                                  "value": frame.iat[int(row), int(column)]})
               for row, column in zip(found_rows, found_columns, strict=True)]
    return _problem_frame(list(row_numbers[found_rows]), ["error_cell"] * len(details), details, list(found_columns))


def _control_characters(frame: pd.DataFrame, row_numbers: np.ndarray, headings: list[str],
                        keep: list[int]) -> pd.DataFrame:
    """Text cells with a control character (a NUL byte, Ctrl-Z …) that no one types: one problem each, with
    its column."""
    rows: list[int] = []
    details: list[Message] = []
    columns: list[int] = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not isinstance(column.dtype, pd.StringDtype):
            continue
        found = pc.match_substring_regex(pa.array(column.array, type=pa.string()), _CONTROL_IN_CELL)
        found = np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
        if found.any():
            rows.extend(row_numbers[found])
            details.extend([Message("read.detail.control_character",
                                    {"column": headings[keep[position]] or str(position + 1)})]
                           * int(found.sum()))
            columns.extend([position] * int(found.sum()))
    return _problem_frame(rows, ["control_character"] * len(rows), details, columns)


def _problem_frame(rows: list[int], checks: list[str], details: Sequence[Message | str],
                   columns: list[int] | None = None) -> pd.DataFrame:
    """The row_problems frame (columns row, check, detail, column), in row order.

    `column` is the position in the table's frame of the cell with the problem, -1 for the whole row.
    """
    if not rows:
        return _NO_PROBLEMS.copy()  # (most checks of most files find none: the empty frame is made once)
    return _in_row_order(_problems_as_frame(rows, checks, details, columns))


def _problems_as_frame(rows: list[int], checks: list[str], details: Sequence[Message | str],
                       columns: list[int] | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": np.asarray(rows, dtype=np.int64),
            "check": pd.Series(checks, dtype=object),
            "detail": pd.Series(list[object](details), dtype=object),
            "column": np.asarray(columns if columns is not None else [-1] * len(rows), dtype=np.int64),
        }
    )


_NO_PROBLEMS = _problems_as_frame([], [], [], None)


def _joined_problems(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The problems found by several checks as one frame, in row order (each check's own order within a row)."""
    found = [frame for frame in frames if len(frame)]
    return _in_row_order(pd.concat(found, ignore_index=True)) if found else _problem_frame([], [], [])


def _in_row_order(problems: pd.DataFrame) -> pd.DataFrame:
    """The problems (numbered from 0) sorted by row, in their own order within a row."""
    if not (np.diff(problems["row"].to_numpy()) < 0).any():
        return problems  # already in order
    return problems.sort_values("row", kind="stable").reset_index(drop=True)
