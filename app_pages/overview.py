import streamlit as st

from alignment import charts
from alignment.deltas import delta, label_only
from alignment.findings import hidden_groups, too_few
from alignment.formatting import how_many, missing
from alignment.waves import source_sentence
from app_pages.common import (
    OVERVIEW,
    answers,
    board_pack_download,
    chart,
    empty_notice,
    money,
    month_close_notice,
    number,
    pct,
    prefetch,
    run,
    store_or_stop,
    whole,
    workbook_download,
)

st.title("What IT costs, and what the business gets for it")
prefetch(*OVERVIEW)
summary = run("executive_summary")
if summary.empty or summary["it_spend"].isna().all() and not summary["projects"].fillna(0).any():
    empty_notice("data")
    st.stop()
s = summary.iloc[0]
answers("executive_summary")

if missing(s.it_spend):  # months with only budget or forecast lines (the year's open months, say)
    st.info("No actual spend is recorded in the chosen months (they may hold only budget or forecast, or actuals "
            "after the books' close), so the spend figures are blank. The project and alignment figures do not "
            "follow the month filter.")
# How far the actuals go (the Spend page's "actual to 2026-10"): the chosen months may run past them into
# months of budget and forecast only, and a year's figure to October is not the year's.
monthly = run("budget_vs_actual", group_by="month")
booked = sorted(monthly.loc[monthly["actual"].notna(), "category"]) if not monthly.empty else []
through = f"Actuals to {booked[-1]}" if booked else None
close = store_or_stop().settings()["books_closed_through"]  # later actuals are loaded, not counted yet
after = (f" The chosen months after {booked[-1]} hold only budget or forecast"
         f"{', and actuals whose books are not closed yet' if close else ''}."
         if booked and booked[-1] != max(monthly["category"]) else "")
to = f"up to the books' close ({close:%Y-%m}; Settings)" if close else "to the last month with actuals"
a, b, c, d = st.columns(4)
a.metric("IT spend", money(s.it_spend), **label_only(through),
         help=f"Actual spend in the chosen months, {to}.{after}")
b.metric("Against budget to date", pct(s.budget_variance_pct, signed=True),
         **delta(s.budget_variance, lower_is_better=True),
         help="Actual − budget of the chosen months each business unit has actuals for (a unit whose ledger is "
              "late is not counted as underspent): positive is over budget.")
c.metric("Spend serving no business goal", pct(s.unmapped_share),
         help="Share of spend with no business goal mapped.")
d.metric("Fully loaded IT spend / revenue", pct(s.it_spend_pct_revenue),
         help=f"Fully loaded IT spend (a unit's own plus its share of shared cost, by headcount) ÷ revenue, over the "
              f"{how_many(s.it_ratio_months, 'chosen month')} with both actual spend and business metrics. Per "
              f"employee a year: {money(s.it_spend_per_employee)} (annualised spend ÷ average headcount, Apptio).")
month_close_notice()  # a month whose first lines are all that is in, or actuals the close does not count yet
a, b, c, d = st.columns(4)
a.metric("Projects on time", pct(s.on_time_rate),
         help=f"{whole(s.projects)} projects; {whole(s.red_projects)} red. On time: schedule variance under "
              f"{s.project_green_band_pct:g}% of plan, late or early (the green health band); open projects on their "
              "forecast finish, or the as-of date once past their planned end.")
b.metric("Projects on budget", pct(s.on_budget_rate),
         help=f"Cost variance at completion under {s.project_green_band_pct:g}% of budget, over or under (the green "
              "health band); open projects on their estimate at completion.")
c.metric("Benefits realised", pct(s.benefit_realization), help="Realised ÷ expected benefit, all projects.")
d.metric("Alignment maturity", f"{number(s.alignment_maturity)} / 5", **label_only(s.relationship_model),
         help=f"Luftman's dimensions, the mean of IT's and the business's views (n = "
              f"{whole(s.alignment_it_respondents)} from IT, {whole(s.alignment_business_respondents)} from "
              "the business; a side with too few people is not shown); the relationship is this product's mapping "
              "of the score.")
if not missing(s.alignment_maturity):
    st.caption(source_sentence(run("survey_waves"), s.alignment_it_respondents, s.alignment_business_respondents))

findings = []
if s.bottleneck_stage:
    where = "Items spend longest in" if s.bottleneck_is_active else "Work waits longest in"
    findings.append(f"{where} **{s.bottleneck_stage}** ({pct(s.bottleneck_share_of_time)} of the time in stages).")
if s.largest_gap_dimension:
    side = "IT rates itself higher" if s.largest_gap > 0 else "the business rates IT higher"
    widest = number(s.largest_gap, 2, signed=True)
    findings.append(f"The widest IT–business gap is **{s.largest_gap_dimension}** ({widest}: {side}).")
if findings:
    st.markdown(" ".join(findings))

goals = run("spend_by_business_goal")
# No actuals in the chosen months: no goal chart of empty bars under the sentence above, and the
# budget chart takes the whole row.
if goals.empty or missing(s.it_spend):
    right = st.container()
else:
    # Each chart's PNG/SVG row at the foot of its column, so the two rows line up under charts of
    # different heights (stacked on a phone, each stays under its own chart).
    st.html("<style>.st-key-pair [data-testid='stColumn'] > [data-testid='stVerticalBlock'] { height: 100%; }"
            " .st-key-pair [data-testid='stVerticalBlock'] > :has(> [class*='st-key-downloads-'])"
            " { margin-top: auto; }</style>")
    left, right = st.container(key="pair").columns(2)
    with left:
        chart(charts.spend_by_goal, goals, name="spend_by_business_goal")
with right:
    if not monthly.empty:
        chart(charts.budget_actual_forecast, monthly, "category", "Budget, actual and forecast by month",
              name="budget_vs_actual")
gap = run("alignment_gap")
if not gap.empty:
    compared = gap[~gap["suppressed"].astype(bool)]
    if not compared.empty:
        chart(charts.gap_dumbbell, compared, "How IT and the business each score alignment", name="alignment_gap")
    if hidden := hidden_groups(gap):
        st.caption(too_few(hidden, store_or_stop().settings()["min_respondents"]))
workbook_download({"Executive summary": summary, "Spend by goal": goals,
                   "Budget vs actual": monthly.rename(columns={"category": "month"}), "Alignment gap": gap},
                  "overview", "Overview")
board_pack_download()
