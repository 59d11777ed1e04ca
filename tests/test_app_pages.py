"""Every page, driven by Streamlit's AppTest against the demo database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from alignment.charts import label as charts_label
from alignment.demo import load_demo
from alignment.schema import LUFTMAN_DIMENSIONS
from alignment.store import Store, close_shared_stores
from tests.conftest import sidebar_filters

PAGES = ["app_pages/overview.py", "app_pages/spend.py", "app_pages/portfolio.py", "app_pages/bottlenecks.py",
         "app_pages/alignment.py", "app_pages/data.py", "app_pages/sql.py", "app_pages/present.py",
         "app_pages/workshop.py"]


@pytest.fixture
def demo_db(tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    s = Store(path)
    load_demo(s)
    s.close()
    monkeypatch.setenv("ALIGNMENT_DB", str(path))
    close_shared_stores()
    yield path
    close_shared_stores()


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNMENT_DB", str(tmp_path / "empty.duckdb"))
    close_shared_stores()
    yield
    close_shared_stores()


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


def test_the_overview_says_how_far_the_actuals_go(demo_db):
    """The demo's months run to 2026-12, its actuals to 2026-10: "IT spend $23.3m" alone read as the
    whole year to a CFO. The Spend page says "FY2026 actual to 2026-10"; the Overview says it too."""
    def spend(**address: str):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(address)
        at.run()
        return next(m for m in at.metric if m.label == "IT spend")

    whole_year = spend()
    assert whole_year.proto.delta == "Actuals to 2026-10"
    assert "The chosen months after 2026-10 hold only budget or forecast." in whole_year.proto.help
    first_half = spend(to="2026-06")
    assert first_half.proto.delta == "Actuals to 2026-06" and "only budget" not in first_half.proto.help
    assert not spend(**{"from": "2026-12", "to": "2026-12"}).proto.delta  # no actuals: nothing to say how far


def test_presentation_steps_through_findings_without_the_sidebar(demo_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception and len(at.sidebar) == 0
    assert at.title[0].value == "IT has spent $23.3m in FY2026 to 2026-10: 3.6% over budget to date."
    assert at.caption[0].value == "Spend against budget · 1 of 6"
    at.button(key="next").click().run()
    assert at.query_params["slide"] == "2" and at.title[0].value.endswith("serves no named business goal.")
    at.button(key="previous").click().run()
    assert at.query_params["slide"] == "1"
    assert len(at.get("vega_lite_chart")) == 1


def test_presentation_on_an_empty_database_says_so(empty_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["present"] = "1"
    at.run()
    assert not at.exception and "No data to present" in at.info[0].value


def answer_on_a_phone(code: str, group: str, score: int) -> AppTest:
    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params["join"] = code
    phone.run()
    phone.radio(key="group").set_value(group)
    for dimension in LUFTMAN_DIMENSIONS:
        phone.radio(key=f"score-{dimension}").set_value(score)
    phone.button[0].click()  # the form's submit button
    return phone.run()


def test_a_practice_session_says_so_and_leaves_the_dashboards_when_closed(demo_db):
    import app_pages.common as common

    host = open_page("app_pages/workshop.py")
    host.text_input[0].set_value("Dry run")
    host.checkbox[1].check()  # "Practice run: take the answers out of the dashboards when I close it"
    host.button[0].click().run()
    code = host.query_params["session"]
    assert any(i.value.startswith("Practice run: when you close it") for i in host.info)
    answer_on_a_phone(code, "IT", 5)
    waves = "SELECT count(*) FROM survey WHERE wave = 'Dry run'"
    assert common.get_store().cursor().execute(waves).fetchone()[0] == 6
    host.run()
    host.button(key="close").click().run()
    assert host.success[0].value.startswith(f"Practice session {code} is closed: 1 person's answers are out of")
    assert common.get_store().cursor().execute(waves).fetchone()[0] == 0


def test_closing_a_session_nobody_answered_says_so_in_words(demo_db):
    """It read "0 people's answers are out of the dashboards"."""
    for practice, said in ((True, "The practice run {} is closed; nobody had answered."),
                           (False, "Session {} is closed; nobody had answered, so the dashboards are as they were.")):
        host = open_page("app_pages/workshop.py")
        if practice:
            host.checkbox[1].check()
        host.button[0].click().run()
        code = host.query_params["session"]
        host.button(key="close").click().run()
        assert [s.value for s in host.success] == [said.format(code)]


def test_live_session_from_opening_to_answers_on_the_big_screen(demo_db):
    host = open_page("app_pages/workshop.py")
    host.text_input[0].set_value("2026-11 room test")
    host.button[0].click().run()
    code = host.query_params["session"]
    assert len(code) == 6 and not host.exception
    assert any(code in m.value for m in host.markdown)
    assert len(host.image) == 1  # the QR code

    phone = answer_on_a_phone(code, "IT", 5)
    assert not phone.exception and "your answers are in" in phone.success[0].value
    assert len(phone.sidebar) == 0 and not phone.get("vega_lite_chart")  # a participant sees nothing else
    answer_on_a_phone(code, "Business", 2)

    host.run()
    assert host.metric[0].value == "2"
    import app_pages.common as common

    got = common.get_store().cursor().execute(
        "SELECT respondent_group, avg(score), count(*) FROM survey WHERE wave = '2026-11 room test' "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert got == [("Business", 2.0, 6), ("IT", 5.0, 6)]

    assert any("Excel" in b.label for b in host.get("download_button"))  # the follow-up export
    host.button(key="close").click().run()
    assert "2 people's answers are kept as the survey wave '2026-11 room test'" in host.success[0].value
    late = AppTest.from_file(APP, default_timeout=60)
    late.query_params["join"] = code
    late.run()
    assert "This session has closed" in late.info[0].value


def test_importance_questions_feed_the_fix_first_view(demo_db):
    import app_pages.common as common
    from alignment.live import STATEMENTS
    from alignment.queries import run_query

    store = common.get_store()
    store.open_live_session("IMP234", "With importance", ask_importance=True)
    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params["join"] = "IMP234"
    phone.run()
    phone.radio(key="group").set_value("Business")
    for dimension in LUFTMAN_DIMENSIONS:
        phone.radio(key=f"score-{dimension}").set_value(2)
        phone.radio(key=f"importance-{dimension}").set_value(5 if dimension == "Governance" else 3)
    phone.button[0].click()
    phone.run()
    assert not phone.error, [e.value for e in phone.error]
    quad = run_query(store.cursor(), "importance_satisfaction", {"wave": "With importance"}).set_index("question")
    governance = quad.loc[STATEMENTS["Governance"]]
    assert (governance["importance"], governance["satisfaction"]) == (5, 2)
    assert governance["quadrant"] == "Fix first"


def test_a_join_form_with_missing_answers_names_them_and_stores_nothing(demo_db):
    import app_pages.common as common

    store = common.get_store()
    store.open_live_session("ROOM22", "Partial")
    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params["join"] = "room22"
    phone.run()
    phone.radio(key="group").set_value("IT")
    phone.radio(key="score-Skills").set_value(3)
    phone.button[0].click().run()
    assert "still open: Communications" in phone.error[0].value
    assert store.live_session("ROOM22")["respondents"] == 0


def test_a_closed_or_unknown_session_says_so(demo_db):
    phone = AppTest.from_file(APP, default_timeout=60)
    phone.query_params["join"] = "NOPE22"
    phone.run()
    assert "no live session with the code NOPE22" in phone.error[0].value


SIGN_IN = {"access": {"editors": ["cfo@example.com"], "viewers": ["@example.com"], "participants": ["*"]},
           "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x"}}


def signed_in(email: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in SIGN_IN.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    return at.run()


def _sidebar_pages(at: AppTest) -> set[str]:
    """The pages st.navigation registered this run (AppTest has no public accessor for them)."""
    return {info["page_name"] for info in at._registered_pages.values()}


def test_signed_out_people_see_only_the_sign_in_button(demo_db):
    at = signed_in(None)
    assert not at.exception and at.button[0].label == "Sign in"
    assert not at.get("vega_lite_chart")


def test_roles_decide_the_pages(demo_db):
    editor, viewer, participant = signed_in("cfo@example.com"), signed_in("ann@example.com"), signed_in("x@y.org")
    for at in (editor, viewer, participant):
        assert not at.exception, at.exception
    assert {"Data", "Live survey"} <= _sidebar_pages(editor)
    assert "Data" not in _sidebar_pages(viewer) and "Live survey" not in _sidebar_pages(viewer)
    assert "Overview" in _sidebar_pages(viewer)
    assert not participant.get("vega_lite_chart") and not participant.metric
    assert participant.text_input[0].label.startswith("Session code")


def test_a_viewer_cannot_reach_the_data_page_even_by_its_address(demo_db):
    at = signed_in("ann@example.com")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/data.py")
    page = AppTest.from_file(str(Path(APP).parent / "app_pages" / "data.py"), default_timeout=60)
    for key, value in SIGN_IN.items():
        page.secrets[key] = value
    page.user = {"is_logged_in": True, "email": "ann@example.com"}
    page.run()
    assert not page.file_uploader and "not load or change data" in page.warning[0].value


def test_an_unlisted_address_is_told_it_has_no_access(demo_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["access"] = {"viewers": ["@example.com"]}
    at.secrets["auth"] = SIGN_IN["auth"]
    at.user = {"is_logged_in": True, "email": "eve@elsewhere.org"}
    at.run()
    assert "eve@elsewhere.org, which has no access" in at.warning[0].value
    assert not at.get("vega_lite_chart") and at.button[0].label == "Sign out"


def test_sign_in_without_an_identity_provider_says_what_to_add(demo_db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["access"] = {"viewers": ["@example.com"]}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and "add an [auth] section" in at.error[0].value


def test_a_join_link_works_without_signing_in_unless_switched_off(demo_db):
    import app_pages.common as common

    common.get_store().open_live_session("ANON22", "Anonymous")
    for anonymous, sees_form in ((True, True), (False, False)):
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["access"] = {**SIGN_IN["access"], "anonymous_answers": anonymous}
        at.secrets["auth"] = SIGN_IN["auth"]
        at.user = {"is_logged_in": False}
        at.query_params["join"] = "ANON22"
        at.run()
        assert bool(at.radio) == sees_form
        assert (at.button[0].label == "Sign in") != sees_form


def test_with_two_rooms_open_the_facilitator_picks_one(demo_db):
    import app_pages.common as common

    store = common.get_store()
    store.open_live_session("ROOMA2", "2026-11-22 room A")
    store.open_live_session("ROOMB3", "2026-11-22 room B")
    at = open_page("app_pages/workshop.py")
    picker = at.selectbox(key="pick-session")
    assert set(picker.options) == {"ROOMA2 · 2026-11-22 room A", "ROOMB3 · 2026-11-22 room B"}
    picker.set_value("ROOMA2").run()
    assert at.query_params["session"] == "ROOMA2" and any("ROOMA2" in m.value for m in at.markdown)


def test_data_page_loads_a_file_then_undo_and_restore(empty_db):
    from tests.conftest import xlsx

    at = open_page("app_pages/data.py")
    workbook = xlsx([["Month", "Business unit", "Actual", "Budget"], ["2025-01", "Retail", 100, 90],
                     ["2025-02", "Retail", "oops", 90]])
    at.file_uploader(key="upload").upload("gl.xlsx", workbook).run()
    # the bad cell is named by sheet, row and column, and nothing can be loaded
    assert at.error[0].value.startswith("1 problem found. Nothing will be loaded until it is fixed in the file")
    problem = next(d.value for d in at.dataframe if "message" in d.value.columns).iloc[0]
    assert problem["message"].startswith("Sheet 'Sheet1', row 3, column C ('Actual'): 'oops'")
    assert not [b for b in at.button if b.key == "load"]

    good = xlsx([["Month", "Business unit", "Actual", "Budget"], ["2025-01", "Retail", 100, 90],
                 ["2025-02", "Retail", 50, 90]])
    at.file_uploader(key="upload").upload("gl2.xlsx", good).run()
    assert "2 rows ready to load" in at.success[0].value
    at.button(key="load").click().run()
    assert "Loaded 2 rows into IT spend as upload 1." in at.success[0].value

    import app_pages.common as common

    spend = lambda: common.get_store().cursor().execute("SELECT coalesce(sum(actual), 0) FROM spend").fetchone()[0]  # noqa: E731
    assert spend() == 150
    at.selectbox(key="undo_id").set_value(1).run()  # choosing an upload enables Undo
    at.button(key="undo").click().run()
    assert "Undid upload 1" in at.success[0].value and spend() == 0
    at.selectbox(key="redo_id").set_value(1).run()
    at.button(key="redo").click().run()
    assert at.success[0].value == "Restored upload 1 (gl2.xlsx, IT spend): its rows are back in the dashboards."
    assert spend() == 150


def test_filters_show_only_where_they_apply(demo_db):
    for page in ("app_pages/data.py", "app_pages/settings.py", "app_pages/sql.py", "app_pages/workshop.py"):
        at = open_page(page)
        assert not sidebar_filters(at), page
    for page, what in (("app_pages/portfolio.py", "every project in the register"),
                       ("app_pages/bottlenecks.py", "the whole stage history"),
                       ("app_pages/alignment.py", "the survey wave chosen below")):  # it said nothing
        at = open_page(page)
        assert "Business unit" in sidebar_filters(at), page
        assert any(c.value.startswith("The month filter does not apply here: " + what) for c in at.caption), page


def test_the_as_of_date_is_said_once_in_one_format(demo_db):
    """Portfolio and Bottlenecks said "as of 24 Nov 2026" under the title and "as of 2026-11-24" (or
    "24 November 2026") in the page's own caption."""
    import datetime as dt

    import app_pages.common as common

    as_of = common.get_store().settings()["as_of"] or dt.date.today()
    forms = {f"{as_of:%Y-%m-%d}", f"{as_of:%d %b %Y}", f"{as_of:%d %B %Y}", f"{as_of.day} {as_of:%b %Y}"}
    for page in ("app_pages/portfolio.py", "app_pages/bottlenecks.py"):
        at = open_page(page)
        texts = [e.value for kind in ("caption", "markdown", "info", "warning", "success") for e in at.get(kind)]
        texts += [m.proto.help for m in at.metric]
        assert len([t for t in texts if any(form in t for form in forms)]) == 1, (page, [
            t for t in texts if any(form in t for form in forms)])


