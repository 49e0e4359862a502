"""Every map type in headless Chromium: counts checked against the JSON API,
offline, hostile names shown as text, inside a cross-origin iframe, and from
the file `partnergraph map` writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.model import slug
from graph.store import GraphStore
from loaders.pipeline import load_paths
from tests.test_browser import OUTPUT, browser, in_cross_origin_iframe, serve, watch
from tests.test_cli import run
from tests.test_queries import OPERATIONS, write_operations

__all__ = ["browser"]

EVIL_AGENCY = '<img src=x onerror="window.pwned=1">'
EVIL_OPERATION = "</script><script>window.pwned=2</script> 'quoted' \"op\""
EVIL_SECTOR = "javascript:window.pwned=3"
EVIL_ROWS = [
    (EVIL_OPERATION, "2024", "U.S., Canada", f"FBI, {EVIL_AGENCY}", EVIL_SECTOR,
     "<b>bold</b> " + "x" * 1_900),
]


@pytest.fixture
def world(store: GraphStore, tmp_path: Path) -> GraphStore:
    path = write_operations(tmp_path / "operations.csv", [*OPERATIONS, *EVIL_ROWS])
    report = load_paths(store, [path])
    assert not report.errors, [str(e) for e in report.errors]
    return store


@pytest.fixture
def server(world: GraphStore) -> Iterator[str]:
    with serve(world) as url:
        yield url


def _pairs(api: TestClient, ids: set[str]) -> int:
    """Partnerships among ``ids``, counted from each agency's partner list."""
    pairs = set()
    for agency in ids:
        for p in api.get(f"/agencies/{agency}/partners?limit=1000").json()["items"]:
            if p["id"] in ids:
                pairs.add(frozenset((agency, p["id"])))
    return len(pairs)


def expected_counts(api: TestClient, kind: str) -> tuple[int, int]:
    """(nodes, edges) a map must show, worked out from the JSON API."""
    if kind == "agency":
        ids = {"federal-bureau-of-investigation"} | {
            p["id"] for p in api.get("/agencies/FBI/partners").json()["items"]}
        return len(ids), _pairs(api, ids)
    if kind == "path":
        body = api.get("/paths?source=FBI&target=NCA&limit=100").json()
        ids = {a["id"] for p in body["paths"] for a in p["agencies"]}
        steps = {frozenset((s["source"], s["target"])) for p in body["paths"] for s in p["steps"]}
        return len(ids), len(steps)
    if kind == "country":
        detail = api.get("/countries/US").json()
        partners = api.get("/countries/US/partners").json()["items"]
        nodes = 1 + len(detail["agencies"]) + len(detail["operations"]) + len(partners)
        edges = (len(detail["agencies"]) + len(detail["operations"])
                 + sum(len(p["operations"]) for p in partners))
        return nodes, edges
    if kind == "operation":
        op = api.get("/operations/Op Alpha").json()
        n = len(op["agencies"]) + len(op["countries"]) + len(op["sectors"])
        return 1 + n, n
    if kind == "sector":
        sec = api.get("/sectors/drug trafficking").json()
        countries = {c["code"] for c in sec["countries"]} | {m["code"] for m in sec["markets"]}
        n = len(sec["operations"]) + len(sec["agencies"]) + len(countries)
        return 1 + n, n
    assert kind == "network"
    ids = {a["id"] for a in api.get("/agencies?limit=1000").json()["items"]}
    return len(ids), _pairs(api, ids)


MAPS = {
    "agency": ("/maps/agency/FBI", ["agency", "FBI"]),
    "path": ("/maps/path?source=FBI&target=NCA", ["path", "FBI", "NCA"]),
    "country": ("/maps/country/US", ["country", "US"]),
    "operation": ("/maps/operation/Op Alpha", ["operation", "Op Alpha"]),
    "sector": ("/maps/sector/drug trafficking", ["sector", "drug trafficking"]),
    "network": ("/maps/network", ["network"]),
}


def open_map(browser: Any, url: str, origin: str) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page()
    outside, errors = watch(page, origin)
    page.goto(url)
    page.wait_for_function("window.partnergraph && window.partnergraph.stable")
    return page, outside, errors


