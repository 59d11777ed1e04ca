"""Every analysis against figures worked out by hand on tests/fixtures.py (the sums are in the comments)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from alignment.queries import QueryError, compose, get_query, public_queries, run_query, standalone_sql
from tests import fixtures
from tests.fixtures import AS_OF

approx = pytest.approx


@pytest.fixture
def cur(store):
    fixtures.load(store)
    return store.cursor()


def rows(cur, name, **params):
    frame = run_query(cur, name, params)
    return frame.to_dict("records")


def by(records, key):
    return {r[key]: r for r in records}


def nan(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_spend_by_business_goal(cur):
    r = rows(cur, "spend_by_business_goal")
    assert [x["business_goal"] for x in r] == ["G1", "G2", "Unmapped"]  # mapped first, largest first
    g = by(r, "business_goal")
    assert g["G1"]["actual"] == 190  # 110 + 80
    assert g["G2"]["actual"] == 180
    assert g["Unmapped"]["actual"] == 130 and g["Unmapped"]["is_unmapped"]
    assert g["G1"]["share_of_spend"] == approx(0.38)  # 190 / 500
    assert g["Unmapped"]["share_of_spend"] == approx(0.26)
    assert g["G1"]["realized_benefit"] == 150 and g["G1"]["expected_benefit"] == 300  # P1 + P3
    assert g["G1"]["value_per_dollar"] == approx(0.7895)  # 150 / 190
    assert g["G2"]["value_per_dollar"] == approx(0.5556)  # 100 / 180
    assert nan(g["Unmapped"]["value_per_dollar"])


def test_spend_filters_by_period_and_unit(cur):
    g = by(rows(cur, "spend_by_business_goal", business_unit="Sales"), "business_goal")
    assert g["G1"]["actual"] == 110 and g["Unmapped"]["actual"] == 130
    g = by(rows(cur, "spend_by_business_goal", period_from="2025-02-01"), "business_goal")
    assert set(g) == {"G1", "Unmapped", "G2"} and g["G1"]["actual"] == 80 and g["G2"]["actual"] == 0


def test_budget_vs_actual_by_month(cur):
    m = by(rows(cur, "budget_vs_actual", group_by="month"), "category")
    assert list(m) == ["2025-01", "2025-02", "2025-03"]
    jan, feb, mar = m["2025-01"], m["2025-02"], m["2025-03"]
    assert (jan["budget"], jan["actual"], jan["variance"]) == (300, 290, -10)
    assert jan["variance_pct"] == approx(-0.0333)
    assert (feb["budget"], feb["actual"], feb["variance"], feb["variance_pct"]) == (150, 210, 60, 0.4)
    # March has no actuals yet: no actual and nothing to compare to date (blank, not 0), the outlook is its forecast.
    assert mar["forecast"] == 310 and nan(mar["actual"]) and nan(mar["variance"]) and nan(mar["variance_pct"])
    assert mar["outlook"] == 310 and mar["outlook_variance"] == 10


def test_budget_vs_actual_by_unit(cur):
    u = by(rows(cur, "budget_vs_actual", group_by="business_unit"), "category")
    sales = u["Sales"]
    assert (sales["budget"], sales["budget_to_date"], sales["actual"], sales["forecast"]) == (300, 200, 240, 120)
    assert sales["variance"] == 40 and sales["variance_pct"] == approx(0.2)
    assert sales["outlook"] == 360 and sales["outlook_variance"] == 60
    assert u["Ops"]["variance"] == -20 and u["Ops"]["outlook_variance"] == -30  # 180+190-400
    assert u["Shared"]["variance_pct"] == approx(0.6)


def test_budget_vs_actual_rejects_unknown_grouping(cur):
    with pytest.raises(QueryError, match="group_by must be one of"):
        rows(cur, "budget_vs_actual", group_by="vendor; DROP TABLE spend")


def test_year_end_projection(cur):
    (p,) = rows(cur, "year_end_projection")
    assert p["fiscal_year"] == 2025 and p["last_actual_month"] == "2025-02" and p["actual_months"] == 2
    assert p["actual_to_date"] == 500 and p["budget_to_date"] == 450 and p["full_year_budget"] == 750
    assert p["variance_to_date_pct"] == approx(0.1111)  # (500 - 450) / 450
    assert p["burn_rate"] == 250  # 500 / 2 months
    # 500 actual + 310 March forecast; April-December have no spend line (no budget either): not projected
    assert p["projected_full_year"] == 810
    assert p["projected_variance"] == 60  # 810 - 750


def test_spend_mix(cur):
    mix = {(str(r["period"])[:7], r["category"]): r for r in rows(cur, "spend_mix", mix="rgt")}
    assert mix[("2025-01", "Run")]["actual"] == 110
    assert mix[("2025-01", "Run")]["share_of_month"] == approx(0.3793)  # 110 / 290
    assert mix[("2025-01", "Grow")]["share_of_month"] == approx(0.6207)
    assert mix[("2025-02", "Run")]["actual"] == 210 and mix[("2025-02", "Run")]["share_of_month"] == 1
    assert not any(k[0] == "2025-03" for k in mix)  # no actuals in March
    capex = {(str(r["period"])[:7], r["category"]): r["actual"] for r in rows(cur, "spend_mix", mix="capex_opex")}
    assert capex[("2025-01", "Capex")] == 180 and capex[("2025-02", "Opex")] == 210


def test_cost_by_business_unit_allocates_shared_cost_by_headcount(cur):
    u = by(rows(cur, "cost_by_business_unit", driver="headcount"), "business_unit")
    assert set(u) == {"Sales", "Ops"}
    # Shared 80 split by average headcount: Sales 12, Ops 6.
    assert u["Sales"]["allocation_share"] == approx(0.6667)
    assert u["Sales"]["allocated_shared"] == approx(53.33)
    assert u["Sales"]["total_cost"] == approx(293.33)  # 240 + 53.33
    assert u["Ops"]["total_cost"] == approx(206.67)
    assert u["Sales"]["it_cost_pct_revenue"] == approx(0.1467)  # 293.33 / 2000
    # annualised: 293.33 over 2 months x 12 / 2 = 1,760 a year, / 12 people
    assert u["Sales"]["it_cost_per_employee"] == approx(146.67)
    assert u["Ops"]["it_cost_per_employee"] == approx(206.67)  # 206.67 x 12 / 2 / 6


def test_cost_by_business_unit_allocates_by_revenue(cur):
    u = by(rows(cur, "cost_by_business_unit", driver="revenue"), "business_unit")
    assert u["Sales"]["allocated_shared"] == approx(26.67)  # 80 x 2000/6000
    assert u["Ops"]["total_cost"] == approx(233.33)  # 180 + 53.33
    only = rows(cur, "cost_by_business_unit", driver="revenue", business_unit="Ops")
    assert [r["business_unit"] for r in only] == ["Ops"] and only[0]["total_cost"] == approx(233.33)


def test_vendor_concentration(cur):
    v = rows(cur, "vendor_concentration")
    assert [r["vendor"] for r in v] == ["V1", "V2"]  # the Shared line has no vendor: left out
    assert v[0]["actual"] == 240 and v[0]["share_of_spend"] == approx(0.5714)
    assert v[1]["cumulative_share"] == approx(1.0)
    assert v[0]["hhi"] == approx(5102.0)  # (240² + 180²) / 420² x 10,000
    assert {r["concentration"] for r in v} == {"highly concentrated"}  # over 1,800 (2023 guidelines)
    # the bands are the organisation's: 5,102 is moderate under 5,000 / 6,000, unconcentrated above 5,102
    assert rows(cur, "vendor_concentration", hhi_moderate=5000, hhi_high=6000)[0]["concentration"] == \
        "moderately concentrated"
    assert rows(cur, "vendor_concentration", hhi_moderate=5102, hhi_high=6000)[0]["concentration"] == \
        "not concentrated"  # "above" the band's start, as the guidelines say
    # Sales buys only from V1: one vendor has it all, 10,000
    only = rows(cur, "vendor_concentration", business_unit="Sales")
    assert [(r["vendor"], r["hhi"], r["concentration"]) for r in only] == [("V1", 10000.0, "highly concentrated")]


def test_portfolio_health(cur):
    p = by(rows(cur, "portfolio_health"), "project_id")
    assert list(p) == ["P3", "P4", "P1", "P2"]  # red first, then amber
    one, two, three, four = p["P1"], p["P2"], p["P3"], p["P4"]
    # a 10% underrun is amber under the federal bands (|variance| 10-30%): underruns count too
    assert one["cost_variance_pct"] == approx(-0.1) and one["overall_health"] == "Amber"
    assert one["roi"] == approx(0.6667) and one["benefit_realization"] == approx(0.75)
    assert two["slip_days"] == 10 and two["slip_pct"] == approx(0.1)
    assert (two["cost_health"], two["schedule_health"], two["overall_health"]) == ("Amber", "Amber", "Amber")
    assert two["roi"] == approx(-0.5455)  # (100 - 220) / 220
    # P3 is reported green and on cost, but slipped 15 of 30 planned days: red overall.
    assert (three["cost_health"], three["schedule_health"], three["overall_health"]) == ("Green", "Red", "Red")
    assert not three["on_time"] and three["on_budget"]  # +4% is inside the green band
    assert four["overall_health"] == "Red" and nan(four["cost_health"])


def test_portfolio_summary(cur):
    (s,) = rows(cur, "portfolio_summary")
    assert s["projects"] == 4
    assert s["on_time_rate"] == approx(0.3333) and s["on_budget_rate"] == approx(0.3333)
    assert s["avg_slip_days"] == approx(8.3)  # (0 + 10 + 15) / 3
    assert s["cost_variance_pct"] == approx(0.035)  # (-10 + 20 + 4) / 400
    assert s["benefit_realization"] == approx(0.3571)  # 250 / 700
    assert s["roi"] == approx(-0.4612)  # (250 - 464) / 464
    assert (s["red"], s["amber"], s["green"]) == (2, 2, 0)


def test_portfolio_by_sponsor(cur):
    s = rows(cur, "portfolio_by_sponsor")
    assert [r["business_unit"] for r in s] == ["Ops", "Sales"]
    ops, sales = s
    assert (ops["projects"], ops["late"], ops["over_budget"], ops["red"], ops["cost_variance"]) == (2, 1, 1, 1, 20)
    # P1 is under budget and P3's +4% is inside the green band: no Sales project is over budget
    assert (sales["late"], sales["over_budget"], sales["red"], sales["cost_variance"]) == (1, 0, 1, -6)


def test_bottleneck_stages(cur):
    s = by(rows(cur, "bottleneck_stages", as_of=AS_OF), "stage")
    assert list(s) == ["Intake", "Build", "Test"]
    assert s["Intake"]["median_days"] == 2 and s["Intake"]["p85_days"] == approx(3.4)  # of 1, 2, 4
    assert s["Build"]["median_days"] == 10 and s["Build"]["p85_days"] == approx(17)  # of 6, 10, 20
    assert s["Test"]["median_days"] == 2 and s["Test"]["p85_days"] == approx(2.7)  # of 1, 3
    assert (s["Intake"]["wip"], s["Build"]["wip"], s["Test"]["wip"]) == (1, 0, 1)
    assert s["Build"]["share_of_time"] == approx(0.766)  # 36 of 47 finished days
    assert [k for k, v in s.items() if v["is_bottleneck"]] == ["Build"]


def test_bottleneck_flags_exactly_one_stage_on_a_tie(store):
    import pandas as pd

    tie = pd.DataFrame({"item_id": ["x", "x"], "stage": ["One", "Two"],
                        "entered": [fixtures.D(2025, 1, 1), fixtures.D(2025, 1, 6)],
                        "exited": [fixtures.D(2025, 1, 6), fixtures.D(2025, 1, 11)]})
    store.add_batch("stage_history", tie)
    flagged = [r["stage"] for r in rows(store.cursor(), "bottleneck_stages", as_of=AS_OF) if r["is_bottleneck"]]
    assert flagged == ["One"]


def test_aging_items(cur):
    a = rows(cur, "aging_items", as_of=AS_OF)
    assert [(r["item_id"], r["stage"]) for r in a] == [("C", "Test"), ("D", "Intake")]
    assert a[0]["age_days"] == 78 and a[0]["days_over"] == approx(75.3)  # Jan 12 → Mar 31, p85 2.7
    assert a[1]["age_days"] == 30 and a[1]["days_over"] == approx(26.6)


def test_throughput_and_flow_efficiency(cur):
    t = rows(cur, "throughput", as_of=AS_OF)
    # one row a month from the first start (January) to the as-of month (March), zeros included
    assert [r["finished"] for r in t] == [2, 0, 0] and t[0]["median_lead_time_days"] == 20  # 15 and 25 days
    (f,) = rows(cur, "flow_efficiency", as_of=AS_OF, active_stages="Build, Test")
    assert f["items"] == 2 and f["waiting_days"] == 6 and f["active_days"] == 34
    assert f["flow_efficiency"] == approx(0.85)


def test_cumulative_flow(cur):
    flow = {(str(r["week"])[:10], r["stage"]): r["items"] for r in rows(cur, "cumulative_flow", as_of=AS_OF)}
    assert flow[("2025-01-06", "Build")] == 3 and flow[("2025-01-06", "Intake")] == 0  # all left Intake by then
    assert flow[("2025-01-06", "Finished")] == 0
    assert flow[("2025-01-27", "Finished")] == 2 and flow[("2025-01-27", "Test")] == 1


def test_alignment_gap_uses_latest_wave(cur):
    g = by(rows(cur, "alignment_gap"), "dimension")
    assert list(g) == ["Communications", "Governance"]  # Luftman's order
    comm = g["Communications"]
    assert (comm["it_mean"], comm["business_mean"], comm["gap"]) == (4.5, 1.0, 3.5)
    assert (comm["it_respondents"], comm["business_respondents"]) == (2, 2)
    assert g["Governance"]["gap"] == 0
    w1 = by(rows(cur, "alignment_gap", wave="W1"), "dimension")
    assert w1["Communications"]["gap"] == 2  # 3 - 1


def test_alignment_maturity(cur):
    m = by(rows(cur, "alignment_maturity"), "dimension")
    assert m["Communications"]["maturity"] == 2.75  # (4 + 5 + 1 + 1) / 4
    assert m["Communications"]["relationship_model"] == "Provider"
    assert m["Communications"]["luftman_level"] == "Committed"
    assert m["Governance"]["maturity"] == 3.5 and m["Governance"]["relationship_model"] == "Partner"
    assert m["Overall"]["maturity"] == approx(3.125, abs=0.006) and m["Overall"]["relationship_model"] == "Partner"
    assert m["Overall"]["respondents"] == 4


def test_importance_satisfaction(cur):
    q = by(rows(cur, "importance_satisfaction"), "question")
    # business respondents only (r3, r4), as CIO Business Vision: importance (5 + 4) / 2, satisfaction (1 + 1) / 2
    assert q["Q comm"]["importance"] == 4.5 and q["Q comm"]["satisfaction"] == 1.0
    assert q["Q comm"]["quadrant"] == "Fix first"
    assert q["Q gov"]["quadrant"] == "Possible over-investment"  # importance 2.5, satisfaction 3.5
    assert list(q) == ["Q comm", "Q gov"]  # biggest importance-satisfaction gap first


def test_wave_change(cur):
    w = by(rows(cur, "wave_change"), "dimension")
    assert w["Communications"]["previous_score"] == 2 and w["Communications"]["latest_score"] == 2.75
    assert w["Communications"]["change"] == 0.75
    assert nan(w["Governance"]["change"])


def test_score_distribution(cur):
    d = {(r["dimension"], r["respondent_group"]): r for r in rows(cur, "score_distribution")}
    comm_it, comm_biz = d[("Communications", "IT")], d[("Communications", "Business")]
    assert (comm_it["answers"], comm_it["mean_score"], comm_it["agree"], comm_it["strongly_agree"]) == (2, 4.5, 1, 1)
    assert (comm_biz["strongly_disagree"], comm_biz["mean_score"]) == (2, 1.0)  # r3 and r4 both answered 1
    assert d[("Governance", "Business")]["neutral"] == 1 and d[("Governance", "Business")]["agree"] == 1
    assert list(d) == [("Communications", "IT"), ("Communications", "Business"),  # Luftman's order, IT first
                       ("Governance", "IT"), ("Governance", "Business")]
    w1 = rows(cur, "score_distribution", wave="W1")
    assert [(r["respondent_group"], r["neutral"], r["strongly_disagree"]) for r in w1] == [("IT", 1, 0),
                                                                                       ("Business", 0, 1)]


def test_survey_comments_of_the_chosen_wave(cur):
    (latest,) = rows(cur, "survey_comments")
    assert (latest["respondent_group"], latest["dimension"], latest["comment"]) == (
        "Business", "Communications", "We hear about IT changes after they happen.")
    assert [r["comment"] for r in rows(cur, "survey_comments", wave="W1")] == ["Old comment"]
    assert rows(cur, "score_distribution")[1]["comments"] == 1  # Communications, Business


def test_executive_summary(cur):
    (s,) = rows(cur, "executive_summary", as_of=AS_OF)
    assert s["it_spend"] == 500 and s["budget_to_date"] == 450 and s["budget_variance"] == 50
    assert s["budget_variance_pct"] == approx(0.1111)
    assert s["unmapped_share"] == approx(0.26)
    assert s["it_spend_pct_revenue"] == approx(0.0833)  # 500 / 6000
    assert s["it_spend_per_employee"] == approx(166.67)  # 500 x 12 / 2 months a year, / (12 + 6) people
    assert s["projects"] == 4 and s["red_projects"] == 2 and s["on_time_rate"] == approx(0.3333)
    assert s["bottleneck_stage"] == "Build"
    assert s["alignment_maturity"] == approx(3.125, abs=0.006) and s["relationship_model"] == "Partner"
    assert s["largest_gap_dimension"] == "Communications" and s["largest_gap"] == 3.5


def test_every_public_query_runs_on_an_empty_store(store):
    for name in public_queries():
        run_query(store.cursor(), name, {})


def test_every_query_documents_what_it_answers_and_binds_all_its_parameters():
    for name, query in public_queries().items():
        assert query.title and query.answers, name
        sql, params = compose(query)
        for p in params:
            assert f"${p.name}" in sql, (name, p.name)


def test_unknown_parameters_and_queries_are_refused(cur):
    with pytest.raises(QueryError, match="Unknown parameter"):
        run_query(cur, "spend_by_business_goal", {"nope": 1})
    with pytest.raises(QueryError, match="no analysis"):
        get_query("does_not_exist")
    with pytest.raises(QueryError, match="period_from"):
        run_query(cur, "spend_by_business_goal", {"period_from": "not a date"})


def test_parameters_are_bound_not_formatted(cur):
    evil = "x' OR '1'='1"
    assert rows(cur, "spend_by_business_goal", business_unit=evil) == []


@pytest.mark.parametrize("name, param, allowed", [("budget_vs_actual", "group_by", "month, business_unit, tower"),
                                                  ("cost_by_business_unit", "driver", "headcount, revenue"),
                                                  ("spend_mix", "mix", "rgt, capex_opex")])
def test_an_unknown_choice_is_refused_naming_the_allowed_ones(cur, name, param, allowed):
    with pytest.raises(QueryError, match=f"{param} must be one of {allowed}.*not 'foo'"):
        run_query(cur, name, {param: "foo"})


def _given(cur, name, params, settings):
    """Every shared part of ``name`` as the app computes it: its own query's rows, with its own parts given."""
    from alignment.queries import parameters, shared_parts

    return {part: run_query(cur, part, {k: v for k, v in params.items() if k in {p.name for p in parameters(part)}},
                            settings=settings, given=_given(cur, part, params, settings), arrow=True)
            for part in shared_parts(name)}


