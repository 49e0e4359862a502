"""Network map pages built with pyvis, rendered with the project's own template.

pyvis builds the vis-network node and edge lists; the page itself comes from
``api/templates/map.html``, which loads vis-network from the project (never a
CDN), escapes every text from data (Jinja autoescape in HTML, ``tojson`` in
scripts) and hands vis-network plain strings, which it shows as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network

from api.layout import positions
from graph.errors import InvalidInput
from graph.model import Label, RelType
from graph.projection import AgencyProjection, Projections, data_version, ego
from graph.store import GraphStore
from queries import agencies, countries, network, operations, sectors
from queries.lookup import find_country

ASSET_VERSION = f"vis-9.1.2-pyvis-{pyvis.__version__}"
ASSETS = {
    "vis-network.min.js": ("vis-9.1.2", "vis-network.min.js", "text/javascript"),
    "vis-network.css": ("vis-9.1.2", "vis-network.css", "text/css"),
}
MAX_MAP_HOPS = 3
# A map never sends more nodes than this; the summary line says when it is cut.
MAX_MAP_NODES = 300
MAX_NETWORK_NODES = 5000
MAX_TOOLTIP_OPERATIONS = 20
# Physics settles small maps nicely; above this, positions come from the
# server-side layout and physics stays off so the page is stable at once.
PHYSICS_MAX_NODES = 150

STYLE: dict[Label, dict[str, str]] = {
    Label.AGENCY: {"color": "#2563eb", "shape": "dot"},
    Label.COUNTRY: {"color": "#16a34a", "shape": "diamond"},
    Label.REGION: {"color": "#65a30d", "shape": "triangle"},
    Label.OPERATION: {"color": "#ea580c", "shape": "square"},
    Label.CRIME_SECTOR: {"color": "#dc2626", "shape": "star"},
    Label.SOURCE: {"color": "#6b7280", "shape": "box"},
}


def asset_path(name: str) -> tuple[Path, str]:
    """The file and media type of a vendored map asset; KeyError if unknown."""
    folder, filename, media = ASSETS[name]
    return Path(str(resources.files("pyvis") / "lib" / folder / filename)), media


@cache
def asset_text(name: str) -> str:
    return asset_path(name)[0].read_text(encoding="utf-8")


@dataclass(slots=True)
class MapNode:
    id: str
    label: Label
    name: str
    focus: bool = False
    detail: str = ""


@dataclass(slots=True)
class MapEdge:
    """One link drawn between two nodes; parallel links are merged before this."""

    source: str
    target: str
    operations: list[str]
    sources: list[str]
    kind: str = ""
    detail: str = ""


def node_key(label: Label, node_id: str) -> str:
    """The map id of a node: ids are unique per label only."""
    return f"{label.value}:{node_id}"


@cache
def template(name: str) -> jinja2.Template:
    """A page template of the project's own, with HTML autoescaping on."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("api", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(name)


