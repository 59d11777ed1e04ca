"""The portfolio analyses recomputed in plain Python from the raw projects view, under every sponsor filter (each
unit, all, a unit with no projects), several as-of dates and both band choices, compared number by number.

The register is three in one: the hand-worked one of test_portfolio_figures, the tiny company of
tests/fixtures (no status, no percent complete: open or finished by date), and the demo's 34 projects."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import pandas as pd
import pytest

from alignment import demo
from alignment.queries import run_query
from alignment.store import Store
from tests import fixtures
from tests.test_portfolio_figures import register

D = dt.date
CLOSED = {"closed", "complete", "completed", "done", "finished", "delivered", "cancelled", "canceled"}
AS_OF_DATES = [D(2025, 3, 31), D(2026, 4, 21), D(2026, 7, 1), None]  # None: today
NO_PROJECTS = "Nowhere"


@pytest.fixture(scope="module")
def pstore():
    s = Store(":memory:")
    for name, frame in (("register", register()), ("fixtures", fixtures.projects()),
                        ("demo", demo.projects(random.Random(11)))):
        s.add_batch("projects", frame, file_name=f"fixture:{name}")
    yield s
    s.close()


@pytest.fixture(scope="module")
def raw(pstore) -> list[dict[str, Any]]:
    frame = pstore.cursor().execute("SELECT * FROM projects").df()
    records = []
    for r in frame.to_dict("records"):
        clean = {k: None if v is None or v is pd.NA or (not isinstance(v, str) and pd.isna(v)) else v
                 for k, v in r.items()}
        for k in ("planned_start", "planned_end", "actual_end"):
            clean[k] = clean[k].date() if clean[k] is not None else None
        records.append(clean)
    return records


# --- the definitions, written again without SQL ---------------------------------------------------------


def band(size: float | None, amber: float, red: float) -> str | None:
    if size is None:
        return None
    points = round(size * 100, 6)
    return "Red" if points >= red else "Amber" if points >= amber else "Green"


def is_open(p: dict, as_of: D) -> bool:
    status = p["status"].strip().lower() if p["status"] is not None else None
    if (p["percent_complete"] is not None and p["percent_complete"] >= 1) or status in CLOSED:
        return False
    if p["status"] is not None or p["percent_complete"] is not None:
        return True
    return not (p["actual_end"] is not None and p["actual_end"] <= as_of)


def project(p: dict, as_of: D, amber: float, red: float) -> dict[str, Any]:
    """One project's figures: PMI earned value, estimate at completion, slip to the as-of date, health."""
    bac, ac, pc = p["budget"], p["actual_cost"], p["percent_complete"]
    start, end, actual_end = p["planned_start"], p["planned_end"], p["actual_end"]
    opened = is_open(p, as_of)
    days = (end - start).days if start and end else None
    pv = None
    if bac is not None and start and end:
        share = 1.0 if as_of >= end else 0.0 if as_of <= start else (as_of - start).days / days
        pv = bac * share
    ev = bac * pc if bac is not None and pc is not None else None
    cpi = ev / ac if ev is not None and ac else None
    spi = ev / pv if ev is not None and pv else None
    eac_cpi = bac / cpi if cpi else None
    eac_rest = ac + (bac - ev) if None not in (ac, bac, ev) else None
    tcpi = (bac - ev) / (bac - ac) if opened and None not in (ac, bac, ev) and ac < bac else None
    if not opened:
        eac = ac
    elif ev is not None:
        eac = eac_cpi if eac_cpi is not None else eac_rest
    else:
        eac = ac if ac is not None and bac is not None and ac > bac else None
    if not opened:
        finish = actual_end
    else:
        base = actual_end or end
        finish = max(base, as_of) if base else None
    slip = (finish - end).days if finish and end else None
    ev_sv = (pv - ev) / pv if opened and pv and ev is not None else None
    cost_size = None
    if eac is not None and bac is not None:
        cost_size = (math.inf if eac > 0 else 0.0) if bac == 0 else abs(eac - bac) / abs(bac)
    slip_size = None
    if slip is not None and days is not None and days >= 0:
        slip_size = (0.0 if slip == 0 else math.inf) if days == 0 else abs(slip) / days
    ev_size = abs(ev_sv) if ev_sv is not None else None
    sizes = [x for x in (slip_size, ev_size) if x is not None]
    cost_health = band(cost_size, amber, red)
    schedule_health = band(max(sizes) if sizes else None, amber, red)
    healths = [p["health"], cost_health, schedule_health]
    overall = ("Red" if "Red" in healths else "Amber" if "Amber" in healths
               else None if all(h is None for h in healths) else "Green")
    late = (slip is not None and slip > 0 and round(slip_size * 100, 6) >= amber) or \
        (ev_sv is not None and ev_sv > 0 and round(ev_size * 100, 6) >= amber)
    over = eac is not None and bac is not None and eac > bac and round(cost_size * 100, 6) >= amber
    return {
        "project_id": p["project_id"], "business_unit": p["business_unit"], "is_open": opened,
        "reported_health": p["health"], "cost_health": cost_health, "schedule_health": schedule_health,
        "overall_health": overall, "budget": bac, "actual_cost": ac, "eac": eac,
        "cost_variance": eac - bac if None not in (eac, bac) else None,
        "cost_variance_pct": (eac - bac) / bac if None not in (eac, bac) and bac != 0 else None,
        "finish_date": finish, "slip_days": slip, "slip_pct": slip / days if slip is not None and days else None,
        "ev_schedule_variance_pct": ev_sv,
        "on_time": None if schedule_health is None else schedule_health == "Green",
        "on_budget": None if cost_health is None else cost_health == "Green",
        "late": None if schedule_health is None else late,
        "over_budget": None if cost_health is None else over,
        "percent_complete": pc, "pv": pv, "ev": ev, "cv": ev - ac if None not in (ev, ac) else None,
        "sv": ev - pv if None not in (ev, pv) else None, "cpi": cpi, "spi": spi, "eac_cpi": eac_cpi,
        "eac_ac_plus_remaining": eac_rest, "tcpi": tcpi,
        "expected_benefit": p["expected_benefit"], "realized_benefit": p["realized_benefit"],
    }


