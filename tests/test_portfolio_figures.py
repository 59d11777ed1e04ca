"""Portfolio figures (issue #10, items 8 and 10, earned value, health bands) on a small register whose every
number is worked out by hand in the comments. Dates are chosen so the arithmetic is in whole days:
2026-01-01 + 100 days = 2026-04-11; 2026-05-12 + 100 days = 2026-08-20; 2026-04-11 → 2026-07-01 is 81 days."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from alignment import charts, findings
from alignment.config import QUERIES_DIR
from alignment.queries import get_query, parameters, run_query
from alignment.store import Store

D = dt.date
AS_OF = D(2026, 7, 1)
approx = pytest.approx
# The analyses under test; a check of the old SQL points this at a copy of the old files (see the report).
QUERIES = QUERIES_DIR

COLUMNS = ["project_id", "name", "business_unit", "status", "health", "planned_start", "planned_end", "actual_end",
           "budget", "actual_cost", "percent_complete", "expected_benefit", "realized_benefit", "risk"]
REGISTER = [
    # F1 finished 5% over: inside the 10% green band, so on budget (the old strict rule said not).
    ("F1", "Finished on budget", "Sales", "Closed", "Green", D(2026, 1, 1), D(2026, 3, 1), D(2026, 3, 1),
     1000, 1050, None, 2000, 1500, 2),
    # F2 finished 20% over, with percent complete 100%: amber (the old one-sided 5/15 bands said red).
    ("F2", "Finished 20% over", "Sales", "Closed", "Green", D(2026, 1, 1), D(2026, 4, 11), D(2026, 4, 11),
     1000, 1200, 1.0, 1000, 600, 3),
    # O1 open, 40% complete, 500 spent, 50 of 100 planned days gone on 2026-07-01.
    ("O1", "Open 40% complete", "Ops", "In progress", "Green", D(2026, 5, 12), D(2026, 8, 20), None,
     1000, 500, 0.4, None, None, 3),
    # O2 open, planned to end 2026-04-11, no forecast finish, no percent complete.
    ("O2", "Overdue open", "Ops", "In progress", "Green", D(2026, 1, 1), D(2026, 4, 11), None,
     1000, 900, None, None, None, 4),
    # Z1 a zero budget with 50 spent; Z2 a zero-day milestone finished 14 days late. Both reported green.
    ("Z1", "Zero budget with spend", "Digital", "Closed", "Green", D(2026, 1, 1), D(2026, 2, 1), D(2026, 2, 1),
     0, 50, None, None, None, 1),
    ("Z2", "Zero-day milestone late", "Digital", "Closed", "Green", D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 15),
     100, 100, None, None, None, 1),
    # N1 open, no sponsor, no percent complete, already 1150 spent of 1000.
    ("N1", "Open already over", None, "In progress", "Amber", D(2026, 1, 1), D(2026, 12, 31), None,
     1000, 1150, None, None, None, 5),
]


def register() -> pd.DataFrame:
    return pd.DataFrame(REGISTER, columns=COLUMNS)


@pytest.fixture
def pstore(store):  # the conftest store: the embedded file and the lake
    store.add_batch("projects", register(), file_name="fixture:portfolio")
    return store


def q(store: Store, name: str, **params) -> pd.DataFrame:
    """Run an analysis the way pages do: the organisation's settings, then these parameters."""
    if QUERIES != QUERIES_DIR:  # an older copy of the analyses may not take the newer parameters
        declared = {p.name for p in parameters(name, QUERIES)}
        params = {k: v for k, v in params.items() if k in declared}
    return run_query(store.cursor(), name, params, directory=QUERIES, settings=store.settings())


def by_id(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["project_id"]: r for r in frame.to_dict("records")}


