"""Loading documents: tables in prose, CSV, resolution, provenance, idempotence, errors."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.model import Label, RelType
from graph.store import GraphStore
from loaders.build import Builder, Extraction
from loaders.normalise import (
    AgencyResolver,
    UnknownValue,
    parse_money,
    resolve_countries,
    resolve_region,
    split_acronym,
)
from loaders.pipeline import ExitCode, load_paths
from loaders.read import Document, Table, TableRow, read_document
from queries import agencies, stats


def counts(store: GraphStore) -> tuple[int, int]:
    c = stats.counts(store)
    return c.nodes, c.relationships


def test_tables_found_in_prose_without_outer_pipes(fixture_path: Path) -> None:
    doc = read_document(fixture_path / "western-operation.txt")
    assert doc.title == "Task Force Strikes Smuggling Rings Across the Western U.S."
    assert [t.headers[0] for t in doc.tables] == ["Agency", "Agency", "Indicator", "Focus Area"]
    first = doc.tables[0]
    assert first.line == 7
    assert [(r.line, r.cells[0]) for r in first.rows][:2] == [
        (9, "ICE San Francisco"), (10, "Federal Bureau of Investigation (FBI)"),
    ]


def test_tables_found_after_lists_with_outer_pipes(fixture_path: Path) -> None:
    doc = read_document(fixture_path / "coalition.txt")
    # the lede paragraph is too long to be a title
    assert doc.title == "Coalition Plans Joint Pressure on Criminal Networks"
    assert [t.headers for t in doc.tables][1] == ("Operation", "Countries Involved", "Outcome")
    assert [len(t.rows) for t in doc.tables] == [2, 3, 3]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Drug Enforcement Administration (DEA)", ("Drug Enforcement Administration", "DEA")),
        ("DEA (Drug Enforcement Administration)", ("Drug Enforcement Administration", "DEA")),
        ("FBI", ("FBI", "FBI")),  # acronym only
        ("ICE San Francisco", ("ICE San Francisco", None)),
        ("Illicit drug seizures (lbs)", ("Illicit drug seizures (lbs)", None)),  # not an acronym
    ],
)
def test_split_acronym(raw: str, expected: tuple[str, str | None]) -> None:
    assert split_acronym(raw) == expected


def test_one_agency_per_real_agency() -> None:
    resolver = AgencyResolver()
    ids = {resolver.resolve(n).id for n in (
        "FBI", "Federal Bureau of Investigation (FBI)", "federal bureau of investigation",
        "FEDERAL  BUREAU OF INVESTIGATION.", "the Bureau",
    )}
    assert ids == {"federal-bureau-of-investigation"}
    office = resolver.resolve("ICE San Francisco")
    assert office.parent == resolver.resolve("ICE").id
    assert office.country == "US"


def test_acronym_only_agency_joins_its_full_name_in_the_same_document() -> None:
    resolver = AgencyResolver(use_catalogue=False)
    resolver.register_full_names(["Zeta Police Service (ZPS)"])
    assert resolver.resolve("ZPS").id == resolver.resolve("Zeta Police Service").id


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        ("U.S., Mexico, Canada", ["US", "MX", "CA"]),
        ("USA; United Kingdom and Holland", ["US", "GB", "NL"]),
        ("Türkiye & Turkey", ["TR"]),  # both names, one country
        ("Korea, Republic of", ["KR"]),  # a comma inside one name
    ],
)
def test_country_lists(raw: str, codes: list[str]) -> None:
    assert [c.code for c in resolve_countries(raw)] == codes


def test_unknown_country_names_value_and_suggestions() -> None:
    with pytest.raises(UnknownValue, match="Atlantis") as info:
        resolve_countries("U.S., Atlantis")
    assert info.value.suggestions


def test_regions_belong_to_their_country() -> None:
    region = resolve_region("Southwestern U.S.")
    assert (region.name, region.country and region.country.code) == (
        "Southwestern United States", "US")
    assert resolve_region("Western United States").id == "western-united-states"
    home = resolve_countries("U.S.")[0]
    assert resolve_region("Nationwide", home).name == "United States (nationwide)"


@pytest.mark.parametrize(
    ("text", "amount"),
    [("$100 Billion", 1e11), ("$2 million", 2e6), ("USD 15bn", 1.5e10), ("1,500", 1500.0)],
)
def test_money(text: str, amount: float) -> None:
    parsed = parse_money(text)
    assert parsed is not None and parsed[0] == amount


def test_article_loads_with_fbi_partners(store: GraphStore, fixture_path: Path) -> None:
    report = load_paths(store, [fixture_path / "western-operation.txt"])
    assert report.exit_code == ExitCode.OK
    [file] = report.files
    assert file.shapes == {"agency-areas": 1, "participants": 1, "metrics": 1}
    assert [s.headers[0] for s in file.skipped] == ["Focus Area"]
    fbi = agencies.find_agency(store, "fbi")
    assert (fbi.name, fbi.acronym) == ("Federal Bureau of Investigation", "FBI")
    names = {p.name for p in agencies.partners(store, "FBI")}
    assert names == {"Drug Enforcement Administration", "Homeland Security Investigations",
                     "ICE San Francisco"}
    [row] = store.read("MATCH (a:Agency {id: 'ice-san-francisco'})-[:PART_OF]->(p:Agency) "
                       "RETURN p.acronym AS parent")
    assert row == {"parent": "ICE"}


def test_operation_name_option(store: GraphStore, fixture_path: Path) -> None:
    load_paths(store, [fixture_path / "western-operation.txt"], operation="Operation Redwood")
    rows = store.read("MATCH (:Agency)-[:PARTICIPATED_IN]->(o:Operation) "
                      "RETURN DISTINCT o.name AS name")
    assert rows == [{"name": "Operation Redwood"}]


def test_operations_table_links_countries(store: GraphStore, fixture_path: Path) -> None:
    load_paths(store, [fixture_path / "coalition.txt"])
    rows = store.read("MATCH (c:Country)-[:PARTICIPATED_IN]->(:Operation {id: 'project-sentinel'})"
                      " RETURN c.id AS code ORDER BY code")
    assert [r["code"] for r in rows] == ["CA", "MX", "US"]
    [sector] = store.read("MATCH (s:CrimeSector {id: 'drug-trafficking'}) "
                          "RETURN s.annual_revenue AS revenue, s.iccs AS iccs")
    assert sector == {"revenue": 1e11, "iccs": "06012"}


def test_loading_twice_changes_no_count(store: GraphStore, fixture_path: Path) -> None:
    paths = [fixture_path / "western-operation.txt", fixture_path / "coalition.txt"]
    load_paths(store, paths)
    first = counts(store)
    load_paths(store, paths)
    assert counts(store) == first
    assert first[0] > 20 and first[1] > 30


def test_csv_rows_land_on_the_same_entities(store: GraphStore, fixture_path: Path) -> None:
    load_paths(store, [fixture_path / "agency-areas.csv", fixture_path / "participants.csv"])
    from_csv = {p.id for p in agencies.partners(store, "FBI")}
    csv_counts = stats.counts(store).labels
    store.write("MATCH (n) DETACH DELETE n")
    load_paths(store, [fixture_path / "western-operation.txt"])
    assert {p.id for p in agencies.partners(store, "FBI")} == from_csv
    text_labels = stats.counts(store).labels
    for label in ("Agency", "Region", "Country"):
        assert csv_counts[label] == text_labels[label], label


def test_a_second_source_adds_itself_to_repeated_facts(store: GraphStore,
                                                       fixture_path: Path) -> None:
    load_paths(store, [fixture_path / "western-operation.txt"])
    before = counts(store)
    load_paths(store, [fixture_path / "agency-areas.csv"])
    [row] = store.read("MATCH (:Agency {id: 'federal-bureau-of-investigation'})"
                       "-[r:OPERATES_IN]->(:Region) RETURN r.sources AS s, r.evidence AS e")
    assert len(row["s"]) == 2
    assert any(e.startswith("agency-areas.csv:3") for e in row["e"])
    assert counts(store)[1] == before[1]  # no relationship duplicated


def test_every_relationship_has_a_source_and_a_row(store: GraphStore,
                                                   fixture_path: Path) -> None:
    load_paths(store, [fixture_path / "western-operation.txt", fixture_path / "coalition.txt"])
    sources = {r["id"] for r in store.read("MATCH (s:Source) RETURN s.id AS id")}
    rows = store.read("MATCH ()-[r]->() RETURN type(r) AS t, r.sources AS s, r.evidence AS e")
    assert rows
    for row in rows:
        assert row["s"] and set(row["s"]) <= sources, row
        if row["t"] != "PARTNERS_WITH":  # derived: carries the sources it derives from
            assert row["e"] and all(":" in e or "#row" in e for e in row["e"]), row


def test_bad_rows_are_reported_while_good_rows_load(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "ops.csv"
    path.write_text("operation,countries,outcome\nGood One,U.S.,ok\nBad One,Atlantis,no\n"
                    ",U.S.,no name\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.PARTIAL
    messages = [str(e) for e in report.errors]
    assert any(m.startswith(f"{path.name}:3:") and "Atlantis" in m for m in messages), messages
    assert any(m.startswith(f"{path.name}:4:") and "empty" in m for m in messages), messages
    assert store.read("MATCH (o:Operation) RETURN o.name AS n") == [{"n": "Good One"}]


def test_strict_writes_nothing_of_a_file_with_a_bad_row(store: GraphStore,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "ops.csv"
    path.write_text("operation,countries,outcome\nGood One,U.S.,ok\nBad One,Atlantis,no\n")
    report = load_paths(store, [path], strict=True)
    assert report.exit_code == ExitCode.NOTHING
    assert counts(store) == (0, 0)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.json", b'[{"operation": "x",', "invalid JSON"),  # truncated JSON
        ("binary.csv", b"\x00\x01\x02" * 100, "binary"),
        ("empty.csv", b"", "empty"),
        ("prose.txt", b"Just a paragraph, no tables at all.\n", "no tables"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),  # no traceback
    ],
)
def test_unreadable_files_leave_the_store_as_it_was(
    store: GraphStore, fixture_path: Path, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    load_paths(store, [fixture_path / "coalition.txt"])
    before = counts(store)
    path = tmp_path / name
    path.write_bytes(content)
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.NOTHING
    assert any(reason in str(e) for e in report.errors), [str(e) for e in report.errors]
    assert counts(store) == before


def test_dry_run_writes_nothing(store: GraphStore, fixture_path: Path) -> None:
    report = load_paths(store, [fixture_path / "coalition.txt"], dry_run=True)
    assert report.rows_loaded == 6
    assert counts(store) == (0, 0)


def test_hostile_names_are_stored_verbatim(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    evil = "<img src=x onerror=alert(1)> \"'; MATCH (n) DETACH DELETE n //"
    path.write_text(f'agency,role,impact,operation\n"{evil.replace(chr(34), chr(34) * 2)}",'
                    "x,y,Op\nFBI,a,b,Op\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    names = {p.name for p in agencies.partners(store, "FBI")}
    assert names == {evil}


def test_names_in_every_script_are_names(store: GraphStore, tmp_path: Path) -> None:
    """Agencies named in Cyrillic, Greek, Arabic, Chinese or with letters that have no
    ASCII form load as themselves; case and accents still fold in every script."""
    path = tmp_path / "scripts.csv"
    path.write_text(
        "operation,agency,role,impact\n"
        "Операция Щит,Министерство внутренних дел (МВД),Arrests,Seized narcotics\n"
        "Операция Щит,Ελληνική Αστυνομία,Intelligence,Arrested suspects\n"
        "Операция Щит,الشرطة الوطنية,Intelligence,Arrested suspects\n"
        "Операция Щит,公安部,Intelligence,Arrested suspects\n"
        "Операция Щит,Økokrim,Financial Investigation,Froze accounts\n"
        "Operation Nord,ØKOKRIM,Financial Investigation,Froze accounts\n"
        "Operation Nord,МВД,Arrests,Arrested suspects\n"
        "Operation Nord,ΕΛΛΗΝΙΚΉ ΑΣΤΥΝΟΜΊΑ,Intelligence,Arrested suspects\n",
        encoding="utf-8",
    )
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    names = {row["name"] for row in store.read("MATCH (a:Agency) RETURN a.name AS name")}
    assert names == {"Министерство внутренних дел", "Ελληνική Αστυνομία", "الشرطة الوطنية",
                     "公安部", "Økokrim"}
    ops = {row["id"] for row in store.read("MATCH (o:Operation) RETURN o.id AS id")}
    assert ops == {"операция-щит", "operation-nord"}
    nord = {p.name for p in agencies.partners(store, "økokrim")}
    assert "Министерство внутренних дел" in nord and "Ελληνική Αστυνομία" in nord


def test_latin1_csv_is_read(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("agency,role,impact,operation\nPolicía Nacional,a,b,Op\nFBI,c,d,Op\n"
                     .encode("cp1252"))
    load_paths(store, [path])
    assert {p.name for p in agencies.partners(store, "FBI")} == {"Policía Nacional"}


def test_missing_file_is_a_load_error(store: GraphStore, tmp_path: Path) -> None:
    report = load_paths(store, [tmp_path / "nope.csv"])
    assert report.exit_code == ExitCode.NOTHING
    assert isinstance(report.errors[0], LoadError) and "no such file" in str(report.errors[0])


def _random_participation(seed: int) -> tuple[tuple[str, ...], list[TableRow]]:
    """Participation rows mixing good, repeated, conflicting and broken cells."""
    rng = random.Random(seed)
    agencies = ["Federal Bureau of Investigation (FBI)", "FBI", "the Bureau", "ICE San Francisco",
                "Immigration and Customs Enforcement (ICE)", "DEA", "Europol", "Xyz Agency (XYZ)",
                "XYZ", "Xyz  agency", "", "A\x00B", "x" * 3000, "Agence Fran\u00e7aise",
                "AGENCE FRANCAISE", "<b>Bad</b>", "'; MATCH (n) DETACH DELETE n //",
                "FBI & DEA", "Europol/Eurojust", "National Police", "N/A"]
    roles = ["Drug Enforcement", "Intelligence Analysis", "", "Cyber Forensics", "Arrests"]
    impacts = ["Seized narcotics", "", "Froze accounts", "Dismantled a firearms ring"]
    sectors = ["", "drug trafficking", "cybercrime, fraud", "Atlantis crime",
               "narcotics; drug trafficking"]  # one sector named twice
    operations = ["Operation A", "Operation B", "", "Op \u00d8resund", "###"]
    years = ["", "2021", "March 2023", "n/a"]
    # the agency's country: a generic name is one agency per country; a list or an
    # unknown country rejects the row
    countries = ["", "Mexico", "Colombia", "Spain", "Atlantis", "Spain, Italy"]
    headers = ("Operation", "Agency", "Role", "Impact", "Crime sector", "Year", "Country")
    # some tables lack the optional columns: no year or sector, or no operation
    # (the document's title names it)
    kept = [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3], [1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5],
            [0, 1, 2, 3, 6]][seed % 5]
    headers = tuple(headers[i] for i in kept)
    rows = []
    for number in range(1, 1501):
        cells = [rng.choice(c) for c in (operations, agencies, roles, impacts, sectors, years,
                                         countries)]
        cells = [cells[i] for i in kept]
        if rng.random() < 0.03:
            cells.append("extra")  # ragged
        if rng.random() < 0.03:
            cells = cells[:2]  # short: padded with empty cells
        rows.append(TableRow(number, number + 1, tuple(cells)))
    return headers, rows


@pytest.mark.parametrize("seed", range(5))
def test_a_table_builds_as_its_rows_one_by_one(seed: int) -> None:
    """A long table is built a column at a time: the facts, evidence and errors must be
    those of the same rows given one per table, in order."""
    headers, rows = _random_participation(seed)

    def build(tables: list[Table]) -> Extraction:
        doc = Document("/in/p.csv", "p.csv", "p", "0" * 64, "csv", tables)
        return Builder(AgencyResolver()).build(doc)

    whole = build([Table(1, headers, rows, 1)])
    single = build([Table(1, headers, [row], 1) for row in rows])
    assert whole.rows_loaded == single.rows_loaded > 0
    assert [str(e) for e in whole.errors] == [str(e) for e in single.errors]
    assert len(whole.errors) > 0
    for rows_of in (whole.grouped.node_rows(), single.grouped.node_rows()):
        for source in rows_of[Label.SOURCE]:
            del source["props"]["loaded_at"]  # the clock, not the table
    assert whole.grouped.node_rows() == single.grouped.node_rows()
    assert whole.grouped.rel_rows() == single.grouped.rel_rows()
    # without an operation column every agency takes part in the one operation
    assert whole.grouped.counts()["PARTICIPATED_IN"] > (10 if "Operation" in headers else 5)
    if "Country" in headers:  # a row's country is checked, and states the agency's
        messages = " ".join(str(e) for e in whole.errors)
        assert "Atlantis" in messages and "expected one country" in messages
        stated = [r for r in whole.grouped.rel_rows()[(RelType.BASED_IN, Label.AGENCY,
                                                        Label.COUNTRY)]
                  if r["props"].get("inferred") is False]
        assert stated


def test_a_cell_naming_two_agencies_is_a_row_for_each(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "op.csv"
    path.write_text("agency,role,impact\nFBI & HSI,Joint financial tracing,Froze accounts\n"
                    "DEA,Drug Enforcement,Seized narcotics\n")
    report = load_paths(store, [path], operation="Operation Twin")
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    assert {p.acronym for p in agencies.partners(store, "DEA")} == {"FBI", "HSI"}
    rows = store.read("MATCH (a:Agency)-[r:PARTICIPATED_IN]->() WHERE a.acronym IN ['FBI', 'HSI'] "
                      "RETURN a.acronym AS a, r.role AS role, r.evidence AS e ORDER BY a")
    assert rows == [
        {"a": "FBI", "role": "Joint financial tracing", "e": ["op.csv:2 (table 1, row 1)"]},
        {"a": "HSI", "role": "Joint financial tracing", "e": ["op.csv:2 (table 1, row 1)"]},
    ]


def test_a_country_column_states_where_agencies_are(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "countries.txt"
    path.write_text("Joint strike on cocaine routes\n\n"
                    "| Country | Agency | Role |\n|---|---|---|\n"
                    "| Colombia | National Police | Interdiction |\n"
                    "| Spain | National Police | Arrests |\n"
                    "| Mexico | FGR | Extraditions |\n"
                    "| Mexico | DEA | Liaison |\n")  # the DEA's office in Mexico
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    based = store.read("MATCH (a:Agency)-[r:BASED_IN]->(c:Country) "
                       "RETURN a.id AS a, c.id AS c, r.inferred AS inferred ORDER BY a")
    assert based == [
        {"a": "drug-enforcement-administration", "c": "US", "inferred": True},
        {"a": "fiscalia-general-de-la-republica", "c": "MX", "inferred": False},
        {"a": "policia-nacional-de-colombia", "c": "CO", "inferred": False},
        {"a": "policia-nacional-es", "c": "ES", "inferred": False},
    ]


def test_countries_taking_part_in_the_document_operation(store: GraphStore,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "partners.md"
    path.write_text("# Operation Atlantic Gate\n\n"
                    "| Country | Role | Contribution |\n|---|---|---|\n"
                    "| Portugal | Maritime patrols | Two vessels boarded |\n"
                    "| Cabo Verde; Senegal | Port inspections | N/A |\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    assert report.files[0].shapes == {"country-participants": 1}
    rows = store.read("MATCH (c:Country)-[r:PARTICIPATED_IN]->(o:Operation) RETURN c.id AS c, "
                      "o.name AS o, r.role AS role, r.impact AS impact ORDER BY c")
    assert rows == [
        {"c": "CV", "o": "Operation Atlantic Gate", "role": "Port inspections", "impact": None},
        {"c": "PT", "o": "Operation Atlantic Gate", "role": "Maritime patrols",
         "impact": "Two vessels boarded"},
        {"c": "SN", "o": "Operation Atlantic Gate", "role": "Port inspections", "impact": None},
    ]


def test_region_lists_and_states(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "areas.csv"
    path.write_text("agency,function,area\nCBP,Ports of entry,Arizona and New Mexico\n"
                    "U.S. Border Patrol,Apprehensions,Southern border\nFBI,Cyber,Various\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    rows = store.read("MATCH (a:Agency)-[:OPERATES_IN]->(r:Region)-[:PART_OF]->(c:Country) "
                      "RETURN a.acronym AS a, r.id AS r, c.id AS c ORDER BY r")
    assert rows == [{"a": "CBP", "r": "us-arizona", "c": "US"},
                    {"a": "CBP", "r": "us-new-mexico", "c": "US"},
                    {"a": "USBP", "r": "us-southern-border", "c": "US"}]
    [fbi] = store.read("MATCH (a:Agency {acronym: 'FBI'}) "
                       "RETURN size([(a)-[:OPERATES_IN]->(r) | r]) AS n")
    assert fbi == {"n": 0}  # "Various" names no region


def test_revenue_ranges_and_amounts_in_words(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "sectors.csv"
    path.write_text("crime type,estimated global value\nSynthetic drugs,$30-50 billion\n"
                    "Wildlife trafficking,Billions\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    rows = store.read("MATCH (s:CrimeSector) RETURN s.id AS id, s.annual_revenue AS low, "
                      "s.annual_revenue_high AS high, s.revenue_text AS text ORDER BY id")
    assert rows == [
        {"id": "synthetic-drug-trade", "low": 3e10, "high": 5e10, "text": "$30-50 billion"},
        {"id": "wildlife-trafficking", "low": None, "high": None, "text": "Billions"},
    ]


def test_columns_no_field_reads_are_reported(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "index.csv"
    path.write_text("Country,Criminality,Cocaine trade,Mafia-style groups,Rank\n"
                    "Colombia,7.75,10,9,2\nPeru,6.5,8.5,5,20\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    [ignored] = report.files[0].ignored
    assert ignored.headers == ("Criminality", "Mafia-style groups", "Rank")
    sectors = {r["s"] for r in store.read("MATCH (:Country)-[:HAS_MARKET]->(s) "
                                          "RETURN DISTINCT s.id AS s")}
    assert sectors == {"cocaine-trade"}


def test_placeholders_are_no_values(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "ops.csv"
    path.write_text("operation,countries,year,outcome,agencies\n"
                    "Operation Lake,\"France, N/A\",n/a,Unknown,\"Europol, N/A\"\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    [op] = store.read("MATCH (o:Operation) RETURN o.year AS year, o.outcome AS outcome, "
                      "[(c:Country)-[:PARTICIPATED_IN]->(o) | c.id] AS countries, "
                      "[(a:Agency)-[:PARTICIPATED_IN]->(o) | a.acronym] AS agencies")
    assert op == {"year": None, "outcome": None, "countries": ["FR"], "agencies": ["Europol"]}


def test_documents_define_their_own_acronyms(store: GraphStore, tmp_path: Path) -> None:
    peru = tmp_path / "peru.csv"
    peru.write_text("agency,role,impact\nPolicía Nacional del Perú (PNP),Arrests,x\n"
                    "PNP,Raids,y\nDEA,Liaison,z\n")
    manila = tmp_path / "manila.csv"
    manila.write_text("agency,role,impact\nPhilippine National Police (PNP),Arrests,x\n"
                      "PNP,Raids,y\nDEA,Liaison,z\n")
    report = load_paths(store, [peru, manila], operation="Operation Two Oceans")
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    names = {r["n"] for r in store.read("MATCH (a:Agency {acronym: 'PNP'}) RETURN a.name AS n")}
    assert names == {"Policía Nacional del Perú", "Philippine National Police"}
    # a later document naming only "PNP" is told which two it could mean
    later = tmp_path / "later.csv"
    later.write_text("agency,role,impact\nPNP,Arrests,x\nDEA,Liaison,y\n")
    report = load_paths(store, [later], operation="Operation Three")
    assert report.exit_code == ExitCode.PARTIAL
    [error] = report.errors
    assert "ambiguous" in str(error) and "Philippine National Police" in str(error)
