"""Ingest against its limits (issue 13): each upload path timed beside the plainest script that does
the same work, in the same run, so the figure is a ratio a shared machine cannot fake.

- csv: ours (read, check, store as a batch) against DuckDB's own read_csv into a table, and
  against pandas.read_csv + an insert (the naive script a user would write);
- xlsx: ours against fastexcel → Arrow → DuckDB with no checks.

Every run is one fresh interpreter (its peak memory is its own, nothing warms another's caches),
and ours and its limits take turns, so a burst of load elsewhere falls on both. Medians of wall
time, with the process's CPU time beside it. ``python -m alignment.bench_ingest --rows
100000,1000000,10000000`` adds scales the main bench leaves out (10 million csv rows take minutes).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

CSV_LIMIT_X = 2.0  # ours within 2x of DuckDB's read_csv into a table
XLSX_LIMIT_X = 1.3  # ours within 1.3x of fastexcel → Arrow → DuckDB, in time and in peak memory
CSV_PEAK_MB = 500  # at 1,000,000 rows
CSV_KINDS = ("ours", "duckdb_read_csv", "pandas_read_csv_insert")
XLSX_KINDS = ("ours", "fastexcel_arrow_duckdb")


def _peak_mb() -> float:
    from alignment.bench import peak_mb

    return peak_mb()


def _timed(work: Callable[[], None]) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu}


def _ours(path: str, db: str, name: str) -> Callable[[], None]:
    """The product's whole load (read, check, store) of one file, as a user's upload runs it."""
    from alignment.ingest import ingest
    from alignment.store import Store

    def work() -> None:
        with Store(db) as store:
            result = ingest(store, Path(path), name, "spend")  # as the command line loads a file
        assert result.status == "loaded", result.errors[:3]
    return work


def run_csv(kind: str, path: str, db: str) -> dict:
    """One csv load into a fresh database file, by ``kind``."""
    import duckdb

    Path(db).unlink(missing_ok=True)
    if kind == "ours":
        work = _ours(path, db, "bench.csv")
    elif kind == "duckdb_read_csv":
        def work() -> None:
            with duckdb.connect(db) as con:
                con.execute("CREATE TABLE spend AS SELECT * FROM read_csv(?)", [path])
    else:
        import pandas as pd

        def work() -> None:
            frame = pd.read_csv(path)
            with duckdb.connect(db) as con:
                con.register("frame", frame)
                con.execute("CREATE TABLE spend AS SELECT * FROM frame")
    out = _timed(work)
    Path(db).unlink(missing_ok=True)
    return out | {"peak_mb": _peak_mb()}


def run_xlsx(kind: str, path: str, db: str) -> dict:
    """One xlsx load into a fresh database file, by ``kind``."""
    import duckdb

    Path(db).unlink(missing_ok=True)
    if kind == "ours":
        work = _ours(path, db, "bench.xlsx")
    else:
        import fastexcel

        def work() -> None:
            table = fastexcel.read_excel(Path(path).read_bytes()).load_sheet(0).to_arrow()
            with duckdb.connect(db) as con:
                con.register("sheet", table)
                con.execute("CREATE TABLE spend AS SELECT * FROM sheet")
    out = _timed(work)
    Path(db).unlink(missing_ok=True)
    return out | {"peak_mb": _peak_mb()}


def _fresh(stage: Callable[..., dict], *args: object) -> dict:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(stage, *args).result()


def _summary(runs: list[dict]) -> dict:
    return {"median_s": statistics.median(r["seconds"] for r in runs),
            "median_cpu_s": statistics.median(r["cpu_seconds"] for r in runs),
            "peak_mb": statistics.median(r["peak_mb"] for r in runs), "runs": len(runs)}


def measure(stage: Callable[..., dict], kinds: Sequence[str], path: Path, repeat: int) -> dict:
    """Each kind ``repeat`` times, taking turns; per kind the medians."""
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    db = str(path.with_suffix(".duckdb"))
    for _ in range(repeat):
        for kind in kinds:
            runs[kind].append(_fresh(stage, kind, str(path), db))
    return {k: _summary(v) for k, v in runs.items()}


def ratios(csv: dict[str, dict], xlsx: dict[str, dict]) -> tuple[dict, dict]:
    """Each scale's ratios to its limits, and the targets they meet (True) or miss."""
    out: dict[str, dict] = {"csv": {}, "xlsx": {}}
    targets: dict[str, bool] = {}
    for rows, kinds in csv.items():
        ours = kinds["ours"]
        r = {"to_duckdb_read_csv": ours["median_s"] / kinds["duckdb_read_csv"]["median_s"],
             "to_pandas_read_csv_insert": ours["median_s"] / kinds["pandas_read_csv_insert"]["median_s"],
             "peak_mb": ours["peak_mb"]}
        out["csv"][rows] = r
        targets[f"csv {int(rows):,} rows within {CSV_LIMIT_X:g}x of DuckDB read_csv"] = \
            r["to_duckdb_read_csv"] <= CSV_LIMIT_X
        targets[f"csv {int(rows):,} rows no slower than pandas.read_csv + insert"] = r["to_pandas_read_csv_insert"] <= 1
        if int(rows) <= 1_000_000:
            targets[f"csv {int(rows):,} rows peak < {CSV_PEAK_MB} MB"] = r["peak_mb"] < CSV_PEAK_MB
    for rows, kinds in xlsx.items():
        ours, raw = kinds["ours"], kinds["fastexcel_arrow_duckdb"]
        r = {"to_fastexcel_arrow_duckdb": ours["median_s"] / raw["median_s"],
             "peak_to_fastexcel_arrow_duckdb": ours["peak_mb"] / raw["peak_mb"]}
        out["xlsx"][rows] = r
        targets[f"xlsx {int(rows):,} rows within {XLSX_LIMIT_X:g}x of fastexcel → DuckDB"] = \
            r["to_fastexcel_arrow_duckdb"] <= XLSX_LIMIT_X
        targets[f"xlsx {int(rows):,} rows peak within {XLSX_LIMIT_X:g}x of fastexcel → DuckDB's"] = \
            r["peak_to_fastexcel_arrow_duckdb"] <= XLSX_LIMIT_X
    return out, targets


