"""The one narrow store protocol that domain code depends on, and how to open one.

A store is chosen by a single location string (``--db`` / ``PARTNERGRAPH_DB``):

- a directory path: the embedded FalkorDB kept in that directory (default);
- ``neo4j://``, ``neo4j+s://``, ``neo4j+ssc://``, ``bolt://``, ``bolt+s://``,
  ``bolt+ssc://``: Neo4j through the official driver;
- ``falkordb://[:password@]host:port``: an external FalkorDB server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import platformdirs

from graph.errors import InvalidInput
from graph.model import Label, RelType

if TYPE_CHECKING:
    from graph.partners import Partnerships

ENV_DB = "PARTNERGRAPH_DB"
NEO4J_SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"})
FALKOR_SCHEMES = frozenset({"falkordb", "falkordbs", "redis", "rediss"})

# Every label is keyed by a unique ``id``; these extra properties are indexed
# for lookups. Adapters turn this into their engine's DDL.
UNIQUE_KEY = "id"
INDEXED_PROPERTIES: tuple[tuple[Label, str], ...] = (
    (Label.AGENCY, "acronym"),
    (Label.AGENCY, "name"),
    (Label.AGENCY, "keys"),  # folded names and aliases: references resolve through it
    (Label.AGENCY, "country"),
    (Label.OPERATION, "name"),
)

Row = dict[str, Any]


@runtime_checkable
class GraphStore(Protocol):
    """What partnergraph needs from a graph database, and nothing more.

    Implementations translate every driver or server exception into
    :mod:`graph.errors` (``StoreUnavailable`` when unreachable, ``QueryError``
    when the engine rejects a text, ``StoreError`` otherwise).
    """

    kind: str
    """``"embedded"``, ``"falkordb"`` or ``"neo4j"``."""

    location: str
    """Where the store lives, safe to show (no password)."""

    def read(
        self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        """Run a read-only query; rows as dicts keyed by the RETURN names."""
        ...

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        """Run one write query in its own transaction."""
        ...

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run ``query`` once with ``$rows`` bound to ``rows``, in one transaction."""
        ...

    def ensure_schema(self) -> None:
        """Create the indexes and uniqueness constraints this engine supports (idempotent)."""
        ...

    def close(self) -> None:
        """Release connections (and, for the embedded store, the server if unused)."""
        ...


@runtime_checkable
class BulkImporter(Protocol):
    """A store that can build an empty graph in one bulk import (FalkorDB's GRAPH.BULK).

    The rows are the writer's grouped rows (see :mod:`graph.writer`); the
    import is all or nothing and leaves exactly what the batched ``MERGE``
    writes would have left in an empty graph.
    """

    def is_empty(self) -> bool:
        """True when the graph holds no node."""
        ...

    def import_graph(
        self,
        nodes: Mapping[Label, Sequence[Row]],
        rels: Mapping[tuple[RelType, Label, Label], Sequence[Row]],
        *,
        partners: Callable[[], Partnerships] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Create every row, then the partnerships ``partners()`` derives, in the
        empty graph; returns how many rows (the partnerships not counted).

        All or nothing; raises :class:`graph.errors.StoreChanged`, having
        written nothing, if another writer filled the graph meanwhile."""
        ...


def default_db_dir() -> Path:
    """The embedded store used when neither ``--db`` nor ``PARTNERGRAPH_DB`` is set."""
    return Path(platformdirs.user_data_dir("partnergraph", appauthor=False)) / "db"


def resolve_location(db: str | os.PathLike[str] | None) -> str:
    """The store location to use: ``db``, else ``$PARTNERGRAPH_DB``, else the default dir."""
    if db is not None and str(db).strip():
        return str(db).strip()
    env = os.environ.get(ENV_DB, "").strip()
    return env or str(default_db_dir())


def store_kind(location: str) -> str:
    """``"neo4j"``, ``"falkordb"`` or ``"embedded"`` for a location; raises InvalidInput."""
    scheme = urlsplit(location).scheme.lower() if "://" in location else ""
    if not scheme or scheme == "file":
        return "embedded"
    if scheme in NEO4J_SCHEMES:
        return "neo4j"
    if scheme in FALKOR_SCHEMES:
        return "falkordb"
    known = ", ".join(sorted(NEO4J_SCHEMES | FALKOR_SCHEMES))
    raise InvalidInput(
        f"unknown store location {location!r}: give a directory for the embedded store "
        f"or a URL with one of the schemes {known}",
        field="db",
    )


def open_store(db: str | os.PathLike[str] | None = None) -> GraphStore:
    """Open the store named by ``db`` (see module doc). Does not create the schema.

    Raises ``InvalidInput`` for an unknown location and ``StoreUnavailable`` when
    the store cannot be reached or started.
    """
    location = resolve_location(db)
    kind = store_kind(location)
    if kind == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore.connect(location)
    if kind == "falkordb":
        from graph.falkor import FalkorStore

        return FalkorStore.connect_url(location)
    from graph.embedded import EmbeddedStore

    path = urlsplit(location).path if location.startswith("file://") else location
    return EmbeddedStore.open(Path(path).expanduser())
