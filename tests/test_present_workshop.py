"""The presentation, the room's screen and the phone form, driven by Streamlit's AppTest on the demo."""

from __future__ import annotations

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
