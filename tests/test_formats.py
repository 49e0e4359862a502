"""Every input format and table shape, from the project's own fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from graph.errors import LoadError
from graph.store import GraphStore
from loaders.pipeline import ExitCode, load_paths, read_mapping
from loaders.read import detect_format, read_document
from queries import agencies


def rows(store: GraphStore, query: str) -> list[dict[str, object]]:
    return store.read(query)


def op_countries(store: GraphStore, op_id: str) -> list[str]:
    result = store.read("MATCH (c:Country)-[:PARTICIPATED_IN]->(o:Operation {id: $id}) "
                        "RETURN c.id AS code ORDER BY code", {"id": op_id})
    return [str(r["code"]) for r in result]


@pytest.mark.parametrize(
    ("name", "head", "fmt"),
    [
        ("a.txt", b"x", "text"),
        ("a.md", b"x", "text"),
        ("a.csv", b"x", "csv"),
        ("a.tsv", b"x", "tsv"),
        ("a.json", b"x", "json"),
        ("a.jsonl", b"x", "jsonl"),
        ("a.html", b"x", "html"),
        ("a.xlsx", b"x", "xlsx"),
        ("noext", b'[{"a": 1}]', "json"),  # detected from content
        ("noext", b'{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("noext", b"<!DOCTYPE html><html>", "html"),
        ("noext", b"PK\x03\x04rest", "xlsx"),
        ("noext", b"a\tb\n1\t2\n", "tsv"),
        ("noext", b"a,b\n1,2\n", "csv"),
        ("noext", b"Title\nA | B |\n---|---|\n1 | 2 |\n", "text"),
    ],
)
def test_format_detection(name: str, head: bytes, fmt: str) -> None:
    assert detect_format(Path(name), head) == fmt


def test_html_tables_title_caption_and_lines(store: GraphStore, fixture_path: Path) -> None:
    doc = read_document(fixture_path / "joint-operations.html")
    assert doc.title == "Partners Report: Joint Operations Review"
    assert [t.headers[0] for t in doc.tables] == ["Operation", "Agency", "Lesson"]
    assert doc.tables[1].caption == "Operation Harbor Watch"
    assert doc.tables[0].rows[0].line == 10
    report = load_paths(store, [fixture_path / "joint-operations.html"])
    assert report.exit_code == ExitCode.OK
    assert [s.headers for s in report.files[0].skipped] == [("Lesson", "Detail")]
    assert op_countries(store, "operation-trident") == ["ES", "MA", "PT"]
    [year] = rows(store, "MATCH (o:Operation {id: 'operation-lionfish'}) RETURN o.year AS y")
    assert year == {"y": 2022}
    # the caption names the operation of the agency/role/impact table
    names = {p.name for p in agencies.partners(store, "Europol")}
    assert names == {"Guardia di Finanza"}
    impact = rows(store, "MATCH (:Agency {acronym: 'Europol'})-[r:PARTICIPATED_IN]->() "
                         "RETURN r.impact AS i")
    assert impact == [{"i": "Linked money laundering accounts"}]


def test_json_object_holding_a_list(store: GraphStore, fixture_path: Path) -> None:
    report = load_paths(store, [fixture_path / "operations.json"])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    assert op_countries(store, "operation-pangea") == ["GB", "IE", "NL"]
    [sector] = rows(store, "MATCH (:Operation {id: 'operation-shadow'})-[r:TARGETS]->(s) "
                           "RETURN s.id AS id, r.inferred AS inferred")
    assert sector == {"id": "cybercrime", "inferred": False}  # stated, not guessed


def test_json_lines_with_line_evidence(store: GraphStore, fixture_path: Path) -> None:
    load_paths(store, [fixture_path / "operations.jsonl"])
    assert op_countries(store, "operation-arbor") == ["BR", "PE"]
    [row] = rows(store, "MATCH (:Country {id: 'PE'})-[r:PARTICIPATED_IN]->() "
                        "RETURN r.evidence AS e")
    assert row["e"] == ["operations.jsonl:3 (table 1, row 2)"]  # blank line 2 skipped


def test_tsv_with_bom(store: GraphStore, fixture_path: Path) -> None:
    doc = read_document(fixture_path / "agency-areas.tsv")
    assert doc.tables[0].headers[0] == "agency"  # no BOM left on the first header
    load_paths(store, [fixture_path / "agency-areas.tsv"])
    regions = rows(store, "MATCH (a:Agency)-[:OPERATES_IN]->(r:Region) "
                          "RETURN a.acronym AS a, r.name AS r ORDER BY a")
    assert regions == [{"a": "NCA", "r": "United Kingdom (nationwide)"},
                       {"a": "RCMP", "r": "Canada (nationwide)"}]


def test_xlsx_every_sheet(store: GraphStore, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Operations"
    sheet.append(["Operation", "Countries Involved", "Outcome"])
    sheet.append(["Operation Orion", "Colombia, Ecuador", "Narco-submarines seized"])
    areas = book.create_sheet("Agencies")
    areas.append([None])  # a blank first row
    areas.append(["Agency", "Primary Function", "Operational Area"])
    areas.append(["Australian Federal Police (AFP)", "Federal policing", "Nationwide"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    assert op_countries(store, "operation-orion") == ["CO", "EC"]
    [row] = rows(store, "MATCH (:Agency {acronym: 'AFP'})-[r:OPERATES_IN]->(g) "
                        "RETURN g.name AS g, r.evidence AS e")
    assert row == {"g": "Australia (nationwide)", "e": ["book.xlsx:Agencies:3 (table 2, row 1)"]}


def test_wide_country_table_becomes_markets(store: GraphStore, fixture_path: Path) -> None:
    report = load_paths(store, [fixture_path / "crime-index.csv"])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    assert report.files[0].shapes == {"markets": 1}
    markets = rows(store, "MATCH (c:Country)-[m:HAS_MARKET]->(s:CrimeSector) "
                          "RETURN c.id AS c, s.id AS s, m.score AS score, m.year AS year "
                          "ORDER BY c, s")
    assert {"c": "NL", "s": "firearms-trafficking", "score": 3.5, "year": 2023} in markets
    assert {"c": "IT", "s": "drug-trafficking", "score": 5.5, "year": 2023} in markets
    assert len(markets) == 8  # Italy has no arms score; the Region column is not a market


def test_mapping_file_maps_other_headers(store: GraphStore, fixture_path: Path) -> None:
    unmapped = load_paths(store, [fixture_path / "custom-headers.csv"])
    assert unmapped.exit_code == ExitCode.NOTHING
    message = str(unmapped.errors[0])
    for expected in ("'Who'", "'Codename'", "agency / role / operational impact", "--mapping",
                     '"Who": "agency"'):
        assert expected in message, message
    mapping = read_mapping(fixture_path / "custom-mapping.json")
    report = load_paths(store, [fixture_path / "custom-headers.csv"], mapping=mapping)
    assert report.exit_code == ExitCode.OK
    assert {p.acronym for p in agencies.partners(store, "Europol")} == {"BKA"}


def test_mapping_names_an_unknown_field(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"Who": "agnecy"}))
    with pytest.raises(LoadError, match="agnecy"):
        read_mapping(path)


def test_huge_cell_and_ragged_rows_are_row_errors(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "hostile.csv"
    huge = "A" * 10_000_000
    path.write_text(f"operation,countries,outcome\n{huge},U.S.,x\nFine,Canada,ok\n"
                    "Ragged,Mexico,ok,extra,cells\nShort\n")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.PARTIAL
    messages = [str(e) for e in report.errors]
    assert any(m.startswith("hostile.csv:2:") and "characters" in m for m in messages)
    assert any(m.startswith("hostile.csv:4:") and "cells" in m for m in messages)
    assert all(len(m) < 1000 for m in messages)  # no 10 MB error message
    names = {r["n"] for r in rows(store, "MATCH (o:Operation) RETURN o.name AS n")}
    assert names == {"Fine", "Short"}  # a short row is padded: "Short" names an operation


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Operation notes\n\n| Operation | Countries |\n|---|---|\n| X | Peru |\n")
    doc = read_document(path)
    assert doc.title == "Operation notes"
    assert doc.tables[0].rows[0].cells == ("X", "Peru")


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "win.csv"
    path.write_bytes("operation,countries,outcome\nOpération Été,France,“quoted” outcome\n"
                     .encode("cp1252"))
    [table] = read_document(path).tables
    assert table.rows[0].cells == ("Opération Été", "France", "“quoted” outcome")


@pytest.mark.parametrize(
    ("text", "headers"),
    [
        # a name holding a quote and a semicolon once misled the sniffer into ';'
        ("agency,role,impact\n'; MATCH (n) DETACH DELETE n //,Arrests,x\nFBI,Intel,y\n"
         "'; MATCH (n) DETACH DELETE n //,Drugs,\n", ("agency", "role", "impact")),
        ("agency;role;impact\nFBI;Intel, arrests;x\nDEA;Drugs;y\n", ("agency", "role", "impact")),
        ("agency|role|impact\nFBI|Intel, arrests|x\nDEA|Drugs; seizures|y\n",
         ("agency", "role", "impact")),
        # one comma per line is not a comma table when tabs split every line wider
        ("agency\trole\timpact\nFBI\tIntel, arrests\tx\nDEA\tDrugs, seizures\ty\n",
         ("agency", "role", "impact")),
        # a ragged row does not lose the comma to a delimiter that splits nothing
        ("operation,countries,outcome\nX,\"U.S., Mexico\",ok\nY,Peru,ok,extra\nZ,Chile,ok\n",
         ("operation", "countries", "outcome")),
    ],
)
def test_csv_delimiter_is_found(tmp_path: Path, text: str, headers: tuple[str, ...]) -> None:
    path = tmp_path / "table.csv"
    path.write_text(text)
    [table] = read_document(path).tables
    assert table.headers == headers
    assert all(len(row.cells) >= len(headers) for row in table.rows)


def test_csv_with_cypher_in_a_name_loads(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "hostile-names.csv"
    path.write_text("agency,role,impact\n'; MATCH (n) DETACH DELETE n //,Arrests,x\n"
                    "FBI,Intelligence,y\n'; MATCH (n) DETACH DELETE n //,Drugs,\n")
    report = load_paths(store, [path], operation="Operation Quote")
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    names = {r["n"] for r in rows(store, "MATCH (a:Agency)-[:PARTICIPATED_IN]->() "
                                         "RETURN a.name AS n")}
    assert names == {"'; MATCH (n) DETACH DELETE n //", "Federal Bureau of Investigation"}


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        # unquoted: a record per line, blank lines skipped but counted
        ("agency,role\n\nFBI,Intel\r\nDEA,Drugs\n\n\nICE,Borders\n", [3, 4, 7]),
        # a quoted cell spanning lines: a row is found on its first line
        ('agency,role\n"Federal Bureau\nof Investigation",Intel\nDEA,"Drugs,\n\nseizures"\n'
         "ICE,Borders\n", [2, 4, 7]),
    ],
)
def test_csv_rows_keep_their_line(tmp_path: Path, text: str, lines: list[int]) -> None:
    path = tmp_path / "lines.csv"
    path.write_bytes(text.encode())
    [table] = read_document(path).tables
    assert [row.line for row in table.rows] == lines
    assert [row.number for row in table.rows] == [1, 2, 3]
    assert table.rows[-1].cells == ("ICE", "Borders")


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        # emphasis, links and code are markup, not part of the name
        ("| Agency | Role |\n|---|---|\n| **FBI** | [Intel](http://x.test) `lead` |\n",
         ("FBI", "Intel lead")),
        # an escaped pipe is text; entities are decoded
        ("| Agency | Role |\n|---|---|\n| A \\| B | Tom &amp; Jerry |\n", ("A | B", "Tom & Jerry")),
        # no delimiter row under the header (text copied from a web page)
        ("Title\n\nAgency | Role\nFBI | Intel\nDEA | Drugs\n", ("FBI", "Intel")),
        # no delimiter row, outer pipes
        ("Title\n| Agency | Role |\n| FBI | Intel |\n", ("FBI", "Intel")),
    ],
)
def test_text_table_cells(tmp_path: Path, text: str, cells: tuple[str, ...]) -> None:
    path = tmp_path / "doc.md"
    path.write_text(text)
    [table] = read_document(path).tables
    assert table.headers == ("Agency", "Role")
    assert table.rows[0].cells == cells


@pytest.mark.parametrize(
    "text",
    [
        "Home | About\nWe met the press today.\n",  # one pipe line is a menu, not a table
        "Home | About\nNews | Sports | Weather\n",  # lines that disagree on their cells
        "a | b\n",
    ],
)
def test_pipes_in_prose_are_not_tables(tmp_path: Path, text: str) -> None:
    path = tmp_path / "prose.txt"
    path.write_text(text)
    assert read_document(path).tables == []


def test_undelimited_table_rows_keep_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "doc.txt"
    path.write_text("Headline\nSome prose.\nAgency | Role | Impact\nFBI | Intel | x\n"
                    "DEA | Drugs | y\nMore prose.\n")
    [table] = read_document(path).tables
    assert table.line == 3
    assert [(r.line, r.cells[0]) for r in table.rows] == [(4, "FBI"), (5, "DEA")]


def test_html_without_charset_is_read_as_utf8(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes("<html><head><title>Operación Ágil | Ministerio</title></head><body><table>"
                     "<tr><th>Agency</th><th>Role</th><th>Impact</th></tr>"
                     "<tr><td>Policía Nacional</td><td>Arrests</td><td>Detained 9</td></tr>"
                     "<tr><td>FBI</td><td>Intel</td><td>Mapped routes</td></tr>"
                     "</table></body></html>".encode())
    doc = read_document(path)
    assert doc.title == "Operación Ágil"  # the site's name is not part of the title
    assert doc.tables[0].rows[0].cells[0] == "Policía Nacional"
    load_paths(store, [path])
    assert {p.name for p in agencies.partners(store, "FBI")} == {"Policía Nacional"}


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes('<html><head><meta charset="windows-1252"></head><body><table>'
                     "<tr><td>Operation</td><td>Countries</td></tr>"
                     "<tr><td>Opération Été</td><td>France</td></tr></table></body></html>"
                     .encode("cp1252"))
    assert read_document(path).tables[0].rows[0].cells == ("Opération Été", "France")


def test_html_spans_title_rows_and_figure_captions(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><body>"
        "<figure class='wp-block-table'><table>"
        "<tr><th colspan='3'>Who did what</th></tr>"  # a title row above the header
        "<tr><th>Operation</th><th>Agency</th><th>Role</th></tr>"
        "<tr><td rowspan='2'>Operation Orion</td><td>Drug<br>Enforcement Administration</td>"
        "<td>Seizures<sup>1</sup></td></tr>"
        "<tr><td>FBI</td><td>Intel</td></tr>"
        "<tr><td colspan='2'>Operation Caribe</td><td>Patrols</td></tr>"
        "<tr><td colspan='3'>Source: annual report</td></tr>"  # a note, not a row
        "</table><figcaption>Table 2: Agencies in Operation Orion</figcaption></figure>"
        "</body></html>"
    )
    [table] = read_document(path).tables
    assert table.headers == ("Operation", "Agency", "Role")
    assert [r.cells for r in table.rows] == [
        ("Operation Orion", "Drug Enforcement Administration", "Seizures"),
        ("Operation Orion", "FBI", "Intel"),  # the operation spans two rows
        ("Operation Caribe", "", "Patrols"),  # a cell spanning columns fills the first
    ]
    assert table.caption == "Table 2: Agencies in Operation Orion"


@pytest.mark.parametrize(
    ("caption", "operation"),
    [
        ("Table 2: Agencies in Operation Orion", "Operation Orion"),
        ("Operation Harbor Watch", "Operation Harbor Watch"),
        ("Table 1: Harbor Watch partners", "Harbor Watch partners"),  # no operation named
        ("", None),
    ],
)
def test_caption_names_the_operation(caption: str, operation: str | None) -> None:
    from loaders.read import caption_operation

    assert caption_operation(caption) == operation


def test_csv_title_rows_and_notes_are_not_rows(tmp_path: Path) -> None:
    path = tmp_path / "ops.csv"
    path.write_text("Joint operations 2023,,\n,,\noperation,countries,outcome\n"
                    "Operation Orion,\"Colombia, Panama\",Seizures\n"
                    "Source: partner reports,,\n* provisional figures,,\n")
    [table] = read_document(path).tables
    assert table.headers == ("operation", "countries", "outcome")
    assert table.line == 3
    assert [r.cells[0] for r in table.rows] == ["Operation Orion"]


def test_xlsx_title_row_above_the_header(store: GraphStore, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Operations reviewed in 2023"])
    sheet.append(["Operation", "Countries Involved", "Outcome"])
    sheet.append(["Operation Orion", "Colombia, Ecuador", "Narco-submarines seized"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    assert op_countries(store, "operation-orion") == ["CO", "EC"]


@pytest.mark.parametrize("name", ["export.txt", "export.csv", "export"])
def test_utf16_tab_export_is_read(tmp_path: Path, name: str) -> None:
    """Excel's "Unicode Text" is UTF-16 with a byte order mark and tabs."""
    path = tmp_path / name
    path.write_bytes("agency\trole\timpact\nPolicía Nacional\tArrests\tx\n".encode("utf-16"))
    [table] = read_document(path).tables
    assert table.headers == ("agency", "role", "impact")
    assert table.rows[0].cells == ("Policía Nacional", "Arrests", "x")


