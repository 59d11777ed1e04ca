"""The page bench's own logic (its timings live in `python -m alignment bench`, never in tests)."""

from alignment import bench_pages
from alignment.store import Store


def test_every_rerun_asks_for_a_view_not_asked_before():
    combos = bench_pages._filter_combinations()
    assert len(combos) == len(set(combos)) == 78  # 12 + 11 + ... + 1 month spans
    assert all(start <= end for start, end, _ in combos)


def test_scales_come_from_the_environment_else_1m_on_a_full_bench(monkeypatch):
    monkeypatch.delenv("BENCH_PAGE_ROWS", raising=False)
    assert bench_pages.scales_asked(1_000_000) == (1_000_000,)
    assert bench_pages.scales_asked(2_000) == ()
    monkeypatch.setenv("BENCH_PAGE_ROWS", "1000000,10000000")
    assert bench_pages.scales_asked(2_000) == (1_000_000, 10_000_000)


def test_the_database_is_the_demo_company_with_its_spend_replaced(tmp_path):
    db = tmp_path / "pages.duckdb"
    bench_pages.build_database(db, 500)
    with Store(db, read_only=True) as store:
        cur = store.cursor()
        assert cur.execute("SELECT count(*) FROM spend_lines").fetchone()[0] == 500
        assert cur.execute("SELECT sum(lines) FROM spend_summary").fetchone()[0] >= 500  # rule splits add lines
        active = dict(cur.execute(
            "SELECT dataset, count(*) FROM uploads WHERE status = 'active' GROUP BY 1").fetchall())
        assert set(active) >= {"spend", "projects", "stage_history", "survey", "business_metrics", "mapping_rules"}


def test_a_target_is_met_only_below_one_and_without_errors():
    page = {"ratio": 0.9, "cached_ratio": 0.5, "errors": []}
    assert bench_pages.met({"Overview": page})
    assert not bench_pages.met({"Overview": {**page, "ratio": 1.2}})
    assert not bench_pages.met({"Overview": {**page, "errors": ["boom"]}})


def test_analyses_are_judged_at_10m_against_3x_the_table_floor():
    fast = {"pages": {}, "analyses": {"analyses": {"nps": {"p95_over_target": 0.4, "p95_over_floor": 0.9}}}}
    slow = {"pages": {}, "analyses": {"analyses": {"nps": {"p95_over_target": 0.4, "p95_over_floor": 1.1}}}}
    assert not any("analysis" in t for t in bench_pages.targets({"1000000": slow}))  # shown, not judged
    assert bench_pages.targets({"10000000": fast})["every analysis p95 < 100 ms and < 3x the GROUP BY floor "
                                                    "at 10,000,000 rows"]
    assert not bench_pages.targets({"10000000": slow})["every analysis p95 < 100 ms and < 3x the GROUP BY floor "
                                                       "at 10,000,000 rows"]


def test_a_fresh_rerun_finds_no_result_or_chart_kept(tmp_path):
    import app_pages.common as common

    common.RESULTS.start("k", lambda: 1).result()
    common._specs["chart"] = {}
    bench_pages._forget_views()
    assert common.RESULTS.here("k", lambda: 2) == 2 and not common._specs
