"""Every chart builder makes a spec Vega-Lite renders, with the figures of the analysis it shows."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment import charts
from alignment.queries import run_query
from tests import fixtures
from tests.fixtures import AS_OF


@pytest.fixture
def run(store):
    fixtures.load(store)
    return lambda name, **p: run_query(store.cursor(), name, p)


def chart_rows(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_every_builder_renders(run):
    built = [
        charts.spend_by_goal(run("spend_by_business_goal")),
        charts.maturity_by_dimension(run("alignment_maturity").query("dimension != 'Overall'")),
        charts.health_mix(run("portfolio_summary").iloc[0]),
        charts.budget_actual_forecast(run("budget_vs_actual", group_by="month"), "category", "Budget"),
        charts.stacked_area(run("spend_mix", mix="rgt"), "period", "actual", "category", "Mix"),
        charts.bubble(run("portfolio_health"), "Projects"),
        charts.gap_dumbbell(run("alignment_gap"), "Gap"),
        charts.quadrant(run("importance_satisfaction"), "Fix first"),
        charts.likert(run("score_distribution"), "Answers"),
        charts.hbar(run("bottleneck_stages", as_of=AS_OF), "stage", "share_of_time", "Stages",
                    highlight="is_bottleneck"),
    ]
    for chart in built:
        assert charts.to_image(chart, "svg").startswith(b"<svg")
        room = charts.for_the_room(chart).to_dict()
        assert room["config"]["axis"]["labelFontSize"] == 18
        assert "labelColor" not in room["config"]["axis"]  # the browser's theme colours the text
        assert charts.to_image(charts.for_the_room(chart), "svg").startswith(b"<svg")
    dark = charts.for_the_room(built[0], dark=True).to_dict()["config"]
    assert dark["axis"]["labelColor"] == dark["legend"]["labelColor"] == "#FAFAFA"  # light text on a dark screen


def test_likert_counts_people_per_answer(run):
    rows = chart_rows(charts.likert(run("score_distribution"), "Answers"))
    people = {(r["dimension"], r["respondent_group"], r["answer"]): r["people"] for r in rows}
    # W2 Communications: IT answered 4 and 5, the business 1 and 1
    assert people[("Communications", "IT", "Agree")] == 1
    assert people[("Communications", "IT", "Strongly agree")] == 1
    assert people[("Communications", "Business", "Strongly disagree")] == 2
    assert people[("Communications", "Business", "Neutral")] == 0


def test_health_mix_counts_the_portfolio_summary(run):
    rows = chart_rows(charts.health_mix(run("portfolio_summary").iloc[0]))
    assert {r["overall_health"]: r["projects"] for r in rows} == {"Red": 2, "Amber": 2, "Green": 0}
    spec = charts.health_mix(run("portfolio_summary").iloc[0]).to_dict()
    assert spec["encoding"]["y"]["sort"] == ["Green", "Amber", "Red"]  # the legend's order, not by size


def svg_texts(chart) -> list[str]:
    """Every piece of text a person sees on the rendered chart (vl-convert's SVG)."""
    import html
    import re

    svg = charts.to_image(charts.localised(chart), "svg").decode()
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


MONTHS_SCRIPT = """
import pandas as pd
from alignment import charts
frame = pd.DataFrame({"month": pd.to_datetime(["2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01"]),
                      "finished": [1, 2, 3, 4]})
import html, re
svg = charts.to_image(charts.line(frame, "month", "finished", "T").properties(width=500), "svg").decode()
print("|".join(html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)))
"""


@pytest.mark.parametrize("timezone", ["America/Los_Angeles", "Asia/Kolkata", "UTC"])
def test_a_month_axis_labels_each_month_once_in_any_server_timezone(timezone):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", MONTHS_SCRIPT], capture_output=True, text=True, check=True, cwd=root,
                         env={**os.environ, "TZ": timezone, "PYTHONPATH": str(root)}).stdout.strip().split("|")
    months = [t for t in out if t[:3] in ("Dec", "Jan", "Feb", "Mar")]
    assert months == ["Dec 2025", "Jan 2026", "Feb", "Mar"]  # one each, the year where it changes, the last shown


