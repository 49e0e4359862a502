"""Server-side map layout: deterministic, every node placed, components apart."""

from __future__ import annotations

import itertools
import math

import networkx as nx

from api.layout import SPRING_MAX_NODES, positions


def named(graph: nx.Graph[int]) -> nx.Graph[str]:
    return nx.relabel_nodes(graph, {n: f"agency-{n:05d}" for n in graph})


def boxes(graph: nx.Graph[str], pos: dict[str, tuple[float, float]]) -> list[tuple[float, ...]]:
    out = []
    for component in nx.connected_components(graph):
        xs = [pos[n][0] for n in component]
        ys = [pos[n][1] for n in component]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def test_large_and_small_components_are_placed_apart_and_repeat() -> None:
    big = nx.barabasi_albert_graph(SPRING_MAX_NODES * 3, 2, seed=1)
    star = nx.star_graph(SPRING_MAX_NODES + 50)  # leaves PivotMDS puts on one spot
    graph = named(nx.disjoint_union_all([big, star, nx.path_graph(6), nx.empty_graph(4)]))
    first = positions(graph)
    assert first == positions(graph)
    assert first.keys() == set(graph)
    assert all(math.isfinite(c) for p in first.values() for c in p)
    assert len(set(first.values())) == len(first)  # no two nodes on the same spot
    for a, b in itertools.combinations(boxes(graph, first), 2):
        overlap_x = a[0] < b[2] and b[0] < a[2]
        overlap_y = a[1] < b[3] and b[1] < a[3]
        assert not (overlap_x and overlap_y), (a, b)
    # The star's leaves are spread out: the closest two are not piled up.
    leaves = [first[n] for n in graph if n != "agency-00900" and graph.degree(n) == 1]
    spacing = min(math.dist(p, q) for p, q in itertools.combinations(leaves[:200], 2))
    assert spacing > 0.05


def test_extent_grows_with_the_square_root_of_the_size() -> None:
    for n in (50, 2000):
        pos = positions(named(nx.barabasi_albert_graph(n, 2, seed=3)))
        xs, ys = zip(*pos.values(), strict=True)
        width = max(max(xs) - min(xs), max(ys) - min(ys))
        assert 1.0 * math.sqrt(n) <= width <= 2.5 * math.sqrt(n) + 2
        assert abs((max(xs) + min(xs)) / 2) < 1e-9  # centred


def test_empty_and_single_node_graphs() -> None:
    assert positions(nx.Graph()) == {}
    single: nx.Graph[str] = nx.Graph()
    single.add_node("only")
    assert positions(single) == {"only": (0.0, 0.0)}
