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
from collections.abc import Iterable, Iterator
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
    if head.startswith(_UTF16_BOMS):
        head = decode(head).encode()
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
    if _tab_separated(lines):
        return "tsv"
    if len(lines) >= 2 and all(line.count(",") >= 1 for line in lines[:5]):
        return "csv"
    return "text"


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _tab_separated(lines: list[str]) -> bool:
    """Whether the first (non-blank) lines of a text all hold a tab: a TSV."""
    return len(lines) >= 2 and all(line.count("\t") >= 1 for line in lines[:5])


def decode(data: bytes) -> str:
    """Text of ``data``: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's
    "Unicode Text"), else Windows-1252, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith(_UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
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
    if b"\x00" in data[:8192] and not data.startswith(_UTF16_BOMS):
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
        if not doc.tables and _tab_separated([ln for ln in text[:4096].splitlines() if ln.strip()]):
            doc.title, doc.tables = path.stem, [csv_table(text, name, "\t")]  # a .txt export
    elif kind in ("csv", "tsv"):
        doc.tables = [csv_table(text, name, "\t" if kind == "tsv" else None)]
    elif kind == "json":
        doc.tables = json_tables(text, name)
    elif kind == "html":
        title, doc.tables = html_tables(data, name)
        doc.title = title or path.stem
    else:
        doc.tables = jsonl_tables(text, name)
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


def _pipe_cells(line: str) -> int:
    """How many cells a pipe-table line has (outer pipes optional, ``\\|`` escaped)."""
    text = line.strip().replace("\\|", "")
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return text.count("|") + 1


def _separate_tables(lines: list[str]) -> tuple[list[str], list[int]]:
    """Put blank lines around every pipe table so markdown sees it as a block.

    Articles glue tables to the prose around them (no blank line before the
    header, list items just above), and text copied from web pages often
    loses the ``---`` row under the header: two or more lines in a row with
    the same number (two or more) of pipe-separated cells are a table too,
    and get a delimiter row. Returns the new lines and, for each, the
    0-based index of the original line it came from (-1 for inserted lines).
    """
    out: list[str] = []
    origin: list[int] = []
    in_table = False
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        # a header over a delimiter row starts a table, also right under another
        # one: articles stack tables with no prose between them
        delimited = (
            "|" in line
            and _DELIMITER_ROW.match(following) is not None
            and _DELIMITER_ROW.match(line) is None
        )
        undelimited = (
            not in_table
            and not delimited
            and "|" in line
            and "|" in following
            and _DELIMITER_ROW.match(line) is None
            and _DELIMITER_ROW.match(following) is None
            and (width := _pipe_cells(line)) >= 2
            and _pipe_cells(following) == width
        )
        if delimited or undelimited:
            out.append("")
            origin.append(-1)
            in_table = True
        elif in_table and "|" not in line:
            out.append("")
            origin.append(-1)
            in_table = False
        out.append(line)
        origin.append(i)
        if undelimited:
            out.append("|" + "---|" * _pipe_cells(line))
            origin.append(-1)
    return out, origin


def _inline_text(token: Token) -> str:
    """The text of a markdown cell without its markup: ``**FBI**`` and ``[FBI](url)``
    read ``FBI``, ``a \\| b`` reads ``a | b``, an image its alt text."""
    if not token.children:
        return token.content.strip()
    parts = []
    for child in token.children:
        if child.type in ("text", "code_inline", "image", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _cells(tokens: list[Token], start: int, close: str) -> tuple[list[str], int]:
    cells: list[str] = []
    i = start
    while tokens[i].type != close:
        if tokens[i].type == "inline":
            cells.append(_inline_text(tokens[i]))
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
        drop_notes(rows)
        tables.append(Table(len(tables) + 1, tuple(headers), rows, header_line))
        i += 1
    return tables


# -- CSV / TSV ---------------------------------------------------------------


def grid_table(
    index: int, lines: Iterable[tuple[int, tuple[str, ...]]], sheet: str | None = None
) -> Table | None:
    """A table from numbered rows of cells; None when every row is blank.

    Blank rows are skipped. The header is the first row that is not a title
    (one text above a wider row: "Joint operations 2023" over the header of
    a sheet), trailing empty header cells are dropped, and notes after the
    last row ("Source: ...", "* estimated") are not rows.
    """
    numbered = ((line, cells) for line, cells in lines if any(cells))
    header = next(numbered, None)
    if header is None:
        return None
    following = next(numbered, None)
    while following is not None and _title_row(header[1], _filled(following[1])):
        header, following = following, next(numbered, None)
    header_line, headers = header
    rest = itertools.chain([following] if following is not None else [], numbered)
    rows = [TableRow(number, line, cells) for number, (line, cells) in enumerate(rest, start=1)]
    drop_notes(rows)
    while headers and not headers[-1]:
        headers = headers[:-1]
    return Table(index, headers, rows, header_line, sheet=sheet)


def _filled(cells: tuple[str, ...]) -> int:
    return sum(1 for c in cells if c)


def _title_row(cells: tuple[str, ...], widest: int) -> bool:
    """A row holding one text above a wider table: a title, not the header."""
    return widest >= 2 and _filled(cells) == 1


_NOTE = re.compile(r"^\s*(?:[*†‡]|(?:sources?|notes?|n\.\s?b\.|nb)\s*[:\-\u2013\u2014])", re.I)


def drop_notes(rows: list[TableRow]) -> None:
    """Remove the notes that follow the last row of a table: rows of one text that
    starts "Source:", "Note:", "N.B." or a footnote mark."""
    while rows and _filled(rows[-1].cells) == 1 and _NOTE.match(
        next(c for c in rows[-1].cells if c)
    ):
        rows.pop()


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


# What a record's "name" names, by the key of the list holding it.
_NAMED_BY_LIST = {
    "operations": "operation", "joint operations": "operation", "agencies": "agency",
    "participants": "agency", "partners": "agency", "members": "agency",
    "countries": "country", "sectors": "crime sector", "crime sectors": "crime sector",
    "markets": "crime sector", "indicators": "indicator", "metrics": "indicator",
}
# Fields of a record that its nested records inherit: what names it and when.
_INHERITED = ("operation", "operation name", "name", "title", "year", "date")
_MAX_DEPTH = 4  # how deep an object may hold its lists of records
_MAX_NESTING = 8  # how deep records may nest in records and still be tables of their own
_TOO_DEEP = "JSON nested too deeply to read as tables"


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _flat_names(value: Any) -> bool:
    """A list of objects that hold one value each: ``[{"name": "FBI"}, ...]``."""
    return _is_records(value) and all(len(v) == 1 for v in value)


def _renamed(record: dict[str, Any], key: str | None) -> dict[str, Any]:
    """``record`` with its "name" (or "title") read as what its list names."""
    target = _NAMED_BY_LIST.get(" ".join(str(key or "").lower().replace("_", " ").split()))
    if target is None or target in record:
        return record
    for alias in ("name", "title"):
        if alias in record:
            return {(target if k == alias else k): v for k, v in record.items()}
    return record


class _RecordTables:
    """The tables of a JSON document: a table per list of records, and one per
    list of records nested in a record (its rows inherit what names the parent)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tables: list[Table] = []

    def add(self, records: list[Any], key: str | None, lines: list[int | None],
            inherited: list[dict[str, Any]] | None = None, depth: int = 0) -> None:
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise LoadError(
                    self.name,
                    f"record {index + 1} is {type(record).__name__}, expected an object",
                    line=lines[index],
                )
        rows = [_renamed(record, key) for record in records]
        if inherited is not None:
            rows = [{**parent, **row} for parent, row in zip(inherited, rows, strict=True)]
        nested: dict[str, tuple[list[Any], list[int | None], list[dict[str, Any]]]] = {}
        headers: list[str] = []
        for index, row in enumerate(rows):
            for field_name, value in row.items():
                if _is_records(value) and not _flat_names(value) and depth < _MAX_NESTING:
                    children, child_lines, parents = nested.setdefault(str(field_name),
                                                                       ([], [], []))
                    naming = {k: v for k, v in row.items()
                              if str(k).lower() in _INHERITED and not isinstance(v, list | dict)}
                    children.extend(value)
                    child_lines.extend([lines[index]] * len(value))
                    parents.extend([naming] * len(value))
                elif field_name not in headers:
                    headers.append(str(field_name))
        table = Table(len(self.tables) + 1, tuple(headers), [], None)
        self.tables.append(table)
        for index, row in enumerate(rows):
            cells = tuple(
                "" if h in nested and _is_records(row.get(h)) and not _flat_names(row.get(h))
                else _json_cell(row.get(h))
                for h in headers
            )
            table.rows.append(TableRow(index + 1, lines[index], cells))
        for field_name, (children, child_lines, parents) in nested.items():
            self.add(children, field_name, child_lines, parents, depth + 1)

    def find(self, data: Any, key: str | None = None, depth: int = 0) -> None:
        """Every list of records in ``data``, outermost first."""
        if isinstance(data, list):
            if all(isinstance(v, dict) for v in data):
                self.add(data, key, [None] * len(data))
            else:
                kinds = sorted({type(v).__name__ for v in data})
                raise LoadError(self.name, f"JSON list holds {', '.join(kinds)}, "
                                           "expected objects (one record each)")
            return
        if not isinstance(data, dict):
            raise LoadError(self.name,
                            f"JSON holds {type(data).__name__}, expected a list of objects")
        lists = {k: v for k, v in data.items() if _is_records(v)}
        if lists:
            for k, v in lists.items():
                self.add(v, k, [None] * len(v))
            return
        holders = {k: v for k, v in data.items() if isinstance(v, dict)}
        if holders and depth < _MAX_DEPTH:
            for k, v in holders.items():
                self.find(v, k, depth + 1)
            if self.tables:
                return
        self.add([data], key, [None])  # one object: one record