def test_a_long_series_labels_every_kth_month_counted_back_from_the_last():
    import pandas as pd

    months = list(pd.period_range("2024-11", "2026-11", freq="M"))  # 25 months
    shown = charts.months_shown(months)
    assert len(shown) <= charts.MONTH_LABELS and shown[-1] == months[-1] and len(set(shown)) == len(shown)
    assert [str(m) for m in shown[-3:]] == ["2026-05", "2026-08", "2026-11"]  # every 3rd: ceil(25 / 12)
    frame = pd.DataFrame({"month": pd.date_range("2024-11-01", "2026-11-01", freq="MS"), "finished": range(25)})
    labels = [t for t in svg_texts(charts.line(frame, "month", "finished", "T").properties(width=700))
              if t[:3] in ("Feb", "May", "Aug", "Nov")]
    assert labels == ["Nov 2024", "Feb 2025", "May", "Aug", "Nov", "Feb 2026", "May", "Aug", "Nov"]


def test_money_axes_carry_the_currency_and_the_display_unit():
    import pandas as pd

    from alignment.formatting import use_money_style

    frame = pd.DataFrame({"business_goal": ["Grow", "Run"], "actual": [8_000_000.0, 2_000_000.0],
                          "is_unmapped": [False, False], "share_of_spend": [0.8, 0.2]})
    try:
        use_money_style("EUR", "auto")
        assert {"€0m", "€2m", "€4m", "€8m"} <= set(svg_texts(charts.spend_by_goal(frame)))
        use_money_style("USD", "k")
        assert "$2,000k" in svg_texts(charts.spend_by_goal(frame))
    finally:
        use_money_style("USD", "auto")


def test_counts_tick_on_whole_numbers_and_scores_on_one_to_five(run):
    health = svg_texts(charts.health_mix(run("portfolio_summary").iloc[0]))  # 2 red, 2 amber, 0 green
    assert not [t for t in health if "." in t]  # no 0.5 of a project
    assert "Projects" in health and "Items" not in health  # the axis says what is counted
    maturity = run("alignment_maturity").query("dimension != 'Overall'")
    texts = svg_texts(charts.maturity_by_dimension(maturity))
    assert [t for t in texts if t in {"0", "1", "2", "3", "4", "5"}] == ["1", "2", "3", "4", "5"]


def test_no_axis_or_legend_says_category_and_every_label_is_whole(run):
    import pandas as pd

    long_goal = "Keep the regulators satisfied across every market we trade in"
    goals = pd.DataFrame({"business_goal": [long_goal, "Run"], "actual": [5.0, 3.0], "is_unmapped": [False, True],
                          "share_of_spend": [0.6, 0.4]})
    assert long_goal in svg_texts(charts.spend_by_goal(goals))
    for chart in (charts.budget_actual_forecast(run("budget_vs_actual", group_by="month"), "category", "By month"),
                  charts.budget_actual_forecast(run("budget_vs_actual", group_by="business_unit"), "category",
                                                "Budget vs actual by business unit"),
                  charts.stacked_area(run("spend_mix", mix="rgt"), "period", "actual", "category", "Mix")):
        assert "Category" not in svg_texts(chart)


def test_the_risk_legend_shows_all_five_levels(run):
    texts = svg_texts(charts.bubble(run("portfolio_health"), "Projects"))
    assert "Risk (1-5)" in texts and {"1", "2", "3", "4", "5"} <= set(texts)


def test_more_bars_make_a_taller_chart():
    import pandas as pd

    few = pd.DataFrame({"stage": ["A", "B"], "wip": [1, 2]})
    many = pd.DataFrame({"stage": list("ABCDEFGHIJKL"), "wip": range(12)})
    assert charts.hbar(many, "stage", "wip", "W").height > charts.hbar(few, "stage", "wip", "W").height >= 160


def test_the_room_chart_leaves_its_text_colours_to_the_screen_theme(run):
    room = charts.for_the_room(charts.health_mix(run("portfolio_summary").iloc[0])).to_dict()["config"]
    assert not {"labelColor", "titleColor"} & set(room["axis"]) and "color" not in room.get("title", {})
    assert room["axis"]["labelFontSize"] == 18


def test_a_mix_of_one_month_is_drawn_as_a_bar_not_an_invisible_area():
    def mix(months: list[str]) -> pd.DataFrame:
        return pd.DataFrame({"period": [m for m in months for _ in range(2)], "category": ["Run", "Grow"] * len(months),
                             "actual": [70.0, 30.0] * len(months)})

    def mark(spec: dict) -> str:
        return spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"]

    one = charts.stacked_area(mix(["2026-03"]), "period", "actual", "category", "Mix", normalize=True)
    two = charts.stacked_area(mix(["2026-03", "2026-04"]), "period", "actual", "category", "Mix", normalize=True)
    assert (mark(one.to_dict()), mark(two.to_dict())) == ("bar", "area")
