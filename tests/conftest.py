"""Shared fixtures: one real embedded FalkorDB per test session (or Neo4j when
``NEO4J_URI`` is set), emptied before each test that uses it."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.store import GraphStore, open_store

FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = bool(os.environ.get("CI"))


def need(condition: bool, reason: str) -> None:
    """Skip with ``reason`` on a user's machine; fail under CI, where it must be there."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required under CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def session_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    location = os.environ.get("NEO4J_URI") or str(tmp_path_factory.mktemp("store") / "db")
    store = open_store(location)
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture
def store(session_store: GraphStore) -> GraphStore:
    """The session's store, empty."""
    session_store.write("MATCH (n) DETACH DELETE n")
    return session_store


@pytest.fixture
def fixture_path() -> Path:
    return FIXTURES


@pytest.fixture
def cli() -> list[str]:
    """The command that runs partnergraph's CLI in a subprocess."""
    exe = shutil.which("partnergraph", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-c", "from graph.cli import app; app()"]


def kill_server(store: EmbeddedStore) -> None:
    """SIGKILL the embedded server of ``store``, wait for it to be gone, then close
    the store (releasing a dead server only cleans its pid file and socket)."""
    pid = store.server.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while store.server.pid() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    store.close()
