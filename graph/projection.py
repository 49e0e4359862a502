"""networkx views of the store, cached per data version: paths and graph metrics.

Two views are built from the store on first use and rebuilt when the data
version changes (a load adds or changes sources, nodes or relationships):

- the agency projection: one node per agency, one edge per pair of agencies
  that took part in the same operation, weighted by the number of shared
  operations and carrying their ids;
- the typed graph: every node (keyed ``"Label:id"``) and relationship of the
  store, for exports and whole-network views.

The algorithms here (bidirectional all-shortest-paths, betweenness,
seeded Louvain, Adamic-Adar) run on those views, never as engine-specific
Cypher, so both engines give the same answers. :class:`Projections` is safe
to share between threads: readers get an immutable snapshot, and one thread
rebuilds while the others wait for it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx

from graph.model import Label, RelType
from graph.store import GraphStore

SOURCE_VERSION = (
    f"MATCH (s:{Label.SOURCE}) RETURN count(s) AS sources, max(s.loaded_at) AS loaded_at"
)
NODE_TOTAL = "MATCH (n) RETURN count(n) AS count"
REL_TOTAL = "MATCH ()-[r]->() RETURN count(r) AS count"

PROJECTION_AGENCIES = (
    f"MATCH (a:{Label.AGENCY}) RETURN a.id AS id, a.name AS name, a.acronym AS acronym, "
    "a.country AS country"
)
PROJECTION_OPERATIONS = (
    f"MATCH (o:{Label.OPERATION}) RETURN o.id AS id, o.name AS name, o.year AS year"
)
PROJECTION_PARTICIPATION = (
    f"MATCH (a:{Label.AGENCY})-[:{RelType.PARTICIPATED_IN}]->(o:{Label.OPERATION}) "
    "RETURN a.id AS agency, o.id AS operation"
)
TYPED_NODES = "MATCH (n) RETURN labels(n)[0] AS label, properties(n) AS props"
TYPED_RELATIONSHIPS = (
    "MATCH (a)-[r]->(b) RETURN labels(a)[0] AS start_label, a.id AS start, type(r) AS type, "
    "labels(b)[0] AS end_label, b.id AS end, properties(r) AS props"
)

# Exact betweenness up to this many agencies. Above, the KADABRA estimate
# (adaptive sampling of shortest paths): every score is within BROKER_ERROR of
# the exact one with probability BROKER_CONFIDENCE. Both run in networkit (C++).
BROKER_EXACT_MAX = 1000
BROKER_ERROR = 0.005
BROKER_CONFIDENCE = 0.9
SEED = 7
# Reads that pull a whole view out of the store may take a while at 1M rows.
BUILD_TIMEOUT = 600.0

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DataVersion:
    """What the store holds, cheaply: sources, last load time and totals."""

    sources: int
    loaded_at: str | None
    nodes: int
    relationships: int

    @property
    def tag(self) -> str:
        """A short, stable name of this version (12 hex digits)."""
        text = f"{self.sources}|{self.loaded_at}|{self.nodes}|{self.relationships}"
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def data_version(store: GraphStore) -> DataVersion:
    """The store's current data version; changes whenever a load changes the data."""
    source = store.read(SOURCE_VERSION)
    nodes = store.read(NODE_TOTAL)
    rels = store.read(REL_TOTAL)
    return DataVersion(
        sources=int(source[0]["sources"]) if source else 0,
        loaded_at=source[0]["loaded_at"] if source else None,
        nodes=int(nodes[0]["count"]) if nodes else 0,
        relationships=int(rels[0]["count"]) if rels else 0,
    )


@dataclass(slots=True)
class AgencyProjection:
    """Agencies linked by shared operations (edge ``weight`` and ``operations`` ids)."""

    version: DataVersion
    graph: nx.Graph[str]
    operations: dict[str, dict[str, Any]]
    memo: dict[Any, Any] = field(default_factory=dict)

    def name(self, agency_id: str) -> str:
        return str(self.graph.nodes[agency_id]["name"])


def build_agency_projection(store: GraphStore, version: DataVersion) -> AgencyProjection:
    """The agency projection of what ``store`` holds now."""
    graph: nx.Graph[str] = nx.Graph()
    for row in store.read(PROJECTION_AGENCIES, timeout=BUILD_TIMEOUT):
        graph.add_node(row["id"], name=row["name"], acronym=row["acronym"],
                       country=row["country"])
    operations = {
        row["id"]: {"id": row["id"], "name": row["name"], "year": row["year"]}
        for row in store.read(PROJECTION_OPERATIONS, timeout=BUILD_TIMEOUT)
    }
    members: dict[str, list[str]] = defaultdict(list)
    for row in store.read(PROJECTION_PARTICIPATION, timeout=BUILD_TIMEOUT):
        members[row["operation"]].append(row["agency"])
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for op_id in sorted(members):
        agencies = sorted(set(members[op_id]))
        for i, a in enumerate(agencies):
            for b in agencies[i + 1:]:
                shared[(a, b)].append(op_id)
    graph.add_edges_from(
        (a, b, {"weight": len(ops), "operations": ops}) for (a, b), ops in shared.items()
    )
    return AgencyProjection(version, graph, operations)


