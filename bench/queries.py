"""Query benchmark: p50/p99 per query through the API, next to the raw store and
plain networkx, on the synthetic participation data of bench/load.py.

    python bench/queries.py                      # 10k and 100k rows
    python bench/queries.py --rows 1000000       # the 1M-row targets

For each size, on a fresh embedded store loaded end to end:

- Cypher queries (partners, agency detail, operations, shared operations):
  the HTTP API (FastAPI TestClient, real request handling) next to the raw
  store running the same Cypher text with the same parameters; partners also
  over real HTTP (uvicorn, one keep-alive connection), which is what a client
  sees without TestClient's own overhead;
- projection queries (collaboration paths, likely partners): the API next to
  partnergraph's function and to plain networkx on the same graph
  (``nx.all_shortest_paths``, ``nx.adamic_adar_index``);
- whole-graph metrics (brokers, communities): one cold run each, next to
  plain networkx on the same graph; then the cached API answer.

Every figure comes from this run; compare ratios, not absolute times.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx2 as httpx
import networkx as nx
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from graph.projection import BROKER_EXACT_MAX, SEED, Projections
from graph.store import open_store
from loaders.pipeline import load_paths
from queries import agencies, operations

_spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).with_name("load.py"))
assert _spec and _spec.loader
bench_load = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_load)


NX_BROKER_SAMPLE = 200


def timings(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(p50, p99) in milliseconds over ``runs`` calls, after one warm-up call."""
    fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def cycle(values: list[Any]) -> Callable[[], Any]:
    it = itertools.cycle(values)
    return lambda: next(it)


def row(name: str, api: tuple[float, float], base: tuple[float, float], base_name: str) -> None:
    ratio = api[0] / base[0] if base[0] else float("nan")
    print(f"  {name:<22} api p50 {api[0]:8.2f} ms  p99 {api[1]:8.2f} ms   "
          f"{base_name} p50 {base[0]:8.2f} ms  p99 {base[1]:8.2f} ms   api/{base_name} "
          f"{ratio:5.2f}x")


