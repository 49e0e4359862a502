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