def run(csv_rows: Sequence[int], xlsx_rows: Sequence[int], repeat: int, folder: Path | None = None) -> dict:
    """Every scale asked for; files are written once into ``folder`` (kept, so a second run at
    10 million rows does not write them again) or a temporary one."""
    from alignment.bench import spend_frame, write_xlsx

    load_before = os.getloadavg()  # a shared machine's load stretches wall times: said beside them
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(folder or tmp)
        where.mkdir(parents=True, exist_ok=True)
        csv, xlsx = {}, {}
        for rows in csv_rows:
            path = where / f"spend-{rows}.csv"
            if not path.exists():
                spend_frame(rows).to_csv(path, index=False)
            csv[str(rows)] = measure(run_csv, CSV_KINDS, path, repeat)
        for rows in xlsx_rows:
            path = where / f"spend-{rows}.xlsx"
            if not path.exists():
                path.write_bytes(write_xlsx(spend_frame(rows)))
            xlsx[str(rows)] = measure(run_xlsx, XLSX_KINDS, path, repeat)
    found, targets = ratios(csv, xlsx)
    return {"csv": csv, "xlsx": xlsx, "ratios": found, "targets": targets, "repeat": repeat,
            "load": {"before": list(load_before), "after": list(os.getloadavg())}}


def print_table(results: dict) -> None:
    print(f"{'ingest':24} {'rows':>11} {'median s':>9} {'cpu s':>7} {'peak MB':>8}")
    for fmt in ("csv", "xlsx"):
        for rows, kinds in results[fmt].items():
            for kind, r in kinds.items():
                print(f"{fmt + ' ' + kind:24.24} {int(rows):11,} {r['median_s']:9.2f} {r['median_cpu_s']:7.2f} "
                      f"{r['peak_mb']:8.0f}")
    for fmt in ("csv", "xlsx"):
        for rows, r in results["ratios"][fmt].items():
            shown = ", ".join(f"{k} {v:.2f}" + ("" if k == "peak_mb" else "x") for k, v in r.items())
            print(f"{fmt} {int(rows):,} rows, ours as a ratio: {shown}")
    load = results.get("load")
    if load:
        print("load average (1, 5, 15 min) before: " + ", ".join(f"{x:.2f}" for x in load["before"])
              + "; after: " + ", ".join(f"{x:.2f}" for x in load["after"]))
    for target, met in results["targets"].items():
        print(f"{'met ' if met else 'MISSED'}  {target}")


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip() and int(part) > 0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alignment.bench_ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_sizes, default=[100_000, 1_000_000], help="csv sizes, e.g. 100000,1000000")
    parser.add_argument("--xlsx-rows", type=_sizes, default=[100_000], help="xlsx sizes, e.g. 100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", type=Path, default=None, help="folder to keep the generated files in")
    parser.add_argument("--output", type=Path, default=Path("bench-ingest.json"))
    args = parser.parse_args(argv)
    results = run(args.rows, args.xlsx_rows, args.repeat, args.files)
    args.output.write_text(json.dumps(results, indent=1))
    print_table(results)
    return 0 if all(results["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