def test_json_with_several_lists_and_nested_records(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "review.json"
    path.write_text(json.dumps({
        "source": "Annual review",
        "operations": [
            {"name": "Operation Pangea", "year": 2023, "countries": ["Ireland", "UK"],
             "outcome": "Counterfeit medicines seized",
             "agencies": [{"name": "INTERPOL", "role": "Coordination"},
                          {"name": "Bureau of Alcohol, Tobacco, Firearms and Explosives",
                           "role": "Inspections"}]},
        ],
        "agencies": [{"agency": "Europol", "function": "Analysis", "area": "Worldwide"}],
    }))
    doc = read_document(path)
    assert [t.headers for t in doc.tables] == [
        ("operation", "year", "countries", "outcome"),
        ("operation", "year", "agency", "role"),  # nested: each row names its operation
        ("agency", "function", "area"),
    ]
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    assert op_countries(store, "operation-pangea") == ["GB", "IE"]
    partners = {p.acronym for p in agencies.partners(store, "INTERPOL")}
    assert partners == {"ATF"}  # a name holding commas stays one agency
    [row] = rows(store, "MATCH (:Agency {acronym: 'INTERPOL'})-[r:PARTICIPATED_IN]->(o) "
                        "RETURN r.role AS role, o.year AS year")
    assert row == {"role": "Coordination", "year": 2023}


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({"operation": "Operation Lake", "countries": "France"}, ("operation", "countries")),
        ({"report": {"operations": [{"name": "X", "countries": "Peru"}]}},
         ("operation", "countries")),  # a list held deeper
        ([{"operation": "Y", "agencies": [{"name": "FBI"}, {"name": "DEA"}]}],
         ("operation", "agencies")),  # objects holding only a name are a list of names
    ],
)
def test_json_shapes(tmp_path: Path, data: object, headers: tuple[str, ...]) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(data))
    [table] = read_document(path).tables
    assert table.headers == headers


