"""Organisation settings: checked, stored with their history, and bound into the analyses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from alignment import cli
from alignment.queries import run_query
from alignment.settings import BY_NAME, SETTINGS, SettingError, convert, defaults, resolve
from tests import fixtures
from tests.test_app_pages import APP, demo_db  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent


def test_values_are_checked_with_a_sentence():
    assert convert(BY_NAME["fiscal_year_start_month"], "4") == 4
    assert convert(BY_NAME["as_of"], "2026-06-30") == dt.date(2026, 6, 30)
    assert convert(BY_NAME["as_of"], "") is None
    assert convert(BY_NAME["fiscal_year_start_month"], " ") == 1  # blank: back to the default, never refused
    assert convert(BY_NAME["currency"], " eur ") == "EUR" and convert(BY_NAME["hhi_high"], "2500.0") == 2500
    with pytest.raises(SettingError, match="three-letter ISO code"):
        convert(BY_NAME["currency"], "euro")
    with pytest.raises(SettingError, match="whole number"):
        convert(BY_NAME["hhi_moderate"], "1234.6")  # the page and the Spend sentence show whole points
    for name, bad, said in (("fiscal_year_start_month", "13", "at most 12"), ("fiscal_year_start_month", "4.5",
                            "a whole number"), ("health_amber_pct", "ten", "a number"), ("display_unit", "kk",
                            "one of auto"), ("as_of", "30/06/2026", "a date like")):
        with pytest.raises(SettingError, match=said):
            convert(BY_NAME[name], bad)


def test_stored_text_that_no_longer_converts_falls_back_to_the_default():
    values = resolve({"min_respondents": "lots", "currency": "EUR", "unknown": "x"})
    assert values["min_respondents"] == 5 and values["currency"] == "EUR" and "unknown" not in values


def test_saving_keeps_every_change_and_blank_goes_back_to_the_default(store):
    assert store.settings() == defaults()
    before = store.data_version()
    store.save_settings({"min_respondents": "3", "as_of": "2026-06-30"}, "cfo@example.com")
    assert store.data_version() != before  # cached results are not reused under other settings
    assert store.settings()["min_respondents"] == 3
    store.save_settings({"as_of": ""}, "cfo@example.com")
    assert store.settings()["as_of"] is None
    history = store.cursor().execute(
        "SELECT name, value, changed_by FROM settings ORDER BY changed_at, rowid").fetchall()
    assert history == [("min_respondents", "3", "cfo@example.com"), ("as_of", "2026-06-30", "cfo@example.com"),
                       ("as_of", None, "cfo@example.com")]
    store.save_settings({"min_respondents": ""}, "cfo@example.com")  # the command line's min_respondents=
    assert store.settings()["min_respondents"] == 5
    assert store.cursor().execute("SELECT value FROM settings ORDER BY changed_at DESC, rowid DESC LIMIT 1"
                                  ).fetchone() == (None,)  # stored as 'the default', not as 5
    with pytest.raises(SettingError, match="at or above amber"):
        store.save_settings({"health_red_pct": 5})
    with pytest.raises(SettingError, match="no setting colour"):
        store.save_settings({"colour": "red"})


def test_a_query_parameter_named_like_a_setting_takes_its_value(tmp_path, store):
    (tmp_path / "probe.sql").write_text("-- title: Probe\n-- param: min_respondents INTEGER = 5 | n\n"
                                        "SELECT $min_respondents AS n\n")
    assert run_query(store.cursor(), "probe", directory=tmp_path).n[0] == 5
    store.save_settings({"min_respondents": 8})
    assert run_query(store.cursor(), "probe", directory=tmp_path, settings=store.settings()).n[0] == 8
    assert run_query(store.cursor(), "probe", {"min_respondents": 2}, tmp_path, store.settings()).n[0] == 2


def test_the_vendor_concentration_bands_are_the_organisations(store):
    fixtures.load(store)  # V1 240, V2 180: HHI 5,102
    def band() -> str:
        return run_query(store.cursor(), "vendor_concentration", settings=store.settings()).concentration[0]
    assert band() == "highly concentrated"
    store.save_settings({"hhi_moderate": 5500, "hhi_high": 7000})
    assert band() == "not concentrated"
    with pytest.raises(SettingError, match="Highly concentrated must start at or above moderately"):
        store.save_settings({"hhi_high": 5000})
    assert store.settings()["hhi_high"] == 7000  # refused, nothing changed


def test_the_command_line_shows_and_changes_settings(tmp_path, capsys):
    db = str(tmp_path / "s.duckdb")
    assert cli.main(["settings", "--db", db, "--set", "fiscal_year_start_month=7"]) == 0
    shown = {s["name"]: s["value"] for s in json.loads(capsys.readouterr().out)}
    assert shown["fiscal_year_start_month"] == 7
    assert cli.main(["settings", "--db", db, "--set", "fiscal_year_start_month=0"]) == 1
    assert "at least 1" in capsys.readouterr().err


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"README does not document: {missing}"


def field(at: AppTest, name: str):
    """A setting's field on the Settings page (its key moves on with every save)."""
    (found,) = [w for kind in (at.number_input, at.text_input, at.selectbox) for w in kind
                if w.label == BY_NAME[name].label]
    return found