def _json_cell(value: Any) -> str:
    """A JSON value as cell text; list items are joined with "; ", which list cells
    split on before commas, so items holding commas stay whole."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(filter(None, (_json_cell(item) for item in value)))
    if isinstance(value, dict):
        if len(value) == 1:
            return _json_cell(next(iter(value.values())))
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def json_tables(text: str, name: str) -> list[Table]:
    """The tables of a JSON document: a list of objects; an object holding such
    lists under any keys (a table each), at any depth up to four; or one object.
    A record holding a list of objects (an operation's agencies, with their
    roles) gives a table of them, each row carrying the record's name and year.
    """
    try:
        data = json.loads(text)
        tables = _RecordTables(name)
        tables.find(data)
    except json.JSONDecodeError as exc:
        raise LoadError(name, f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    except RecursionError as exc:
        raise LoadError(name, _TOO_DEEP) from exc
    return tables.tables


def jsonl_tables(text: str, name: str) -> list[Table]:
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
        except RecursionError as exc:
            raise LoadError(name, _TOO_DEEP, line=number) from exc
        lines.append(number)
    tables = _RecordTables(name)
    try:
        tables.add(records, None, lines)
    except RecursionError as exc:
        raise LoadError(name, _TOO_DEEP) from exc
    return tables.tables


# -- HTML ----------------------------------------------------------------------

# Elements whose boundaries separate words even when the markup has no space
# ("Drug<br>Enforcement", "<p>FBI</p><p>DEA</p>").
_BLOCKS = frozenset({"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3",
                     "h4", "h5", "h6", "table", "section", "article", "blockquote", "hr"})
_UNSEEN = frozenset({"script", "style", "template", "noscript"})
# A footnote marker: <sup>1</sup>, <sup>[2]</sup>, <sup>*</sup>, <sup>a</sup>.
_FOOTNOTE = re.compile(r"^\W*(\d{1,3}|[a-z]|[*†‡§])\W*$")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# "Title | Site", "Title - Site", "Title — Site"
_TITLE_PARTS = re.compile(r"\s+[|\u2013\u2014-]\s+|\s+::\s+")
# A caption or title row that names the operation: "Agencies in Operation Coastal Shield"
# The words of an operation's name after its keyword: "Coastal Shield", "Pangea XVI"
_OPERATION_WORDS = r"\s+[A-Z0-9][\w'\u2019\-]*(?:\s+(?:[A-Z0-9][\w'\u2019\-]*|of|de|del|la))*"
_NAMED_OPERATION = re.compile(
    r"\b(?:Operation|Project|Task Force|Joint Action Days?)" + _OPERATION_WORDS)
_TABLE_NUMBER = re.compile(r"^(?:table|tab\.|figure|fig\.)\s*[\dIVX]+\s*[.:\u2013\u2014-]?\s*",
                           re.I)
_MAX_COLSPAN = 64


def _text(element: Any) -> str:
    """The words of an element, spaced at line breaks and block boundaries, without
    scripts or footnote markers."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _UNSEEN or (tag == "sup" and _FOOTNOTE.match("".join(el.itertext()))):
            parts.append(" ")
        else:
            if tag in _BLOCKS:
                parts.append(" ")
            if el.text and tag:
                parts.append(el.text)
            for child in el:
                walk(child)
            if tag in _BLOCKS:
                parts.append(" ")
        if el.tail:
            parts.append(el.tail)

    parts.append(element.text or "")
    for child in element:
        walk(child)
    return " ".join("".join(parts).split())


