"""`python -m alignment bench`: speed and memory against the targets, as JSON and a table.

Targets (issue 4): xlsx ingest at least 10x faster than pandas + openpyxl; every analysis under
50 ms p95 at 1,000,000 spend rows; a page rerun under 250 ms; peak memory under 1 GB. Timings are
medians (and p95) of repeated runs, never single shots, and nothing here runs in the test suite's
timed path: shared machines make timed tests flaky.
"""

from __future__ import annotations

import io
import json
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from alignment.ingest import ingest
from alignment.queries import parameters, public_queries, run_query
from alignment.store import Store


def spend_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2025-01-01", periods=12, freq="MS").date
    pick = lambda values: np.array(values, dtype=object)[rng.integers(0, len(values), rows)]  # noqa: E731
    return pd.DataFrame({
        "Month": pick(list(months)), "Business Unit": pick(["Retail", "Wholesale", "Logistics", "Digital", "Shared"]),
        "Cost Centre": pick([f"CC-{i}" for i in range(40)]),
        "Cost Pool": pick(["Software", "Hardware", "Cloud", "Internal labor", "External labor", "Telecom"]),
        "Tower": pick(["Application", "Compute", "Storage", "Network", "End user"]),
        "Business Goal": pick(["Grow online sales", "Cut cost", "Customer experience", None]),
        "RGT": pick(["Run", "Grow", "Transform"]), "Capex/Opex": pick(["Capex", "Opex"]),
        "Supplier": pick([f"Vendor {i}" for i in range(60)]),
        "Budget": rng.uniform(100, 10000, rows).round(2), "Actual (USD)": rng.uniform(100, 10000, rows).round(2),
        "Forecast": rng.uniform(100, 10000, rows).round(2),
    })


def write_xlsx(frame: pd.DataFrame) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("GL")
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run_benchmarks(rows: int, xlsx_rows: int, repeat: int, output: Path) -> int:
    results: dict[str, object] = {"rows": rows, "xlsx_rows": xlsx_rows, "repeat": repeat}
    with tempfile.TemporaryDirectory() as tmp:
        workbook = write_xlsx(spend_frame(xlsx_rows))

        def ours():
            result = ingest(Store(":memory:"), workbook, "bench.xlsx", "spend")
            assert result.status == "loaded", result.errors[:3]

        ours_s = timed(ours, repeat)
        pandas_s = timed(lambda: pd.read_excel(io.BytesIO(workbook), engine="openpyxl"), repeat)
        results["xlsx_ingest"] = {"ours_median_s": statistics.median(ours_s),
                                  "pandas_openpyxl_median_s": statistics.median(pandas_s),
                                  "ratio": statistics.median(pandas_s) / statistics.median(ours_s)}

        big = spend_frame(rows)
        csv_bytes = big.to_csv(index=False).encode()

        def ours_csv():
            result = ingest(Store(":memory:"), csv_bytes, "bench.csv", "spend")
            assert result.status == "loaded", result.errors[:3]

        results["csv_ingest"] = {"median_s": statistics.median(timed(ours_csv, repeat)), "rows": rows}

        db = Path(tmp) / "bench.duckdb"
        store = Store(db)
        loaded = ingest(store, csv_bytes, "bench.csv", "spend")
        assert loaded.status == "loaded", loaded.errors[:3]
        queries = {}
        for name in public_queries():
            cur = store.cursor()
            takes_as_of = any(p.name == "as_of" for p in parameters(name))
            params = {"as_of": "2025-12-31"} if takes_as_of else {}
            run_query(cur, name, params)  # warm
            ms = [t * 1000 for t in timed(lambda n=name, c=cur, p=params: run_query(c, n, p), max(20, repeat))]
            queries[name] = {"median_ms": statistics.median(ms), "p95_ms": p95(ms)}
        results["queries"] = queries
        store.close()
        results["page_rerun"] = _page_rerun(db, repeat)
    results["peak_memory_mb"] = peak_mb()
    targets = {
        "xlsx ingest >= 10x pandas+openpyxl": results["xlsx_ingest"]["ratio"] >= 10,
        "every query p95 < 50 ms": all(q["p95_ms"] < 50 for q in results["queries"].values()),
        "page rerun median < 250 ms": results["page_rerun"]["median_ms"] < 250,
        "peak memory < 1 GB": results["peak_memory_mb"] < 1024,
    }
    results["targets"] = targets
    output.write_text(json.dumps(results, indent=1))
    _print_table(results)
    return 0 if all(targets.values()) else 1


def _page_rerun(db: Path, repeat: int) -> dict[str, float]:
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["ALIGNMENT_DB"] = str(db)
    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=120).run()
    ms = [t * 1000 for t in timed(lambda: at.run(), max(5, repeat))]
    return {"median_ms": statistics.median(ms), "p95_ms": p95(ms)}


def _print_table(results: dict) -> None:
    x = results["xlsx_ingest"]
    print(f"xlsx ingest ({results['xlsx_rows']:,} rows): ours {x['ours_median_s']:.2f} s, pandas+openpyxl "
          f"{x['pandas_openpyxl_median_s']:.2f} s, ratio {x['ratio']:.1f}x")
    print(f"csv ingest ({results['rows']:,} rows): {results['csv_ingest']['median_s']:.2f} s")
    print(f"{'query':28} {'median ms':>10} {'p95 ms':>10}")
    for name, q in results["queries"].items():
        print(f"{name:28} {q['median_ms']:10.1f} {q['p95_ms']:10.1f}")
    print(f"overview page rerun: median {results['page_rerun']['median_ms']:.0f} ms")
    print(f"peak memory: {results['peak_memory_mb']:.0f} MB")
    for target, met in results["targets"].items():
        print(f"{'met ' if met else 'MISSED'}  {target}")
