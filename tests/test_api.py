"""The HTTP API over real HTTP (TestClient) on the real embedded store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.store import GraphStore
from loaders.pipeline import load_paths


@pytest.fixture
def client(store: GraphStore, fixture_path: Path) -> Iterator[TestClient]:
    load_paths(store, [fixture_path / "western-operation.txt", fixture_path / "coalition.txt"])
    with TestClient(create_app(store=store)) as test_client:
        yield test_client


def test_health_reports_store_and_counts(client: TestClient, store: GraphStore) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["store"] == store.kind
    assert body["nodes"] == sum(body["labels"].values()) > 0
    assert body["labels"]["Agency"] == 6


@pytest.mark.parametrize("ref", ["fbi", "FBI", "Federal Bureau of Investigation",
                                 "federal-bureau-of-investigation", "the bureau"])
def test_agency_by_any_name(client: TestClient, ref: str) -> None:
    response = client.get(f"/agencies/{ref}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Federal Bureau of Investigation"
    assert body["regions"][0]["name"] == "United States (nationwide)"


def test_partners_of_fbi(client: TestClient) -> None:
    body = client.get("/agencies/FBI/partners").json()
    assert body["agency"]["acronym"] == "FBI"
    assert {p["name"] for p in body["items"]} == {
        "Drug Enforcement Administration", "Homeland Security Investigations",
        "ICE San Francisco",
    }
    for partner in body["items"]:
        assert partner["weight"] == 1 == len(partner["operations"])
        assert partner["sources"]


def test_unknown_agency_is_json_404_with_suggestions(client: TestClient) -> None:
    response = client.get("/agencies/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    near = client.get("/agencies/Drug Enforcment Administration").json()["error"]
    assert near["suggestions"][0] == "Drug Enforcement Administration"


@pytest.mark.parametrize(
    "url",
    [
        "/agencies?limit=0",  # below the minimum
        "/agencies?limit=5000",  # above the cap
        "/agencies?offset=-1",
        "/agencies?country=" + "x" * 101,  # longer than any country name
        "/maps/agency/FBI?hops=9",
    ],
)
def test_bad_parameters_are_json_422(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_agency_search_and_pagination(client: TestClient) -> None:
    everything = client.get("/agencies").json()["items"]
    assert len(everything) == 6
    page = client.get("/agencies?limit=2&offset=2").json()
    assert [a["id"] for a in page["items"]] == [a["id"] for a in everything[2:4]]
    found = client.get("/agencies?q=bureau").json()["items"]
    assert {a["acronym"] for a in found} == {"FBI", "ATF"}
    assert client.get("/agencies?country=us").json()["page"]["count"] == 6


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/no/such/route")
    assert response.status_code == 404 and "error" in response.json()


def test_agency_map_loads_nothing_from_outside(client: TestClient) -> None:
    response = client.get("/maps/agency/FBI")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert refs, "the page loads its scripts from the server"
    assert all(ref.startswith(("/assets/", "data:")) for ref in refs), refs
    assert "http://" not in html and "https://" not in html.replace("https://www.w3.org", "")
    for ref in (r for r in refs if r.startswith("/")):
        asset = client.get(ref)
        assert asset.status_code == 200 and len(asset.content) > 1000
        assert "immutable" in asset.headers["cache-control"]
    assert "Federal Bureau of Investigation" in html
    # FBI and its three partners, who all took part in the same operation: every
    # partnership among the four is drawn (4 choose 2).
    assert "4 agencies, 6 partnerships" in html


def test_map_of_unknown_agency_is_404(client: TestClient) -> None:
    assert client.get("/maps/agency/nope").status_code == 404


def test_hostile_names_are_escaped_in_map_pages(store: GraphStore, tmp_path: Path) -> None:
    evil = "</script><script>window.pwned=1</script><img src=x onerror=alert(1)>"
    path = tmp_path / "evil.csv"
    path.write_text(f"agency,role,impact,operation\n\"{evil}\",x,y,Op\nFBI,a,b,Op\n")
    load_paths(store, [path])
    with TestClient(create_app(store=store)) as client:
        html = client.get("/maps/agency/FBI").text
    assert evil not in html
    assert "<img src=x" not in html and "</script><script>window" not in html
    assert "\\u003c/script\\u003e" in html  # carried inside the JSON data, escaped


def test_home_page_searches_and_escapes(store: GraphStore, tmp_path: Path) -> None:
    evil = "<script>window.pwned=1</script> Bureau"
    path = tmp_path / "evil.csv"
    path.write_text(f"agency,role,impact,operation\n\"{evil}\",x,y,Op\nFBI,a,b,Op\n")
    load_paths(store, [path])
    with TestClient(create_app(store=store)) as client:
        home = client.get("/")
        assert home.status_code == 200 and 'href="/docs"' in home.text
        page = client.get("/", params={"q": "bureau"}).text
        missing = client.get("/", params={"q": "<b>zzz</b>"}).text
    assert "Federal Bureau of Investigation" in page
    assert "/maps/agency/federal-bureau-of-investigation" in page
    assert evil not in page and "&lt;script&gt;window.pwned=1&lt;/script&gt; Bureau" in page
    assert "<script" not in page.lower()  # the home page runs no script at all
    assert "No agency matches" in missing and "<b>zzz</b>" not in missing


def test_large_maps_lay_out_on_the_server_with_physics_off() -> None:
    from api.maps import PHYSICS_MAX_NODES, MapEdge, MapNode, render_map
    from graph.model import Label

    # Above 500 nodes networkx's layout needs scipy: a big map must still render.
    nodes = [MapNode(f"Agency:{i}", Label.AGENCY, f"Agency {i}") for i in range(800)]
    edges = [MapEdge(f"Agency:{i}", f"Agency:{(i * 7 + 1) % 800}", ["Op"], []) for i in range(800)]
    html = render_map("big", "big", nodes, edges, asset_base=None)
    assert html.count('"label": "Agency ') == 800
    assert '"physics": {"enabled": false' in html and PHYSICS_MAX_NODES < 800


def test_revenue_ranges_and_what_countries_did(store: GraphStore, fixture_path: Path,
                                               tmp_path: Path) -> None:
    partners = tmp_path / "partners.md"
    partners.write_text("# Operation Atlantic Gate\n\n| Country | Role | Contribution |\n"
                        "|---|---|---|\n| Portugal | Maritime patrols | Two vessels boarded |\n")
    load_paths(store, [fixture_path / "corpus" / "fentanyl-pipeline.md", partners])
    with TestClient(create_app(store=store)) as client:
        sector = client.get("/sectors/synthetic drugs").json()
        assert (sector["annual_revenue"], sector["annual_revenue_high"]) == (3e10, 5e10)
        listed = {s["id"]: s for s in client.get("/sectors").json()["items"]}
        assert listed["money-laundering"]["annual_revenue_high"] is None
        [country] = client.get("/operations/operation atlantic gate").json()["countries"]
        assert (country["code"], country["role"], country["impact"]) == (
            "PT", "Maritime patrols", "Two vessels boarded")