def _tooltip(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def _edge_tooltip(edge: MapEdge) -> str:
    lines = [edge.kind, edge.detail]
    if edge.operations:
        shown = edge.operations[:MAX_TOOLTIP_OPERATIONS]
        lines.append(f"{len(edge.operations)} shared operation(s):")
        lines += [f"- {op}" for op in shown]
        if len(edge.operations) > len(shown):
            lines.append(f"... and {len(edge.operations) - len(shown)} more")
    if edge.sources:
        lines.append("Sources: " + ", ".join(edge.sources[:10])
                     + (f" (+{len(edge.sources) - 10})" if len(edge.sources) > 10 else ""))
    return _tooltip(*lines)


def render_map(
    title: str,
    summary: str,
    nodes: list[MapNode],
    edges: list[MapEdge],
    *,
    asset_base: str | None,
    version: str = "",
) -> str:
    """A complete HTML page; ``asset_base=None`` inlines the scripts (file output).

    Parallel edges between the same two nodes are merged into one whose
    tooltip lists every operation and source. Node size grows with degree,
    edge width with the number of shared operations. Positions come from a
    seeded layout (:mod:`api.layout`); physics runs only up to ``PHYSICS_MAX_NODES``.
    """
    merged: dict[tuple[str, str], MapEdge] = {}
    for edge in edges:
        key = (min(edge.source, edge.target), max(edge.source, edge.target))
        known = merged.get(key)
        if known is None:
            merged[key] = MapEdge(edge.source, edge.target, list(edge.operations),
                                  list(edge.sources), edge.kind, edge.detail)
            continue
        known.operations += [o for o in edge.operations if o not in known.operations]
        known.sources += [s for s in edge.sources if s not in known.sources]
        known.detail = _tooltip(known.detail, edge.detail)
    graph: nx.Graph[str] = nx.Graph()
    for node in nodes:
        graph.add_node(node.id)
    for edge in merged.values():
        graph.add_edge(edge.source, edge.target, weight=len(edge.operations) or 1)
    layout = positions(graph)
    physics = len(nodes) <= PHYSICS_MAX_NODES
    scale = 30  # pixels per layout unit: a component of s nodes spans about 60 * sqrt(s)

    net = Network(height="100%", width="100%", directed=False, notebook=False,
                  cdn_resources="remote")
    degree = dict(graph.degree())
    for node in nodes:
        style = STYLE[node.label]
        x, y = layout.get(node.id, (0.0, 0.0))
        net.add_node(
            node.id,
            label=node.name,
            title=_tooltip(f"{node.label.value}: {node.name}", node.detail,
                           f"{degree.get(node.id, 0)} link(s) on this map"),
            color=style["color"],
            shape=style["shape"],
            size=12 + 4 * min(degree.get(node.id, 0), 10) + (8 if node.focus else 0),
            x=float(x * scale),
            y=float(y * scale),
            borderWidth=3 if node.focus else 1,
        )
    # The edges are unique after merging; pyvis's add_edge would rescan every
    # edge for a duplicate on each call (quadratic: 4 s at 10,000 edges), so
    # its Edge records go straight into the network.
    for edge in merged.values():
        net.edges.append(Edge(edge.source, edge.target, False,
                              value=max(len(edge.operations), 1),
                              title=_edge_tooltip(edge)).options)
    net_nodes, net_edges, *_ = net.get_network_data()
    options: dict[str, Any] = {
        # Without physics the server's positions are final: no stabilisation pass.
        "physics": {"enabled": physics,
                    "stabilization": {"enabled": physics, "iterations": 200}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": len(nodes) > 500},
        "edges": {"color": {"color": "#94a3b8"}, "scaling": {"min": 1, "max": 8},
                  "smooth": len(nodes) <= PHYSICS_MAX_NODES},
        "nodes": {"font": {"size": 14}},
    }
    legend = [
        {"label": label.value, "color": STYLE[label]["color"], "shape": STYLE[label]["shape"]}
        for label in sorted({n.label for n in nodes}, key=list(Label).index)
    ]
    inline = asset_base is None
    if version:
        summary = f"{summary} Data version {version}."
    return template("map.html").render(
        title=title,
        summary=summary,
        nodes=net_nodes,
        edges=net_edges,
        options=options,
        legend=legend,
        inline=inline,
        vis_js=asset_text("vis-network.min.js") if inline else "",
        vis_css=asset_text("vis-network.css") if inline else "",
        asset_base=asset_base or "",
    )


PARTNER_EDGES = (
    f"MATCH (a:{Label.AGENCY})-[p:{RelType.PARTNERS_WITH}]->(b:{Label.AGENCY}) "
    "WHERE a.id IN $ids AND b.id IN $ids "
    "RETURN a.id AS a, b.id AS b, p.operations AS operations, p.sources AS sources"
)


def _partner_edges(store: GraphStore, projection: AgencyProjection, ids: list[str],
                   only: set[tuple[str, str]] | None = None) -> list[MapEdge]:
    """Partnerships among ``ids`` with operation names and sources (from the store)."""
    edges = []
    for row in store.read(PARTNER_EDGES, {"ids": ids}):
        if only is not None and (row["a"], row["b"]) not in only \
                and (row["b"], row["a"]) not in only:
            continue
        names = sorted(str(projection.operations.get(o, {"name": o})["name"])
                       for o in row["operations"] or [])
        edges.append(MapEdge(node_key(Label.AGENCY, row["a"]), node_key(Label.AGENCY, row["b"]),
                             names, list(row["sources"] or []), "Partners"))
    return edges


def _agency_nodes(projection: AgencyProjection, ids: list[str], focus: set[str]) -> list[MapNode]:
    graph = projection.graph
    return [
        MapNode(node_key(Label.AGENCY, i), Label.AGENCY, projection.name(i), i in focus,
                detail=f"Country: {graph.nodes[i].get('country') or 'unknown'}; "
                       f"{graph.degree(i)} partner(s) in all")
        for i in ids
    ]


def agency_map_html(projections: Projections, ref: str, hops: int, *,
                    asset_base: str | None) -> str:
    """An agency and its partners up to ``hops`` steps (at most ``MAX_MAP_NODES``)."""
    focus = agencies.find_agency(projections.store, ref)
    projection = projections.agencies()
    if focus.id in projection.graph:
        distance, capped = ego(projection.graph, focus.id, hops=hops, max_nodes=MAX_MAP_NODES)
    else:
        distance, capped = {}, False
    ids = list(distance)
    nodes = _agency_nodes(projection, ids, {focus.id}) or [
        MapNode(node_key(Label.AGENCY, focus.id), Label.AGENCY, focus.name, True)]
    edges = _partner_edges(projections.store, projection, ids)
    cap = f" (capped at {MAX_MAP_NODES} agencies, strongest ties first)" if capped else ""
    summary = (
        f"{focus.name} and its partners within {hops} hop(s): {len(nodes)} agencies, "
        f"{len(edges)} partnerships{cap}."
    )
    return render_map(f"Partners of {focus.name}", summary, nodes, edges,
                      asset_base=asset_base, version=projection.version.tag)


def path_map_html(projections: Projections, source: str, target: str, max_hops: int, *,
                  asset_base: str | None) -> str:
    """Every shortest collaboration chain between two agencies (up to 100 chains)."""
    result = network.collaboration_paths(projections, source, target, max_hops=max_hops,
                                         limit=network.MAX_PATHS)
    projection = projections.agencies()
    ids: list[str] = []
    steps: set[tuple[str, str]] = set()
    for path in result.paths:
        for agency in path.agencies:
            if agency["id"] not in ids:
                ids.append(agency["id"])
        steps.update((s.source, s.target) for s in path.steps)
    a, b = result.source, result.target
    if not ids:
        nodes = [MapNode(node_key(Label.AGENCY, x.id), Label.AGENCY, x.name, True) for x in (a, b)]
        summary = f"{a.name} and {b.name} are not linked within {max_hops} steps."
        return render_map(f"{a.name} to {b.name}", summary, nodes, [], asset_base=asset_base,
                          version=projection.version.tag)
    nodes = _agency_nodes(projection, ids, {a.id, b.id})
    edges = _partner_edges(projections.store, projection, ids, only=steps)
    shown = len(result.paths)
    more = f", {shown} shown" if shown < result.count else ""
    summary = (
        f"{result.count} shortest chain(s) of {result.hops} step(s) from {a.name} to "
        f"{b.name}{more}: {len(nodes)} agencies, {len(edges)} partnerships."
    )
    return render_map(f"{a.name} to {b.name}", summary, nodes, edges, asset_base=asset_base,
                      version=projection.version.tag)


def _cut(items: list[Any], room: int) -> tuple[list[Any], bool]:
    room = max(room, 0)
    return (items[:room], True) if len(items) > room else (items, False)


def operation_map_html(projections: Projections, ref: str, *, asset_base: str | None) -> str:
    """An operation with the agencies and countries that took part and its sectors."""
    store = projections.store
    op = operations.operation_detail(store, ref)
    center = node_key(Label.OPERATION, op.id)
    detail = _tooltip(f"Year: {op.year}" if op.year else "", f"Outcome: {op.outcome}"
                      if op.outcome else "")
    nodes = [MapNode(center, Label.OPERATION, op.name, True, detail)]
    edges: list[MapEdge] = []
    members, capped = _cut(op.agencies, MAX_MAP_NODES - 1 - len(op.countries) - len(op.sectors))
    for a in members:
        key = node_key(Label.AGENCY, a["id"])
        nodes.append(MapNode(key, Label.AGENCY, a["name"]))
        edges.append(MapEdge(key, center, [], list(a["sources"]), "Took part",
                             _tooltip(f"Role: {a['role']}" if a["role"] else "",
                                      f"Impact: {a['impact']}" if a["impact"] else "")))
    for c in op.countries:
        key = node_key(Label.COUNTRY, c["code"])
        nodes.append(MapNode(key, Label.COUNTRY, c["name"]))
        edges.append(MapEdge(key, center, [], list(c["sources"]), "Country involved"))
    for sec in op.sectors:
        key = node_key(Label.CRIME_SECTOR, sec["id"])
        nodes.append(MapNode(key, Label.CRIME_SECTOR, sec["name"]))
        edges.append(MapEdge(center, key, [], list(sec["sources"]),
                             "Targets (inferred)" if sec["inferred"] else "Targets"))
    cap = f" (agencies capped at {len(members)})" if capped else ""
    summary = (f"Operation {op.name}: {len(op.agencies)} agencies, {len(op.countries)} countries, "
               f"{len(op.sectors)} crime sectors{cap}.")
    return render_map(op.name, summary, nodes, edges, asset_base=asset_base,
                      version=_version(projections))


def country_map_html(projections: Projections, ref: str, *, asset_base: str | None) -> str:
    """A country, its agencies, its operations and the countries it shared them with."""
    store = projections.store
    country = countries.country_detail(store, ref)
    _found, partners = countries.country_partners(store, ref, limit=MAX_MAP_NODES)
    center = node_key(Label.COUNTRY, country.code)
    nodes = [MapNode(center, Label.COUNTRY, country.name, True)]
    edges: list[MapEdge] = []
    room = MAX_MAP_NODES - 1
    agency_list, cut_a = _cut(country.agencies, room // 3)
    for a in agency_list:
        key = node_key(Label.AGENCY, a["id"])
        nodes.append(MapNode(key, Label.AGENCY, a["name"]))
        edges.append(MapEdge(key, center, [], [], "Based in"))
    op_list, cut_o = _cut(country.operations, room // 3)
    shown_ops = {o["id"] for o in op_list}
    for o in op_list:
        key = node_key(Label.OPERATION, o["id"])
        nodes.append(MapNode(key, Label.OPERATION, o["name"]))
        edges.append(MapEdge(center, key, [], [], "Took part (directly or through its agencies)"))
    partner_list, cut_p = _cut(partners, MAX_MAP_NODES - len(nodes))
    for p in partner_list:
        key = node_key(Label.COUNTRY, p.code)
        nodes.append(MapNode(key, Label.COUNTRY, p.name,
                             detail=f"{p.weight} shared operation(s)"))
        linked = [o for o in p.operations if o["id"] in shown_ops]
        for o in linked:
            edges.append(MapEdge(key, node_key(Label.OPERATION, o["id"]), [], [], "Took part"))
        if not linked:
            edges.append(MapEdge(center, key, [o["name"] for o in p.operations], [],
                                 "Shared operations"))
    cap = " (capped: strongest ties first)" if cut_a or cut_o or cut_p else ""
    summary = (f"{country.name}: {len(country.agencies)} agencies, {len(country.operations)} "
               f"operations, {len(partners)} partner countries{cap}.")
    return render_map(country.name, summary, nodes, edges, asset_base=asset_base,
                      version=_version(projections))


def sector_map_html(projections: Projections, ref: str, *, asset_base: str | None) -> str:
    """A crime sector, the operations against it, the agencies focused on it and the
    countries involved or scored on it."""
    store = projections.store
    sector = sectors.sector_detail(store, ref)
    center = node_key(Label.CRIME_SECTOR, sector.id)
    nodes = [MapNode(center, Label.CRIME_SECTOR, sector.name, True,
                     f"Annual revenue: {sector.revenue_text}" if sector.revenue_text else "")]
    edges: list[MapEdge] = []
    room = (MAX_MAP_NODES - 1) // 3
    op_list, cut_o = _cut(sector.operations, room)
    for o in op_list:
        key = node_key(Label.OPERATION, o["id"])
        nodes.append(MapNode(key, Label.OPERATION, o["name"]))
        edges.append(MapEdge(key, center, [], [], "Targets (inferred)" if o["inferred"]
                             else "Targets"))
    agency_list, cut_a = _cut(sector.agencies, room)
    for a in agency_list:
        key = node_key(Label.AGENCY, a["id"])
        nodes.append(MapNode(key, Label.AGENCY, a["name"]))
        edges.append(MapEdge(key, center, [], [], "Focuses on (inferred)" if a["inferred"]
                             else "Focuses on"))
    scores = {m["code"]: m for m in sector.markets}
    involved = {c["code"]: c for c in sector.countries}
    codes = list(dict.fromkeys([*scores, *involved]))
    code_list, cut_c = _cut(codes, MAX_MAP_NODES - len(nodes))
    for code in code_list:
        key = node_key(Label.COUNTRY, code)
        name = (scores.get(code) or involved[code])["name"]
        nodes.append(MapNode(key, Label.COUNTRY, name))
        if code in scores:
            m = scores[code]
            edges.append(MapEdge(key, center, [], list(m["sources"]), "Market score",
                                 f"Score {m['score']}" + (f" ({m['year']})" if m["year"] else "")))
        if code in involved:
            edges.append(MapEdge(key, center, [], [], "Operations against it",
                                 f"{involved[code]['operations']} operation(s)"))
    cap = " (capped)" if cut_o or cut_a or cut_c else ""
    summary = (f"{sector.name}: {len(sector.operations)} operations, {len(sector.agencies)} "
               f"agencies, {len(codes)} countries{cap}.")
    return render_map(sector.name, summary, nodes, edges, asset_base=asset_base,
                      version=_version(projections))


def network_map_html(
    projections: Projections, *, limit: int = MAX_MAP_NODES, country: str | None = None,
    sector: str | None = None, asset_base: str | None,
) -> str:
    """The whole agency network, or its ``limit`` most connected agencies (optionally
    of one country or focused on one sector), with the cap stated on the page."""
    if not 1 <= limit <= MAX_NETWORK_NODES:
        raise InvalidInput(f"limit must be between 1 and {MAX_NETWORK_NODES}, not {limit}",
                           field="limit")
    store = projections.store
    projection = projections.agencies()
    graph = projection.graph
    candidates = list(graph)
    what = "agencies"
    if country:
        found = find_country(store, country)
        candidates = [n for n in candidates if graph.nodes[n].get("country") == found.id]
        what = f"agencies of {found.name}"
    if sector:
        focused = sectors.sector_detail(store, sector)
        wanted = {a["id"] for a in focused.agencies}
        candidates = [n for n in candidates if n in wanted]
        what += f" focused on {focused.name}"
    ranked = sorted(candidates, key=lambda n: (-graph.degree(n, weight="weight"), n))
    ids = ranked[:limit]
    nodes = _agency_nodes(projection, ids, set())
    edges = _partner_edges(store, projection, ids)
    cap = (f"the {len(ids)} most connected of {len(candidates)} {what} (cap {limit})"
           if len(candidates) > len(ids) else f"all {len(ids)} {what}")
    summary = f"Network of {cap}: {len(edges)} partnerships."
    return render_map("Agency network", summary, nodes, edges, asset_base=asset_base,
                      version=projection.version.tag)


def _version(projections: Projections) -> str:
    return data_version(projections.store).tag
