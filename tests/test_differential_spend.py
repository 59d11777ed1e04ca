"""The spend analyses recomputed in pandas straight from the raw views, number by number, under a
matrix of filters: no filter, months inside one year, months across two years, months with no
actuals, months with no data, each business unit and a unit with no data; fiscal years starting in
January and in April; the books closed through a month (setting books_closed_through) or blank. The
pandas code follows the definitions in the query headers, not the SQL.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from alignment.demo import load_demo
from alignment.queries import run_query
from alignment.store import Store
from tests import fixtures
from tests.test_spend_figures import load_company

PERIODS = {
    "fixture": [(None, None), ("2025-02", "2025-03"), ("2024-12", "2025-02"), ("2025-03", None),
                ("2023-01", "2023-03")],
    "company": [(None, None), ("2025-02", "2025-03"), ("2024-12", "2025-02"), ("2025-03", None), ("2025-11", None),
                ("2023-01", "2023-03")],
    "demo": [(None, None), (None, "2026-06"), ("2026-04", None), ("2026-11", None)],
}
# A close inside each dataset's actuals: its later actuals stay loaded and count as not booked yet.
CLOSES = {"fixture": "2025-01", "company": "2025-02", "demo": "2026-08"}


@pytest.fixture(scope="module")
def stores():
    made = {"fixture": fixtures.load(Store(":memory:")), "company": load_company(Store(":memory:"))}
    demo = Store(":memory:")
    load_demo(demo)
    made["demo"] = demo
    yield made
    for s in made.values():
        s.close()


def views(store: Store, close: str | None = None) -> dict[str, pd.DataFrame]:
    """The raw views; with the books closed through ``close``, actuals of later months are blank
    (_spend_booked: loaded, not counted), so every model below follows the close unchanged."""
    cur = store.cursor()
    out = {name: cur.execute(f"SELECT * FROM {name}").df() for name in ("spend", "business_metrics", "projects")}
    for frame in out.values():
        for col in ("period", "planned_start", "planned_end", "actual_start", "actual_end"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col])
    if close:
        spend = out["spend"]
        spend["actual"] = spend["actual"].where(spend["period"] <= month(close))
    return out


def matrix(name: str, store: Store):
    units = sorted(views(store)["spend"]["business_unit"].unique())
    if name == "demo":
        units = units[:2]
    return list(itertools.product(PERIODS[name], [None, *units, "Nobody"]))


def month(text: str | None) -> pd.Timestamp | None:
    return None if text is None else pd.Timestamp(f"{text}-01")


def chosen(periods: pd.Series, start: str | None, end: str | None) -> pd.Series:
    mask = pd.Series(True, index=periods.index)
    if start:
        mask &= periods >= month(start)
    if end:
        mask &= periods <= month(end)
    return mask


def params(start, end, unit, **more):
    out = {"period_from": start, "period_to": end, "business_unit": unit, **more}
    return {k: v for k, v in out.items() if v is not None}


def same(actual, expected, digits: int, where: str) -> None:
    a_missing = actual is None or (isinstance(actual, float) and math.isnan(actual))
    e_missing = expected is None or (isinstance(expected, float) and math.isnan(expected))
    assert a_missing == e_missing, (where, actual, expected)
    if not a_missing:
        assert float(actual) == pytest.approx(float(expected), abs=0.6 * 10 ** -digits), (where, actual, expected)


def total(values: pd.Series) -> float:
    """SQL sum: nothing (or only blanks) is NULL."""
    return float(values.sum()) if values.notna().any() else math.nan


# The year end, by the headers of _spend_months, _spend_year_end and year_end_projection.

def fy_start(ts: pd.Timestamp, first_month: int) -> pd.Timestamp:
    return pd.Timestamp(ts.year - (1 if ts.month < first_month else 0), first_month, 1)


def unit_reach(spend: pd.DataFrame) -> dict:
    """Each unit's last month with actuals, over all months (_spend_unit_months)."""
    return spend[spend["actual"].notna()].groupby("business_unit")["period"].max().to_dict()


def closed_for_unit(lines: pd.DataFrame, company_closed: set, reach: dict) -> pd.Series:
    """Whether each line's month is closed for its unit: the company has actuals in it and the
    unit's own actuals reach it."""
    last = month_of(lines["business_unit"], reach, lines["period"])
    return lines["period"].isin(company_closed) & last.notna() & (lines["period"] <= last)