def test_json_list_of_scalars_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text('["FBI", "DEA"]')
    with pytest.raises(LoadError, match="expected objects"):
        read_document(path)


def test_tables_stacked_without_prose_between(tmp_path: Path) -> None:
    path = tmp_path / "stacked.txt"
    path.write_text("Headline\n"
                    "| Agency | Role | Operational Impact |\n|---|---|---|\n| BKA | Raids | x |\n"
                    "| Indicator | Before Operation | After Operation |\n|---|---|---|\n"
                    "| Arrests | 10 | 40 |\n"
                    "Crime Sector | Estimated Annual Revenue |\n---|---|\nFraud | $45 Billion |\n")
    tables = read_document(path).tables
    assert [(t.line, t.headers[0], len(t.rows)) for t in tables] == [
        (2, "Agency", 1), (5, "Indicator", 1), (8, "Crime Sector", 1)]


@pytest.mark.parametrize(
    ("title", "operation"),
    [
        ("Operation Coastal Shield closes with record seizures", "Operation Coastal Shield"),
        ("Press release: Operation Lionfish results", "Operation Lionfish"),
        ("FBI and DEA launch Operation Blue Sky across three states", "Operation Blue Sky"),
        ("Operation Coastal Shield: Partners Announce Results", "Operation Coastal Shield"),
        # in a headline every word is capitalised: where the name ends is unknown
        ("Joint Federal Operation Targets Transnational Crime Networks in the Western U.S.",
         None),
        ("Operation Strikes Cartel Networks in Mexico", None),
        ("Task Force Strikes Smuggling Rings Across the Western U.S.", None),
    ],
)
def test_a_title_naming_an_operation(title: str, operation: str | None) -> None:
    from loaders.read import title_operation

    assert title_operation(title) == operation


