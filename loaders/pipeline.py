"""Load documents into a store: read, recognise, resolve, write, rebuild partners.

A file is parsed and resolved completely before anything of it is written, so
a file that cannot be read leaves the store exactly as it was; with
``strict`` a file with any rejected row writes nothing either.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from graph.errors import LoadError
from graph.model import Label, RelType
from graph.store import BulkImporter, GraphStore
from graph.writer import (
    DEFAULT_BATCH_SIZE,
    Grouped,
    import_grouped,
    rebuild_partners,
    write_grouped,
)
from loaders.build import (
    Builder,
    Extraction,
    IgnoredColumns,
    SkippedTable,
    describe_unknown_table,
)
from loaders.normalise import Agency, AgencyResolver
from loaders.read import Document, csv_table, decode, read_document

KNOWN_AGENCIES = (
    f"MATCH (a:{Label.AGENCY}) "
    f"OPTIONAL MATCH (a)-[:{RelType.PART_OF}]->(p:{Label.AGENCY}) "
    "RETURN a.id AS id, a.name AS name, a.acronym AS acronym, a.country AS country, "
    "coalesce(a.aliases, []) AS aliases, p.id AS parent"
)


class ExitCode(IntEnum):
    """``partnergraph load`` exit codes."""

    OK = 0  # every row of every file loaded
    PARTIAL = 1  # something loaded, some rows or files were rejected
    NOTHING = 2  # nothing was loaded


@dataclass(slots=True)
class FileReport:
    path: str
    title: str | None = None
    source_id: str | None = None
    rows_loaded: int = 0
    records_written: int = 0
    shapes: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedTable] = field(default_factory=list)
    ignored: list[IgnoredColumns] = field(default_factory=list)  # columns of no field
    errors: list[LoadError] = field(default_factory=list)
    written: bool = False
    would_write: dict[str, int] = field(default_factory=dict)  # dry run: label/type -> count


@dataclass(slots=True)
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files if f.written or self.dry_run)

    @property
    def errors(self) -> list[LoadError]:
        return [e for f in self.files for e in f.errors]

    @property
    def exit_code(self) -> ExitCode:
        if self.rows_loaded == 0 and (self.errors or not self.files):
            return ExitCode.NOTHING
        if self.errors:
            return ExitCode.PARTIAL
        return ExitCode.OK


def read_aliases(path: Path) -> dict[str, str]:
    """A user alias file: a JSON object ``{alias: canonical}`` or two-column CSV."""
    try:
        text = decode(path.read_bytes())
    except OSError as exc:
        raise LoadError(str(path), f"cannot read alias file: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(str(path), f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise LoadError(str(path), 'alias file must be a JSON object {"alias": "canonical"}')
        return dict(data)
    table = csv_table(text, str(path))
    aliases: dict[str, str] = {}
    for row in table.rows:
        if len(row.cells) < 2 or not row.cells[0] or not row.cells[1]:
            raise LoadError(str(path), "expected two cells: alias, canonical name", line=row.line)
        aliases[row.cells[0]] = row.cells[1]
    return aliases


def read_mapping(path: Path) -> dict[str, str]:
    """A header mapping file: a JSON object ``{"Header in the file": "field"}``."""
    from loaders.shapes import check_mapping

    try:
        data = json.loads(decode(path.read_bytes()))
    except OSError as exc:
        raise LoadError(str(path), f"cannot read mapping file: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise LoadError(str(path), f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise LoadError(str(path), 'mapping must be a JSON object {"header": "field"}')
    try:
        check_mapping(data)
    except ValueError as exc:
        raise LoadError(str(path), str(exc)) from exc
    return dict(data)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a load.

    A load builds millions of small containers and no reference cycles, so
    the collector finds nothing, yet it rescans everything alive again and
    again as the containers pile up: it took three quarters of the time of
    deriving partners for 200,000 rows. Reference counting still frees
    everything a load drops.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def known_agencies(store: GraphStore) -> list[Agency]:
    return [
        Agency(
            id=row["id"], name=row["name"] or row["id"], acronym=row["acronym"],
            country=row["country"], parent=row["parent"], aliases=list(row["aliases"] or []),
        )
        for row in store.read(KNOWN_AGENCIES)
    ]


@cyclic_gc_paused()
def load_paths(
    store: GraphStore,
    paths: Sequence[Path],
    *,
    operation: str | None = None,
    fmt: str | None = None,
    aliases: dict[str, str] | None = None,
    mapping: dict[str, str] | None = None,
    strict: bool = False,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_document: Callable[[Document, Extraction], None] | None = None,
    on_import: Callable[[int], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Load every file of ``paths``; returns what happened to each.

    Bad rows are reported (``LoadError`` with file and line) while good rows
    load. ``on_document`` is called once a file is parsed and resolved, before
    anything of it is written; ``on_import(files)`` before the one bulk import
    of an empty store; ``progress(done, total)`` after each written batch.
    """
    report = LoadReport(dry_run=dry_run)
    resolver = AgencyResolver(known_agencies(store), aliases)
    builder = Builder(resolver, operation, mapping)
    # Into an empty store that can bulk-import, the files are gathered into
    # one import at the end (all or nothing, partners derived in memory);
    # otherwise each file is merged in batches once it is resolved.
    gather = not dry_run and isinstance(store, BulkImporter) and store.is_empty()
    gathered: Grouped | None = None
    pending: list[FileReport] = []
    partners_stale = False
    for path in paths:
        file_report = FileReport(str(path))
        report.files.append(file_report)
        try:
            doc = read_document(path, fmt)
        except LoadError as exc:
            file_report.errors.append(exc)
            continue
        extraction = builder.build(doc)
        file_report.title = doc.title
        file_report.source_id = extraction.source_id
        file_report.rows_loaded = extraction.rows_loaded
        file_report.shapes = extraction.shapes
        file_report.skipped = extraction.skipped
        file_report.ignored = extraction.ignored
        file_report.errors.extend(extraction.errors)
        if on_document:
            on_document(doc, extraction)
        if extraction.rows_loaded == 0:
            if not extraction.errors and not extraction.skipped:
                file_report.errors.append(LoadError(doc.name, "no tables found"))
            elif not extraction.errors:
                file_report.errors.extend(
                    LoadError(doc.name, describe_unknown_table(doc, table), line=table.line)
                    for table in extraction.skipped
                )
            continue
        if strict and extraction.errors:
            file_report.errors.append(
                LoadError(doc.name, "--strict: nothing of this file was written")
            )
            continue
        if dry_run:
            file_report.would_write = extraction.grouped.counts()
            continue
        if gather:
            file_report.records_written = sum(extraction.grouped.counts().values())
            gathered = (
                extraction.grouped if gathered is None else gathered.update(extraction.grouped)
            )
            pending.append(file_report)
            continue
        file_report.records_written = write_grouped(
            store, extraction.grouped, batch_size=batch_size, progress=progress
        )
        file_report.written = True
        partners_stale = True
    if gathered is not None:
        if on_import:
            on_import(len(pending))
        if import_grouped(store, gathered, progress=progress) is None:
            # another process wrote to the store meanwhile: merge instead
            write_grouped(store, gathered, batch_size=batch_size, progress=progress)
            partners_stale = True
        for file_report in pending:
            file_report.written = True
    if partners_stale:
        rebuild_partners(store)
    return report