def month_of(units: pd.Series, months, like: pd.Series) -> pd.Series:
    """Each unit's month from a mapping (NaT where it has none), comparable with ``like``."""
    return pd.Series([months.get(u) for u in units], index=units.index, dtype=like.dtype)


def year_end(spend: pd.DataFrame, start, end, unit, first_month: int) -> dict | None:
    """Each (unit, month) of the projection year with its basis, and the year's facts."""
    in_period = spend[chosen(spend["period"], start, end)]
    if in_period.empty:
        return None
    chosen_closed = set(in_period.loc[in_period["actual"].notna(), "period"])
    anchor = max(chosen_closed) if chosen_closed else in_period["period"].max()
    begin = fy_start(anchor, first_month)
    finish = begin + pd.DateOffset(months=11)
    year = spend[(spend["period"] >= begin) & (spend["period"] <= finish)]
    closed = set(year.loc[year["actual"].notna(), "period"])  # the year's, chosen or not: the months pick the year
    n = len(closed)
    lines = year if unit is None else year[year["business_unit"] == unit]
    cells = lines.groupby(["business_unit", "period"])["forecast"].count().reset_index()
    cells["closed"] = closed_for_unit(cells, closed, unit_reach(spend))
    last_u = cells[cells["closed"]].groupby("business_unit")["period"].max()  # each unit's own close
    n_u = cells[cells["closed"]].groupby("business_unit").size()
    last = month_of(cells["business_unit"], last_u.to_dict(), cells["period"])
    after = last.isna() | (cells["period"] > last)
    cells["basis"] = "run rate"
    cells.loc[after & (cells["forecast"] > 0), "basis"] = "forecast"
    cells.loc[cells["closed"], "basis"] = "actual"
    basis = dict(zip(zip(cells["business_unit"], cells["period"], strict=True), cells["basis"], strict=True))
    units = sorted(set(lines["business_unit"]))
    months_u = {u: int(n_u.get(u, 0)) for u in units}
    own = lines[kinds({"basis": basis}, lines) == "actual"].groupby("business_unit")["actual"].sum()
    # A unit with no closed month runs at 0 while the company has some, else has no run rate.
    burn = {u: own.get(u, 0.0) / months_u[u] if months_u[u] else (0.0 if n else math.nan) for u in units}
    runs = cells[cells["basis"] == "run rate"].groupby("business_unit").size()
    run_months = {u: int(runs.get(u, 0)) for u in units}
    actual_periods = set(cells.loc[cells["closed"], "period"])
    return {"begin": begin, "year": year, "lines": lines, "n": len(actual_periods), "basis": basis, "burn": burn,
            "months_u": months_u, "run_months": run_months, "closed": closed,
            "months_covered": year["period"].nunique(),
            "budget_months": year.loc[year["budget"].notna(), "period"].nunique()}


def run_rate_part(y: dict, unit: str, share_actual: float) -> float:
    """A unit's run-rate months at its burn rate, in proportion to a category's share of its actuals."""
    k, n_u = y["run_months"][unit], y["months_u"][unit]
    return 0.0 if k == 0 else k * (share_actual / n_u if n_u else y["burn"][unit])


