"""Map benchmark: time to a stable network in headless Chromium, and page weight,
for partnergraph's map page next to a plain pyvis page built from the same graph.

    python bench/maps.py                       # 100, 500, 1500 and 5000 nodes
    python bench/maps.py --nodes 1500 --timeout 120

Graphs are seeded preferential-attachment graphs (a few hubs, as in real
partner networks). Both pages are written to files and opened from disk in
Debian's Chromium (``CHROMIUM`` overrides the path); requests leaving the
file (pyvis's CDN links) are refused at once so only rendering is timed.
"Stable" is the same for both pages: vis-network's first
``stabilizationIterationsDone`` or ``stabilized`` event, or physics being off
(partnergraph's page sets ``window.partnergraph.stable`` then). Compare the ratio,
not the absolute times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx
from pyvis.network import Network

from api.maps import MapEdge, MapNode, render_map
from graph.model import Label

WAIT_PYVIS = """limit => new Promise(resolve => {
  const done = () => resolve(performance.now());
  setTimeout(() => resolve(-2), limit);
  if (typeof network === 'undefined') { return resolve(-1); }
  if (!network.physics.physicsEnabled) { return done(); }
  if (network.physics.stabilized) { return done(); }
  network.once('stabilizationIterationsDone', done);
  network.once('stabilized', done);
})"""


def graph(n: int) -> nx.Graph[int]:
    return nx.barabasi_albert_graph(n, 2, seed=7)


def ours(g: nx.Graph[int], path: Path) -> None:
    nodes = [MapNode(str(i), Label.AGENCY, f"Agency {i}") for i in g]
    edges = [MapEdge(str(u), str(v), [f"Operation {u}-{v}"], ["src-1"]) for u, v in g.edges]
    path.write_text(render_map("bench", "bench", nodes, edges, asset_base=None), "utf-8")


def plain_pyvis(g: nx.Graph[int], path: Path) -> None:
    net = Network(cdn_resources="in_line")
    for i in g:
        net.add_node(i, label=f"Agency {i}", title=f"Agency {i}")
    for u, v in g.edges:
        net.add_edge(u, v, title=f"Operation {u}-{v}")
    path.write_text(net.generate_html(), "utf-8")


def time_to_stable(browser: object, path: Path, script: str, timeout: float) -> float | None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else route.abort())
    page.set_default_timeout(timeout * 1000)
    t0 = time.perf_counter()
    try:
        page.goto(path.as_uri())
        if script == "ours":
            page.wait_for_function("window.partnergraph && window.partnergraph.stable",
                                   timeout=timeout * 1000)
        else:
            if page.evaluate(WAIT_PYVIS, timeout * 1000) < 0:
                return None
        return time.perf_counter() - t0
    except Exception:  # a timeout means "not stable within the limit"
        return None
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[100, 500, 1500, 5000])
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        sys.exit("no Chromium found: apt-get install chromium, or set CHROMIUM")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable,
                                    args=["--no-sandbox", "--disable-gpu"])
        warm = Path(tmp) / "warm-up.html"
        ours(graph(20), warm)
        time_to_stable(browser, warm, "ours", args.timeout)  # Chromium's first start
        print(f"{'nodes':>6} {'edges':>6} {'ours s':>8} {'ours KB':>8} "
              f"{'pyvis s':>9} {'pyvis KB':>9} {'speed-up':>9}")
        for n in args.nodes:
            g = graph(n)
            mine, theirs = Path(tmp) / f"ours-{n}.html", Path(tmp) / f"pyvis-{n}.html"
            t0 = time.perf_counter()
            ours(g, mine)
            build = time.perf_counter() - t0
            plain_pyvis(g, theirs)
            a = time_to_stable(browser, mine, "ours", args.timeout)
            b = time_to_stable(browser, theirs, "pyvis", args.timeout)
            ratio = f"{b / a:8.1f}x" if a and b else (f">{args.timeout / a:7.1f}x" if a else "n/a")
            print(f"{n:>6} {g.number_of_edges():>6} "
                  f"{(f'{a:.2f}' if a else 'timeout'):>8} {mine.stat().st_size / 1024:>8.0f} "
                  f"{(f'{b:.2f}' if b else f'>{args.timeout:.0f}'):>9} "
                  f"{theirs.stat().st_size / 1024:>9.0f} {ratio:>9}   "
                  f"(server-side page build {build:.2f} s)")
        browser.close()


if __name__ == "__main__":
    main()
