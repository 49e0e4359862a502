"""Deterministic server-side positions for map pages, fast at thousands of nodes.

Each connected component is laid out on its own and the components are then
packed in rows, largest first, each in a square whose side grows with the
square root of its size (so every node gets about the same room):

- components up to ``SPRING_MAX_NODES`` nodes: networkx's seeded
  Fruchterman-Reingold spring layout, weighted by shared operations;
- larger ones: PivotMDS (Brandes and Pich) from networkit, a classical
  multidimensional scaling of graph distances to a few pivot nodes, which
  takes a fraction of a second at 5,000 nodes where the spring layout takes
  close to a minute. Nodes it places on the same spot are spread around it
  on a sunflower spiral.

The same graph always gets the same positions.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from graph.projection import SEED, to_networkit

SPRING_MAX_NODES = 300
PIVOTS = 30
# Room around each component, in units of one node's share of the square.
MARGIN = 1.0

Position = tuple[float, float]


def positions(graph: nx.Graph[str], *, seed: int = SEED) -> dict[str, Position]:
    """Positions of every node of ``graph``; a component of ``s`` nodes spans a
    square of side about ``2 * sqrt(s)``, and the whole layout is centred on 0."""
    components = sorted(
        (sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0])
    )
    placed: dict[str, Position] = {}
    if not components:
        return placed
    area = sum(_side(len(c)) ** 2 for c in components)
    width = max(_side(len(components[0])), math.sqrt(area) * 1.2)
    x = y = row_height = 0.0
    for members in components:
        side = _side(len(members))
        if x > 0 and x + side > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        local = _component(graph.subgraph(members), seed)
        half = side / 2
        inner = max(half - MARGIN, 0.0)
        for node, (px, py) in local.items():
            placed[node] = (x + half + px * inner, y + half + py * inner)
        x += side
        row_height = max(row_height, side)
    xs = [p[0] for p in placed.values()]
    ys = [p[1] for p in placed.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    return {node: (px - cx, py - cy) for node, (px, py) in placed.items()}


def _side(size: int) -> float:
    return 2 * math.sqrt(size) + 2 * MARGIN


def _component(graph: nx.Graph[str], seed: int) -> dict[str, Position]:
    """Positions of one connected component within the square [-1, 1]²."""
    nodes = list(graph)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    if len(nodes) <= SPRING_MAX_NODES:
        raw = nx.spring_layout(graph, seed=seed, weight="weight")
        coords = np.array([raw[n] for n in nodes], dtype=float)
    else:
        coords = _pivot_mds(graph, nodes, seed)
    coords -= coords.mean(axis=0)
    extent = float(np.abs(coords).max()) or 1.0
    coords /= extent
    return {node: (float(px), float(py)) for node, (px, py) in zip(nodes, coords, strict=True)}


def _pivot_mds(graph: nx.Graph[str], nodes: list[str], seed: int) -> np.ndarray:
    import networkit as nk

    nkgraph, order = to_networkit(graph)
    assert order == nodes  # both list(graph): networkit index i is nodes[i]
    nk.engineering.setSeed(seed, True)
    mds = nk.viz.PivotMDS(nkgraph, 2, min(PIVOTS, len(nodes)))
    mds.run()
    return _spread_coincident(np.array(mds.getCoordinates(), dtype=float))


GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _spread_coincident(coords: np.ndarray) -> np.ndarray:
    """Nodes at the same distances from every pivot (say, the agencies whose
    only partner is one hub) land on one spot: lay each such group out on a
    sunflower spiral around it, about half the mean node spacing apart."""
    spacing = float(np.ptp(coords, axis=0).max()) / math.sqrt(len(coords)) or 1.0
    groups: dict[tuple[float, float], list[int]] = {}
    for index, (px, py) in enumerate(np.round(coords / (spacing * 0.05))):
        groups.setdefault((float(px), float(py)), []).append(index)
    out = coords.copy()
    for members in groups.values():
        for i, index in enumerate(members[1:], start=1):
            radius, angle = 0.5 * spacing * math.sqrt(i), i * GOLDEN_ANGLE
            out[index] += (radius * math.cos(angle), radius * math.sin(angle))
    return out
