"""Warming at server start (serve.py → app_pages.common.warm): the first visit to the Overview finds
its filters' options and analyses computed, and no database makes warming raise."""

from __future__ import annotations

import logging

from streamlit.testing.v1 import AppTest

from app_pages.common import OVERVIEW, RESULTS, warm
from tests.conftest import sidebar_filters
from tests.test_app_pages import APP, demo_db, empty_db  # noqa: F401 - the fixtures


def test_the_first_visit_after_warming_computes_nothing(demo_db):  # noqa: F811
    before = RESULTS.computed
    warm()
    warmed = RESULTS.computed
    assert warmed - before >= len(OVERVIEW) + 1  # the analyses and the filters' options

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "What IT costs, and what the business gets for it"
    assert len(at.get("vega_lite_chart")) == 3
    assert RESULTS.computed == warmed, "the Overview asked for a result warming had not computed"

    # The count does move when a view asks for something new: another business unit.
    at.query_params["bu"] = sidebar_filters(at)["Business unit"]["options"][1]
    at.run()
    assert not at.exception and RESULTS.computed > warmed


def test_warming_an_empty_database_computes_nothing_and_says_so(empty_db, caplog):  # noqa: F811
    before = RESULTS.computed
    with caplog.at_level(logging.INFO, logger="app_pages.common"):
        warm()
    assert RESULTS.computed == before
    assert "the database is empty" in caplog.text


def test_warming_a_broken_database_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("ALIGNMENT_DB", str(broken))
    with caplog.at_level(logging.INFO, logger="app_pages.common"):
        warm()
    assert "Warming the server failed" in caplog.text


def test_warming_a_location_that_is_not_one_is_logged_not_raised(monkeypatch, caplog):
    monkeypatch.setenv("ALIGNMENT_DB", "ducklake:postgres:")
    with caplog.at_level(logging.INFO, logger="app_pages.common"):
        warm()
    assert "Warming the server failed" in caplog.text
