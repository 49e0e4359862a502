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
from itertools import compress, count, repeat
from typing import Any

import numpy as np

from graph.errors import StoreChanged
from graph.model import LIST_PROPERTIES, Label, NodeRecord, RelColumns, RelRecord, RelType
from graph.partners import Ints, Partnerships, derive_partners
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
# Below this many facts, keys are placed one by one rather than with arrays.
_PLACE_LOOP = 64


def _present(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` without its ``None`` values (``props`` itself when it has none)."""
    if None in props.values():
        return {k: v for k, v in props.items() if v is not None}
    return props


def _present_each(props: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`_present` of each of ``props``, worked out once per distinct dict."""
    distinct = dict(zip(map(id, props), props, strict=True))
    present = {key: _present(given) for key, given in distinct.items()}
    return list(map(present.__getitem__, map(id, props)))


class _RelTable:
    """The relationship rows of one type as columns, and the row of each key."""

    __slots__ = ("_at", "ends", "evidence", "props", "sources", "starts")

    def __init__(self) -> None:
        self._at: dict[tuple[str, str], int] | None = {}
        self.starts: list[str] = []
        self.ends: list[str] = []
        self.props: list[dict[str, Any]] = []
        # tuples until a row gains a second item, then the row's own list
        self.sources: list[Sequence[str]] = []
        self.evidence: list[Sequence[str]] = []

    @property
    def at(self) -> dict[tuple[str, str], int]:
        """The row of each ``(start, end)`` key (made when first needed after :meth:`fill`)."""
        if self._at is None:
            self._at = dict(zip(zip(self.starts, self.ends, strict=True), count()))
        return self._at

    def fill(self, starts: Sequence[str], ends: Sequence[str], props: Sequence[dict[str, Any]],
             evidence: Sequence[str], source: str, codes: Ints) -> None:
        """The rows of facts given to an empty table, grouped with array operations.

        ``codes[i]`` stands for the key of fact ``i``: equal for equal keys,
        different otherwise. The rows are those merging the facts one by one
        gives: in the order their keys first appear, each with the props of
        its facts merged in order and the evidence of every fact once.
        """
        facts = len(codes)
        keys, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        if len(keys) == facts:  # no key repeats: a row per fact, in order
            self.starts, self.ends = list(starts), list(ends)
            self.props = _present_each(props)
            self.sources = [(source,)] * facts
            self.evidence = list(zip(evidence))
            self._at = None
            return
        rank = np.argsort(first, kind="stable")  # keys in the order they first appear
        row_of_key = np.empty(len(keys), dtype=np.int64)
        row_of_key[rank] = np.arange(len(keys))
        row_of_fact = row_of_key[inverse.ravel()]
        firsts = first[rank].tolist()
        self.starts = list(map(starts.__getitem__, firsts))
        self.ends = list(map(ends.__getitem__, firsts))
        self.props = _present_each(list(map(props.__getitem__, firsts)))
        self.sources = [(source,)] * len(firsts)
        # each row's facts in order: a stable sort by row
        by_row = np.argsort(row_of_fact, kind="stable")
        bounds = np.concatenate(([0], np.cumsum(np.bincount(row_of_fact))))
        ordered = list(map(evidence.__getitem__, by_row.tolist()))
        # a row of one fact keeps its evidence in a tuple
        self.evidence = list(zip(map(evidence.__getitem__, firsts)))
        edges = bounds.tolist()
        for row in np.flatnonzero(np.diff(bounds) > 1).tolist():
            self.evidence[row] = list(dict.fromkeys(ordered[edges[row]:edges[row + 1]]))
        # props: rows whose facts do not all share the first one's props are
        # merged fact by fact
        ids = np.fromiter(map(id, props), dtype=np.uint64, count=facts)
        differs = np.unique(row_of_fact[ids != ids[first[inverse.ravel()]]])
        if len(differs):
            replay = np.isin(row_of_fact[by_row], differs)
            for fact in by_row[replay].tolist():
                row = int(row_of_fact[fact])
                if fact == firsts[row]:
                    continue
                given, known = props[fact], self.props[row]
                if given and known is not given and not known.items() >= given.items():
                    self.props[row] = {**known, **_present(given)}
        self._at = None

    def place(self, keys: list[tuple[str, str]]) -> tuple[list[bool] | None, list[tuple[int, int]]]:
        """Give each new key of ``keys`` the next row, in order.

        Returns which keys made a new row (``None`` when all did) and, for the
        others, ``(index in keys, row)`` in order: keys already known, and
        repeats within ``keys``.
        """
        at = self.at
        base = len(at)
        if len(keys) < _PLACE_LOOP:
            fresh: list[bool] = []
            repeats: list[tuple[int, int]] = []
            for index, key in enumerate(keys):
                row = at.get(key)
                if row is None:
                    at[key] = len(at)
                    fresh.append(True)
                else:
                    repeats.append((index, row))
                    fresh.append(False)
            return (None if not repeats else fresh), repeats
        # setdefault gives a new key the row base + its index: rows with gaps
        # when keys repeat, renumbered below
        placed = np.fromiter(map(at.setdefault, keys, count(base)), np.int64, len(keys))
        is_new = placed == np.arange(base, base + len(keys))
        added = int(is_new.sum())
        if added == len(keys):
            return None, []
        rows = np.cumsum(is_new) - 1 + base  # the row of a new key, at its index
        renumbered = np.where(placed >= base, rows[np.maximum(placed - base, 0)], placed)
        fresh_list = is_new.tolist()
        at.update(zip(compress(keys, fresh_list), range(base, base + added), strict=True))
        repeat_at = np.flatnonzero(~is_new)
        rows_at = renumbered[repeat_at].tolist()
        return fresh_list, list(zip(repeat_at.tolist(), rows_at, strict=True))


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
    evidence}``; relationships are held as columns (:meth:`rel_columns_by_key`)
    and made into dict rows only by :meth:`rel_rows`. Values given are not
    copied (records are immutable), and a props dict without ``None`` values
    becomes a row's props as it is, shared with every row given the same
    dict: props are replaced, never changed in place. Lists are copied.
    """

    __slots__ = ("_last", "_nodes", "_rels", "_seen")

    def __init__(self) -> None:
        self._nodes: dict[Label, dict[str, dict[str, Any]]] = defaultdict(dict)
        self._rels: dict[RelKey, _RelTable] = defaultdict(_RelTable)
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
        columns = list(zip(*facts, strict=True))
        if columns:
            self.rel_columns(rel, start_label, end_label, *columns, source=source)

    def rel_columns(
        self,
        rel: RelType,
        start_label: Label,
        end_label: Label,
        starts: Sequence[str],
        ends: Sequence[str],
        props: Sequence[dict[str, Any]],
        evidence: Sequence[str],
        *,
        source: str,
        codes: Ints | None = None,
    ) -> None:
        """:meth:`rels` for facts given as columns: fact ``i`` is ``(starts[i],
        ends[i], props[i], evidence[i])``.

        The rows of new keys are appended a column at a time; only the facts
        that repeat a key are merged one by one, in order, which gives what
        merging every fact in turn gives. ``codes`` (an integer per fact,
        equal exactly when the facts' ``(start, end)`` keys are) lets the
        first facts of a type be grouped without hashing a key per fact.
        """
        size = len(starts)
        if not (len(ends) == len(props) == len(evidence) == size):
            raise ValueError("relationship fact columns of different lengths")
        if not size:
            return
        table = self._rels[(rel, start_label, end_label)]
        if codes is not None and not table.starts:
            if len(codes) != size:
                raise ValueError("a key code for each relationship fact is needed")
            table.fill(starts, ends, props, evidence, source, codes)
            return
        fresh, repeats = table.place(list(zip(starts, ends, strict=True)))
        new_starts, new_ends, new_props, new_evidence = starts, ends, props, evidence
        if fresh is not None:  # some facts repeat a key
            new_starts, new_ends = list(compress(starts, fresh)), list(compress(ends, fresh))
            new_props = list(compress(props, fresh))
            new_evidence = list(compress(evidence, fresh))
        table.starts.extend(new_starts)
        table.ends.extend(new_ends)
        table.props.extend(_present_each(new_props))
        table.sources.extend(repeat((source,), len(new_starts)))
        table.evidence.extend(zip(new_evidence))
        if repeats:
            self._merge_rels(table, repeats, props, evidence, source)

    def _merge_rels(self, table: _RelTable, repeats: list[tuple[int, int]],
                    props: Sequence[dict[str, Any]], evidence: Sequence[str],
                    source: str) -> None:
        """Merge fact ``i`` into row ``r`` for each ``(i, r)`` of ``repeats``, in order."""
        all_props, all_sources, all_evidence = table.props, table.sources, table.evidence
        for fact, row in repeats:
            given = props[fact]
            if given:
                known_props = all_props[row]
                if known_props is not given and not known_props.items() >= given.items():
                    all_props[row] = {**known_props, **_present(given)}
            sources = all_sources[row]
            if source not in sources:
                all_sources[row] = (*sources, source)
            item = evidence[fact]
            known = all_evidence[row]
            if type(known) is not list:  # a row's first item is a tuple
                if item not in known:
                    all_evidence[row] = [*known, item]
            elif len(known) < _EVIDENCE_SCAN:
                if item not in known:
                    known.append(item)
            else:
                seen = self._seen.get(id(known))
                if seen is None:
                    seen = self._seen[id(known)] = set(known)
                if item not in seen:
                    seen.add(item)
                    known.append(item)

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
        for (rel, start_label, end_label), table in other._rels.items():
            for start, end, props, sources, evidence in zip(
                table.starts, table.ends, table.props, table.sources, table.evidence, strict=True
            ):
                for source in sources:
                    self.rel(rel, start_label, start, end_label, end, props, source, evidence[0])
                for later in evidence[1:]:
                    self.rel(rel, start_label, start, end_label, end, {}, sources[0], later)
        return self

    def node_rows(self) -> dict[Label, list[dict[str, Any]]]:
        return {label: list(rows.values()) for label, rows in self._nodes.items() if rows}

    def rel_rows(self) -> dict[RelKey, list[dict[str, Any]]]:
        return {key: list(columns) for key, columns in self.rel_columns_by_key().items()}

    def rel_columns_by_key(self) -> dict[RelKey, RelColumns]:
        """The relationship rows as columns, sharing this grouping's lists."""
        return {
            key: RelColumns(table.starts, table.ends, table.props, table.sources, table.evidence)
            for key, table in self._rels.items() if table.starts
        }

    def counts(self) -> dict[str, int]:
        """Rows per label and per relationship type."""
        found: dict[str, int] = {}
        for label, node_rows in self._nodes.items():
            if node_rows:
                found[label.value] = found.get(label.value, 0) + len(node_rows)
        for (rel, _, _), table in self._rels.items():
            if table.starts:
                found[rel.value] = found.get(rel.value, 0) + len(table.starts)
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
    or holds data, before the import or by the time it is complete (another
    writer); callers then use :func:`write_grouped` and
    :func:`rebuild_partners`. Otherwise returns the number of rows written,
    as :func:`write_grouped` would.
    """
    if not isinstance(store, BulkImporter) or not store.is_empty():
        return None
    nodes = grouped.node_rows()
    rels = grouped.rel_columns_by_key()
    try:
        return store.import_graph(
            nodes, rels, partners=lambda: partners_of(nodes, rels), progress=progress
        )
    except StoreChanged:  # another writer got there first; nothing was imported
        return None


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