def expected_projection(spend, start, end, unit, first_month):
    y = year_end(spend, start, end, unit, first_month)
    if y is None or y["lines"].empty:
        return None
    lines = y["lines"]
    b = kinds(y, lines)
    actual = lines.loc[b == "actual", "actual"].fillna(0).sum()
    forecast = lines.loc[b == "forecast", "forecast"].fillna(0).sum()
    run = sum(run_rate_part(y, u, lines.loc[(b == "actual") & (lines["business_unit"] == u), "actual"].fillna(0)
                            .sum()) for u in y["run_months"])
    budget = lines["budget"].fillna(0).sum()
    to_date = lines.loc[b == "actual", "budget"].fillna(0).sum()
    months = {}
    for (_, m), kind in y["basis"].items():
        months.setdefault(m, set()).add(kind)
    projected = actual + forecast + run
    return {
        "fiscal_year": (y["begin"] + pd.DateOffset(months=11)).year, "actual_months": y["n"],
        "forecast_months": sum(1 for k in months.values() if "forecast" in k and "actual" not in k),
        "run_rate_months": sum(1 for k in months.values() if k and "forecast" not in k and "actual" not in k),
        "months_covered": y["months_covered"], "budget_months": y["budget_months"],
        "fiscal_years_chosen": spend.loc[chosen(spend["period"], start, end), "period"]
        .map(lambda m: fy_start(m, first_month)).nunique(),
        "year_ended": pd.Timestamp.today().normalize() > y["begin"] + pd.DateOffset(months=12, days=-1),
        "full_year_budget": budget, "budget_to_date": to_date, "actual_to_date": actual,
        "variance_to_date": actual - to_date,
        "variance_to_date_pct": (actual - to_date) / to_date if to_date else math.nan,
        "burn_rate": actual / y["n"] if y["n"] else math.nan, "forecast_rest": forecast, "run_rate_rest": run,
        "projected_full_year": projected, "projected_variance": projected - budget,
        "projected_variance_pct": (projected - budget) / budget if budget else math.nan,
    }


@pytest.mark.parametrize("name", list(PERIODS))
@pytest.mark.parametrize("first_month", [1, 4])
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_year_end_projection(stores, name, closed, first_month):
    store = stores[name]
    close = CLOSES[name] if closed else None
    spend = views(store, close)["spend"]
    for (start, end), unit in matrix(name, store):
        got = run_query(store.cursor(), "year_end_projection",
                        params(start, end, unit, books_closed_through=close, fiscal_year_start_month=first_month))
        want = expected_projection(spend, start, end, unit, first_month)
        where = (name, first_month, start, end, unit)
        if want is None:
            assert got.empty, where
            continue
        row = got.iloc[0]
        for col, value in want.items():
            same(row[col], value, 4 if col.endswith("_pct") else 2, (*where, col))


def kinds(y: dict | None, lines: pd.DataFrame) -> pd.Series:
    """What each line's (unit, month) counts as in the year end; None outside the projection year."""
    basis = y["basis"] if y else {}
    pairs = zip(lines["business_unit"], lines["period"], strict=True)
    return pd.Series([basis.get(pair) for pair in pairs], index=lines.index, dtype=object)


def nansum(values: pd.Series) -> float:
    """A sum that stays unknown when any part is unknown."""
    return float(values.sum(skipna=False)) if len(values) else 0.0


def expected_budget_vs_actual(spend, start, end, unit, group_by, first_month):
    lines = spend if unit is None else spend[spend["business_unit"] == unit]
    in_period = spend[chosen(spend["period"], start, end)]
    closed = set(in_period.loc[in_period["actual"].notna(), "period"])
    y = year_end(spend, start, end, unit, first_month)
    kind = kinds(y, lines)
    pick = chosen(lines["period"], start, end)
    closed_u = closed_for_unit(lines, closed, unit_reach(spend))  # the chosen months closed for each line's unit
    last = lines.loc[closed_u, "period"].groupby(lines.loc[closed_u, "business_unit"]).max()
    last_of_unit = month_of(lines["business_unit"], last.to_dict(), lines["period"])
    b, a, f = (lines[c].fillna(0) for c in ("budget", "actual", "forecast"))
    frame = pd.DataFrame({
        "category": {"month": lines["period"].dt.strftime("%Y-%m"), "business_unit": lines["business_unit"],
                     "tower": lines["tower"].fillna("Unassigned"),
                     "cost_pool": lines["cost_pool"].fillna("Unassigned")}[group_by],
        "unit": lines["business_unit"], "pick": pick, "in_year": kind.notna(),
        "budget": b.where(pick), "budget_to_date": b.where(pick & closed_u),
        "actual": a.where(pick), "forecast": f.where(pick & (last_of_unit.isna() | (lines["period"] > last_of_unit))),
        "year_end_budget": b.where(kind.notna()), "year_actual": a.where(kind == "actual"),
        "year_forecast": f.where(kind == "forecast"), "run_rate": kind == "run rate",
    })
    g = frame.groupby("category")
    keep = (frame["pick"] if group_by == "month" else frame["pick"] | frame["in_year"]).groupby(frame["category"]).any()
    sums = g[["budget", "actual", "year_actual", "year_forecast"]].sum()
    known = g[["budget_to_date", "forecast", "year_end_budget"]].sum(min_count=1)
    in_year = g["in_year"].any()
    year = frame[frame["in_year"]]
    if group_by == "month":
        runs = year.loc[year["run_rate"], ["category", "unit"]].drop_duplicates()
        parts = runs.assign(part=runs["unit"].map(y["burn"] if y else {}))
    else:
        per_unit = year.groupby(["category", "unit"])["year_actual"].sum().reset_index()
        parts = per_unit.assign(part=[run_rate_part(y, u, v) for u, v in zip(per_unit["unit"], per_unit["year_actual"],
                                                                              strict=True)])
    run_rate = parts.groupby("category")["part"].agg(nansum)
    rows = {}
    for cat in keep[keep].index:
        btd, year_budget = known.at[cat, "budget_to_date"], known.at[cat, "year_end_budget"]
        actual = sums.at[cat, "actual"]
        outlook = (sums.at[cat, "year_actual"] + sums.at[cat, "year_forecast"] + run_rate.get(cat, 0.0)
                   if in_year[cat] else math.nan)
        actual = math.nan if math.isnan(btd) else actual  # no month of it closed: no actual yet, not 0
        rows[cat] = {
            "budget": sums.at[cat, "budget"], "budget_to_date": btd, "actual": actual,
            "forecast": known.at[cat, "forecast"],
            "variance": actual - btd,
            "variance_pct": (actual - btd) / btd if btd else math.nan,
            "year_end_budget": year_budget, "outlook": outlook, "outlook_variance": outlook - year_budget,
        }
    return rows


