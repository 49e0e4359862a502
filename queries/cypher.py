"""Read-only Cypher from users, with parameters, a row cap and a timeout."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.errors import InvalidInput
from graph.store import GraphStore

MAX_QUERY_LENGTH = 100_000
MAX_ROWS = 10_000
MAX_TIMEOUT = 60.0


@dataclass(slots=True)
class CypherResult:
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


def run_cypher(
    store: GraphStore, query: str, parameters: Mapping[str, Any] | None = None, *,
    limit: int = 1000, timeout: float = 10.0,
) -> CypherResult:
    """Run ``query`` in a read-only transaction and return at most ``limit`` rows.

    Writes are refused by the store (``QueryError``), as are syntax errors.
    Raises ``InvalidInput`` for an empty or oversized query or a limit or
    timeout out of range.
    """
    if not query.strip():
        raise InvalidInput("the query is empty", field="query")
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"the query is {len(query)} characters long, more than {MAX_QUERY_LENGTH}",
            field="query",
        )
    if not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(f"limit must be between 1 and {MAX_ROWS}, not {limit}", field="limit")
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise InvalidInput(f"timeout must be above 0 and at most {MAX_TIMEOUT} s, not {timeout}",
                           field="timeout")
    rows = store.read(query, dict(parameters or {}), timeout=timeout)
    columns = list(rows[0]) if rows else []
    return CypherResult(columns, rows[:limit], len(rows) > limit)
