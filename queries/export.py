"""The whole graph in formats other tools read: GraphML, GEXF, node-link JSON, CSV
and a Cypher script that recreates it in Neo4j."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import networkx as nx

from graph.errors import InvalidInput
from graph.projection import Projections


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    JSON = "json"
    CSV = "csv"
    CYPHER = "cypher"


MEDIA_TYPES = {
    ExportFormat.GRAPHML: "application/graphml+xml",
    ExportFormat.GEXF: "application/gexf+xml",
    ExportFormat.JSON: "application/json",
    ExportFormat.CSV: "text/csv",
    ExportFormat.CYPHER: "text/plain",
}


def parse_format(value: str) -> ExportFormat:
    try:
        return ExportFormat(value.lower())
    except ValueError:
        known = ", ".join(f.value for f in ExportFormat)
        raise InvalidInput(f"unknown export format {value!r}; known: {known}",
                           field="format") from None


def _scalar(value: Any) -> Any:
    """GraphML and GEXF hold scalars only: lists and maps become JSON text."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _flat(graph: nx.MultiDiGraph[str]) -> nx.MultiDiGraph[str]:
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _scalar(v) for k, v in data.items() if v is not None})
    for u, v, key, data in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=key, **{k: _scalar(x) for k, x in data.items() if x is not None})
    return flat


def _graphml(graph: nx.MultiDiGraph[str]) -> str:
    return "\n".join(nx.generate_graphml(_flat(graph)))


def _gexf(graph: nx.MultiDiGraph[str]) -> str:
    return "\n".join(nx.generate_gexf(_flat(graph)))


def _json(graph: nx.MultiDiGraph[str]) -> str:
    data = nx.node_link_data(graph, edges="links")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)


def _csv(graph: nx.MultiDiGraph[str]) -> str:
    """One row per relationship, and one per node without any (type empty)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["start_label", "start_id", "start_name", "type", "end_label", "end_id",
                     "end_name", "properties"])
    nodes = graph.nodes
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[2]["type"], e[1])):
        props = {k: x for k, x in data.items() if k != "type"}
        writer.writerow([
            nodes[u]["label"], nodes[u]["id"], nodes[u]["name"], data["type"],
            nodes[v]["label"], nodes[v]["id"], nodes[v]["name"],
            json.dumps(props, ensure_ascii=False, sort_keys=True),
        ])
    for node in sorted(n for n in graph if graph.degree(n) == 0):
        data = nodes[node]
        writer.writerow([data["label"], data["id"], data["name"], "", "", "", "", ""])
    return out.getvalue()


def cypher_literal(value: Any) -> str:
    """``value`` as a Cypher literal (strings quoted and escaped, maps keyed safely)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # JSON's escapes for quotes, backslashes and \n \t \r are Cypher's too;
        # other characters stay as UTF-8 text, which every engine reads.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(
            f"{cypher_name(str(k))}: {cypher_literal(v)}" for k, v in value.items()
        ) + "}"
    return cypher_literal(str(value))


def cypher_name(name: str) -> str:
    """An identifier (label, type, property key) quoted with backticks."""
    return "`" + name.replace("`", "``") + "`"


def _cypher(graph: nx.MultiDiGraph[str]) -> str:
    lines = ["// partnergraph export: run in the Neo4j Browser or cypher-shell"]
    nodes = graph.nodes
    for label in sorted({data["label"] for _, data in graph.nodes(data=True)}):
        lines.append(
            f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{cypher_name(label)}) REQUIRE n.id IS UNIQUE;"
        )
    for node in sorted(graph):
        data = nodes[node]
        props = {k: v for k, v in data.items() if k != "label" and v is not None}
        lines.append(
            f"MERGE (n:{cypher_name(data['label'])} {{id: {cypher_literal(data['id'])}}}) "
            f"SET n += {cypher_literal(props)};"
        )
    for u, v, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[2]["type"], e[1])):
        props = {k: x for k, x in data.items() if k != "type" and x is not None}
        a, b = nodes[u], nodes[v]
        lines.append(
            f"MATCH (a:{cypher_name(a['label'])} {{id: {cypher_literal(a['id'])}}}), "
            f"(b:{cypher_name(b['label'])} {{id: {cypher_literal(b['id'])}}}) "
            f"MERGE (a)-[r:{cypher_name(data['type'])}]->(b) SET r += {cypher_literal(props)};"
        )
    return "\n".join(lines) + "\n"


_WRITERS: dict[ExportFormat, Callable[[nx.MultiDiGraph[str]], str]] = {
    ExportFormat.GRAPHML: _graphml,
    ExportFormat.GEXF: _gexf,
    ExportFormat.JSON: _json,
    ExportFormat.CSV: _csv,
    ExportFormat.CYPHER: _cypher,
}


def export_graph(projections: Projections, fmt: ExportFormat) -> tuple[str, str]:
    """The whole graph as text in ``fmt``, with its media type."""
    _version, graph = projections.typed()
    return _WRITERS[fmt](graph), MEDIA_TYPES[fmt]