def test_an_editor_changes_a_setting_on_the_settings_page(demo_db):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    field(at, "min_respondents").set_value(7)
    at.button[0].click().run()
    assert "Saved" in at.success[0].value
    import app_pages.common as common

    assert common.get_store().settings()["min_respondents"] == 7
    assert field(at, "min_respondents").value == 7  # the form shows what is in force


def test_the_settings_page_shows_an_index_as_a_whole_number_and_puts_back_every_default(demo_db):  # noqa: F811
    import app_pages.common as common

    store = common.get_store()
    store.save_settings({"hhi_high": "2500", "health_red_pct": "25", "min_respondents": "3"}, "someone")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/settings.py").run()
    hhi = field(at, "hhi_high")
    assert hhi.value == 2500 and isinstance(hhi.value, int) and hhi.proto.step == 50  # an index: whole points
    assert field(at, "health_red_pct").proto.format == "%.1f"
    (reset,) = [b for b in at.button if b.label == "Put back every default"]
    reset.click().run()
    assert not at.exception and at.success[0].value.startswith("Defaults put back.")
    settings = store.settings()
    assert (settings["hhi_high"], settings["health_red_pct"], settings["min_respondents"]) == (1800.0, 30.0, 5)
    assert field(at, "hhi_high").value == 1800  # the fields show the defaults, not what was typed
    assert "setting-hhi_high-0" not in {w.key for w in at.number_input}  # new fields, not the browser's
    history = store.cursor().execute("SELECT count(*) FROM settings WHERE name = 'hhi_high'").fetchone()[0]
    assert history == 2  # the change and the way back, both kept


def test_the_fiscal_years_first_month_is_chosen_by_name_and_stored_as_its_number(demo_db):  # noqa: F811
    import app_pages.common as common

    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/settings.py").run()
    month = field(at, "fiscal_year_start_month")
    assert month.value == 1 and month.format_func(month.value) == "January"
    assert [month.format_func(v) for v in month.options][-1] == "December" and "Default: January." in month.help
    month.set_value(7)
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert not at.exception and common.get_store().settings()["fiscal_year_start_month"] == 7
    assert field(at, "fiscal_year_start_month").value == 7


def test_every_setting_has_help_that_says_what_to_write(demo_db):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/settings.py").run()
    for setting in SETTINGS:
        assert field(at, setting.name).help.startswith(setting.help), setting.name
    shared = field(at, "shared_unit").help
    # what to type, what it does, and what a name no spend line uses means
    assert "written exactly as the files write it" in shared and "by headcount or revenue" in shared
    assert "If no spend line names this unit, no cost is shared." in shared and shared.endswith("Default: Shared.")


def test_the_as_of_date_can_be_emptied_on_the_settings_page_for_today(demo_db):  # noqa: F811
    import app_pages.common as common

    store = common.get_store()
    store.save_settings({"as_of": "2027-06-30"}, "someone")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/settings.py").run()
    assert field(at, "as_of").value == "2027-06-30"
    field(at, "as_of").set_value("")  # a date field could not be emptied: blank means today
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert store.settings()["as_of"] is None and field(at, "as_of").value == ""
    field(at, "as_of").set_value("30/06/2027")
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert "a date like 2026-06-30" in at.error[0].value and store.settings()["as_of"] is None