def health(raw: list[dict], unit: str | None, as_of: D, amber: float, red: float) -> list[dict]:
    return [project(p, as_of, amber, red) for p in raw if unit is None or p["business_unit"] == unit]


def total(values) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def ratio(a, b) -> float | None:
    return None if a is None or not b else a / b


def rate(flags) -> float | None:
    known = [f for f in flags if f is not None]
    return sum(known) / len(known) if known else None


def summary(rows: list[dict]) -> dict[str, Any]:
    # The summary adds up the amounts each project's row shows, to the cent.
    rows = [{k: round(v, 2) if k in MONEY and isinstance(v, float) else v for k, v in r.items()} for r in rows]
    both = [r for r in rows if r["cost_variance"] is not None]
    in_ev = [r for r in rows if r["is_open"] and None not in (r["pv"], r["ev"], r["actual_cost"])]
    slips = [r["slip_days"] for r in rows if r["slip_days"] is not None]
    realized, expected, cost = (total(r[k] for r in rows) for k in ("realized_benefit", "expected_benefit",
                                                                     "actual_cost"))
    pv, ev, ac = (total(r[k] for r in in_ev) for k in ("pv", "ev", "actual_cost"))
    return {
        "projects": len(rows), "open_projects": sum(r["is_open"] for r in rows),
        "on_time_rate": rate(r["on_time"] for r in rows), "on_budget_rate": rate(r["on_budget"] for r in rows),
        "avg_slip_days": sum(slips) / len(slips) if slips else None,
        "total_budget": total(r["budget"] for r in rows), "total_actual_cost": cost,
        "total_eac": total(r["eac"] for r in rows if r["budget"] is not None),
        "cost_variance_pct": ratio(total(r["cost_variance"] for r in both), total(r["budget"] for r in both)),
        "ev_projects": len(in_ev), "pv": pv, "ev": ev, "ac": ac, "cpi": ratio(ev, ac), "spi": ratio(ev, pv),
        "benefit_realization": ratio(realized, expected),
        "roi": ratio(realized - cost, cost) if None not in (realized, cost) else None,
        "red": sum(r["overall_health"] == "Red" for r in rows),
        "amber": sum(r["overall_health"] == "Amber" for r in rows),
        "green": sum(r["overall_health"] == "Green" for r in rows),
    }


def by_sponsor(rows: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["business_unit"] or "No sponsor", []).append(r)
    out = [{"business_unit": unit, "projects": len(g), "late": sum(bool(r["late"]) for r in g),
            "over_budget": sum(bool(r["over_budget"]) for r in g),
            "red": sum(r["overall_health"] == "Red" for r in g),
            "cost_variance": total(r["cost_variance"] for r in g)} for unit, g in groups.items()]
    return sorted(out, key=lambda r: (-(r["late"] + r["over_budget"]), r["business_unit"]))


# --- comparing ------------------------------------------------------------------------------------------


def same(got: Any, want: Any, digits: int) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got is None or got is pd.NA or (isinstance(got, float) and math.isnan(got)) or got is pd.NaT
    if isinstance(want, str | bool):
        return bool(got == want)
    if isinstance(want, D):
        return pd.Timestamp(got).date() == want
    # The query rounds to `digits`: within half a unit of the last digit, whichever way a tie went
    # (DuckDB rounds half away from zero, Python's round() to even).
    return got == pytest.approx(want, abs=0.5000001 * 10 ** -digits)


