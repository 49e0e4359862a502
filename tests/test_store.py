"""The embedded store: server lifecycle, sharing, durability and error mapping."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.embedded import EmbeddedServer, EmbeddedStore, socket_path_for
from graph.errors import InvalidInput, QueryError, StoreUnavailable
from graph.model import Label, NodeRecord, RelRecord, RelType
from graph.store import GraphStore, open_store, store_kind
from graph.writer import write_records
from tests.conftest import kill_server


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("/tmp/some/dir", "embedded"),  # a plain path
        ("file:///tmp/x", "embedded"),  # a file URL
        ("neo4j://db:7687", "neo4j"),
        ("neo4j+s://abc.databases.neo4j.io", "neo4j"),  # Aura
        ("bolt://localhost:7687", "neo4j"),
        ("falkordb://localhost:6379", "falkordb"),
    ],
)
def test_store_kind_from_location(location: str, kind: str) -> None:
    assert store_kind(location) == kind


def test_unknown_scheme_names_the_value() -> None:
    with pytest.raises(InvalidInput, match=r"http://example\.org"):
        open_store("http://example.org")


def test_a_file_is_not_a_store_directory(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(InvalidInput, match="is a file"):
        open_store(str(path))


def test_unreachable_falkordb_is_store_unavailable() -> None:
    with pytest.raises(StoreUnavailable):
        open_store("falkordb://127.0.0.1:1")


def test_read_of_empty_store_is_empty(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "db"))
    try:
        assert store.read("MATCH (n) RETURN count(n) AS n") == []
    finally:
        store.close()


def test_bad_cypher_is_query_error(store: GraphStore) -> None:
    store.write("CREATE (:Agency {id: 'x'})")
    with pytest.raises(QueryError):
        store.read("MATCH (n RETURN n")


def test_read_only_refuses_writes(store: GraphStore) -> None:
    store.write("CREATE (:Agency {id: 'x'})")
    with pytest.raises(QueryError):
        store.read("CREATE (:Agency {id: 'y'})")


def test_schema_is_idempotent_and_enforces_unique_ids(store: GraphStore) -> None:
    store.ensure_schema()
    store.ensure_schema()
    store.write("CREATE (:Agency {id: 'dup'})")
    with pytest.raises(QueryError):
        store.write("CREATE (:Agency {id: 'dup'})")


@pytest.mark.parametrize(
    "hostile",
    [
        'quote " and \\ backslash',  # escapes of the parameter header
        "'; MATCH (n) DETACH DELETE n //",  # a Cypher fragment
        "<script>alert(1)</script>",
        "line\nbreak\ttab",
        "ünïcödé ✓ 中文",
        "x" * 100_000,  # a huge string
    ],
)
def test_values_travel_as_parameters(store: GraphStore, hostile: str) -> None:
    store.write("CREATE (:Agency {id: 'keep'})")
    write_records(store, [NodeRecord(Label.AGENCY, "a", {"name": hostile}, "s", "e")], [])
    rows = store.read("MATCH (a:Agency {id: $id}) RETURN a.name AS name", {"id": "a"})
    assert rows == [{"name": hostile}]
    assert store.read("MATCH (n:Agency) RETURN count(n) AS n") == [{"n": 2}]


def test_non_finite_numbers_are_rejected(store: GraphStore) -> None:
    with pytest.raises(InvalidInput, match="finite"):
        store.write("CREATE (:Agency {id: 'x', v: $v})", {"v": float("nan")})


def test_merges_are_idempotent_and_provenance_grows_as_a_set(store: GraphStore) -> None:
    nodes = [
        NodeRecord(Label.AGENCY, "a", {"name": "A"}, "s1", "f:1", {"aliases": ["x"]}),
        NodeRecord(Label.AGENCY, "b", {"name": "B"}, "s1", "f:2"),
        NodeRecord(Label.OPERATION, "o", {"name": "O"}, "s1", "f:3"),
    ]
    rels = [RelRecord(RelType.PARTICIPATED_IN, Label.AGENCY, "a", Label.OPERATION, "o", {},
                      "s1", "f:1")]
    for _ in range(2):
        write_records(store, nodes, rels)
    again = [NodeRecord(Label.AGENCY, "a", {"name": "A"}, "s2", "g:9", {"aliases": ["x", "y"]})]
    write_records(store, again, [])
    [row] = store.read("MATCH (a:Agency {id: 'a'}) RETURN a.sources AS s, a.evidence AS e, "
                       "a.aliases AS al")
    assert row == {"s": ["s1", "s2"], "e": ["f:1", "g:9"], "al": ["x", "y"]}
    assert store.read("MATCH ()-[r]->() RETURN count(r) AS n") == [{"n": 1}]


def test_two_users_share_one_server_and_the_last_stops_it(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    first = EmbeddedStore.open(folder)
    second = EmbeddedStore.open(folder)
    pid = first.server.pid()
    assert pid is not None and second.server.pid() == pid
    first.write("CREATE (:Agency {id: 'shared'})")
    first.close()
    assert second.read("MATCH (a:Agency) RETURN a.id AS id") == [{"id": "shared"}]
    second.close()
    assert EmbeddedServer(folder).pid() is None
    assert not socket_path_for(folder).exists()


def test_a_second_process_joins_the_running_server(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    store = EmbeddedStore.open(folder)
    try:
        store.write("CREATE (:Agency {id: 'from-parent'})")
        script = textwrap.dedent(f"""
            from graph.embedded import EmbeddedStore
            s = EmbeddedStore.open(__import__('pathlib').Path({str(folder)!r}))
            print(s.server.pid(), s.read("MATCH (a:Agency) RETURN a.id AS id")[0]["id"])
            s.close()
        """)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True, timeout=60)
        assert out.stdout.split() == [str(store.server.pid()), "from-parent"]
        # the child left, the parent still uses the server
        assert store.read("MATCH (a:Agency) RETURN count(a) AS n") == [{"n": 1}]
    finally:
        store.close()


def test_stale_pid_and_socket_are_cleaned(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "falkordb.pid").write_text("999999\n")
    socket_path_for(folder).write_text("")
    store = open_store(str(folder))
    try:
        store.write("CREATE (:Agency {id: 'fresh'})")
        assert store.read("MATCH (a:Agency) RETURN a.id AS id") == [{"id": "fresh"}]
    finally:
        store.close()


def test_long_directory_gets_a_short_socket(tmp_path: Path) -> None:
    folder = tmp_path / ("d" * 120)
    store = open_store(str(folder))
    try:
        assert len(os.fsencode(socket_path_for(folder))) <= 100
        store.write("CREATE (:Agency {id: 'deep'})")
        assert store.read("MATCH (a:Agency) RETURN count(a) AS n") == [{"n": 1}]
    finally:
        store.close()


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    store = EmbeddedStore.open(folder)
    store.ensure_schema()
    rows = [NodeRecord(Label.AGENCY, f"a{i}", {"name": f"A{i}"}, "s", "e") for i in range(2000)]
    write_records(store, rows, [], batch_size=250)
    kill_server(store)
    again = open_store(str(folder))
    try:
        assert again.read("MATCH (a:Agency) RETURN count(a) AS n") == [{"n": 2000}]
    finally:
        again.close()