def test_participants_join_the_operation_their_title_names(store: GraphStore,
                                                           tmp_path: Path) -> None:
    listing = tmp_path / "listing.csv"
    listing.write_text("operation,countries,outcome\nOperation Lionfish,\"Colombia, Panama\",ok\n")
    release = tmp_path / "release.md"
    release.write_text("# Press release: Operation Lionfish results\n\n"
                       "| Agency | Role |\n|---|---|\n| SENAN | Air surveillance |\n")
    report = load_paths(store, [listing, release])
    assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
    [row] = rows(store, "MATCH (o:Operation) RETURN o.id AS id, "
                        "[(a:Agency)-[:PARTICIPATED_IN]->(o) | a.acronym] AS agencies, "
                        "[(c:Country)-[:PARTICIPATED_IN]->(o) | c.id] AS countries")
    assert row["id"] == "operation-lionfish" and row["agencies"] == ["SENAN"]
    assert sorted(row["countries"]) == ["CO", "PA"]


def test_hostile_spans_and_widths_end_in_clean_reports(store: GraphStore, tmp_path: Path) -> None:
    spans = tmp_path / "spans.html"
    spans.write_text('<table><tr><th colspan="999999999">Agencies</th></tr>'
                     '<tr><th>Agency</th><th rowspan="-4">Role</th><th colspan="x">Impact</th></tr>'
                     '<tr><td>FBI</td><td>Intel</td><td rowspan="99999999">Mapped routes</td></tr>'
                     "<tr><td>DEA</td><td>Seizures</td></tr></table>")
    [table] = read_document(spans).tables
    assert table.headers == ("Agency", "Role", "Impact")  # spans clamped, junk read as 1
    assert [r.cells for r in table.rows] == [("FBI", "Intel", "Mapped routes"),
                                             ("DEA", "Seizures", "Mapped routes")]
    wide = tmp_path / "wide.html"
    wide.write_text("<table><tr>" + "<td colspan=64>x</td>" * 5000 + "</tr><tr><td>a</td></tr>"
                    "</table>")
    report = load_paths(store, [wide])
    assert report.exit_code == ExitCode.NOTHING
    assert all(len(str(e)) < 2000 for e in report.errors)  # 320,000 headers, shown briefly
    assert "and 319988 more" in str(report.errors[0])


