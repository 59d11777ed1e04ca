"""`python -m alignment bench --store handoff|ducklake|maintain`: what the store choice costs the analyses.

handoff: the app's analysis reads with the command line's hand-off watcher running vs not, on the
embedded file (alignment.handoff), in interleaved pairs so the machine's drift falls on both sides.
ducklake: the same analyses on DuckLake (catalog in a throwaway PostgreSQL, data in a folder) and
on the embedded file, per analysis; and uploads per second with two processes writing the lake at
once. Targets (issue 12): the lake within 2x of the file and every analysis p95 under 100 ms.
maintain: the analyses on two lakes loaded in the same 20 uploads, one of them maintained, interleaved.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from alignment import handoff
from alignment.bench import p95, spend_frame
from alignment.demo import load_demo
from alignment.ingest import ingest
from alignment.queries import parameters, public_queries, run_query
from alignment.store import Store


def _params(name: str) -> dict[str, str]:
    return {"as_of": "2025-12-31"} if any(p.name == "as_of" for p in parameters(name)) else {}


def build(store: Store, csv: bytes) -> None:
    """The demo company with its spend replaced by the benchmark's rows."""
    load_demo(store)
    result = ingest(store, csv, "bench.csv", "spend", mode="replace", user="bench")
    assert result.status == "loaded", result.errors[:3]


def sweep(store: Store, names: list[str]) -> dict[str, float]:
    """Each analysis once, in milliseconds, on this thread's cursor."""
    cur = store.cursor()
    out = {}
    for name in names:
        start = time.perf_counter()
        run_query(cur, name, _params(name))
        out[name] = (time.perf_counter() - start) * 1000
    return out


def interleaved(conditions: dict[str, Callable[[], dict[str, float]]], pairs: int) -> dict[str, dict[str, list]]:
    """Every condition once per round, the order turned round every other round."""
    samples: dict[str, dict[str, list]] = {c: {} for c in conditions}
    order = list(conditions)
    for i in range(pairs):
        for condition in (order if i % 2 == 0 else order[::-1]):
            for name, ms in conditions[condition]().items():
                samples[condition].setdefault(name, []).append(ms)
    return samples


def _medians(samples: dict[str, list]) -> dict[str, dict[str, float]]:
    return {n: {"median_ms": statistics.median(v), "p95_ms": p95(v)} for n, v in samples.items()}


def handoff_overhead(rows: int, pairs: int, output: Path) -> int:
    """The app's analysis reads on ``rows`` spend rows, with the watcher polling its inbox and without."""
    names = list(public_queries())
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "app.duckdb"
        with Store(db) as store:
            build(store, spend_frame(rows).to_csv(index=False).encode())
            handoff.inbox(db).mkdir()
            watcher: list[handoff.Watcher] = []
            cpu = {"seconds": 0.0, "wall": 0.0}

            def stop_watcher() -> None:
                if watcher:
                    done = watcher.pop()
                    done.stop()
                    cpu["seconds"] += done.cpu_seconds
                    cpu["wall"] += time.monotonic() - done.started

            def with_watcher() -> dict[str, float]:
                if not watcher:
                    watcher.append(handoff.Watcher(store))
                    watcher[0].started = time.monotonic()
                    watcher[0].start()
                return sweep(store, names)

            def without() -> dict[str, float]:
                stop_watcher()
                return sweep(store, names)

            sweep(store, names)  # warm
            samples = interleaved({"without watcher": without, "with watcher": with_watcher}, pairs)
            stop_watcher()
    totals = {c: [sum(v[i] for v in s.values()) for i in range(pairs)] for c, s in samples.items()}
    results = {"rows": rows, "pairs": pairs, "poll_seconds": handoff.POLL_SECONDS,
               "all_analyses_median_ms": {c: statistics.median(t) for c, t in totals.items()},
               "per_analysis": {c: _medians(s) for c, s in samples.items()}}
    base, watched = (results["all_analyses_median_ms"][c] for c in ("without watcher", "with watcher"))
    results["ratio"] = watched / base
    results["watcher_cpu_share"] = cpu["seconds"] / cpu["wall"] if cpu["wall"] else 0.0
    output.write_text(json.dumps(results, indent=1))
    print(f"{len(names)} analyses on {rows:,} spend rows, {pairs} interleaved pairs: all analyses median "
          f"{base:.1f} ms without the hand-off watcher, {watched:.1f} ms with it (ratio {watched / base:.3f}); "
          f"the idle watcher used {100 * results['watcher_cpu_share']:.3f}% of one core")
    print(f"{'analysis':28} {'without ms':>11} {'with ms':>9}")
    for name in names:
        a, b = (results["per_analysis"][c][name]["median_ms"] for c in ("without watcher", "with watcher"))
        print(f"{name:28} {a:11.1f} {b:9.1f}")
    return 0


