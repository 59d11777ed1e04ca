"""The findings a facilitator walks a room through, one per screen: a sentence with the number
that matters, a line of context, and the chart that shows it. Built from the analyses alone, so
the slides never disagree with the dashboards; a finding whose data is missing is left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd

from alignment import charts
from alignment.formatting import missing, money, number, pct

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


def budget(run: Run) -> Finding | None:
    p = _first(run("year_end_projection"))
    if p is None or missing(p.ytd_actual) or missing(p.ytd_variance_pct):
        return None
    detail = ""
    if not missing(p.projected_full_year) and not missing(p.projected_variance_pct):
        detail = (f"At the current burn rate of {money(p.burn_rate)} a month the year ends at "
                  f"{money(p.projected_full_year)}: {_over_under(p.projected_variance_pct)} the full-year "
                  f"budget of {money(p.full_year_budget)}.")
    monthly = run("budget_vs_actual", group_by="month")
    return Finding("budget", "Spend against budget",
                   f"IT has spent {money(p.ytd_actual)} in {int(p.months_elapsed)} months: "
                   f"{_over_under(p.ytd_variance_pct)} the budget for the same months.", detail,
                   charts.budget_actual_forecast(monthly, "category", "Budget, actual and forecast by month"))


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
                   f"({money(s.realized_benefit)} of {money(s.expected_benefit)}).",
                   charts.health_mix(s))


def bottleneck(run: Run) -> Finding | None:
    stages = run("bottleneck_stages")
    worst = stages[stages["is_bottleneck"]] if not stages.empty else stages
    if worst.empty:
        return None
    w = worst.iloc[0]
    return Finding("bottleneck", "Where work waits",
                   f"Work waits longest in {w.stage}: {pct(w.share_of_time)} of all the time items spend "
                   "in the flow.",
                   f"A typical item spends {number(w.median_days, 0)} days there; one in seven takes over "
                   f"{number(w.p85_days, 0)}. {int(w.wip)} items are there now.",
                   charts.hbar(stages, "stage", "share_of_time", "Share of time by stage", highlight="is_bottleneck",
                               extra=("median_days", "p85_days", "wip")))


def alignment_gap(run: Run, wave: str | None = None) -> Finding | None:
    gap = run("alignment_gap", wave=wave).dropna(subset=["gap"])
    if gap.empty:
        return None
    g = gap.loc[gap["gap"].abs().idxmax()]
    side = "IT rates it higher than the business does" if g.gap > 0 else "the business rates it higher than IT does"
    return Finding("gap", "Where IT and the business disagree",
                   f"The widest gap is {g.dimension}: {side} ({number(g.it_mean)} against "
                   f"{number(g.business_mean)}, out of 5).",
                   f"{int(g.it_respondents)} people from IT and {int(g.business_respondents)} from the business "
                   "answered. A gap this size is where the conversation starts.",
                   charts.gap_dumbbell(gap, "IT view vs business view"))


def maturity(run: Run, wave: str | None = None) -> Finding | None:
    m = run("alignment_maturity", wave=wave)
    overall = m[m["dimension"] == "Overall"] if not m.empty else m
    if overall.empty or missing(overall.iloc[0].maturity):
        return None
    o = overall.iloc[0]
    dims = m[m["dimension"] != "Overall"].sort_values("maturity")
    return Finding("maturity", "Alignment maturity",
                   f"Alignment maturity is {number(o.maturity)} out of 5: Luftman level '{o.luftman_level}', "
                   f"a {o.relationship_model} relationship.",
                   f"Weakest dimension: {dims.iloc[0].dimension} ({number(dims.iloc[0].maturity)}); strongest: "
                   f"{dims.iloc[-1].dimension} ({number(dims.iloc[-1].maturity)}).",
                   charts.maturity_by_dimension(dims))


def build(run: Run, wave: str | None = None) -> list[Finding]:
    """Money first (what it costs), then delivery, then the relationship."""
    found = [budget(run), unmapped_spend(run), portfolio(run), bottleneck(run), alignment_gap(run, wave),
             maturity(run, wave)]
    return [f for f in found if f is not None]