def test_books_closed_through_a_month_keeps_later_actuals_out_and_says_what_waits(demo_db):  # noqa: F811
    """Finance closes September: October's actuals (72 lines, loaded) are preliminary. Every spend
    figure leaves them out, each page that shows budget figures says what waits, and blanking the
    setting counts them again. The demo's figures: $23.3m spent with October, $20.9m without."""
    import app_pages.common as common

    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.metric[0].label == "IT spend" and at.metric[0].value == "$23.3m"
    at.switch_page("app_pages/settings.py").run()
    close = field(at, "books_closed_through")
    assert close.value == "" and close.placeholder == "YYYY-MM, or blank"
    field(at, "books_closed_through").set_value("2026-9")  # not a month as written
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert "must be a month like 2026-10, not '2026-9'" in at.error[0].value
    assert common.get_store().settings()["books_closed_through"] is None  # nothing saved
    field(at, "books_closed_through").set_value("2026-09")
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert not at.exception and common.get_store().settings()["books_closed_through"] == dt.date(2026, 9, 1)
    assert field(at, "books_closed_through").value == "2026-09"  # shown as the month it is
    said = ("Actuals of 2026-10 ($2.4m in 72 lines) are loaded but not counted yet: the books are closed through "
            "2026-09 (Settings); move it on as each month closes.")
    for page in ("app_pages/overview.py", "app_pages/spend.py"):
        at.switch_page(page).run()
        assert not at.exception and [i.value for i in at.info if i.value.startswith("Actuals of")] == [said], page
    at.switch_page("app_pages/overview.py").run()
    spend = next(m for m in at.metric if m.label == "IT spend")
    assert spend.value == "$20.9m"  # January-September
    assert "up to the books' close (2026-09; Settings)" in spend.help and "not closed yet" in spend.help
    at.switch_page("app_pages/settings.py").run()
    field(at, "books_closed_through").set_value("")
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    at.switch_page("app_pages/overview.py").run()
    assert next(m for m in at.metric if m.label == "IT spend").value == "$23.3m"
    assert not [i for i in at.info if i.value.startswith("Actuals of")]


def test_the_dashboards_show_money_in_the_organisations_currency(demo_db):  # noqa: F811
    import app_pages.common as common

    common.get_store().save_settings({"currency": "EUR", "display_unit": "m"})
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    spend = next(m for m in at.metric if m.label == "IT spend")
    assert spend.value.startswith("€") and spend.value.endswith("m")
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any('"currency": ["\\u20ac", ""]' in s or '"currency":["\\u20ac",""]' in s or "€" in s for s in specs)


def test_the_spend_page_says_the_organisations_concentration_bands(demo_db):  # noqa: F811
    import app_pages.common as common

    def sentence() -> str:
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page("app_pages/spend.py").run()
        assert not at.exception
        return next(m.value for m in at.markdown if "Concentration index (HHI)" in m.value)

    assert "(this organisation's bands: above 1,000 moderately, above 1,800 highly concentrated)" in sentence()
    common.get_store().save_settings({"hhi_moderate": 9000, "hhi_high": 9500})
    said = sentence()
    assert ": not concentrated (this organisation's bands: above 9,000 moderately, above 9,500 highly" in said


def test_active_stages_that_no_stage_is_called_are_refused_and_nothing_is_saved(demo_db):  # noqa: F811
    """A review typed 'Bild, Tset': flow efficiency fell to 0% and Build read as a waiting stage."""
    import app_pages.common as common
    from alignment.settings import unknown_stages

    assert unknown_stages("Bild, build ,TEST", ["Build", "Test"]) == ["Bild"]  # case and spaces aside
    assert unknown_stages("", ["Build"]) == [] and unknown_stages("Build", []) == ["Build"]
    store = common.get_store()
    with pytest.raises(SettingError, match=r"^Stages that are active work names 'Bild' and 'Tset', which no stage "
                                           r"in the stage history is called\. The stages are: Build, Business case, "
                                           r"Deploy, Intake, Test, Waiting for approval\. Nothing was saved\.$"):
        store.save_settings({"active_stages": "Bild, Tset"}, "someone")
    assert store.settings()["active_stages"] == ""
    assert store.save_settings({"active_stages": "build, Test"}, "someone")["active_stages"] == "build, Test"
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/settings.py").run()
    field(at, "active_stages").set_value("Bild")
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert at.error[0].value.startswith("Stages that are active work names 'Bild'")
    assert store.settings()["active_stages"] == "build, Test"


def test_a_shared_cost_unit_that_shares_nothing_or_earns_revenue_is_said_after_saving(demo_db):  # noqa: F811
    import app_pages.common as common
    from alignment.settings import shared_unit_notes

    assert shared_unit_notes("Shared", ["A", "Shared"], ["A"]) == []
    assert shared_unit_notes("Sharde", ["A", "Shared"], ["A"])[0].startswith(
        "No spend line is booked to business unit 'Sharde', so no cost is shared out. The units in the spend are: "
        "A, Shared.")
    assert shared_unit_notes("A", ["A", "Shared"], ["A"])[0].startswith("A has revenue or headcount of its own")
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("app_pages/settings.py").run()
    field(at, "shared_unit").set_value("Retail")
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert "Saved" in at.success[0].value and common.get_store().settings()["shared_unit"] == "Retail"
    assert [w.value for w in at.warning] == [
        "Retail has revenue or headcount of its own in the business metrics. As the unit holding shared cost, its "
        "spend is spread over the other units by their share, and it has no ratio of its own: check it is the unit "
        "your files book shared IT cost to."]
    at.run()
    assert not at.warning  # said once, after the save
