"""Every chart in the app, built one way: business words for labels, tooltips on every mark,
a palette readable on light and dark backgrounds, and money formatted as money.

Colours carry meaning consistently: health is green/amber/red, IT is blue, the business orange,
budget grey, actual blue, forecast purple, and anything unmapped is red.

Streamlit fits each chart to its container's width, which Python never knows (1440 px on a laptop,
390 on a phone), so what depends on the width is left to Vega, which does: month labels are thinned
to as many as the plot's width holds (``width`` in their label expression), legends sit above the
plot in as many columns as fit, and a long title wraps rather than being cut, its explanation after
a colon shown as a subtitle.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from alignment import labels as units
from alignment.formatting import UNITS, currency_symbol, display_unit, listing, lower_first, upper_first
from alignment.labels import COLUMNS, LABELS, label  # noqa: F401 (pages and tests read them here too)

PALETTE = ["#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#EECA3B", "#9D755D",
           "#FF9DA6", "#79706E"]
GREY = "#9E9E9E"
HEALTH = alt.Scale(domain=["Green", "Amber", "Red"], range=[PALETTE[2], "#F2A900", PALETTE[4]])
GROUPS = alt.Scale(domain=["IT", "Business"], range=[PALETTE[0], PALETTE[1]])
SCENARIOS = alt.Scale(domain=["Budget", "Actual", "Forecast"], range=[GREY, PALETTE[0], PALETTE[3]])
RGT = alt.Scale(domain=["Run", "Grow", "Transform", "Unclassified"], range=[PALETTE[0], PALETTE[2], PALETTE[3], GREY])
MONEY = "$,.0f"
PERCENT = ".1%"
LABEL_LIMIT = 320  # px: a business goal or project name is read whole, not cut at Vega's 180 (Streamlit's 100)
MONTH_LABELS = 12  # at most this many month labels on an axis; more months label every 2nd, 3rd… month
# px between two month labels' centres: 'Jan 2026' beside 'Mar' without touching; a narrower plot labels
# every 2nd, 3rd… month (a phone's twelve: every 2nd). Two labels with a year side by side need YEARS_SPACING.
MONTH_SPACING, YEARS_SPACING = 42, 60
# About a character's width (px) in the title's font (Streamlit's: 16 px bold) and the legends' (11 px);
# a title wraps at words where the plot is narrower than it, a legend has as many columns as fit.
TITLE_CHAR, LEGEND_CHAR = 9, 6.5
TITLE_WRAPS = (60, 45, 34, 26, 20)  # characters a line, tried widest first
SUBTITLE_CHARS = 44  # a subtitle's line, short enough for a phone (13 px type, about 290 px)
# Streamlit's theme colours a title but not its subtitle (Vega's black, unreadable on a dark page): a grey
# that reads on both (relative luminance 0.21, like the theme's axis labels).
SUBTITLE_INK = "#7B7F8E"
LEGEND_LABEL_LIMIT = 160  # px, Vega's: 'Shared IT cost allocated', 'Possible over-investment' whole
# Fields scored 1 (lowest) to 5: their axes always run 1 to 5, so a 3.3 never looks like a full bar.
ONE_TO_FIVE = {"maturity", "it_maturity", "business_maturity", "importance", "satisfaction", "mean_score",
               "latest_score", "previous_score", "it_mean", "business_mean", "score", "strategic_alignment"}

MONEY_FIELDS = {f for f, (_, u) in COLUMNS.items() if u == units.MONEY} | {
    "budget_to_date", "outlook", "cost_variance", "actual_cost", "eac", "bac", "pv", "ev", "ac", "cv", "sv"}
PERCENT_FIELDS = {f for f, (_, u) in COLUMNS.items() if u == units.SHARE} | {
    "variance_pct", "share_of_spend", "it_cost_pct_revenue", "cumulative_share", "share_of_month", "roi",
    "cost_variance_pct", "share_of_time", "benefit_realization", "slip_pct", "ev_schedule_variance_pct",
    "percent_complete", "flow_distribution", "flow_efficiency"}
COUNT_FIELDS = {f for f, (_, u) in COLUMNS.items() if u == units.COUNT} | {"people"}


def tooltip(*fields: str, types: dict[str, str] | None = None) -> list[alt.Tooltip]:
    types = types or {}
    tips = []
    for field in fields:
        fmt = MONEY if field in MONEY_FIELDS else PERCENT if field in PERCENT_FIELDS else None
        kwargs = {"format": fmt} if fmt else {}
        tips.append(alt.Tooltip(f"{field}:{types.get(field, 'Q' if fmt else 'N')}", title=label(field), **kwargs))
    return tips


def money_scale(largest: float) -> tuple[float, str]:
    """The divisor and suffix of a money axis: the organisation's display unit, or (auto) the unit of
    the largest amount on the axis, as formatting.money writes amounts ($2.5m, €300k)."""
    unit = display_unit()
    if unit == "auto":
        unit = next((u for u, size in sorted(UNITS.items(), key=lambda i: -i[1]) if abs(largest) >= size), "units")
    return (1.0, "") if unit == "units" else (UNITS[unit], unit)


def money_axis(title: str, largest: float, **kwargs: Any) -> alt.Axis:
    """Money ticks in the currency and display unit ($0, $2m, $4m): "$" is the Vega locale's currency
    (localised sets it), so the symbol follows the organisation's settings like every tooltip."""
    size, suffix = money_scale(largest)
    expr = ("format(datum.value, '$,.0f')" if size == 1 else
            f"format(datum.value / {size:g}, '$,.2~f') + '{suffix}'")
    return alt.Axis(title=title, labelExpr=expr, **{"tickCount": 5, **kwargs})


