"""The load driver speaks Streamlit's protocol to a real server: a viewer gets a finished script
with the page's elements, each participant's answers are stored once. Checks what happened, never
how fast (timing targets live in `python -m alignment bench`)."""

import asyncio

import pytest

from alignment import live, loadtest
from alignment.cli import build_parser
from alignment.demo import load_demo
from alignment.store import Store

CODE = "TESTAB"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("load") / "demo.duckdb"
    with Store(path) as store:
        load_demo(store)
        store.open_live_session(CODE, "Test")
    return path


def test_viewers_and_participants_on_a_real_server(demo_db):
    with loadtest.serve(demo_db, start_timeout=40) as server:
        cookies = [loadtest.browser_cookie(server) for _ in range(3)]
        views = [loadtest.View(), loadtest.View("", "bu=Retail"), loadtest.View("spend")]
        seen, answered = asyncio.run(loadtest.crowd(server, views, [(CODE, c) for c in cookies], timeout=40))
        assert loadtest.peak_rss_mb(server) > 0
        assert "Warmed the Overview in" in server.log_tail(), "started as make run starts it, warmed at start"
        process = server.process
    assert process.poll() is not None, "the server is stopped when the block ends"

    assert [o.result for o in seen] == ["finished"] * 3, [o.result for o in seen]
    overview, filtered, spend = (o.run for o in seen)
    assert overview.status == "FINISHED_SUCCESSFULLY"
    assert "What IT costs, and what the business gets for it" in overview.headings
    assert overview.elements["metric"] == 8 and overview.elements["vega_lite_chart"] >= 2
    assert "What IT costs, and what the business gets for it" in filtered.headings
    assert "Spend & value" in spend.headings and spend.elements["dataframe"] >= 1

    assert [o.result for o in answered] == [loadtest.STORED] * 3, [o.result for o in answered]
    with Store(demo_db, read_only=True) as store:
        assert store.live_session(CODE)["respondents"] == 3
        kept = store.cursor().execute("SELECT count(DISTINCT respondent_id), count(*) FROM survey_rows r "
                                      "JOIN live_sessions l ON l.batch_id = r.batch_id WHERE l.code = ?",
                                      [CODE]).fetchone()
    assert kept == (3, 3 * len(live.STATEMENTS))


def test_each_participant_is_a_browser_of_its_own(demo_db):
    """Three cookies are three browsers: their participant ids differ (the join page's identity)."""
    with loadtest.serve(demo_db, start_timeout=40) as server:
        cookies = {loadtest.browser_cookie(server) for _ in range(3)}
    secrets = {live.browser_secret({live.XSRF_COOKIE: c.split("=", 1)[1]}) for c in cookies}
    assert len(secrets) == 3 and None not in secrets


def test_a_server_that_cannot_start_is_said(tmp_path):
    with pytest.raises(loadtest.LoadError, match="exited"), \
            loadtest.serve(tmp_path / "x.duckdb", app=tmp_path / "missing.py", start_timeout=40):
        pass


def test_answers_cover_every_radio_with_one_of_its_options():
    run = loadtest.ScriptRun(widgets=[loadtest.Widget("g", "radio", "I work in", ["IT", "The business"]),
                                      *(loadtest.Widget(d, "radio", d, list("12345")) for d in live.STATEMENTS)])
    for n in range(4):
        chosen = dict(loadtest.answers_for(run, n))
        assert set(chosen) == {"g", *live.STATEMENTS}
        assert all(chosen[w.id] in w.options for w in run.widgets)
    assert dict(loadtest.answers_for(run, 0))["g"] != dict(loadtest.answers_for(run, 1))["g"]


def test_summary_reports_p95_against_the_target():
    result = loadtest.summary([1.0] * 19 + [5.0], target=2.0)
    assert result["sessions"] == 20 and result["median_s"] == 1.0 and result["max_s"] == 5.0
    assert 1.0 < result["p95_s"] <= 5.0 and result["p95_over_target"] == result["p95_s"] / 2.0


def test_bench_sessions_option():
    parse = build_parser().parse_args
    assert parse(["bench", "--sessions", "25,50"]).sessions == (25, 50)
    assert parse(["bench"]).sessions == (25, 50)
    assert parse(["bench", "--sessions", "0"]).sessions == ()
    with pytest.raises(SystemExit):
        parse(["bench", "--sessions", "25,-1"])
