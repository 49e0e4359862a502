"""Readers: a file becomes a :class:`Document` of tables with source positions.

Formats are detected from the extension and, failing that, from the content;
``fmt`` overrides both. Every reader raises :class:`graph.errors.LoadError`
naming the file (and line where known) for input it cannot read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from graph.errors import LoadError

FORMATS = ("text", "csv", "tsv", "json", "jsonl", "html", "xlsx")
_EXTENSIONS = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
# A cell may be huge (a pasted document); rows are rejected one by one later
# rather than failing the whole file here.
csv.field_size_limit(256 * 1024 * 1024)
MAX_FILE_BYTES = 512 * 1024 * 1024
# A markdown delimiter row: cells of dashes with optional alignment colons.
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_TITLE_MAX = 160


@dataclass(slots=True)
class TableRow:
    """One data row: its 1-based number in the table, line in the file, and cells.

    Not frozen: a frozen dataclass takes twice as long to make, and a table
    has a million of them. Nothing changes a row once read.
    """

    number: int
    line: int | None
    cells: tuple[str, ...]


@dataclass(slots=True)
class Table:
    """A table found in a document: 1-based index, header cells and data rows."""

    index: int
    headers: tuple[str, ...]
    rows: list[TableRow]
    line: int | None = None
    caption: str | None = None
    sheet: str | None = None  # worksheet of a workbook


@dataclass(slots=True)
class Document:
    """A read file: where it came from, its title and content hash, and its tables."""

    path: str
    name: str
    title: str
    sha256: str
    format: str
    tables: list[Table] = field(default_factory=list)


def detect_format(path: Path, head: bytes) -> str:
    """The format of ``path``: by extension, else by its first bytes."""
    by_ext = _EXTENSIONS.get(path.suffix.lower())
    if by_ext:
        return by_ext
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"  # a zip container: the only one partnergraph reads is a workbook
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = text[:65536].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<table" in lowered:
        return "html"
    if text.startswith((b"[", b"{")):
        first_line = text.split(b"\n", 1)[0].strip()
        if first_line.startswith(b"{") and first_line.endswith(b"}") and b"\n{" in text:
            return "jsonl"
        return "json"
    sample = head[:4096].decode("utf-8", errors="replace")
    lines = [line for line in sample.splitlines() if line.strip()]
    if any(_DELIMITER_ROW.match(line) and "-" in line for line in lines):
        return "text"
    if len(lines) >= 2 and all(line.count("\t") >= 1 for line in lines[:5]):
        return "tsv"
    if len(lines) >= 2 and all(line.count(",") >= 1 for line in lines[:5]):
        return "csv"
    return "text"


def decode(data: bytes) -> str:
    """Text of ``data``: UTF-8 (with or without BOM), else Windows-1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_document(path: Path, fmt: str | None = None) -> Document:
    """Read ``path`` into a Document; raises LoadError when it cannot be read or parsed."""
    name = str(path)
    if fmt is not None and fmt not in FORMATS:
        raise LoadError(name, f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(name, f"file is {size} bytes, more than the {MAX_FILE_BYTES} allowed")
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise LoadError(name, "is a directory, not a file") from exc
    except FileNotFoundError as exc:
        raise LoadError(name, "no such file") from exc
    except OSError as exc:
        raise LoadError(name, f"cannot read: {exc.strerror or exc}") from exc
    kind = fmt or detect_format(path, data[:65536])
    if kind == "xlsx":
        return _xlsx_document(path, data)
    if b"\x00" in data[:8192]:
        raise LoadError(name, "looks like a binary file, not text, CSV, JSON or HTML")
    text = decode(data)
    doc = Document(
        path=str(path.resolve()),
        name=path.name,
        title=path.stem,
        sha256=hashlib.sha256(data).hexdigest(),
        format=kind,
    )
    if kind == "text":
        doc.title = text_title(text) or path.stem
        doc.tables = text_tables(text)
    elif kind in ("csv", "tsv"):
        doc.tables = [csv_table(text, name, "\t" if kind == "tsv" else None)]
    elif kind == "json":
        doc.tables = [json_table(text, name)]
    elif kind == "html":
        title, doc.tables = html_tables(data, name)
        doc.title = title or path.stem
    else:
        doc.tables = [jsonl_table(text, name)]
    return doc


# -- text and markdown --------------------------------------------------------

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")


def text_title(text: str) -> str | None:
    """The document's title: its first short line that is not a sentence or a table row."""
    for line in text.splitlines():
        candidate = line.strip().lstrip("#").strip()
        if not candidate or "|" in candidate or candidate.startswith(("-", "*")):
            continue
        if len(candidate) > _TITLE_MAX:
            continue
        last_word = candidate.split()[-1]
        abbreviation = last_word.endswith(".") and last_word.count(".") >= 2  # "U.S."
        if abbreviation or not candidate.endswith((".", "!", "?", ":", ";")):
            return candidate
    return None


def _separate_tables(lines: list[str]) -> tuple[list[str], list[int]]:
    """Put blank lines around every pipe table so markdown sees it as a block.

    Articles glue tables to the prose around them (no blank line before the
    header, list items just above). Returns the new lines and, for each, the
    0-based index of the original line it came from (-1 for inserted blanks).
    """
    out: list[str] = []
    origin: list[int] = []
    in_table = False
    for i, line in enumerate(lines):
        starts = (
            not in_table
            and "|" in line
            and i + 1 < len(lines)
            and _DELIMITER_ROW.match(lines[i + 1]) is not None
            and _DELIMITER_ROW.match(line) is None
        )
        if starts:
            out.append("")
            origin.append(-1)
            in_table = True
        elif in_table and "|" not in line:
            out.append("")
            origin.append(-1)
            in_table = False
        out.append(line)
        origin.append(i)
    return out, origin


def _cells(tokens: list[Token], start: int, close: str) -> tuple[list[str], int]:
    cells: list[str] = []
    i = start
    while tokens[i].type != close:
        if tokens[i].type == "inline":
            cells.append(tokens[i].content.strip())
        i += 1
    return cells, i


def text_tables(text: str) -> list[Table]:
    """Every pipe table in prose or markdown, with or without outer pipes."""
    lines, origin = _separate_tables(text.splitlines())
    tokens = _MD.parse("\n".join(lines))
    tables: list[Table] = []
    i = 0
    while i < len(tokens):
        if tokens[i].type != "table_open":
            i += 1
            continue
        headers: list[str] = []
        rows: list[TableRow] = []
        header_line: int | None = None
        while tokens[i].type != "table_close":
            tok = tokens[i]
            if tok.type == "tr_open":
                src = origin[tok.map[0]] + 1 if tok.map else None
                cells, i = _cells(tokens, i, "tr_close")
                if not headers:
                    headers, header_line = cells, src
                else:
                    rows.append(TableRow(len(rows) + 1, src, tuple(cells)))
            i += 1
        tables.append(Table(len(tables) + 1, tuple(headers), rows, header_line))
        i += 1
    return tables


# -- CSV / TSV ---------------------------------------------------------------


def grid_table(
    index: int, lines: Iterable[tuple[int, tuple[str, ...]]], sheet: str | None = None
) -> Table | None:
    """A table from numbered rows of cells: the first non-empty row is the header.

    Blank rows are skipped, trailing empty header cells dropped; None when every
    row is blank.
    """
    numbered = iter(lines)
    header = next(((line, cells) for line, cells in numbered if any(cells)), None)
    if header is None:
        return None
    header_line, headers = header
    rows = [
        TableRow(number, line, cells)
        for number, (line, cells) in enumerate(
            ((line, cells) for line, cells in numbered if any(cells)), start=1
        )
    ]
    while headers and not headers[-1]:
        headers = headers[:-1]
    return Table(index, headers, rows, header_line, sheet=sheet)


_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_CHARS = 65536
_SNIFF_RECORDS = 200


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text, one of ``, ; tab |`` (comma when none fits).

    Each candidate parses the first records of the text. Among those that
    split the header into two or more columns and at least 80% of the rows
    below it into as many, the one giving the most columns wins; failing
    that, the one that splits the most rows like the header. Unlike
    ``csv.Sniffer`` this is not misled by a cell holding quotes and
    semicolons (``'; DROP ...``), which only ever affects a few rows.
    """
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # no record cut in half
    best: tuple[float, int, float] | None = None
    chosen = ","
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            records = [
                r for r in itertools.islice(reader, _SNIFF_RECORDS) if any(map(str.strip, r))
            ]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width, body = len(records[0]), records[1:]
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        key = (min(consistent, 0.8), width, consistent)
        if best is None or key > best:
            best, chosen = key, delimiter
    return chosen


def csv_table(text: str, name: str, delimiter: str | None = None) -> Table:
    """The one table of a CSV or TSV text; the delimiter is sniffed unless given."""
    if delimiter is None:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        if '"' in text:  # a quoted cell may span lines: number records by their first line
            records: list[list[str]] = []
            lines: list[int] = []
            start = 1
            for record in reader:
                records.append(record)
                lines.append(start)
                start = reader.line_num + 1
        else:  # a record per line
            records = list(reader)
            lines = list(range(1, len(records) + 1))
    except csv.Error as exc:
        raise LoadError(name, f"malformed CSV: {exc}", line=reader.line_num) from exc
    table = grid_table(1, zip(lines, (tuple(map(str.strip, r)) for r in records), strict=True))
    if table is None:
        raise LoadError(name, "empty file: no header row")
    return table


# -- JSON ------------------------------------------------------------------


def _records_table(records: list[Any], name: str, lines: list[int | None]) -> Table:
    headers: list[str] = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise LoadError(
                name, f"record {index + 1} is {type(record).__name__}, expected an object",
                line=lines[index],
            )
        for key in record:
            if key not in headers:
                headers.append(str(key))
    rows = []
    for index, record in enumerate(records):
        cells = tuple(_json_cell(record.get(key)) for key in headers)
        rows.append(TableRow(index + 1, lines[index], cells))
    return Table(1, tuple(headers), rows, None)


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_json_cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def json_table(text: str, name: str) -> Table:
    """A list of objects, or an object holding one such list under any key."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(name, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise LoadError(
                name, "a JSON object must hold exactly one list of records; found "
                f"{len(lists)} lists under keys {sorted(map(str, data))[:10]}"
            )
        data = lists[0]
    if not isinstance(data, list):
        raise LoadError(name, f"JSON holds {type(data).__name__}, expected a list of objects")
    return _records_table(data, name, [None] * len(data))


def jsonl_table(text: str, name: str) -> Table:
    """One JSON object per line; blank lines are skipped."""
    records: list[Any] = []
    lines: list[int | None] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise LoadError(name, f"invalid JSON: {exc.msg}", line=number) from exc
        lines.append(number)
    return _records_table(records, name, lines)


# -- HTML ----------------------------------------------------------------------


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def html_tables(data: bytes, name: str) -> tuple[str | None, list[Table]]:
    """Every table of an HTML page and the page's title.

    The header is the ``thead`` row or a first row of ``th`` cells, else the
    first row. Nested tables are read as tables of their own.
    """
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise LoadError(name, f"cannot parse HTML: {exc}") from exc
    title_el = root.find(".//title")
    title = _text(title_el) if title_el is not None else None
    if not title:
        heading = root.find(".//h1")
        title = _text(heading) if heading is not None else None
    tables: list[Table] = []
    for element in root.iter("table"):
        rows = [tr for tr in element.iter("tr") if _owner(tr) is element]
        if not rows:
            continue
        caption_el = element.find("caption")
        header_row = rows[0]
        body = rows[1:]
        headers = tuple(_text(cell) for cell in header_row if cell.tag in ("th", "td"))
        data_rows: list[TableRow] = []
        for tr in body:
            cells = tuple(_text(cell) for cell in tr if cell.tag in ("th", "td"))
            if any(cells):
                data_rows.append(TableRow(len(data_rows) + 1, tr.sourceline, cells))
        tables.append(
            Table(len(tables) + 1, headers, data_rows, header_row.sourceline,
                  _text(caption_el) if caption_el is not None else None)
        )
    return title, tables


def _owner(tr: Any) -> Any:
    """The table a row belongs to (not an enclosing table of a nested one)."""
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


# -- XLSX -----------------------------------------------------------------------


def _xlsx_document(path: Path, data: bytes) -> Document:
    """Every worksheet of a workbook as a table; the header is its first non-empty row."""
    import zipfile

    from openpyxl import load_workbook

    name = str(path)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise LoadError(name, f"cannot read as an XLSX workbook: {exc}") from exc
    doc = Document(
        path=str(path.resolve()), name=path.name,
        title=str(workbook.properties.title or path.stem),
        sha256=hashlib.sha256(data).hexdigest(), format="xlsx",
    )
    try:
        for sheet in workbook.worksheets:
            numbered = (
                (number, tuple(_xlsx_cell(v) for v in values))
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            )
            table = grid_table(len(doc.tables) + 1, numbered, sheet=sheet.title)
            if table is not None:
                doc.tables.append(table)
    finally:
        workbook.close()
    return doc


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
