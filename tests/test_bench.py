"""The benchmark runs end to end on tiny sizes. It asserts what it measured, not how fast: timing
targets live in `python -m alignment bench`, not in tests."""

import json

from alignment.bench import run_benchmarks, spend_frame


def test_bench_reports_every_target(tmp_path):
    out = tmp_path / "bench.json"
    run_benchmarks(rows=2000, xlsx_rows=200, repeat=1, output=out)
    results = json.loads(out.read_text())
    assert set(results["targets"]) == {"xlsx ingest >= 10x pandas+openpyxl", "every query p95 < 50 ms",
                                       "page rerun median < 250 ms", "peak memory < 1 GB"}
    assert set(results["queries"]) >= {"executive_summary", "bottleneck_stages", "spend_by_business_goal"}
    assert results["xlsx_ingest"]["ratio"] > 0 and results["peak_memory_mb"] > 0
    stages = results["peak_memory_by_stage_mb"]
    assert set(stages) == {"xlsx ingest", "csv ingest", "queries", "page rerun"}
    assert results["peak_memory_mb"] == max(stages.values())


def test_bench_data_is_deterministic():
    assert spend_frame(50).equals(spend_frame(50))