def nan(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def test_finished_projects_use_final_cost_and_the_symmetric_federal_bands(pstore):
    p = by_id(q(pstore, "portfolio_health", as_of=AS_OF))
    f1, f2 = p["F1"], p["F2"]
    assert f1["cost_variance_pct"] == approx(0.05)  # (1050 - 1000) / 1000: positive = over budget
    assert f1["cost_health"] == "Green" and f1["on_budget"]  # 5% is under the 10% green band: on budget
    assert f1["overall_health"] == "Green"
    assert f2["cost_variance_pct"] == approx(0.2) and f2["cost_health"] == "Amber"  # 10% <= 20% < 30%
    assert f2["overall_health"] == "Amber" and not f2["on_budget"] and f2["over_budget"]
    assert (f1["eac"], f1["eac_basis"]) == (1050, "final cost")
    assert f2["on_time"] and f2["slip_days"] == 0


def test_open_project_is_judged_on_its_estimate_at_completion(pstore):
    o1 = by_id(q(pstore, "portfolio_health", as_of=AS_OF))["O1"]
    assert o1["cost_variance"] == 250 and o1["cost_variance_pct"] == approx(0.25)  # not (500 - 1000)/1000 = -50%
    assert o1["overall_health"] == "Amber"  # the old query said Green: -50% "under budget", no slip
    # PV = 1000 x 50/100 = 500; EV = 1000 x 0.4 = 400; AC = 500; CPI = 400/500 = 0.8; EAC = 1000 / 0.8 = 1250
    assert o1["is_open"] and (o1["pv"], o1["ev"], o1["cpi"], o1["spi"]) == (500, 400, approx(0.8), approx(0.8))
    assert (o1["eac"], o1["eac_basis"]) == (1250, "BAC / CPI")
    assert o1["cost_health"] == "Amber" and o1["over_budget"] and not o1["on_budget"]
    # No forecast finish and the planned end (2026-08-20) is ahead: no date slip, but 20% behind on earned value:
    # (PV - EV) / PV = (500 - 400) / 500
    assert (o1["finish_basis"], o1["slip_days"]) == ("planned end (no forecast)", 0)
    assert o1["ev_schedule_variance_pct"] == approx(0.2) and o1["schedule_health"] == "Amber" and o1["late"]


def test_overdue_open_project_slips_to_the_as_of_date(pstore):
    o2 = by_id(q(pstore, "portfolio_health", as_of=AS_OF))["O2"]
    # Planned 2026-01-01 → 2026-04-11 (100 days), still open on 2026-07-01: at least 81 days late, 81%.
    assert o2["slip_days"] == 81 and o2["slip_pct"] == approx(0.81)
    assert (o2["finish_date"].date(), o2["finish_basis"]) == (AS_OF, "as-of date (overdue)")
    assert o2["schedule_health"] == "Red" and o2["overall_health"] == "Red" and o2["late"] and not o2["on_time"]
    # 900 of 1000 spent, no percent complete: the estimate at completion is unknown, not "10% under".
    assert nan(o2["eac"]) and nan(o2["cost_health"]) and nan(o2["on_budget"])
    assert o2["eac_basis"] == "unknown: open, needs percent complete and cost to date"


@pytest.mark.parametrize(("as_of", "slip", "health"), [
    (D(2026, 4, 15), 4, "Green"),   # 4 of 100 planned days
    (D(2026, 4, 21), 10, "Amber"),  # 10 days = 10%: amber starts at 10%
    (D(2026, 7, 11), 91, "Red"),    # 81 + 10
])
def test_overdue_slip_moves_with_the_as_of_date(pstore, as_of, slip, health):
    o2 = by_id(q(pstore, "portfolio_health", as_of=as_of))["O2"]
    assert (o2["slip_days"], o2["schedule_health"]) == (slip, health)


def test_as_of_defaults_to_the_setting_then_today(pstore):
    pstore.save_settings({"as_of": "2026-04-21"})
    assert by_id(q(pstore, "portfolio_health"))["O2"]["slip_days"] == 10  # the organisation's as-of date
    pstore.save_settings({"as_of": ""})
    o2 = by_id(q(pstore, "portfolio_health"))["O2"]
    assert o2["slip_days"] == (dt.date.today() - D(2026, 4, 11)).days  # blank: today


def test_zero_budget_with_spend_and_zero_day_plan_late_are_red_not_green(pstore):
    p = by_id(q(pstore, "portfolio_health", as_of=AS_OF))
    z1, z2 = p["Z1"], p["Z2"]
    assert z1["cost_variance"] == 50 and nan(z1["cost_variance_pct"])  # 50 / 0 has no percentage...
    assert z1["cost_health"] == "Red" and z1["overall_health"] == "Red"  # ...but is an unbounded overrun
    assert z1["over_budget"] and not z1["on_budget"]
    assert z2["slip_days"] == 14 and nan(z2["slip_pct"])  # 14 / 0 days
    assert z2["schedule_health"] == "Red" and z2["overall_health"] == "Red" and z2["late"]


def test_open_project_without_percent_complete_already_over_budget(pstore):
    n1 = by_id(q(pstore, "portfolio_health", as_of=AS_OF))["N1"]
    assert n1["cost_variance_pct"] == approx(0.15) and n1["cost_health"] == "Amber"
    assert (n1["eac"], n1["eac_basis"]) == (1150, "cost to date, already over budget")  # a floor
    assert n1["schedule_health"] == "Green" and n1["overall_health"] == "Amber"  # reported Amber too


def test_projects_are_ordered_red_amber_green(pstore):
    assert list(q(pstore, "portfolio_health", as_of=AS_OF)["project_id"]) == ["O2", "Z1", "Z2", "F2", "N1", "O1", "F1"]


def test_portfolio_summary(pstore):
    s = q(pstore, "portfolio_summary", as_of=AS_OF).iloc[0]
    # (50 + 200 + 250 + 50 + 0 + 150) / (1000 + 1000 + 1000 + 0 + 100 + 1000) = 700 / 4100; the old query
    # compared O1's and O2's cost to date with their whole budgets: -150 / 5100 = -2.9%
    assert s.cost_variance_pct == approx(0.1707)
    assert (s.projects, s.open_projects) == (7, 3)
    assert s.on_time_rate == approx(0.5714)  # green schedule: F1 F2 Z1 N1 of 7
    assert s.on_budget_rate == approx(0.3333)  # green cost: F1 Z2 of the 6 with a cost health (not O2)
    assert s.avg_slip_days == approx(13.6)  # (81 + 14) / 7
    assert s.total_eac == 4800  # 1050 + 1200 + 1250 + 50 + 100 + 1150 (O2 unknown)
    assert (s.ev_projects, s.pv, s.ev, s.ac) == (1, 500, 400, 500)  # O1 is the one open project with EV
    assert (s.cpi, s.spi) == (approx(0.8), approx(0.8))
    assert (s.red, s.amber, s.green) == (3, 3, 1)  # red O2 Z1 Z2; amber F2 N1 O1; green F1
    assert s.benefit_realization == approx(0.7)  # (1500 + 600) / (2000 + 1000)
    assert (s.health_amber_pct, s.health_red_pct) == (10, 30) and s.as_of.date() == AS_OF


def test_the_rates_follow_the_bands_the_organisation_sets(pstore):
    pstore.save_settings({"health_amber_pct": 5, "health_red_pct": 15})  # the product's former stricter bands
    p = by_id(q(pstore, "portfolio_health", as_of=AS_OF))
    assert p["F1"]["cost_health"] == "Amber" and not p["F1"]["on_budget"]  # 5% is now amber
    assert p["F2"]["cost_health"] == "Red" and p["N1"]["cost_health"] == "Red"  # 20% and 15%
    assert p["O1"]["schedule_health"] == "Red"  # 20% behind on earned value
    s = q(pstore, "portfolio_summary", as_of=AS_OF).iloc[0]
    assert s.on_budget_rate == approx(0.1667)  # only Z2 (0%) of 6
    assert (s.red, s.amber, s.green) == (6, 1, 0)  # O1 F2 N1 join the red; F1 amber
    assert s.health_amber_pct == 5


def test_portfolio_by_sponsor(pstore):
    rows = q(pstore, "portfolio_by_sponsor", as_of=AS_OF).to_dict("records")
    # late + over budget: Ops 2 + 1, Digital 1 + 1, No sponsor 0 + 1, Sales 0 + 1 (ties by name)
    assert [r["business_unit"] for r in rows] == ["Ops", "Digital", "No sponsor", "Sales"]
    got = {r["business_unit"]: (r["projects"], r["late"], r["over_budget"], r["red"], r["cost_variance"]) for r in rows}
    assert got["Ops"] == (2, 2, 1, 1, 250)  # O1 behind on EV, O2 overdue; O1 over at completion (O2 unknown)
    assert got["Digital"] == (2, 1, 1, 2, 50)  # Z2 late, Z1 over
    assert got["No sponsor"] == (1, 0, 1, 0, 150)
    assert got["Sales"] == (2, 0, 1, 0, 250)  # F1 +5% is inside the band: not over budget


def test_earned_value(pstore):
    ev = by_id(q(pstore, "earned_value", as_of=AS_OF))
    assert list(ev) == ["O1", "F2"]  # projects with percent complete, open first
    o1, f2 = ev["O1"], ev["F2"]
    assert (o1["bac"], o1["pv"], o1["ev"], o1["ac"]) == (1000, 500, 400, 500)
    assert (o1["cv"], o1["sv"]) == (-100, -100)  # PMI signs: EV - AC and EV - PV, negative = over / behind
    assert (o1["cpi"], o1["spi"]) == (approx(0.8), approx(0.8))  # 400/500, 400/500
    assert o1["eac_cpi"] == 1250  # BAC / CPI = 1000 / 0.8
    assert o1["eac_ac_plus_remaining"] == 1100  # AC + (BAC - EV) = 500 + 600
    assert o1["tcpi"] == approx(1.2)  # (BAC - EV) / (BAC - AC) = 600 / 500
    assert (o1["eac"], o1["eac_basis"]) == (1250, "BAC / CPI")
    # F2 finished at 1200 of 1000: EV = PV = 1000, CV = -200, CPI = 0.8333, and BAC/CPI gives back 1200.
    assert (f2["ev"], f2["pv"], f2["cv"], f2["sv"]) == (1000, 1000, -200, 0)
    assert f2["cpi"] == approx(0.8333) and f2["spi"] == 1 and f2["eac_cpi"] == 1200
    assert nan(f2["tcpi"])  # cost to date is past the budget: no efficiency finishes within it
    assert f2["eac_basis"] == "final cost"


def test_a_finished_project_has_no_to_complete_index(store):
    """TCPI is the efficiency the remaining work needs; a finished project has none left. F3 finished
    under budget, 900 of 1000, 100% complete: PMI's formula would give (1000 - 1000) / (1000 - 900) = 0,
    which the table once showed as 0.00."""
    frame = pd.DataFrame([("F3", "Finished under", "Sales", "Closed", "Green", D(2026, 1, 1), D(2026, 4, 11),
                           D(2026, 4, 11), 1000, 900, 1.0, None, None, 1),
                          ("O3", "Open under", "Sales", "In progress", "Green", D(2026, 5, 12), D(2026, 8, 20), None,
                           1000, 300, 0.4, None, None, 1)], columns=COLUMNS)
    store.add_batch("projects", frame, file_name="fixture:tcpi")
    ev = by_id(q(store, "earned_value", as_of=AS_OF))
    assert nan(ev["F3"]["tcpi"]) and ev["F3"]["cpi"] == approx(1000 / 900, abs=1e-4)
    assert ev["O3"]["tcpi"] == approx(600 / 700, abs=1e-4)  # (1000 - 400) / (1000 - 300)


def test_earned_value_before_the_planned_start_has_no_spi(pstore):
    o1 = by_id(q(pstore, "earned_value", as_of=D(2026, 4, 21)))["O1"]
    assert o1["pv"] == 0 and nan(o1["spi"]) and o1["ev"] == 400  # nothing was planned yet


def test_eac_falls_back_to_ac_plus_remaining_when_nothing_is_earned():
    s = Store(":memory:")
    s.add_batch("projects", pd.DataFrame([
        ("E1", "Nothing earned", "Ops", "In progress", D(2026, 1, 1), D(2026, 12, 27), 1000, 200, 0.0),
    ], columns=["project_id", "name", "business_unit", "status", "planned_start", "planned_end", "budget",
                "actual_cost", "percent_complete"]))
    e1 = by_id(q(s, "portfolio_health", as_of=AS_OF))["E1"]
    # EV = 0, CPI = 0/200 = 0: BAC / CPI is undefined, so EAC = AC + (BAC - EV) = 200 + 1000 = 1200
    assert e1["cost_variance_pct"] == approx(0.2)  # the old query: (200 - 1000) / 1000 = -80%
    assert nan(e1["eac_cpi"]) and (e1["eac"], e1["eac_basis"]) == (1200, "AC + (BAC - EV)")
    s.close()


def test_headers_cite_their_sources_and_state_the_sign():
    for name in ("portfolio_health", "portfolio_summary", "portfolio_by_sponsor", "earned_value"):
        query = get_query(name)
        assert query.source, name
        text = query.path.read_text()
        assert "positive = over budget" in text, name
    assert "PMI" in get_query("earned_value").source and "IT Dashboard" in get_query("portfolio_health").source
    assert "health_amber_pct = 5 and health_red_pct = 15" in get_query("portfolio_summary").path.read_text()


def test_the_finding_and_the_charts_say_the_same(pstore):
    def run(name, **params):
        if "as_of" in {p.name for p in parameters(name)}:
            params["as_of"] = AS_OF
        return q(pstore, name, **params)

    finding = findings.portfolio(run)
    assert finding.headline == "3 of 7 projects are red; 57.1% are on time and 33.3% on budget."
    assert "within 10% of plan, over or under" in finding.detail and "as of 2026-07-01" in finding.detail
    mix = charts.health_mix(run("portfolio_summary").iloc[0]).to_dict()
    assert {r["overall_health"]: r["projects"] for r in next(iter(mix["datasets"].values()))} == \
        {"Red": 3, "Amber": 3, "Green": 1}
    ev = charts.ev_indices(run("earned_value"), "EV")
    assert charts.to_image(ev, "svg").startswith(b"<svg")
    points = next(iter(ev.to_dict()["datasets"].values()))
    assert {r["project_id"]: (r["spi"], r["cpi"]) for r in points}["O1"] == (0.8, 0.8)
    assert charts.to_image(charts.bubble(run("portfolio_health"), "Projects"), "svg").startswith(b"<svg")


def test_the_portfolio_page_says_what_it_assumed(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from alignment.store import close_shared_stores

    path = tmp_path / "portfolio.duckdb"
    s = Store(path)
    s.add_batch("projects", register(), file_name="fixture:portfolio")
    s.save_settings({"as_of": AS_OF.isoformat()})
    s.close()
    monkeypatch.setenv("ALIGNMENT_DB", str(path))
    close_shared_stores()
    try:
        at = AppTest.from_file(str(QUERIES_DIR.parent / "app.py"), default_timeout=60).run()
        at.switch_page("app_pages/portfolio.py")
        at.run()
        assert not at.exception and not at.error
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["On time"] == "57.1%" and metrics["On budget"] == "33.3%"
        assert metrics["Cost variance at completion"] == "+17.1%"  # 700 / 4100, positive = over budget
        assert metrics["Cost performance (CPI)"] == "0.80" and metrics["Schedule performance (SPI)"] == "0.80"
        said = " ".join(c.value for c in at.caption)
        assert "as of 2026-07-01" in said and "under 10% of plan is green, under 30% amber" in said
        assert "positive = over budget or late" in said and "CV = EV − AC and SV = EV − PV" in said
    finally:
        close_shared_stores()
