import streamlit as st

from alignment import charts
from app_pages.common import answers, chart, empty_notice, money, pct, run, table, workbook_download

st.title("Portfolio")
summary = run("portfolio_summary")
if summary.empty or not summary["projects"].iloc[0]:
    empty_notice("projects")
    st.stop()
s = summary.iloc[0]
answers("portfolio_summary")
a, b, c, d, e = st.columns(5)
a.metric("Projects", int(s.projects), f"{int(s.red)} red", delta_color="off")
b.metric("On time", pct(s.on_time_rate), help=f"Average slip {s.avg_slip_days:.0f} days.")
c.metric("On budget", pct(s.on_budget_rate), help=f"Portfolio cost variance {pct(s.cost_variance_pct, True)}.")
d.metric("Benefits realised", pct(s.benefit_realization),
         help=f"{money(s.realized_benefit)} of {money(s.expected_benefit)} expected.")
e.metric("Return on cost", pct(s.roi), help="(Realised benefit − cost) ÷ cost.")

projects = run("portfolio_health")
st.header("Value, cost and risk")
st.caption("Each bubble is a project: higher is more expected benefit, further right costs more, "
           "bigger is riskier. Health is red when any of reported health, cost or schedule is red.")
chart(charts.bubble(projects, "Value vs cost vs risk"), "portfolio_bubble")

left, right = st.columns(2)
with left:
    chart(charts.health_mix(s), "health_mix")
with right:
    sponsors = run("portfolio_by_sponsor")
    answers("portfolio_by_sponsor")
    table(sponsors, "portfolio_by_sponsor")

st.header("Every project")
answers("portfolio_health")
table(projects, "portfolio_health", column_config={
    "cost_variance_pct": st.column_config.NumberColumn("Cost variance", format="percent"),
    "slip_pct": st.column_config.NumberColumn("Slip", format="percent"),
    "benefit_realization": st.column_config.NumberColumn("Benefit realised", format="percent"),
    "roi": st.column_config.NumberColumn("ROI", format="percent"),
    "percent_complete": st.column_config.ProgressColumn("Complete", min_value=0, max_value=1),
})
workbook_download({"Portfolio summary": summary, "Projects": projects, "By sponsor": sponsors}, "portfolio")
