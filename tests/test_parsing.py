import datetime as dt

import pandas as pd
import pytest

from alignment import parsing as p
from alignment.parsing import ParseError


@pytest.mark.parametrize("text, expected", [
    ("$1,234.50", 1234.5), ("(250.00)", -250.0), ("1.234,56", 1234.56), ("250-", -250.0), ("EUR 12", 12.0),
    ("1.234.567", 1234567.0), ("1234,5", 1234.5), (" 12 ", 12.0), ("-", 0.0), ("€ 1 234,50", 1234.5),
    ("-$5", -5.0), ("USD 1,000", 1000.0), (42, 42.0), (3.5, 3.5), ("1'234.00", 1234.0),
])
def test_money(text, expected):
    assert p.parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "12..3", "1,2,3,4x", "$"])
def test_money_refuses_text(text):
    with pytest.raises(ParseError):
        p.parse_number(text)


@pytest.mark.parametrize("value", [None, "", "  ", "n/a", "N/A", float("nan")])
def test_blanks_read_as_none(value):
    assert p.parse_number(value) is None and p.parse_date(value) is None


@pytest.mark.parametrize("value, expected", [("45%", 0.45), (45, 0.45), (0.45, 0.45), ("100 %", 1.0), ("0", 0.0)])
def test_percent(value, expected):
    assert p.parse_percent(value) == pytest.approx(expected)


@pytest.mark.parametrize("value, expected", [
    ("Jan-2025", dt.date(2025, 1, 1)), ("2025-01", dt.date(2025, 1, 1)), ("31.01.2025", dt.date(2025, 1, 31)),
    (45678, dt.date(2025, 1, 21)), ("45678", dt.date(2025, 1, 21)), ("January 2025", dt.date(2025, 1, 1)),
    ("31-Jan-2025", dt.date(2025, 1, 31)), ("Jan 31, 2025", dt.date(2025, 1, 31)), (202503, dt.date(2025, 3, 1)),
    ("2025-01-31 00:00:00", dt.date(2025, 1, 31)), ("Sept 25", dt.date(2025, 9, 1)), ("03/2025", dt.date(2025, 3, 1)),
    (dt.datetime(2025, 5, 6, 7, 8), dt.date(2025, 5, 6)), ("2025M04", dt.date(2025, 4, 1)),
])
def test_dates_and_months(value, expected):
    assert p.parse_date(value) == expected


def test_month_is_the_first_day():
    assert p.parse_month("2025-01-31") == dt.date(2025, 1, 1)


@pytest.mark.parametrize("value, message", [("2025-13", "month 13 is not between 1 and 12"),
                                            ("31.02.2025", "not a real date"), ("soon", "not a date")])
def test_bad_dates_say_why(value, message):
    with pytest.raises(ParseError, match=message):
        p.parse_date(value)


def test_slashed_dates_follow_the_column():
    us = pd.Series(["01/02/2025", "12/31/2025"])
    eu = pd.Series(["01/02/2025", "31/12/2025"])
    assert not p.guess_dayfirst(us) and p.guess_dayfirst(eu)
    assert p.parse_series(eu, "date")[0][0] == dt.date(2025, 2, 1)
    assert p.parse_series(us, "date")[0][0] == dt.date(2025, 1, 2)


@pytest.mark.parametrize("value, expected", [("Strongly agree", 5), ("disagree", 2), ("4 - Agree", 4), (3, 3),
                                             (2.0, 2), ("Neither agree nor disagree", 3), ("very poor", 1)])
def test_likert(value, expected):
    assert p.parse_score(value) == expected


@pytest.mark.parametrize("value", [0, 6, 3.5, "maybe"])
def test_scores_out_of_range(value):
    with pytest.raises(ParseError):
        p.parse_score(value)


def test_coded_words():
    assert [p.parse_health(v) for v in ("G", "amber", "R", "Yellow", "on track")] == \
        ["Green", "Amber", "Red", "Amber", "Green"]
    assert p.parse_rgt("RTB") == "Run" and p.parse_rgt("transform the business") == "Transform"
    assert p.parse_capex("Capital") == "Capex" and p.parse_group("I.T.") == "IT"
    assert p.parse_group("Business") == "Business" and p.parse_risk("High") == 4 and p.parse_risk(5) == 5
    assert p.parse_dimension("scope and architecture") == "Scope & architecture"
    assert p.parse_dimension("Custom theme") == "Custom theme"
    with pytest.raises(ParseError, match="green, amber or red"):
        p.parse_health("purple")


def test_text_is_trimmed_and_whole_floats_become_ids():
    assert p.clean_text("  Retail   Stores ") == "Retail Stores" and p.clean_text(101.0) == "101"


def test_parse_series_reports_positions():
    values, bad = p.parse_series(pd.Series(["1", "x", None, "(2)"]), "money")
    assert values.tolist()[0] == 1.0 and values.tolist()[3] == -2.0 and list(bad) == [1]
