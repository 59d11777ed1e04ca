"""Every page, driven by Streamlit's AppTest against the demo database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from alignment.demo import load_demo
from alignment.store import Store

PAGES = ["app_pages/overview.py", "app_pages/spend.py", "app_pages/portfolio.py", "app_pages/bottlenecks.py",
         "app_pages/alignment.py", "app_pages/data.py", "app_pages/sql.py"]


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    s = Store(path)
    load_demo(s)
    s.close()
    monkeypatch.setenv("ALIGNMENT_DB", str(path))
    import app_pages.common as common

    common.get_store.clear()
    yield path
    common.get_store.clear()


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNMENT_DB", str(tmp_path / "empty.duckdb"))
    import app_pages.common as common

    common.get_store.clear()
    yield
    common.get_store.clear()


APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(demo_db, page):
    at = open_page(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_overview_shows_the_summary_figures(demo_db):
    at = open_page("app_pages/overview.py")
    labels = {m.label: m.value for m in at.metric}
    assert labels["Projects on time"].endswith("%")
    assert labels["Alignment maturity"].endswith("/ 5")
    assert len(at.get("vega_lite_chart")) >= 3
