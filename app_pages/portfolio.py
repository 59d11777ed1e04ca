import streamlit as st

from alignment import charts
from alignment.deltas import label_only
from alignment.formatting import missing, number
from app_pages.common import (
    answers,
    chart,
    empty_notice,
    filters,
    money,
    months_not_applied,
    pct,
    prefetch,
    run,
    table,
    workbook_download,
)

st.title("Portfolio")
prefetch("portfolio_summary", "portfolio_health", "portfolio_by_sponsor", "earned_value")
months_not_applied("every project in the register is measured")
summary = run("portfolio_summary")
if summary.empty or not summary["projects"].iloc[0]:
    empty_notice("projects")
    st.stop()
s = summary.iloc[0]
answers("portfolio_summary")
amber, red = f"{s.health_amber_pct:g}%", f"{s.health_red_pct:g}%"
st.caption(  # the as-of date is said once, in the month filter's sentence above
    f"Cost and schedule health: variance under "
    f"{amber} of plan is green, under {red} amber, otherwise red, over or under plan alike (the US federal IT "
    "Dashboard's rule by default; the Settings page changes the bands). On time and on budget mean green on "
    "that same rule. Open projects are judged on their estimate at completion (budget ÷ CPI from percent "
    "complete) and their forecast finish, or the as-of date once past their planned end; finished projects on "
    "their final cost and finish. Variances: positive = over budget or late.")
a, b, c = st.columns(3)  # two rows of three: six in a row clipped "Cost variance at completion"
d, e, f = st.columns(3)
a.metric("Projects", int(s.projects), **label_only(f"{int(s.red)} red"),
         help=f"{int(s.open_projects)} still open.")
b.metric("On time", pct(s.on_time_rate),
         help=f"Schedule variance under {amber} of plan, late or early. Average slip {number(s.avg_slip_days, 0)} "
              "days (positive = late).")
c.metric("On budget", pct(s.on_budget_rate),
         help=f"Cost variance at completion under {amber} of budget, over or under.")
d.metric("Cost variance at completion", pct(s.cost_variance_pct, True),
         help=f"(Estimate at completion − budget) ÷ budget, positive = over budget: {money(s.total_eac)} "
              f"expected against {money(s.total_budget)} budgeted, where both are known.")
e.metric("Benefits realised", pct(s.benefit_realization),
         help=f"{money(s.realized_benefit)} of {money(s.expected_benefit)} expected.")
f.metric("Return on cost", pct(s.roi), help="(Realised benefit − cost to date) ÷ cost to date.")

# Tables show shares as percentages (alignment.tables: 45, not 0.45), so the bar runs to 100. Grey, not
# the theme's primary red: on this page red means a red project, and a finished one is not one.
COMPLETE = st.column_config.ProgressColumn("Complete", min_value=0, max_value=100, format="%.0f%%", color="gray")
projects = run("portfolio_health")
st.header("Value, cost and risk")
st.caption("Each bubble is a project: higher is more expected benefit, further right costs more so far, "
           "bigger is riskier. Health is red when any of reported health, cost or schedule is red.")
chart(charts.bubble, projects, "Value vs cost vs risk", name="portfolio_bubble")

left, right = st.columns(2)
with left:
    chart(charts.health_mix, s, name="health_mix")
with right:
    sponsors = run("portfolio_by_sponsor")
    answers("portfolio_by_sponsor")
    st.caption(f"Late: {amber} or more behind plan; over budget: estimate at completion {amber} or more over.")
    table(sponsors, "portfolio_by_sponsor")

st.header("Earned value of open projects")
answers("earned_value")
earned = run("earned_value")
if missing(s.cpi) and missing(s.spi):
    st.info("No open project has percent complete, planned dates, budget and cost to date, so earned value "
            "cannot be shown. Add percent complete to the project register.")
else:
    g, h, i = st.columns(3)
    g.metric("Cost performance (CPI)", number(s.cpi),
             help=f"Earned value ÷ cost to date over {int(s.ev_projects)} open projects: above 1 is under cost. "
                  f"EV {money(s.ev)}, AC {money(s.ac)}.")
    h.metric("Schedule performance (SPI)", number(s.spi),
             help=f"Earned value ÷ planned value: above 1 is ahead. PV {money(s.pv)} on the as-of date.")
    i.metric("Open projects measured", int(s.ev_projects))
    st.caption("PMI's definitions (Practice Standard for Earned Value Management): EV = budget × percent complete; "
               "PV = budget × share of the planned dates elapsed (spread evenly); CV = EV − AC and SV = EV − PV, "
               "positive = under budget or ahead (the opposite sign of the cost variance above). "
               "EAC = BAC ÷ CPI, or AC + (BAC − EV); TCPI = (BAC − EV) ÷ (BAC − AC), blank once the budget is spent.")
    open_ev = earned[earned["is_open"]] if not earned.empty else earned
    if not open_ev.empty:
        chart(charts.ev_indices, open_ev, "Cost and schedule performance of open projects", name="earned_value_indices")
if not earned.empty:
    st.caption("The table lists every project, the closed ones at their final figures; the indices and chart above "
               "count the open ones.")
table(earned, "earned_value", headers={"eac": "EAC used for health"}, column_config={
    "percent_complete": COMPLETE,
})

st.header("Every project")
answers("portfolio_health")
table(projects, "portfolio_health", column_config={
    "percent_complete": COMPLETE,
})
workbook_download({"Portfolio summary": summary, "Projects": projects, "By sponsor": sponsors,
                   "Earned value": earned}, "portfolio", "Portfolio",
                  applied={"business_unit": filters()["business_unit"]})
