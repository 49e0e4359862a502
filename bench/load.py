"""Load benchmark: synthetic participation rows, end to end vs the raw store.

    python bench/load.py                 # 10k and 100k rows
    python bench/load.py --rows 1000000  # the 1M-row target

For each size it generates a CSV of agency / role / impact / operation rows
with skewed agency degrees (a few agencies take part in many operations, as in
real data), then times in the same run, each on a fresh embedded store:

- end to end: ``partnergraph load`` minus the CLI (read, recognise, resolve,
  group, then, the store being empty, the bulk import with PARTNERS_WITH
  derived in memory);
- raw batched write: the same resolved rows written with the batched UNWIND
  MERGE queries and the Cypher PARTNERS_WITH rebuild that every later load
  into a non-empty store uses;
- raw bulk import: the same resolved rows through the store's bulk import
  alone (partner derivation, encoding, server).

It prints rows/s for each and the loader's rate as a share of each raw rate.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.store import open_store
from graph.writer import DEFAULT_BATCH_SIZE, import_grouped, rebuild_partners, write_grouped
from loaders.build import Builder
from loaders.normalise import AgencyResolver
from loaders.pipeline import cyclic_gc_paused, load_paths
from loaders.read import read_document

ROLES = ("Intelligence Analysis", "Drug Enforcement", "Border Enforcement", "Arrests",
         "Financial Investigation", "Cyber Forensics", "Logistics")
IMPACTS = ("Seized narcotics", "Arrested suspects", "Froze laundering accounts",
           "Dismantled a firearms ring", "Mapped smuggling routes")


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` participation rows: ~rows/8 operations, ~rows/20 agencies, Zipf-skewed."""
    rng = random.Random(seed)
    agencies = max(50, rows // 20)
    operations = max(10, rows // 8)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(agencies)]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["operation", "agency", "role", "impact"])
        for i in range(rows):
            op = i % operations
            agency = rng.choices(range(agencies), cum_weights=cumulative)[0]
            writer.writerow([f"Operation {op:07d}", f"Agency Number {agency:06d} (AN{agency})",
                             rng.choice(ROLES), rng.choice(IMPACTS)])


def bench(rows: int, batch_size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / f"participation-{rows}.csv"
        t0 = time.perf_counter()
        generate(data, rows)
        gen = time.perf_counter() - t0

        store = open_store(str(Path(tmp) / "e2e"))
        store.ensure_schema()
        t0 = time.perf_counter()
        report = load_paths(store, [data], batch_size=batch_size)
        e2e = time.perf_counter() - t0
        store.close()
        assert report.rows_loaded == rows, [str(e) for e in report.errors[:5]]

        extraction = Builder(AgencyResolver()).build(read_document(data))
        store = open_store(str(Path(tmp) / "raw"))
        store.ensure_schema()
        t0 = time.perf_counter()
        with cyclic_gc_paused():
            write_grouped(store, extraction.grouped, batch_size=batch_size)
            rebuild_partners(store)
        batched = time.perf_counter() - t0
        store.close()

        store = open_store(str(Path(tmp) / "bulk"))
        store.ensure_schema()
        t0 = time.perf_counter()
        with cyclic_gc_paused():
            imported = import_grouped(store, extraction.grouped)
        bulk = time.perf_counter() - t0
        store.close()
        assert imported is not None, "the embedded store takes bulk imports"
    print(f"{rows:>9,} rows | end to end {e2e:7.2f} s {rows / e2e:>9,.0f} rows/s | "
          f"raw batched write {batched:7.2f} s {rows / batched:>9,.0f} rows/s "
          f"(loader {batched / e2e:4.2f}x) | "
          f"raw bulk import {bulk:7.2f} s {rows / bulk:>9,.0f} rows/s "
          f"(loader {bulk / e2e:4.2f}x) | (generate {gen:.1f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    args = parser.parse_args()
    for rows in args.rows:
        bench(rows, args.batch_size)


if __name__ == "__main__":
    main()
