import streamlit as st

from alignment import charts
from alignment.formatting import how_many, missing
from app_pages.common import (
    answers,
    chart,
    choice,
    empty_notice,
    filters,
    months_not_applied,
    number,
    pct,
    prefetch,
    run,
    table,
    workbook_download,
)

st.title("Bottlenecks")
item_type = st.session_state.get("item_type")
item_type = None if item_type in (None, "All item types") else item_type
prefetch("flow_metrics", *((name, {"item_type": item_type}) for name in (
    "flow_metrics", "bottleneck_stages", "flow_efficiency", "aging_items", "throughput", "cumulative_flow")))
months_not_applied("the whole stage history is measured")
all_types = run("flow_metrics")
if all_types.empty or not all_types["started"].iloc[0]:
    empty_notice("stage history")
    st.stop()
types = [t for t in all_types["item_type"] if t != "All items"]
item_type = None
if len(types) > 1:
    chosen = choice("Item type", ["All item types", *types], "item_type", widget=st.selectbox)
    item_type = None if chosen == "All item types" else chosen

metrics = run("flow_metrics", item_type=item_type)
stages = run("bottleneck_stages", item_type=item_type)
efficiency = run("flow_efficiency", item_type=item_type)
# The as-of date is said once, in the month filter's sentence above.
st.caption("An item has **finished** when it enters a done stage (Done, Closed, Completed, Resolved…) or leaves "
           "the last stage of its item type's flow; an item that stopped earlier, or entered a cancelled or rejected "
           "stage, has left the flow unfinished and is not counted as finished. Stages are in the order items "
           "usually reach them. Coming back to a stage adds to that stage's time.")

answers("bottleneck_stages")
worst = stages[stages["is_bottleneck"]]
if not worst.empty:
    w = worst.iloc[0]
    kind = "a working stage" if w.is_active else "a waiting stage"
    now = f"{how_many(w.wip, 'item')} {'is' if w.wip == 1 else 'are'} there now"
    st.warning(f"**{w.stage}** is the bottleneck, {kind}: of all the time items spent in stages, "
               f"{pct(w.share_of_time)} was in {w.stage}. Half the stays there took {w.median_days:.0f} days or "
               f"less, 85% took {w.p85_days:.0f} days or less; {now}.",
               icon=":material/hourglass_top:")
left, right = st.columns(2)
with left:
    chart(charts.hbar, stages, "stage", "median_days", "Median days in each stage", highlight="is_bottleneck",
                      extra=("p85_days", "share_of_time", "reentries"), name="time_in_stage")
with right:
    chart(charts.hbar, stages, "stage", "wip", "Work in progress per stage", highlight="is_bottleneck",
          name="wip_per_stage")
table(stages, "bottleneck_stages")

st.header("Aging items")
answers("aging_items")
aging = run("aging_items", item_type=item_type)
if aging.empty:
    st.success("No item has been in its stage longer than 85% of the items before it.")
else:
    table(aging, "aging_items")

st.header("Flow")
answers("flow_metrics")
m = metrics.iloc[0]
a, b, c, d = st.columns(4)
a.metric("Flow velocity", f"{number(m.flow_velocity_per_month, 1)} a month",
         help=f"{int(m.finished)} items finished over {int(m.months)} months, months with none included.")
b.metric("Flow time", f"{number(m.flow_time_median_days, 0)} days",
         help=f"Median days from an item's first stage to finishing; 85% within "
              f"{number(m.flow_time_p85_days, 0)} days.")
c.metric("Flow load", how_many(m.flow_load, "item"),
         help="Items started and not finished on the as-of date, those between stages included. "
              f"Not counted: {how_many(m.left_unfinished, 'item')} that left the flow unfinished.")
e = efficiency.iloc[0] if not efficiency.empty else None
d.metric("Flow efficiency", pct(m.flow_efficiency),
         help="Active days ÷ days from start to finish of the finished items; time between stages that no stage "
              "records is waiting.")
if e is not None and e["items"]:
    rule = ("the organisation's list of active stages (Settings)" if e.active_rule == "setting" else
            "the default rule: every stage whose name does not say waiting (wait, queue, backlog, approval, "
            "on hold, blocked, ready for); set the active stages on the Settings page")
    st.caption(f"Counted as work: {e.active_stages or 'no stage'}. Counted as waiting: "
               f"{e.waiting_stages or 'no stage'}, and any time between stages. Assumed from {rule}.")
    if not missing(e.unknown_active_stages):
        st.warning(f"The active stages setting names {e.unknown_active_stages}, which no stage here is called.")
distribution = metrics[metrics["item_type"] != "All items"]
if len(distribution) > 1 and metrics["finished"].iloc[0]:
    chart(charts.hbar, distribution, "item_type", "flow_distribution", "Flow distribution: finished items by type",
                      extra=("finished", "flow_velocity_per_month", "flow_time_median_days", "flow_load"),
          name="flow_distribution")
table(metrics, "flow_metrics")

throughput = run("throughput", item_type=item_type)
if not throughput.empty:
    chart(charts.line, throughput, "month", "finished", "Items finished per month (throughput)", name="throughput")
flow = run("cumulative_flow", item_type=item_type)
if not flow.empty:
    chart(charts.cumulative_flow, flow, name="cumulative_flow")
workbook_download({"Stages": stages, "Aging items": aging, "Flow metrics": metrics, "Throughput": throughput,
                   "Flow efficiency": efficiency}, "bottlenecks", "Bottlenecks",
                  applied={"business_unit": filters()["business_unit"], "item_type": item_type})
