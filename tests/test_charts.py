"""Every chart builder makes a spec Vega-Lite renders, with the figures of the analysis it shows."""

from __future__ import annotations

import html
import re

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
    import re

    svg = charts.to_image(charts.localised(chart), "svg").decode()
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


MONTHS_SCRIPT = """
import re

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
    assert charts.hbar(many, "stage", "wip", "W").height > charts.hbar(few, "stage", "wip", "W").height >= 48


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


def test_a_legend_lists_only_the_categories_the_chart_has_each_in_its_own_colour():
    """The demo's spend is all run, grow or transform: its legend once listed 'Unclassified' too."""
    frame = pd.DataFrame({"period": ["2026-03"] * 2 + ["2026-04"] * 2, "category": ["Run", "Transform"] * 2,
                          "actual": [70.0, 30.0, 60.0, 40.0]})
    def colours(mix: pd.DataFrame) -> dict:
        return charts.stacked_area(mix, "period", "actual", "category", "Mix").to_dict()["encoding"]["color"]["scale"]

    assert colours(frame) == {"domain": ["Run", "Transform"], "range": [charts.PALETTE[0], charts.PALETTE[3]]}
    unclassified = frame.assign(category=["Run", "Unclassified"] * 2)
    assert colours(unclassified) == {"domain": ["Run", "Unclassified"], "range": [charts.PALETTE[0], charts.GREY]}
    mix = charts.health_mix({"red": 1, "amber": 0, "green": 2}).to_dict()
    assert mix["encoding"]["color"]["scale"]["domain"] == ["Green", "Amber", "Red"]  # a zero is still a bar


def test_the_gap_chart_never_drops_a_dimension_label():
    """On the live survey's big screen, in the room's 18 px type, Vega dropped three of six labels as
    crowded (tests/test_browser.py reads them off the screen)."""
    gap = pd.DataFrame({"dimension": ["Skills", "Governance"], "gap": [1.0, 0.5], "it_mean": [4.0, 3.0],
                        "business_mean": [3.0, 2.5]})
    spec = charts.gap_dumbbell(gap, "IT view vs business view").to_dict()
    assert all(layer["encoding"]["y"]["axis"]["labelOverlap"] is False for layer in spec["layer"])


MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)( \d{4})?"


def month_labels_drawn(chart, width: int) -> list[tuple[str, float]]:
    """The month labels of a chart drawn ``width`` px wide, with the x of each one's centre."""
    import re

    svg = charts.to_image(chart.properties(width=width), "svg").decode()
    drawn = []
    for attrs, text in re.findall(r"<text([^>]*)>([^<]*)</text>", svg):
        if re.fullmatch(MONTH, text):  # the first and last may be flush with the plot's edges
            x = float(re.search(r"translate\(([-\d.]+),", attrs)[1])
            anchor = re.search(r'text-anchor="(\w+)"', attrs)[1]
            drawn.append((text, x + {"start": 1, "middle": 0, "end": -1}[anchor] * 6.5 * len(text) / 2))
    return drawn


def budget_by_month(months: int) -> pd.DataFrame:
    periods = pd.period_range("2025-11", periods=months, freq="M").astype(str)
    return pd.DataFrame({"category": periods, "budget": 2e6, "actual": 2.1e6, "forecast": 0.0})


@pytest.mark.parametrize("width", [240, 300, 420, 700, 960])
@pytest.mark.parametrize("months", [6, 12, 25])
def test_month_labels_never_run_together_at_any_width(width, months):
    """Streamlit fits a chart to its column (a phone's is about 300 px of plot): the month axes label
    as many months as the width holds, horizontally, 12 px type (Streamlit's) at about 6.5 px a
    character never touching, the latest month always labelled and the year where it changes."""
    line = pd.DataFrame({"month": pd.date_range("2025-11-01", periods=months, freq="MS"), "finished": range(months)})
    for chart in (charts.budget_actual_forecast(budget_by_month(months), "category", "By month"),
                  charts.line(line, "month", "finished", "Throughput")):
        drawn = month_labels_drawn(chart, width)
        assert drawn, (width, months)
        for (a, x), (b, y) in zip(drawn, drawn[1:], strict=False):
            assert y - x >= 6.5 * (len(a) + len(b)) / 2 + 4, (width, months, a, b, y - x)  # a gap between them
        last = pd.Period("2025-11", "M") + months - 1
        assert drawn[-1][0].split()[0] == last.strftime("%b")  # the latest month
        assert re.fullmatch(r"\w{3} \d{4}", drawn[0][0]) or re.fullmatch(r"\w{3} \d{4}", drawn[1][0])  # a year early on
        if width >= 700 and months <= 12:
            assert len(drawn) == months  # a laptop labels every month


def legends_of(spec: dict) -> list[dict]:
    layers = spec.get("layer", [spec])
    return [channel["legend"] for layer in layers for channel in layer.get("encoding", {}).values()
            if isinstance(channel, dict) and channel.get("legend")]


