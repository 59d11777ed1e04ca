"""The main path in a real browser: Debian's chromium, driven by Playwright, against a live server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from alignment.demo import load_demo
from alignment.store import Store
from tests.conftest import xlsx

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# name: (url path, the page's heading, whether it shows charts)
PAGES = {"overview": ("", "What IT costs, and what the business gets for it", True),
         "spend": ("spend", "Spend & value", True), "portfolio": ("portfolio", "Portfolio", True),
         "bottlenecks": ("bottlenecks", "Bottlenecks", True), "alignment": ("alignment", "Alignment survey", True),
         "data": ("data", "Data", False), "sql": ("sql", "SQL explorer", False)}
CHART = "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed "
                                "(make test installs it)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serving(db: Path, **settings: str) -> Iterator[str]:
    """A real Streamlit server on a free port, stopped afterwards; yields its address."""
    port = _free_port()
    env = {**os.environ, "ALIGNMENT_DB": str(db), **settings}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
                             str(port), "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("streamlit did not start")
        yield url
    finally:
        proc.kill()


def _demo_db(path: Path) -> Path:
    with Store(path) as store:
        load_demo(store)
    return path


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _wait_for_app(page):
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def test_upload_then_see_the_dashboard(tmp_path, browser):
    with _serving(tmp_path / "browser.duckdb") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(f"{url}/data")
        _wait_for_app(page)
        workbook = tmp_path / "gl.xlsx"
        workbook.write_bytes(xlsx([["Acme IT spend"], [], ["Month", "Business Unit", "Supplier", "Actual (USD)",
                                                             "Budget", "Business goal"],
                                   ["Jan-2025", "Retail", "AWS", "$1,200.00", 1000, "Grow online sales"],
                                   ["Feb-2025", "Retail", "AWS", "$900.00", 1000, None]], sheet="GL"))
        page.set_input_files("input[type=file]", str(workbook))
        page.get_by_text("2 row(s) ready to load").wait_for(timeout=30_000)
        page.get_by_role("button", name="Load", exact=True).click()
        page.get_by_text("Loaded 2 row(s) into spend").wait_for(timeout=30_000)
        page.goto(url)
        _wait_for_app(page)
        page.get_by_text("Spend by business goal").first.wait_for(timeout=30_000)
        page.locator(CHART).first.wait_for(timeout=30_000)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "upload-then-overview.png"))
        assert page.get_by_text("$2.1k").count() >= 1  # IT spend: 1,200 + 900


def test_walk_every_page_and_save_screenshots(tmp_path, browser):
    db = _demo_db(tmp_path / "demo.duckdb")
    with _serving(db) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 2600})
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for name, (path, heading, has_charts) in PAGES.items():
            page.goto(f"{url}/{path}")
            page.get_by_role("heading", name=heading).first.wait_for(timeout=30_000)
            if has_charts:
                page.locator(CHART).first.wait_for(timeout=30_000)
            _wait_for_app(page)
            page.wait_for_timeout(1500)
            assert page.locator("[data-testid='stException']").count() == 0, name
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        # Filters live in the URL: a link with a business unit reproduces the view.
        page.goto(f"{url}/spend?bu=Retail")
        _wait_for_app(page)
        assert "bu=Retail" in page.url
        page.get_by_text("Retail").first.wait_for(timeout=10_000)


def _answer_on_a_phone(browser, url: str, code: str, side: str, score: str, screenshot: Path | None = None):
    phone = browser.new_page(viewport={"width": 390, "height": 2400}, is_mobile=True, has_touch=True)
    phone.goto(f"{url}/?join={code}")
    phone.get_by_role("heading", name="How aligned are IT and the business?").wait_for(timeout=30_000)
    assert phone.locator("[data-testid='stSidebar']").count() == 0
    phone.get_by_role("radiogroup", name="I work in").get_by_text(side, exact=True).click()
    for dimension in ("Communications", "Value measurement", "Governance", "Partnership",
                      "Scope & architecture", "Skills"):
        phone.get_by_role("radiogroup", name=dimension).get_by_text(score, exact=True).click()
    if screenshot:
        phone.screenshot(path=str(screenshot))
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_text("your answers are in").wait_for(timeout=30_000)
    phone.close()


def test_live_survey_answers_from_a_phone_reach_the_big_screen(tmp_path, browser):
    db = _demo_db(tmp_path / "live.duckdb")
    # Two phones: below the default minimum of 5 a side a room's results stay hidden, so this room
    # has set its minimum to one (a facilitator's choice on the Settings page).
    with Store(db) as store:
        store.save_settings({"min_respondents": 1})
    # The address phones use differs from the one the facilitator's browser shows.
    with _serving(db, ALIGNMENT_PUBLIC_URL="http://alignment.example.test:8501") as url:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screen = browser.new_page(viewport={"width": 1400, "height": 1100})
        screen.goto(f"{url}/live")
        _wait_for_app(screen)
        screen.get_by_role("button", name="Open a session").click()
        screen.get_by_text("Waiting for the first answers").wait_for(timeout=30_000)
        code = screen.url.split("session=")[1][:6]
        screen.get_by_text(f"http://alignment.example.test:8501/?join={code}").wait_for(timeout=10_000)
        screen.screenshot(path=str(ARTIFACTS / "live-waiting.png"))

        _answer_on_a_phone(browser, url, code, "IT", "4", ARTIFACTS / "live-phone.png")
        # No reload: the big screen's fragment redraws itself every two seconds.
        screen.locator("[data-testid='stMetricValue']", has_text="1").wait_for(timeout=15_000)
        _answer_on_a_phone(browser, url, code, "The business", "2")
        screen.locator("[data-testid='stMetricValue']", has_text="2").wait_for(timeout=15_000)
        screen.locator(CHART).first.wait_for(timeout=15_000)
        screen.wait_for_timeout(1000)
        screen.screenshot(path=str(ARTIFACTS / "live-answers.png"))


def test_presentation_mode_steps_with_the_arrow_keys(tmp_path, browser):
    db = _demo_db(tmp_path / "present.duckdb")
    with _serving(db) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/?present=1")
        page.get_by_role("heading", name="IT has spent").wait_for(timeout=30_000)
        page.locator(CHART).first.wait_for(timeout=30_000)
        assert page.locator("[data-testid='stSidebar']").count() == 0
        page.wait_for_timeout(1000)
        page.screenshot(path=str(ARTIFACTS / "present-1.png"))
        page.keyboard.press("ArrowRight")
        page.get_by_role("heading", name="serves no named business goal").wait_for(timeout=30_000)
        assert "slide=2" in page.url