def _largest(values: Any) -> float:
    values = pd.to_numeric(pd.Series(values), errors="coerce").abs()
    return float(values.max()) if values.notna().any() else 0.0


def _axis(field: str, values: Any = (), **kwargs: Any) -> alt.Axis:
    """The axis of a measure: money in the display unit, shares as %, counts on whole numbers."""
    if field in MONEY_FIELDS:
        return money_axis(label(field), _largest(values), **kwargs)
    if field in PERCENT_FIELDS:
        return alt.Axis(format="%", title=label(field), **{"tickCount": 5, **kwargs})
    if field in COUNT_FIELDS:
        return alt.Axis(format="d", tickMinStep=1, title=label(field), **kwargs)
    if field in ONE_TO_FIVE:
        return alt.Axis(values=[1, 2, 3, 4, 5], format="d", title=label(field), **kwargs)
    return alt.Axis(title=label(field), **kwargs)


def _category_axis(field: str, **kwargs: Any) -> alt.Axis:
    return alt.Axis(**{"title": label(field), "labelLimit": LABEL_LIMIT, "labelOverlap": False, **kwargs})


def month_labels(ticks: int, months_apart: int = 1) -> str:
    """The label expression of a month axis of ``ticks`` ticks ``months_apart`` apart: 'Jan 2026', then
    'Feb', 'Mar'…, horizontal, every k-th tick labelled where k is as few as keeps labels MONTH_SPACING
    apart at the plot's width (k = 1 on a laptop, 2 for a phone's twelve months), counted back from the
    last tick so the latest month is always labelled. The year is on the first label shown and on the
    first of each year (a label less than k ticks into its year); the first label leaves it to the next
    where both would have it and they would touch ('Nov', 'Jan 2026'). Vega's datum.index runs 0 to 1."""
    k = f"max(1, ceil({ticks} * {MONTH_SPACING} / width))"
    i = f"round(datum.index * {max(ticks - 1, 1)})"
    apart = f"{k} * {months_apart}"  # months between two labels shown
    room = f"width * {k} / {max(ticks - 1, 1)} >= {YEARS_SPACING}"
    first = f"{i} == {ticks - 1} % {k} && ({room} || utcmonth(datum.value) + {apart} < 12)"
    year = f"{first} || {i} != {ticks - 1} % {k} && utcmonth(datum.value) < {apart}"
    return f"({ticks - 1} - {i}) % {k} == 0 ? utcFormat(datum.value, {year} ? '%b %Y' : '%b') : ''"


