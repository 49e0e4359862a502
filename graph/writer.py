"""Idempotent batched writes of node and relationship records.

Nodes are merged on ``(label, id)`` and relationships on ``(start, type,
end)``; ``sources`` and ``evidence`` (and the label's list properties) grow as
sets, so loading the same document twice changes nothing and a second document
repeating a fact adds its source to the existing fact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from graph.model import LIST_PROPERTIES, Label, NodeRecord, RelRecord, RelType
from graph.store import BulkImporter, GraphStore

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


def partner_rows(
    participation: Iterable[Mapping[str, Any]], operations: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The ``PARTNERS_WITH`` rows :data:`REBUILD_PARTNERS` derives, computed from rows.

    ``participation`` are the grouped ``(Agency)-[:PARTICIPATED_IN]->(Operation)``
    rows and ``operations`` the grouped ``Operation`` rows of a graph that
    holds nothing else: one row per agency pair (smaller id first) with the
    same properties as the Cypher rebuild, lists sorted.
    """
    years = {row["id"]: row["props"].get("year") for row in operations}
    members: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for row in participation:
        if row["end"] in years:
            members[row["end"]].append((row["start"], row["sources"]))
    pairs: dict[tuple[str, str], tuple[list[str], set[str]]] = {}
    by_agency = itemgetter(0)
    for op_id, group in members.items():
        if len(group) < 2:
            continue
        group.sort(key=by_agency)
        for index, (a, a_sources) in enumerate(group):
            for b, b_sources in group[index + 1 :]:
                entry = pairs.get((a, b))
                if entry is None:
                    entry = pairs[(a, b)] = ([], set())
                entry[0].append(op_id)
                entry[1].update(a_sources)
                entry[1].update(b_sources)
    rows = []
    for (a, b), (op_ids, sources) in pairs.items():
        known = [year for op_id in op_ids if (year := years[op_id]) is not None]
        rows.append({
            "start": a,
            "end": b,
            "props": {
                "weight": len(op_ids),
                "operations": sorted(op_ids),
                "sources": sorted(sources),
                "first_year": min(known) if known else None,
                "last_year": max(known) if known else None,
                "derived": True,
            },
        })
    return rows


def import_records(
    store: GraphStore,
    nodes: Iterable[NodeRecord],
    rels: Iterable[RelRecord],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int | None:
    """Bulk-create records and their ``PARTNERS_WITH`` edges in an empty store.

    Returns ``None`` (and writes nothing) when the store has no bulk import
    or already holds data; callers then use :func:`write_records` and
    :func:`rebuild_partners`. Otherwise returns the number of record rows
    written, as :func:`write_records` would.
    """
    if not isinstance(store, BulkImporter) or not store.is_empty():
        return None
    grouped_nodes = node_rows(nodes)
    grouped_rels = rel_rows(rels)
    agencies = {row["id"] for row in grouped_nodes.get(Label.AGENCY, ())}
    participation = [
        row
        for row in grouped_rels.get((RelType.PARTICIPATED_IN, Label.AGENCY, Label.OPERATION), ())
        if row["start"] in agencies
    ]
    partners = partner_rows(participation, grouped_nodes.get(Label.OPERATION, ()))
    if partners:
        grouped_rels[(RelType.PARTNERS_WITH, Label.AGENCY, Label.AGENCY)] = partners
    written = store.import_graph(grouped_nodes, grouped_rels, progress=progress)
    return written - len(partners)


def rebuild_partners(store: GraphStore) -> None:
    """Recompute the derived ``PARTNERS_WITH`` edges from shared operations."""
    store.write(REBUILD_PARTNERS)
