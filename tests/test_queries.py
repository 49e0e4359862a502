"""Every query on a small graph loaded in the test, over real HTTP, checked against
hand counts and against networkx run independently on the same edges."""

from __future__ import annotations

import csv
import math
import random
import threading
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.projection import Projections, adamic_adar, all_shortest_paths, brokers
from graph.store import GraphStore
from loaders.pipeline import load_paths

FBI = "federal-bureau-of-investigation"
DEA = "drug-enforcement-administration"
FGR = "fiscalia-general-de-la-republica"
RCMP = "royal-canadian-mounted-police"
NCA = "national-crime-agency"
BKA = "bundeskriminalamt"
GDF = "guardia-di-finanza"

# operation, year, countries, agencies, sector, outcome
OPERATIONS = [
    ("Op Alpha", "2019", "U.S., Mexico", "FBI, DEA, FGR", "drug trafficking", "Cartels hit"),
    ("Op Bravo", "2020", "U.S., Colombia", "FBI, DEA", "money laundering", "Accounts frozen"),
    ("Op Charlie", "2021", "Mexico, Canada", "FGR, RCMP", "narcotics", "Routes mapped"),
    ("Op Delta", "", "Canada, United Kingdom", "RCMP, NCA", "cybercrime", "Servers seized"),
    ("Op Echo", "2022", "Germany, Italy", "BKA, GdF", "money laundering", "Ring exposed"),
    ("Op Golf", "2023", "Canada", "DEA, RCMP", "human trafficking", "Victims freed"),
]
# The agency projection of OPERATIONS, written out by hand.
EDGES = {
    (FBI, DEA): ["op-alpha", "op-bravo"],
    (FBI, FGR): ["op-alpha"],
    (DEA, FGR): ["op-alpha"],
    (FGR, RCMP): ["op-charlie"],
    (RCMP, NCA): ["op-delta"],
    (BKA, GDF): ["op-echo"],
    (DEA, RCMP): ["op-golf"],
}


def expected_graph() -> nx.Graph[str]:
    g: nx.Graph[str] = nx.Graph()
    for (a, b), ops in EDGES.items():
        g.add_edge(a, b, weight=len(ops))
    return g