@pytest.mark.parametrize("name", list(PERIODS))
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_budget_vs_actual(stores, name, closed):
    store = stores[name]
    close = CLOSES[name] if closed else None
    spend = views(store, close)["spend"]
    cases = [(case, group) for case in matrix(name, store) for group in ("month", "business_unit", "tower", "cost_pool")
             if group in ("month", "business_unit") or case[1] is None]  # every grouping, each unit for two
    for ((start, end), unit), group_by in cases:
        first_month = 4 if group_by == "business_unit" else 1
        got = run_query(store.cursor(), "budget_vs_actual",
                        params(start, end, unit, books_closed_through=close, group_by=group_by,
                               fiscal_year_start_month=first_month))
        want = expected_budget_vs_actual(spend, start, end, unit, group_by, first_month)
        where = (name, start, end, unit, group_by)
        assert sorted(got["category"]) == sorted(want), where
        for row in got.to_dict("records"):
            for col, value in want[row["category"]].items():
                same(row[col], value, 4 if col.endswith("_pct") else 2, (*where, row["category"], col))
        if group_by != "business_unit":
            continue
        projection = run_query(store.cursor(), "year_end_projection",
                               params(start, end, unit, books_closed_through=close,
                                      fiscal_year_start_month=first_month))
        if group_by == "business_unit" and not projection.empty:  # one year-end answer
            same(got["outlook"].sum(min_count=1), projection["projected_full_year"].iloc[0], 1, (*where, "sum"))


def expected_goals(v, start, end, unit):
    spend, projects = v["spend"], v["projects"]
    lines = spend[chosen(spend["period"], start, end) & ((spend["business_unit"] == unit) if unit else True)]
    keep = projects["business_goal"].notna()  # benefits to date: the months do not cut projects
    if unit:
        keep &= projects["business_unit"] == unit
    own = spend[(spend["business_unit"] == unit) if unit else spend["business_unit"].notna()]
    to_date = own.groupby("business_goal")["actual"].sum(min_count=1)  # every month
    benefits = projects[keep].groupby("business_goal")[["expected_benefit", "realized_benefit"]].sum(min_count=1)
    goals = lines.assign(goal=lines["business_goal"].fillna("Unmapped")).groupby("goal")["actual"].sum()
    rows = {}
    for goal, actual in goals.items():
        realized = benefits["realized_benefit"].get(goal, math.nan) if goal != "Unmapped" else math.nan
        rows[goal] = {"actual": actual, "share_of_spend": actual / goals.sum() if goals.sum() else math.nan,
                      "realized_benefit": realized,
                      "expected_benefit": benefits["expected_benefit"].get(goal, math.nan) if goal != "Unmapped"
                      else math.nan,
                      "spend_to_date": to_date.get(goal, math.nan) if goal != "Unmapped" else math.nan,
                      "value_per_dollar": realized / to_date.get(goal, math.nan) if goal != "Unmapped"
                      and to_date.get(goal, 0) else math.nan}
    return rows


