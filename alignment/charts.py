"""Every chart in the app, built one way: business words for labels, tooltips on every mark,
a palette readable on light and dark backgrounds, and money formatted as money.

Colours carry meaning consistently: health is green/amber/red, IT is blue, the business orange,
budget grey, actual blue, forecast purple, and anything unmapped is red.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert as vlc

from alignment.formatting import currency_symbol
from alignment.labels import LABELS, label  # noqa: F401 (pages and tests read them here too)

PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#EECA3B", "#9D755D",
           "#FF9DA6", "#79706E"]
HEALTH = alt.Scale(domain=["Green", "Amber", "Red"], range=["#54A24B", "#F2A900", "#E45756"])
GROUPS = alt.Scale(domain=["IT", "Business"], range=["#4C78A8", "#F58518"])
SCENARIOS = alt.Scale(domain=["Budget", "Actual", "Forecast"], range=["#9E9E9E", "#4C78A8", "#B279A2"])
RGT = alt.Scale(domain=["Run", "Grow", "Transform", "Unclassified"],
                range=["#4C78A8", "#54A24B", "#B279A2", "#9E9E9E"])
MONEY = "$,.0f"
MONEY_AXIS = "$.2s"
PERCENT = ".1%"

MONEY_FIELDS = {"actual", "budget", "forecast", "variance", "direct_cost", "allocated_shared", "total_cost",
                "it_cost_per_employee", "expected_benefit", "realized_benefit", "amount", "budget_to_date",
                "outlook", "cost_variance", "actual_cost", "eac", "bac", "pv", "ev", "ac", "cv", "sv"}
PERCENT_FIELDS = {"variance_pct", "share_of_spend", "it_cost_pct_revenue", "cumulative_share", "share_of_month",
                  "roi", "cost_variance_pct", "share_of_time", "benefit_realization", "slip_pct",
                  "ev_schedule_variance_pct", "percent_complete", "flow_distribution", "flow_efficiency"}


def tooltip(*fields: str, types: dict[str, str] | None = None) -> list[alt.Tooltip]:
    types = types or {}
    tips = []
    for field in fields:
        fmt = MONEY if field in MONEY_FIELDS else PERCENT if field in PERCENT_FIELDS else None
        kwargs = {"format": fmt} if fmt else {}
        tips.append(alt.Tooltip(f"{field}:{types.get(field, 'Q' if fmt else 'N')}", title=label(field), **kwargs))
    return tips


def _axis(field: str) -> alt.Axis:
    if field in MONEY_FIELDS:
        return alt.Axis(format=MONEY_AXIS, title=label(field))
    if field in PERCENT_FIELDS:
        return alt.Axis(format="%", title=label(field))
    return alt.Axis(title=label(field))


def _base(frame: pd.DataFrame, title: str) -> alt.Chart:
    return alt.Chart(frame, title=alt.TitleParams(title, anchor="start")).properties(height=320)


def hbar(frame: pd.DataFrame, category: str, value: str, title: str, color: str | None = None,
         highlight: str | None = None, extra: tuple[str, ...] = ()) -> alt.Chart:
    """Ranked horizontal bars: the workhorse for 'which X takes the most Y'."""
    encoding = {
        "y": alt.Y(f"{category}:N", sort="-x", axis=alt.Axis(title=label(category), labelLimit=220)),
        "x": alt.X(f"{value}:Q", axis=_axis(value)),
        "tooltip": tooltip(category, value, *extra),
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=label(color), scale=_scale(color))
    elif highlight:
        encoding["color"] = alt.condition(f"datum.{highlight}", alt.value("#E45756"), alt.value(PALETTE[0]))
    return _base(frame, title).mark_bar().encode(**encoding).properties(height=max(240, 40 * len(frame)))


def spend_by_goal(frame: pd.DataFrame, extra: tuple[str, ...] = ("share_of_spend",)) -> alt.Chart:
    """Spend per business goal, the unmapped bar in red (spend_by_business_goal)."""
    return hbar(frame, "business_goal", "actual", "Spend by business goal", highlight="is_unmapped", extra=extra)


def maturity_by_dimension(frame: pd.DataFrame) -> alt.Chart:
    """alignment_maturity's dimensions (without the Overall row)."""
    return hbar(frame, "dimension", "maturity", "Maturity by dimension", extra=("relationship_model",))


