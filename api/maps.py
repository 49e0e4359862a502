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
from pyvis.network import Network

from graph.model import Label
from graph.store import GraphStore
from queries import agencies

ASSET_VERSION = f"vis-9.1.2-pyvis-{pyvis.__version__}"
ASSETS = {
    "vis-network.min.js": ("vis-9.1.2", "vis-network.min.js", "text/javascript"),
    "vis-network.css": ("vis-9.1.2", "vis-network.css", "text/css"),
}
MAX_MAP_HOPS = 3
MAX_MAP_NODES = 300
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


@dataclass(slots=True)
class MapEdge:
    source: str
    target: str
    operations: list[str]
    sources: list[str]


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


def render_map(
    title: str,
    summary: str,
    nodes: list[MapNode],
    edges: list[MapEdge],
    *,
    asset_base: str | None,
) -> str:
    """A complete HTML page; ``asset_base=None`` inlines the scripts (file output)."""
    graph: nx.Graph[str] = nx.Graph()
    for node in nodes:
        graph.add_node(node.id)
    for edge in edges:
        graph.add_edge(edge.source, edge.target, weight=len(edge.operations) or 1)
    layout = nx.spring_layout(graph, seed=7, weight="weight") if len(graph) else {}
    physics = len(nodes) <= PHYSICS_MAX_NODES
    scale = 60 * max(len(nodes), 4) ** 0.5

    net = Network(height="100%", width="100%", directed=False, notebook=False,
                  cdn_resources="remote")
    degree = dict(graph.degree())
    for node in nodes:
        style = STYLE[node.label]
        x, y = layout.get(node.id, (0.0, 0.0))
        net.add_node(
            node.id,
            label=node.name,
            title=f"{node.label.value}: {node.name}",
            color=style["color"],
            shape=style["shape"],
            size=12 + 4 * min(degree.get(node.id, 0), 10) + (8 if node.focus else 0),
            x=float(x * scale),
            y=float(y * scale),
            borderWidth=3 if node.focus else 1,
        )
    for edge in edges:
        lines = [f"{len(edge.operations)} shared operation(s):" if edge.operations else ""]
        lines += [f"- {op}" for op in edge.operations]
        if edge.sources:
            lines.append("Sources: " + ", ".join(edge.sources))
        net.add_edge(edge.source, edge.target, value=max(len(edge.operations), 1),
                     title=_tooltip(*lines))
    net_nodes, net_edges, *_ = net.get_network_data()
    options: dict[str, Any] = {
        "physics": {"enabled": physics, "stabilization": {"iterations": 200}},
        "interaction": {"hover": True, "tooltipDelay": 120},
        "edges": {"color": {"color": "#94a3b8"}, "scaling": {"min": 1, "max": 8}},
        "nodes": {"font": {"size": 14}},
    }
    legend = [
        {"label": label.value, "color": STYLE[label]["color"], "shape": STYLE[label]["shape"]}
        for label in sorted({n.label for n in nodes}, key=list(Label).index)
    ]
    inline = asset_base is None
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


def agency_map_html(store: GraphStore, ref: str, hops: int, *, asset_base: str | None) -> str:
    """The map page of an agency's partner network (breadth-first, capped)."""
    focus = agencies.find_agency(store, ref)
    names = {focus.id: focus.name}
    edges: dict[tuple[str, str], MapEdge] = {}
    frontier = [focus.id]
    capped = False
    for _ in range(hops):
        following: list[str] = []
        for agency_id in frontier:
            for partner in agencies.partners_by_id(store, agency_id, limit=MAX_MAP_NODES):
                if partner.id not in names:
                    if len(names) >= MAX_MAP_NODES:
                        capped = True
                        continue
                    names[partner.id] = partner.name
                    following.append(partner.id)
                key = (min(agency_id, partner.id), max(agency_id, partner.id))
                if key not in edges:
                    edges[key] = MapEdge(
                        key[0], key[1], [o["name"] for o in partner.operations], partner.sources
                    )
        frontier = following
    nodes = [
        MapNode(agency_id, Label.AGENCY, name, focus=agency_id == focus.id)
        for agency_id, name in names.items()
    ]
    cap = f" (capped at {MAX_MAP_NODES} agencies)" if capped else ""
    summary = (
        f"{focus.name} and its partners within {hops} hop(s): {len(nodes)} agencies, "
        f"{len(edges)} partnerships{cap}."
    )
    return render_map(
        f"Partners of {focus.name}", summary, nodes, list(edges.values()), asset_base=asset_base
    )
