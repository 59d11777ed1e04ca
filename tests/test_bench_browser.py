"""The browser cold-start stage runs end to end once: both apps drawn, ratios as computed. It
asserts what was measured, not how fast (timing targets live in `python -m alignment bench`)."""

import pytest

from alignment import bench_browser
from alignment.demo import load_demo
from alignment.store import Store

pytestmark = pytest.mark.skipif(not bench_browser.chromium(), reason="Debian's chromium is not installed "
                                "(make test installs it)")


def test_overview_and_minimal_app_measured_in_turn(tmp_path):
    db = tmp_path / "demo.duckdb"
    with Store(db) as store:
        load_demo(store)
    result = bench_browser.run(str(db), repeat=1)
    for app in ("overview", "minimal"):
        assert result[app]["start_s"] > result[app]["cold_s"] * 0.1 > 0
    assert result["cold_ratio"] == round(result["overview"]["cold_s"] / result["minimal"]["cold_s"], 2)
    assert result["start_ratio"] == round(result["overview"]["start_s"] / result["minimal"]["start_s"], 2)
    met = bench_browser.targets(result)
    assert met[f"Overview cold load within {bench_browser.TARGET_RATIO}x a minimal 3-chart app"] == (
        result["cold_ratio"] <= bench_browser.TARGET_RATIO)
    assert "cold load" in bench_browser.describe(result)