LAKE_RATIO_TARGET = 2.0
LAKE_P95_TARGET_MS = 100.0


def _write_uploads(setting: str, csvs: list[bytes], tag: str, start_at: float) -> dict:
    """One writer process: its uploads one after another, from a common start time."""
    time.sleep(max(0.0, start_at - time.time()))
    begun = time.time()
    with Store(setting) as store:
        for i, data in enumerate(csvs):
            result = ingest(store, data, f"{tag}-{i}.csv", "spend", user=tag)
            assert result.status == "loaded", result.errors[:3]
    return {"start": begun, "end": time.time()}


def _writers(setting: str, groups: list[list[bytes]]) -> float:
    """Every group written by its own process at once; seconds from the start to the last finish."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    start_at = time.time() + 5  # all processes started and imported by then, on a machine not too busy
    with ProcessPoolExecutor(len(groups), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_write_uploads, setting, g, f"writer{i}-{uuid.uuid4().hex[:6]}", start_at)
                   for i, g in enumerate(groups)]
        spans = [f.result() for f in futures]
    return max(s["end"] for s in spans) - min(s["start"] for s in spans)  # from the first start, if one was late


def lake_vs_file(rows: int, rounds: int, output: Path, upload_rows: int = 50_000, uploads: int = 3) -> int:
    """Every analysis on the lake and on the file, the same data, interleaved; then uploads per
    second into the lake from one writer and from two writers at once."""
    from alignment import cluster

    names = list(public_queries())
    csv = spend_frame(rows).to_csv(index=False).encode()
    with tempfile.TemporaryDirectory() as tmp:
        pg = cluster.Postgres(Path(tmp) / "postgres")
        pg.start()
        try:
            setting = cluster.lake_setting(pg.catalog, Path(tmp) / "lake")
            (Path(tmp) / "lake").mkdir()
            stores = {"file": Store(Path(tmp) / "bench.duckdb"), "lake": Store(setting)}
            for store in stores.values():
                build(store, csv)
                sweep(store, names)  # warm
            samples = interleaved({k: (lambda s=s: sweep(s, names)) for k, s in stores.items()}, rounds)
            for store in stores.values():
                store.close()
            per = {c: _medians(s) for c, s in samples.items()}
            analyses = {n: {"file_median_ms": per["file"][n]["median_ms"],
                            "lake_median_ms": per["lake"][n]["median_ms"], "file_p95_ms": per["file"][n]["p95_ms"],
                            "lake_p95_ms": per["lake"][n]["p95_ms"],
                            "ratio": per["lake"][n]["median_ms"] / per["file"][n]["median_ms"]} for n in names}
            frames = [spend_frame(upload_rows, seed=100 + i).to_csv(index=False).encode() for i in range(2 * uploads)]
            one = _writers(setting, [frames[:uploads]])
            two = _writers(setting, [frames[uploads:], [spend_frame(upload_rows, seed=300 + i).to_csv(
                index=False).encode() for i in range(uploads)]])
            with Store(setting) as store:
                kept = store.cursor().execute(
                    "SELECT count(*), sum(row_count), sum((SELECT count(*) FROM spend_rows r WHERE r.batch_id = u.id)) "
                    "FROM uploads u WHERE uploaded_by LIKE 'writer%'").fetchone()
        finally:
            pg.stop()
    writes = {"rows_per_upload": upload_rows, "one_writer": {"uploads": uploads, "seconds": one,
                                                             "uploads_per_s": uploads / one,
                                                             "rows_per_s": uploads * upload_rows / one},
              "two_writers": {"uploads": 2 * uploads, "seconds": two, "uploads_per_s": 2 * uploads / two,
                              "rows_per_s": 2 * uploads * upload_rows / two},
              "uploads_kept": kept[0], "rows_kept": int(kept[2] or 0), "rows_counted": int(kept[1] or 0)}
    targets = {f"lake within {LAKE_RATIO_TARGET:g}x of the file, every analysis":
               all(a["ratio"] <= LAKE_RATIO_TARGET for a in analyses.values()),
               f"every analysis p95 < {LAKE_P95_TARGET_MS:g} ms on the lake":
               all(a["lake_p95_ms"] < LAKE_P95_TARGET_MS for a in analyses.values()),
               "every concurrent upload kept whole": kept[0] == 3 * uploads
               and writes["rows_kept"] == writes["rows_counted"] == 3 * uploads * upload_rows}
    results = {"rows": rows, "rounds": rounds, "analyses": analyses, "uploads": writes, "targets": targets}
    output.write_text(json.dumps(results, indent=1))
    print(f"{len(names)} analyses on {rows:,} spend rows, {rounds} interleaved rounds (ms)")
    print(f"{'analysis':28} {'file med':>9} {'lake med':>9} {'ratio':>6} {'lake p95':>9}")
    for name, a in analyses.items():
        print(f"{name:28} {a['file_median_ms']:9.1f} {a['lake_median_ms']:9.1f} {a['ratio']:6.2f} "
              f"{a['lake_p95_ms']:9.1f}")
    for label, w in (("one writer", writes["one_writer"]), ("two writers at once", writes["two_writers"])):
        print(f"uploads of {upload_rows:,} rows into the lake, {label}: {w['uploads']} in {w['seconds']:.1f} s, "
              f"{w['uploads_per_s']:.2f} uploads/s, {w['rows_per_s']:,.0f} rows/s")
    for target, met in targets.items():
        print(f"{'met ' if met else 'MISSED'}  {target}")
    return 0 if all(targets.values()) else 1


def _uploaded_lake(store: Store, rows: int, uploads: int) -> None:
    """The demo company with ``rows`` spend rows arriving as ``uploads`` uploads (a replace, then appends)."""
    load_demo(store)
    for i in range(uploads):
        data = spend_frame(rows // uploads, seed=500 + i).to_csv(index=False).encode()
        result = ingest(store, data, f"part-{i}.csv", "spend", mode="replace" if i == 0 else "append", user="bench")
        assert result.status == "loaded", result.errors[:3]


def maintenance_effect(rows: int, rounds: int, output: Path, uploads: int = 20) -> int:
    """The analyses on two identical lakes that took ``rows`` spend rows as ``uploads`` uploads (a
    file set and a snapshot each), one of them after `python -m alignment maintain` (no retention: a
    throwaway lake), interleaved so the machine's drift falls on both."""
    from alignment import cluster
    from alignment.maintenance import maintain_lake

    names = list(public_queries())
    with tempfile.TemporaryDirectory() as tmp:
        servers = {k: cluster.Postgres(Path(tmp) / k / "postgres") for k in ("before", "after")}
        stores: dict[str, Store] = {}
        try:
            for k, pg in servers.items():
                pg.start()
                (Path(tmp) / k / "lake").mkdir()
                stores[k] = Store(cluster.lake_setting(pg.catalog, Path(tmp) / k / "lake"))
                _uploaded_lake(stores[k], rows, uploads)
            start = time.perf_counter()
            state = maintain_lake(stores["after"], dt.timedelta(0))
            seconds = time.perf_counter() - start
            for store in stores.values():
                sweep(store, names)  # warm
            samples = interleaved({k: (lambda s=s: sweep(s, names)) for k, s in stores.items()}, rounds)
        finally:
            for store in stores.values():
                store.close()
            for pg in servers.values():
                pg.stop()
    per = {c: _medians(s) for c, s in samples.items()}
    analyses = {n: {f"{c}_{m}": per[c][n][m] for c in ("before", "after") for m in ("median_ms", "p95_ms")}
                for n in names}
    results = {"rows": rows, "uploads": uploads, "rounds": rounds, "maintenance_seconds": seconds,
               "lake": state, "analyses": analyses}
    output.write_text(json.dumps(results, indent=1))
    print(f"{len(names)} analyses on {rows:,} spend rows loaded as {uploads} uploads, {rounds} interleaved rounds "
          f"(ms); maintenance took {seconds:.1f} s: {state['before']['files_in_use']} files in use became "
          f"{state['after']['files_in_use']}, {state['before']['snapshots']} snapshots {state['after']['snapshots']}")
    print(f"{'analysis':28} {'before med':>10} {'after med':>10} {'before p95':>10} {'after p95':>10}")
    for name, a in analyses.items():
        print(f"{name:28} {a['before_median_ms']:10.1f} {a['after_median_ms']:10.1f} {a['before_p95_ms']:10.1f} "
              f"{a['after_p95_ms']:10.1f}")
    return 0


def run(store: str, rows: int, repeat: int, output: Path) -> int:
    """The stage for ``--store``; ``repeat`` sets the interleaved pairs (at least 10)."""
    if store == "handoff":
        return handoff_overhead(rows, max(10, repeat), output)
    if store == "maintain":
        return maintenance_effect(rows, max(10, repeat), output)
    return lake_vs_file(rows, max(20, repeat), output)