def write_operations(path: Path, rows: list[tuple[str, ...]]) -> Path:
    """An operations table (the OPERATIONS columns) as a CSV file."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Operation", "Year", "Countries Involved", "Agencies", "Crime Sector",
                      "Outcome"])
        out.writerows(rows)
    return path


@pytest.fixture
def loaded(store: GraphStore, tmp_path: Path) -> GraphStore:
    path = write_operations(tmp_path / "operations.csv", OPERATIONS)
    report = load_paths(store, [path])
    assert report.rows_loaded == len(OPERATIONS), [str(e) for e in report.errors]
    return store


@pytest.fixture
def client(loaded: GraphStore) -> Iterator[TestClient]:
    with TestClient(create_app(store=loaded)) as test_client:
        yield test_client


def ok(client: TestClient, url: str) -> dict:  # type: ignore[type-arg]
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


# -- partners and shared operations ---------------------------------------------------


def test_projection_matches_the_hand_built_graph(loaded: GraphStore) -> None:
    projection = Projections(loaded).agencies()
    got = {tuple(sorted((u, v))): sorted(d["operations"])
           for u, v, d in projection.graph.edges(data=True)}
    assert got == {tuple(sorted(k)): v for k, v in EDGES.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {DEA: 2, FGR: 1}),  # all partners, DEA through two operations
        ("?sector=narcotics", {DEA: 1, FGR: 1}),  # only Op Alpha targets drugs
        ("?year_from=2020", {DEA: 1}),  # Op Bravo only
        ("?year_to=2019", {DEA: 1, FGR: 1}),
        ("?country=Mexico", {FGR: 1}),  # partner's home country
        ("?min_weight=2", {DEA: 2}),
        ("?country=CA", {}),  # empty, not an error
    ],
)
def test_partner_filters(client: TestClient, query: str, expected: dict[str, int]) -> None:
    items = ok(client, f"/agencies/FBI/partners{query}")["items"]
    assert {p["id"]: p["weight"] for p in items} == expected


def test_partners_carry_years_operations_and_sources(client: TestClient) -> None:
    dea = ok(client, "/agencies/FBI/partners")["items"][0]
    assert dea["id"] == DEA and (dea["first_year"], dea["last_year"]) == (2019, 2020)
    assert [o["name"] for o in dea["operations"]] == ["Op Alpha", "Op Bravo"]
    assert len(dea["sources"]) == 1


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/agencies/FBI/partners?country=Atlantis", 404, None),  # unknown country
        ("/agencies/FBI/partners?year_from=2022&year_to=2020", 422, "year_from"),
        ("/agencies/FBI/partners?min_weight=0", 422, "min_weight"),
        ("/agencies/Nobody/partners", 404, None),
    ],
)
def test_partner_errors(client: TestClient, url: str, status: int, field: str | None) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["error"].get("field") == field


def test_shared_operations(client: TestClient) -> None:
    body = ok(client, "/agencies/FBI/shared/DEA")
    assert [o["name"] for o in body["items"]] == ["Op Alpha", "Op Bravo"]
    assert body["a"]["id"] == FBI and body["b"]["id"] == DEA
    assert ok(client, "/agencies/FBI/shared/BKA")["items"] == []  # never worked together
    same = client.get("/agencies/FBI/shared/Federal Bureau of Investigation")
    assert same.status_code == 422  # self-pair


# -- paths ------------------------------------------------------------------------------


def test_path_with_tied_routes_matches_networkx(client: TestClient) -> None:
    body = ok(client, "/paths?source=FBI&target=NCA")
    expected = sorted(nx.all_shortest_paths(expected_graph(), FBI, NCA))
    assert body["hops"] == 3 and body["count"] == len(expected) == 2
    assert sorted([a["id"] for a in p["agencies"]] for p in body["paths"]) == expected
    via_dea = next(p for p in body["paths"] if p["agencies"][1]["id"] == DEA)
    assert [o["name"] for o in via_dea["steps"][0]["operations"]] == ["Op Alpha", "Op Bravo"]
    assert [o["name"] for o in via_dea["steps"][1]["operations"]] == ["Op Golf"]


@pytest.mark.parametrize(
    ("query", "hops"),
    [
        ("source=FBI&target=NCA&max_hops=2", None),  # too far for the limit
        ("source=FBI&target=BKA", None),  # another component
        ("source=FBI&target=DEA", 1),  # direct partners
    ],
)
def test_path_limits(client: TestClient, query: str, hops: int | None) -> None:
    body = ok(client, f"/paths?{query}")
    assert body["hops"] == hops
    assert (body["paths"] == []) == (hops is None)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("source=FBI&target=fbi", 422),  # the same agency twice
        ("source=FBI&target=Nobody", 404),
        ("source=FBI&target=NCA&max_hops=0", 422),
    ],
)
def test_path_errors(client: TestClient, query: str, status: int) -> None:
    assert client.get(f"/paths?{query}").status_code == status


@pytest.mark.parametrize("seed", range(20))
def test_all_shortest_paths_agree_with_networkx_on_random_graphs(seed: int) -> None:
    rng = random.Random(seed)
    g = nx.gnm_random_graph(60, rng.randint(50, 160), seed=seed)
    g = nx.relabel_nodes(g, {n: f"n{n:02d}" for n in g})
    s, t = rng.sample(sorted(g), 2)
    got = all_shortest_paths(g, s, t, max_hops=60, limit=10_000)
    if not nx.has_path(g, s, t):
        assert got.hops is None and got.count == 0
        return
    expected = sorted(nx.all_shortest_paths(g, s, t))
    assert got.hops == len(expected[0]) - 1
    assert got.count == len(expected)
    assert sorted(got.paths) == expected


# -- ego network ------------------------------------------------------------------------


def test_ego_network(client: TestClient) -> None:
    one = ok(client, "/agencies/FBI/network?hops=1")
    assert {n["id"]: n["distance"] for n in one["nodes"]} == {FBI: 0, DEA: 1, FGR: 1}
    assert len(one["edges"]) == 3 and not one["capped"]
    two = ok(client, "/agencies/FBI/network?hops=2")
    assert {n["id"] for n in two["nodes"]} == {FBI, DEA, FGR, RCMP}
    capped = ok(client, "/agencies/FBI/network?hops=2&max_nodes=2")
    # DEA is tied to FBI by two operations, FGR by one: DEA stays.
    assert [n["id"] for n in capped["nodes"]] == [FBI, DEA] and capped["capped"]


# -- operations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Op Alpha", "Op Bravo", "Op Charlie", "Op Delta", "Op Echo", "Op Golf"]),
        ("?country=Mexico", ["Op Alpha", "Op Charlie"]),
        ("?agency=RCMP", ["Op Charlie", "Op Delta", "Op Golf"]),
        ("?sector=laundering", ["Op Bravo", "Op Echo"]),  # a synonym
        ("?year=2022", ["Op Echo"]),
        ("?q=alp", ["Op Alpha"]),
        ("?q=zulu", []),
        ("?limit=2&offset=1", ["Op Bravo", "Op Charlie"]),
    ],
)
def test_operation_filters(client: TestClient, query: str, expected: list[str]) -> None:
    assert [o["name"] for o in ok(client, f"/operations{query}")["items"]] == expected


def test_operation_detail(client: TestClient) -> None:
    body = ok(client, "/operations/op alpha")
    assert {a["id"] for a in body["agencies"]} == {FBI, DEA, FGR}
    assert [c["code"] for c in body["countries"]] == ["MX", "US"]
    assert [(s["id"], s["inferred"]) for s in body["sectors"]] == [("drug-trafficking", False)]
    assert body["outcome"] == "Cartels hit" and body["year"] == 2019
    assert body["sources"] and all(a["evidence"] for a in body["agencies"])
    missing = client.get("/operations/Op Alpah")
    assert missing.status_code == 404
    assert missing.json()["error"]["suggestions"][0] == "Op Alpha"


# -- countries --------------------------------------------------------------------------


def test_countries_and_cooperation(client: TestClient) -> None:
    listed = {c["code"]: c for c in ok(client, "/countries")["items"]}
    assert listed["US"]["agencies"] == 2 and listed["CA"]["operations"] == 3
    us = ok(client, "/countries/U.S./partners")
    # Op Golf lists only Canada, but the DEA (US) took part: the US cooperated.
    got = {c["code"]: (c["weight"], c["sectors"]) for c in us["items"]}
    assert got == {
        "MX": (1, ["Drug trafficking"]),
        "CO": (1, ["Money laundering"]),
        "CA": (1, ["Human trafficking"]),
    }
    drugs = ok(client, "/countries/US/partners?sector=drug trafficking")["items"]
    assert [c["code"] for c in drugs] == ["MX"]
    detail = ok(client, "/countries/mexico")
    assert [a["id"] for a in detail["agencies"]] == [FGR]
    assert [o["name"] for o in detail["operations"]] == ["Op Alpha", "Op Charlie"]
    assert client.get("/countries/Atlantis").status_code == 404


# -- sectors ----------------------------------------------------------------------------


def test_sectors(client: TestClient) -> None:
    listed = {s["id"]: s for s in ok(client, "/sectors")["items"]}
    assert listed["money-laundering"]["operations"] == 2
    drugs = ok(client, "/sectors/narcotics")
    assert drugs["id"] == "drug-trafficking"
    assert [o["name"] for o in drugs["operations"]] == ["Op Alpha", "Op Charlie"]
    # Countries in drug operations, listed or through their agencies.
    assert {c["code"]: c["operations"] for c in drugs["countries"]} == {"MX": 2, "US": 1, "CA": 1}
    assert client.get("/sectors/knitting").status_code == 404


def test_sector_market_scores(store: GraphStore, fixture_path: Path) -> None:
    load_paths(store, [fixture_path / "crime-index.csv"])
    with TestClient(create_app(store=store)) as client:
        sectors = ok(client, "/sectors")["items"]
        with_markets = [s for s in sectors if s["markets"]]
        assert with_markets
        detail = ok(client, f"/sectors/{with_markets[0]['id']}")
        scores = [m["score"] for m in detail["markets"]]
        assert len(scores) == with_markets[0]["markets"] and scores == sorted(scores, reverse=True)


# -- analytics --------------------------------------------------------------------------


def test_brokers_match_networkx(client: TestClient) -> None:
    body = ok(client, "/analytics/brokers?limit=50")
    expected = nx.betweenness_centrality(expected_graph(), normalized=True)
    got = {b["id"]: b["score"] for b in body["items"]}
    assert got.keys() == expected.keys()
    assert all(math.isclose(got[k], expected[k], abs_tol=1e-6) for k in expected)
    assert body["items"][0]["id"] == RCMP and body["method"] == "exact"
    assert body["error"] is None and body["samples"] is None


def test_brokers_estimate_above_the_exact_size_is_within_its_error() -> None:
    g = nx.barabasi_albert_graph(600, 2, seed=3)
    first = brokers(g, exact_max=100, error=0.01, seed=7)
    again = brokers(g, exact_max=100, error=0.01, seed=7)
    assert first.method == "estimate" and first.samples and first.samples > 0
    assert first.scores == again.scores  # seeded: repeats
    expected = nx.betweenness_centrality(g, normalized=True)
    got = dict(first.scores)
    assert got.keys() == expected.keys()
    assert max(abs(got[n] - expected[n]) for n in g) <= 0.01
    top_exact = sorted(expected, key=lambda n: (-expected[n], n))[:5]
    assert {n for n, _ in first.scores[:10]} >= set(top_exact[:3])
    exact = brokers(g, exact_max=1000)
    assert exact.method == "exact" and exact.samples is None
    assert all(math.isclose(s, expected[n], abs_tol=1e-9) for n, s in exact.scores)


def test_brokers_of_tiny_graphs() -> None:
    assert brokers(nx.Graph()).scores == []
    pair = nx.Graph([("a", "b")])
    assert brokers(pair).scores == [("a", 0.0), ("b", 0.0)]
    assert brokers(nx.path_graph(3)).scores[0] == (1, 1.0)


def test_communities_are_seeded_and_split_components(client: TestClient) -> None:
    first = ok(client, "/analytics/communities")
    assert first == ok(client, "/analytics/communities")
    groups = [{m["id"] for m in c["members"]} for c in first["items"]]
    assert {BKA, GDF} in groups  # the separate component is its own community
    assert sum(len(g) for g in groups) == 7
    expected = nx.community.louvain_communities(expected_graph(), weight="weight", seed=7)
    assert sorted(map(sorted, groups)) == sorted(map(sorted, expected))
    strength = dict(expected_graph().degree(weight="weight"))
    for community in first["items"]:  # most connected members first
        ids = [m["id"] for m in community["members"]]
        assert ids == sorted(ids, key=lambda n: (-strength[n], n))


def test_likely_partners_with_reasons(client: TestClient) -> None:
    body = ok(client, "/agencies/FBI/likely-partners")
    g = expected_graph()
    expected = {v: s for _, v, s in nx.adamic_adar_index(
        g, [(FBI, n) for n in g if n != FBI and not g.has_edge(FBI, n)]) if s > 0}
    got = {p["id"]: p["score"] for p in body["items"]}
    assert got.keys() == expected.keys() == {RCMP}
    assert math.isclose(got[RCMP], expected[RCMP], rel_tol=1e-6)
    assert {s["id"] for s in body["items"][0]["shared_partners"]} == {DEA, FGR}
    assert ok(client, "/agencies/BKA/likely-partners")["items"] == []


# -- the projection cache -----------------------------------------------------------------


def test_projection_is_cached_and_rebuilt_after_a_load(loaded: GraphStore, tmp_path: Path) -> None:
    projections = Projections(loaded)
    first = projections.agencies()
    assert projections.agencies() is first
    extra = tmp_path / "more.csv"
    extra.write_text("Operation,Countries Involved,Agencies\nOp Hotel,Canada,\"NCA, BKA\"\n")
    load_paths(loaded, [extra])
    second = projections.agencies()
    assert second is not first and second.graph.has_edge(NCA, BKA)
    assert second.version.tag != first.version.tag


def test_projection_is_shared_by_concurrent_readers(loaded: GraphStore) -> None:
    projections = Projections(loaded)
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(projections.agencies()))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and all(p is seen[0] for p in seen)


# -- read-only Cypher and exports --------------------------------------------------------


def test_cypher_reads_with_parameters_and_caps_rows(client: TestClient) -> None:
    response = client.post("/cypher", json={
        "query": "MATCH (a:Agency) WHERE a.country = $c RETURN a.id AS id ORDER BY id",
        "parameters": {"c": "US"}, "limit": 1,
    })
    assert response.status_code == 200
    body = response.json()
    assert body == {"columns": ["id"], "rows": [{"id": DEA}], "truncated": True}


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"query": "MATCH (n) DETACH DELETE n"}, 400),  # writes are refused
        ({"query": "CREATE (:Agency {id: 'x'})"}, 400),
        ({"query": "MATCH (n RETURN n"}, 400),  # syntax error
        ({"query": "   "}, 422),
        ({"query": "RETURN 1", "limit": 0}, 422),
        ({"query": "RETURN 1", "timeout": 1000}, 422),
    ],
)
def test_cypher_refuses_writes_and_bad_input(
    client: TestClient, loaded: GraphStore, payload: dict[str, object], status: int
) -> None:
    before = loaded.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    response = client.post("/cypher", json=payload)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert loaded.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before


def test_exports_hold_the_whole_graph(client: TestClient, loaded: GraphStore) -> None:
    nodes = loaded.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    rels = loaded.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    graphml = client.get("/export/graphml")
    assert graphml.headers["content-type"].startswith("application/graphml+xml")
    g = nx.parse_graphml(graphml.text)
    assert (g.number_of_nodes(), g.number_of_edges()) == (nodes, rels)
    data = ok(client, "/export/json")
    assert (len(data["nodes"]), len(data["links"])) == (nodes, rels)
    gexf = client.get("/export/gexf")
    assert gexf.status_code == 200 and "<gexf" in gexf.text
    rows = list(csv.reader(client.get("/export/csv").text.splitlines()))
    assert len(rows) - 1 >= rels
    assert client.get("/export/pdf").status_code == 422


def test_cypher_export_recreates_the_graph(client: TestClient, loaded: GraphStore) -> None:
    before = ok(client, "/agencies/FBI/partners")
    script = client.get("/export/cypher").text
    counts = (loaded.read("MATCH (n) RETURN count(n) AS n")[0]["n"],
              loaded.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"])
    loaded.write("MATCH (n) DETACH DELETE n")
    for statement in script.split(";\n"):
        statement = statement.strip()
        # Constraints are Neo4j DDL; the embedded store keeps its own schema.
        if statement and not statement.startswith(("//", "CREATE CONSTRAINT")):
            loaded.write(statement)
    assert (loaded.read("MATCH (n) RETURN count(n) AS n")[0]["n"],
            loaded.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]) == counts
    assert ok(client, "/agencies/FBI/partners") == before


def test_adamic_adar_matches_networkx_on_random_graphs() -> None:
    for seed in range(5):
        g = nx.relabel_nodes(nx.powerlaw_cluster_graph(300, 2, 0.3, seed=seed),
                             {n: f"a{n:03d}" for n in range(300)})
        for node in ("a000", "a150", "a299"):
            got = adamic_adar(g, node, limit=1000)
            expected = {v: s for _, v, s in nx.adamic_adar_index(
                g, [(node, n) for n in g if n != node and not g.has_edge(node, n)]) if s > 0}
            assert {p.id for p in got} == set(expected)
            for p in got:
                assert math.isclose(p.score, expected[p.id], abs_tol=1e-6)
                assert p.shared == sorted(w for w in nx.common_neighbors(g, node, p.id)
                                          if g.degree(w) > 1)
            ranked = [(-p.score, p.id) for p in got]
            assert ranked == sorted(ranked)
            top = adamic_adar(g, node, limit=5)
            assert [p.id for p in top] == [p.id for p in got[:5]]
