"""Collaboration paths and ego networks, answered from the agency projection."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from graph.errors import InvalidInput
from graph.projection import AgencyProjection, Projections, all_shortest_paths, ego
from queries.agencies import AgencySummary, find_agency

DEFAULT_MAX_HOPS = 6
MAX_HOPS = 12
MAX_PATHS = 100
MAX_EGO_HOPS = 4
MAX_EGO_NODES = 2000


@dataclass(slots=True)
class Step:
    """One agency-operation-agency link of a path: the operations both took part in."""

    source: str
    target: str
    operations: list[dict[str, Any]]


@dataclass(slots=True)
class CollaborationPath:
    agencies: list[dict[str, str]]
    steps: list[Step]


@dataclass(slots=True)
class PathResult:
    source: AgencySummary
    target: AgencySummary
    max_hops: int
    hops: int | None
    count: int
    paths: list[CollaborationPath] = field(default_factory=list)
    data_version: str = ""


@dataclass(slots=True)
class EgoNode:
    id: str
    name: str
    country: str | None
    distance: int


@dataclass(slots=True)
class EgoEdge:
    source: str
    target: str
    weight: int
    operations: list[dict[str, Any]]


@dataclass(slots=True)
class EgoNetwork:
    center: AgencySummary
    hops: int
    capped: bool
    max_nodes: int
    nodes: list[EgoNode]
    edges: list[EgoEdge]
    data_version: str = ""


def _operations(projection: AgencyProjection, ids: list[str]) -> list[dict[str, Any]]:
    ops = [projection.operations.get(i, {"id": i, "name": i, "year": None}) for i in ids]
    return sorted(ops, key=lambda o: (str(o["name"]), o["id"]))


def collaboration_paths(
    projections: Projections, source: str, target: str, *, max_hops: int = DEFAULT_MAX_HOPS,
    limit: int = 25,
) -> PathResult:
    """All shortest agency-operation-agency chains from ``source`` to ``target``.

    ``hops`` counts agency-to-agency steps (None when the two are not linked
    within ``max_hops``); ``count`` is how many shortest chains exist, of
    which the first ``limit`` are listed with the operations of each step.
    Raises ``NotFound`` for an unknown agency and ``InvalidInput`` for the
    same agency twice or an out-of-range ``max_hops`` / ``limit``.
    """
    if not 1 <= max_hops <= MAX_HOPS:
        raise InvalidInput(f"max_hops must be between 1 and {MAX_HOPS}, not {max_hops}",
                           field="max_hops")
    if not 1 <= limit <= MAX_PATHS:
        raise InvalidInput(f"limit must be between 1 and {MAX_PATHS}, not {limit}", field="limit")
    store = projections.store
    a = find_agency(store, source, field="source")
    b = find_agency(store, target, field="target")
    if a.id == b.id:
        raise InvalidInput(
            f"source {source!r} and target {target!r} are the same agency ({a.name})",
            field="target",
        )
    projection = projections.agencies()
    graph = projection.graph
    result = PathResult(a, b, max_hops, None, 0, data_version=projection.version.tag)
    if a.id not in graph or b.id not in graph:
        return result  # loaded after the snapshot was taken: not linked yet
    found = all_shortest_paths(graph, a.id, b.id, max_hops=max_hops, limit=limit)
    result.hops, result.count = found.hops, found.count
    for nodes in found.paths:
        result.paths.append(CollaborationPath(
            agencies=[{"id": n, "name": projection.name(n)} for n in nodes],
            steps=[
                Step(u, v, _operations(projection, graph.edges[u, v]["operations"]))
                for u, v in itertools.pairwise(nodes)
            ],
        ))
    return result


def ego_network(
    projections: Projections, ref: str, *, hops: int = 2, max_nodes: int = 300
) -> EgoNetwork:
    """An agency and every agency within ``hops`` partner steps, at most ``max_nodes``.

    When the cap cuts a layer, the agencies most strongly tied to those
    already included are kept and ``capped`` says so. Edges are every
    partnership among the included agencies.
    """
    if not 1 <= hops <= MAX_EGO_HOPS:
        raise InvalidInput(f"hops must be between 1 and {MAX_EGO_HOPS}, not {hops}",
                           field="hops")
    if not 1 <= max_nodes <= MAX_EGO_NODES:
        raise InvalidInput(f"max_nodes must be between 1 and {MAX_EGO_NODES}, not {max_nodes}",
                           field="max_nodes")
    center = find_agency(projections.store, ref)
    projection = projections.agencies()
    graph = projection.graph
    if center.id not in graph:
        distance, capped = {center.id: 0}, False
    else:
        distance, capped = ego(graph, center.id, hops=hops, max_nodes=max_nodes)
    nodes = [
        EgoNode(n, str(graph.nodes[n]["name"]) if n in graph else center.name,
                graph.nodes[n].get("country") if n in graph else center.country, d)
        for n, d in sorted(distance.items(), key=lambda item: (item[1], item[0]))
    ]
    sub = graph.subgraph(distance) if center.id in graph else graph.subgraph([])
    edges = sorted(
        (EgoEdge(min(u, v), max(u, v), int(data["weight"]),
                 _operations(projection, data["operations"]))
         for u, v, data in sub.edges(data=True)),
        key=lambda e: (e.source, e.target),
    )
    return EgoNetwork(center, hops, capped, max_nodes, nodes, edges,
                      data_version=projection.version.tag)