@pytest.mark.parametrize("name", list(PERIODS))
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_spend_by_business_goal(stores, name, closed):
    store = stores[name]
    close = CLOSES[name] if closed else None
    v = views(store, close)
    for (start, end), unit in matrix(name, store):
        got = run_query(store.cursor(), "spend_by_business_goal",
                        params(start, end, unit, books_closed_through=close))
        want = expected_goals(v, start, end, unit)
        where = (name, start, end, unit)
        assert sorted(got["business_goal"]) == sorted(want), where
        for row in got.to_dict("records"):
            for col, value in want[row["business_goal"]].items():
                digits = 4 if col in ("share_of_spend", "value_per_dollar") else 2
                same(row[col], value, digits, (*where, row["business_goal"], col))


def expected_cost(v, start, end, unit, driver, shared="Shared"):
    spend, metrics = v["spend"], v["business_metrics"]
    lines = spend[chosen(spend["period"], start, end)]
    mets = metrics[chosen(metrics["period"], start, end)]
    has_metric = mets[mets["revenue"].notna() | mets["headcount"].notna()]
    months = set(lines.loc[lines["actual"].notna(), "period"]) & set(has_metric["period"])
    mets = mets[mets["period"].isin(months) & (mets["business_unit"] != shared)]
    own = lines[lines["business_unit"] != shared]
    shared_cost = lines.loc[lines["business_unit"] == shared, "actual"].fillna(0).sum()
    shared_in = lines.loc[(lines["business_unit"] == shared) & lines["period"].isin(months), "actual"].fillna(0).sum()
    revenue = mets.groupby("business_unit")["revenue"].sum(min_count=1)
    headcount = mets.groupby("business_unit")["headcount"].mean()
    driver_value = (revenue if driver == "revenue" else headcount).dropna()
    units = sorted(set(own["business_unit"]) | set(mets["business_unit"]))
    base = driver_value.sum()
    rows = {}
    for u in units:
        share = driver_value.get(u, 0) / base if base else 0.0
        direct = own.loc[own["business_unit"] == u, "actual"].fillna(0).sum()
        in_months = own.loc[(own["business_unit"] == u) & own["period"].isin(months), "actual"].fillna(0).sum()
        cost = in_months + share * shared_in
        rev, hc = revenue.get(u, math.nan), headcount.get(u, math.nan)
        rows[u] = {"direct_cost": direct, "allocation_share": share, "allocated_shared": share * shared_cost,
                   "total_cost": direct + share * shared_cost, "ratio_months": len(months),
                   "cost_in_ratio_months": cost, "revenue": rev, "headcount": hc,
                   "it_cost_pct_revenue": cost / rev if rev else math.nan,
                   "it_cost_per_employee": cost * 12 / len(months) / hc if months and hc else math.nan}
    rows = {u: r for u, r in rows.items() if unit is None or u == unit}
    if shared_cost and not (driver_value > 0).any() and unit is None:
        rows[shared] = {"direct_cost": math.nan, "total_cost": shared_cost, "cost_in_ratio_months": shared_in,
                        "revenue": math.nan, "ratio_months": len(months)}
    return rows


@pytest.mark.parametrize("name", list(PERIODS))
@pytest.mark.parametrize("driver", ["headcount", "revenue"])
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_cost_by_business_unit(stores, name, closed, driver):
    store = stores[name]
    close = CLOSES[name] if closed else None
    v = views(store, close)
    for (start, end), unit in matrix(name, store):
        got = run_query(store.cursor(), "cost_by_business_unit",
                        params(start, end, unit, books_closed_through=close, driver=driver))
        want = expected_cost(v, start, end, unit, driver)
        where = (name, driver, start, end, unit)
        assert sorted(got["business_unit"]) == sorted(want), where
        for row in got.to_dict("records"):
            for col, value in want[row["business_unit"]].items():
                digits = 4 if col in ("allocation_share", "it_cost_pct_revenue") else 2
                same(row[col], value, digits, (*where, row["business_unit"], col))


