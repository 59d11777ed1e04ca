"""The SQL explorer shows a result as the analyst's query names it, each column's numbers with the
same decimals, and says a missing table or column in words."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from alignment.explorer import as_queried
from tests.test_app_pages import demo_db, open_page  # noqa: F401 - the fixture


def test_a_result_is_headed_by_the_querys_own_names_and_formatted_by_type():
    frame = pd.DataFrame({"actual": [1234567.5], "variance_pct": [0.25], "n": [1200], "fiscal_year": [2026],
                          "period": [dt.date(2026, 3, 1)], "at": [pd.Timestamp("2026-03-01 14:30")],
                          "is_unmapped": [True], "business_unit": ["Retail"]})
    shown, config = as_queried(frame)
    assert {name: c["label"] for name, c in config.items()} == {name: name for name in frame.columns}
    formats = {name: c.get("type_config", {}).get("format") for name, c in config.items()}
    assert formats == {"actual": "%,.2f", "variance_pct": "%,.2f", "n": "%,d", "fiscal_year": "%d",
                       "period": "D MMM YYYY", "at": "D MMM YYYY, HH:mm:ss", "is_unmapped": None,
                       "business_unit": None}
    # no value is scaled or turned into a percentage by its name
    assert shown["actual"].iloc[0] == 1234567.5 and shown["variance_pct"].iloc[0] == 0.25
    assert shown["is_unmapped"].iloc[0] == "Yes"


def test_the_explorer_page_keeps_an_alias_as_written(demo_db):  # noqa: F811
    at = open_page("app_pages/sql.py")
    at.text_area(key="sql_text").set_value("SELECT sum(budget) AS actual, count(*) AS lines FROM spend")
    next(b for b in at.button if b.label == "Run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["actual"]["label"] == "actual" and config["lines"]["label"] == "lines"
    assert config["actual"]["type_config"]["format"] == "%,.2f"
    assert [b.proto.label for b in at.get("download_button")] == ["Download CSV"]


def test_the_numbers_of_one_column_show_the_same_decimals():
    """'localized' wrote 2,263,112.7 under 2,332,964.71: each value with the decimals it happened to have."""
    from decimal import Decimal

    frame = pd.DataFrame({"actual": [2263112.7, 2332964.71, 5.0, None], "lines": [1200, 7, 12, 3],
                          "share": [0.0034, 0.5, 0.25, None], "ratio": [0.125, 0.5, 0.75, 0.1],
                          "cpi": [0.98765, 1.2, 0.5, 1.0], "exact": [Decimal("1500000.50"), Decimal("2"), None, None]})
    _, config = as_queried(frame)
    formats = {name: c["type_config"]["format"] for name, c in config.items()}
    # two decimals, as money reads; whole numbers without; a column of shares keeps what tells them apart
    assert formats == {"actual": "%,.2f", "lines": "%,d", "share": "%,.4f", "ratio": "%,.3f", "cpi": "%,.2f",
                       "exact": "%,.2f"}


def test_the_explorer_page_shows_a_columns_numbers_with_two_decimals(demo_db):  # noqa: F811
    at = open_page("app_pages/sql.py")
    at.text_area(key="sql_text").set_value("SELECT business_unit, sum(actual) AS actual FROM spend GROUP BY ALL")
    next(b for b in at.button if b.label == "Run").click().run()
    assert json.loads(at.dataframe[0].proto.columns)["actual"]["type_config"]["format"] == "%,.2f"


def test_a_missing_table_or_column_is_said_in_words_naming_what_there_is(demo_db):  # noqa: F811
    at = open_page("app_pages/sql.py")

    def refusal(sql: str) -> str:
        at.text_area(key="sql_text").set_value(sql)
        next(b for b in at.button if b.label == "Run").click().run()
        assert not at.exception and not at.dataframe and len(at.error) == 1
        return at.error[0].value

    assert refusal("SELECT * FROM nosuchtable") == (
        "There is no table called nosuchtable. The tables are: spend, projects, stage_history, survey, "
        "business_metrics, mapping_rules, uploads, spend_summary, spend_detail.")
    said = refusal("SELECT foo FROM spend")
    assert said.startswith("There is no column foo in spend. Its columns are: period, business_unit, budget, actual")
    assert refusal("SELECT s.foo FROM spend AS s").startswith("There is no column foo in s (spend). Its columns are: "
                                                              "period, business_unit")
    assert refusal("SELECT nosuch_function(1)") == "There is no scalar function called nosuch_function."
    # any other message of DuckDB's is a sentence without its 'Binder Error:' prefix
    other = refusal("SELECT * FROM spend JOIN projects USING (nosuch)")
    assert other.startswith("The query could not be run: ") and "Error:" not in other and other.endswith(".")
    assert refusal("SELEC 1") == 'The SQL could not be read: syntax error at or near "SELEC".'


def test_a_message_that_is_not_duckdbs_is_left_as_it_is():
    from alignment.explorer import in_words

    said = "The query ran longer than 1 seconds and was stopped."
    assert in_words(said, "SELECT 1", None) == said
    assert in_words("Catalog Error: Table with name spend_rows does not exist!", "", None).startswith(
        "There is no table called spend_rows. The tables are: spend, ")  # not DuckDB's 'Did you mean'
