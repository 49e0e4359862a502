"""The bulk import into an empty store: same graph as the batched MERGE, all or nothing."""

from __future__ import annotations

import errno
import gc
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph import falkor, falkor_bulk, forked
from graph.embedded import EmbeddedStore
from graph.errors import InvalidInput, PartnergraphError
from graph.model import Label, NodeRecord, RelType
from graph.partners import Partnerships, derive_partners
from graph.store import BulkImporter, GraphStore, open_store
from graph.writer import (
    Grouped,
    import_grouped,
    import_records,
    partners_of,
    rebuild_partners,
    write_grouped,
)
from loaders.build import Builder
from loaders.normalise import AgencyResolver
from loaders.pipeline import ExitCode, load_paths
from loaders.read import read_document
from tests.conftest import kill_server

# Two documents repeating some participation (two sources on one fact), with
# years on some operations and none on others, an agency named twice in one
# operation and field offices.
FIRST = """operation,agency,role,impact,year
Operation Alpha,Federal Bureau of Investigation (FBI),Intelligence,Arrested suspects,2021
Operation Alpha,Drug Enforcement Administration (DEA),Drug seizures,Seized narcotics,2021
Operation Alpha,FBI,Arrests,Arrested suspects,2021
Operation Alpha,ICE San Francisco,Border checks,Mapped smuggling routes,2021
Operation Beta,DEA,Money laundering probe,Froze accounts,2023
Operation Beta,Europol,Coordination,Shared intelligence,2023
Operation Beta,FBI,Cyber forensics,Seized servers,2023
Operation Gamma,Europol,Coordination,Shared intelligence,
Operation Gamma,DEA,Surveillance,Arrested couriers,
Operation Solo,Interpol,Notices,Red notices issued,2020
"""
SECOND = """operation,agency,role,impact,year
Operation Alpha,Drug Enforcement Administration (DEA),Drug seizures,Seized narcotics,2021
Operation Gamma,Federal Bureau of Investigation (FBI),Arrests,Arrested couriers,2019
"""


def need_bulk(store: GraphStore) -> BulkImporter:
    if not isinstance(store, BulkImporter):
        pytest.skip(f"the {store.kind} store has no bulk import; it always merges in batches")
    return store


def dump(store: GraphStore) -> list[str]:
    """Every node and relationship with its properties, as sorted JSON lines.

    Lists that the Cypher rebuild collects in no particular order (a
    partnership's operations and sources) are sorted.
    """
    nodes = store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = store.read(
        "MATCH (a)-[r]->(b) RETURN type(r) AS type, labels(a) AS a_labels, a.id AS a, "
        "labels(b) AS b_labels, b.id AS b, properties(r) AS props"
    )
    lines = []
    for row in [*nodes, *rels]:
        props: dict[str, Any] = dict(row["props"])
        if row.get("type") == "PARTNERS_WITH":
            props["operations"] = sorted(props["operations"])
            props["sources"] = sorted(props["sources"])
        lines.append(json.dumps({**row, "props": props}, sort_keys=True))
    return sorted(lines)


def records(paths: list[Path]) -> Grouped:
    """The facts of every document of ``paths``, grouped together."""
    builder = Builder(AgencyResolver())
    grouped = Grouped()
    for path in paths:
        extraction = builder.build(read_document(path))
        assert not extraction.errors, [str(e) for e in extraction.errors]
        grouped.update(extraction.grouped)
    return grouped


