"""A corpus of documents in the styles real sources use, loaded into one store and held
to what a reader of them finds: every agency once, no two agencies merged, every fact
on the right entities and every table that is not graph data reported.

The documents (tests/fixtures/corpus, and a workbook written here) are the project's
own; the expectations below were written from reading them, not from the loader.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.store import GraphStore
from loaders.pipeline import ExitCode, LoadReport, load_paths

FENTANYL = "three-nation-task-force-breaks-up-a-fentanyl-precursor-pipeline"
BORDER = "agencies-pool-resources-against-human-smuggling-on-the-southern-border"
DEA = "drug-enforcement-administration"
HSI = "homeland-security-investigations"
RCMP = "royal-canadian-mounted-police"
FGR = "fiscalia-general-de-la-republica"
COLOMBIAN_POLICE = "policia-nacional-de-colombia"
SPANISH_POLICE = "policia-nacional-es"
PHILIPPINE_POLICE = "philippine-national-police"

AGENCIES = {
    DEA, RCMP, "canada-border-services-agency", "federal-bureau-of-investigation", HSI,
    "us-immigration-and-customs-enforcement", FGR, "us-coast-guard",
    "joint-interagency-task-force-south", "armada-de-colombia", COLOMBIAN_POLICE,
    "guardia-civil", "us-border-patrol", "us-customs-and-border-protection",
    "texas-department-of-public-safety", "international-criminal-police-organization",
    "an-garda-siochana", "policia-judiciaria",
    "european-union-agency-for-law-enforcement-cooperation", "policia-nacional-del-peru",
    SPANISH_POLICE, PHILIPPINE_POLICE,
}
COUNTRIES = {"US", "CA", "MX", "CO", "ES", "EC", "PA", "DO", "JM", "VI", "IE", "GB", "PT", "MA",
             "PE", "CI", "NL", "PH"}
OPERATIONS = {FENTANYL, BORDER, "operation-coastal-shield", "operation-orion",
              "operation-caribe", "operation-pangea-xvi", "operation-trident-gate",
              "operation-twin-harbours"}
AGENCY_OPERATIONS = {
    *((a, FENTANYL) for a in (DEA, RCMP, "canada-border-services-agency",
                              "federal-bureau-of-investigation", HSI, FGR)),
    *((a, "operation-coastal-shield") for a in (
        "us-coast-guard", "joint-interagency-task-force-south", "armada-de-colombia",
        COLOMBIAN_POLICE, "guardia-civil")),
    *((a, BORDER) for a in (HSI, "us-border-patrol", "us-customs-and-border-protection",
                            "texas-department-of-public-safety")),
    ("international-criminal-police-organization", "operation-pangea-xvi"),
    ("an-garda-siochana", "operation-pangea-xvi"),
    ("guardia-civil", "operation-trident-gate"),
    ("policia-judiciaria", "operation-trident-gate"),
    *((a, "operation-twin-harbours") for a in (COLOMBIAN_POLICE, SPANISH_POLICE,
                                               PHILIPPINE_POLICE, DEA)),
}
COUNTRY_OPERATIONS = {
    *((c, "operation-orion") for c in ("CO", "EC", "PA", "ES")),
    *((c, "operation-caribe") for c in ("DO", "JM", "VI")),
    ("IE", "operation-pangea-xvi"), ("GB", "operation-pangea-xvi"),
    *((c, "operation-trident-gate") for c in ("ES", "PT", "MA")),
}
AGENCY_REGIONS = {
    (HSI, "us-southern-border"), ("us-border-patrol", "us-texas"),
    ("us-customs-and-border-protection", "us-arizona"),
    ("us-customs-and-border-protection", "us-new-mexico"),
    ("texas-department-of-public-safety", "us-texas"), (DEA, "southwestern-united-states"),
    ("european-union-agency-for-law-enforcement-cooperation", "european-union"),
    ("policia-nacional-del-peru", "pe-nationwide"), ("policia-nacional-del-peru", "northern-peru"),
}
# countries a table states for an agency (the others come from the catalogue)
STATED_HOMES = {(DEA, "US"), (RCMP, "CA"), (FGR, "MX"), (COLOMBIAN_POLICE, "CO"),
                (SPANISH_POLICE, "ES"), (PHILIPPINE_POLICE, "PH")}
MARKETS = {("CO", "cocaine-trade", 10, None), ("CO", "human-trafficking", 8, 2023),
           ("CI", "cocaine-trade", 6, None), ("CI", "human-trafficking", 6, 2023),
           ("NL", "cocaine-trade", 7.5, None), ("NL", "human-trafficking", 5.5, 2023)}


def _workbook(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Participants"
    sheet.append(["Operation Twin Harbours: participating agencies"])  # a title row
    sheet.append(["Operation", "Country", "Agency", "Role"])
    for country, agency, role in [
        ("Colombia", "National Police", "Port searches"),
        ("Spain", "National Police", "Arrests"),  # another country's national police
        ("Philippines", "Philippine National Police (PNP)", "Container tracing"),
        ("Philippines", "PNP", "Arrests"),  # PNP here is the Philippines', not Peru's
        ("United States", "DEA", "Liaison"),
    ]:
        sheet.append(["Operation Twin Harbours", country, agency, role])
    book.save(path)


@pytest.fixture
def loaded(store: GraphStore, fixture_path: Path, tmp_path: Path) -> LoadReport:
    workbook = tmp_path / "twin-harbours.xlsx"
    _workbook(workbook)
    corpus = fixture_path / "corpus"
    paths = [corpus / name for name in (
        "fentanyl-pipeline.md", "coastal-shield.html", "border-taskforce.txt", "review.json",
        "organised-crime-index.csv")] + [workbook]
    report = load_paths(store, paths)
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    return report


def pairs(store: GraphStore, query: str) -> set[tuple[object, ...]]:
    return {tuple(row.values()) for row in store.read(query)}


def test_every_agency_once_and_no_two_merged(store: GraphStore, loaded: LoadReport) -> None:
    rows = store.read("MATCH (a:Agency) RETURN a.id AS id, a.name AS name")
    assert {r["id"] for r in rows} == AGENCIES
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names)), names  # no agency shown twice under one name


def test_countries_and_operations(store: GraphStore, loaded: LoadReport) -> None:
    assert pairs(store, "MATCH (c:Country) RETURN c.id") == {(c,) for c in COUNTRIES}
    assert pairs(store, "MATCH (o:Operation) RETURN o.id") == {(o,) for o in OPERATIONS}


def test_who_took_part_in_what(store: GraphStore, loaded: LoadReport) -> None:
    assert pairs(store, "MATCH (a:Agency)-[:PARTICIPATED_IN]->(o:Operation) "
                        "RETURN a.id, o.id") == AGENCY_OPERATIONS
    assert pairs(store, "MATCH (c:Country)-[:PARTICIPATED_IN]->(o:Operation) "
                        "RETURN c.id, o.id") == COUNTRY_OPERATIONS


def test_where_agencies_work_and_are_based(store: GraphStore, loaded: LoadReport) -> None:
    assert pairs(store, "MATCH (a:Agency)-[:OPERATES_IN]->(r:Region) "
                        "RETURN a.id, r.id") == AGENCY_REGIONS
    assert pairs(store, "MATCH (a:Agency)-[r:BASED_IN {inferred: false}]->(c:Country) "
                        "RETURN a.id, c.id") == STATED_HOMES
    assert pairs(store, "MATCH (a:Agency)-[:PART_OF]->(p:Agency) RETURN a.id, p.id") == {
        (HSI, "us-immigration-and-customs-enforcement"),
        ("us-border-patrol", "us-customs-and-border-protection"),
    }


def test_markets_and_sector_figures(store: GraphStore, loaded: LoadReport) -> None:
    assert pairs(store, "MATCH (c:Country)-[m:HAS_MARKET]->(s:CrimeSector) "
                        "RETURN c.id, s.id, m.score, m.year") == MARKETS
    assert pairs(store, "MATCH (s:CrimeSector) WHERE s.annual_revenue IS NOT NULL "
                        "RETURN s.id, s.annual_revenue, s.annual_revenue_high") == {
        ("synthetic-drug-trade", 3e10, 5e10), ("money-laundering", 2e12, None)}


def test_what_is_not_graph_data_is_reported(loaded: LoadReport) -> None:
    skipped = {(Path(f.path).name, s.headers) for f in loaded.files for s in f.skipped}
    assert skipped == {("fentanyl-pipeline.md",
                        ("Priority", "Recommended Action", "Expected Benefit"))}
    ignored = {(Path(f.path).name, i.headers) for f in loaded.files for i in f.ignored}
    assert ignored == {("organised-crime-index.csv", ("Criminality", "Mafia-style groups", "Rank"))}


def test_every_fact_cites_its_document_and_row(store: GraphStore, loaded: LoadReport) -> None:
    sources = {r["id"]: r["path"] for r in store.read("MATCH (s:Source) RETURN s.id AS id, "
                                                      "s.path AS path")}
    assert len(sources) == 6
    rows = store.read("MATCH ()-[r]->() WHERE type(r) <> 'PARTNERS_WITH' "
                      "RETURN r.sources AS s, r.evidence AS e")
    for row in rows:
        assert row["s"] and set(row["s"]) <= sources.keys(), row
        assert row["e"] and all(":" in e or "#row" in e for e in row["e"]), row
    # the split cell "FBI & HSI" is cited as its one row for both agencies
    cited = store.read("MATCH (a:Agency)-[r:PARTICIPATED_IN]->(:Operation {id: $op}) "
                       "WHERE a.acronym IN ['FBI', 'HSI'] RETURN r.evidence AS e", {"op": FENTANYL})
    assert [row["e"] for row in cited] == [["fentanyl-pipeline.md:12 (table 1, row 4)"]] * 2
