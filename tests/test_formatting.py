"""Money as people read it, in the organisation's currency and display unit."""

from __future__ import annotations

import threading

import altair as alt
import pandas as pd
import pytest

from alignment import charts
from alignment.formatting import how_many, money, naming, number, pct, use_money_style, whole


@pytest.fixture(autouse=True)
def dollars():
    use_money_style("USD", "auto")
    yield
    use_money_style("USD", "auto")


def test_money_scales_and_puts_the_sign_first():
    assert [money(v) for v in (500, 22.9e6, 3.1e9, -173_000, None)] == ["$500", "$22.9m", "$3.1bn", "−$173.0k",
                                                                         "–"]


def test_currency_and_display_unit_are_the_organisations():
    use_money_style("EUR", "k")
    assert money(-173_000) == "\u2212€173.0k" and money(22.9e6) == "€22,900.0k"
    use_money_style("SEK", "auto")
    assert money(1.2e6) == "SEK 1.2m"
    use_money_style("GBP", "units")
    assert money(1234.4) == "£1,234"


def test_one_sessions_currency_never_reaches_another_thread():
    use_money_style("EUR", "auto")
    seen = []
    thread = threading.Thread(target=lambda: seen.append(money(1000)))
    thread.start()
    thread.join()
    assert seen == ["$1.0k"] and money(1000) == "€1.0k"


def test_charts_show_money_in_the_currency():
    figure = alt.Chart(pd.DataFrame({"actual": [1000]})).mark_bar().encode(x=alt.X("actual:Q"))
    assert charts.localised(figure) is figure  # dollars: Vega's own default
    use_money_style("EUR")
    spec = charts.localised(figure.configure_axis(labelFontSize=16)).to_dict()
    assert spec["config"]["locale"]["number"]["currency"] == ["€", ""]
    assert spec["config"]["axis"]["labelFontSize"] == 16  # the chart's own configuration is kept


def test_counts_and_shares():
    assert whole(pd.NA) == 0 and whole(3.0) == 3
    assert pct(0.0712, signed=True) == "+7.1%"


def test_a_negative_figure_is_written_with_one_minus_sign_everywhere():
    """A metric card showed "-5.8%" (a hyphen) beside its change "−$1.4m" (a typeset minus): every
    figure and sentence writes a fall with the minus U+2212, as the changes under a figure do."""
    from alignment.deltas import delta

    card = [pct(-0.058, signed=True), delta(-1.4e6, lower_is_better=True)["delta"], money(-1.4e6), pct(-0.05),
            number(-0.4), number(-12, 0, signed=True)]
    assert card == ["\u22125.8%", "\u2212$1.4m", "\u2212$1.4m", "\u22125.0%", "\u22120.40", "\u221212"]
    assert not any("-" in text for text in card)
    assert [pct(0.071, signed=True), number(12, 0, signed=True), number(1234.5)] == ["+7.1%", "+12", "1,234.50"]


def test_a_count_reads_with_its_noun_in_the_right_number():
    assert [how_many(n, "item") for n in (0, 1, 2, 1204, None, float("nan"))] == [
        "0 items", "1 item", "2 items", "1,204 items", "0 items", "0 items"]


def test_a_list_reads_with_its_noun_in_the_right_number():
    assert naming("row", [4]) == "row 4"
    assert naming("row", [4, 7]) == "rows 4 and 7"
    assert naming("Project id", ["P1", "P2", "P3"]) == "Project ids P1, P2 and P3"
    assert naming("row", range(1, 1206)) == "rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 1,195 more"
    assert naming("row", [2, 3, 5], shown=2) == "rows 2, 3 and 1 more"
    assert naming("row", range(1, 13), shown=None) == "rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 12"


def test_upper_first_capitalises_only_the_first_letter():
    from alignment.formatting import upper_first

    assert upper_first("undo upload 9 first") == "Undo upload 9 first"
    assert upper_first("iT spend") == "IT spend" and upper_first("") == ""