def documents(tmp_path: Path, fixture_path: Path) -> list[Path]:
    first = tmp_path / "first.csv"
    first.write_text(FIRST)
    second = tmp_path / "second.csv"
    second.write_text(SECOND)
    fixtures = [
        fixture_path / name
        for name in ("coalition.txt", "western-operation.txt", "operations.json",
                     "crime-index.csv", "joint-operations.html", "agency-areas.csv")
    ]
    return [first, second, *fixtures]


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "one-process"])
@pytest.mark.parametrize("token_bytes", [falkor_bulk.TOKEN_BYTES, 600])
def test_bulk_import_builds_the_graph_the_batched_merge_builds(
    store: GraphStore, tmp_path: Path, fixture_path: Path, token_bytes: int, fork: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Property by property, in one token per label and type or in many small ones,
    with the partnerships encoded by a forked child or in this process."""
    need_bulk(store)
    if fork and not forked.CAN_FORK:
        pytest.skip("this platform encodes every token in one process")
    monkeypatch.setattr(falkor_bulk, "TOKEN_BYTES", token_bytes)
    if token_bytes < 1000:  # and chunks of a few rows, each laid out on its own
        monkeypatch.setattr(falkor_bulk, "_FIRST_CHUNK_ROWS", 2)
        monkeypatch.setattr(falkor_bulk, "_CHUNK_ROWS", 5)
    monkeypatch.setattr(falkor, "FORK_ROWS", 0 if fork else 10**12)
    grouped = records(documents(tmp_path, fixture_path))

    seen: list[tuple[int, int]] = []
    written = import_grouped(store, grouped,
                             progress=lambda done, total: seen.append((done, total)))
    assert written is not None, "an empty embedded store takes the bulk import"
    bulk = dump(store)
    partnerships = sum('"PARTNERS_WITH"' in line for line in bulk)
    # progress counts every row, then the partnerships once they are derived
    assert seen[-1] == (written + partnerships, written + partnerships)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert all(done <= total for done, total in seen)

    store.write("MATCH (n) DETACH DELETE n")
    merged = write_grouped(store, grouped, batch_size=7)
    rebuild_partners(store)
    assert written == merged
    assert dump(store) == bulk
    assert any('"PARTNERS_WITH"' in line for line in bulk)


def test_bulk_partners_carry_every_shared_operation_source_and_year(
    store: GraphStore, tmp_path: Path, fixture_path: Path
) -> None:
    need_bulk(store)
    assert import_grouped(store, records(documents(tmp_path, fixture_path)[:2])) is not None
    fbi_dea = store.read(
        "MATCH (a:Agency)-[p:PARTNERS_WITH]->(b:Agency) "
        "WHERE a.acronym = 'DEA' AND b.acronym = 'FBI' "
        "RETURN p.weight AS weight, p.operations AS operations, size(p.sources) AS sources, "
        "p.first_year AS first, p.last_year AS last, p.derived AS derived"
    )
    # Alpha and Beta from the first file, Gamma from the second; both files
    # assert DEA in Alpha, so both sources reach the partnership
    assert fbi_dea == [{
        "weight": 3, "operations": ["operation-alpha", "operation-beta", "operation-gamma"],
        "sources": 2, "first": 2019, "last": 2023, "derived": True,
    }]
    # Interpol worked alone: no partners
    assert store.read(
        "MATCH (a:Agency {acronym: 'INTERPOL'})-[p:PARTNERS_WITH]-() RETURN count(p) AS n"
    ) in ([{"n": 0}], [])


def participation(seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Random participation rows and operation rows: up to three sources per row,
    operations with and without a year, and rows whose operation is unknown."""
    rng = random.Random(seed)
    operations = [
        {"id": f"op-{i:03d}", "props": {"year": rng.choice([None, 2019, 2021, 2024])}}
        for i in range(40)
    ]
    rows = {}
    for _ in range(400):
        agency, op = f"agency-{rng.randrange(60):02d}", f"op-{rng.randrange(45):03d}"
        rows[(agency, op)] = {"start": agency, "end": op,
                              "sources": rng.sample(["src-a", "src-b", "src-c"], rng.randint(1, 3))}
    return list(rows.values()), operations


def agencies_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Agency rows for every agency the participation rows name."""
    return [{"id": agency, "props": {}} for agency in sorted({row["start"] for row in rows})]


def reference_partners(rows: list[dict[str, Any]],
                       operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """PARTNERS_WITH as the Cypher rebuild defines it, pair by pair."""
    years = {op["id"]: op["props"]["year"] for op in operations}
    members = defaultdict(list)
    for row in rows:
        if row["end"] in years:
            members[row["end"]].append(row)
    pairs: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for op, group in members.items():
        for a in group:
            for b in group:
                if a["start"] < b["start"]:
                    ops, sources = pairs.setdefault((a["start"], b["start"]), (set(), set()))
                    ops.add(op)
                    sources.update(a["sources"], b["sources"])
    expected = []
    for (a, b), (ops, sources) in sorted(pairs.items()):
        known = [years[op] for op in ops if years[op] is not None]
        expected.append({"start": a, "end": b, "props": {
            "weight": len(ops), "operations": sorted(ops), "sources": sorted(sources),
            "first_year": min(known, default=None), "last_year": max(known, default=None),
            "derived": True,
        }})
    return expected


@pytest.mark.parametrize("seed", range(5))
def test_derived_partnerships_are_the_pairs_of_every_operation(seed: int) -> None:
    rows, operations = participation(seed)
    partners = derive_partners(rows, agencies_of(rows), operations)
    derived = sorted(partners.rows(), key=lambda row: (row["start"], row["end"]))
    assert derived == reference_partners(rows, operations)
    assert len(partners) == len(derived) > 100
    # one source everywhere: every pair has just that source
    for row in rows:
        row["sources"] = ["src-only"]
    single = derive_partners(rows, agencies_of(rows), operations)
    assert {tuple(row["props"]["sources"]) for row in single.rows()} == {("src-only",)}
    assert len(derive_partners([], [], operations)) == 0


@pytest.mark.parametrize("token_bytes", [falkor_bulk.TOKEN_BYTES, 700, 1])
def test_partnership_tokens_are_the_bytes_of_their_rows(
    token_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The array encoder makes exactly the tokens the row encoder makes of the same edges."""
    monkeypatch.setattr(falkor_bulk, "TOKEN_BYTES", token_bytes)
    rows, operations = participation(11)
    partners = derive_partners(rows, agencies_of(rows), operations)
    encoder = falkor_bulk.Encoder(first_id=3)
    list(encoder.node_tokens("Agency", agencies_of(rows)))
    by_rows = list(encoder.edge_tokens("PARTNERS_WITH", "Agency", "Agency", list(partners.rows())))
    by_arrays = list(falkor_bulk.partner_tokens(encoder, "PARTNERS_WITH", "Agency", partners))
    assert by_arrays == by_rows
    # and both are what encode_value spells out, record by record
    keys = ["derived", "first_year", "last_year", "operations", "sources", "weight"]
    ids = encoder.ids["Agency"]
    records = b"".join(
        ids[row["start"]].to_bytes(8, "little") + ids[row["end"]].to_bytes(8, "little")
        + b"".join(falkor_bulk.encode_value(row["props"][key]) for key in keys)
        for row in partners.rows()
    )
    header = falkor_bulk._header("PARTNERS_WITH", keys)
    assert b"".join(token[len(header):] for _, token in by_arrays) == records
    if token_bytes > 10_000:
        assert len(by_rows) == 1
    elif token_bytes == 1:
        assert len(by_rows) == len(partners)  # one record per token
    else:
        assert 1 < len(by_rows) < len(partners)
    assert sum(count for count, _ in by_arrays) == len(partners)


def test_tokens_encode_every_value_as_the_format_says() -> None:
    """Columns of every kind (strings repeated and unique, text that is not ASCII,
    booleans, integers, floats, absent values, string lists, mixed lists, str
    subclasses) give the records encode_value spells out value by value."""
    rows = [
        {"id": f"n{i}", "props": props, "sources": ["src-a"], "evidence": [f"f.csv:{i}"]}
        for i, props in enumerate([
            {"name": "Zoë Agency", "flag": True, "year": 2021, "score": 0.5,
             "tags": ["a", "b"], "mixed": ["a", 1], "kind": Label.AGENCY},
            {"name": "Zoë Agency", "flag": False, "year": None, "score": None,
             "tags": [], "mixed": None, "kind": "plain"},
            {"name": "日本の警察", "flag": None, "year": -(2**63), "score": -1e300,
             "tags": ("c",), "mixed": [True, 2.5], "kind": None},
        ])
    ]
    keys = ["flag", "kind", "mixed", "name", "score", "tags", "year"]
    [(count, token)] = list(falkor_bulk.Encoder().node_tokens("Agency", rows))
    header = b"Agency\x00" + (3 + len(keys)).to_bytes(4, "little") + b"".join(
        key.encode() + b"\x00" for key in ["id", *keys, "sources", "evidence"]
    )
    expected = header + b"".join(
        falkor_bulk.encode_value(value)
        for row in rows
        for value in [row["id"], *[row["props"].get(k) for k in keys], row["sources"],
                      row["evidence"]]
    )
    assert (count, token) == (3, expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [("a\x00b", "NUL character"), ("a\ud800b", "not valid Unicode"),
     (["ok", "a\x00b"], "NUL character"), (2**63, "64-bit range"),
     (float("nan"), "finite"), ({"a": 1}, "unsupported")],
)
def test_a_value_the_format_cannot_carry_is_named(value: Any, message: str) -> None:
    rows = [{"id": "fine", "props": {"v": "x"}}, {"id": "bad", "props": {"v": value}}]
    with pytest.raises(falkor_bulk.Unencodable, match=message):
        list(falkor_bulk.Encoder().node_tokens("Agency", rows))


def test_a_node_given_twice_is_refused() -> None:
    encoder = falkor_bulk.Encoder()
    list(encoder.node_tokens("Agency", [{"id": "a", "props": {}}]))
    with pytest.raises(falkor_bulk.Unencodable, match="'a' given twice"):
        list(encoder.node_tokens("Agency", [{"id": "b", "props": {}}, {"id": "a", "props": {}}]))
    with pytest.raises(falkor_bulk.Unencodable, match="'c' given twice"):
        list(encoder.node_tokens("Operation", [{"id": "c", "props": {}}] * 2))


def test_chunks_grow_to_their_limit_and_cover_every_row_once() -> None:
    first, limit = falkor_bulk._FIRST_CHUNK_ROWS, falkor_bulk._CHUNK_ROWS
    for count in (0, 1, first, first + 1, 10 * limit + 3):
        spans = list(falkor_bulk._chunks(count))
        assert [start for start, _ in spans] == [0, *(end for _, end in spans[:-1])][:len(spans)]
        assert (spans[-1][1] if spans else 0) == count
        sizes = [end - start for start, end in spans]
        assert all(0 < size <= limit for size in sizes)
        assert sizes[:-1] == sorted(sizes[:-1])
    assert [end - start for start, end in falkor_bulk._chunks(10 * limit)][:2] == [first, 2 * first]


def test_planned_ids_are_the_ids_nodes_get_as_they_are_sent() -> None:
    rows = {"Agency": [{"id": f"a{i}", "props": {}} for i in range(3)],
            "Operation": [{"id": "o", "props": {}}]}
    as_sent, planned = falkor_bulk.Encoder(first_id=5), falkor_bulk.Encoder(first_id=5)
    for label, nodes in rows.items():
        planned.plan(label, nodes)
    assert planned.ids == {"Agency": {"a0": 5, "a1": 6, "a2": 7}, "Operation": {"o": 8}}
    for label, nodes in rows.items():
        assert list(planned.node_tokens(label, nodes)) == list(as_sent.node_tokens(label, nodes))
    assert planned.ids == as_sent.ids
    with pytest.raises(falkor_bulk.Unencodable, match="'o' given twice"):
        planned.plan("Operation", rows["Operation"])
    planned.plan("Sector", [{"id": "s"}])
    with pytest.raises(ValueError, match="1 nodes were planned, 2 given"):
        list(planned.node_tokens("Sector", [{"id": "s"}, {"id": "t"}]))


@pytest.mark.parametrize("first_load", [10, 1], ids=["one-import", "import-then-merge"])
def test_the_pipeline_imports_into_an_empty_store_and_merges_into_a_full_one(
    store: GraphStore, tmp_path: Path, fixture_path: Path, first_load: int
) -> None:
    """Every file at once into the empty store, or the first file and then the rest:
    the graph is the one the batched MERGE builds."""
    need_bulk(store)
    paths = documents(tmp_path, fixture_path)
    for batch in (paths[:first_load], paths[first_load:]):
        if batch:
            report = load_paths(store, batch)
            assert report.exit_code == ExitCode.OK, [str(e) for e in report.errors]
            assert all(f.written and f.records_written > 0 for f in report.files)
    loaded = dump(store)

    store.write("MATCH (n) DETACH DELETE n")
    write_grouped(store, records(paths))
    rebuild_partners(store)
    # the same graph, up to the Source nodes' load times
    strip = [line.split('"loaded_at"')[0] for line in loaded]
    assert [line.split('"loaded_at"')[0] for line in dump(store)] == strip


def test_bulk_import_needs_an_empty_store(store: GraphStore, tmp_path: Path,
                                          fixture_path: Path) -> None:
    need_bulk(store)
    grouped = records(documents(tmp_path, fixture_path)[:1])
    assert import_grouped(store, grouped) is not None
    before = dump(store)
    assert import_grouped(store, grouped) is None
    assert dump(store) == before


def test_a_failed_bulk_import_leaves_the_store_empty_with_its_schema(
    store: GraphStore,
) -> None:
    need_bulk(store)
    agencies = [
        NodeRecord(Label.AGENCY, f"agency-{i}", {"name": f"Agency {i}"}, "src", f"f:{i}")
        for i in range(5000)
    ]
    # a value no property can hold, met only after the agencies were sent
    bad = NodeRecord(Label.OPERATION, "op", {"name": {"not": "a property"}}, "src", "f:1")
    with pytest.raises(InvalidInput, match="unsupported property value"):
        import_records(store, [*agencies, bad], [])
    assert store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert graph_names(store) == ["partnergraph"], "the staging graph is dropped"
    indexed = {
        (row["label"], prop)
        for row in store.read("CALL db.indexes() YIELD label, properties "
                              "RETURN label, properties")
        for prop in row["properties"]
    }
    assert {(label.value, "id") for label in Label} <= indexed
    assert import_records(store, agencies[:10], []) == 10
    with pytest.raises(Exception, match="unique constraint"):
        store.write("CREATE (:Agency {id: 'agency-3'})")


def child_processes() -> set[int]:
    """The live children of this process, and any that ended and were not reaped."""
    live = {
        int(pid)
        for task in Path("/proc/self/task").iterdir()
        for pid in (task / "children").read_text().split()
    }
    ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return live | ({ended.si_pid} if ended else set())


@pytest.mark.skipif(not forked.CAN_FORK, reason="this platform encodes every token in one process")
@pytest.mark.parametrize(
    ("failure", "message"),
    [("killed", "ended unexpectedly"), ("raises", "ZeroDivisionError"),
     ("unencodable", "cannot bulk-import a value: string contains a NUL")],
)
def test_a_failed_partnership_child_leaves_the_store_empty_and_no_process_behind(
    store: GraphStore, tmp_path: Path, fixture_path: Path, monkeypatch: pytest.MonkeyPatch,
    failure: str, message: str,
) -> None:
    """The child deriving partnerships dies, fails or meets a value the format cannot
    carry, after the parent sent every node and relationship: the import fails with
    that reason, the graph is emptied and the child is reaped."""
    bulk = need_bulk(store)
    monkeypatch.setattr(falkor, "FORK_ROWS", 0)
    grouped = records(documents(tmp_path, fixture_path)[:2])
    nodes, rels = grouped.node_rows(), grouped.rel_rows()
    parent = os.getpid()

    def partners() -> Partnerships:
        assert os.getpid() != parent, "partnerships are derived in a forked child"
        if failure == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        if failure == "raises":
            1 / 0  # noqa: B018
        key = (RelType.PARTICIPATED_IN, Label.AGENCY, Label.OPERATION)
        return partners_of(nodes, {key: [{**row, "sources": ["src\x00"]} for row in rels[key]]})

    before = child_processes()
    with pytest.raises(PartnergraphError, match=message):
        bulk.import_graph(nodes, rels, partners=partners)
    assert child_processes() == before
    assert store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
    assert graph_names(store) == ["partnergraph"], "the staging graph is dropped"
    assert import_grouped(store, grouped) is not None, "the emptied store takes an import again"


def test_an_import_that_cannot_fork_derives_partnerships_itself(
    store: GraphStore, tmp_path: Path, fixture_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    bulk = need_bulk(store)
    monkeypatch.setattr(falkor, "FORK_ROWS", 0)

    def no_fork() -> int:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(forked.os, "fork", no_fork)
    grouped = records(documents(tmp_path, fixture_path)[:2])
    nodes, rels = grouped.node_rows(), grouped.rel_rows()
    where: list[int] = []

    def partners() -> Partnerships:
        where.append(os.getpid())
        return partners_of(nodes, rels)

    assert bulk.import_graph(nodes, rels, partners=partners) == sum(
        map(len, [*nodes.values(), *rels.values()]))
    assert where == [os.getpid()]
    assert store.read("MATCH ()-[p:PARTNERS_WITH]->() RETURN count(p) AS n") == [
        {"n": len(partners())}]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [("Bad\\u0000Agency", "NUL character"), ("Bad\\ud800Agency", "lone surrogate")],
)
def test_unstorable_text_is_a_rejected_row_not_a_store_error(
    store: GraphStore, tmp_path: Path, bad: str, reason: str
) -> None:
    path = tmp_path / "bad.json"
    row = '{{"operation": "Op", "agency": "{}", "role": "r", "impact": "i"}}'
    path.write_text(f"[{row.format('Good Agency')}, {row.format(bad)}]")
    report = load_paths(store, [path])
    assert report.exit_code == ExitCode.PARTIAL
    assert reason in str(report.errors[0])
    assert store.read("MATCH (a:Agency) RETURN a.name AS name") == [{"name": "Good Agency"}]


def test_a_bulk_import_survives_sigkill(tmp_path: Path, fixture_path: Path) -> None:
    folder = tmp_path / "db"
    store = EmbeddedStore.open(folder)
    store.ensure_schema()
    report = load_paths(store, documents(tmp_path, fixture_path)[:1])
    assert report.exit_code == ExitCode.OK
    before = dump(store)
    kill_server(store)
    again = open_store(str(folder))
    try:
        assert dump(again) == before
        with pytest.raises(Exception, match="unique constraint"):
            again.write("CREATE (:Agency {id: 'federal-bureau-of-investigation'})")
    finally:
        again.close()


def test_a_load_pauses_the_cyclic_collector_and_restores_it(store: GraphStore,
                                                            tmp_path: Path,
                                                            fixture_path: Path) -> None:
    seen: list[bool] = []
    assert gc.isenabled()
    load_paths(store, documents(tmp_path, fixture_path)[:1],
               on_document=lambda doc, extraction: seen.append(gc.isenabled()))
    assert seen == [False]
    assert gc.isenabled()


def aof_state(client: Any) -> tuple[str, int, int]:
    """The server's automatic rewrite percentage, rewrites done and rewrites running."""
    percentage = client.execute_command("CONFIG", "GET", "auto-aof-rewrite-percentage")[1]
    info = client.info("persistence")
    busy = int(info["aof_rewrite_in_progress"]) + int(info["aof_rewrite_scheduled"])
    return str(percentage), int(info["aof_rewrites"]), busy


def test_an_import_pauses_rewrites_of_the_append_only_file_and_resumes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No rewrite starts while the tokens stream in, even past the threshold, and
    the first one after compacts them; a failed import resumes rewrites too."""
    from falkordb import FalkorDB

    store = EmbeddedStore.open(tmp_path / "db")
    watcher = FalkorDB(unix_socket_path=str(store.server.socket)).connection
    try:
        store.ensure_schema()
        # a rewrite as soon as the file doubles, looked for every 10 ms
        watcher.execute_command("CONFIG", "SET", "auto-aof-rewrite-min-size", "1")
        watcher.execute_command("CONFIG", "SET", "hz", "100")
        watcher.execute_command("BGREWRITEAOF")
        deadline = time.monotonic() + 20
        while aof_state(watcher)[2] and time.monotonic() < deadline:
            time.sleep(0.01)
        _, rewrites, busy = aof_state(watcher)
        assert not busy
        monkeypatch.setattr(falkor_bulk, "_FIRST_CHUNK_ROWS", 50)
        monkeypatch.setattr(falkor_bulk, "_CHUNK_ROWS", 50)
        agencies = [
            NodeRecord(Label.AGENCY, f"agency-{i}", {"name": f"Agency {i}"}, "src", f"f:{i}")
            for i in range(5000)
        ]
        during: list[tuple[str, int, int]] = []

        def progress(done: int, total: int) -> None:
            during.append(aof_state(watcher))
            time.sleep(0.002)  # a cron tick every few tokens

        assert import_records(store, agencies, [], progress=progress) == 5000
        assert len(during) >= 100
        assert {(done, busy) for _, done, busy in during} == {(rewrites, 0)}, (
            "no rewrite starts while the import runs"
        )
        assert {percentage for percentage, _, _ in during} == {"0"}
        while aof_state(watcher)[1] == rewrites and time.monotonic() < deadline + 20:
            time.sleep(0.01)
        assert aof_state(watcher)[0] == "100"
        assert aof_state(watcher)[1] > rewrites, "the file grew: a rewrite follows"

        store.write("MATCH (n) DETACH DELETE n")
        bad = NodeRecord(Label.OPERATION, "op", {"name": {"not": "a property"}}, "src", "f:1")
        with pytest.raises(InvalidInput):
            import_records(store, [*agencies, bad], [])
        assert aof_state(watcher)[0] == "100"
    finally:
        watcher.close()
        store.close()


def test_opening_the_store_resumes_rewrites_an_interrupted_import_paused(
    tmp_path: Path,
) -> None:
    first = EmbeddedStore.open(tmp_path / "db")
    try:
        first._set_aof_rewrite("0")  # as an import killed midway leaves it
        second = EmbeddedStore.open(tmp_path / "db")
        second.close()
        assert aof_state(first._client.connection)[0] == "100"
    finally:
        first.close()


@pytest.mark.parametrize("seed", range(6))
def test_facts_grouped_as_columns_are_the_facts_merged_one_by_one(seed: int) -> None:
    """The array grouping of a type's first facts (rows in order of first
    appearance, props merged in order with None ignored, evidence once each,
    long evidence lists) gives the rows that merging each fact in turn gives,
    and later facts merge into it alike."""
    rng = random.Random(seed)
    props_choices: list[dict[str, Any]] = [
        {}, {"role": "a"}, {"role": "b", "impact": None}, {"role": None, "impact": "x"},
        {"inferred": True}, {"role": "a"},  # equal to the second, not the same dict
    ]
    starts = [f"s{rng.randrange(12)}" for _ in range(2000)]
    ends = [f"e{rng.randrange(3)}" for _ in range(2000)]
    props = [rng.choice(props_choices) for _ in range(2000)]
    evidence = [f"f:{rng.randrange(2500)}" for _ in range(2000)]  # some twice
    key = RelType.TARGETS, Label.OPERATION, Label.CRIME_SECTOR
    later = [(f"s{rng.randrange(14)}", f"e{rng.randrange(3)}", rng.choice(props_choices),
              f"g:{i}") for i in range(300)]

    one_by_one = Grouped()
    for fact in zip(starts, ends, props, evidence, strict=True):
        one_by_one.rel(key[0], key[1], fact[0], key[2], fact[1], fact[2], "src", fact[3])
    columns = Grouped()
    code_of = {name: i for i, name in enumerate(sorted({*starts, *ends}))}
    codes = np.array([code_of[s] * 100 + code_of[e] for s, e in zip(starts, ends, strict=True)])
    columns.rel_columns(*key, starts, ends, props, evidence, source="src", codes=codes)
    assert columns.rel_rows() == one_by_one.rel_rows()
    assert max(len(row["evidence"]) for row in columns.rel_rows()[key]) > 16

    for grouped in (one_by_one, columns):
        grouped.rels(*key, later, "other")
    assert columns.rel_rows() == one_by_one.rel_rows()
    assert Grouped().update(columns).rel_rows() == columns.rel_rows()


def without_load_times(lines: list[str]) -> list[str]:
    """Dump lines without the Source nodes' ``loaded_at`` (the clock, not the data)."""
    rows = [json.loads(line) for line in lines]
    for row in rows:
        row["props"].pop("loaded_at", None)
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def graph_names(store: GraphStore) -> list[str]:
    assert isinstance(store, falkor.FalkorStore)
    return sorted(
        name.decode() if isinstance(name, bytes) else name
        for name in store._client.connection.execute_command("GRAPH.LIST")
    )


