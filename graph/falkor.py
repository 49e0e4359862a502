"""FalkorDB adapter: an external server (``falkordb://``) or the embedded one.

Every redis/FalkorDB exception is translated here, in :func:`_translate`.
"""

from __future__ import annotations

import math
import os
import secrets
import socket
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from itertools import chain
from typing import Any
from urllib.parse import unquote, urlsplit

import redis.exceptions
from falkordb import Edge, FalkorDB, Node, Path

from graph import forked
from graph.errors import (
    InvalidInput,
    PartnergraphError,
    QueryError,
    StoreChanged,
    StoreError,
    StoreUnavailable,
)
from graph.falkor_bulk import Encoder, Unencodable, partner_tokens
from graph.forked import Frame
from graph.model import LIST_PROPERTIES, Label, RelType
from graph.partners import Partnerships
from graph.store import INDEXED_PROPERTIES, UNIQUE_KEY, Row

GRAPH_NAME = "partnergraph"
# A bulk import builds its graph under a staging name of this prefix
# (``<prefix><host>.<pid>.<random>``) and renames it into place when complete.
STAGING_PREFIX = f"{GRAPH_NAME}.import."
DEFAULT_PORT = 6379
# Imports of at least this many rows derive their partnerships in a forked
# child (see graph.forked); below it, forking costs more than it saves.
FORK_ROWS = 50_000


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


