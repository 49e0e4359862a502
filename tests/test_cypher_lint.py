"""Every Cypher text partnergraph sends passes Neo4j's own linter.

The texts are collected from the modules (UPPER_CASE string constants that
are Cypher), the query builders for every label and relationship, the Neo4j
schema statements and an export script; Neo4j's ``@neo4j-cypher/language-support``
lints them through node. Without node or the npm package the test skips,
except under CI, where both must be there.
"""

from __future__ import annotations

import importlib
import itertools
import json
import pkgutil
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import graph
import queries
from graph import neo4j_store, writer
from graph.model import Label, RelType
from queries.operations import operations_query
from tests.conftest import need

LINT_DIR = Path(__file__).parent / "cypher_lint"
CYPHER_START = re.compile(r"^\s*(MATCH|OPTIONAL MATCH|UNWIND|CALL|CREATE|MERGE|RETURN|WITH)\b")
# Engine-specific texts that Neo4j never receives (FalkorDB's index DDL lives
# in the FalkorDB adapter and is built inline, not as constants).
SKIP_MODULES = {"graph.falkor", "graph.embedded"}


def _module_queries() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in (graph, queries):
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            if info.name in SKIP_MODULES or info.name.endswith(("cli", "cli_query")):
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                # Private string constants are fragments of larger texts.
                if not name.isupper() or (name.startswith("_") and isinstance(value, str)):
                    continue
                texts = value.values() if isinstance(value, dict) else [value]
                for i, text in enumerate(texts):
                    if isinstance(text, str) and CYPHER_START.match(text):
                        found[f"{info.name}.{name}[{i}]"] = text
    return found


def _builder_queries() -> dict[str, str]:
    found = {f"merge_nodes_query({label})": writer.merge_nodes_query(label) for label in Label}
    for rel in RelType:
        found[f"merge_rels_query({rel})"] = writer.merge_rels_query(rel, Label.AGENCY,
                                                                     Label.OPERATION)
    for flags in itertools.product((False, True), repeat=5):
        found[f"operations_query{flags}"] = operations_query(*flags)
    for i, statement in enumerate(neo4j_store._schema_statements()):
        found[f"neo4j schema {i}"] = statement
    return found


def _export_script_queries() -> dict[str, str]:
    """The statements of a Cypher export of a graph with hostile names."""
    import networkx as nx

    from queries.export import _cypher

    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node("Agency:x", label="Agency", id="x", name='Q"uote \\ back `tick` \'single\'',
               aliases=["a", "b"], metrics={"k": 1})
    g.add_node("Operation:o", label="Operation", id="o", name="Op\nnew line", year=2020)
    g.add_edge("Agency:x", "Operation:o", key="PARTICIPATED_IN", type="PARTICIPATED_IN",
               role="}) DETACH DELETE n //", sources=["s1"], weight=1.5, inferred=True)
    lines = [ln for ln in _cypher(g).splitlines() if ln and not ln.startswith("//")]
    return {f"export line {i}": line.rstrip(";") for i, line in enumerate(lines)}


def _lint(texts: list[str]) -> list[list[dict[str, object]]]:
    node = shutil.which("node")
    need(node is not None, "node is not installed (Neo4j's Cypher linter runs on node)")
    need((LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir(),
         f"the Cypher linter is not installed: npm ci --prefix {LINT_DIR}")
    assert node is not None
    result = subprocess.run(
        [node, str(LINT_DIR / "lint.mjs")], input=json.dumps(texts), capture_output=True,
        text=True, cwd=LINT_DIR, timeout=300, check=True,
    )
    parsed: list[list[dict[str, object]]] = json.loads(result.stdout)
    return parsed


def test_the_catalogue_is_collected() -> None:
    found = _module_queries()
    # A collector that finds nothing would make the lint test pass vacuously.
    for expected in ("queries.agencies.PARTNERS[0]", "queries.countries.COOPERATION[0]",
                     "graph.writer.REBUILD_PARTNERS[0]", "graph.projection.TYPED_NODES[0]",
                     "queries.lookup._BY_ID[0]"):
        assert expected in found, expected
    assert len(found) > 40


BROKEN = [
    "MATCH (a:Agency RETURN a",  # unclosed node pattern
    "MATCH (a:Agency) RETURN a ORDER",  # ORDER without BY
    "MATCH (a)-[:PARTICIPATED_IN]-> RETURN a",  # relationship to nothing
]


@pytest.fixture(scope="module")
def linted() -> dict[str, tuple[str, list[dict[str, object]]]]:
    """Every text linted in one node run (the library takes seconds to load)."""
    texts = {**_module_queries(), **_builder_queries(), **_export_script_queries()}
    texts.update({f"broken {i}": q for i, q in enumerate(BROKEN)})
    names = list(texts)
    results = _lint([texts[n] for n in names])
    return {n: (texts[n], r) for n, r in zip(names, results, strict=True)}


def test_every_cypher_text_passes_neo4j_linter(
    linted: dict[str, tuple[str, list[dict[str, object]]]],
) -> None:
    errors = {
        name: {"query": text, "errors": diags}
        for name, (text, diags) in linted.items()
        if diags and not name.startswith("broken")
    }
    assert errors == {}, json.dumps(errors, indent=2)


@pytest.mark.parametrize("index", range(len(BROKEN)))
def test_the_linter_reports_a_broken_query(
    linted: dict[str, tuple[str, list[dict[str, object]]]], index: int
) -> None:
    text, diags = linted[f"broken {index}"]
    assert diags, f"the linter accepted {text!r}"
