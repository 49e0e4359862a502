"""Map pages in a real headless Chromium (Debian's, driven by Playwright).

Skipped with the reason where Chromium or Playwright is missing, except under
CI, where they are required (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.app import create_app
from graph.projection import Projections
from graph.store import GraphStore
from loaders.pipeline import load_paths
from tests.conftest import need

OUTPUT = Path(__file__).parent.parent / "test-output"
HOSTILE = '<img src=x onerror="window.pwned=1"></script><script>window.pwned=2</script>'
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def browser() -> Iterator[Any]:
    executable = chromium_path()
    need(executable is not None, "no Chromium found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install -e '.[test]')")
        raise
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(store: GraphStore, fixture_path: Path, tmp_path: Path) -> Iterator[str]:
    evil = tmp_path / "evil.csv"
    evil.write_text("agency,role,impact,operation\n"
                    f"\"{HOSTILE.replace(chr(34), chr(34) * 2)}\",x,y,Western Op\n")
    load_paths(store, [fixture_path / "western-operation.txt"], operation="Western Op")
    load_paths(store, [evil])
    with serve(store) as url:
        yield url


@contextmanager
def serve(store: GraphStore) -> Iterator[str]:
    """The API on ``store`` over real HTTP (uvicorn in a thread); yields its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store=store), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def watch(page: Any, origin: str) -> tuple[list[str], list[str]]:
    """Requests leaving ``origin`` and console errors, collected as the page runs."""
    outside: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((origin, "data:", "blob:"))
            else outside.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return outside, errors


def test_agency_map_renders_offline_with_counts(browser: Any, live_server: str) -> None:
    page = browser.new_page()
    outside, errors = watch(page, live_server)
    page.goto(f"{live_server}/maps/agency/FBI")
    page.wait_for_function("window.partnergraph && window.partnergraph.stable")
    # FBI, its three partners from the article and the hostile agency of the same
    # operation; all five took part in it, so every pair is linked (5 choose 2).
    assert page.evaluate("window.partnergraph.nodes.length") == 5
    assert page.evaluate("window.partnergraph.edges.length") == 10
    assert page.locator("#legend li").count() >= 1
    assert "Agency" in page.locator("#legend").inner_text()
    assert outside == [] and errors == []
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "map-agency.png"))


def test_hostile_names_run_nothing_and_show_as_text(browser: Any, live_server: str) -> None:
    page = browser.new_page()
    outside, errors = watch(page, live_server)
    page.goto(f"{live_server}/maps/agency/FBI")
    page.wait_for_function("window.partnergraph && window.partnergraph.stable")
    labels = page.evaluate("window.partnergraph.nodes.get().map(n => n.label)")
    assert HOSTILE in labels
    node_id = page.evaluate(
        f"window.partnergraph.nodes.get().find(n => n.label === {HOSTILE!r}).id"
    )
    point = page.evaluate(
        "id => { const n = window.partnergraph.network;"
        " const p = n.canvasToDOM(n.getPositions([id])[id]);"
        " const r = document.getElementById('network').getBoundingClientRect();"
        " return {x: p.x + r.left, y: p.y + r.top}; }",
        node_id,
    )
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector(".vis-tooltip", state="visible")
    tooltip = page.locator(".vis-tooltip")
    assert HOSTILE in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert outside == [] and errors == []


def test_map_file_opens_from_disk(browser: Any, store: GraphStore, fixture_path: Path,
                                  tmp_path: Path) -> None:
    from api.maps import agency_map_html

    load_paths(store, [fixture_path / "western-operation.txt"])
    path = tmp_path / "map.html"
    html = agency_map_html(Projections(store), "FBI", 1, asset_base=None)
    path.write_text(html, encoding="utf-8")
    page = browser.new_page()
    outside, errors = watch(page, path.as_uri())
    page.goto(path.as_uri())
    page.wait_for_function("window.partnergraph && window.partnergraph.stable")
    assert page.evaluate("window.partnergraph.nodes.length") == 4
    assert page.evaluate("window.partnergraph.edges.length") == 6  # 4 choose 2
    assert outside == [] and errors == []
    page.screenshot(path=str(OUTPUT / "map-agency-file.png"))


class _HostPage(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        body = (f'<!doctype html><title>host</title><iframe id="map" src="{self.target}" '
                'width="900" height="600"></iframe>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def in_cross_origin_iframe(browser: Any, url: str) -> Iterator[tuple[Any, list[str]]]:
    """``url`` opened in an iframe of a page on another origin, once its map is stable:
    yields the iframe's frame and the page errors collected."""
    handler = type("Host", (_HostPage,), {"target": url})
    host = ThreadingHTTPServer(("localhost", 0), handler)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://localhost:{host.server_address[1]}/")
        page.frame_locator("#map").locator("#network canvas").wait_for()
        inner = next(f for f in page.frames if f.url.startswith(url.split("/maps/")[0]))
        inner.wait_for_function("window.partnergraph && window.partnergraph.stable")
        yield inner, errors
    finally:
        host.shutdown()


def test_map_works_inside_a_cross_origin_iframe(browser: Any, live_server: str) -> None:
    with in_cross_origin_iframe(browser, f"{live_server}/maps/agency/FBI") as (inner, errors):
        assert inner.evaluate("window.partnergraph.nodes.length") == 5
        assert errors == []