def counts(page: Any) -> tuple[int, int]:
    return (page.evaluate("window.partnergraph.nodes.length"),
            page.evaluate("window.partnergraph.edges.length"))


@pytest.mark.parametrize("kind", list(MAPS))
def test_map_renders_offline_with_the_right_counts(
    browser: Any, server: str, world: GraphStore, kind: str
) -> None:
    with TestClient(create_app(store=world)) as api:
        expected = expected_counts(api, kind)
    page, outside, errors = open_map(browser, server + MAPS[kind][0], server)
    assert counts(page) == expected
    assert page.locator("#legend li").count() >= 1
    summary = page.locator("#map-summary").inner_text()
    assert "Data version" in summary
    assert outside == [] and errors == []
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"map-{kind}.png"))


HOSTILE_MAPS = {
    "agency": ("/maps/agency/FBI", EVIL_AGENCY),
    "country": ("/maps/country/US", EVIL_OPERATION),
    # By id: the name holds "/", which no URL path segment can carry.
    "operation": (f"/maps/operation/{slug(EVIL_OPERATION)}", EVIL_SECTOR),
    "sector": (f"/maps/sector/{EVIL_SECTOR}", EVIL_OPERATION),
    "network": ("/maps/network", EVIL_AGENCY),
}


@pytest.mark.parametrize("kind", list(HOSTILE_MAPS))
def test_hostile_names_show_as_text_and_run_nothing(
    browser: Any, server: str, kind: str
) -> None:
    from urllib.parse import quote

    path, name = HOSTILE_MAPS[kind]
    page, outside, errors = open_map(browser, server + quote(path, safe="/?=&"), server)
    labels = page.evaluate("window.partnergraph.nodes.get().map(n => n.label)")
    assert name in labels
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("#network img, header img, header b").count() == 0
    assert outside == [] and errors == []


@pytest.mark.parametrize("kind", list(MAPS))
def test_map_file_from_the_cli_opens_from_disk(
    browser: Any, cli: list[str], world: GraphStore, tmp_path: Path, kind: str
) -> None:
    need_embedded = world.kind == "embedded"
    if not need_embedded and not world.location.startswith(("neo4j", "bolt", "falkordb")):
        pytest.skip("the CLI needs a store location it can open")
    with TestClient(create_app(store=world)) as api:
        expected = expected_counts(api, kind)
    target = tmp_path / f"{kind}.html"
    result = run(cli, "map", *MAPS[kind][1], "-o", str(target), "--db", world.location)
    assert result.returncode == 0, result.stderr
    page, outside, errors = open_map(browser, target.as_uri(), target.as_uri())
    assert counts(page) == expected
    assert outside == [] and errors == []


@pytest.mark.parametrize("kind", ["path", "operation", "network"])
def test_map_works_inside_a_cross_origin_iframe(browser: Any, server: str, kind: str) -> None:
    with in_cross_origin_iframe(browser, server + MAPS[kind][0]) as (inner, errors):
        assert inner.evaluate("window.partnergraph.nodes.length") > 1
        assert errors == []


def test_search_box_suggests_and_finds_a_node(browser: Any, server: str) -> None:
    page, outside, errors = open_map(browser, server + "/maps/network", server)
    assert page.locator("#node-names option").count() == 0  # built on first use
    box = page.locator("#search-box")
    box.focus()
    labels = page.evaluate("window.partnergraph.nodes.get().map(n => n.label)")
    options = page.eval_on_selector_all("#node-names option", "els => els.map(e => e.value)")
    assert sorted(options) == sorted(labels)
    box.fill("onerror")  # part of a hostile name: found as text
    box.press("Enter")
    page.wait_for_function("window.partnergraph.network.getSelectedNodes().length === 1")
    [selected] = page.evaluate("window.partnergraph.network.getSelectedNodes()")
    assert page.evaluate(f"window.partnergraph.nodes.get({selected!r}).label") == EVIL_AGENCY
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert outside == [] and errors == []