def test_legends_sit_above_the_plot_in_as_many_columns_as_the_width_holds(run):
    """On the right a legend took a phone's plot down to 60 px (IT cost per business unit)."""
    stacked = pd.DataFrame({"business_unit": ["Retail", "Retail"], "amount": [1.0, 2.0],
                            "part": ["Direct IT cost", "Shared IT cost allocated"]})
    built = [charts.hbar(stacked, "business_unit", "amount", "IT cost per business unit", color="part"),
             charts.budget_actual_forecast(run("budget_vs_actual", group_by="month"), "category", "Budget"),
             charts.stacked_area(run("spend_mix", mix="rgt"), "period", "actual", "category", "Mix"),
             charts.gap_dumbbell(run("alignment_gap"), "Gap"), charts.likert(run("score_distribution"), "Answers"),
             charts.quadrant(run("importance_satisfaction"), "Fix first"), charts.bubble(run("portfolio_health"), "P")]
    for chart in built:
        spec = chart.to_dict()
        found = legends_of(spec)
        assert found, spec.get("title")
        for legend in found:
            assert legend["orient"] in ("top", "bottom") and legend["direction"] == "horizontal"
            assert "width" in legend["columns"]["expr"]
        assert charts.on_page(chart).to_dict()["autosize"] == {"type": "fit-x", "contains": "padding"}
    # the health mix names its colours on its bars: no legend to take the plot's room
    assert legends_of(charts.health_mix(run("portfolio_summary").iloc[0]).to_dict()) == []
    # the room's screen holds the whole chart: its height is the chart's, legend included
    assert charts.for_the_room(built[0]).to_dict()["autosize"]["type"] == "fit"


def test_a_phone_plot_keeps_its_height_and_width_whatever_the_legend_takes():
    """The plot's height is the chart's; the legend above adds to it rather than squashing the bars."""
    stacked = pd.DataFrame({"business_unit": [u for u in "ABCDE" for _ in (0, 1)],
                            "part": ["Direct IT cost", "Shared IT cost allocated"] * 5, "amount": [1.0, 2.0] * 5})
    chart = charts.on_page(charts.hbar(stacked, "business_unit", "amount", "IT cost per business unit", color="part"))
    assert chart.to_dict()["height"] == 24 * 5


