import streamlit as st

from alignment import charts
from app_pages.common import answers, chart, empty_notice, pct, run, table, workbook_download

st.title("Bottlenecks")
stages = run("bottleneck_stages")
if stages.empty:
    empty_notice("stage history")
    st.stop()
answers("bottleneck_stages")
worst = stages[stages["is_bottleneck"]]
if not worst.empty:
    w = worst.iloc[0]
    st.warning(f"**{w.stage}** is the bottleneck: finished items spent {pct(w.share_of_time)} of their time there "
             f"(median {w.median_days:.0f} days, 85% within {w.p85_days:.0f} days), "
             f"and {int(w.wip)} item(s) wait there now.", icon=":material/hourglass_top:")
left, right = st.columns(2)
with left:
    chart(charts.hbar(stages, "stage", "median_days", "Median days in each stage", highlight="is_bottleneck",
                      extra=("p85_days", "share_of_time")), "time_in_stage")
with right:
    chart(charts.hbar(stages, "stage", "wip", "Work in progress per stage", highlight="is_bottleneck"),
          "wip_per_stage")
table(stages, "bottleneck_stages")

st.header("Aging items")
answers("aging_items")
aging = run("aging_items")
if aging.empty:
    st.success("No item has been in its stage longer than 85% of the items before it.")
else:
    table(aging, "aging_items")

st.header("Flow")
efficiency = run("flow_efficiency")
throughput = run("throughput")
if not efficiency.empty and efficiency["items"].iloc[0]:
    e = efficiency.iloc[0]
    st.metric("Flow efficiency", pct(e.flow_efficiency),
              help=f"Of {int(e['items'])} finished items' time, the share spent in working (not waiting) stages.")
if not throughput.empty:
    chart(charts.line(throughput, "month", "finished", "Items finished per month (throughput)"), "throughput")
flow = run("cumulative_flow")
if not flow.empty:
    chart(charts.stacked_area(flow, "week", "items", "stage", "Cumulative flow: items per stage by week",
                              order="stage_order"), "cumulative_flow")
workbook_download({"Stages": stages, "Aging items": aging, "Throughput": throughput,
                   "Flow efficiency": efficiency}, "bottlenecks")
