"""The store benchmarks' own logic (alignment.bench_store): the interleaving that puts the
machine's drift on both sides, and the hand-off stage end to end on a small database."""

from __future__ import annotations

import json

import pytest

from alignment import bench_store
from alignment.queries import public_queries


def test_interleaved_turns_the_order_round_every_other_round() -> None:
    calls = []
    conditions = {name: (lambda n=name: calls.append(n) or {"q": float(len(calls))}) for name in ("a", "b")}
    samples = bench_store.interleaved(conditions, 3)
    assert calls == ["a", "b", "b", "a", "a", "b"]
    assert samples == {"a": {"q": [1.0, 4.0, 5.0]}, "b": {"q": [2.0, 3.0, 6.0]}}


def test_handoff_stage_times_every_analysis_with_and_without_the_watcher(tmp_path) -> None:
    output = tmp_path / "out.json"
    assert bench_store.handoff_overhead(2_000, 2, output) == 0
    results = json.loads(output.read_text())
    per = results["per_analysis"]
    assert set(per) == {"without watcher", "with watcher"} and set(per["with watcher"]) == set(per["without watcher"])
    totals = results["all_analyses_median_ms"]
    assert results["ratio"] == totals["with watcher"] / totals["without watcher"]
    assert 0 <= results["watcher_cpu_share"] < 0.5


def test_lake_stage_compares_every_analysis_and_keeps_every_concurrent_upload(tmp_path) -> None:
    pytest.importorskip("duckdb_extension_ducklake")
    output = tmp_path / "lake.json"
    bench_store.lake_vs_file(2_000, 2, output, upload_rows=300, uploads=1)
    results = json.loads(output.read_text())
    assert set(results["analyses"]) == set(public_queries())
    for a in results["analyses"].values():
        assert a["ratio"] == a["lake_median_ms"] / a["file_median_ms"]
    uploads = results["uploads"]
    assert (uploads["uploads_kept"], uploads["rows_kept"], uploads["rows_counted"]) == (3, 900, 900)
    assert results["targets"]["every concurrent upload kept whole"] is True


def test_maintain_stage_times_every_analysis_before_and_after_the_lakes_upkeep(tmp_path) -> None:
    pytest.importorskip("duckdb_extension_ducklake")
    output = tmp_path / "maintain.json"
    assert bench_store.maintenance_effect(400, 1, output, uploads=4) == 0
    results = json.loads(output.read_text())
    assert set(results["analyses"]) == set(public_queries())
    for a in results["analyses"].values():
        assert a["before_median_ms"] > 0 and a["after_median_ms"] > 0
    lake = results["lake"]
    # four appends wrote four files per spend table; merged, each table holds one
    assert lake["after"]["files_in_use"] < lake["before"]["files_in_use"]
    assert lake["after"]["snapshots"] < lake["before"]["snapshots"]