MONEY = {"budget", "actual_cost", "eac", "cost_variance", "pv", "ev", "cv", "sv", "eac_cpi",
         "eac_ac_plus_remaining", "total_budget", "total_actual_cost", "total_eac", "ac"}


def check(got: dict, want: dict, where: str) -> None:
    for key, value in want.items():
        digits = 2 if key in MONEY else 1 if key == "avg_slip_days" else 4
        assert same(got[key], value, digits), f"{where}: {key} is {got[key]!r}, recomputed {value!r}"


def units(raw: list[dict]) -> list[str | None]:
    return [None, NO_PROJECTS, *sorted({p["business_unit"] for p in raw if p["business_unit"]})]


def run(store: Store, name: str, **params) -> pd.DataFrame:
    return run_query(store.cursor(), name, params, settings=store.settings())


def compare_all(store: Store, raw: list[dict], as_of: D | None, amber: float, red: float,
                only: list[str | None] | None = None) -> None:
    day = as_of or dt.date.today()
    for unit in only or units(raw):
        where = f"business_unit={unit} as_of={as_of} bands={amber}/{red}"
        params = {"business_unit": unit, "as_of": as_of, "health_amber_pct": amber, "health_red_pct": red}
        want = health(raw, unit, day, amber, red)
        got = run(store, "portfolio_health", **params)
        assert sorted(got["project_id"]) == sorted(r["project_id"] for r in want), where
        rank = {"Red": 0, "Amber": 1, "Green": 2, None: 3}
        assert list(got["project_id"]) == [r["project_id"] for r in sorted(
            want, key=lambda r: (rank[r["overall_health"]], r["project_id"]))], where
        rows = {r["project_id"]: r for r in got.to_dict("records")}
        for w in want:
            check(rows[w["project_id"]], w, f"{where} {w['project_id']}")
        check(run(store, "portfolio_summary", **params).iloc[0].to_dict(), summary(want), where)
        sponsors = run(store, "portfolio_by_sponsor", **params).to_dict("records")
        expected = by_sponsor(want)
        assert [s["business_unit"] for s in sponsors] == [s["business_unit"] for s in expected], where
        for g, w in zip(sponsors, expected, strict=True):
            check(g, w, f"{where} sponsor {w['business_unit']}")
        earned = run(store, "earned_value", **params)
        with_pc = [w for w in want if w["percent_complete"] is not None]
        assert list(earned["project_id"]) == [w["project_id"] for w in sorted(
            with_pc, key=lambda w: (not w["is_open"], w["project_id"]))], where
        for g, w in zip(earned.to_dict("records"), sorted(with_pc, key=lambda w: (not w["is_open"], w["project_id"])),
                        strict=True):
            check(g, {"bac": w["budget"], "ac": w["actual_cost"], **{k: w[k] for k in (
                "pv", "ev", "cv", "sv", "cpi", "spi", "eac_cpi", "eac_ac_plus_remaining", "tcpi", "eac",
                "overall_health")}}, f"{where} EV {w['project_id']}")


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=lambda d: str(d or "today"))
def test_portfolio_matches_a_recomputation_for_every_unit(pstore, raw, as_of):
    compare_all(pstore, raw, as_of, 10.0, 30.0)


def test_portfolio_matches_a_recomputation_with_the_stricter_bands(pstore, raw):
    compare_all(pstore, raw, D(2026, 7, 1), 5.0, 15.0, only=[None, "Sales", "Digital", NO_PROJECTS])


def test_the_executive_summary_reads_the_same_portfolio(pstore, raw):
    for unit in (None, "Ops", NO_PROJECTS):
        want = summary(health(raw, unit, D(2026, 7, 1), 10.0, 30.0))
        got = run(pstore, "executive_summary", business_unit=unit, as_of=D(2026, 7, 1)).iloc[0]
        check({"projects": got.projects, "on_time_rate": got.on_time_rate, "on_budget_rate": got.on_budget_rate,
               "red": got.red_projects},
              {k: want[k] for k in ("projects", "on_time_rate", "on_budget_rate", "red")}, f"unit={unit}")


def test_the_matrix_covers_what_it_claims(raw):
    assert len(units(raw)) >= 8  # all, none, and every sponsor of three registers
    day = D(2026, 7, 1)
    everything = health(raw, None, day, 10.0, 30.0)
    assert any(r["is_open"] and r["eac"] is not None for r in everything)  # an open project on its EAC
    assert any(r["is_open"] and r["slip_days"] and r["finish_date"] == day for r in everything)  # overdue
    assert not health(raw, NO_PROJECTS, day, 10.0, 30.0)
