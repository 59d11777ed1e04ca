import pandas as pd
import streamlit as st

from alignment import charts
from alignment.deltas import delta, signed_pct
from alignment.findings import projection_basis, year_end_kind
from alignment.formatting import how_many, whole
from app_pages.common import (
    answers,
    chart,
    choice,
    empty_notice,
    money,
    month_close_notice,
    months_chosen,
    pct,
    prefetch,
    run,
    store_or_stop,
    table,
    workbook_download,
)


def goals_as_read(goals: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The goal table as a finance reader reads it. Spend to date (every loaded month: what benefit ÷
    spend divides by) is its own column only when months are chosen; with none chosen the actual spend
    is already to date, and two identical columns read as a mistake. Where it shows, the Unmapped row
    has its spend to date too (the analysis leaves it blank, having no benefit to divide): its actual
    over every loaded month, so the row does not look like missing data."""
    if not months_chosen():
        return goals.drop(columns="spend_to_date"), {}
    unmapped = goals["is_unmapped"].astype(bool)
    if unmapped.any() and goals.loc[unmapped, "spend_to_date"].isna().any():
        every_month = run("spend_by_business_goal", period_from=None, period_to=None)
        to_date = every_month.loc[every_month["is_unmapped"].astype(bool), "actual"].sum()
        goals = goals.assign(spend_to_date=goals["spend_to_date"].mask(unmapped, to_date))
    # "Actual spend" is the chosen months' (the page says which above its title); the grid shows "Spend to
    # date", the tooltip what it covers. Longer headers pushed it off a laptop's grid.
    return goals, {"spend_to_date": "Spend to date (actual, every loaded month)"}


st.title("Spend & value")
prefetch("spend_by_business_goal", ("spend_mix", {"mix": st.session_state.get("split", "rgt")}), "year_end_projection",
         ("budget_vs_actual", {"group_by": st.session_state.get("by", "month")}),
         ("cost_by_business_unit", {"driver": st.session_state.get("allocate", "headcount")}), "vendor_concentration")
SIGN = "Variance = actual − budget: positive is over budget."
goals = run("spend_by_business_goal")
if goals.empty:
    empty_notice("spend")
    st.stop()

# Months with only budget or forecast lines (the year's open months): no chart of zeros, a sentence.
NO_ACTUALS = ("No actual spend is recorded in the chosen months (they may hold only budget or forecast, or actuals "
              "after the books' close), so there is ")
spent = bool(goals["actual"].fillna(0).any())

st.header("Spend by business goal")
answers("spend_by_business_goal")
unmapped = goals.loc[goals["is_unmapped"], "share_of_spend"].sum()
if unmapped > 0:
    st.warning(f"**{pct(unmapped)}** of IT spend is mapped to no business goal. "
               "Ask its owners which goal it serves, or whether it is needed.")
if spent:
    chart(charts.spend_by_goal, goals, extra=("share_of_spend", "realized_benefit", "value_per_dollar"),
          name="spend_by_goal")
    st.caption("Benefit ÷ spend is to date, whatever months are chosen: the realised benefit of the goal's projects "
               "(sponsored by the chosen unit) ÷ the goal's actual spend in every loaded month. Project registers "
               "record benefits to date, not by month, so a month's spend is not set against them. The loaded spend "
               "may cover fewer months than the projects have run; Portfolio's return on cost sets benefits against "
               "the projects' own cost.")
    goal_table, goal_headers = goals_as_read(goals)
    table(goal_table, "spend_by_business_goal", headers=goal_headers)
    st.caption("Benefit columns are blank where a goal has no projects in the register: unmapped spend serves no "
               "goal, so it has none by definition.")
else:
    st.info(NO_ACTUALS + "no spend by goal to show.")

st.header("Run, grow, transform")
answers("spend_mix")
mix_kind = choice("Split by", ["rgt", "capex_opex"], "split",
                  format_func={"rgt": "Run / grow / transform", "capex_opex": "Capex / opex"}.get)
mix = run("spend_mix", mix=mix_kind)
if not mix.empty:
    chart(charts.stacked_area, mix, "period", "actual", "category", "Spend mix by month", normalize=True,
          name="spend_mix")
else:
    st.info(NO_ACTUALS + "no mix to show.")

st.header("Budget, actual and forecast")
answers("budget_vs_actual")
projection = run("year_end_projection")
if not projection.empty:
    p = projection.iloc[0]
    a, b, c = st.columns(3)
    if p.actual_months:
        a.metric(f"FY{int(p.fiscal_year)} actual to {p.last_actual_month}", money(p.actual_to_date),
                 **delta(p.variance_to_date_pct, "share", lower_is_better=True, suffix=" vs budget"),
                 help=f"Actual of the fiscal year's {int(p.actual_months)} months with actuals against their "
                      "budget. The chosen months pick the fiscal year; its year end counts every actual of it.")
        b.metric("Monthly burn rate", money(p.burn_rate), help="Their actual ÷ their number of months.")
    part = f" ({p.months_covered:.0f} of 12 months)" if p.months_covered < 12 else ""  # not a whole year's
    c.metric(f"{year_end_kind(p).capitalize()} FY{int(p.fiscal_year)} year end{part}", money(p.projected_full_year),
             **delta(p.projected_variance, lower_is_better=True,
                     suffix=f" ({signed_pct(p.projected_variance_pct)}) vs budget of {money(p.full_year_budget)}"),
             help="Actuals to date + forecast for the remaining months, run rate where "
                                         "there is none (TBM / Apptio).")
    year_only = (f"The month filter only chooses the fiscal year here: these are the whole of FY{int(p.fiscal_year)}"
                 f"{'' if p.year_ended else ' to date'}, whatever months are chosen (the chart and table below "
                 "follow them). "
                 if months_chosen() else "")
    st.caption(f"{year_only}{projection_basis(p)} {SIGN}")
month_close_notice()
group = choice("By", ["month", "business_unit", "tower", "cost_pool"], "by", format_func=charts.label)
variance = run("budget_vs_actual", group_by=group)
if not variance.empty:
    chart(charts.budget_actual_forecast, variance, "category", f"Budget vs actual by {charts.label(group).lower()}",
          name=f"budget_vs_actual_{group}")
    st.caption("Budget to date is each business unit's budget of the chosen months its books are closed for (the "
               "company has actuals in them and the unit's own actuals reach them: a unit whose ledger is late keeps "
               "its open month out); where none is, actual and variance are blank (nothing booked yet, which is not "
               "zero spent). Forecast: the chosen months after the unit's last actual. "
               + ("Outlook and budget in year end are each month's part of the fiscal year's year end, by the "
                  "projection's rule: its actual, forecast or the run rate; blank for a chosen month outside the "
                  "projected fiscal year." if group == "month" else
                  "FY budget and outlook are the fiscal year's, by the projection's rule; summed over the "
                  "rows they are the projected year end and its budget.")
               + f" {SIGN}")
    # By month a row's year-end columns are that month's part of the year end, not the year's totals; by
    # unit, tower or pool the row's whole year. The header says which in its tooltip, shortened to its name
    # (alignment.tables), and "Actual", not "Actual spend" (no other actual is meant here), so the columns fit
    # a laptop's 1440 px.
    year_end = {"year_end_budget": "Budget in year end (the month's budget, counted in the year end)",
                "outlook": "Outlook (the month's part of the year-end outlook: its actual, forecast or run rate)",
                "outlook_variance": "Outlook variance (the month's outlook − its budget)"} if group == "month" else {
        "outlook": "Outlook (the row's year-end outlook: its actuals to date plus forecast or run rate)",
        "year_end_budget": "FY budget (the row's budget for the whole fiscal year, which its outlook is set against)",
        "outlook_variance": "FY variance (the row's outlook − its FY budget: positive is over)"}
    # As tall as its rows: the months after the last actual (the forecast) are not behind an inner scroll.
    table(variance, f"budget_vs_actual_{group}", headers={"category": charts.label(group), "actual": "Actual",
                                                          **year_end}, height="content")

st.header("Cost of IT per business unit")
answers("cost_by_business_unit")
driver = choice("Allocate shared IT cost by", ["headcount", "revenue"], "allocate", format_func=str.capitalize)
units = run("cost_by_business_unit", driver=driver)
if not spent:
    st.info(NO_ACTUALS + "no IT cost per business unit.")
elif not units.empty:
    for row in units[units["is_unallocated"]].itertuples():
        st.warning(f"**{money(row.total_cost)}** of shared IT cost ({row.business_unit}) is not in any business "
                   f"unit's cost: {row.unallocated_reason} Load business metrics on the Data page to allocate it.")
    for row in units[~units["is_unallocated"] & units["unallocated_reason"].notna()].itertuples():
        st.info(f"{row.business_unit}: {row.unallocated_reason}")
    allocated = units[~units["is_unallocated"]]
    stacked = allocated.melt(id_vars=["business_unit"], value_vars=["direct_cost", "allocated_shared"],
                             var_name="part", value_name="amount")
    stacked["part"] = stacked["part"].map(charts.label)
    if not allocated.empty:
        chart(charts.hbar, stacked, "business_unit", "amount", "IT cost per business unit", color="part",
              name="cost_by_business_unit")
    months = whole(units["ratio_months"].max())
    ratios = (f"% of revenue and cost per employee use the {how_many(months, 'chosen month')} with both actual "
              f"spend and business metrics; per employee is annualised (× 12 ÷ {months}) over average headcount "
              "(Apptio)."
              if months else "No chosen month has both actual spend and business metrics (revenue, headcount), "
                             "so there is no % of revenue or cost per employee.")
    st.caption(f"Fully loaded: each unit's own IT spend plus its share of shared IT cost, allocated by {driver}. "
               + ratios)
    # On screen the figures a reader compares; the months behind the ratios are in the caption, why a cost is
    # not allocated is said above, and the CSV keeps every column. All 13 ran 680 px past a 1440 px laptop.
    table(units, "cost_by_business_unit", headers={
        "allocated_shared": "Shared allocated (shared IT cost allocated to the unit)",
        "it_cost_pct_revenue": "% of revenue (fully loaded IT cost as a % of the unit's revenue)",
        "it_cost_per_employee": "Per employee (fully loaded IT cost per employee, annualised)",
        "allocation_share": "Share of shared (the unit's share of shared IT cost, by the chosen driver)"},
        column_order=[
        "business_unit", "direct_cost", "allocated_shared", "total_cost", "it_cost_pct_revenue",
        "it_cost_per_employee", "allocation_share", "revenue", "headcount"])

st.header("Vendor concentration")
answers("vendor_concentration")
vendors = run("vendor_concentration")
if not vendors.empty:
    hhi, level = vendors[["hhi", "concentration"]].iloc[0]
    top5 = vendors.head(5)["share_of_spend"].sum()
    bands = store_or_stop().settings()
    st.markdown(f"The top five vendors take **{pct(top5)}** of external spend. "
                f"Concentration index (HHI) **{hhi:,.0f}**: {level} (this organisation's bands: above "
                f"{bands['hhi_moderate']:,.0f} moderately, above {bands['hhi_high']:,.0f} highly concentrated).")
    chart(charts.hbar, vendors.head(15), "vendor", "actual", "Top vendors", extra=("share_of_spend",
                                                                                   "cumulative_share"),
          name="vendor_concentration")
    table(vendors.drop(columns=["hhi", "concentration"]), "vendor_concentration")  # one for all: said above
else:
    st.info("No actual spend with a vendor is recorded in the chosen months (the spend may have no vendor column), "
            "so there is no concentration to show.")

workbook_download({"Spend by goal": goals, "Spend mix": mix, "Year-end projection": projection,
                   f"Budget vs actual ({group})": variance.rename(columns={"category": group}),
                   "Cost per unit": units, "Vendors": vendors}, "spend", "Spend & value")
