"""The ingest bench reports each path as a ratio to its limit measured in the same run; it asserts
what was measured, never how fast (timing targets live in the bench, not in tests)."""

from alignment.bench_ingest import ratios, run


def _kind(seconds: float, peak: float) -> dict:
    return {"median_s": seconds, "median_cpu_s": seconds, "peak_mb": peak, "runs": 3}


def test_ratios_and_targets_worked_out_by_hand():
    csv = {"1000000": {"ours": _kind(3.0, 450), "duckdb_read_csv": _kind(2.0, 380),
                       "pandas_read_csv_insert": _kind(2.4, 550)}}
    xlsx = {"100000": {"ours": _kind(1.5, 300), "fastexcel_arrow_duckdb": _kind(1.2, 200)}}
    found, targets = ratios(csv, xlsx)
    assert found["csv"]["1000000"] == {"to_duckdb_read_csv": 1.5, "to_pandas_read_csv_insert": 1.25, "peak_mb": 450}
    assert found["xlsx"]["100000"] == {"to_fastexcel_arrow_duckdb": 1.25, "peak_to_fastexcel_arrow_duckdb": 1.5}
    assert targets == {"csv 1,000,000 rows within 2x of DuckDB read_csv": True,
                       "csv 1,000,000 rows no slower than pandas.read_csv + insert": False,
                       "csv 1,000,000 rows peak < 500 MB": True,
                       "xlsx 100,000 rows within 1.3x of fastexcel → DuckDB": True,
                       "xlsx 100,000 rows peak within 1.3x of fastexcel → DuckDB's": False}


def test_a_tiny_run_measures_every_path_in_fresh_processes(tmp_path):
    results = run([300], [40], repeat=1, folder=tmp_path)
    assert set(results["csv"]["300"]) == {"ours", "duckdb_read_csv", "pandas_read_csv_insert"}
    assert set(results["xlsx"]["40"]) == {"ours", "fastexcel_arrow_duckdb"}
    ours, limit = results["csv"]["300"]["ours"], results["csv"]["300"]["duckdb_read_csv"]
    assert results["ratios"]["csv"]["300"]["to_duckdb_read_csv"] == ours["median_s"] / limit["median_s"]
    assert all(k["peak_mb"] > 0 and k["runs"] == 1 for k in results["csv"]["300"].values())
    assert len(results["targets"]) == 5 and (tmp_path / "spend-300.csv").exists()
    assert [len(results["load"][w]) for w in ("before", "after")] == [3, 3]  # the machine's load, beside the times
    assert all(x >= 0 for x in results["load"]["before"] + results["load"]["after"])
