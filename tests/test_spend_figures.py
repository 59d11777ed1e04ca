"""Spend figures of issue #10 under the filters the sidebar sets, on a small company worked by hand.

The company (fiscal year = calendar year unless a test says otherwise; every sum is beside its assert):

    month     A: budget actual forecast   B: budget actual forecast   Shared: budget actual
    2024-12        100     95                  -                          -
    2025-01        100    110                  50     40                  30     30
    2025-02        100    120                  50     60                  30     30
    2025-03        100     90                  50     50                  30     30
    2025-04        100    100                  50      -   (B's ledger late) 30   30
    2025-05..10    100      -                  50      -                  30      -
    2025-11        100      -    105           50      -    55            30      -   (no forecast)
    2025-12        100      -    105           50      -    55            30      -   (no forecast)

    FY2025 budget: 12 x 180 = 2160. Actuals Jan-Apr: 180 + 210 + 170 + 130 = 690.
    A month is closed for a unit when the company has actuals in it and the unit's own actuals reach
    it: A and Shared are closed Jan-Apr, B only Jan-Mar (its April is open, not "spent 0").
    Year end of a unit: its actuals of its closed months + its forecast after its close + its run
    rate (its actuals / its closed months) for every other month it has lines in.
    Goals: A's lines G1, B's G2, Shared's none. Business metrics (revenue / headcount): A Jan-Apr
    1000/10, 1000/10, 1200/12, 800/8 and May 1000/10 (a plan month with no actual spend); B Jan-Mar 500/5.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from alignment.queries import run_query
from alignment.store import Store

approx = pytest.approx
D = dt.date


def spend() -> pd.DataFrame:
    rows = [(D(2024, 12, 1), "A", 100, 95, None, "G1")]
    a_actual = {1: 110, 2: 120, 3: 90, 4: 100}
    b_actual = {1: 40, 2: 60, 3: 50}
    for m in range(1, 13):
        forecast = m >= 11
        rows.append((D(2025, m, 1), "A", 100, a_actual.get(m), 105 if forecast else None, "G1"))
        rows.append((D(2025, m, 1), "B", 50, b_actual.get(m), 55 if forecast else None, "G2"))
        rows.append((D(2025, m, 1), "Shared", 30, 30 if m <= 4 else None, None, None))
    frame = pd.DataFrame(rows, columns=["period", "business_unit", "budget", "actual", "forecast", "business_goal"])
    frame["cost_pool"] = frame["business_unit"].map({"A": "Software", "B": "Cloud", "Shared": "Telecom"})
    return frame


def business_metrics() -> pd.DataFrame:
    rows = [(D(2025, 1, 1), "A", 1000, 10), (D(2025, 2, 1), "A", 1000, 10), (D(2025, 3, 1), "A", 1200, 12),
            (D(2025, 4, 1), "A", 800, 8), (D(2025, 5, 1), "A", 1000, 10),
            (D(2025, 1, 1), "B", 500, 5), (D(2025, 2, 1), "B", 500, 5), (D(2025, 3, 1), "B", 500, 5)]
    return pd.DataFrame(rows, columns=["period", "business_unit", "revenue", "headcount"])


def projects() -> pd.DataFrame:
    cols = ["project_id", "name", "business_unit", "business_goal", "planned_start", "planned_end", "actual_start",
            "actual_end", "expected_benefit", "realized_benefit"]
    rows = [
        ("PA1", "A one", "A", "G1", D(2025, 1, 1), D(2025, 6, 30), D(2025, 1, 15), D(2025, 7, 31), 400, 300),
        ("PA2", "A two", "A", "G1", D(2024, 1, 1), D(2024, 6, 30), None, None, 200, 100),  # ended in 2024
        ("PB1", "B one", "B", "G1", D(2025, 2, 1), D(2025, 12, 31), None, None, 500, 500),
        ("PB2", "B two", "B", "G2", None, None, None, None, 90, 60),  # no dates: never cut by the period
    ]
    return pd.DataFrame(rows, columns=cols)


def load_company(store: Store) -> Store:
    for name, frame in (("spend", spend()), ("business_metrics", business_metrics()), ("projects", projects())):
        store.add_batch(name, frame, file_name=f"spend-figures:{name}")
    return store


@pytest.fixture
def cur(store):
    load_company(store)
    return store.cursor()


def one(cur, name, **params):
    frame = run_query(cur, name, params)
    assert len(frame) == 1, frame
    return frame.iloc[0]


def by(cur, name, key, **params):
    return {r[key]: r for r in run_query(cur, name, params).to_dict("records")}


def nan(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


# 1. Year-end projection: the chosen months pick the fiscal year; its actuals to date, its budget, what it assumed.

def test_projection_without_filters(cur):
    p = one(cur, "year_end_projection")
    assert (p.fiscal_year, p.fiscal_year_from, p.fiscal_year_to) == (2025, "2025-01", "2025-12")
    assert (p.first_actual_month, p.last_actual_month) == ("2025-01", "2025-04")
    assert (p.actual_months, p.forecast_months, p.run_rate_months, p.months_covered) == (4, 2, 6, 12)
    assert (p.units_behind, p.earliest_close) == (1, "2025-03")  # B: its April is projected
    assert p.partly_forecast_months == 2  # Shared forecast nothing for Nov and Dec
    # Jan-Apr: A 400 + Shared 120, B only Jan-Mar 150 (old: 720, B's April budget counted as underspent)
    assert p.actual_to_date == 690 and p.budget_to_date == 670
    assert p.variance_to_date == 20 and p.variance_to_date_pct == approx(0.0299)  # 690 - 670; / 670
    assert p.burn_rate == 172.5  # 690 / 4 months with actuals (each unit runs at its own rate below)
    assert p.forecast_rest == 320  # Nov + Dec: 2 x (105 + 55)
    # Run rates: A 105 x 6 (May-Oct), B 50 x 7 (Apr-Oct), Shared 30 x 8 (May-Dec)
    assert p.run_rate_rest == 1220  # 630 + 350 + 240
    assert p.projected_full_year == 2230 and p.full_year_budget == 2160  # 690 + 320 + 1220; 12 x 180
    assert p.projected_variance == 70 and p.projected_variance_pct == approx(0.0324)  # 2230 - 2160; / 2160
    assert p.method.startswith("actuals to date + forecast")


@pytest.mark.parametrize("filters", [{"period_to": "2025-02"}, {"period_from": "2025-03"},
                                     {"period_from": "2025-03", "period_to": "2025-03"},
                                     {"period_from": "2024-12", "period_to": "2025-02"}, {"period_from": "2025-11"}])
def test_the_chosen_months_pick_the_year_and_every_actual_of_it_counts(cur, filters):
    # Old rule (actuals of the chosen months only): up to Feb projected 2330 from 2 months at a burn of
    # 195; from March 1880 at 150, Jan and Feb at the run rate; Nov-Dec alone could not project at all.
    p = one(cur, "year_end_projection", **filters)
    assert p.fiscal_year == 2025 and (p.first_actual_month, p.last_actual_month) == ("2025-01", "2025-04")
    assert (p.actual_months, p.forecast_months, p.run_rate_months) == (4, 2, 6)
    assert p.actual_to_date == 690 and p.budget_to_date == 670 and p.burn_rate == 172.5  # as without filters
    assert p.projected_full_year == 2230 and p.full_year_budget == 2160  # as without filters


def test_a_past_year_is_projected_from_its_own_actuals(cur):
    p = one(cur, "year_end_projection", period_from="2024-12", period_to="2024-12")
    # FY2024 has one month with lines, December (A: budget 100, actual 95): all of it is actual.
    assert (p.fiscal_year, p.actual_months, p.months_covered, p.run_rate_months) == (2024, 1, 1, 0)
    assert p.projected_full_year == 95 and p.full_year_budget == 100 and p.projected_variance == -5


def test_projection_of_one_unit_uses_its_own_close(cur):
    a = one(cur, "year_end_projection", business_unit="A")
    assert a.actual_to_date == 420 and a.burn_rate == 105  # 110 + 120 + 90 + 100; / 4
    assert a.projected_full_year == 1260 and a.full_year_budget == 1200  # 420 + 2 x 105 + 6 x 105; 12 x 100
    b = one(cur, "year_end_projection", business_unit="B")
    # B's ledger stops at March while A's and Shared's reach April: B's April is open, projected at its
    # run rate, not read as nothing spent (old: April closed for every unit, 150 over 4 months = 485).
    assert (b.actual_months, b.last_actual_month, b.units_behind) == (3, "2025-03", 0)
    assert b.burn_rate == 50 and b.budget_to_date == 150  # 150 / 3; Jan-Mar 3 x 50
    assert b.projected_full_year == 610  # 150 + 2 x 55 + 7 x 50 (Apr-Oct)
    shared = one(cur, "year_end_projection", business_unit="Shared")
    # Shared forecast nothing for Nov and Dec: its own run rate there.
    assert shared.projected_full_year == 360 and shared.forecast_months == 0  # 120 + 8 x 30
    assert a.projected_full_year + b.projected_full_year + shared.projected_full_year == 2230


def test_a_year_with_no_actuals_yet_cannot_be_projected(cur):
    # Fiscal years from May: May-Dec 2025 are FY2026's first months, none with actuals.
    p = one(cur, "year_end_projection", period_from="2025-05", fiscal_year_start_month=5)
    assert (p.fiscal_year, p.fiscal_year_from, p.months_covered) == (2026, "2025-05", 8)
    assert p.actual_months == 0 and nan(p.burn_rate) and nan(p.projected_full_year)
    assert p.forecast_rest == 320 and p.run_rate_months == 6  # Nov + Dec 2 x (105 + 55); May-Oct no run rate
    assert run_query(cur, "year_end_projection", {"period_to": "2023-06"}).empty  # no data at all


def test_projection_follows_the_fiscal_year_start_month(cur):
    p = one(cur, "year_end_projection", fiscal_year_start_month=4)
    # April 2025 is the last actual: FY2026 runs Apr 2025 - Mar 2026; Jan-Mar 2026 have no lines.
    assert (p.fiscal_year, p.fiscal_year_from, p.fiscal_year_to) == (2026, "2025-04", "2026-03")
    assert (p.actual_months, p.forecast_months, p.run_rate_months, p.months_covered) == (1, 2, 6, 9)
    assert p.full_year_budget == 1620  # Apr-Dec 9 x 180
    # A 100 + 210 + 6 x 100 = 910; B (no closed month: April is past its ledger) 110 + 7 x 0 = 110;
    # Shared 30 + 8 x 30 = 270
    assert p.projected_full_year == 1290


# 2. Budget vs actual: forecast without actuals, a cutoff that ignores the unit, one year-end answer.

def test_budget_vs_actual_keeps_the_forecast_when_no_month_is_closed(cur):
    pools = by(cur, "budget_vs_actual", "category", group_by="cost_pool", period_from="2025-11")
    assert pools["Software"]["forecast"] == 210 and pools["Cloud"]["forecast"] == 110  # old: NULL
    assert nan(pools["Software"]["actual"]) and nan(pools["Software"]["budget_to_date"])  # none booked yet, not 0
    assert nan(pools["Software"]["variance"])


def test_budget_to_date_does_not_move_with_the_unit_filter(cur):
    (b,) = run_query(cur, "budget_vs_actual", {"group_by": "business_unit", "business_unit": "B"}).to_dict("records")
    assert b["budget_to_date"] == 150 and b["actual"] == 150  # Jan-Mar: B's close, whatever the filter; 40 + 60 + 50
    assert b["variance"] == 0 and b["variance_pct"] == 0  # before: April's budget counted, -50 (-25%)
    every = by(cur, "budget_vs_actual", "category", group_by="business_unit")
    assert every["B"]["budget_to_date"] == 150 and every["A"]["budget_to_date"] == 500  # the same row unfiltered
    s = one(cur, "executive_summary", business_unit="B")
    assert s.budget_to_date == 150 and s.budget_variance == 0
    company = one(cur, "executive_summary")
    assert company.budget_to_date == 770 and company.budget_variance == 15  # 100 (A Dec 2024) + 670; 785 - 770


@pytest.mark.parametrize("filters", [{}, {"period_to": "2025-02"}, {"period_from": "2025-03"},
                                     {"business_unit": "B"}, {"period_from": "2024-12", "period_to": "2025-02"}])
def test_budget_vs_actual_and_the_projection_give_one_year_end(cur, filters):
    p = one(cur, "year_end_projection", **filters)
    for group in ("business_unit", "tower", "cost_pool"):
        rows = run_query(cur, "budget_vs_actual", {"group_by": group, **filters})
        assert rows["outlook"].sum() == approx(p.projected_full_year), group
        assert rows["year_end_budget"].sum() == approx(p.full_year_budget), group


def test_budget_vs_actual_by_unit_year_end(cur):
    u = by(cur, "budget_vs_actual", "category", group_by="business_unit", period_to="2025-02")
    # The chosen months run Dec 2024 - Feb 2025: A's actual 95 + 110 + 120, budget 3 x 100, all closed.
    assert u["A"]["actual"] == 325 and u["A"]["budget"] == 300 and u["A"]["budget_to_date"] == 300
    # The year end is FY2025's, from all its actuals: 420 in Jan-Apr, burn 105; + Nov-Dec 210 + 6 x 105.
    assert u["A"]["outlook"] == 1260 and u["A"]["year_end_budget"] == 1200  # 420 + 210 + 630; 12 x 100
    assert u["A"]["outlook_variance"] == 60  # 1260 - 1200: positive = over budget


def test_budget_vs_actual_by_month_outlook(cur):
    m = by(cur, "budget_vs_actual", "category", group_by="month")
    assert m["2024-12"]["actual"] == 95 and nan(m["2024-12"]["outlook"])  # FY2024: not in the year-end
    # April: A's and Shared's actuals 130 + B's run rate 50; its budget to date leaves B's 50 out
    assert m["2025-04"]["outlook"] == 180 and m["2025-04"]["budget_to_date"] == 130 and m["2025-04"]["variance"] == 0
    assert m["2025-05"]["outlook"] == 185  # 105 + 50 + 30
    assert m["2025-11"]["outlook"] == 190 and m["2025-11"]["outlook_variance"] == 10  # 105 + 55 + Shared 30; - 180
    assert sum(r["outlook"] for k, r in m.items() if k.startswith("2025")) == 2230


# 3. Value per dollar: benefits and spend to date, of the chosen unit's projects and spend.

def test_value_per_dollar_counts_the_units_own_projects(cur):
    g = by(cur, "spend_by_business_goal", "business_goal")
    assert g["G1"]["actual"] == 515 and g["G1"]["realized_benefit"] == 900  # 95 + 420; PA1 + PA2 + PB1
    assert g["G1"]["value_per_dollar"] == approx(1.7476)  # 900 / 515
    a = by(cur, "spend_by_business_goal", "business_goal", business_unit="A")
    assert a["G1"]["realized_benefit"] == 400 and a["G1"]["value_per_dollar"] == approx(0.7767)  # (300+100)/515


@pytest.mark.parametrize("months", [{"period_from": "2025-01"}, {"period_to": "2025-01"},
                                    {"period_from": "2024-12", "period_to": "2024-12"}])
def test_value_per_dollar_is_to_date_whatever_months_are_chosen(cur, months):
    # Old: projects running in the chosen months over those months' spend; up to Jan 2025 that was
    # 400 / 205 = 1.95, and from Jan 2025 800 / 420 = 1.90, against 1.75 for all months.
    g = by(cur, "spend_by_business_goal", "business_goal", **months)
    assert g["G1"]["realized_benefit"] == 900 and g["G1"]["spend_to_date"] == 515  # PA1 + PA2 + PB1; 95 + 420
    assert g["G1"]["value_per_dollar"] == approx(1.7476)  # 900 / 515, as without filters
    a = by(cur, "spend_by_business_goal", "business_goal", business_unit="A", **months)
    assert a["G1"]["value_per_dollar"] == approx(0.7767)  # (300 + 100) / 515: the unit filter still applies
    if months.get("period_to") == "2024-12":
        assert g["G1"]["actual"] == 95 and g["G1"]["share_of_spend"] == 1  # the spend follows the months


# 4. IT spend per employee and % of revenue: one definition, same months, annualised, fully loaded.

def test_cost_per_unit_ratios_cover_the_same_months_and_are_annualised(cur):
    u = by(cur, "cost_by_business_unit", "business_unit")
    a, b = u["A"], u["B"]
    # Ratio months: Jan-Apr (actual spend and metrics; May has metrics only, Dec 2024 spend only).
    assert a["ratio_months"] == 4
    # Headcount driver over Jan-Apr: A (10+10+12+8)/4 = 10, B (5+5+5)/3 = 5; Shared 120 split 2/3, 1/3.
    assert a["allocation_share"] == approx(0.6667) and a["allocated_shared"] == 80 and b["allocated_shared"] == 40
    assert a["total_cost"] == 595 and a["cost_in_ratio_months"] == 500  # 515 + 80; 420 + 80
    assert a["revenue"] == 4000 and a["it_cost_pct_revenue"] == 0.125  # Jan-Apr revenue; 500 / 4000
    assert a["it_cost_per_employee"] == 150  # 500 x 12 / 4 months / 10
    assert b["it_cost_pct_revenue"] == approx(0.1267) and b["it_cost_per_employee"] == 114  # 190/1500; 190x3/5


def test_executive_summary_uses_the_same_definition(cur):
    s = one(cur, "executive_summary")
    assert s.it_spend == 785  # 95 + 690, every chosen month
    assert s.it_ratio_months == 4
    assert s.it_spend_pct_revenue == approx(0.1255)  # (500 + 190) / (4000 + 1500)
    assert s.it_spend_per_employee == 138  # 690 x 12 / 4 / (10 + 5)
    a = one(cur, "executive_summary", business_unit="A")
    unit = by(cur, "cost_by_business_unit", "business_unit", business_unit="A")["A"]
    assert a.it_spend == 515  # the unit's own spend
    assert (a.it_spend_pct_revenue, a.it_spend_per_employee) == (unit["it_cost_pct_revenue"],
                                                                 unit["it_cost_per_employee"]) == (0.125, 150)


# 9b. Shared cost with no driver is not shown as a business unit: the reason is given.

@pytest.fixture
def no_driver(store):
    frame = pd.DataFrame([(D(2025, 1, 1), "A", 50), (D(2025, 1, 1), "Shared", 100)],
                         columns=["period", "business_unit", "actual"])
    store.add_batch("spend", frame, file_name="no-driver")
    return store.cursor()


def test_shared_cost_with_no_driver_says_why(no_driver):
    rows = run_query(no_driver, "cost_by_business_unit", {}).to_dict("records")
    assert [(r["business_unit"], r["is_unallocated"]) for r in rows] == [("A", False), ("Shared", True)]
    a, shared = rows
    assert a["total_cost"] == 50 and a["allocated_shared"] == 0
    assert shared["total_cost"] == 100 and nan(shared["direct_cost"])
    assert shared["unallocated_reason"] == ("No headcount is loaded for the months with actual spend, so this shared "
                                            "cost was not allocated to any business unit.")
    assert "no shared cost was allocated" in a["unallocated_reason"]
    (only,) = run_query(no_driver, "cost_by_business_unit", {"business_unit": "A", "driver": "revenue"}).to_dict(
        "records")
    assert only["unallocated_reason"].startswith("No revenue is loaded")


def test_a_unit_without_the_driver_says_it_takes_no_shared_cost(cur):
    u = by(cur, "cost_by_business_unit", "business_unit", driver="revenue", period_from="2025-04")
    # April: A has revenue 800, B no metrics row: A takes all 30 of Shared.
    assert u["A"]["allocated_shared"] == 30 and nan(u["A"]["unallocated_reason"])
    assert u["B"]["allocated_shared"] == 0 and u["B"]["unallocated_reason"].startswith("No revenue for this unit")


# Sign convention and sources are stated in every header this work owns.

@pytest.mark.parametrize("name", ["year_end_projection", "budget_vs_actual", "spend_by_business_goal",
                                  "cost_by_business_unit", "spend_mix", "vendor_concentration", "executive_summary"])
def test_headers_cite_their_source(name):
    from alignment.queries import get_query

    query = get_query(name)
    assert query.source, name
    if name in ("year_end_projection", "budget_vs_actual"):
        assert "positive = over budget" in query.path.read_text()


def test_months_across_two_fiscal_years_say_which_year_is_projected(cur):
    from alignment.findings import projection_basis

    both = one(cur, "year_end_projection", period_to="2025-02")  # Dec 2024 (FY2024) to Feb 2025 (FY2025)
    assert both.fiscal_years_chosen == 2 and both.fiscal_year == 2025  # the year of Feb, the last closed month
    assert projection_basis(both).startswith("The chosen months reach into 2 fiscal years; the year end is "
                                             "FY2025's, the year of the last chosen month with actuals")
    within = one(cur, "year_end_projection", period_from="2025-01", period_to="2025-02")
    assert within.fiscal_years_chosen == 1 and not projection_basis(within).startswith("The chosen months")
    # April start: Dec 2024-Mar 2025 is FY2025, Apr-Dec 2025 FY2026; April 2025 is the last closed month.
    april = one(cur, "year_end_projection", fiscal_year_start_month=4)
    assert april.fiscal_years_chosen == 2 and april.fiscal_year == 2026


def test_a_fiscal_year_over_by_the_as_of_date_has_ended_not_so_far(cur):
    from alignment import findings
    from alignment.report import store_runner
    from alignment.settings import defaults

    def budget_slide(as_of: dt.date, **filters):
        run = store_runner(cur, filters, {**defaults(), "as_of": as_of})
        return findings.budget(run)

    running = budget_slide(D(2025, 6, 30))  # FY2025 (calendar) runs to 2025-12: 690 of actuals so far
    assert running.headline.startswith("IT has spent $690 in FY2025 to 2025-04:")
    assert running.detail.startswith("The fiscal year is projected to end at")
    over = budget_slide(D(2026, 6, 30))  # over: Jan-Apr have actuals, the 8 months after none
    assert over.headline == "IT spent $690 in FY2025 (actuals to 2025-04): 3.0% over the budget of those months."
    assert over.detail.startswith("The fiscal year is over, but 8 of its 12 months have no actuals loaded: it is "
                                  "estimated to have ended at")
    assert one(cur, "year_end_projection", as_of="2026-06-30").year_ended
    assert not one(cur, "year_end_projection", as_of="2025-12-31").year_ended  # its last day: not over yet
    # Only March chosen: the headline is the year's, and so is the chart, which says so.
    march = budget_slide(D(2025, 6, 30), period_from=D(2025, 3, 1), period_to=D(2025, 3, 31))
    months = next(iter(march.chart.to_dict()["datasets"].values()))
    assert {m["category"] for m in months} == {f"2025-{m:02d}-01" for m in range(1, 13)}
    assert march.detail.endswith("The chart shows FY2025's months, whatever months are chosen.")


def test_a_unit_whose_ledger_is_late_is_named_and_projected_not_read_as_nothing_spent(store, cur):
    from alignment.findings import projection_basis

    p = one(cur, "year_end_projection")
    assert (p.units_behind, p.behind_units, p.earliest_close) == (1, "B", "2025-03")
    assert ("B has not loaded actuals for every month the other units have: its open months count at its forecast "
            "or run rate, not as nothing spent, and its budget for them is not yet to date.") in projection_basis(p)
    alone = one(cur, "year_end_projection", business_unit="B")  # on its own, nobody to be behind
    assert alone.units_behind == 0 and "not loaded actuals" not in projection_basis(alone)
    # B's April ledger arrives: April closes for B, and nothing is behind any more.
    store.add_batch("spend", pd.DataFrame({"period": [D(2025, 4, 1)], "business_unit": ["B"], "actual": [45.0]}),
                    file_name="b-april")
    p = one(store.cursor(), "year_end_projection")
    assert p.units_behind == 0 and "not loaded actuals" not in projection_basis(p)
    assert p.actual_to_date == 735 and p.budget_to_date == 720  # 690 + 45; 670 + B's April 50
    b = one(store.cursor(), "year_end_projection", business_unit="B")
    assert b.burn_rate == 48.75 and b.projected_full_year == 597.5  # 195 / 4; 195 + 110 + 6 x 48.75


def test_a_partly_loaded_newest_month_is_listed_and_said_on_the_slide(store, cur):
    """Three units' first November lines once moved the company from 2.7% over to 1.8% under budget
    with no word said. Here A's May arrives with 10 of its 100 budget, B's April with 45 of 50."""
    from alignment import findings
    from alignment.report import store_runner
    from alignment.settings import defaults

    assert run_query(cur, "partial_months", {}).empty  # every unit's newest month is at or near budget
    store.add_batch("spend", pd.DataFrame({"period": [D(2025, 5, 1), D(2025, 4, 1)], "business_unit": ["A", "B"],
                                           "actual": [10.0, 45.0]}), file_name="early-extract")
    cur = store.cursor()
    listed = run_query(cur, "partial_months", {})
    # A: May 10 of 100 = 10%, under 50%. B: April 45 of 50 = 90%. Shared: April 30 of 30.
    assert listed[["business_unit", "month", "actual", "budget", "share_of_budget"]].values.tolist() == [
        ["A", "2025-05", 10.0, 100.0, 0.1]]
    stricter = run_query(cur, "partial_months", {"partial_month_pct": 95})
    assert stricter[["business_unit", "month"]].values.tolist() == [["B", "2025-04"], ["A", "2025-05"]]
    assert run_query(cur, "partial_months", {"partial_month_pct": 0}).empty  # the check off
    assert run_query(cur, "partial_months", {"business_unit": "B"}).empty
    # The slide says it first: May's whole 180 of budget now counts against 10 of actuals.
    slide = findings.budget(store_runner(cur, {}, {**defaults(), "as_of": D(2025, 6, 30)}))
    assert slide.detail.startswith(
        "The newest month of actuals looks partly loaded for A (2025-05: 10.0% of its budget). Budget to date "
        "counts that month's whole budget")
    p = one(cur, "year_end_projection")
    # Budget to date: 670 + B's April 50 + A's May 100 (Shared's books stop in April: its May stays open).
    assert p.last_actual_month == "2025-05" and p.budget_to_date == 820


# 5. The books' close (setting books_closed_through): actuals after it stay loaded, no figure counts them.

def test_actuals_after_the_close_are_kept_but_not_counted_until_it_moves_on(store, cur):
    """Closed through 2025-02: March (A 90, B 50, Shared 30) and April (A 100, Shared 30) are
    preliminary. Every spend figure is worked out again as if they were not loaded; the saved setting
    applies like a parameter, and moving it on (or blanking it) gives the figures above back."""
    from alignment import findings
    from alignment.report import store_runner
    from alignment.settings import defaults

    close = {"books_closed_through": "2025-02"}
    p = one(cur, "year_end_projection", **close)
    assert (p.first_actual_month, p.last_actual_month, p.actual_months) == ("2025-01", "2025-02", 2)
    assert (p.forecast_months, p.run_rate_months, p.units_behind) == (2, 8, 0)  # Nov-Dec; Mar-Oct; all close in Feb
    assert p.actual_to_date == 390 and p.budget_to_date == 360  # Jan 180 + Feb 210; 2 x 180
    assert p.variance_to_date == 30 and p.variance_to_date_pct == approx(0.0833)  # 30 / 360
    assert p.burn_rate == 195  # 390 / 2
    assert p.forecast_rest == 320  # Nov + Dec: 2 x (105 + 55), as before
    # Run rates: A (110 + 120) / 2 = 115 x 8 (Mar-Oct), B (40 + 60) / 2 = 50 x 8, Shared 30 x 10 (Mar-Dec)
    assert p.run_rate_rest == 1620  # 920 + 400 + 300
    assert p.projected_full_year == 2330 and p.full_year_budget == 2160  # 390 + 320 + 1620
    assert p.projected_variance == 170 and p.projected_variance_pct == approx(0.0787)  # 170 / 2160

    s = one(cur, "executive_summary", **close)
    # Every chosen month (none chosen: all): A's 2024-12 95 + Jan 180 + Feb 210; budget 100 + 2 x 180
    assert s.it_spend == 485 and s.budget_to_date == 460 and s.budget_variance == 25
    assert s.unmapped_share == approx(0.1237)  # Shared's 60 / 485
    units = by(cur, "budget_vs_actual", "category", group_by="business_unit", **close)
    assert (units["A"]["actual"], units["A"]["budget_to_date"]) == (325, 300)  # 95 + 110 + 120; 3 x 100
    assert (units["B"]["actual"], units["B"]["budget_to_date"]) == (100, 100)  # 40 + 60; 2 x 50
    assert (units["Shared"]["actual"], units["Shared"]["budget_to_date"]) == (60, 60)
    goals = by(cur, "spend_by_business_goal", "business_goal", **close)
    assert (goals["G1"]["actual"], goals["G1"]["spend_to_date"]) == (325, 325)
    # G1's projects realised PA1 300 + PA2 100 + PB1 500 = 900 (every unit's): 900 / 325
    assert goals["G1"]["value_per_dollar"] == approx(round(900 / 325, 4))
    assert (goals["G2"]["actual"], goals["Unmapped"]["actual"]) == (100, 60)
    assert run_query(cur, "partial_months", close).empty  # Feb is each unit's newest month, at or over budget

    waiting = run_query(cur, "actuals_after_close", close)
    assert waiting.to_dict("records") == [
        {"month": "2025-03", "closed_through": "2025-02", "lines": 3, "actual": 170.0, "business_units": 3},
        {"month": "2025-04", "closed_through": "2025-02", "lines": 2, "actual": 130.0, "business_units": 2}]
    assert run_query(cur, "actuals_after_close", {**close, "business_unit": "B"}).month.tolist() == ["2025-03"]
    assert run_query(cur, "actuals_after_close", {}).empty  # blank: every loaded actual counts
    slide = findings.budget(store_runner(cur, {}, {**defaults(), "as_of": D(2025, 6, 30), **close}))
    assert slide.headline == "IT has spent $390 in FY2025 to 2025-02: 8.3% over budget to date."
    assert ("Actuals of 2025-03 and 2025-04 ($300 in 5 lines) are loaded but not counted yet: the books are "
            "closed through 2025-02 (Settings); move it on as each month closes.") in slide.detail

    # Closed before every actual: the slide and pack say all of it waits, not leave the finding out unsaid.
    early = findings.budget(store_runner(cur, {}, {**defaults(), "as_of": D(2025, 6, 30),
                                                   "books_closed_through": "2024-11"}))
    assert early.headline == "No actual spend is counted yet: the books are closed through 2024-11."
    # 1 + 3 + 3 + 3 + 2 lines; 95 + 180 + 210 + 170 + 130
    assert early.detail.startswith("Actuals of 2024-12, 2025-01, 2025-02, 2025-03 and 2025-04 ($785 in 12 lines)")
    # The saved setting is what the pages use; any day of the month names it.
    store.save_settings({"books_closed_through": "2025-02-17"}, "finance@example.com")
    assert store.settings()["books_closed_through"] == D(2025, 2, 1)
    saved = run_query(store.cursor(), "year_end_projection", {}, settings=store.settings())
    assert saved.iloc[0].actual_to_date == 390
    # Closed through April (or later, or blank) counts everything: the figures of the tests above.
    for later in ("2025-04", "2025-12", None):
        q = one(cur, "year_end_projection", books_closed_through=later)
        assert (q.actual_to_date, q.budget_to_date, q.projected_full_year) == (690, 670, 2230)
