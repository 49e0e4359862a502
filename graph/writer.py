"""Idempotent batched writes of node and relationship records.

Nodes are merged on ``(label, id)`` and relationships on ``(start, type,
end)``; ``sources`` and ``evidence`` (and the label's list properties) grow as
sets, so loading the same document twice changes nothing and a second document
repeating a fact adds its source to the existing fact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from graph.model import LIST_PROPERTIES, Label, NodeRecord, RelRecord, RelType
from graph.store import GraphStore

DEFAULT_BATCH_SIZE = 5000


def _append_set(var: str, prop: str, value: str) -> str:
    """Cypher expression: ``var.prop`` with the items of list ``value`` added once."""
    return (
        f"{var}.{prop} = coalesce({var}.{prop}, []) + "
        f"[x IN {value} WHERE NOT x IN coalesce({var}.{prop}, [])]"
    )




def _provenance(var: str) -> str:
    return ", ".join(
        (_append_set(var, "sources", "row.sources"), _append_set(var, "evidence", "row.evidence"))
    )


@cache
def merge_nodes_query(label: Label) -> str:
    """``UNWIND $rows`` MERGE of ``label`` nodes (rows: id, props, sources, evidence, lists)."""
    lists = "".join(
        f", {_append_set('n', prop, f'coalesce(row.lists.{prop}, [])')}"
        for prop in LIST_PROPERTIES.get(label, ())
    )
    return (
        "UNWIND $rows AS row "
        f"MERGE (n:{label.value} {{id: row.id}}) "
        "SET n += row.props "
        f"SET {_provenance('n')}{lists}"
    )


@cache
def merge_rels_query(rel: RelType, start: Label, end: Label) -> str:
    """``UNWIND $rows`` MERGE of ``(start)-[rel]->(end)`` (rows: start, end, props, ...)."""
    return (
        "UNWIND $rows AS row "
        f"MATCH (a:{start.value} {{id: row.start}}) "
        f"MATCH (b:{end.value} {{id: row.end}}) "
        f"MERGE (a)-[r:{rel.value}]->(b) "
        "SET r += row.props "
        f"SET {_provenance('r')}"
    )


# Two agencies are partners when they took part in the same operation. The
# edge is stored once, from the smaller id to the larger, and carries the
# shared operations, their count, the first and last year among them and the
# union of the participation sources. One statement (one transaction) removes
# the old edges and creates the new ones, so readers never see a graph
# without partners.
REBUILD_PARTNERS = (
    f"OPTIONAL MATCH (:{Label.AGENCY})-[old:{RelType.PARTNERS_WITH}]->(:{Label.AGENCY}) "
    "DELETE old "
    "WITH count(*) AS removed "
    f"MATCH (a:{Label.AGENCY})-[ra:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION})"
    f"<-[rb:{RelType.PARTICIPATED_IN}]-(b:{Label.AGENCY}) "
    "WHERE a.id < b.id "
    "WITH a, b, o, coalesce(ra.sources, []) + coalesce(rb.sources, []) AS both "
    # An empty list would drop the pair: unwind a null instead (collect skips it).
    "UNWIND CASE WHEN size(both) = 0 THEN [null] ELSE both END AS source "
    "WITH a, b, collect(DISTINCT o.id) AS operations, collect(DISTINCT source) AS sources, "
    "min(o.year) AS first_year, max(o.year) AS last_year "
    f"CREATE (a)-[:{RelType.PARTNERS_WITH} {{weight: size(operations), "
    "operations: operations, sources: sources, first_year: first_year, last_year: last_year, "
    "derived: true}]->(b)"
)


def node_rows(records: Iterable[NodeRecord]) -> dict[Label, list[dict[str, Any]]]:
    """Group node records per label, one row per id (props and provenance combined).

    A node keeps one evidence reference per source (the first row of that
    document that names it): hub nodes are named by thousands of rows, and the
    rows themselves are the evidence of the relationships.
    """
    grouped: dict[Label, dict[str, dict[str, Any]]] = defaultdict(dict)
    for rec in records:
        rows = grouped[rec.label]
        row = rows.get(rec.id)
        props = {k: v for k, v in rec.props.items() if v is not None}
        if row is None:
            rows[rec.id] = {
                "id": rec.id,
                "props": props,
                "sources": {rec.source: rec.evidence},
                "lists": {k: dict.fromkeys(v) for k, v in rec.lists.items()},
            }
            continue
        row["props"].update(props)
        row["sources"].setdefault(rec.source, rec.evidence)
        for key, values in rec.lists.items():
            row["lists"].setdefault(key, {}).update(dict.fromkeys(values))
    return {
        label: [
            {
                "id": row["id"],
                "props": row["props"],
                "sources": list(row["sources"]),
                "evidence": list(row["sources"].values()),
                "lists": {k: list(v) for k, v in row["lists"].items()},
            }
            for row in rows.values()
        ]
        for label, rows in grouped.items()
    }


def rel_rows(
    records: Iterable[RelRecord],
) -> dict[tuple[RelType, Label, Label], list[dict[str, Any]]]:
    """Group relationship records per (type, start label, end label), one row per pair."""
    grouped: dict[tuple[RelType, Label, Label], dict[tuple[str, str], dict[str, Any]]] = (
        defaultdict(dict)
    )
    for rec in records:
        rows = grouped[(rec.type, rec.start_label, rec.end_label)]
        key = (rec.start_id, rec.end_id)
        row = rows.get(key)
        props = {k: v for k, v in rec.props.items() if v is not None}
        if row is None:
            rows[key] = {
                "start": rec.start_id,
                "end": rec.end_id,
                "props": props,
                "sources": {rec.source: None},
                "evidence": {rec.evidence: None},
            }
            continue
        row["props"].update(props)
        row["sources"][rec.source] = None
        row["evidence"][rec.evidence] = None
    return {
        key: [
            {**row, "sources": list(row["sources"]), "evidence": list(row["evidence"])}
            for row in rows.values()
        ]
        for key, rows in grouped.items()
    }


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def write_records(
    store: GraphStore,
    nodes: Iterable[NodeRecord],
    rels: Iterable[RelRecord],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write nodes, then relationships, in batches of ``batch_size`` rows.

    Each batch is one transaction. Returns the number of rows written;
    ``progress(done, total)`` is called after each batch.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    work = [(merge_nodes_query(label), rows) for label, rows in node_rows(nodes).items()]
    work += [
        (merge_rels_query(rel, start, end), rows)
        for (rel, start, end), rows in rel_rows(rels).items()
    ]
    total = sum(len(rows) for _, rows in work)
    written = 0
    for query, rows in work:
        for chunk in _chunks(rows, batch_size):
            store.write_batch(query, chunk)
            written += len(chunk)
            if progress:
                progress(written, total)
    return written


def rebuild_partners(store: GraphStore) -> None:
    """Recompute the derived ``PARTNERS_WITH`` edges from shared operations."""
    store.write(REBUILD_PARTNERS)