def html_encoding(data: bytes) -> str:
    """The encoding of an HTML page: its byte order mark, else its ``<meta charset>``,
    else UTF-8 when the bytes are UTF-8, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    match = _META_CHARSET.search(data[:8192])
    if match:
        import codecs

        try:
            return codecs.lookup(match[1].decode("ascii")).name
        except LookupError:
            pass
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def page_title(title: str | None) -> str | None:
    """A page ``<title>`` without the site name it often carries ("Headline | Site")."""
    if not title:
        return None
    parts = [part.strip() for part in _TITLE_PARTS.split(title) if part.strip()]
    return max(parts, key=len) if parts else None


def caption_operation(caption: str | None) -> str | None:
    """The caption of a table as an operation name: the operation it names
    ("Agencies in Operation Coastal Shield"), else the caption without its
    "Table 1:" number; None for an empty caption."""
    if not caption:
        return None
    named = _NAMED_OPERATION.search(caption)
    if named:
        return named[0].rstrip(" .,:;")
    return _TABLE_NUMBER.sub("", caption).strip() or None


# In a title only "Operation" and its translations: "Project" or "Task Force"
# open headlines too ("Task Force Strikes Smuggling Rings").
_TITLE_OPERATION = re.compile(
    r"\b(?:Operation|Operaci[oó]n|Op[ée]ration|Opera[çc][ãa]o|Operazione)" + _OPERATION_WORDS)
_BOUNDARY = frozenset(":;,.|()[]-\u2013\u2014\"'\u201c\u201d")


def _title_case(title: str) -> bool:
    words = [w for w in title.split() if len(w) > 3 and w[0].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def title_operation(title: str | None) -> str | None:
    """The operation a document title names, when it names one unmistakably:
    "Operation Coastal Shield closes with record seizures" and "Press release:
    Operation Lionfish results" name theirs; "Joint Federal Operation Targets
    Crime Networks" names none (in a headline every word is capitalised, so
    where the name ends cannot be told)."""
    if not title:
        return None
    headline = _title_case(title)
    for match in _TITLE_OPERATION.finditer(title):
        before = title[:match.start()].rstrip()
        after = title[match.end():].lstrip()
        opens = not before or before[-1] in _BOUNDARY or before.split()[-1].islower()
        closes = not after or after[0] in _BOUNDARY or (not headline and after[0].islower())
        if opens and closes:
            return match[0].rstrip(" .,:;")
    return None


def _span(cell: Any, name: str, limit: int) -> int:
    try:
        return max(1, min(int(str(cell.get(name, "1")).strip() or 1), limit))
    except ValueError:
        return 1


def _fill_carried(cells: list[str], carried: dict[int, tuple[str, int]]) -> None:
    """Append to ``cells`` the texts that cells of rows above span down into."""
    while len(cells) in carried:
        text, left = carried[len(cells)]
        if left <= 1:
            del carried[len(cells)]
        else:
            carried[len(cells)] = (text, left - 1)
        cells.append(text)


def _html_grid(rows: list[Any]) -> list[tuple[int | None, tuple[str, ...], bool]]:
    """Rows of a table as ``(line, cells, header)``, with spans laid out.

    A cell spanning rows repeats in each of them (an operation named once
    for several agency rows); a cell spanning columns fills the first and
    leaves the others empty. ``header`` is true for a row of ``th`` cells.
    """
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    out: list[tuple[int | None, tuple[str, ...], bool]] = []
    for index, tr in enumerate(rows):
        cells: list[str] = []
        elements = [c for c in tr if c.tag in ("th", "td")]
        for cell in elements:
            _fill_carried(cells, carried)
            text = _text(cell)
            colspan = _span(cell, "colspan", _MAX_COLSPAN)
            rowspan = _span(cell, "rowspan", len(rows) - index)
            for k in range(colspan):
                value = text if k == 0 else ""
                if rowspan > 1:
                    carried[len(cells)] = (value, rowspan - 1)
                cells.append(value)
        _fill_carried(cells, carried)
        header = bool(elements) and all(c.tag == "th" for c in elements)
        out.append((tr.sourceline, tuple(cells), header))
    return out


def html_tables(data: bytes, name: str) -> tuple[str | None, list[Table]]:
    """Every table of an HTML page and the page's title.

    The page's encoding comes from its bytes (:func:`html_encoding`). The
    header is the last ``thead`` row, else the first row after any title
    rows (one text above a wider table); the caption is the ``caption`` or
    the ``figcaption`` of the figure holding the table, else a title row
    that names an operation. Nested tables are read as tables of their own.
    """
    from lxml import etree
    from lxml import html as lxml_html

    try:
        parser = lxml_html.HTMLParser(encoding=html_encoding(data))
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError, LookupError) as exc:
        raise LoadError(name, f"cannot parse HTML: {exc}") from exc
    title_el = root.find(".//title")
    title = page_title(_text(title_el)) if title_el is not None else None
    if not title:
        heading = root.find(".//h1")
        title = _text(heading) if heading is not None else None
    tables: list[Table] = []
    for element in root.iter("table"):
        rows = [tr for tr in element.iter("tr") if _owner(tr) is element]
        if not rows:
            continue
        grid = _html_grid(rows)
        widest = max(_filled(cells) for _, cells, _ in grid)
        head_rows = sum(1 for tr in rows if tr.getparent().tag == "thead")
        start = head_rows - 1 if head_rows else 0
        titles: list[str] = []
        while start < len(grid) - 1 and _title_row(grid[start][1], widest):
            titles.append(next(c for c in grid[start][1] if c))
            start += 1
        header_line, headers, _ = grid[start]
        data_rows: list[TableRow] = []
        for line, cells, _ in grid[start + 1:]:
            if any(cells):
                data_rows.append(TableRow(len(data_rows) + 1, line, cells))
        drop_notes(data_rows)
        caption_el = element.find("caption")
        if caption_el is None:
            figure = element.getparent()
            while figure is not None and figure.tag != "figure":
                figure = figure.getparent() if figure.tag in ("div", "span") else None
            caption_el = figure.find("figcaption") if figure is not None else None
        caption = _text(caption_el) if caption_el is not None else None
        if not caption:
            caption = next((t for t in titles if _NAMED_OPERATION.search(t)), None)
        tables.append(Table(len(tables) + 1, headers, data_rows, header_line, caption or None))
    return title, tables


def _owner(tr: Any) -> Any:
    """The table a row belongs to (not an enclosing table of a nested one)."""
    parent = tr.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


# -- XLSX -----------------------------------------------------------------------


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)\"")


def _merged(archive: Any, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a worksheet as ``(min_col, min_row, max_col, max_row)``.

    openpyxl's read-only worksheets (which stream large sheets) do not read
    merges; the ``<mergeCell>`` elements come after the sheet's rows in its
    XML and are found there. A sheet openpyxl does not name a part of (no
    ``_worksheet_path``) has no merges for us.
    """
    from openpyxl.utils.cell import range_boundaries

    part = getattr(sheet, "_worksheet_path", None)
    if not part:
        return []
    try:
        xml = archive.read(part)
    except KeyError:
        return []
    ranges: list[tuple[int, int, int, int]] = []
    for match in _MERGE.finditer(xml):
        min_col, min_row, max_col, max_row = range_boundaries(match[1].decode())
        if min_col and min_row and max_col and max_row:
            ranges.append((min_col, min_row, max_col, max_row))
    return ranges