def test_the_bottleneck_is_named_in_plain_words(demo_db):
    """It read "items spent 46.2% of their time in stages there"."""
    at = open_page("app_pages/bottlenecks.py")
    (said,) = [w.value for w in at.warning if "is the bottleneck" in w.value]
    assert "of their time in stages there" not in said
    assert re.search(r"^\*\*(.+)\*\* is the bottleneck, a (working|waiting) stage: of all the time items spent in "
                     r"stages, [\d.]+% was in \1\. Half the stays there took \d+ days or less, 85% took \d+ days or "
                     r"less; \d+ items? (is|are) there now\.$", said), said


def test_tables_show_business_headers_formats_and_blank_blanks(demo_db):
    for page in ("app_pages/spend.py", "app_pages/portfolio.py", "app_pages/bottlenecks.py",
                 "app_pages/alignment.py"):
        at = open_page(page)
        assert at.dataframe, page
        for frame in at.dataframe:
            config = json.loads(frame.proto.columns)
            headers = [c.get("label") for name, c in config.items() if name != "_index"]
            assert headers and all(h and "_" not in h for h in headers), (page, headers)  # business headers
            assert frame.proto.placeholder == ""  # a missing value shows blank, not "None"
            assert not [c for c in frame.value if frame.value[c].dtype == bool]  # booleans are words
            assert not frame.value.isin(["None"]).any().any()
    at = open_page("app_pages/spend.py")
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["actual"] == {"label": "Actual spend ($)", "type_config": {"type": "number", "format": "%,.0f"}}
    assert set(at.dataframe[0].value["is_unmapped"]) <= {"Yes", "No"}