def bench(rows: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / f"participation-{rows}.csv"
        bench_load.generate(data, rows)
        store = open_store(str(Path(tmp) / "db"))
        store.ensure_schema()
        t0 = time.perf_counter()
        load_paths(store, [data])
        print(f"\n{rows:,} participation rows (loaded in {time.perf_counter() - t0:.1f} s)")
        try:
            _bench_store(store, runs)
        finally:
            store.close()


@contextmanager
def live(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn over real HTTP in a thread; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _bench_store(store: Any, runs: int) -> None:
    rng = random.Random(SEED)
    ids = [r["id"] for r in store.read("MATCH (a:Agency) RETURN a.id AS id")]
    ops = [r["id"] for r in store.read("MATCH (o:Operation) RETURN o.id AS id")]
    app = create_app(store=store)
    projections: Projections = app.state.projections
    t0 = time.perf_counter()
    projection = projections.agencies()
    build = time.perf_counter() - t0
    graph = projection.graph
    print(f"  agency projection: {graph.number_of_nodes():,} agencies, "
          f"{graph.number_of_edges():,} partnerships, built in {build:.2f} s")
    sample = rng.sample(ids, min(200, len(ids)))
    connected = [n for n in sample if graph.degree(n)]
    pairs = [tuple(rng.sample(connected, 2)) for _ in range(200)]
    with TestClient(app) as client:
        def get(url: str) -> Callable[[], Any]:
            def call() -> Any:
                response = client.get(url)
                assert response.status_code == 200, response.text
                return response
            return call

        agency = cycle(sample)
        row("partners", timings(lambda: get(f"/agencies/{agency()}/partners?limit=100")(), runs),
            timings(lambda: store.read(agencies.PARTNERS_DERIVED, {
                "id": agency(), "limit": 100, "offset": 0, "country": None, "sector": None,
                "year_from": None, "year_to": None, "min_weight": 1}), runs), "raw")
        with live(app) as base, httpx.Client(base_url=base) as http:
            def partners_http() -> Any:
                response = http.get(f"/agencies/{agency()}/partners?limit=100")
                assert response.status_code == 200, response.text
                return response

            row("partners, live HTTP", timings(partners_http, runs),
                timings(lambda: store.read(agencies.PARTNERS_DERIVED, {
                    "id": agency(), "limit": 100, "offset": 0, "country": None,
                    "sector": None, "year_from": None, "year_to": None, "min_weight": 1}),
                    runs), "raw")
        row("agency detail", timings(lambda: get(f"/agencies/{agency()}")(), runs),
            timings(lambda: [store.read(q, {"id": agency()}) for q in (
                agencies.AGENCY_PARENT, agencies.AGENCY_OFFICES, agencies.AGENCY_REGIONS,
                agencies.AGENCY_OPERATIONS, agencies.AGENCY_SECTORS)], runs), "raw")
        row("operations by agency", timings(
            lambda: get(f"/operations?agency={agency()}&limit=50")(), runs),
            timings(lambda: store.read(operations.operations_query(
                True, False, False, False, False), {
                "q": "", "q_id": "", "year": None, "country": None, "agency": agency(),
                "sector": None, "limit": 50, "offset": 0}), runs), "raw")
        op = cycle(ops)
        row("operation detail", timings(lambda: get(f"/operations/{op()}")(), runs),
            timings(lambda: [store.read(q, {"id": op()}) for q in (
                operations.OPERATION, operations.OPERATION_AGENCIES,
                operations.OPERATION_COUNTRIES, operations.OPERATION_SECTORS)], runs), "raw")
        pair = cycle(pairs)

        def shared() -> Any:
            a, b = pair()
            return get(f"/agencies/{a}/shared/{b}")()

        def shared_raw() -> Any:
            a, b = pair()
            return store.read(agencies.SHARED_OPERATIONS, {"a": a, "b": b})

        row("shared operations", timings(shared, runs), timings(shared_raw, runs), "raw")

        def path_api() -> Any:
            a, b = pair()
            return get(f"/paths?source={a}&target={b}&limit=25")()

        def path_nx() -> Any:
            a, b = pair()
            try:
                return list(itertools.islice(nx.all_shortest_paths(graph, a, b), 25))
            except nx.NetworkXNoPath:
                return []

        row("collaboration path", timings(path_api, runs), timings(path_nx, runs), "networkx")
        from graph.projection import all_shortest_paths

        def path_fn() -> Any:
            a, b = pair()
            return all_shortest_paths(graph, a, b, max_hops=6, limit=25)

        row("  (path, no HTTP)", timings(path_fn, runs), timings(path_nx, runs), "networkx")
        hub = cycle(connected)

        def likely_nx() -> Any:
            node = hub()
            near = {c for w in graph[node] for c in graph[w]} - set(graph[node]) - {node}
            return sorted(nx.adamic_adar_index(graph, [(node, c) for c in near]),
                          key=lambda t: -t[2])[:20]

        row("likely partners", timings(lambda: get(f"/agencies/{hub()}/likely-partners")(),
                                       runs), timings(likely_nx, runs), "networkx")

        # Baseline: networkx's own sampled betweenness from 200 sources (exact
        # where partnergraph is exact), the usual way to make it finish.
        n = graph.number_of_nodes()
        k = NX_BROKER_SAMPLE if n > BROKER_EXACT_MAX else None
        t0 = time.perf_counter()
        body = get("/analytics/brokers?limit=10")().json()
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        scores = nx.betweenness_centrality(graph, k=k, seed=SEED, normalized=True)
        plain = time.perf_counter() - t0
        cached = timings(get("/analytics/brokers"), runs)
        top_nx = set(sorted(scores, key=lambda v: -scores[v])[:10])
        overlap = len(top_nx & {item["id"] for item in body["items"]})
        method = body["method"] if body["method"] == "exact" else (
            f"estimate ±{body['error']}, {body['samples']:,} paths")
        print(f"  brokers                api cold {cold:8.2f} s  ({method})   "
              f"networkx {plain:8.2f} s ({'exact' if k is None else f'{k} sources'}, "
              f"top-10 overlap {overlap}/10)   cached api p50 {cached[0]:.2f} ms")
        t0 = time.perf_counter()
        get("/analytics/communities")()
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        nx.community.louvain_communities(graph, weight="weight", seed=SEED)
        plain = time.perf_counter() - t0
        cached = timings(get("/analytics/communities"), runs)
        print(f"  communities            api cold {cold:8.2f} s   networkx {plain:8.2f} s   "
              f"cached api p50 {cached[0]:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=200, help="calls per query")
    args = parser.parse_args()
    for rows in args.rows:
        bench(rows, args.runs)


if __name__ == "__main__":
    main()