def months_shown(months: list[pd.Period]) -> list[pd.Period]:
    """The months an axis labels: every one up to MONTH_LABELS, else every k-th counted back from the
    last, so the latest month is always labelled and no month is labelled twice."""
    months = sorted(set(months))
    step = max(1, -(-len(months) // MONTH_LABELS))
    return months[::-1][::step][::-1]


def month_axis(field: str, dates: pd.Series, title: str | None = None) -> tuple[pd.Series, alt.X]:
    """A time axis with one label per month (or per k months), the last month labelled, the same in
    any timezone: dates travel as plain 'YYYY-MM-DD' text, which Vega reads as UTC, and every time
    unit, tick and label is UTC, so neither the server's nor the viewer's clock shifts a month."""
    dates = pd.to_datetime(dates)
    daily = bool((dates.dropna().dt.day != 1).any())  # weekly points keep their day; monthly ones are months
    months = dates.dt.to_period("M").dropna()
    if daily:  # a month that starts before the first point has no tick on the axis: it is not counted
        months = months[months.dt.start_time >= dates.min()]
    shown = months_shown(list(months))
    ticks = [alt.DateTime(year=m.year, month=m.month, date=1, utc=True) for m in shown]
    apart = (shown[1] - shown[0]).n if len(shown) > 1 else 1  # every k-th month of a long series (months_shown)
    x = alt.X(f"{'utcyearmonthdate' if daily else 'utcyearmonth'}({field}):T",
              axis=alt.Axis(title=label(field) if title is None else title, values=ticks,
                            labelExpr=month_labels(len(shown), apart), labelOverlap=False, labelAngle=0,
                            labelFlush=False,  # centred like every other label, so the spacing holds at the ends
                            grid=False, tickMinStep=0))  # Vega-Lite's default, one 31-day month, dropped every February
    return dates.dt.strftime("%Y-%m-%d"), x


def wrapped(text: str, char_px: float = TITLE_CHAR) -> str | dict[str, str]:
    """Text that fits the plot's width: one line where it fits, else broken at words into lines short
    enough (a Vega expression on ``width``, which is known only in the browser)."""
    options = [(len(text), [text])] + [(n, textwrap.wrap(text, n)) for n in TITLE_WRAPS if n < len(text)]
    if len(options) == 1:
        return text
    expr = json.dumps(options[-1][1], ensure_ascii=False)
    for chars, lines in reversed(options[:-1]):
        shown = json.dumps(lines if len(lines) > 1 else lines[0], ensure_ascii=False)
        expr = f"room >= {round(chars * char_px)} ? {shown} : {expr}"
    # The chart's whole width where the browser gives it (a title spans the axis labels too), else the plot's.
    return {"expr": expr.replace("room", "(containerSize()[0] > width ? containerSize()[0] : width)")}


def title_params(title: str) -> alt.TitleParams:
    """A chart's title that is never cut on a phone: what it shows, wrapping where the plot is narrow,
    and what follows a colon ('Answers by dimension: IT (upper bar) and business (lower bar)') as a
    subtitle in lines a phone holds, so the explanation is read whole."""
    main, _, explained = title.partition(": ")
    subtitle = {"subtitle": textwrap.wrap(upper_first(explained), SUBTITLE_CHARS),
                "subtitleColor": SUBTITLE_INK, "subtitleFontSize": 13, "subtitlePadding": 4} if explained else {}
    return alt.TitleParams(wrapped(main), anchor="start", **subtitle)


def legend(labels: Iterable[Any], symbol_px: float = 16, **kwargs: Any) -> alt.Legend:
    """A legend above the plot, in rows of as many entries as the plot's width holds: on the right it
    took a phone's plot down to 60 px. Its rows add to the chart's height, not take the plot's
    (on_page), so a phone's two or three rows squash nothing."""
    widest = min(max((len(str(v)) for v in labels), default=8) * LEGEND_CHAR,
                 kwargs.get("labelLimit", LEGEND_LABEL_LIMIT))
    column = round(symbol_px + 8 + widest + 12)  # symbol, its gap, the label, the gap to the next entry
    # Untitled (Budget, Actual, Forecast name themselves): Streamlit writes a blank title, kept beside the
    # entries rather than as an empty line above them.
    untitled = "title" in kwargs and kwargs["title"] is None
    return alt.Legend(**{"orient": "top", "direction": "horizontal",  # no labelLimit: the room's config sets one
                         "columns": {"expr": f"max(1, floor(width / {column}))"},
                         "titleOrient": "left" if untitled else "top", **kwargs})


# A chart's height is its plot's: on a page its title, legend and axes add to it (on_page).
PLOT_HEIGHT = 220


def describe(title: str, plots: str) -> str:
    """A chart's text alternative: its title, then what it plots in words. Vega-Lite's top-level
    ``description`` becomes the aria-label of the rendered chart (in the app, of the element Vega draws
    into, role graphics-document), so a screen reader announces this rather than "Vega visualization".
    Every builder passes it through _base (a layered chart lifts it to the top level, where Vega reads it)."""
    title, plots = title.strip().rstrip("."), plots.strip().rstrip(".")
    return f"{title}. {upper_first(plots)}."


def _words(field: str) -> str:
    """A field's label as it reads inside a sentence: 'actual spend', 'SPI (…)' kept as written."""
    return lower_first(label(field))


def _named(values: Iterable[Any]) -> str:
    return listing([str(v) for v in values])


def _base(frame: pd.DataFrame, title: str, plots: str) -> alt.Chart:
    return alt.Chart(frame, title=title_params(title), description=describe(title, plots)).properties(
        height=PLOT_HEIGHT)


def _layered(chart: alt.LayerChart, first: alt.Chart) -> alt.LayerChart:
    """A layered chart described at its top level, as its first layer is (Vega reads only the top's)."""
    return chart.properties(description=first.description)


def on_page(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart as a page draws it: as wide as its column, and as tall as its plot plus its title,
    legend and axes. Streamlit otherwise fits the whole chart into the given height, so a legend
    above or below the plot (two or three rows on a phone) took the plot's room."""
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def hbar(frame: pd.DataFrame, category: str, value: str, title: str, color: str | None = None,
         highlight: str | None = None, extra: tuple[str, ...] = (), order: list[str] | None = None) -> alt.Chart:
    """Ranked horizontal bars: the workhorse for 'which X takes the most Y'. Every bar keeps its label
    whole: the chart grows with the number of bars instead of dropping or cutting labels."""
    totals = frame.groupby(category)[value].sum() if color and len(frame) else frame.get(value, [])
    encoding = {
        "y": alt.Y(f"{category}:N", sort=order or "-x", axis=_category_axis(category)),
        "x": alt.X(f"{value}:Q", axis=_axis(value, totals),
                   **({"scale": alt.Scale(domain=[1, 5])} if value in ONE_TO_FIVE else {})),
        "tooltip": tooltip(category, value, *extra),
    }
    if value in ONE_TO_FIVE:  # a 1-5 score's bar starts at 1, the scale's floor
        encoding["x2"] = alt.datum(1)
    if color:  # no legend where the bars' own labels name the colours (the health mix)
        encoding["color"] = alt.Color(f"{color}:N", title=label(color),
                                      scale=_scale(color, frame[color].unique() if len(frame) else None),
                                      legend=None if color == category else
                                      legend(frame[color].unique() if len(frame) else []))
    elif highlight:
        encoding["color"] = alt.condition(f"datum.{highlight}", alt.value(PALETTE[4]), alt.value(PALETTE[0]))
    bars = frame[category].nunique() if len(frame) else 0
    # The palette's blue, not the theme's: a bar means the same colour on every chart. 24 px a bar,
    # so two bars' labels do not overlap, whatever the legend above takes.
    height = max(60, 24 * bars)
    plots = f"bar chart of {_words(value)} by {_words(category)}, {bars} bar{'' if bars == 1 else 's'}"
    if color and color != category and len(frame):
        plots += f", each split by {_words(color)} ({_named(frame[color].unique())})"
    if bars and pd.api.types.is_numeric_dtype(frame[value]) and frame[value].notna().any():
        plots += f"; largest: {frame.groupby(category)[value].sum().idxmax()}"
    if highlight and len(frame) and frame[highlight].fillna(False).astype(bool).any():
        plots += f"; in red: {_named(frame.loc[frame[highlight].fillna(False).astype(bool), category])}"
    return _base(frame, title, plots).mark_bar(color=PALETTE[0]).encode(**encoding).properties(height=height)


def spend_by_goal(frame: pd.DataFrame, extra: tuple[str, ...] = ("share_of_spend",)) -> alt.Chart:
    """Spend per business goal, the unmapped bar in red (spend_by_business_goal)."""
    return hbar(frame, "business_goal", "actual", "Spend by business goal", highlight="is_unmapped", extra=extra)


def maturity_by_dimension(frame: pd.DataFrame) -> alt.Chart:
    """alignment_maturity's dimensions (without the Overall row)."""
    return hbar(frame, "dimension", "maturity", "Maturity by dimension", extra=("relationship_model",))


def health_mix(summary: pd.Series) -> alt.Chart:
    """How many projects are red, amber and green (a portfolio_summary row)."""
    mix = pd.DataFrame({"overall_health": ["Red", "Amber", "Green"],
                        "projects": [summary["red"], summary["amber"], summary["green"]]})
    return hbar(mix, "overall_health", "projects", "Health mix", color="overall_health",  # axis: Projects
                order=HEALTH.domain)  # in the legend's order, not by size


def _scale(field: str, shown: Iterable | None = None) -> alt.Scale:
    """A field's fixed colours; given the values shown, only theirs, so a legend lists no category
    the chart does not have (an 'Unclassified' with no spend), each keeping its own colour."""
    scale = {"overall_health": HEALTH, "health": HEALTH, "group": GROUPS, "scenario": SCENARIOS,
             "category": RGT}.get(field)
    if scale is None:
        return alt.Scale(range=PALETTE)
    if shown is None:
        return scale
    present = set(shown)
    kept = [(d, r) for d, r in zip(scale.domain, scale.range, strict=True) if d in present]
    return alt.Scale(domain=[d for d, _ in kept], range=[r for _, r in kept]) if kept else scale


MONTH_TEXT = r"^\d{4}-(0[1-9]|1[0-2])$"


def _month_name(month: Any) -> str:
    """'2026-01' (or a date) as a screen reader says it: January 2026."""
    return pd.Timestamp(str(month)[:7] + "-01").strftime("%B %Y")


def budget_actual_forecast(frame: pd.DataFrame, category: str, title: str, axis_title: str | None = None) -> alt.Chart:
    """For each category, the budget of the chosen months beside what they will cost: actuals of the
    closed months with the forecast of the rest stacked on top. Budget beside actuals alone made
    every unit look under budget while the year was over (the budget covers months not yet closed).
    Categories that are months ('2026-01') get a month axis: one 'Jan 2026' label per month; other
    categories are titled axis_title (else the chart's title names them: never 'Category')."""
    long = frame.melt(id_vars=[category], value_vars=["budget", "actual", "forecast"],
                      var_name="scenario", value_name="amount")
    long["scenario"] = long["scenario"].str.capitalize()
    long["bar"] = long["scenario"].map({"Budget": "Budget", "Actual": "Actual + forecast",
                                        "Forecast": "Actual + forecast"})
    long["stack_order"] = long["scenario"].map({"Budget": 0, "Actual": 0, "Forecast": 1})
    tallest = max(_largest(frame["budget"]), _largest(frame["actual"].fillna(0) + frame["forecast"].fillna(0)))
    months = len(frame) > 0 and frame[category].astype(str).str.match(MONTH_TEXT).all()
    if months:
        long[category] = long[category].astype(str) + "-01"
        x = alt.X(f"utcyearmonth({category}):O", axis=alt.Axis(
            title=label("month"), labelExpr=month_labels(len(frame)), labelOverlap=False, labelAngle=0))
        tips = [alt.Tooltip(f"utcyearmonth({category}):O", title=label("month"), format="%b %Y"),
                *tooltip("scenario", "amount")]
    else:
        x = alt.X(f"{category}:N", axis=alt.Axis(title=axis_title if category == "category" else label(category),
                                                 labelLimit=LABEL_LIMIT, labelOverlap=False, labelAngle=-40))
        tips = tooltip(category, "scenario", "amount")
    n = len(frame)
    if months:
        plots = f"bar chart by month, {n} month{'' if n == 1 else 's'}"
        plots += f" from {_month_name(frame[category].min())} to {_month_name(frame[category].max())}" if n else ""
    else:
        named = axis_title if category == "category" else label(category)  # else the title names them
        plots = f"bar chart{' by ' + lower_first(named) if named else ''}, {n} bar pair{'' if n == 1 else 's'}"
    plots += ": each budget beside its actual with the forecast stacked on top"
    return _base(long, title, plots).mark_bar().encode(
        x=x,
        xOffset=alt.XOffset("bar:N", sort=["Budget", "Actual + forecast"]),
        y=alt.Y("amount:Q", axis=money_axis(label("amount"), tallest), stack="zero"),
        color=alt.Color("scenario:N", scale=SCENARIOS, legend=legend(SCENARIOS.domain, title=None)),
        order=alt.Order("stack_order:Q"),
        tooltip=tips,
    )


def stacked_area(frame: pd.DataFrame, x: str, value: str, series: str, title: str,
                 normalize: bool = False, order: str | None = None) -> alt.Chart:
    rgt = series == "category" and set(frame[series]) <= set(RGT.domain)
    scale = _scale("category", frame[series].unique()) if rgt else alt.Scale(range=PALETTE)
    months, x_enc = month_axis(x, frame[x])
    frame = frame.assign(**{x: months})
    totals = frame.groupby(x)[value].sum() if len(frame) else []
    y_axis = alt.Axis(format="%", title="Share of spend") if normalize else _axis(value, totals)
    # One month has no area to draw (a stacked area of one point is nothing): a stacked bar says the same.
    one_month = frame[x].nunique() == 1
    if one_month:  # its label under the bar: a band, not a point in time
        x_enc = alt.X(f"utcyearmonth({x}):O", axis=alt.Axis(title=label(x), format="%b %Y", labelAngle=0))
    parts = _named(sorted(frame[series].unique(), key=lambda v: RGT.domain.index(v) if rgt else str(v))) \
        if len(frame) else "none"
    plots = (f"{'stacked bar' if one_month else 'stacked area'} chart of {_words(value)} by month"
             f"{' as shares of each month' if normalize else ''}, {_span(frame[x])}; "
             f"{lower_first(_series_title(series, frame))}: {parts}")
    base = _base(frame, title, plots)
    return (base.mark_bar(opacity=0.85) if one_month else base.mark_area(opacity=0.85)).encode(
        x=x_enc,
        y=alt.Y(f"{value}:Q", stack="normalize" if normalize else "zero", axis=y_axis),
        color=alt.Color(f"{series}:N", title=_series_title(series, frame), scale=scale,
                        sort=alt.EncodingSortField(order, order="ascending") if order else "ascending",
                        legend=legend(frame[series].unique() if len(frame) else [])),
        order=alt.Order(f"{order}:Q") if order else alt.Order(f"{series}:N"),
        tooltip=[_month_tip(x), *tooltip(series, value)],
    )


def _series_title(series: str, frame: pd.DataFrame) -> str:
    """'Category' says nothing: a run/grow/transform mix is named as such."""
    if series == "category" and len(frame) and set(frame[series]) <= set(RGT.domain):
        return "Run, grow or transform"
    return "Part of spend" if series == "category" else label(series)


def _span(dates: pd.Series) -> str:
    """The months a time axis covers, in words: '12 months, January 2026 to December 2026'."""
    months = pd.to_datetime(pd.Series(dates)).dropna().dt.to_period("M")
    if months.empty:
        return "no months"
    n = months.nunique()
    first, last = (m.strftime("%B %Y") for m in (months.min(), months.max()))
    return f"1 month, {first}" if n == 1 else f"{n} months, {first} to {last}"


def _month_tip(field: str, daily: bool = False) -> alt.Tooltip:
    unit, fmt = ("utcyearmonthdate", "%d %b %Y") if daily else ("utcyearmonth", "%b %Y")
    return alt.Tooltip(f"{unit}({field}):T", title=label(field), format=fmt)


def cumulative_flow(frame: pd.DataFrame, title: str = "Cumulative flow: items per stage by week") -> alt.Chart:
    """Kanban's cumulative flow diagram (cumulative_flow): Finished at the bottom, then the stages in
    reverse flow order, so the top edge is every item that has arrived and the bottom band only grows."""
    stages = frame.sort_values("stage_order")["stage"].drop_duplicates().tolist()
    working = [c for c in PALETTE if c != PALETTE[2]]  # green is kept for Finished
    colours = [working[i % len(working)] for i in range(len(stages) - 1)] + [PALETTE[2]]
    weeks, x = month_axis("week", frame["week"], title="Week")
    frame = frame.assign(week=weeks)
    totals = frame.groupby("week")["items"].sum() if len(frame) else []
    plots = (f"stacked area chart of items in each stage by week, {frame['week'].nunique()} weeks; stages from "
             f"the top: {_named(stages) if stages else 'none'}")
    return _base(frame, title, plots).mark_area(opacity=0.85).encode(
        x=x,
        y=alt.Y("items:Q", stack="zero", axis=_axis("items", totals)),
        # The legend lists the stages top to bottom as they are stacked: first stage first, Finished last.
        color=alt.Color("stage:N", title=label("stage"), scale=alt.Scale(domain=stages, range=colours), sort=stages,
                        legend=legend(stages, labelLimit=LABEL_LIMIT)),
        order=alt.Order("stage_order:Q", sort="descending"),
        tooltip=[_month_tip("week", daily=True), *tooltip("stage", "items", types={"items": "Q"})],
    )


def line(frame: pd.DataFrame, x: str, value: str, title: str) -> alt.Chart:
    months, x_enc = month_axis(x, frame[x])
    frame = frame.assign(**{x: months})
    plots = f"line chart of {_words(value)} by month, {_span(frame[x])}"
    return _base(frame, title, plots).mark_line(point=True, color=PALETTE[0]).encode(
        x=x_enc,
        y=alt.Y(f"{value}:Q", axis=_axis(value, frame[value])),
        tooltip=[_month_tip(x), *tooltip(value, types={value: "Q"})],
    )


POINT_PADDING = 24  # px between the axes and the scale's ends: a point or bubble is drawn whole, off the axis


def _padded_from_zero(values: Any) -> alt.Scale:
    """A money scale padded so the largest bubble (34 px across) is drawn whole, off the axes, but
    that starts at 0 where no value is negative: the padding alone ran a cost axis to −$0.5m, a cost
    no project has. A real negative (a credit, a benefit written back) keeps the padded low end."""
    values = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    negative = bool((values < 0).any())
    return alt.Scale(padding=POINT_PADDING, **({} if negative else {"domainMin": 0}))


def bubble(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Projects: value (expected benefit) against cost, sized by risk, coloured by health. The risk
    legend shows all five levels, so a reader can tell a 2 from a 4; it sits under the plot, the
    health above (two legends side by side above the plot ran off a phone's width)."""
    n = len(frame)
    red = int((frame["overall_health"] == "Red").sum()) if n else 0
    plots = (f"bubble chart of {n} project{'' if n == 1 else 's'}: expected benefit (up) against cost to date "
             f"(right), bubble size the risk from 1 to 5, colour the health ({red} red)")
    return _base(frame, title, plots).mark_circle(opacity=0.8, stroke="#666", strokeWidth=0.5).encode(
        x=alt.X("actual_cost:Q", axis=money_axis(label("actual_cost"), _largest(frame["actual_cost"])),
                scale=_padded_from_zero(frame["actual_cost"])),
        y=alt.Y("expected_benefit:Q", axis=money_axis(label("expected_benefit"), _largest(frame["expected_benefit"])),
                scale=_padded_from_zero(frame["expected_benefit"])),
        size=alt.Size("risk:Q", title=label("risk"), scale=alt.Scale(domain=[1, 5], range=[60, 900]),
                      legend=legend(["5"], symbol_px=34, values=[1, 2, 3, 4, 5], format="d", symbolFillColor=GREY,
                                    symbolStrokeColor=GREY, orient="bottom")),
        color=alt.Color("overall_health:N", scale=HEALTH, title=label("overall_health"), legend=legend(HEALTH.domain)),
        tooltip=tooltip("name", "business_unit", "actual_cost", "eac", "cost_variance_pct", "expected_benefit",
                        "realized_benefit", "roi", "risk", "overall_health", types={"risk": "Q"}),
    ).properties(height=320)


def ev_indices(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Earned value's two indices per project (earned_value): right of 1 is ahead of plan, above 1 is
    under cost; bottom-left is behind and over. Coloured by health, lines at 1."""
    n = len(frame)
    behind_over = int(((frame["spi"] < 1) & (frame["cpi"] < 1)).sum()) if n else 0
    plots = (f"scatter chart of {n} open project{'' if n == 1 else 's'}: cost performance (CPI, up) against "
             f"schedule performance (SPI, right), dashed lines at 1, colour the health; {behind_over} behind "
             "schedule and over cost (both under 1)")
    points = _base(frame, title, plots).mark_circle(size=160, opacity=0.85, stroke="#666", strokeWidth=0.5).encode(
        # Padded, so no point sits on an axis (SPI 0.45 did); a tick every 80 px of the width, 40 of the height.
        x=alt.X("spi:Q", scale=alt.Scale(zero=False, nice=True, padding=POINT_PADDING),
                axis=alt.Axis(title=label("spi"), tickCount={"expr": "ceil(width / 80)"})),
        y=alt.Y("cpi:Q", scale=alt.Scale(zero=False, nice=True, padding=POINT_PADDING),
                axis=alt.Axis(title=label("cpi"), tickCount={"expr": "ceil(height / 40)"})),
        color=alt.Color("overall_health:N", scale=HEALTH, title=label("overall_health"), legend=legend(HEALTH.domain)),
        tooltip=tooltip("name", "business_unit", "percent_complete", "spi", "cpi", "eac", "eac_basis",
                        "overall_health", types={"spi": "Q", "cpi": "Q"}))
    one = alt.Chart(pd.DataFrame({"v": [1.0]})).mark_rule(strokeDash=[4, 4], color=GREY)
    return _layered(points + one.encode(x="v:Q") + one.encode(y="v:Q"), points).properties(height=300)


def gap_dumbbell(frame: pd.DataFrame, title: str) -> alt.Chart:
    """IT's and the business's mean score per dimension, joined by a line: the gap made visible."""
    long = frame.melt(id_vars=["dimension", "gap"], value_vars=["it_mean", "business_mean"],
                      var_name="group", value_name="score")
    long["group"] = long["group"].map({"it_mean": "IT", "business_mean": "Business"})
    order = list(frame["dimension"])
    # Every dimension named: Vega drops labels it finds crowded, and the room's large type left three of six.
    y = alt.Y("dimension:N", sort=order, axis=_category_axis("dimension", title=None))
    widest = frame.loc[frame["gap"].abs().idxmax()] if len(frame) and frame["gap"].notna().any() else None
    plots = (f"dot plot of IT's and the business's mean score (1 to 5) for {len(order)} dimension"
             f"{'' if len(order) == 1 else 's'}, the two joined by a line"
             + (f"; widest gap: {widest['dimension']} (IT {widest['it_mean']:.2f}, business "
                f"{widest['business_mean']:.2f})" if widest is not None else ""))
    base = _base(long, title, plots)
    rule = base.mark_rule(color=GREY, strokeWidth=3).encode(
        y=y, x=alt.X("min(score):Q", scale=alt.Scale(domain=[1, 5]),
                     axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d", title="Mean score (1 to 5)")),
        x2="max(score):Q")
    dots = base.mark_circle(size=180, opacity=1).encode(
        y=y, x=alt.X("score:Q", scale=alt.Scale(domain=[1, 5])),
        color=alt.Color("group:N", scale=GROUPS, title=label("group"), legend=legend(GROUPS.domain)),
        tooltip=tooltip("dimension", "group", "score", "gap", types={"score": "Q", "gap": "Q"}))
    # 36 px a dimension, so two rows' labels and dots do not touch (the legend and axis add to it).
    return _layered(rule + dots, base).properties(height=max(100, 36 * len(order)))


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
    plots = (f"100% bar chart of how IT (upper bar) and the business (lower bar) answered, from strongly disagree "
             f"to strongly agree, for {len(dimensions)} dimension{'' if len(dimensions) == 1 else 's'}: "
             f"{_named(dimensions) if dimensions else 'none'}")
    return _base(long, title, plots).mark_bar().encode(
        y=alt.Y("dimension:N", sort=dimensions, axis=alt.Axis(title=None, labelLimit=LABEL_LIMIT)),
        yOffset=alt.YOffset("respondent_group:N", sort=["IT", "Business"], title=label("group")),
        x=alt.X("people:Q", stack="normalize", axis=alt.Axis(format="%", title="Share of answers")),
        color=alt.Color("answer:N", scale=LIKERT_SCALE, title="Answer", sort=LIKERT_SCALE.domain,
                        legend=legend(LIKERT_SCALE.domain)),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("dimension:N", title=label("dimension")),
                 alt.Tooltip("respondent_group:N", title=label("group")),
                 alt.Tooltip("answer:N", title="Answer"), alt.Tooltip("people:Q", title="People")],
    ).properties(height=44 * max(3, len(dimensions)))  # two bars a dimension


QUADRANTS = alt.Scale(domain=["Fix first", "Keep it up", "Low priority", "Possible over-investment"],
                      range=[PALETTE[4], PALETTE[2], GREY, PALETTE[0]])


def quadrant(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Importance against satisfaction, split at the means of the questions shown (importance_mean,
    satisfaction_mean of importance_satisfaction): top-left is 'fix first'. Hidden questions are left out."""
    frame = frame.dropna(subset=["importance", "satisfaction"])
    fix = frame.loc[frame["quadrant"] == "Fix first", "question"] if len(frame) and "question" in frame else []
    plots = (f"scatter chart of {len(frame)} question{'' if len(frame) == 1 else 's'}: importance (up) against "
             "satisfaction (right), both 1 to 5, split at their means into fix first (top left), keep it up, low "
             f"priority and possible over-investment; {len(fix)} to fix first")
    base = _base(frame, title, plots)
    points = base.mark_circle(size=160).encode(
        x=alt.X("satisfaction:Q", scale=alt.Scale(domain=[1, 5]), axis=_axis("satisfaction")),
        y=alt.Y("importance:Q", scale=alt.Scale(domain=[1, 5]), axis=_axis("importance")),
        color=alt.Color("quadrant:N", title=label("quadrant"), scale=QUADRANTS, legend=legend(QUADRANTS.domain)),
        tooltip=tooltip("question", "dimension", "importance", "satisfaction", "quadrant",
                        *(["respondents"] if "respondents" in frame else []),
                        types={"importance": "Q", "satisfaction": "Q"}))
    means = (frame[["satisfaction_mean", "importance_mean"]].head(1) if "importance_mean" in frame and len(frame)
             else pd.DataFrame({"satisfaction_mean": [3.0], "importance_mean": [3.0]}))
    rules = alt.Chart(means).mark_rule(strokeDash=[4, 4], color=GREY)
    return _layered(points + rules.encode(x="satisfaction_mean:Q") + rules.encode(y="importance_mean:Q"),
                    points).properties(height=300)


def for_the_room(chart: alt.Chart, dark: bool | None = None, height: int = 560) -> alt.Chart:
    """The same chart with type readable from the back of a room, for presentation mode. Text colours
    are left to the screen's theme (Streamlit fills them in the browser, where the theme is known for
    sure); the server's guess at the theme was wrong on a first load and drew dark text on dark. Pass
    dark=True or False only for a picture rendered outside the browser."""
    colours = {}
    if dark is not None:
        text, grid = ("#FAFAFA", "#3A3F4B") if dark else ("#262730", "#E6E6E6")
        colours = {"labelColor": text, "titleColor": text, "gridColor": grid, "domainColor": grid, "tickColor": grid}
    legend_ink = {k: v for k, v in colours.items() if k in ("labelColor", "titleColor")}
    title = {"color": colours["titleColor"]} if colours else {}
    chart = chart.copy(deep=True)
    for part in [chart, *getattr(chart, "layer", [])]:  # a subtitle's own size and ink are its title's (title_params)
        if isinstance(part.title, alt.TitleParams) and part.title.subtitle is not alt.Undefined:
            part.title.subtitleFontSize = 18
            if colours:
                part.title.subtitleColor = colours["titleColor"]
    # Here the height is the whole chart's, title and legend included: a room's screen holds it all.
    return (chart.properties(height=height, autosize=alt.AutoSizeParams(type="fit", contains="padding"))
            .configure(background="transparent")  # the font too is the app's, set by Streamlit in the browser
            .configure_axis(labelFontSize=18, titleFontSize=18, labelLimit=360, titlePadding=28, **colours)
            .configure_legend(labelFontSize=18, titleFontSize=18, symbolSize=240, labelLimit=360, **legend_ink)
            .configure_title(fontSize=22, anchor="start", **title)
            .configure_range(category=PALETTE)
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