def health_mix(summary: pd.Series) -> alt.Chart:
    """How many projects are red, amber and green (a portfolio_summary row)."""
    mix = pd.DataFrame({"overall_health": ["Red", "Amber", "Green"],
                        "items": [summary["red"], summary["amber"], summary["green"]]})
    return hbar(mix, "overall_health", "items", "Health mix", color="overall_health")


def _scale(field: str) -> alt.Scale:
    return {"overall_health": HEALTH, "health": HEALTH, "group": GROUPS, "scenario": SCENARIOS,
            "category": RGT}.get(field, alt.Scale(range=PALETTE))


def budget_actual_forecast(frame: pd.DataFrame, category: str, title: str) -> alt.Chart:
    """For each category, the budget of the chosen months beside what they will cost: actuals of the
    closed months with the forecast of the rest stacked on top. Budget beside actuals alone made
    every unit look under budget while the year was over (the budget covers months not yet closed)."""
    long = frame.melt(id_vars=[category], value_vars=["budget", "actual", "forecast"],
                      var_name="scenario", value_name="amount")
    long["scenario"] = long["scenario"].str.capitalize()
    long["bar"] = long["scenario"].map({"Budget": "Budget", "Actual": "Actual + forecast",
                                        "Forecast": "Actual + forecast"})
    long["stack_order"] = long["scenario"].map({"Budget": 0, "Actual": 0, "Forecast": 1})
    return _base(long, title).mark_bar().encode(
        x=alt.X(f"{category}:N", axis=alt.Axis(title=label(category), labelAngle=-40)),
        xOffset=alt.XOffset("bar:N", sort=["Budget", "Actual + forecast"]),
        y=alt.Y("amount:Q", axis=_axis("amount"), stack="zero"),
        color=alt.Color("scenario:N", scale=SCENARIOS, title=None),
        order=alt.Order("stack_order:Q"),
        tooltip=tooltip(category, "scenario", "amount"),
    )


def stacked_area(frame: pd.DataFrame, x: str, value: str, series: str, title: str,
                 normalize: bool = False, order: str | None = None) -> alt.Chart:
    scale = RGT if series == "category" and set(frame[series]) <= set(RGT.domain) else alt.Scale(range=PALETTE)
    y_axis = alt.Axis(format="%", title="Share") if normalize else _axis(value)
    return _base(frame, title).mark_area(opacity=0.85).encode(
        x=alt.X(f"{x}:T", axis=alt.Axis(title=label(x), format="%b %Y")),
        y=alt.Y(f"{value}:Q", stack="normalize" if normalize else "zero", axis=y_axis),
        color=alt.Color(f"{series}:N", title=label(series), scale=scale,
                        sort=alt.EncodingSortField(order, order="ascending") if order else "ascending"),
        order=alt.Order(f"{order}:Q") if order else alt.Order(f"{series}:N"),
        tooltip=tooltip(x, series, value, types={x: "T"}),
    )


def cumulative_flow(frame: pd.DataFrame, title: str = "Cumulative flow: items per stage by week") -> alt.Chart:
    """Kanban's cumulative flow diagram (cumulative_flow): Finished at the bottom, then the stages in
    reverse flow order, so the top edge is every item that has arrived and the bottom band only grows."""
    stages = frame.sort_values("stage_order")["stage"].drop_duplicates().tolist()
    working = [c for c in PALETTE if c != "#54A24B"]  # green is kept for Finished
    colours = [working[i % len(working)] for i in range(len(stages) - 1)] + ["#54A24B"]
    return _base(frame, title).mark_area(opacity=0.85).encode(
        x=alt.X("week:T", axis=alt.Axis(title=label("week"), format="%b %Y")),
        y=alt.Y("items:Q", stack="zero", axis=_axis("items")),
        # The legend lists the stages top to bottom as they are stacked: first stage first, Finished last.
        color=alt.Color("stage:N", title=label("stage"), scale=alt.Scale(domain=stages, range=colours), sort=stages),
        order=alt.Order("stage_order:Q", sort="descending"),
        tooltip=tooltip("week", "stage", "items", types={"week": "T", "items": "Q"}),
    )