def test_records_nest_as_tables_eight_deep(tmp_path: Path) -> None:
    record: dict[str, object] = {"operation": "Operation Deep"}
    current = record
    for depth in range(20):
        child: dict[str, object] = {"name": f"Agency {depth}", "role": "r"}
        current["agencies"] = [child]
        current = child
    path = tmp_path / "nested.json"
    path.write_text(json.dumps([record]))
    tables = read_document(path).tables
    assert len(tables) == 9  # the records, then eight levels of nested ones


def test_json_records_mixing_nested_records_and_names(tmp_path: Path) -> None:
    """One operation lists its agencies as objects with roles, the next as names."""
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([
        {"operation": "A", "agencies": [{"name": "FBI", "role": "Intel"}]},
        {"operation": "B", "agencies": ["Guardia Civil", "Polícia Judiciária"]},
    ]))
    operations, nested = read_document(path).tables
    assert [r.cells for r in operations.rows] == [
        ("A", ""), ("B", "Guardia Civil; Polícia Judiciária")]
    assert [r.cells for r in nested.rows] == [("A", "FBI", "Intel")]


def test_xlsx_merged_cells_read_as_a_reader_sees_them(store: GraphStore, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Operation", "Agency", "Role"])
    sheet.append(["Operation Orion", "DEA", "Seizures"])
    sheet.append([None, "FBI", "Intel"])  # under a cell merged over both rows
    sheet.append(["Operation Caribe", "Merged over two columns", None])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B4:C4")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    [table] = read_document(path).tables
    assert [r.cells for r in table.rows] == [
        ("Operation Orion", "DEA", "Seizures"), ("Operation Orion", "FBI", "Intel"),
        ("Operation Caribe", "Merged over two columns", "")]
    load_paths(store, [path])
    assert {p.acronym for p in agencies.partners(store, "DEA")} == {"FBI"}
