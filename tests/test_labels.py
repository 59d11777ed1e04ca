"""One label table for every column: a new analysis column without a business header fails here."""

from alignment import charts
from alignment.labels import COLUMNS, LABELS, MONEY, SHARE, label, unit
from alignment.queries import public_queries, run_query


def test_every_column_an_analysis_returns_has_a_business_header_and_a_unit(store):
    missing = {f"{name}.{column}" for name in public_queries()
               for column in run_query(store.cursor(), name, {}, settings=store.settings()).columns
               if column not in COLUMNS}
    assert missing == set()


def test_headers_are_words_and_units_are_known():
    assert label("actual") == "Actual spend" and unit("actual") == MONEY and unit("share_of_spend") == SHARE
    assert label("open_projects") == "Open projects"  # listed
    assert label("some_new_field") == "Some new field" and unit("some_new_field") is None  # not listed
    assert all("_" not in header for header in LABELS.values())


def test_charts_read_the_same_table():
    assert charts.label is label and charts.LABELS is LABELS


def test_no_analysis_shows_two_columns_under_one_header(store):
    """Two columns headed alike ("Respondents" for the group and for the count) read as one."""
    repeated = {}
    for name in public_queries():
        headers = [label(c) for c in run_query(store.cursor(), name, {}, settings=store.settings()).columns]
        if len(set(headers)) < len(headers):
            repeated[name] = sorted({h for h in headers if headers.count(h) > 1})
    assert repeated == {}
