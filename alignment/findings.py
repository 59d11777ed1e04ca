"""The findings a facilitator walks a room through, one per screen: a sentence with the number
that matters, a line of context, and the chart that shows it. Built from the analyses alone, so
the slides never disagree with the dashboards; a finding whose data is missing is left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from alignment import charts
from alignment.formatting import how_many, listing, missing, money, number, pct, whole

Run = Callable[..., pd.DataFrame]


@dataclass(frozen=True)
class Finding:
    key: str
    title: str
    headline: str
    detail: str
    chart: alt.Chart | None = None


def _first(frame: pd.DataFrame) -> pd.Series | None:
    return None if frame.empty else frame.iloc[0]


def _over_under(pct_value: float) -> str:
    return f"{pct(abs(pct_value))} over" if pct_value > 0 else f"{pct(abs(pct_value))} under"


def projection_basis(p: pd.Series) -> str:
    """What a year_end_projection row assumed, in words, so the slide and the Spend page say the same."""
    year = f"FY{int(p.fiscal_year)} ({p.fiscal_year_from} to {p.fiscal_year_to})"
    if missing(p.projected_full_year):
        text = (f"{year} cannot be projected: it has no actuals yet, so there is no run rate for "
                f"{how_many(p.run_rate_months, 'month')} with no forecast.")
    else:
        span = (p.last_actual_month if p.first_actual_month == p.last_actual_month
                else f"{p.first_actual_month} to {p.last_actual_month}")
        parts = [f"{how_many(p.actual_months, 'month')} of actuals ({span})"] if p.actual_months else []
        if p.forecast_months:
            parts.append(f"the forecast for {how_many(p.forecast_months, 'month')}" + (
                " (a unit that gave none, at its own run rate)" if p.partly_forecast_months else ""))
        if p.run_rate_months:
            parts.append(f"the run rate of {money(p.burn_rate)} a month for {how_many(p.run_rate_months, 'month')}")
        verb = {"projected": "is projected from", "estimated": "is estimated from",
                "actual": "is summed from"}[year_end_kind(p)]
        text = f"{year} {verb} {listing(parts)}."
    if p.get("units_behind", 0) and not missing(p.projected_full_year):  # a unit's ledger arrives later
        n = int(p.units_behind)
        names = p.behind_units
        who = f"{names} has" if n == 1 else (f"{names} have" if n <= 3 else f"{n} business units have")
        its = "its" if n == 1 else "their"
        text += (f" {who} not loaded actuals for every month the other units have: {its} open months count at "
                 f"{its} forecast or run rate, not as nothing spent, and {its} budget for them is not yet to date.")
    if p.months_covered < 12:  # said first: the figure and its budget are not a whole year's
        text = (f"Only {p.months_covered:.0f} of FY{int(p.fiscal_year)}'s 12 months have spend lines; the "
                f"{'projection' if year_end_kind(p) == 'projected' else 'year end'} and its budget cover those "
                f"{p.months_covered:.0f}, not a whole year. " + text)
    if p.get("fiscal_years_chosen", 1) > 1:  # said first: the other year's months are not in this figure
        text = (f"The chosen months reach into {int(p.fiscal_years_chosen)} fiscal years; the year end is FY"
                f"{int(p.fiscal_year)}'s, the year of the last chosen month with actuals (else of the last chosen "
                "month). " + text)
    if p.budget_months < p.months_covered:
        text += (f" {how_many(p.months_covered - p.budget_months, 'month')} with spend lines "
                 f"{'has' if p.months_covered - p.budget_months == 1 else 'have'} no budget.")
    return text


def budget(run: Run, unit: str | None = None) -> Finding | None:
    """The year's spend against budget; `unit`, when the filters chose one, is named in the headline:
    the room sees no sidebar, and a unit's figure read as the company's is the wrong story."""
    p = _first(run("year_end_projection"))
    if p is None or not p.actual_months or missing(p.variance_to_date_pct):
        waiting = run("actuals_after_close")  # every actual waits for the close: said, not left out unsaid
        if waiting is None or waiting.empty:
            return None
        closed = waiting.closed_through.iloc[0]
        return Finding("budget", "Spend against budget",
                       f"No actual spend is counted yet: the books are closed through {closed}.",
                       after_close(waiting) or "")
    detail = projection_basis(p)
    if not missing(p.projected_full_year) and not missing(p.projected_variance_pct):
        detail = (f"{year_end_words(p)} {money(p.projected_full_year)}: "
                  f"{_over_under(p.projected_variance_pct)} its budget of {money(p.full_year_budget)}. " + detail)
    partial = partly_loaded(run("partial_months"))
    if partial:  # said first: the headline's figure is wrong until that month closes
        detail = partial + " " + detail
    waiting = after_close(run("actuals_after_close"))
    if waiting:  # said last: the figures are right for the closed months, and these are on their way
        detail += " " + waiting
    # The headline is the fiscal year's, so the chart is too, whatever months the filter chose.
    year = {"period_from": dt.date.fromisoformat(f"{p.fiscal_year_from}-01"),
            "period_to": dt.date.fromisoformat(f"{p.fiscal_year_to}-01")}
    monthly = run("budget_vs_actual", group_by="month", **year)
    if set(run("budget_vs_actual", group_by="month")["category"]) != set(monthly["category"]):
        detail += f" The chart shows FY{int(p.fiscal_year)}'s months, whatever months are chosen."
    ended = year_end_kind(p) != "projected"
    # The months the figure covers are named: a filter may have chosen others (they only pick the year).
    who = f"IT for {unit}" if unit else "IT"
    fy = f"FY{int(p.fiscal_year)}"
    headline = (f"{who} spent {money(p.actual_to_date)} in {fy} (actuals to {p.last_actual_month}): "
                f"{_over_under(p.variance_to_date_pct)} the budget of those months." if ended else
                f"{who} has spent {money(p.actual_to_date)} in {fy} to {p.last_actual_month}: "
                f"{_over_under(p.variance_to_date_pct)} budget to date.")
    return Finding("budget", "Spend against budget", headline, detail,
                   charts.budget_actual_forecast(monthly, "category",
                                                 f"{fy}: budget, actual and forecast by month"))


def partly_loaded(months: pd.DataFrame) -> str | None:
    """A partial_months result in words (None: nothing looks partly loaded), for the slides, the
    Spend page, the Overview and the Data page alike."""
    if months is None or months.empty:
        return None
    listed = listing([f"{r.business_unit} ({r.month}: {pct(r.share_of_budget)} of its budget)"
                      for r in months.itertuples()])
    return (f"The newest month of actuals looks partly loaded for {listed}. Budget to date counts that month's "
            "whole budget against the actuals loaded so far, so spend reads further under budget than it is; if "
            "the month is not closed yet, set Books closed through (Settings) to the month before: its actuals then "
            "wait for the close, kept.")


def after_close(months: pd.DataFrame) -> str | None:
    """An actuals_after_close result in words (None: nothing waits for the close): loaded actuals
    that no figure counts must be said, or the upload looks lost."""
    if months is None or months.empty:
        return None
    first = months.iloc[0]
    return (f"Actuals of {listing(list(months.month))} ({money(months.actual.sum())} in "
            f"{how_many(months.lines.sum(), 'line')}) are loaded but not counted yet: the books are closed "
            f"through {first.closed_through} (Settings); move it on as each month closes.")


def year_end_kind(p: pd.Series) -> str:
    """What a year_end_projection row's year end is: 'projected' for a year still running by the
    as-of date; for one over, 'estimated' while some of its 12 months have no actuals, else 'actual'."""
    if not p.get("year_ended", False):
        return "projected"
    return "estimated" if p.actual_months < 12 else "actual"


def year_end_words(p: pd.Series) -> str:
    """How the year end reads: ahead for a year still running, behind for one over."""
    kind = year_end_kind(p)
    if kind == "projected":
        return "The fiscal year is projected to end at"
    if kind == "estimated":
        return (f"The fiscal year is over, but {int(12 - p.actual_months)} of its 12 months have no actuals "
                "loaded: it is estimated to have ended at")
    return "The fiscal year ended at"


def unmapped_spend(run: Run) -> Finding | None:
    goals = run("spend_by_business_goal")
    if goals.empty or not goals["actual"].sum():
        return None
    unmapped = goals[goals["is_unmapped"]]
    share = float(unmapped["share_of_spend"].sum()) if not unmapped.empty else 0.0
    top = goals[~goals["is_unmapped"]].sort_values("actual", ascending=False)
    detail = (f"The most spend goes to {top.iloc[0].business_goal} ({pct(top.iloc[0].share_of_spend)})."
              if not top.empty else "No spend is mapped to a business goal yet.")
    return Finding("unmapped", "Spend and business goals",
                   f"{pct(share)} of IT spend ({money(unmapped['actual'].sum())}) serves no named business goal.",
                   detail, charts.spend_by_goal(goals))


def portfolio(run: Run) -> Finding | None:
    s = _first(run("portfolio_summary"))
    if s is None or missing(s.projects) or not s.projects:
        return None
    return Finding("portfolio", "Project portfolio",
                   f"{int(s.red)} of {int(s.projects)} projects are red; {pct(s.on_time_rate)} are on time "
                   f"and {pct(s.on_budget_rate)} on budget.",
                   f"So far {pct(s.benefit_realization)} of the promised benefits have been realised "
                   f"({money(s.realized_benefit)} of {money(s.expected_benefit)}). On time and on budget mean "
                   f"within {s.health_amber_pct:g}% of plan, over or under, as the health bands do; open projects "
                   f"count on their estimate at completion and forecast finish as of {s.as_of:%Y-%m-%d}.",
                   charts.health_mix(s))


def bottleneck(run: Run) -> Finding | None:
    stages = run("bottleneck_stages")
    worst = stages[stages["is_bottleneck"]] if not stages.empty else stages
    if worst.empty:
        return None
    w = worst.iloc[0]
    # A stage counted as work (active_stages setting) is where the time goes, not where work waits.
    title, where = (("Where the time goes", f"Items spend longest in {w.stage}, a working stage") if w.is_active
                    else ("Where work waits", f"Work waits longest in {w.stage}"))
    flow = _first(run("flow_efficiency"))
    efficiency = (f" Of finished items' time from start to finish, {pct(flow.flow_efficiency)} was work."
                  if flow is not None and flow["items"] and not missing(flow.flow_efficiency) else "")
    return Finding("bottleneck", title,
                   f"{where}: {pct(w.share_of_time)} of all the time items spend in the flow's stages.",
                   f"A typical item spends {_days(w.median_days)} there; 15% of items take over "
                   f"{_days(w.p85_days)}. {how_many(w.wip, 'item')} "
                   f"{'is' if whole(w.wip) == 1 else 'are'} there now.{efficiency}",
                   charts.hbar(stages, "stage", "share_of_time", "Share of time by stage", highlight="is_bottleneck",
                               extra=("median_days", "p85_days", "wip")))


def _days(value: Any) -> str:
    """A number of days in words, rounded: 1 day, 10 days (the median of 10.6 is 11 days)."""
    return "–" if missing(value) else how_many(round(float(value)), "day")


def hidden_groups(frame: pd.DataFrame) -> list[str]:
    """Dimensions whose IT or business view is not shown (alignment_gap or alignment_maturity rows),
    each with how many answered on each side: the count is the reason."""
    if frame.empty or "suppressed" not in frame:
        return []
    return grouped([(r.dimension, f"IT {int(r.it_respondents)}, business {int(r.business_respondents)}")
                    for r in frame[frame["suppressed"].fillna(False).astype(bool)].itertuples()])


def grouped(pairs: list[tuple[str, str]]) -> list[str]:
    """(name, counts) pairs → 'A, B and C (counts)' per distinct counts, so six dimensions hidden
    for one reason read as one phrase."""
    names: dict[str, list[str]] = {}
    for name, counts in pairs:
        names.setdefault(counts, []).append(str(name))
    return [f"{', '.join(n[:-1])} and {n[-1]} ({c})" if len(n) > 1 else f"{n[0]} ({c})" for c, n in names.items()]


def too_few(groups: list[str], minimum: int | None = None) -> str:
    """The sentence shown instead of figures from groups under the minimum number of respondents."""
    if not groups:
        return ""
    fewer = f"fewer than {minimum} people" if minimum else "too few people"
    return (f"Not shown where {fewer} answered on a side, so nobody's answers can be singled out and a "
            f"handful of people don't speak for a whole side: {'; '.join(groups)}.")


def _view(side: str, score: float, people: int) -> str:
    if missing(score):
        return f"{side}'s view is not shown ({int(people)} answered)"
    return f"{side} rates it {number(score)} ({int(people)} people)"


def alignment_gap(run: Run, wave: str | None = None) -> Finding | None:
    frame = run("alignment_gap", wave=wave)
    if frame.empty:
        return None
    gap = frame.dropna(subset=["gap"])
    hidden = too_few(hidden_groups(frame))
    if gap.empty:
        return Finding("gap", "Where IT and the business disagree",
                       "Too few people answered on a side to compare IT and the business.", hidden)
    g = gap.loc[gap["gap"].abs().idxmax()]
    side = "IT rates it higher than the business does" if g.gap > 0 else "the business rates it higher than IT does"
    return Finding("gap", "Where IT and the business disagree",
                   f"The widest gap is {g.dimension}: {side} ({number(g.it_mean)} against "
                   f"{number(g.business_mean)}, out of 5).",
                   f"{int(g.it_respondents)} people from IT and {int(g.business_respondents)} from the business "
                   f"answered. A gap this size is where the conversation starts. {hidden}".strip(),
                   charts.gap_dumbbell(gap, "IT view vs business view"))


def maturity(run: Run, wave: str | None = None) -> Finding | None:
    """Luftman maturity as the mean of IT's and the business's views, each side counting once."""
    m = run("alignment_maturity", wave=wave)
    overall = m[m["dimension"] == "Overall"] if not m.empty else m
    if overall.empty:
        return None
    o = overall.iloc[0]
    views = "; ".join((_view("IT", o.it_maturity, o.it_respondents),
                       _view("the business", o.business_maturity, o.business_respondents)))
    if missing(o.maturity):
        return Finding("maturity", "Alignment maturity",
                       "Alignment maturity needs enough people from both IT and the business.",
                       f"{views}. A side is shown once enough of its people have answered, "
                       "so nobody's answers can be singled out.")
    dims = m[(m["dimension"] != "Overall") & m["maturity"].notna()].sort_values("maturity")
    extremes = (f" Weakest dimension: {dims.iloc[0].dimension} ({number(dims.iloc[0].maturity)}); strongest: "
                f"{dims.iloc[-1].dimension} ({number(dims.iloc[-1].maturity)})." if not dims.empty else "")
    return Finding("maturity", "Alignment maturity",
                   f"Alignment maturity is {number(o.maturity)} out of 5: Luftman level '{o.luftman_level}', "
                   f"a {o.relationship_model} relationship.",
                   f"{views}; the score is the mean of the two views.{extremes} The relationship is this "
                   "product's mapping of the score.",
                   charts.maturity_by_dimension(dims))


def build(run: Run, wave: str | None = None, unit: str | None = None) -> list[Finding]:
    """Money first (what it costs), then delivery, then the relationship. `unit`: the business unit
    the filters chose, which `run` already applies; the budget headline names it."""
    found = [budget(run, unit), unmapped_spend(run), portfolio(run), bottleneck(run), alignment_gap(run, wave),
             maturity(run, wave)]
    return [f for f in found if f is not None]
