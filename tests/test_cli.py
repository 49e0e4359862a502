"""The command line as a user runs it: subprocesses on a real embedded store."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def run(cli: list[str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cli, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "200"})


def status_counts(cli: list[str], db: Path) -> str:
    result = run(cli, "status", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_lists_the_commands(cli: list[str]) -> None:
    result = run(cli, "--help")
    assert result.returncode == 0
    for command in ("load", "serve", "demo"):
        assert command in result.stdout


def test_load_twice_changes_no_count(cli: list[str], tmp_path: Path, fixture_path: Path) -> None:
    db = tmp_path / "db"
    files = [str(fixture_path / "western-operation.txt"), str(fixture_path / "coalition.txt")]
    first = run(cli, "load", *files, "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "skipped table" in first.stdout
    before = status_counts(cli, db)
    assert run(cli, "load", *files, "--db", str(db)).returncode == 0
    assert status_counts(cli, db) == before


def test_load_names_columns_it_does_not_read(cli: list[str], tmp_path: Path,
                                             fixture_path: Path) -> None:
    index = fixture_path / "corpus" / "organised-crime-index.csv"
    result = run(cli, "load", str(index), "--db", str(tmp_path / "db"))
    assert result.returncode == 0, result.stderr
    assert "1 markets" in result.stdout
    assert "columns not read: Criminality | Mafia-style groups | Rank" in result.stdout


def test_exit_codes_and_no_traceback(cli: list[str], tmp_path: Path) -> None:
    db = str(tmp_path / "db")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = run(cli, "load", str(bad), "--db", db)
    assert result.returncode == 2
    assert "bad.json:1:" in result.stderr and "Traceback" not in result.stderr
    partial = tmp_path / "ops.csv"
    partial.write_text("operation,countries,outcome\nA,U.S.,x\nB,Atlantis,y\n")
    result = run(cli, "load", str(partial), "--db", db)
    assert result.returncode == 1
    assert "ops.csv:3:" in result.stderr and "Atlantis" in result.stderr
    result = run(cli, "load", str(tmp_path / "x.csv"), "--db", "http://nowhere")
    assert result.returncode == 2 and "http://nowhere" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_loads_the_sample_data(cli: list[str], tmp_path: Path) -> None:
    result = run(cli, "demo", "--no-serve", "--db", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "Loaded 17 sample rows" in result.stdout


def test_map_agency_writes_a_self_contained_file(cli: list[str], tmp_path: Path,
                                                fixture_path: Path) -> None:
    db = str(tmp_path / "db")
    assert run(cli, "load", str(fixture_path / "western-operation.txt"), "--db", db).returncode == 0
    output = tmp_path / "maps" / "fbi.html"
    result = run(cli, "map", "agency", "FBI", "-o", str(output), "--db", db)
    assert result.returncode == 0, result.stderr
    html = output.read_text()
    assert "<script src=" not in html and "<link rel=\"stylesheet\"" not in html
    assert "vis.Network" in html and "Federal Bureau of Investigation" in html
    missing = run(cli, "map", "agency", "nope", "-o", str(tmp_path / "x.html"), "--db", db)
    assert missing.returncode == 2 and "no agency matches 'nope'" in missing.stderr
    assert not (tmp_path / "x.html").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())  # type: ignore[no-any-return]


def wait_for(url: str, process: subprocess.Popen[str], timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {process.stderr.read() if process.stderr else ''}")
        try:
            return get_json(url)
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"no answer from {url}")


def serve(cli: list[str], db: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen([*cli, "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def test_serve_survives_a_killed_store(cli: list[str], tmp_path: Path,
                                       fixture_path: Path) -> None:
    db = tmp_path / "db"
    files = [str(fixture_path / "western-operation.txt"), str(fixture_path / "coalition.txt")]
    assert run(cli, "load", *files, "--db", str(db)).returncode == 0
    port = free_port()
    server = serve(cli, db, port)
    try:
        health = wait_for(f"http://127.0.0.1:{port}/health", server)
        partners = get_json(f"http://127.0.0.1:{port}/agencies/FBI/partners")
        assert len(partners["items"]) == 3  # type: ignore[arg-type]
        pid = int((db / "falkordb.pid").read_text())
        os.kill(pid, signal.SIGKILL)
    finally:
        stop(server)
    server = serve(cli, db, port)
    try:
        again = wait_for(f"http://127.0.0.1:{port}/health", server)
        assert (again["nodes"], again["relationships"]) == (
            health["nodes"], health["relationships"])
    finally:
        stop(server)
    assert not (db / "falkordb.pid").exists()  # the last user stopped the server


def test_query_commands_print_tables_and_json(cli: list[str], tmp_path: Path,
                                              fixture_path: Path) -> None:
    db = str(tmp_path / "db")
    files = [str(fixture_path / "western-operation.txt"), str(fixture_path / "coalition.txt")]
    assert run(cli, "load", *files, "--db", db).returncode == 0
    as_json = run(cli, "query", "partners", "FBI", "--json", "--db", db)
    assert as_json.returncode == 0, as_json.stderr
    partners = json.loads(as_json.stdout)
    assert partners and all(p["weight"] >= 1 for p in partners)
    table = run(cli, "query", "partners", "fbi", "--db", db)
    assert table.returncode == 0 and partners[0]["name"] in table.stdout
    path = run(cli, "query", "path", "FBI", partners[0]["id"], "--db", db)
    assert path.returncode == 0 and "-->" in path.stdout, path.stdout + path.stderr
    for args in (["agency", "the bureau"], ["operations"], ["countries"], ["sectors"],
                 ["brokers"], ["communities"], ["likely-partners", "FBI"],
                 ["network", "FBI"], ["cypher", "MATCH (a:Agency) RETURN a.name AS n LIMIT $k",
                                      "-p", "k=2"]):
        result = run(cli, "query", *args, "--db", db)
        assert result.returncode == 0, (args, result.stderr)
    missing = run(cli, "query", "partners", "Federal Bureau of Investigatoin", "--db", db)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "Federal Bureau of Investigation" in missing.stderr  # the suggestion


def test_export_writes_a_file_other_tools_read(cli: list[str], tmp_path: Path,
                                               fixture_path: Path) -> None:
    import networkx as nx

    db = str(tmp_path / "db")
    assert run(cli, "load", str(fixture_path / "coalition.txt"), "--db", db).returncode == 0
    out = tmp_path / "graph.graphml"
    result = run(cli, "export", "graphml", "-o", str(out), "--db", db)
    assert result.returncode == 0, result.stderr
    assert nx.read_graphml(out).number_of_nodes() > 0
    bad = run(cli, "export", "pdf", "-o", str(tmp_path / "x.pdf"), "--db", db)
    assert bad.returncode == 2 and "pdf" in bad.stderr and not (tmp_path / "x.pdf").exists()
