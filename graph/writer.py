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
from typing import Any

from graph.model import LIST_PROPERTIES, Label, NodeRecord, RelRecord, RelType
from graph.partners import Partnerships, derive_partners
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


NodeKey = tuple[Label, str]
RelKey = tuple[RelType, Label, Label]

# Past this many evidence references a relationship also keeps them in a set,
# so that a fact asserted by thousands of rows is still merged in linear time.
_EVIDENCE_SCAN = 16


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` without its ``None`` values (``props`` itself when it has none)."""
    if None in props.values():
        return {k: v for k, v in props.items() if v is not None}
    return props


class Grouped:
    """Node and relationship rows merged per key as facts arrive, ready to write.

    Nodes are keyed by ``(label, id)``: properties are updated (last value
    wins, ``None`` ignored), the list properties grow as ordered sets, and a
    node keeps one evidence reference per source (the first row of that
    document that names it): hub nodes are named by thousands of rows, and
    the rows themselves are the evidence of the relationships. Relationships
    are keyed by ``(type, start label, end label)`` and ``(start, end)`` and
    keep every source and evidence reference once.

    The rows are the writer's batch rows: nodes ``{id, props, sources,
    evidence, lists}``, relationships ``{start, end, props, sources,
    evidence}``. Values given are not copied (records are immutable), and a
    props dict without ``None`` values becomes a row's props as it is, shared
    with every row given the same dict: props are replaced, never changed in
    place. Lists are copied.
    """

    __slots__ = ("_last", "_nodes", "_rels", "_seen")

    def __init__(self) -> None:
        self._nodes: dict[Label, dict[str, dict[str, Any]]] = defaultdict(dict)
        self._rels: dict[RelKey, dict[tuple[str, str], dict[str, Any]]] = defaultdict(dict)
        # the props and lists a node was last updated with: a repeat is a no-op
        self._last: dict[NodeKey, tuple[dict[str, Any], dict[str, list[str]] | None]] = {}
        self._seen: dict[int, set[str]] = {}

    def node(
        self,
        label: Label,
        node_id: str,
        props: dict[str, Any],
        source: str,
        evidence: str,
        lists: dict[str, list[str]] | None = None,
    ) -> None:
        rows = self._nodes[label]
        row = rows.get(node_id)
        if row is None:
            rows[node_id] = {
                "id": node_id,
                "props": _present(props),
                "sources": [source],
                "evidence": [evidence],
                "lists": {k: list(dict.fromkeys(v)) for k, v in lists.items()} if lists else {},
            }
            self._last[(label, node_id)] = (props, lists)
            return
        if source not in row["sources"]:
            row["sources"].append(source)
            row["evidence"].append(evidence)
        last = self._last[(label, node_id)]
        if (last[0] is props or last[0] == props) and (last[1] is lists or last[1] == lists):
            return
        self._last[(label, node_id)] = (props, lists)
        row["props"] = {**row["props"], **_present(props)}
        if lists:
            merged = row["lists"]
            for key, values in lists.items():
                known = merged.setdefault(key, [])
                known.extend(v for v in dict.fromkeys(values) if v not in known)

    def rel(
        self,
        rel: RelType,
        start_label: Label,
        start_id: str,
        end_label: Label,
        end_id: str,
        props: dict[str, Any],
        source: str,
        evidence: str,
    ) -> None:
        self.rels(rel, start_label, end_label, ((start_id, end_id, props, evidence),), source)

    def rels(
        self,
        rel: RelType,
        start_label: Label,
        end_label: Label,
        facts: Iterable[tuple[str, str, dict[str, Any], str]],
        source: str,
    ) -> None:
        """:meth:`rel` for many ``(start id, end id, props, evidence)`` facts of one
        relationship type and source, in order."""
        rows = self._rels[(rel, start_label, end_label)]
        for start_id, end_id, props, evidence in facts:
            key = (start_id, end_id)
            row = rows.get(key)
            if row is None:
                rows[key] = {
                    "start": start_id,
                    "end": end_id,
                    "props": _present(props) if None in props.values() else props,
                    "sources": [source],
                    "evidence": [evidence],
                }
                continue
            if props and row["props"] is not props and not row["props"].items() >= props.items():
                row["props"] = {**row["props"], **_present(props)}
            if source not in row["sources"]:
                row["sources"].append(source)
            known = row["evidence"]
            if len(known) < _EVIDENCE_SCAN:
                if evidence not in known:
                    known.append(evidence)
                continue
            seen = self._seen.get(id(known))
            if seen is None:
                seen = self._seen[id(known)] = set(known)
            if evidence not in seen:
                seen.add(evidence)
                known.append(evidence)

    def add_records(self, nodes: Iterable[NodeRecord], rels: Iterable[RelRecord]) -> Grouped:
        for n in nodes:
            self.node(n.label, n.id, n.props, n.source, n.evidence, n.lists)
        for r in rels:
            self.rel(r.type, r.start_label, r.start_id, r.end_label, r.end_id, r.props,
                     r.source, r.evidence)
        return self

    def update(self, other: Grouped) -> Grouped:
        """Merge the rows of ``other`` in, as if its facts had been given here."""
        for label, rows in other._nodes.items():
            for row in rows.values():
                for source, evidence in zip(row["sources"], row["evidence"], strict=True):
                    self.node(label, row["id"], row["props"], source, evidence, row["lists"])
        for (rel, start_label, end_label), rel_rows in other._rels.items():
            for row in rel_rows.values():
                first = row["evidence"][0]
                for source in row["sources"]:
                    self.rel(rel, start_label, row["start"], end_label, row["end"], row["props"],
                             source, first)
                for evidence in row["evidence"][1:]:
                    self.rel(rel, start_label, row["start"], end_label, row["end"], {},
                             row["sources"][0], evidence)
        return self

    def node_rows(self) -> dict[Label, list[dict[str, Any]]]:
        return {label: list(rows.values()) for label, rows in self._nodes.items() if rows}

    def rel_rows(self) -> dict[RelKey, list[dict[str, Any]]]:
        return {key: list(rows.values()) for key, rows in self._rels.items() if rows}

    def counts(self) -> dict[str, int]:
        """Rows per label and per relationship type."""
        found: dict[str, int] = {}
        for label, node_rows in self._nodes.items():
            if node_rows:
                found[label.value] = found.get(label.value, 0) + len(node_rows)
        for (rel, _, _), rel_rows in self._rels.items():
            if rel_rows:
                found[rel.value] = found.get(rel.value, 0) + len(rel_rows)
        return found


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
    """:func:`write_grouped` for records."""
    grouped = Grouped().add_records(nodes, rels)
    return write_grouped(store, grouped, batch_size=batch_size, progress=progress)


def write_grouped(
    store: GraphStore,
    grouped: Grouped,
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
    work = [(merge_nodes_query(label), rows) for label, rows in grouped.node_rows().items()]
    work += [
        (merge_rels_query(rel, start, end), rows)
        for (rel, start, end), rows in grouped.rel_rows().items()
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


def import_records(
    store: GraphStore,
    nodes: Iterable[NodeRecord],
    rels: Iterable[RelRecord],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int | None:
    """:func:`import_grouped` for records."""
    return import_grouped(store, Grouped().add_records(nodes, rels), progress=progress)


def import_grouped(
    store: GraphStore,
    grouped: Grouped,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> int | None:
    """Bulk-create rows and their ``PARTNERS_WITH`` edges in an empty store.

    Returns ``None`` (and writes nothing) when the store has no bulk import
    or already holds data; callers then use :func:`write_grouped` and
    :func:`rebuild_partners`. Otherwise returns the number of rows written,
    as :func:`write_grouped` would.
    """
    if not isinstance(store, BulkImporter) or not store.is_empty():
        return None
    nodes = grouped.node_rows()
    rels = grouped.rel_rows()
    return store.import_graph(
        nodes, rels, partners=lambda: partners_of(nodes, rels), progress=progress
    )


def partners_of(
    nodes: Mapping[Label, Sequence[dict[str, Any]]],
    rels: Mapping[RelKey, Sequence[dict[str, Any]]],
) -> Partnerships:
    """The ``PARTNERS_WITH`` edges the grouped rows imply, from their participation."""
    return derive_partners(
        rels.get((RelType.PARTICIPATED_IN, Label.AGENCY, Label.OPERATION), []),
        nodes.get(Label.AGENCY, ()), nodes.get(Label.OPERATION, ()),
    )


def rebuild_partners(store: GraphStore) -> None:
    """Recompute the derived ``PARTNERS_WITH`` edges from shared operations."""
    store.write(REBUILD_PARTNERS)
