"""Differential check of the flow and bottleneck analyses (issue #10's proof): each one is recomputed
here in pandas, straight from the raw stage_history view, under a matrix of filters (all units, each
business unit, a unit with no data, each item type, a unit and a type together, several as-of dates,
the default active-stage rule and a list), and compared number by number with the SQL.

The definitions written once more, independently of the SQL:
- stage order: median days from an item's first entry to entering the stage, done and dropped stages
  last; an unrecorded exit is the item's next entry; the last working stage of each item type ends it.
- finished: latest stay a done stage (on entering it) or out of the type's last stage (on leaving it);
  left the flow: latest stay dropped, or out of an earlier stage with nothing entered later at all.
- flow days from first entry to finishing; active days are stays in active stages, the rest waiting.
- time in stage: an item's stays in a stage summed, counted once it has left the stage.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from alignment import demo
from alignment.queries import run_query
from alignment.store import Store
from tests import fixtures
from tests.test_flow_figures import history

DONE = re.compile(r"(?i)^\s*(done|closed|complete|completed|finished|resolved)\s*$")
DROPPED = re.compile(r"(?i)^\s*(cancell?ed|rejected|abandoned|withdrawn|declined|won't do)\s*$")
WAITING = re.compile(r"(?i)(wait|queue|backlog|approv|on hold|blocked|ready for)")


def days(a, b) -> int:
    return int((pd.Timestamp(b) - pd.Timestamp(a)).days)


def shape(raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int], dict[str, str]]:
    """Every stay with its exit filled in, each stage's order and each item type's last stage."""
    h = raw.copy()
    for col in ("entered", "exited"):
        h[col] = pd.to_datetime(h[col])
    h = h.sort_values(["item_id", "entered", "exited"], na_position="last").reset_index(drop=True)
    h["exited"] = h["exited"].fillna(h.groupby("item_id")["entered"].shift(-1))
    h["terminal"] = h["stage"].map(lambda s: bool(DONE.search(s) or DROPPED.search(s)))
    h["start"] = h.groupby("item_id")["entered"].transform("min")
    h["offset"] = (h["entered"] - h["start"]).dt.days
    keys = h.groupby("stage").agg(terminal=("terminal", "any"), offset=("offset", "median"))
    ranked = sorted(keys.index, key=lambda s: (keys.loc[s, "terminal"], keys.loc[s, "offset"], s))
    order = {s: i + 1 for i, s in enumerate(ranked)}
    h["type_key"] = h["item_type"].fillna("")
    working = h[~h["terminal"]]
    final = {t: max(g["stage"], key=order.get) for t, g in working.groupby("type_key")}
    return h, order, final


def in_scope(h: pd.DataFrame, unit, item_type, as_of) -> pd.DataFrame:
    s = h[h["entered"] <= as_of]
    if unit is not None:
        s = s[s["business_unit"].fillna("") == unit]
    if item_type is not None:
        s = s[s["item_type"].fillna("") == item_type]
    s = s.copy()
    s["open"] = s["exited"].isna() | (s["exited"] > as_of)
    s["end"] = s["exited"].where(~s["open"], as_of)
    s["days"] = (s["end"] - s["entered"]).dt.days
    return s


def active(stage: str, active_stages: str | None) -> bool:
    if DONE.search(stage) or DROPPED.search(stage):
        return False
    if not (active_stages or "").strip():
        return not WAITING.search(stage)
    return stage.strip().lower() in [x.strip().lower() for x in active_stages.split(",")]


def items(h, order, final, s, as_of, active_stages) -> pd.DataFrame:
    """One row per item: status, finish and its flow, active and waiting days."""
    cols = ["item_id", "item_type", "status", "start", "finished_on", "flow_days", "active_days", "waiting_days"]
    if s.empty:
        return pd.DataFrame(columns=cols)
    ordered = s.assign(order=s["stage"].map(order)).sort_values(["item_id", "entered", "order"])
    last = ordered.groupby("item_id").tail(1).set_index("item_id")
    start = s.groupby("item_id")["entered"].min()
    done = last["stage"].map(lambda x: bool(DONE.search(x)))
    dropped = last["stage"].map(lambda x: bool(DROPPED.search(x)))
    at_end = last["stage"] == last["item_type"].fillna("").map(final)
    later = h.groupby("item_id")["entered"].max().reindex(last.index) > as_of
    status = np.select([done, dropped, last["open"], at_end, later],
                       ["Finished", "Left the flow", "In progress", "Finished", "In progress"], "Left the flow")
    finished = last["entered"].where(done, last["exited"].where(~dropped & ~last["open"] & at_end))
    end = finished.where(status == "Finished", pd.Series(as_of, index=last.index).where(
        status == "In progress", last["entered"].where(dropped, last["exited"])))
    flow = (end - start.reindex(last.index)).dt.days
    is_active = s["stage"].map(lambda x: active(x, active_stages))
    work = s[is_active].groupby("item_id")["days"].sum().reindex(last.index, fill_value=0)
    work = np.minimum(work, flow)
    return pd.DataFrame({"item_id": last.index, "item_type": last["item_type"], "status": status,
                         "start": start.reindex(last.index), "finished_on": finished.where(status == "Finished"),
                         "flow_days": flow, "active_days": work, "waiting_days": flow - work}).reset_index(drop=True)


def pct_inc(values, q) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q * 100)) if len(values) else float("nan")


def visits(s, order, active_stages) -> pd.DataFrame:
    w = s[~s["terminal"]]
    v = w.groupby(["item_id", "stage"]).agg(days=("days", "sum"), stays=("days", "size"), now=("open", "any"),
                                            entered=("entered", "max")).reset_index()
    v["order"] = v["stage"].map(order)
    v["active"] = v["stage"].map(lambda x: active(x, active_stages))
    return v


def months(s, as_of) -> list[pd.Timestamp]:
    if s.empty:
        return []
    return list(pd.date_range(s["entered"].min().to_period("M").to_timestamp(),
                              as_of.to_period("M").to_timestamp(), freq="MS"))


def close(a, b, tol) -> bool:
    if a is None or pd.isna(a):
        return b is None or pd.isna(b)
    return b is not None and not pd.isna(b) and abs(float(a) - float(b)) <= tol


def check(store: Store, raw: pd.DataFrame, unit, item_type, as_of_text: str, active_stages) -> None:
    cur = store.cursor()
    params = {"business_unit": unit, "item_type": item_type, "as_of": as_of_text, "active_stages": active_stages}
    sql = {n: run_query(cur, n, params) for n in ("_flow_items", "throughput", "flow_efficiency", "bottleneck_stages",
                                                  "aging_items", "cumulative_flow", "flow_metrics")}
    where = f"unit={unit} type={item_type} as_of={as_of_text} active={active_stages}"
    as_of = pd.Timestamp(as_of_text)
    h, order, final = shape(raw)
    s = in_scope(h, unit, item_type, as_of)
    it = items(h, order, final, s, as_of, active_stages)

    got = sql["_flow_items"].set_index("item_id").sort_index()
    want = it.set_index("item_id").sort_index()
    assert list(got.index) == list(want.index), where
    assert list(got["status"]) == list(want["status"]), where
    for col in ("flow_days", "active_days", "waiting_days"):
        assert [int(x) for x in got[col]] == [int(x) for x in want[col]], (where, col)

    finished = it[it["status"] == "Finished"]
    month_list = months(s, as_of)
    t = sql["throughput"]
    assert [m.strftime("%Y-%m") for m in pd.to_datetime(t["month"])] == [m.strftime("%Y-%m") for m in month_list], where
    for row, m in zip(t.itertuples(), month_list, strict=True):
        these = finished[pd.to_datetime(finished["finished_on"]).dt.to_period("M") == m.to_period("M")]
        assert row.finished == len(these), (where, m)
        lead = [days(a, b) for a, b in zip(these["start"], these["finished_on"], strict=True)]
        assert close(row.median_lead_time_days, float(np.median(lead)) if lead else None, 0.006), (where, m)

    (e,) = sql["flow_efficiency"].itertuples()
    assert e.items == len(finished), where
    if len(finished):
        assert (e.active_days, e.flow_days) == (finished["active_days"].sum(), finished["flow_days"].sum()), where
        assert close(e.flow_efficiency, finished["active_days"].sum() / finished["flow_days"].sum(), 5e-5), where
    stage_names = sorted(set(s.loc[~s["terminal"], "stage"]), key=order.get)
    expected_active = ", ".join(x for x in stage_names if active(x, active_stages)) or None
    assert (e.active_stages or None) == expected_active, where

    v = visits(s, order, active_stages)
    b = sql["bottleneck_stages"].set_index("stage")
    assert list(b.index) == sorted(set(v["stage"]), key=order.get), where
    done = v[~v["now"]]
    total = done["days"].sum()
    shares = {}
    for stage in b.index:
        left = done.loc[done["stage"] == stage, "days"]
        here = v[v["stage"] == stage]
        r = b.loc[stage]
        assert (r.finished, r.wip, r.reentries) == (len(left), int(here["now"].sum()),
                                                    int((here["stays"] - 1).sum())), (where, stage)
        assert close(r.median_days, pct_inc(left, 0.5), 0.006) and close(r.p85_days, pct_inc(left, 0.85), 0.006), \
            (where, stage)
        shares[stage] = left.sum() / total if total else None
        assert close(r.share_of_time, shares[stage], 5e-5), (where, stage)
        assert bool(r.is_active) == active(stage, active_stages), (where, stage)
    ranked = sorted((st for st in shares if shares[st]), key=lambda st: (-shares[st], order[st]))
    assert [st for st in b.index if b.loc[st, "is_bottleneck"]] == ranked[:1], where

    p85 = {st: pct_inc(done.loc[done["stage"] == st, "days"], 0.85) for st in b.index}
    aging = v[v["now"] & (v["days"] > v["stage"].map(p85))] if len(v) else v
    a = sql["aging_items"]
    assert sorted(zip(a["item_id"], a["stage"], a["age_days"], strict=True)) == \
        sorted(zip(aging["item_id"], aging["stage"], aging["days"], strict=True)), where

    cfd = sql["cumulative_flow"]
    if s.empty:
        assert cfd.empty, where
    else:
        weeks = pd.date_range(s["entered"].min().to_period("W-SUN").start_time, as_of, freq="7D")
        got_cfd = {(pd.Timestamp(w), st): n for w, st, n in zip(cfd["week"], cfd["stage"], cfd["items"], strict=True)}
        assert len(got_cfd) == len(weeks) * (len(stage_names) + 1), where
        working = s[~s["terminal"]]
        week_days = weeks.values[None, :]
        still = working["exited"].where(working["exited"] <= as_of, pd.Timestamp.max).values[:, None]
        inside = (working["entered"].values[:, None] <= week_days) & (still > week_days)
        per_item = pd.DataFrame(inside, index=pd.MultiIndex.from_frame(working[["item_id", "stage"]]))
        counts = per_item.groupby(level=[0, 1]).any().groupby(level=1).sum()
        finished_on = pd.to_datetime(finished["finished_on"]).values
        for i, w in enumerate(weeks):
            for stage in stage_names:
                assert got_cfd[(w, stage)] == counts.loc[stage, i], (where, w, stage)
            assert got_cfd[(w, "Finished")] == int((finished_on <= w.to_datetime64()).sum()), (where, w)

    m = sql["flow_metrics"].set_index("item_type")
    n_months = len(month_list)
    groups = {"All items": it, **{k: g for k, g in it.assign(t=it["item_type"].fillna("Unspecified")).groupby("t")}}
    assert set(m.index) == set(groups), where
    for name, g in groups.items():
        r, f = m.loc[name], g[g["status"] == "Finished"]
        assert (r.started, r.finished, r.flow_load, r.left_unfinished) == (
            len(g), len(f), int((g["status"] == "In progress").sum()), int((g["status"] == "Left the flow").sum())), \
            (where, name)
        if n_months:
            assert close(r.flow_velocity_per_month, len(f) / n_months, 0.006), (where, name)
        assert close(r.flow_time_median_days, pct_inc(f["flow_days"], 0.5), 0.006), (where, name)
        assert close(r.flow_time_p85_days, pct_inc(f["flow_days"], 0.85), 0.006), (where, name)
        eff = f["active_days"].sum() / f["flow_days"].sum() if f["flow_days"].sum() else None
        assert close(r.flow_efficiency, eff, 5e-5), (where, name)
        share = len(f) / len(finished) if len(finished) else None
        assert close(r.flow_distribution, share, 5e-5), (where, name)


def load(store: Store, frame: pd.DataFrame) -> pd.DataFrame:
    store.add_batch("stage_history", frame)
    return store.cursor().execute("SELECT * FROM stage_history").df()


FLOW_MATRIX = (
    # everything, on a day between stages, a day in the month with no finishes, the end, with a list of active stages
    [(None, None, as_of, active) for as_of, active in (("2025-01-13", None), ("2025-03-15", "Build"),
                                                       ("2025-06-30", None), ("2025-06-30", "Build"))]
    # each business unit, and West with no stage history
    + [(unit, None, "2025-06-30", None) for unit in ("North", "South", "West")] + [("South", None, "2025-01-20", None)]
    # each item type, a unit and a type together, and a pair with no items
    + [(None, kind, "2025-06-30", "Build") for kind in ("Feature", "Defect")]
    + [("North", "Feature", "2025-03-15", None), ("South", "Defect", "2025-06-30", None),
       ("North", "Defect", "2025-06-30", None)]
)


@pytest.fixture(scope="module")
def flow_db():
    store = Store(":memory:")
    raw = load(store, history())
    yield store, raw
    store.close()


@pytest.mark.parametrize(("unit", "kind", "as_of", "active_stages"), FLOW_MATRIX)
def test_flow_analyses_match_pandas_on_the_flow_fixture(flow_db, unit, kind, as_of, active_stages):
    check(*flow_db, unit, kind, as_of, active_stages)


def test_flow_analyses_match_pandas_on_the_tiny_company(store):
    raw = load(store, fixtures.stage_history())
    for as_of in ("2025-01-10", fixtures.AS_OF):
        for active_stages in (None, "Build, Test"):
            check(store, raw, None, None, as_of, active_stages)
    check(store, raw, None, "Project", fixtures.AS_OF, None)  # a type with no items


@pytest.fixture(scope="module")
def demo_db():
    store = Store(":memory:")
    raw = load(store, demo.build_frames()["stage_history"])
    yield store, raw
    store.close()


DEMO_MATRIX = ([(None, None, "2026-11-20", None), (None, None, "2026-03-31", None),
                (None, None, "2026-11-20", "Business case, Build, Test")]
               + [(unit, None, "2026-11-20", None) for unit in (*sorted(demo.UNITS), "Nowhere")]
               + [(None, "Project", "2026-06-30", None), (None, "Request", "2026-11-20", None),
                  (sorted(demo.UNITS)[0], "Request", "2026-11-20", None)])


@pytest.mark.parametrize(("unit", "kind", "as_of", "active_stages"), DEMO_MATRIX)
def test_flow_analyses_match_pandas_on_the_demo(demo_db, unit, kind, as_of, active_stages):
    check(*demo_db, unit, kind, as_of, active_stages)