def title_lines(chart, width: int) -> list[str]:
    import re

    svg = charts.to_image(chart.properties(width=width), "svg").decode()
    found = re.search(r'role-title-text".*?</text>', svg, re.S)
    return [html.unescape(t) for t in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", found[0])] or \
        [html.unescape(re.search(r">([^<>]+)</text>", found[0])[1])]


def test_a_long_title_wraps_on_a_phone_and_its_explanation_is_a_subtitle(run):
    """'Answers by dimension: IT (upper bar) and b…' hid which bar is the business's."""
    chart = charts.likert(run("score_distribution"), "Answers by dimension: IT (upper bar) and business (lower bar)")
    title = chart.to_dict()["title"]
    assert title["text"] == "Answers by dimension"
    assert " ".join(title["subtitle"]) == "IT (upper bar) and business (lower bar)"
    assert all(len(line) <= charts.SUBTITLE_CHARS for line in title["subtitle"])
    long = "Cost and schedule performance of open projects in every business unit"
    ev = charts.hbar(pd.DataFrame({"x": ["a"], "y": [1.0]}), "x", "y", long)
    assert title_lines(ev, 900) == [long]  # one line where it fits
    narrow = title_lines(ev, 250)
    assert len(narrow) > 1 and " ".join(narrow) == long  # whole, in lines
    assert all(len(line) * charts.TITLE_CHAR <= 250 for line in narrow)


def test_earned_value_points_are_off_the_axes(run):
    """SPI 0.45 sat on the y-axis: the scales are padded, so the axes start below the lowest index."""
    import re

    frame = pd.DataFrame({"name": ["A", "B"], "business_unit": ["X", "Y"], "percent_complete": [0.4, 0.6],
                          "spi": [0.45, 0.71], "cpi": [0.96, 0.71], "eac": [1.0, 2.0], "eac_basis": ["CPI", "CPI"],
                          "overall_health": ["Red", "Red"]})
    spec = charts.ev_indices(frame, "EV").to_dict()
    assert all(spec["layer"][0]["encoding"][c]["scale"]["padding"] >= 10 for c in ("x", "y"))
    numbers = [float(t) for t in svg_texts(charts.ev_indices(frame, "EV").properties(width=600))
               if re.fullmatch(r"[01](\.\d+)?", t)]
    assert min(numbers) < 0.45 and max(numbers) > 1.0  # an axis starts below the lowest point


def every_chart(run) -> list[tuple[str, object]]:
    """Every builder of alignment.charts with its title, on the tiny company."""
    weeks = pd.DataFrame({"week": pd.to_datetime(["2025-01-06", "2025-01-13"] * 2), "stage": ["Build"] * 2 +
                          ["Finished"] * 2, "stage_order": [1, 1, 2, 2], "items": [3, 2, 0, 1]})
    months = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"]), "finished": [1, 3]})
    open_ev = pd.DataFrame({"name": ["A"], "business_unit": ["X"], "percent_complete": [0.4], "spi": [0.8],
                            "cpi": [1.1], "eac": [1.0], "eac_basis": ["CPI"], "overall_health": ["Amber"]})
    return [
        ("Spend by business goal", charts.spend_by_goal(run("spend_by_business_goal"))),
        ("Maturity by dimension",
         charts.maturity_by_dimension(run("alignment_maturity").query("dimension != 'Overall'"))),
        ("Health mix", charts.health_mix(run("portfolio_summary").iloc[0])),
        ("Budget by month", charts.budget_actual_forecast(run("budget_vs_actual", group_by="month"), "category",
                                                          "Budget by month")),
        ("Budget by tower", charts.budget_actual_forecast(run("budget_vs_actual", group_by="tower"), "category",
                                                          "Budget by tower")),
        ("Mix", charts.stacked_area(run("spend_mix", mix="rgt"), "period", "actual", "category", "Mix")),
        ("Projects", charts.bubble(run("portfolio_health"), "Projects")),
        ("EV", charts.ev_indices(open_ev, "EV")),
        ("Gap", charts.gap_dumbbell(run("alignment_gap"), "Gap")),
        ("Fix first", charts.quadrant(run("importance_satisfaction"), "Fix first")),
        ("Answers", charts.likert(run("score_distribution"), "Answers")),
        ("Stages", charts.hbar(run("bottleneck_stages", as_of=AS_OF), "stage", "share_of_time", "Stages",
                               highlight="is_bottleneck")),
        ("Cumulative flow: items per stage by week", charts.cumulative_flow(weeks)),
        ("Throughput", charts.line(months, "month", "finished", "Throughput")),
    ]


def test_every_chart_has_a_text_description_for_screen_readers(run):
    """Screen readers announced every chart as 'Vega visualization': each spec carries a top-level
    description (Vega's aria-label of the SVG), its title and then what it plots, in words."""
    import inspect

    built = every_chart(run)
    # Every public function that draws a chart from an analysis' rows (a frame, or health_mix's summary row).
    builders = {name for name, f in inspect.getmembers(charts, inspect.isfunction)
                if f.__module__ == charts.__name__ and not name.startswith("_")
                and next(iter(inspect.signature(f).parameters)) in ("frame", "summary")}
    covered = {"spend_by_goal", "maturity_by_dimension", "health_mix", "budget_actual_forecast", "stacked_area",
               "bubble", "ev_indices", "gap_dumbbell", "quadrant", "likert", "hbar", "cumulative_flow", "line"}
    assert builders <= covered, f"a builder without a description test: {builders - covered}"
    for title, chart in built:
        spec = charts.localised(chart).to_dict()  # the page's and the pack's route keep it
        description = spec.get("description", "")
        assert description.startswith(title + ". "), (title, description)
        assert len(description) > len(title) + 20, description  # what it plots, not the title alone
        room = charts.for_the_room(chart).to_dict()
        assert room["description"] == description
    texts = dict((t, c.to_dict()["description"]) for t, c in built)
    assert "Unmapped" in texts["Spend by business goal"]  # the red bar is named
    assert "projects" in texts["Projects"] and "risk" in texts["Projects"]


def test_the_bubble_chart_starts_its_money_axes_at_zero_unless_a_value_is_negative():
    """The padding for the bubbles ran 'Cost to date' to −$0.5m, though no project had a negative cost."""
    frame = pd.DataFrame({"name": ["A", "B", "C"], "business_unit": ["X"] * 3,
                          "actual_cost": [276_000.0, 1_100_000.0, 2_729_000.0], "eac": [1.0] * 3,
                          "cost_variance_pct": [0.1] * 3, "expected_benefit": [525_000.0, 2_500_000.0, 6_697_000.0],
                          "realized_benefit": [0.0] * 3, "roi": [0.1] * 3, "risk": [1, 3, 5],
                          "overall_health": ["Green", "Amber", "Red"]})
    chart = charts.bubble(frame, "Value vs cost vs risk").properties(width=700)
    labels = [t for t in svg_texts(chart) if t.startswith(("$", "−", "-")) and t.endswith(("m", "k"))]
    assert labels and not [t for t in labels if t.startswith(("−", "-"))], labels
    assert "$0m" in labels or "$0k" in labels or "$0" in labels
    scales = {c: chart.to_dict()["encoding"][c]["scale"] for c in ("x", "y")}
    assert all(s["domainMin"] == 0 and s["padding"] > 0 for s in scales.values())  # bubbles still whole at the top
    credit = frame.assign(actual_cost=[-400_000.0, 1_100_000.0, 2_729_000.0])  # a real negative is shown
    spec = charts.bubble(credit, "Value vs cost vs risk").to_dict()
    assert "domainMin" not in spec["encoding"]["x"]["scale"]
    assert [t for t in svg_texts(charts.bubble(credit, "V").properties(width=700)) if t.startswith("−$")]
