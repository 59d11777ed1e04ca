"""Every chart builder makes a spec Vega-Lite renders, with the figures of the analysis it shows."""

from __future__ import annotations

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
    assert {r["overall_health"]: r["items"] for r in rows} == {"Red": 2, "Amber": 2, "Green": 0}
