"""The browser-upload benchmark stage (alignment.bench_upload) end to end on tiny files, so its code
path cannot rot: a real server, Debian's chromium, the Data page's steps, the rows in the database.
No timing is asserted: the stage's numbers are judged by the benchmark, not here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from alignment import bench_upload

pytestmark = pytest.mark.skipif(not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()),
                                reason="Debian's chromium is not installed (make test installs it)")


def test_files_are_built_once_and_kept(tmp_path):
    made = bench_upload.files(tmp_path, 30, 0)
    assert list(made) == ["csv"] and made["csv"].name == "spend-30.csv"
    assert len(made["csv"].read_text().splitlines()) == 31  # a header and 30 rows
    made["csv"].write_text("kept\n")
    assert bench_upload.files(tmp_path, 30, 0)["csv"].read_text() == "kept\n"  # not rebuilt


def test_stages_are_read_from_the_bars_texts_in_order():
    log = [(0.0, "Reading the file… 0%"), (1.0, "Reading the file… 100%"), (2.0, "Checking the rows… 50%"),
           (3.0, "Reading the file… 0%"), (4.0, "Storing the rows… 0%")]
    assert bench_upload.stages_seen(log) == ["read", "check", "store"]


def test_a_small_csv_loads_through_the_data_page(tmp_path):
    """One server (a csv; the xlsx takes the same steps and would double the test's time)."""
    rows = {"csv": 300}
    result = bench_upload.run(tmp_path, rows["csv"], 0, bound=60, timeout=60)
    assert "skipped" not in result and "xlsx" not in result
    for kind, n in rows.items():
        r = result[kind]
        # Replace took the demo company's spend out: only this file's rows are in use.
        assert (r["active_spend_rows"], r["uploads_row_count"], r["active_spend_uploads"]) == (n, n, 1)
        assert r["user_sees"].startswith(f"Loaded {n:,} rows into IT spend")
        assert r["limit_stated"] and r["mapping_guessed"]
        assert None not in (r["overview_idle_s"], r["overview_during_check_s"], r["overview_during_load_s"])
        assert r["server_peak_rss_mb"] > 0
        assert set(r["stages"]) <= {"read", "check", "store"}  # a tiny file's bar may come and go undrawn
    assert all(bench_upload.targets(result)[t] for t in bench_upload.targets(result) if "stored" in t)
    assert "rows stored" in bench_upload.describe(result)


def test_a_file_the_browser_refused_misses_the_target_and_says_why():
    refused = {"rows": 3_000_000, "bytes": 304_738_487, "mb": 290.6, "refused": "File must be 300.0MB or smaller."}
    result = {"upload_limit_mb": 300, "csv": refused, "loadavg_before": (1.0, 1.0, 1.0),
              "loadavg_after": (1.0, 1.0, 1.0)}
    assert list(bench_upload.targets(result).values()) == [False]
    assert "refused by the browser (304,738,487 bytes): File must be 300.0MB or smaller." in \
        bench_upload.describe(result)
