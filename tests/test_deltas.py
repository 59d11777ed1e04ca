"""What a figure's change says: sign, arrow and colour agree with the number, and a label is no change."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment.deltas import delta, label_only, signed_pct
from alignment.formatting import use_money_style
from alignment.waves import default_wave, source_sentence


@pytest.fixture(autouse=True)
def dollars():
    use_money_style("USD", "auto")


def test_under_budget_is_a_green_fall_written_with_a_minus():
    shown = delta(-173_000, lower_is_better=True)
    assert shown == {"delta": "\u2212$173.0k", "delta_color": "green", "delta_arrow": "down"}


def test_over_budget_is_a_red_rise():
    assert delta(599_000, lower_is_better=True) == {"delta": "+$599.0k", "delta_color": "red", "delta_arrow": "up"}


def test_where_higher_is_better_a_rise_is_green_and_a_share_is_a_percentage():
    assert delta(0.031, "share", suffix=" vs budget") == {"delta": "+3.1% vs budget", "delta_color": "green",
                                                          "delta_arrow": "up"}
    assert delta(0) == {"delta": "$0", "delta_color": "gray", "delta_arrow": "off"}
    assert delta(None) == {"delta": None}
    assert signed_pct(-0.029) == "\u22122.9%" and signed_pct(float("nan")) == "–"


def test_a_label_under_a_figure_has_no_arrow():
    assert label_only("Partner") == {"delta": "Partner", "delta_color": "gray", "delta_arrow": "off"}
    assert label_only(None)["delta"] is None


WAVES = pd.DataFrame({"wave": ["2026-11-23 workshop", "2026 H1", "2025 H2"],  # newest first, as survey_waves
                      "it_respondents": [1, 10, 9], "business_respondents": [0, 14, 12],
                      "is_default": [False, True, False]})


def test_the_overview_names_its_wave_and_why_a_later_one_is_not_used():
    assert default_wave(WAVES) == "2026 H1"
    text = source_sentence(WAVES, 10, 14)
    assert text.startswith("Alignment figures from the survey wave '2026 H1': 10 people from IT and 14 from the "
                           "business.")
    assert "Later wave '2026-11-23 workshop' has too few people" in text
    assert "Later" not in source_sentence(WAVES.iloc[1:], 10, 14)
    assert source_sentence(WAVES.iloc[0:0], 0, 0) == ""