class _Unusable(Exception):
    """A parameter value the header cannot carry; ``path`` is filled in on the way out."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []


def _staging_name() -> str:
    return f"{STAGING_PREFIX}{socket.gethostname()}.{os.getpid()}.{secrets.token_hex(4)}"


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this host (perhaps another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _literal(value: Any) -> str:
    """``value`` as a literal of FalkorDB's ``CYPHER name=value`` parameter header.

    Strings are escaped exactly as the falkordb client escapes them; values the
    header cannot carry faithfully (non-finite numbers, unusable map keys,
    other types) raise :class:`_Unusable`. One pass with the common types
    first: large batches serialise several times faster than through the
    client's generic walk followed by a separate check.
    """
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is list or kind is tuple:
        if all(type(item) is str for item in value):
            return "[" + ",".join([_quote(item) for item in value]) + "]"
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_literal(item))
            except _Unusable as exc:
                exc.path.insert(0, f"[{index}]")
                raise
        return "[" + ",".join(items) + "]"
    if kind is dict or isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            if not isinstance(key, str) or not key or "`" in key:
                raise _Unusable(f"has an unusable key {key!r}")
            try:
                parts.append(f"`{key}`:{_literal(item)}")
            except _Unusable as exc:
                exc.path.insert(0, f".{key}")
                raise
        return "{" + ",".join(parts) + "}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unusable(f"is not a finite number: {value!r}")
        return float.__repr__(value)
    if isinstance(value, str):  # str subclasses such as the model's Enums
        return _quote(value)
    if isinstance(value, list | tuple):
        return _literal(list(value))
    raise _Unusable(f"has a value of unsupported type {kind.__name__}")


def _header(params: Mapping[str, Any] | None) -> str:
    """The ``CYPHER a=1 b="x" `` prefix that carries ``params`` to FalkorDB."""
    if not params:
        return ""
    parts = []
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise InvalidInput(f"parameter name {name!r} is not an identifier")
        try:
            parts.append(f"{name}={_literal(value)}")
        except _Unusable as exc:
            where = "$" + name + "".join(exc.path)
            raise InvalidInput(f"parameter {where} {exc.reason}") from None
    return "CYPHER " + " ".join(parts) + " "


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


def _edge_frames(
    encoder: Encoder, key: tuple[RelType, Label, Label], rows: Sequence[Row]
) -> Iterator[Frame]:
    """The frames of one relationship type's edges; rows skipped for a missing
    endpoint still count as handled."""
    rel, start, end = key
    done = 0
    for count, token in encoder.edge_tokens(rel.value, start.value, end.value, rows):
        done += count
        yield 0, count, count, token
    if len(rows) > done:
        yield 0, 0, len(rows) - done, b""


class FalkorStore:
    """A :class:`graph.store.GraphStore` on a FalkorDB server."""

    kind = "falkordb"

    def __init__(self, client: Any, location: str, *, graph: str = GRAPH_NAME) -> None:
        self._client = client
        self._name = graph
        self._graph = client.select_graph(graph)
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
        text = _header(params) + query
        try:
            with _translate(self.location):
                result = self._graph.ro_query(
                    text,
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
            return bool(self._client.connection.exists(self._name))

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        text = _header(params) + query
        with _translate(self.location):
            self._graph.query(text)

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
                    "GRAPH.CONSTRAINT", "CREATE", self._name, "UNIQUE", "NODE",
                    label.value, "PROPERTIES", 1, UNIQUE_KEY,
                )

    def is_empty(self) -> bool:
        """True when the graph holds no node (or does not exist yet)."""
        rows = self.read("MATCH (n) RETURN count(n) AS nodes")
        return not rows or rows[0]["nodes"] == 0

    def import_graph(
        self,
        nodes: Mapping[Label, Sequence[Row]],
        rels: Mapping[tuple[RelType, Label, Label], Sequence[Row]],
        *,
        partners: Callable[[], Partnerships] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Build the graph from writer rows with ``GRAPH.BULK``; the graph must be empty.

        ``partners()`` gives derived ``PARTNERS_WITH`` edges; it is called once
        the rows are sent, so that the server stores them meanwhile.

        All or nothing, even if this process or the server dies midway: the
        graph is built under a staging name (with the schema), the rows are
        streamed as binary tokens (the next token is encoded while the server
        stores the previous one), the node ids the edges were encoded with
        are checked, and only then is the staging graph renamed into place,
        in one transaction that fails (:class:`StoreChanged`) if another
        writer put data in the graph meanwhile. On any failure the staging
        graph is dropped, or, if the server is gone, by the next import or
        opening of the store once this process has ended. Returns the number
        of rows written, the partnerships not counted; ``progress(done,
        total)`` is called after each token, and counts the partnerships
        once derived.
        """
        if not self.is_empty():
            raise StoreError("a bulk import needs an empty graph")
        total = sum(map(len, nodes.values())) + sum(map(len, rels.values()))
        self.drop_abandoned_imports()
        staging = FalkorStore(self._client, self.location, graph=_staging_name())
        try:
            with self._bulk_session():
                staging._recreate_empty()
                staging.ensure_schema()
                encoder = Encoder()
                written = staging._send_tokens(encoder, nodes, rels, partners, total, progress)
                staging._check_ids(encoder, nodes)
                self._replace_with(staging)
        except BaseException:
            with suppress(PartnergraphError):  # the server may be gone with it
                staging._drop()
            raise
        return written

    def _replace_with(self, staging: FalkorStore) -> None:
        """Rename ``staging`` to this graph's name, in one transaction, unless this
        graph gained a node since the import began."""
        with _translate(self.location), self._client.connection.pipeline() as pipe:
            try:
                pipe.watch(self._name)
                if pipe.exists(self._name):
                    counted = pipe.execute_command(
                        "GRAPH.RO_QUERY", self._name, "MATCH (n) RETURN count(n)")
                    if counted[1][0][0]:
                        raise StoreChanged(
                            "another process wrote to the store during the bulk import"
                        )
                pipe.multi()
                pipe.delete(self._name)
                pipe.rename(staging._name, self._name)
                pipe.execute()
            except redis.exceptions.WatchError:
                raise StoreChanged(
                    "another process wrote to the store during the bulk import"
                ) from None

    def _drop(self) -> None:
        with _translate(self.location):
            if self._client.connection.exists(self._name):
                self._client.connection.execute_command("GRAPH.DELETE", self._name)

    def drop_abandoned_imports(self) -> list[str]:
        """Drop the staging graphs of imports whose process on this host has ended
        (the server or the process died midway); returns their names."""
        with _translate(self.location):
            names = self._client.connection.execute_command("GRAPH.LIST")
        host = socket.gethostname()
        dropped = []
        for raw in names:
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            if not name.startswith(STAGING_PREFIX):
                continue
            owner, _, rest = name[len(STAGING_PREFIX):].rpartition(".")[0].rpartition(".")
            if owner != host or not rest.isdigit() or process_alive(int(rest)):
                continue
            FalkorStore(self._client, self.location, graph=name)._drop()
            dropped.append(name)
        return dropped

    def _bulk_session(self) -> AbstractContextManager[None]:
        """What the server should do differently while a bulk import streams in:
        nothing on a server partnergraph does not run (its settings are its
        owner's)."""
        return nullcontext()

    def _recreate_empty(self) -> None:
        with _translate(self.location):
            connection = self._client.connection
            if connection.exists(self._name):
                connection.execute_command("GRAPH.DELETE", self._name)
            connection.execute_command("GRAPH.BULK", self._name, "BEGIN", 0, 0, 0, 0)

    def _bulk(self, node_count: int, edge_count: int, token: bytes) -> None:
        with _translate(self.location):
            self._client.connection.execute_command(
                "GRAPH.BULK", self._name, node_count, edge_count,
                1 if node_count else 0, 1 if edge_count else 0, token,
            )

    def _send_tokens(
        self,
        encoder: Encoder,
        nodes: Mapping[Label, Sequence[Row]],
        rels: Mapping[tuple[RelType, Label, Label], Sequence[Row]],
        partners: Callable[[], Partnerships] | None,
        total: int,
        progress: Callable[[int, int], None] | None,
    ) -> int:
        """Encode and send every token; returns the rows written, partnerships not counted.

        Every node gets its internal id first. For a large import a forked
        child then derives the partnerships and encodes them while this
        process encodes the nodes and relationships; they are sent last, and
        the server stores each token while the next one is encoded.
        """
        for label, rows in nodes.items():
            encoder.plan(label.value, rows)

        def own() -> Iterator[Frame]:
            for label, rows in nodes.items():
                keys = LIST_PROPERTIES.get(label, ())
                for count, token in encoder.node_tokens(label.value, rows, keys):
                    yield count, 0, count, token
            for key, rows in rels.items():
                yield from _edge_frames(encoder, key, rows)

        def derived_partners(grow: Callable[[int], None]) -> Iterator[Frame]:
            if partners is None:
                return
            found = partners()
            grow(len(found))
            for count, token in partner_tokens(
                encoder, RelType.PARTNERS_WITH.value, Label.AGENCY.value, found
            ):
                yield 0, count, count, token

        written = 0
        derived = 0
        pending: deque[tuple[Future[None] | None, int]] = deque()

        def grow(count: int) -> None:
            nonlocal total, derived
            total += count
            derived += count

        def settle(keep: int) -> None:
            nonlocal written
            while len(pending) > keep:
                future, count = pending.popleft()
                if future is not None:
                    future.result()
                written += count
                if progress:
                    progress(written, total)

        # forked before the sending thread starts, and closed (killed if need
        # be) on every way out
        helper = forked.start(derived_partners, fork=forked.CAN_FORK and total >= FORK_ROWS)
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="falkordb-bulk") as pool:
                try:
                    for node_count, edge_count, handled, token in chain(
                        own(), helper.frames(grow)
                    ):
                        future = (
                            pool.submit(self._bulk, node_count, edge_count, token)
                            if token else None
                        )
                        pending.append((future, handled))
                        settle(1)
                    settle(0)
                except Unencodable as exc:
                    raise InvalidInput(f"cannot bulk-import a value: {exc}") from exc
                finally:
                    for future, _ in pending:
                        if future is not None:
                            future.cancel()
        finally:
            helper.close()
        return written - derived

    def _check_ids(self, encoder: Encoder, nodes: Mapping[Label, Sequence[Row]]) -> None:
        """The first and last node of every label have the internal ids edges assumed."""
        for label, rows in nodes.items():
            for row in (rows[0], rows[-1]) if rows else ():
                expected = encoder.ids[label.value][row["id"]]
                found = self.read(
                    f"MATCH (n:{label.value} {{id: $id}}) RETURN id(n) AS internal",
                    {"id": row["id"]},
                )
                if [r["internal"] for r in found] != [expected]:
                    raise StoreError(
                        f"bulk import stored {label.value} {row['id']!r} as "
                        f"{found!r}, not at internal id {expected}; "
                        "was another process writing to the store?"
                    )

    def _existing_indexes(self) -> set[tuple[str, str]]:
        rows = self.read("CALL db.indexes() YIELD label, properties RETURN label, properties")
        return {(str(row["label"]), str(prop)) for row in rows for prop in row["properties"]}

    def close(self) -> None:
        with _translate(self.location):
            self._client.connection.close()
