import streamlit as st

from alignment import charts
from app_pages.common import answers, chart, empty_notice, money, number, pct, run, workbook_download

st.title("What IT costs, and what the business gets for it")
summary = run("executive_summary")
if summary.empty or summary["it_spend"].isna().all() and not summary["projects"].fillna(0).any():
    empty_notice("data")
    st.stop()
s = summary.iloc[0]
answers("executive_summary")

a, b, c, d = st.columns(4)
a.metric("IT spend", money(s.it_spend), help="Actual spend in the chosen months.")
b.metric("Against budget to date", pct(s.budget_variance_pct, signed=True), money(s.budget_variance),
         delta_color="inverse", help="Actual minus the budget of the same months.")
c.metric("Spend serving no business goal", pct(s.unmapped_share),
         help="Share of spend with no business goal mapped.")
d.metric("IT spend / revenue", pct(s.it_spend_pct_revenue), help=f"Per employee: {money(s.it_spend_per_employee)}")
a, b, c, d = st.columns(4)
a.metric("Projects on time", pct(s.on_time_rate),
         help=f"{int(s.projects or 0)} projects; {int(s.red_projects or 0)} red.")
b.metric("Projects on budget", pct(s.on_budget_rate))
c.metric("Benefits realised", pct(s.benefit_realization), help="Realised ÷ expected benefit, all projects.")
d.metric("Alignment maturity", f"{number(s.alignment_maturity)} / 5", s.relationship_model or None,
         delta_color="off", help="Mean of Luftman's six dimensions; the relationship model it maps to.")

findings = []
if s.bottleneck_stage:
    findings.append(f"Work waits longest in **{s.bottleneck_stage}**.")
if s.largest_gap_dimension:
    side = "IT rates itself higher" if s.largest_gap > 0 else "the business rates IT higher"
    findings.append(f"The widest IT–business gap is **{s.largest_gap_dimension}** ({s.largest_gap:+.2f}: {side}).")
if findings:
    st.markdown(" ".join(findings))

left, right = st.columns(2)
goals = run("spend_by_business_goal")
with left:
    if not goals.empty:
        chart(charts.spend_by_goal(goals), "spend_by_business_goal")
monthly = run("budget_vs_actual", group_by="month")
with right:
    if not monthly.empty:
        chart(charts.budget_actual_forecast(monthly, "category", "Budget, actual and forecast by month"),
              "budget_vs_actual")
gap = run("alignment_gap")
if not gap.empty:
    chart(charts.gap_dumbbell(gap, "How IT and the business each score alignment"), "alignment_gap")
workbook_download({"Executive summary": summary, "Spend by goal": goals, "Budget vs actual": monthly,
                   "Alignment gap": gap}, "overview")