# Loads a file in a child process and SIGKILLs the server once the import has
# stored its first tokens.
_KILL_MIDWAY = """
import os, signal, sys
from pathlib import Path
from graph import falkor_bulk
from graph.store import open_store
from loaders.pipeline import load_paths
falkor_bulk._FIRST_CHUNK_ROWS = falkor_bulk._CHUNK_ROWS = 20
store = open_store(sys.argv[1])
def progress(done, total):
    if done:
        os.kill(store.server.pid(), signal.SIGKILL)
        os._exit(3)
load_paths(store, [Path(sys.argv[2])], progress=progress)
os._exit(4)
"""


def test_a_server_killed_midway_through_an_import_restarts_empty(
    tmp_path: Path, fixture_path: Path,
) -> None:
    """The tokens stored before the kill are in the append-only file, but under
    a staging name: the graph comes back empty, the abandoned staging graph is
    dropped, and the file loads again in full."""
    folder = tmp_path / "db"
    data = tmp_path / "participation.csv"
    data.write_text("operation,agency,role,impact\n" + "".join(
        f"Operation {i % 40},Agency {i % 97},Arrests,Seized narcotics\n" for i in range(600)
    ))
    done = subprocess.run([sys.executable, "-c", _KILL_MIDWAY, str(folder), str(data)],
                          cwd=Path(__file__).parent.parent, capture_output=True, text=True)
    assert done.returncode == 3, done.stderr
    logged = b"".join(path.read_bytes() for path in (folder / "appendonlydir").iterdir())
    store = open_store(str(folder))
    try:
        assert store.is_empty()
        assert store.read("MATCH (n) RETURN count(n) AS n") in ([], [{"n": 0}])
        assert falkor.STAGING_PREFIX.encode() in logged, "tokens were stored before the kill"
        assert graph_names(store) in ([], ["partnergraph"]), "the abandoned import is dropped"
        report = load_paths(store, [data])
        assert report.exit_code == ExitCode.OK
        loaded = dump(store)
    finally:
        store.close()
    fresh = open_store(str(tmp_path / "fresh"))
    try:
        load_paths(fresh, [data])
        assert without_load_times(dump(fresh)) == without_load_times(loaded)
    finally:
        fresh.close()


def test_an_import_overtaken_by_another_writer_writes_nothing_and_merges_instead(
    store: GraphStore, tmp_path: Path, fixture_path: Path,
) -> None:
    need_bulk(store)
    grouped = records(documents(tmp_path, fixture_path)[:1])

    def intrude(done: int, total: int) -> None:
        if not store.read("MATCH (n:Agency {id: 'intruder'}) RETURN n.id AS id"):
            store.write("CREATE (:Agency {id: 'intruder', name: 'Intruder'})")

    assert import_grouped(store, grouped, progress=intrude) is None
    assert store.read("MATCH (n) RETURN n.id AS id") == [{"id": "intruder"}]
    assert graph_names(store) == ["partnergraph"]
    report = load_paths(store, documents(tmp_path, fixture_path)[:1])
    assert report.exit_code == ExitCode.OK
    assert store.read("MATCH (n:Agency {id: 'federal-bureau-of-investigation'}) "
                      "RETURN count(n) AS n") == [{"n": 1}]
