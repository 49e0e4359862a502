"""Counts of what the store holds, for /health and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from graph.store import GraphStore

NODE_COUNTS = "MATCH (n) RETURN labels(n)[0] AS label, count(n) AS count"
REL_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS count"


@dataclass(frozen=True, slots=True)
class Counts:
    nodes: int
    relationships: int
    labels: dict[str, int]
    types: dict[str, int]


def counts(store: GraphStore) -> Counts:
    """Node and relationship counts, in total and per label / type."""
    labels = {str(r["label"]): int(r["count"]) for r in store.read(NODE_COUNTS)}
    types = {str(r["type"]): int(r["count"]) for r in store.read(REL_COUNTS)}
    return Counts(sum(labels.values()), sum(types.values()), labels, types)