def line(frame: pd.DataFrame, x: str, value: str, title: str) -> alt.Chart:
    return _base(frame, title).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X(f"{x}:T", axis=alt.Axis(title=label(x), format="%b %Y")),
        y=alt.Y(f"{value}:Q", axis=_axis(value)),
        tooltip=tooltip(x, value, types={x: "T", value: "Q"}),
    )


def bubble(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Projects: value (expected benefit) against cost, sized by risk, coloured by health."""
    return _base(frame, title).mark_circle(opacity=0.8, stroke="#666", strokeWidth=0.5).encode(
        x=alt.X("actual_cost:Q", axis=alt.Axis(format=MONEY_AXIS, title="Cost to date")),
        y=alt.Y("expected_benefit:Q", axis=alt.Axis(format=MONEY_AXIS, title=label("expected_benefit"))),
        size=alt.Size("risk:Q", title=label("risk"), scale=alt.Scale(domain=[1, 5], range=[60, 900])),
        color=alt.Color("overall_health:N", scale=HEALTH, title=label("overall_health")),
        tooltip=tooltip("name", "business_unit", "actual_cost", "eac", "cost_variance_pct", "expected_benefit",
                        "realized_benefit", "roi", "risk", "overall_health", types={"risk": "Q"}),
    ).properties(height=380)


def ev_indices(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Earned value's two indices per project (earned_value): right of 1 is ahead of plan, above 1 is
    under cost; bottom-left is behind and over. Coloured by health, lines at 1."""
    points = _base(frame, title).mark_circle(size=160, opacity=0.85, stroke="#666", strokeWidth=0.5).encode(
        x=alt.X("spi:Q", title=label("spi"), scale=alt.Scale(zero=False)),
        y=alt.Y("cpi:Q", title=label("cpi"), scale=alt.Scale(zero=False)),
        color=alt.Color("overall_health:N", scale=HEALTH, title=label("overall_health")),
        tooltip=tooltip("name", "business_unit", "percent_complete", "spi", "cpi", "eac", "eac_basis",
                        "overall_health", types={"spi": "Q", "cpi": "Q"}))
    one = alt.Chart(pd.DataFrame({"v": [1.0]})).mark_rule(strokeDash=[4, 4], color="#9E9E9E")
    return (points + one.encode(x="v:Q") + one.encode(y="v:Q")).properties(height=380)


def gap_dumbbell(frame: pd.DataFrame, title: str) -> alt.Chart:
    """IT's and the business's mean score per dimension, joined by a line: the gap made visible."""
    long = frame.melt(id_vars=["dimension", "gap"], value_vars=["it_mean", "business_mean"],
                      var_name="group", value_name="score")
    long["group"] = long["group"].map({"it_mean": "IT", "business_mean": "Business"})
    order = list(frame["dimension"])
    y = alt.Y("dimension:N", sort=order, axis=alt.Axis(title=None, labelLimit=200))
    base = _base(long, title)
    rule = base.mark_rule(color="#9E9E9E", strokeWidth=3).encode(
        y=y, x=alt.X("min(score):Q", scale=alt.Scale(domain=[1, 5]), title="Mean score (1-5)"), x2="max(score):Q")
    dots = base.mark_circle(size=180, opacity=1).encode(
        y=y, x=alt.X("score:Q", scale=alt.Scale(domain=[1, 5])),
        color=alt.Color("group:N", scale=GROUPS, title=label("group")),
        tooltip=tooltip("dimension", "group", "score", "gap", types={"score": "Q", "gap": "Q"}))
    return (rule + dots).properties(height=40 * max(4, len(order)))


LIKERT = ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"]
LIKERT_SCALE = alt.Scale(domain=["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
                         range=["#CA4B45", "#F2A29B", "#C9C9C9", "#8FB8DE", "#3C6E9F"])


def likert(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Each side's answers per dimension as 100% bars, disagree on the left: a split room shows
    even where the means agree."""
    long = frame.melt(id_vars=["dimension", "respondent_group", "answers"], value_vars=LIKERT,
                      var_name="answer", value_name="people")
    long["order"] = long["answer"].map(LIKERT.index)
    long["answer"] = long["answer"].map(lambda a: a.replace("_", " ").capitalize())
    dimensions = list(dict.fromkeys(frame["dimension"]))
    return _base(long, title).mark_bar().encode(
        y=alt.Y("dimension:N", sort=dimensions, axis=alt.Axis(title=None, labelLimit=200)),
        yOffset=alt.YOffset("respondent_group:N", sort=["IT", "Business"], title=label("group")),
        x=alt.X("people:Q", stack="normalize", axis=alt.Axis(format="%", title="Share of answers")),
        color=alt.Color("answer:N", scale=LIKERT_SCALE, title="Answer", sort=LIKERT_SCALE.domain),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("dimension:N", title=label("dimension")),
                 alt.Tooltip("respondent_group:N", title=label("group")),
                 alt.Tooltip("answer:N", title="Answer"), alt.Tooltip("people:Q", title="People")],
    ).properties(height=56 * max(4, len(dimensions)))


def quadrant(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Importance against satisfaction, split at the means of the questions shown (importance_mean,
    satisfaction_mean of importance_satisfaction): top-left is 'fix first'. Hidden questions are left out."""
    frame = frame.dropna(subset=["importance", "satisfaction"])
    base = _base(frame, title)
    points = base.mark_circle(size=160).encode(
        x=alt.X("satisfaction:Q", scale=alt.Scale(domain=[1, 5]), title=label("satisfaction")),
        y=alt.Y("importance:Q", scale=alt.Scale(domain=[1, 5]), title=label("importance")),
        color=alt.Color("quadrant:N", title=label("quadrant"), scale=alt.Scale(
            domain=["Fix first", "Keep it up", "Low priority", "Possible over-investment"],
            range=["#E45756", "#54A24B", "#9E9E9E", "#4C78A8"])),
        tooltip=tooltip("question", "dimension", "importance", "satisfaction", "quadrant",
                        *(["respondents"] if "respondents" in frame else []),
                        types={"importance": "Q", "satisfaction": "Q"}))
    means = (frame[["satisfaction_mean", "importance_mean"]].head(1) if "importance_mean" in frame and len(frame)
             else pd.DataFrame({"satisfaction_mean": [3.0], "importance_mean": [3.0]}))
    rules = alt.Chart(means).mark_rule(strokeDash=[4, 4], color="#9E9E9E")
    return (points + rules.encode(x="satisfaction_mean:Q") + rules.encode(y="importance_mean:Q")).properties(height=380)


def for_the_room(chart: alt.Chart, dark: bool = False, height: int = 380) -> alt.Chart:
    """The same chart with type readable from the back of a room, for presentation mode. It sets
    its own text colours because Streamlit's chart theme would override the larger type."""
    text, grid = ("#FAFAFA", "#3A3F4B") if dark else ("#262730", "#E6E6E6")
    return (chart.properties(height=height)
            .configure(background="transparent", font="Source Sans Pro, sans-serif")
            .configure_axis(labelFontSize=16, titleFontSize=16, labelLimit=320, labelColor=text,
                            titleColor=text, gridColor=grid, domainColor=grid, tickColor=grid)
            .configure_legend(labelFontSize=16, titleFontSize=16, symbolSize=200, labelColor=text, titleColor=text)
            .configure_title(fontSize=20, color=text, anchor="start")
            .configure_view(stroke=None))


def localised(chart: alt.Chart) -> alt.Chart:
    """The chart with money in the organisation's currency: the "$" of the formats above is Vega's
    locale currency, so one locale setting changes every axis and tooltip."""
    symbol = currency_symbol()
    if symbol == "$":
        return chart
    chart = chart.copy(deep=False)
    locale = alt.Locale(number=alt.NumberLocale(currency=[symbol, ""], decimal=".", thousands=",", grouping=[3]))
    if chart.config is alt.Undefined:
        chart.config = alt.Config(locale=locale)
    else:
        chart.config = chart.config.copy(deep=False)
        chart.config.locale = locale
    return chart


def to_image(chart: alt.Chart | dict, fmt: str) -> bytes:
    """PNG or SVG of a chart or its Vega-Lite spec, offline (vl-convert bundles the Vega renderer)."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    if fmt == "png":
        return vlc.vegalite_to_png(spec, scale=2)
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode()
    raise ValueError(f"Charts export as png or svg, not {fmt}.")