def _fill_merged(rows: Iterable[tuple[int, tuple[str, ...]]],
                 ranges: list[tuple[int, int, int, int]]
                 ) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Rows with each merged range's value where a reader sees it: a value merged
    over rows repeats in each of them (an operation named once for several
    agencies), one merged over columns stays in the first (as HTML spans)."""
    if not ranges:
        yield from rows
        return
    starts: dict[int, list[tuple[int, int, int, int]]] = {}
    for bounds in ranges:
        starts.setdefault(bounds[1], []).append(bounds)
    pending: dict[tuple[int, int], str] = {}  # (row, column index) -> value
    for number, cells in rows:
        for min_col, _, _, max_row in starts.get(number, ()):
            value = cells[min_col - 1] if min_col - 1 < len(cells) else ""
            for row in range(number + 1, max_row + 1):
                pending[(row, min_col - 1)] = value
        if pending:
            filled = list(cells)
            for (row, column), value in list(pending.items()):
                if row == number:
                    filled.extend([""] * (column + 1 - len(filled)))
                    if not filled[column]:
                        filled[column] = value
                    del pending[(row, column)]
            cells = tuple(filled)
        yield number, cells


def _xlsx_document(path: Path, data: bytes) -> Document:
    """Every worksheet of a workbook as a table; the header is its first non-empty
    row that is not a title, and merged cells read as a reader sees them."""
    import zipfile

    from openpyxl import load_workbook

    name = str(path)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
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
            table = grid_table(len(doc.tables) + 1, _fill_merged(numbered, _merged(archive, sheet)),
                               sheet=sheet.title)
            if table is not None:
                doc.tables.append(table)
    finally:
        workbook.close()
        archive.close()
    return doc


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
