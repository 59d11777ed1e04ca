"""The SQL explorer shows a result as the analyst's query names it."""

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
    assert formats == {"actual": "localized", "variance_pct": "localized", "n": "%,d", "fiscal_year": "%d",
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
    assert config["actual"]["type_config"]["format"] == "localized"
    assert [b.proto.label for b in at.get("download_button")] == ["Download CSV"]