def test_page_choices_are_in_the_address_and_a_wrong_one_is_said(demo_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/spend.py")
    at.query_params.update({"by": "Tower", "split": "Capex / opex", "allocate": "Revenue"})
    at.run()
    assert [r.value for r in at.radio] == ["capex_opex", "tower", "revenue"]
    assert "Budget vs actual by tower" in json.dumps([c.proto.spec for c in at.get("vega_lite_chart")])
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/spend.py")
    at.query_params["by"] = "Towers"
    at.run()
    assert [r.value for r in at.radio][1] == "month"
    assert any("The link sets 'By' to 'Towers', which is not one of its choices" in w.value for w in at.warning)
    # After a choice was made, an address naming no choice is said too (it kept silent), naming what shows.
    at.radio[1].set_value("tower").run()
    at.query_params["by"] = "Towers"
    at.run()
    shown = [r.value for r in at.radio][1]
    said = [w.value for w in at.warning if "The link sets 'By' to 'Towers'" in w.value]
    assert len(said) == 1 and said[0].endswith(f"showing '{charts_label(shown)}'."), (shown, said)


def test_a_wave_in_the_address_that_is_not_one_is_said_even_after_a_wave_was_chosen(demo_db):
    said = "The link sets 'Survey wave' to 'nonsense', which is not one of its choices here ('2026 H1', '2025 H2')"
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/alignment.py")
    at.query_params["wave"] = "nonsense"
    at.run()
    assert [w.value for w in at.warning if w.value.startswith(said)] == [f"{said}; showing '2026 H1'."]
    # the session has a wave now: a link (or an edited address) naming one that is not is said all the same,
    # naming the wave still shown, and said once
    at.selectbox(key="wave").set_value("2025 H2").run()
    at.query_params["wave"] = "nonsense"
    at.run()
    assert at.selectbox(key="wave").value == "2025 H2"
    assert [w.value for w in at.warning if w.value.startswith(said)] == [f"{said}; showing '2025 H2'."]


def test_the_overview_and_the_presentation_offer_the_board_pack(demo_db):
    for page in ("app_pages/overview.py", "app_pages/present.py"):
        at = open_page(page)
        labels = [b.proto.label for b in at.get("download_button")]
        assert {"Board pack (PowerPoint)", "Board pack (PDF)"} <= set(labels), (page, labels)


@pytest.mark.parametrize("presenting", [False, True])
def test_a_reversed_period_in_a_link_is_said_once_not_per_figure(demo_db, presenting):
    """Each analysis on a page reads the filters; the sentence about them is said once a run, not per figure."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"from": "2026-09", "to": "2026-03"} | ({"present": "1"} if presenting else {}))
    at.run()
    said = [w.value for w in at.warning if "'From month' is after the 'To month'" in w.value]
    assert len(said) == 1 and not at.exception
    at.run()  # a rerun says it again, once
    assert len([w for w in at.warning if "'From month' is after" in w.value]) == 1


@pytest.mark.parametrize(("shown", "scope"), [
    ((None, None, None), None),
    (("2026-01", "2026-03", "All business units"), None),
    (("2026-02", "2026-02", None), "2026-02"),
    (("2026-03", "2026-02", "Retail"), "2026-02 to 2026-03 · Retail"),  # swapped, as filters() swaps them
    ((None, None, "Retail"), "Retail"),
])
def test_the_page_says_which_part_of_the_data_it_shows(shown, scope):
    from app_pages.common import view_scope

    assert view_scope(*shown, months=["2026-01", "2026-02", "2026-03"]) == scope
    assert view_scope(None, None, "Retail", months=[]) == "Retail"


@pytest.mark.parametrize(("asked", "held", "chosen"), [
    (None, None, ("2026-01", False)),  # a fresh session: the default
    (None, "2026-02", ("2026-02", False)),  # a page the address bar lost the filter on: the session's
    ("2026-03", "2026-02", ("2026-03", False)),  # a link, or the choice just made (written there): the address
    ("2031-01", None, ("2026-01", True)),  # a month with no data: left out, and said
    ("2031-01", "2026-02", ("2026-02", True)),  # ... keeping what the session had
    ("<b>x</b>", None, ("2026-01", True)),
])
def test_a_filter_takes_the_address_then_the_session_then_the_default(asked, held, chosen):
    from app_pages.common import chosen_filter

    assert chosen_filter(asked, held, ["2026-01", "2026-02", "2026-03"], "2026-01") == chosen


def test_the_filters_are_the_browsers_own_selects_and_follow_the_address(demo_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    shown = sidebar_filters(at)
    assert list(shown) == ["From month", "To month", "Business unit"]
    months = shown["From month"]["options"]
    assert (shown["From month"]["value"], shown["To month"]["value"]) == (months[0], months[-1])
    assert shown["Business unit"]["value"] == "All business units" and not at.query_params.get("from")
    at.query_params.update({"from": months[2], "bu": shown["Business unit"]["options"][1]})
    at.run()
    again = sidebar_filters(at)
    assert again["From month"]["value"] == months[2] and at.session_state["from"] == months[2]
    assert again["Business unit"]["value"] == shown["Business unit"]["options"][1]
    at.query_params.update({"from": months[0]})  # back to the default: the address drops it
    at.run()
    assert "from" not in at.query_params and sidebar_filters(at)["From month"]["value"] == months[0]


def test_a_filtered_link_says_so_on_the_page_not_only_in_the_sidebar(demo_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not [c for c in at.main.caption if c.value.startswith("Showing")]
    unit = sidebar_filters(at)["Business unit"]["options"][1]
    linked = AppTest.from_file(APP, default_timeout=60)
    linked.query_params.update({"bu": unit})
    linked.run()
    assert [c.value for c in linked.main.caption if c.value.startswith("Showing")] == [
        f"Showing {unit} (the filters in the sidebar)."]


def test_months_without_actuals_say_why_the_spend_figures_are_blank(demo_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    last = sidebar_filters(at)["To month"]["options"][-1]  # the demo's last month holds a forecast, no actuals
    linked = AppTest.from_file(APP, default_timeout=60)
    linked.query_params.update({"from": last, "to": last})
    linked.run()
    assert {m.label: m.value for m in linked.metric}["IT spend"] == "–"
    assert [i.value for i in linked.info if i.value.startswith("No actual spend is recorded in the chosen months")]
    assert not [i for i in at.info if i.value.startswith("No actual spend")]  # all months: actuals, no sentence
    def goal_chart(page: AppTest) -> bool:
        return any("Spend by business goal" in c.proto.spec for c in page.get("vega_lite_chart"))
    assert goal_chart(at) and not goal_chart(linked)  # no chart of empty bars under the sentence
    assert any("Budget, actual and forecast by month" in c.proto.spec for c in linked.get("vega_lite_chart"))


def test_the_year_end_says_the_month_filter_only_picks_its_year_and_a_deck_says_its_scope(demo_db):
    def spend_page(**address: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(address)
        at.run()
        at.switch_page("app_pages/spend.py")
        return at.run()

    said = "The month filter only chooses the fiscal year here: these are the whole of FY2026 to date"
    assert not [c for c in spend_page().caption if c.value.startswith(said)]
    assert not [c for c in spend_page(bu="Retail").caption if c.value.startswith(said)]  # a unit is no month
    assert [c for c in spend_page(**{"from": "2026-03", "to": "2026-03"}).caption if c.value.startswith(said)]
    deck = AppTest.from_file(APP, default_timeout=60)
    deck.query_params.update({"present": "1", "bu": "Retail", "from": "2026-03", "to": "2026-03"})
    deck.run()
    # the budget slide's figure is the fiscal year's, so its header names that year, not the months chosen
    assert deck.caption[0].value == "Spend against budget · 1 of 6 · showing FY2026 (2026-01 to 2026-12) · Retail"


def test_the_spend_page_says_why_months_without_actuals_have_no_charts(demo_db):
    at = AppTest.from_file(APP, default_timeout=60).run()
    last = sidebar_filters(at)["To month"]["options"][-1]  # the demo's last month holds a forecast, no actuals
    for address, sentences in (({"from": last, "to": last}, 3), ({}, 0)):
        page = AppTest.from_file(APP, default_timeout=60)
        page.query_params.update(address)
        page.run()
        page.switch_page("app_pages/spend.py").run()
        assert not page.exception
        said = [i.value for i in page.info if i.value.startswith("No actual spend")]
        assert len(said) == sentences + (1 if sentences else 0), said  # goals, unit cost, vendors and the mix
        charts = [c.proto.spec for c in page.get("vega_lite_chart")]
        assert any("Spend by business goal" in c for c in charts) == (not sentences)
        if sentences:  # the budget table: nothing booked yet is blank, never an actual of 0 on budget
            (budget,) = [d.value for d in page.dataframe if "budget_to_date" in d.value]
            assert budget[["actual", "variance", "variance_pct"]].isna().all().all(), budget
            assert budget["forecast"].gt(0).all(), budget  # what is known of the month still shows


@pytest.mark.parametrize("page", [*PAGES[:5], "app_pages/data.py"])
def test_every_share_and_progress_column_shows_the_number_its_format_expects(demo_db, page):
    """Tables show shares as percentages (45 for 0.45, formatted '%.1f%%'): a page's own column
    config for such a column must expect the same scale, or 45% reads as 4,500%."""
    at = open_page(page)
    checked = 0
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        for name, column in config.items():
            kind = column.get("type_config", {})
            fmt = str(kind.get("format", ""))
            values = frame.value[name].dropna() if name in frame.value else []
            if not len(values):
                continue
            if kind.get("type") == "progress":
                assert values.max() <= kind["max_value"], (name, values.max(), kind)
                assert fmt.endswith("%%") == (kind["max_value"] == 100), (name, kind)
                checked += 1
            elif fmt == "percent":
                assert values.abs().max() <= 10, (name, "a fraction format over numbers already in percent")
            if name.startswith("share") and fmt:  # shares read with one decimal on every page
                assert fmt == "%.1f%%", (name, fmt)
                checked += 1
    if page.endswith("portfolio.py"):
        assert checked == 2  # percent complete in the earned-value table and every project's
    if page.endswith("data.py"):
        assert checked == 3  # the largest unmapped by cost centre, account and vendor


def test_progress_bars_are_grey_where_red_means_a_red_project(demo_db):
    """Streamlit draws a progress bar in the theme's primary colour (red) unless told: a finished
    project's full red bar read as Red health."""
    at = open_page("app_pages/portfolio.py")
    bars = [column for frame in at.dataframe for column in json.loads(frame.proto.columns or "{}").values()
            if column.get("type_config", {}).get("type") == "progress"]
    assert len(bars) == 2 and all(bar["type_config"].get("color") == "gray" for bar in bars), bars


def test_a_fiscal_year_over_by_the_as_of_date_reads_as_ended(demo_db):
    import app_pages.common as common

    common.get_store().save_settings({"as_of": "2027-06-30"}, "someone")  # FY2026 is over by then
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/spend.py").run()
    labels = [m.label for m in at.metric]
    assert "Estimated FY2026 year end" in labels and not [x for x in labels if x.startswith("Projected")]
    assert [c for c in at.caption if "is estimated from 10 months of actuals" in c.value]


def test_the_budget_tables_year_end_columns_say_what_they_hold_by_month(demo_db):
    def labels(by: str) -> dict[str, dict[str, str]]:
        at = open_page("app_pages/spend.py")
        if by != "month":
            at.radio(key="by").set_value(by).run()
        (budget,) = [d for d in at.dataframe if "budget_to_date" in d.value]
        return {k: {key: v[key] for key in ("label", "help") if key in v}
                for k, v in json.loads(budget.proto.columns).items()}

    month, unit = labels("month"), labels("business_unit")
    # short, to fit a laptop, with what they hold in the tooltip
    assert month["outlook"] == {"label": "Outlook ($)", "help": "Outlook (the month's part of the year-end outlook: "
                                "its actual, forecast or run rate) ($)"}
    assert month["year_end_budget"]["help"].startswith("Budget in year end (the month's budget, counted in the year")
    assert month["outlook_variance"]["label"] == "Outlook variance ($)"
    assert unit["outlook"]["help"].startswith("Outlook (the row's year-end outlook")  # by unit the whole year
    assert unit["year_end_budget"]["label"] == "FY budget ($)" and unit["outlook_variance"]["label"] == (
        "FY variance ($)")  # the whole year's, and short enough for the tower table to fit 1440 px


def test_the_budget_table_shows_every_month_and_its_columns_fit_a_laptop(demo_db, monkeypatch):
    """At 1440x900 it showed 2026-01 to 2026-10 and nine columns: the forecast months and the outlook
    variance were behind the table's own scrollbars."""
    import streamlit

    from tests.test_tables import _cell, _width

    heights = []
    real = streamlit.dataframe

    def spy(data, *args, **kwargs):
        if "budget_to_date" in data:
            heights.append(kwargs.get("height", "auto"))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", spy)
    at = open_page("app_pages/spend.py")
    (budget,) = [d for d in at.dataframe if "budget_to_date" in d.value]
    assert len(budget.value) == 12 and heights == ["content"]  # as tall as its twelve months
    config, columns = json.loads(budget.proto.columns), list(budget.value.columns)
    # The answers end within the grid's 978 px at 1440 (by test_tables' estimate, which runs a few per cent
    # over the browser's: there all ten columns fit, with about 30 px to spare, in whole dollars); the
    # outlook variance's workings, its year-end budget, come last.
    assert columns[-2:] == ["outlook_variance", "year_end_budget"]
    right = sum(_width(config[c]["label"], [_cell(config[c].get("type_config", {}).get("format"), v)
                                            for v in budget.value[c].dropna()]) for c in columns[:-1])
    assert right <= 978, right


def test_the_goal_table_shows_spend_to_date_only_where_it_differs_and_for_unmapped_too(demo_db):
    """With no months chosen 'Actual spend' and 'Spend to date' were the same column twice, and the
    Unmapped row left spend to date blank, which read as missing data."""
    def goal_table(page: AppTest):
        (goals,) = [d for d in page.dataframe if "business_goal" in d.value and "share_of_spend" in d.value]
        return goals.value, json.loads(goals.proto.columns)

    at = open_page("app_pages/spend.py")
    every, config = goal_table(at)
    assert "spend_to_date" not in every and config["actual"]["label"] == "Actual spend ($)"
    linked = AppTest.from_file(APP, default_timeout=60)
    linked.query_params.update({"from": "2026-01", "to": "2026-03"})
    linked.run()
    linked.switch_page("app_pages/spend.py").run()
    quarter, config = goal_table(linked)
    assert config["actual"]["label"] == "Actual spend ($)"  # the chosen months', said above the page's title
    assert config["spend_to_date"]["label"] == "Spend to date ($)"  # the grid's short header
    assert config["spend_to_date"]["help"] == "Spend to date (actual, every loaded month) ($)"
    assert quarter["spend_to_date"].notna().all()  # the Unmapped row too
    unmapped = quarter[quarter["is_unmapped"] == "Yes"].iloc[0]
    assert unmapped["spend_to_date"] == every.loc[every["is_unmapped"] == "Yes", "actual"].iloc[0]
    assert unmapped["spend_to_date"] > unmapped["actual"]  # a quarter's spend is part of the spend to date
    mapped = quarter[quarter["is_unmapped"] == "No"].set_index("business_goal")["spend_to_date"]
    assert mapped.to_dict() == every[every["is_unmapped"] == "No"].set_index("business_goal")["actual"].to_dict()
