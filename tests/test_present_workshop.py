"""The presentation, the room's screen and the phone form, driven by Streamlit's AppTest on the demo."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from alignment.demo import load_demo
from alignment.live import ALREADY_ANSWERED, SCALE_KEY
from alignment.schema import LUFTMAN_DIMENSIONS
from alignment.store import Store, close_shared_stores

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    with Store(path) as store:
        load_demo(store)
    monkeypatch.setenv("ALIGNMENT_DB", str(path))
    close_shared_stores()
    yield path
    close_shared_stores()


def app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def store():
    import app_pages.common as common

    return common.get_store()


def test_slides_read_previous_and_next_and_leave_text_colour_to_the_theme(demo_db):
    at = app(present="1")
    assert [b.label for b in at.button] == ["Previous", "Next"]
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert '"labelColor"' not in spec and '"labelFontSize": 18' in spec  # dark room or light: the browser colours it
    # The headline, context and chart share one box that the browser sizes to the window; the chart
    # takes what the text leaves (tests/test_browser.py measures it at three screen sizes).
    slide = next(b for b in at.main.children.values() if b.proto.id.endswith("-slide"))
    assert [type(c).__name__ for c in slide.children.values()] == ["Title", "Markdown", "UnknownElement"]
    assert slide.children[2].type == "vega_lite_chart"


def test_a_deck_for_one_unit_names_it_in_the_budget_headline(demo_db):
    """The room sees no sidebar: Retail's spend once read "IT has spent $4.6m", as if the company's."""
    at = app(present="1", bu="Retail")
    assert at.title[0].value.startswith("IT for Retail has spent $")
    assert "Retail" in at.caption[0].value


def test_the_overview_says_which_wave_and_shows_changes_the_right_way_round(demo_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    metrics = {m.label: m for m in at.metric}
    budget = metrics["Against budget to date"]
    # the demo is 2.7% over budget to date: a rise, red because lower is better
    assert budget.delta.startswith("+$") and budget.proto.direction == MetricProto.MetricDirection.UP
    assert budget.proto.color == MetricProto.MetricColor.RED
    relationship = metrics["Alignment maturity"]
    assert relationship.delta == "Partner" and relationship.proto.direction == MetricProto.MetricDirection.NONE
    # the demo's survey: wave 2026 H1 with 10 from IT and 14 from the business (demo.py)
    assert any(c.value.startswith("Alignment figures from the survey wave '2026 H1': 10 people from IT and 14 "
                                  "from the business.") for c in at.caption)


def test_a_small_live_session_is_named_as_left_out_on_the_overview(demo_db):
    s = store()
    s.open_live_session("ROOM23", "2026-11-23 workshop")
    phone = app(join="ROOM23")
    answer(phone, "IT", 5)
    at = AppTest.from_file(APP, default_timeout=60).run()
    said = next(c.value for c in at.caption if c.value.startswith("Alignment figures"))
    assert "'2026 H1'" in said and "Later wave '2026-11-23 workshop' has too few people" in said


def answer(phone: AppTest, group: str, score: int) -> AppTest:
    phone.radio(key="group").set_value(group)
    for dimension in LUFTMAN_DIMENSIONS:
        phone.radio(key=f"score-{dimension}").set_value(score)
    phone.button(key="FormSubmitter:answers-Send my answers").click()
    return phone.run()


def test_the_room_screen_counts_each_side(demo_db):
    s = store()
    s.open_live_session("ROOM24", "Room")
    host = app(session="ROOM24")
    host.switch_page("app_pages/workshop.py")
    host.run()
    assert len(host.image) == 1  # the QR code
    answer(app(join="ROOM24"), "IT", 4)
    answer(app(join="ROOM24"), "Business", 2)
    answer(app(join="ROOM24"), "Business", 3)
    host.run()
    counts = {m.label: m.value for m in host.metric}
    assert counts == {"People who have answered": "3", "From IT": "1", "From the business": "2"}
    assert any("?join=ROOM24" in m.value for m in host.markdown)


def test_the_phone_form_puts_the_key_beside_every_question(demo_db):
    store().open_live_session("ROOM25", "Keys")
    phone = app(join="ROOM25")
    assert [c.value for c in phone.caption].count(SCALE_KEY) == len(LUFTMAN_DIMENSIONS)


def test_a_second_send_from_the_same_phone_is_not_thanked(demo_db):
    store().open_live_session("ROOM26", "Twice")
    phone = answer(app(join="ROOM26"), "IT", 4)
    assert "your answers are in" in phone.success[0].value
    phone.session_state["just-sent"] = True  # the form sent again: a double tap, or a second tab's form
    phone.run()
    assert not phone.success and phone.info[0].value == ALREADY_ANSWERED
    assert store().live_session("ROOM26")["respondents"] == 1
    phone.run()  # afterwards: their first answers are in, and there is no form to send again
    assert "your answers are in" in phone.success[0].value and not phone.radio


@pytest.mark.parametrize("code", ["", "WRONG9"])
def test_a_missing_or_wrong_code_gets_a_box_for_the_code_never_the_dashboards(demo_db, code):
    store().open_live_session("ROOM27", "Typed")
    phone = app(join=code)
    assert len(phone.sidebar) == 0 and not phone.get("vega_lite_chart") and not phone.metric
    assert phone.text_input(key="typed-code")
    if code:
        assert "no live session with the code WRONG9" in phone.error[0].value
    phone.text_input(key="typed-code").set_value("room27")
    phone.button(key="use-code").click()
    phone.run()
    assert phone.query_params["join"] == "ROOM27" and phone.radio(key="group")


def test_each_row_of_choices_on_the_phone_has_its_own_key_right_above_it(demo_db):
    """The agreement key sat under the agreement choices, right above "How important is …": it read
    as the importance question's key, and the importance questions had none of their own."""
    store().open_live_session("ROOM28", "Keys", ask_importance=True)
    phone = app(join="ROOM28")
    form = next(b for b in phone.main.children.values() if getattr(b, "type", None) == "form")

    def flat(node):
        for child in node.children.values():
            yield from flat(child) if getattr(child, "children", None) else (child,)

    shown = list(flat(form))
    keys = {}
    for before, radio in zip(shown, shown[1:], strict=False):
        if type(radio).__name__ == "Radio" and radio.key != "group":
            assert type(before).__name__ == "Caption", radio.key
            keys[radio.key] = before.value
    assert {keys[f"score-{d}"] for d in LUFTMAN_DIMENSIONS} == {SCALE_KEY}
    importance = {keys[f"importance-{d}"] for d in LUFTMAN_DIMENSIONS}
    assert len(importance) == 1 and "important" in importance.pop()