def build_typed_graph(store: GraphStore) -> nx.MultiDiGraph[str]:
    """Every node (key ``"Label:id"``; attributes: label and properties) and relationship
    (key: its type; attributes: type and properties)."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for row in store.read(TYPED_NODES, timeout=BUILD_TIMEOUT):
        props = dict(row["props"] or {})
        props.setdefault("name", props.get("id"))
        graph.add_node(f"{row['label']}:{props.get('id')}", **props, label=row["label"])
    for row in store.read(TYPED_RELATIONSHIPS, timeout=BUILD_TIMEOUT):
        graph.add_edge(f"{row['start_label']}:{row['start']}", f"{row['end_label']}:{row['end']}",
                       key=row["type"], type=row["type"], **dict(row["props"] or {}))
    return graph


class Projections:
    """The store's views, rebuilt when its data version changes; thread-safe."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._agencies: AgencyProjection | None = None
        self._typed: tuple[DataVersion, nx.MultiDiGraph[str]] | None = None

    @property
    def store(self) -> GraphStore:
        return self._store

    def agencies(self) -> AgencyProjection:
        """The agency projection of the store's current data."""
        version = data_version(self._store)
        current = self._agencies
        if current is not None and current.version == version:
            return current
        with self._lock:
            current = self._agencies
            if current is None or current.version != version:
                current = build_agency_projection(self._store, version)
                self._agencies = current
            return current

    def typed(self) -> tuple[DataVersion, nx.MultiDiGraph[str]]:
        """The typed graph of the store's current data, with its version."""
        version = data_version(self._store)
        current = self._typed
        if current is not None and current[0] == version:
            return current
        with self._lock:
            current = self._typed
            if current is None or current[0] != version:
                current = (version, build_typed_graph(self._store))
                self._typed = current
            return current

    def memo(self, projection: AgencyProjection, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per projection (per data version) and ``key``."""
        with self._lock:
            if key in projection.memo:
                return projection.memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            return projection.memo.setdefault(key, value)  # type: ignore[no-any-return]


# -- algorithms on the agency projection ---------------------------------------------


@dataclass(frozen=True, slots=True)
class ShortestPaths:
    """All shortest paths between two nodes: length, how many, the first ``limit``."""

    hops: int | None
    count: int
    paths: list[list[str]]


def all_shortest_paths(
    graph: nx.Graph[str], source: str, target: str, *, max_hops: int, limit: int
) -> ShortestPaths:
    """Every shortest path from ``source`` to ``target`` of at most ``max_hops`` edges.

    A bidirectional breadth-first search that expands the smaller frontier,
    so a hub-rich graph of millions of edges answers in milliseconds.
    ``count`` is the number of shortest paths (counted, not enumerated);
    ``paths`` lists at most ``limit`` of them in a stable order. Unconnected
    within ``max_hops``: ``hops`` is None. Raises ``nx.NodeNotFound``.
    """
    for node in (source, target):
        if node not in graph:
            raise nx.NodeNotFound(f"node {node!r} is not in the graph")
    if source == target:
        return ShortestPaths(0, 1, [[source]])
    adj = graph.adj
    dist = ({source: 0}, {target: 0})
    preds: tuple[dict[str, list[str]], dict[str, list[str]]] = ({source: []}, {target: []})
    fronts = ([source], [target])
    depth = [0, 0]
    meet: list[str] = []
    while fronts[0] and fronts[1] and depth[0] + depth[1] < max_hops:
        cost = [sum(len(adj[u]) for u in front) for front in fronts]
        side = 0 if cost[0] <= cost[1] else 1
        seen, pred, other = dist[side], preds[side], dist[1 - side]
        level = depth[side] + 1
        following: list[str] = []
        for u in fronts[side]:
            for v in adj[u]:
                known = seen.get(v)
                if known is None:
                    seen[v] = level
                    pred[v] = [u]
                    following.append(v)
                elif known == level:
                    pred[v].append(u)
        depth[side] = level
        fronts = (following, fronts[1]) if side == 0 else (fronts[0], following)
        meet = sorted(v for v in following if v in other)
        if meet:
            break
    if not meet:
        return ShortestPaths(None, 0, [])
    for pred in preds:
        for lst in pred.values():
            lst.sort()
    counts = (_path_counts(preds[0]), _path_counts(preds[1]))
    total = sum(counts[0](m) * counts[1](m) for m in meet)
    paths: list[list[str]] = []
    for m in meet:
        for head in _walk(preds[0], m):
            for tail in _walk(preds[1], m):
                if len(paths) >= limit:
                    return ShortestPaths(depth[0] + depth[1], total, paths)
                paths.append(head[::-1] + tail[1:])
    return ShortestPaths(depth[0] + depth[1], total, paths)


def _path_counts(pred: dict[str, list[str]]) -> Callable[[str], int]:
    cache: dict[str, int] = {}

    def count(node: str) -> int:
        # Iterative: paths can be long enough to hit the recursion limit.
        stack = [node]
        while stack:
            top = stack[-1]
            if top in cache:
                stack.pop()
                continue
            missing = [p for p in pred[top] if p not in cache]
            if missing:
                stack.extend(missing)
                continue
            cache[top] = sum(cache[p] for p in pred[top]) if pred[top] else 1
            stack.pop()
        return cache[node]

    return count


def _walk(pred: dict[str, list[str]], node: str) -> Iterator[list[str]]:
    """Paths from ``node`` back to the root of ``pred``, ``node`` first."""
    stack: list[tuple[str, list[str]]] = [(node, [node])]
    while stack:
        current, path = stack.pop()
        if not pred[current]:
            yield path
            continue
        for p in reversed(pred[current]):
            stack.append((p, [*path, p]))


@dataclass(frozen=True, slots=True)
class Brokers:
    scores: list[tuple[str, float]]
    method: str  # "exact" or "estimate"
    error: float | None = None  # the estimate's bound on |score - exact score|
    confidence: float | None = None  # the probability that the bound holds
    samples: int | None = None  # shortest paths sampled for the estimate


def to_networkit(graph: nx.Graph[str]) -> tuple[Any, list[str]]:
    """``graph`` as an unweighted networkit graph, and the node of each index."""
    import networkit as nk

    nodes, _, rows, cols = edge_arrays(graph)
    return nk.GraphFromCoo((rows.astype("uint64"), cols.astype("uint64")), n=len(nodes),
                           directed=False), nodes


def edge_arrays(graph: nx.Graph[str]) -> tuple[list[str], dict[str, int], Any, Any]:
    """The nodes, their indexes, and each edge's two node indexes as numpy arrays."""
    import numpy as np

    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    m = graph.number_of_edges()
    rows = np.fromiter((index[u] for u, _ in graph.edges()), dtype=np.int64, count=m)
    cols = np.fromiter((index[v] for _, v in graph.edges()), dtype=np.int64, count=m)
    return nodes, index, rows, cols


def brokers(
    graph: nx.Graph[str], *, exact_max: int = BROKER_EXACT_MAX, error: float = BROKER_ERROR,
    confidence: float = BROKER_CONFIDENCE, seed: int = SEED,
) -> Brokers:
    """Betweenness centrality of every node (normalised as networkx does), highest first.

    Exact up to ``exact_max`` nodes. Above, the KADABRA estimate (Borassi and
    Natale, 2016), seeded and deterministic: every score is within ``error``
    of the exact one with probability ``confidence``. Ties are ordered by id.
    """
    import networkit as nk

    n = graph.number_of_nodes()
    if n < 3 or graph.number_of_edges() == 0:
        return Brokers(sorted(((v, 0.0) for v in graph), key=lambda item: item[0]), "exact")
    nkgraph, nodes = to_networkit(graph)
    nk.engineering.setSeed(seed, True)
    if n <= exact_max:
        exact = nk.centrality.Betweenness(nkgraph, normalized=True)
        exact.run()
        return Brokers(_ranked(nodes, exact.scores()), "exact")
    # KADABRA's normalisation counts each unordered pair over n(n - 1) / 2
    # ordered ones: ``scale`` turns its scores (and its error) into networkx's.
    scale = n / (2 * (n - 2))
    estimate = nk.centrality.KadabraBetweenness(nkgraph, error / scale, 1 - confidence, True)
    estimate.run()
    values = [value * scale for value in estimate.scores()]
    return Brokers(_ranked(nodes, values), "estimate", error, confidence,
                   estimate.getNumberOfIterations())


def _ranked(nodes: list[str], values: list[float]) -> list[tuple[str, float]]:
    """Highest first, ties by node. Rounded before ranking so that summation
    order (threads) cannot reorder ties."""
    return sorted(
        ((node, round(value, 12)) for node, value in zip(nodes, values, strict=True)),
        key=lambda item: (-item[1], item[0]),
    )


def communities(graph: nx.Graph[str], *, seed: int = SEED) -> list[list[str]]:
    """Louvain communities (weighted by shared operations), largest first, seeded.

    Isolated agencies are left out; members are sorted by id.
    """
    connected = graph.subgraph([n for n in graph if graph.degree(n)])
    if connected.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(connected, weight="weight", seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


@dataclass(frozen=True, slots=True)
class Prediction:
    id: str
    score: float
    shared: list[str]


@dataclass(frozen=True, slots=True)
class Adjacency:
    """The projection as a sparse 0/1 matrix, and each node's Adamic-Adar
    weight (``1 / log(degree)``, 0 below degree 2); built once per version."""

    nodes: list[str]
    index: dict[str, int]
    matrix: Any  # scipy.sparse.csr_array
    weight: Any  # numpy array


def adjacency(graph: nx.Graph[str]) -> Adjacency:
    import numpy as np
    import scipy.sparse

    nodes, index, rows, cols = edge_arrays(graph)
    matrix = scipy.sparse.csr_array(
        (np.ones(2 * len(rows)), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
        shape=(len(nodes), len(nodes)),
    )
    degree = np.diff(matrix.indptr).astype(float)
    with np.errstate(divide="ignore"):
        weight = np.where(degree >= 2, 1.0 / np.log(np.maximum(degree, 2)), 0.0)
    return Adjacency(nodes, index, matrix, weight)


def adamic_adar(
    graph: nx.Graph[str], node: str, *, limit: int, index: Adjacency | None = None
) -> list[Prediction]:
    """Agencies not yet partnered with ``node``, scored by Adamic-Adar, best first.

    The score sums ``1 / log(degree)`` over the shared partners (the reason
    for the prediction, listed by id); ties are ordered by id. The scores come
    from one sparse product, so a hub with thousands of partners costs
    milliseconds; pass ``index`` (:func:`adjacency`) to reuse the matrix.
    Raises ``nx.NodeNotFound``.
    """
    import numpy as np

    if node not in graph:
        raise nx.NodeNotFound(f"node {node!r} is not in the graph")
    adj = index or adjacency(graph)
    i = adj.index[node]
    partners = adj.matrix.indices[adj.matrix.indptr[i]: adj.matrix.indptr[i + 1]]
    telling = partners[adj.weight[partners] > 0]
    scores = np.asarray(adj.matrix[telling].T @ adj.weight[telling]).ravel()
    scores[i] = 0.0
    scores[partners] = 0.0
    candidates = np.flatnonzero(scores > 0)
    # Rounded before ranking so that summation order cannot reorder ties.
    rounded = np.round(scores[candidates], 12)
    if len(candidates) > limit:
        keep = rounded >= np.partition(rounded, -limit)[-limit]
        candidates, rounded = candidates[keep], rounded[keep]
    ranked = sorted(zip(rounded.tolist(), candidates.tolist(), strict=True),
                    key=lambda item: (-item[0], adj.nodes[item[1]]))[:limit]
    mine = {adj.nodes[p] for p in telling.tolist()}
    found = [adj.nodes[c] for _, c in ranked]
    return [
        Prediction(c, round(score, 6), sorted(mine.intersection(graph.adj[c])))
        for (score, _), c in zip(ranked, found, strict=True)
    ]


def ego(graph: nx.Graph[str], center: str, *, hops: int, max_nodes: int) -> tuple[
    dict[str, int], bool
]:
    """Nodes within ``hops`` of ``center`` with their distance, at most ``max_nodes``.

    Breadth-first; when a layer does not fit, the nodes most strongly tied
    (summed weight) to those already in are kept. Returns (distances, capped).
    """
    if center not in graph:
        raise nx.NodeNotFound(f"node {center!r} is not in the graph")
    distance = {center: 0}
    frontier = [center]
    capped = False
    for level in range(1, hops + 1):
        ties: dict[str, float] = defaultdict(float)
        for u in frontier:
            for v, data in graph.adj[u].items():
                if v not in distance:
                    ties[v] += float(data.get("weight", 1))
        layer = sorted(ties, key=lambda v: (-ties[v], v))
        room = max_nodes - len(distance)
        if len(layer) > room:
            layer, capped = layer[:room], True
        for v in layer:
            distance[v] = level
        frontier = layer
        if capped or not frontier:
            break
    return distance, capped
