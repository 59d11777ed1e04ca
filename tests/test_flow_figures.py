"""Flow and bottleneck figures (issue #10, items 6, 7 and 10, and the Flow Framework's five metrics)
on a small stage history whose every number is worked out by hand in the comments.

The company's flow is Backlog → Build → Test. Backlog says waiting by the default rule; Build and Test
are work. Six items, as of 2025-06-30 unless a test says otherwise:

  F1 Feature North  Backlog 01-06→01-10 (4)  Build 01-10→01-20 (10)  Test 01-20→01-25 (5)     finished 01-25
  F2 Feature North  Backlog 01-08→01-12 (4)  [nothing recorded 01-12→01-15: 3]  Build 01-15→01-25 (10)
                    Test 01-25→02-01 (7)  Build again 02-01→02-05 (4)  Test again 02-05→02-08 (3)  finished 02-08
  D1 Defect  South  Backlog 01-05→01-07 (2)  Build 01-07→01-17 (10), then nothing: abandoned
  D2 Defect  South  Backlog 03-20→03-23 (3)  Build 03-23→04-02 (10)  Test 04-02→04-06 (4)     finished 04-06
  F3 Feature North  Backlog 04-10→04-14 (4)  Build 04-14→ open (77 days to 06-30)
  F4 Feature South  Backlog 05-01→05-03 (2)  Build 05-03→05-10 (7)  Test 05-10→05-12 (2)  Build again 05-12→ open

Nothing finishes in March, May or June. Stage order (median days from an item's start to entering):
Backlog 0; Build of 4, 7, 24, 2, 3, 4, 2, 11 → 4; Test of 14, 17, 28, 13, 9 → 14. Test is the last stage.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import vl_convert as vlc

from alignment import charts, findings
from alignment.config import QUERIES_DIR
from alignment.queries import QueryError, run_query
from alignment.store import Store

approx = pytest.approx
D = dt.date
AS_OF = "2025-06-30"
# To prove a test fails on the old SQL, point this at a copy of queries/ holding the old files.
DIRECTORY = Path(os.environ.get("FLOW_QUERIES_DIR", QUERIES_DIR))


def history() -> pd.DataFrame:
    rows = [
        ("F1", "Backlog", D(2025, 1, 6), D(2025, 1, 10)), ("F1", "Build", D(2025, 1, 10), D(2025, 1, 20)),
        ("F1", "Test", D(2025, 1, 20), D(2025, 1, 25)),
        ("F2", "Backlog", D(2025, 1, 8), D(2025, 1, 12)), ("F2", "Build", D(2025, 1, 15), D(2025, 1, 25)),
        ("F2", "Test", D(2025, 1, 25), D(2025, 2, 1)), ("F2", "Build", D(2025, 2, 1), D(2025, 2, 5)),
        ("F2", "Test", D(2025, 2, 5), D(2025, 2, 8)),
        ("D1", "Backlog", D(2025, 1, 5), D(2025, 1, 7)), ("D1", "Build", D(2025, 1, 7), D(2025, 1, 17)),
        ("D2", "Backlog", D(2025, 3, 20), D(2025, 3, 23)), ("D2", "Build", D(2025, 3, 23), D(2025, 4, 2)),
        ("D2", "Test", D(2025, 4, 2), D(2025, 4, 6)),
        ("F3", "Backlog", D(2025, 4, 10), D(2025, 4, 14)), ("F3", "Build", D(2025, 4, 14), None),
        ("F4", "Backlog", D(2025, 5, 1), D(2025, 5, 3)), ("F4", "Build", D(2025, 5, 3), D(2025, 5, 10)),
        ("F4", "Test", D(2025, 5, 10), D(2025, 5, 12)), ("F4", "Build", D(2025, 5, 12), None),
    ]
    frame = pd.DataFrame(rows, columns=["item_id", "stage", "entered", "exited"])
    frame["item_type"] = frame["item_id"].str[0].map({"F": "Feature", "D": "Defect"})
    frame["business_unit"] = frame["item_id"].map({"F1": "North", "F2": "North", "F3": "North"}).fillna("South")
    return frame


@pytest.fixture
def flow_store(store: Store) -> Store:
    store.add_batch("stage_history", history(), file_name="fixture:flow")
    return store


def q(store: Store, name: str, **params) -> list[dict]:
    params.setdefault("as_of", AS_OF)
    return run_query(store.cursor(), name, params, directory=DIRECTORY).to_dict("records")


def by(records: list[dict], key: str) -> dict:
    return {r[key]: r for r in records}


# Item 6: throughput has a row for every month, zero when nothing finished.
def test_throughput_has_zero_months(flow_store):
    t = q(flow_store, "throughput")
    # From January (D1 starts 01-05) to the as-of month, June: F1 in Jan, F2 in Feb, D2 in Apr; D1 was abandoned.
    assert [(str(r["month"])[:7], r["finished"]) for r in t] == [
        ("2025-01", 1), ("2025-02", 1), ("2025-03", 0), ("2025-04", 1), ("2025-05", 0), ("2025-06", 0)]
    lead = {str(r["month"])[:7]: r["median_lead_time_days"] for r in t}
    assert (lead["2025-01"], lead["2025-02"], lead["2025-04"]) == (19, 31, 17)  # 01-06→01-25, 01-08→02-08, 03-20→04-06


def test_a_unit_with_no_stage_history_has_no_months(flow_store):
    assert q(flow_store, "throughput", business_unit="West") == []


# Item 7: an item that stopped before the last stage has not finished.
def test_an_abandoned_item_is_not_finished(flow_store):
    items = by(q(flow_store, "_flow_items"), "item_id")
    assert items["D1"]["status"] == "Left the flow"  # left Build 01-17 and entered nothing after
    assert items["F1"]["status"] == items["F2"]["status"] == items["D2"]["status"] == "Finished"
    assert items["F3"]["status"] == items["F4"]["status"] == "In progress"
    (m,) = [r for r in q(flow_store, "flow_metrics") if r["item_type"] == "Defect"]
    assert (m["finished"], m["left_unfinished"], m["flow_load"]) == (1, 1, 0)  # D2 finished, D1 left


def test_between_stages_on_the_as_of_day_is_in_progress_not_gone(flow_store):
    items = by(q(flow_store, "_flow_items", as_of="2025-01-13"), "item_id")
    # F2 left Backlog on 01-12 and enters Build on 01-15: on 01-13 it is waiting between stages.
    assert (items["F2"]["status"], items["F2"]["current_stage"]) == ("In progress", "Between stages")
    assert items["D1"]["status"] == "In progress"  # in Build until 01-17
    assert by(q(flow_store, "_flow_items", as_of="2025-01-20"), "item_id")["D1"]["status"] == "Left the flow"


def test_flow_efficiency_counts_gaps_as_waiting(flow_store):
    (f,) = q(flow_store, "flow_efficiency")
    # Finished: F1 flow 19, active 10 + 5 = 15; F2 flow 31, active Build 14 + Test 10 = 24 (waiting: Backlog 4
    # and 3 unrecorded days); D2 flow 17, active 10 + 4 = 14. 53 of 67 days.
    assert (f["items"], f["active_days"], f["waiting_days"], f["flow_days"]) == (3, 53, 14, 67)
    assert f["flow_efficiency"] == approx(0.791)  # 53 / 67 = 0.79104
    assert (f["active_stages"], f["waiting_stages"], f["active_rule"]) == ("Build, Test", "Backlog", "default")


def test_active_stages_setting_decides_what_is_work(flow_store):
    (f,) = q(flow_store, "flow_efficiency", active_stages="build, Biuld")
    # Only Build is work: F1 10 + F2 14 + D2 10 = 34 of 67 days.
    assert (f["active_days"], f["flow_efficiency"]) == (34, approx(0.5075))
    assert (f["active_stages"], f["waiting_stages"], f["active_rule"]) == ("Build", "Backlog, Test", "setting")
    assert f["unknown_active_stages"] == "Biuld"  # a typo is said, not silently ignored


def test_the_organisation_setting_reaches_the_analysis(flow_store):
    settings = {**flow_store.settings(), "active_stages": "Build"}
    (f,) = run_query(flow_store.cursor(), "flow_efficiency", {"as_of": AS_OF}, settings=settings,
                     directory=DIRECTORY).to_dict("records")
    assert f["flow_efficiency"] == approx(0.5075)


def test_wait_pattern_gave_way_to_the_setting(flow_store):
    with pytest.raises(QueryError, match="active_stages"):
        q(flow_store, "flow_efficiency", wait_pattern="Backlog")


def test_reentering_a_stage_is_the_same_stages_time(flow_store):
    s = by(q(flow_store, "bottleneck_stages"), "stage")
    assert list(s) == ["Backlog", "Build", "Test"]
    # Test, items that left it: F1 5, F2 7 + 3 = 10, D2 4, F4 2 → median of 2, 4, 5, 10 = 4.5 (4 stays counted
    # apart would give a median of 4 over 5 stays).
    assert (s["Test"]["finished"], s["Test"]["median_days"], s["Test"]["reentries"]) == (4, 4.5, 1)
    assert s["Test"]["p85_days"] == approx(7.75)  # position 0.85 × 3 = 2.55: 5 + 0.55 × 5
    # Build, items that left it: F1 10, F2 10 + 4 = 14, D1 10, D2 10; F3 and F4 are there now (F4 came back).
    assert (s["Build"]["finished"], s["Build"]["median_days"], s["Build"]["wip"]) == (4, 10, 2)
    assert s["Build"]["p85_days"] == approx(12.2) and s["Build"]["reentries"] == 2  # 10 + 0.55 × 4; F2 and F4
    # Backlog 4 + 4 + 2 + 3 + 4 + 2 = 19, Build 44, Test 21: 84 days in stages.
    assert s["Build"]["share_of_time"] == approx(0.5238) and s["Build"]["is_bottleneck"]
    assert s["Backlog"]["share_of_time"] == approx(0.2262) and not s["Backlog"]["is_active"]
    assert s["Backlog"]["median_days"] == 3.5  # of 2, 2, 3, 4, 4, 4


def test_aging_counts_every_stay_in_the_current_stage(flow_store):
    a = q(flow_store, "aging_items")
    # F3 in Build 04-14→06-30 = 77 days; F4 in Build 7 + 49 (05-12→06-30) = 56; Build's p85 is 12.2.
    assert [(r["item_id"], r["age_days"], r["reentries"]) for r in a] == [("F3", 77, 0), ("F4", 56, 1)]
    assert [r["days_over"] for r in a] == [approx(64.8), approx(43.8)]


def test_flow_metrics_and_distribution(flow_store):
    m = by(q(flow_store, "flow_metrics"), "item_type")
    assert list(m) == ["All items", "Feature", "Defect"]
    a = m["All items"]
    # 6 started; F1, F2, D2 finished over January–June (6 months); F3 and F4 in progress; D1 left.
    assert (a["started"], a["finished"], a["months"], a["flow_load"], a["left_unfinished"]) == (6, 3, 6, 2, 1)
    assert a["flow_velocity_per_month"] == 0.5  # 3 / 6
    assert a["flow_time_median_days"] == 19 and a["flow_time_p85_days"] == approx(27.4)  # of 17, 19, 31
    assert a["flow_time_mean_days"] == approx(22.33)  # 67 / 3
    assert a["flow_efficiency"] == approx(0.791)  # as flow_efficiency
    f, d = m["Feature"], m["Defect"]
    assert (f["flow_distribution"], d["flow_distribution"]) == (approx(0.6667), approx(0.3333))  # 2 and 1 of 3
    assert f["flow_time_median_days"] == 25 and f["flow_efficiency"] == approx(0.78)  # of 19, 31; 39 / 50
    assert (f["flow_load"], f["flow_velocity_per_month"]) == (2, approx(0.33))
    assert d["flow_efficiency"] == approx(0.8235)  # 14 / 17
    assert str(a["as_of"])[:10] == AS_OF


def test_flow_metrics_of_one_unit_and_type(flow_store):
    (a, f) = q(flow_store, "flow_metrics", business_unit="North")
    # North: F1 and F2 finished, F3 in progress; months January (F1 starts 01-06) to June.
    assert (a["finished"], a["flow_load"], a["months"], f["item_type"]) == (2, 1, 6, "Feature")
    (d,) = [r for r in q(flow_store, "flow_metrics", item_type="Defect") if r["item_type"] == "All items"]
    assert (d["started"], d["finished"], d["left_unfinished"]) == (2, 1, 1)


# Item 10: the cumulative flow diagram stacks Finished at the bottom.
def test_cumulative_flow_counts_and_zero_bands(flow_store):
    flow = {(str(r["week"])[:10], r["stage"]): r["items"] for r in q(flow_store, "cumulative_flow")}
    # Monday 01-13: F1 and D1 in Build; F2 left Backlog on 01-12 and is in no stage; nobody in Backlog (a 0 row).
    assert (flow[("2025-01-13", "Build")], flow[("2025-01-13", "Backlog")]) == (2, 0)
    # Monday 02-03: F2 back in Build (02-01→02-05); F1 finished 01-25. D1 is never finished.
    assert (flow[("2025-02-03", "Build")], flow[("2025-02-03", "Test")], flow[("2025-02-03", "Finished")]) == (1, 0, 1)
    assert flow[("2025-06-30", "Finished")] == 3 and flow[("2025-06-30", "Build")] == 2
    order = {r["stage"]: r["stage_order"] for r in q(flow_store, "cumulative_flow")}
    assert order["Finished"] > max(v for k, v in order.items() if k != "Finished")


def test_cumulative_flow_chart_has_finished_at_the_bottom(flow_store):
    frame = run_query(flow_store.cursor(), "cumulative_flow", {"as_of": AS_OF}, directory=DIRECTORY)
    last = frame[frame["week"] == frame["week"].max()]
    svg = vlc.vegalite_to_svg(charts.cumulative_flow(last).to_json())
    lowest = {}  # the largest y (pixels grow downwards) each stage's area reaches
    for m in re.finditer(r'<path[^>]*aria-label="[^"]*Stage: ([^;"]+);[^"]*"[^>]*d="([^"]*)"', svg):
        ys = [float(y) for y in re.findall(r"[-\d.]+,([-\d.]+)", m.group(2))]
        lowest[m.group(1)] = max(ys)
    # Finished starts at the axis; the first stage is stacked highest.
    assert lowest["Finished"] == max(lowest.values()) and lowest["Backlog"] == min(lowest.values())


def test_done_and_dropped_stages_and_an_unrecorded_exit(store):
    rows = [
        # X: a Jira-like export, Done entered and never left: finished on entering it.
        ("X", "Backlog", D(2025, 1, 1), D(2025, 1, 3)), ("X", "Build", D(2025, 1, 3), D(2025, 1, 8)),
        ("X", "Test", D(2025, 1, 8), D(2025, 1, 9)), ("X", "Done", D(2025, 1, 9), None),
        # Y: cancelled from Backlog: left the flow, not finished, not work in progress.
        ("Y", "Backlog", D(2025, 1, 2), D(2025, 1, 4)), ("Y", "Cancelled", D(2025, 1, 4), None),
        # Z: Backlog's exit not recorded; Build's entry on 01-05 ends it (not 'in Backlog' forever).
        ("Z", "Backlog", D(2025, 1, 1), None), ("Z", "Build", D(2025, 1, 5), D(2025, 1, 9)),
        ("Z", "Test", D(2025, 1, 9), D(2025, 1, 10)),
    ]
    store.add_batch("stage_history", pd.DataFrame(rows, columns=["item_id", "stage", "entered", "exited"]))
    items = by(q(store, "_flow_items", as_of="2025-01-31"), "item_id")
    assert (items["X"]["status"], str(items["X"]["finished_on"])[:10]) == ("Finished", "2025-01-09")
    assert items["Y"]["status"] == "Left the flow"
    assert (items["Z"]["status"], str(items["Z"]["finished_on"])[:10]) == ("Finished", "2025-01-10")
    stages = by(q(store, "bottleneck_stages", as_of="2025-01-31"), "stage")
    assert list(stages) == ["Backlog", "Build", "Test"]  # Done and Cancelled are not stages of the flow
    assert stages["Backlog"]["wip"] == 0 and stages["Backlog"]["median_days"] == 2  # X 2, Y 2, Z 4
    assert {r["stage"] for r in q(store, "cumulative_flow", as_of="2025-01-31")} == {"Backlog", "Build", "Test",
                                                                                      "Finished"}


def test_the_bottleneck_finding_says_work_or_waiting(flow_store):
    def run(name, **params):
        return run_query(flow_store.cursor(), name, {"as_of": AS_OF, **params}, directory=DIRECTORY)

    found = findings.bottleneck(run)
    # Build is work by the default rule: the time goes there, it does not wait there.
    assert found.title == "Where the time goes"
    assert found.headline == "Items spend longest in Build, a working stage: 52.4% of all the time items spend " \
                             "in the flow's stages."
    assert found.detail.endswith("2 items are there now. Of finished items' time from start to finish, 79.1% was "
                                 "work.")
    waiting = findings.bottleneck(lambda name, **p: run(name, active_stages="Backlog, Test", **p))
    assert waiting.headline.startswith("Work waits longest in Build: 52.4%")


def test_executive_summary_names_the_bottleneck_with_its_share(flow_store):
    (s,) = q(flow_store, "executive_summary")
    assert (s["bottleneck_stage"], s["bottleneck_share_of_time"], s["bottleneck_is_active"]) == ("Build", 0.5238,
                                                                                                   True)