@pytest.mark.parametrize("params", [
    {}, {"business_unit": "Retail"}, {"period_from": "2025-02-01", "period_to": "2025-05-31"},
    {"business_unit": "Digital", "item_type": "Project", "period_to": "2025-09-30"},
])
def test_an_analysis_given_its_shared_parts_shows_exactly_what_it_computes_alone(params):
    """The app hands analyses their shared parts' rows (alignment.queries, 'shared: yes'); every figure
    must be the same as the analysis composed whole, under every filter the pages set."""
    import pandas.testing as pdt

    from alignment.demo import load_demo
    from alignment.queries import parameters, shared_parts
    from alignment.store import Store

    with Store() as store:
        load_demo(store)
        cur, settings = store.cursor(), store.settings()
        checked, rows = [], 0
        for name in public_queries():
            if not shared_parts(name):
                continue
            own = {k: v for k, v in params.items() if k in {p.name for p in parameters(name)}}
            whole = run_query(cur, name, own, settings=settings)
            parts = run_query(cur, name, own, settings=settings, given=_given(cur, name, params, settings))
            pdt.assert_frame_equal(parts, whole, check_exact=True, obj=name)
            for part, rows_of_part in _given(cur, name, params, settings).items():
                if not part.startswith("_"):  # a page shows it too, from the same rows
                    alone = run_query(cur, part, {k: v for k, v in params.items()
                                                  if k in {p.name for p in parameters(part)}}, settings=settings)
                    pdt.assert_frame_equal(cur.from_arrow(rows_of_part).df(), alone, check_exact=True, obj=part)
            checked.append(name)
            rows += len(whole)
        assert set(checked) >= {"executive_summary", "bottleneck_stages", "aging_items", "flow_metrics", "throughput",
                                "flow_efficiency", "cumulative_flow"}
        assert rows > 20  # figures were compared, not empty frames


@pytest.mark.parametrize("name", sorted(public_queries()))
def test_each_analysis_runs_as_the_sql_explorer_writes_it(store, name):
    """The explorer's "start from a built-in analysis" writes the analysis out with its parameters as
    literals (a quote doubled, numbers bare, the organisation's settings): run there, over its
    snapshot, it gives the dashboards' answer."""
    from alignment import explorer

    fixtures.load(store)
    store.save_settings({"as_of": AS_OF})
    settings = store.settings()
    want = run_query(store.cursor(), name, {}, settings=settings)
    got = explorer.run(store, standalone_sql(public_queries()[name], settings)).df()
    assert list(got.columns) == list(want.columns)
    assert plain(got) == plain(want)  # the same values (the snapshot's Parquet types dates and blanks its way)


def plain(frame: pd.DataFrame) -> list[list]:
    def value(v):
        if isinstance(v, (list, tuple)):
            return [value(x) for x in v]
        if v is None or (not hasattr(v, "__len__") and pd.isna(v)):
            return None
        if hasattr(v, "isoformat"):
            return pd.Timestamp(v).isoformat()
        return round(float(v), 6) if isinstance(v, float) else v
    return [[value(v) for v in row] for row in frame.itertuples(index=False)]