def test_the_budget_slides_header_names_its_fiscal_year_not_the_chosen_months(demo_db):
    """March chosen, Retail: the header read "showing 2026-03 · Retail" over a fiscal-year headline."""
    at = app(present="1", bu="Retail", **{"from": "2026-03", "to": "2026-03"})
    assert at.title[0].value.startswith("IT for Retail has spent $") and "in FY2026" in at.title[0].value
    assert at.caption[0].value.endswith("showing FY2026 (2026-01 to 2026-12) · Retail")
    goals = app(present="1", bu="Retail", slide="2", **{"from": "2026-03", "to": "2026-03"})
    assert goals.caption[0].value.endswith("showing 2026-03 · Retail")  # spend by goal: the chosen months
    projects = app(present="1", bu="Retail", slide="3", **{"from": "2026-03", "to": "2026-03"})
    assert projects.caption[0].value.endswith("showing Retail")  # the portfolio is as of a date: no months


@pytest.mark.skipif(not shutil.which("chromium") and not Path("/usr/bin/chromium").exists(),
                    reason="Debian's chromium is not installed (make test installs it)")
def test_on_a_phone_the_slide_label_shows_the_chart_starts_in_view_and_send_is_full_width(demo_db):
    """390x844: the slide's label hid under the header bar and the chart began below the fold; the join
    form's "Send my answers" was as wide as its words, though the page's style meant it full width."""
    from playwright.sync_api import sync_playwright

    from alignment import bench_browser, loadtest

    with Store(demo_db) as s:
        s.open_live_session("ROOM29", "Phone", ask_importance=True)
    close_shared_stores()
    with loadtest.serve(demo_db) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=bench_browser.CHROMIUM_ARGS)
        try:
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            for address in ("?present=1", "present"):  # the room's deck, and the page with its sidebar
                page = phone.new_page()
                page.goto(f"{server.url}/{address}")
                page.locator("[data-testid='stVegaLiteChart'] svg").first.wait_for(timeout=30_000)
                page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=30_000)
                page.wait_for_timeout(500)
                label = page.locator("[data-testid='stCaptionContainer'] p", has_text="Spend against budget")
                assert label.inner_text().startswith("Spend against budget · 1 of ")
                box = label.bounding_box()
                on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest("
                                       "'[data-testid=stCaptionContainer]') !== null",
                                       [box["x"] + 10, box["y"] + box["height"] / 2])
                assert on_top, f"{address}: the slide's label is covered"
                chart = page.locator("[data-testid='stVegaLiteChart']").first.bounding_box()
                assert chart["y"] + 200 <= 844, f"{address}: the chart starts at {chart['y']} px"
                page.close()
            page = phone.new_page()
            page.goto(f"{server.url}/?join=ROOM29")
            send = page.get_by_role("button", name="Send my answers")
            send.wait_for(timeout=30_000)
            form = page.locator("[data-testid='stForm']").bounding_box()
            assert send.bounding_box()["width"] >= form["width"] - 40  # the form's padding either side
        finally:
            browser.close()


def test_a_live_wave_that_would_sort_before_the_newest_wave_is_refused(demo_db):
    """A review named its session 'Review workshop': undated, it sorted before the demo's dated waves,
    and the Overview went on showing 2026 H1 after the workshop, with no word said. '24.11.2026
    workshop' was read by its year alone (2026-01-01) and sorted before a 2026 H2 wave just the same:
    the check asks survey_waves where the new name would sort."""
    host = app()
    host.switch_page("app_pages/workshop.py").run()

    def open_as(name: str) -> None:
        next(t for t in host.text_input if t.label == "Survey wave name").set_value(name)
        host.button(key="FormSubmitter:open-Open a session").click().run()

    # '24.11.2025' is read by its year alone, as survey_waves reads it: before 2026 H1 (2026-01-01)
    for name, read in (("Review workshop", "has no date in it"), ("24.11.2025 workshop", "reads as 2025-01-01")):
        open_as(name)
        assert host.error[0].value.startswith(f"'{name}' would be ordered before the wave '2026 H1': waves are "
                                              f"ordered by the date in their name, and this one {read}."), name
        assert host.error[0].value.endswith(f"Put today's date in the name, like '{dt.date.today():%Y-%m-%d} {name}'.")
    assert not store().cursor().execute("SELECT count(*) FROM live_sessions").fetchone()[0]  # nothing opened
    open_as("2026-11-24 review workshop")
    assert not host.error and host.query_params.get("session")