@pytest.mark.parametrize("name", ["fixture", "company"])
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_executive_summary_spend_figures(stores, name, closed):
    store = stores[name]
    close = CLOSES[name] if closed else None
    v = views(store, close)
    spend = v["spend"]
    for (start, end), unit in matrix(name, store):
        if unit not in (None, "B", "Sales", "Nobody"):
            continue  # the slowest query: all units, one with data, one without
        got = run_query(store.cursor(), "executive_summary",
                        params(start, end, unit, books_closed_through=close)).iloc[0]
        in_period = spend[chosen(spend["period"], start, end)]
        closed_months = set(in_period.loc[in_period["actual"].notna(), "period"])
        lines = in_period if unit is None else in_period[in_period["business_unit"] == unit]
        actual = total(lines["actual"])
        budget = total(lines.loc[closed_for_unit(lines, closed_months, unit_reach(spend)), "budget"])
        unmapped = lines.loc[lines["business_goal"].isna(), "actual"].fillna(0).sum()
        cost = expected_cost(v, start, end, unit, "headcount")
        cost_sum = sum(r["cost_in_ratio_months"] for r in cost.values()) if cost else math.nan
        revenue = total(pd.Series([r["revenue"] for r in cost.values()], dtype=float))
        heads = total(pd.Series([r.get("headcount", math.nan) for r in cost.values()], dtype=float))
        months = max((r["ratio_months"] for r in cost.values()), default=math.nan)
        where = (name, start, end, unit)
        same(got["it_spend"], actual, 2, where)
        same(got["budget_to_date"], budget, 2, where)
        same(got["budget_variance"], actual - budget, 2, where)
        same(got["unmapped_share"], unmapped / actual if actual else math.nan, 4, where)
        same(got["it_spend_pct_revenue"], cost_sum / revenue if revenue else math.nan, 4, where)
        same(got["it_spend_per_employee"], cost_sum * 12 / months / heads if months and heads else math.nan, 2,
             where)


@pytest.mark.parametrize("name", list(PERIODS))
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_spend_mix_and_vendor_concentration(stores, name, closed):
    store = stores[name]
    close = CLOSES[name] if closed else None
    spend = views(store, close)["spend"]
    for (start, end), unit in matrix(name, store):
        lines = spend[chosen(spend["period"], start, end) & ((spend["business_unit"] == unit) if unit else True)]
        lines = lines[lines["actual"].notna()]
        for mix in ("rgt", "capex_opex"):
            got = run_query(store.cursor(), "spend_mix",
                            params(start, end, unit, books_closed_through=close, mix=mix))
            want = lines.assign(category=lines[mix].fillna("Unclassified")).groupby(["period", "category"])["actual"]\
                .sum()
            per_month = lines.groupby("period")["actual"].sum()
            assert len(got) == len(want), (name, start, end, unit, mix)
            for row in got.to_dict("records"):
                key = (pd.Timestamp(row["period"]), row["category"])
                same(row["actual"], want[key], 2, (name, mix, key))
                month_total = per_month[key[0]]
                same(row["share_of_month"], want[key] / month_total if month_total else math.nan, 4, (name, mix, key))
        vendors = lines[lines["vendor"].notna()].groupby("vendor")["actual"].sum().sort_values(ascending=False)
        got = run_query(store.cursor(), "vendor_concentration", params(start, end, unit, books_closed_through=close))
        assert sorted(got["vendor"]) == sorted(vendors.index), (name, start, end, unit)
        shares = vendors / vendors.sum() if vendors.sum() else vendors * math.nan
        for row in got.to_dict("records"):
            same(row["actual"], vendors[row["vendor"]], 2, (name, row["vendor"]))
            same(row["share_of_spend"], shares[row["vendor"]], 4, (name, row["vendor"]))
            hhi = (shares ** 2).sum() * 10000 if vendors.sum() else math.nan
            same(row["hhi"], hhi, 1, (name, "hhi"))
            band = ("highly" if round(hhi, 1) > 1800 else "moderately" if round(hhi, 1) > 1000 else "not") \
                + " concentrated" if not math.isnan(hhi) else None
            assert row["concentration"] == band, (name, row["vendor"], hhi)
