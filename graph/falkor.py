"""FalkorDB adapter: an external server (``falkordb://``) or the embedded one.

Every redis/FalkorDB exception is translated here, in :func:`_translate`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import redis.exceptions
from falkordb import Edge, FalkorDB, Node, Path

from graph.errors import InvalidInput, QueryError, StoreError, StoreUnavailable
from graph.model import Label
from graph.store import INDEXED_PROPERTIES, UNIQUE_KEY, Row

GRAPH_NAME = "partnergraph"
DEFAULT_PORT = 6379


@contextmanager
def _translate(location: str) -> Iterator[None]:
    """The one boundary where FalkorDB/redis errors become partnergraph errors."""
    try:
        yield
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
        raise StoreUnavailable(f"FalkorDB at {location} is unreachable: {exc}") from exc
    except redis.exceptions.ResponseError as exc:
        raise QueryError(str(exc)) from exc
    except redis.exceptions.RedisError as exc:
        raise StoreError(f"FalkorDB at {location} failed: {exc}") from exc


def _check_params(value: Any, path: str = "$") -> None:
    """Reject values FalkorDB's parameter header cannot carry faithfully."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"parameter {path} is not a finite number: {value!r}")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key or "`" in key:
                raise InvalidInput(f"parameter {path} has an unusable key {key!r}")
            _check_params(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_params(item, f"{path}[{index}]")


_SCALARS = frozenset({str, int, float, bool})


def _plain(value: Any) -> Any:
    """Graph values as plain data, as the neo4j driver's ``Record.data()`` gives them:
    a node or relationship becomes the dict of its properties, a path the list
    of its nodes and relationships in order."""
    if value is None or type(value) in _SCALARS:
        return value
    if isinstance(value, (Node, Edge)):
        return {k: _plain(v) for k, v in (value.properties or {}).items()}
    if isinstance(value, Path):
        items: list[Any] = []
        for i, node in enumerate(value.nodes()):
            if i:
                items.append(_plain(value.get_edge(i - 1)))
            items.append(_plain(node))
        return items
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class FalkorStore:
    """A :class:`graph.store.GraphStore` on a FalkorDB server."""

    kind = "falkordb"

    def __init__(self, client: Any, location: str) -> None:
        self._client = client
        self._graph = client.select_graph(GRAPH_NAME)
        self.location = location

    @classmethod
    def connect_url(cls, url: str) -> FalkorStore:
        """Connect to ``falkordb://[:password@]host[:port]``; checks the server answers."""
        parts = urlsplit(url)
        if not parts.hostname:
            raise InvalidInput(f"no host in FalkorDB URL {url!r}", field="db")
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError as exc:
            raise InvalidInput(f"bad port in FalkorDB URL {url!r}", field="db") from exc
        safe = f"{parts.scheme}://{parts.hostname}:{port}"
        with _translate(safe):
            client = FalkorDB(
                host=parts.hostname,
                port=port,
                username=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None,
                ssl=parts.scheme in ("falkordbs", "rediss"),
            )
            client.connection.ping()
        return cls(client, safe)

    def read(
        self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        _check_params(params or {})
        try:
            with _translate(self.location):
                result = self._graph.ro_query(
                    query,
                    dict(params or {}),
                    timeout=None if timeout is None else max(1, int(timeout * 1000)),
                )
        except QueryError:
            if not self._graph_exists():
                return []  # nothing written yet: every read of an absent graph is empty
            raise
        names = [column[1] for column in result.header]
        return [
            dict(zip(names, (_plain(v) for v in row), strict=True)) for row in result.result_set
        ]

    def _graph_exists(self) -> bool:
        with _translate(self.location):
            return bool(self._client.connection.exists(GRAPH_NAME))

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        _check_params(params or {})
        with _translate(self.location):
            self._graph.query(query, dict(params or {}))

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        self.write(query, {"rows": list(rows)})

    def ensure_schema(self) -> None:
        existing = self._existing_indexes()
        for label in Label:
            if (label.value, UNIQUE_KEY) not in existing:
                self.write(f"CREATE INDEX FOR (n:{label.value}) ON (n.{UNIQUE_KEY})")
        for label, prop in INDEXED_PROPERTIES:
            if (label.value, prop) not in existing:
                self.write(f"CREATE INDEX FOR (n:{label.value}) ON (n.{prop})")
        constrained = {
            (str(row["label"]), tuple(row["properties"]))
            for row in self.read(
                "CALL db.constraints() YIELD label, properties RETURN label, properties"
            )
        }
        for label in Label:
            if (label.value, (UNIQUE_KEY,)) in constrained:
                continue
            with _translate(self.location):
                self._client.connection.execute_command(
                    "GRAPH.CONSTRAINT", "CREATE", GRAPH_NAME, "UNIQUE", "NODE",
                    label.value, "PROPERTIES", 1, UNIQUE_KEY,
                )

    def _existing_indexes(self) -> set[tuple[str, str]]:
        rows = self.read("CALL db.indexes() YIELD label, properties RETURN label, properties")
        return {(str(row["label"]), str(prop)) for row in rows for prop in row["properties"]}

    def close(self) -> None:
        with _translate(self.location):
            self._client.connection.close()
