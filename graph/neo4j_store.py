"""Neo4j adapter: the official driver with managed transactions.

``execute_read`` / ``execute_write`` retry transient failures and route reads
and writes in a cluster or on Aura (``neo4j+s://``). Credentials come from the
URL or from ``NEO4J_USERNAME`` / ``NEO4J_PASSWORD``; ``NEO4J_DATABASE`` picks
the database (default: the server's default). Every driver exception is
translated here, in :func:`_translate`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
import neo4j.exceptions as nx

from graph.errors import InvalidInput, QueryError, StoreError, StoreUnavailable
from graph.model import Label
from graph.store import INDEXED_PROPERTIES, UNIQUE_KEY, Row


@contextmanager
def _translate(location: str) -> Iterator[None]:
    """The one boundary where neo4j driver errors become partnergraph errors."""
    try:
        yield
    except (nx.ServiceUnavailable, nx.SessionExpired, nx.AuthError, OSError) as exc:
        raise StoreUnavailable(f"Neo4j at {location} is unavailable: {exc}") from exc
    except nx.ClientError as exc:  # syntax, semantics, constraint, forbidden write...
        raise QueryError(exc.message or str(exc)) from exc
    except (nx.Neo4jError, nx.DriverError) as exc:
        raise StoreError(f"Neo4j at {location} failed: {exc}") from exc


def _schema_statements() -> list[str]:
    statements = [
        f"CREATE CONSTRAINT {label.value.lower()}_{UNIQUE_KEY} IF NOT EXISTS "
        f"FOR (n:{label.value}) REQUIRE n.{UNIQUE_KEY} IS UNIQUE"
        for label in Label
    ]
    statements += [
        f"CREATE INDEX {label.value.lower()}_{prop} IF NOT EXISTS "
        f"FOR (n:{label.value}) ON (n.{prop})"
        for label, prop in INDEXED_PROPERTIES
    ]
    return statements


class Neo4jStore:
    """A :class:`graph.store.GraphStore` on Neo4j 5 (single server, cluster or Aura)."""

    kind = "neo4j"

    def __init__(self, driver: neo4j.Driver, location: str, database: str | None) -> None:
        self._driver = driver
        self._database = database
        self.location = location

    @classmethod
    def connect(cls, url: str) -> Neo4jStore:
        """Connect and verify connectivity; raises StoreUnavailable if Neo4j does not answer."""
        parts = urlsplit(url)
        if not parts.hostname:
            raise InvalidInput(f"no host in Neo4j URL {url!r}", field="db")
        user = (
            unquote(parts.username) if parts.username else os.environ.get("NEO4J_USERNAME", "neo4j")
        )
        password = (
            unquote(parts.password) if parts.password else os.environ.get("NEO4J_PASSWORD", "")
        )
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        clean = urlunsplit((parts.scheme, netloc, "", "", ""))
        database = parts.path.strip("/") or os.environ.get("NEO4J_DATABASE") or None
        with _translate(clean):
            driver = neo4j.GraphDatabase.driver(clean, auth=(user, password))
            try:
                driver.verify_connectivity()
            except BaseException:
                driver.close()
                raise
        return cls(driver, clean, database)

    def read(
        self, query: str, params: Mapping[str, Any] | None = None, *, timeout: float | None = None
    ) -> list[Row]:
        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [record.data() for record in tx.run(query, dict(params or {}))]

        with _translate(self.location), self._driver.session(database=self._database) as session:
            return session.execute_read(work)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> None:
        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run(query, dict(params or {})).consume()

        with _translate(self.location), self._driver.session(database=self._database) as session:
            session.execute_write(work)

    def write_batch(self, query: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.write(query, {"rows": list(rows)})

    def ensure_schema(self) -> None:
        for statement in _schema_statements():
            with _translate(self.location), self._driver.session(database=self._database) as s:
                s.run(statement).consume()

    def close(self) -> None:
        with _translate(self.location):
            self._driver.close()
