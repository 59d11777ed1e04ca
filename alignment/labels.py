"""One label table for every column an analysis returns: the business header people read on
tables, charts and exports, and the unit its values are in (money, share, count, date, score…).

Charts, tables, Excel downloads and the board pack all read it, so a column is called the same
thing everywhere. A column not listed gets its name in words ("open_projects" → "Open projects").
"""

from __future__ import annotations

# Units a column's values are in; tables and exports format each the same way.
MONEY = "money"    # an amount in the organisation's currency
SHARE = "share"    # a fraction shown as a percentage (0.25 → 25.0%)
COUNT = "count"    # a whole number of things
DAYS = "days"      # a number of days
DATE = "date"      # a date (shown without a time of day)
SCORE = "score"    # a survey score or a 1–5 rating, two decimals
RATIO = "ratio"    # an index such as CPI, two decimals
NUMBER = "number"  # any other number, one decimal
YEAR = "year"      # a year, no thousands separator
FLAG = "flag"      # yes or no
TEXT = "text"

# field: (header, unit)
COLUMNS: dict[str, tuple[str, str]] = {
    # spend
    "actual": ("Actual spend", MONEY), "budget": ("Budget", MONEY), "forecast": ("Forecast", MONEY),
    "variance": ("Variance", MONEY), "variance_pct": ("Variance %", SHARE),
    "budget_to_date": ("Budget to date", MONEY), "year_end_budget": ("Year-end budget", MONEY),
    "outlook": ("Year-end outlook", MONEY), "outlook_variance": ("Outlook variance", MONEY),
    "business_goal": ("Business goal", TEXT), "is_unmapped": ("No business goal", FLAG),
    "share_of_spend": ("Share of spend", SHARE), "share_of_budget": ("Share of budget", SHARE),
    "expected_benefit": ("Expected benefit", MONEY),
    "realized_benefit": ("Realised benefit", MONEY), "value_per_dollar": ("Benefit ÷ spend, to date", RATIO),
    "spend_to_date": ("Actual spend to date", MONEY),
    "business_unit": ("Business unit", TEXT), "tower": ("Tower", TEXT), "cost_pool": ("Cost pool", TEXT),
    "category": ("Category", TEXT), "period": ("Month", DATE),
    "month": ("Month", DATE), "share_of_month": ("Share of month", SHARE), "scenario": ("Scenario", TEXT),
    "closed_through": ("Books closed through", DATE), "business_units": ("Business units", COUNT),
    "amount": ("Amount", MONEY), "part": ("Cost", TEXT), "direct_cost": ("Direct IT cost", MONEY),
    "allocation_share": ("Share of shared cost", SHARE), "allocated_shared": ("Shared IT cost allocated", MONEY),
    "total_cost": ("Total IT cost", MONEY), "ratio_months": ("Months with spend and metrics", COUNT),
    "cost_in_ratio_months": ("IT cost in those months", MONEY), "revenue": ("Revenue", MONEY),
    "headcount": ("Headcount", NUMBER), "it_cost_pct_revenue": ("IT cost % of revenue", SHARE),
    "it_cost_per_employee": ("IT cost per employee", MONEY), "unallocated_reason": ("Why not allocated", TEXT),
    "is_unallocated": ("Not allocated", FLAG), "rank": ("Rank", COUNT), "vendor": ("Vendor", TEXT),
    "cumulative_share": ("Cumulative share", SHARE), "hhi": ("Concentration index (HHI)", NUMBER),
    "concentration": ("Concentration", TEXT),
    "dimension": ("Dimension", TEXT), "value": ("Value", TEXT), "unmapped": ("Unmapped spend", MONEY),
    "mapped_share": ("Share mapped", SHARE), "share_of_unmapped": ("Share of unmapped spend", SHARE),
    "lines": ("Lines", COUNT),
    # year-end projection
    "fiscal_year": ("Fiscal year", YEAR), "fiscal_year_from": ("Fiscal year from", TEXT),
    "fiscal_year_to": ("Fiscal year to", TEXT), "first_actual_month": ("First month with actuals", TEXT),
    "last_actual_month": ("Last month with actuals", TEXT), "actual_months": ("Months with actuals", COUNT),
    "forecast_months": ("Forecast months", COUNT), "partly_forecast_months": ("Partly forecast months", COUNT),
    "units_behind": ("Units behind", COUNT), "behind_units": ("Units behind (names)", TEXT),
    "earliest_close": ("Earliest unit close", TEXT),
    "run_rate_months": ("Run-rate months", COUNT), "months_covered": ("Months covered", COUNT),
    "budget_months": ("Months with budget", COUNT), "fiscal_years_chosen": ("Fiscal years chosen", COUNT),
    "year_ended": ("Year over", FLAG), "full_year_budget": ("Full-year budget", MONEY),
    "actual_to_date": ("Actual to date", MONEY), "variance_to_date": ("Variance to date", MONEY),
    "variance_to_date_pct": ("Variance to date %", SHARE), "burn_rate": ("Monthly burn rate", MONEY),
    "forecast_rest": ("Forecast for the rest of the year", MONEY),
    "run_rate_rest": ("Run rate for the rest of the year", MONEY),
    "projected_full_year": ("Projected year end", MONEY), "projected_variance": ("Projected variance", MONEY),
    "projected_variance_pct": ("Projected variance %", SHARE), "method": ("Method", TEXT),
    # executive summary
    "it_spend": ("IT spend", MONEY), "budget_variance": ("Variance to budget", MONEY),
    "budget_variance_pct": ("Variance to budget %", SHARE), "unmapped_share": ("Spend serving no goal", SHARE),
    "it_spend_pct_revenue": ("IT spend % of revenue", SHARE),
    "it_spend_per_employee": ("IT spend per employee", MONEY),
    "it_ratio_months": ("Months with spend and metrics", COUNT), "on_time_rate": ("Projects on time", SHARE),
    "on_budget_rate": ("Projects on budget", SHARE), "red_projects": ("Red projects", COUNT),
    "project_green_band_pct": ("Green band (% of plan)", NUMBER), "bottleneck_stage": ("Bottleneck stage", TEXT),
    "bottleneck_share_of_time": ("Bottleneck share of time", SHARE),
    "bottleneck_is_active": ("Bottleneck is a working stage", FLAG),
    "alignment_maturity": ("Alignment maturity (1-5)", SCORE),
    "alignment_it_respondents": ("IT respondents", COUNT),
    "alignment_business_respondents": ("Business respondents", COUNT),
    "largest_gap_dimension": ("Widest gap", TEXT), "largest_gap": ("Widest gap (IT − business)", SCORE),
    # projects
    "project_id": ("Project ID", TEXT), "name": ("Project", TEXT), "status": ("Status", TEXT),
    "is_open": ("Open", FLAG), "reported_health": ("Reported health", TEXT),
    "cost_health": ("Cost health", TEXT), "schedule_health": ("Schedule health", TEXT),
    "overall_health": ("Health", TEXT), "health": ("Health", TEXT), "actual_cost": ("Cost to date", MONEY),
    "eac": ("Estimate at completion", MONEY), "eac_basis": ("Estimate basis", TEXT),
    "cost_variance": ("Cost variance at completion (+ over)", MONEY),
    "cost_variance_pct": ("Cost variance at completion (+ over budget)", SHARE),
    "planned_start": ("Planned start", DATE), "planned_end": ("Planned end", DATE),
    "actual_end": ("Actual end", DATE), "finish_date": ("Finish (actual or forecast)", DATE),
    "finish_basis": ("Finish basis", TEXT), "slip_days": ("Schedule slip (days, + late)", DAYS),
    "slip_pct": ("Schedule slip % (+ late)", SHARE),
    "ev_schedule_variance_pct": ("Behind plan by EV ((PV − EV) ÷ PV)", SHARE),
    "on_time": ("On time", FLAG), "on_budget": ("On budget", FLAG), "late": ("Late", COUNT),
    "over_budget": ("Over budget", COUNT), "red": ("Red", COUNT), "amber": ("Amber", COUNT),
    "green": ("Green", COUNT), "percent_complete": ("Complete", SHARE), "bac": ("Budget (BAC)", MONEY),
    "pv": ("Planned value (PV)", MONEY), "ev": ("Earned value (EV)", MONEY), "ac": ("Actual cost (AC)", MONEY),
    "cv": ("CV = EV − AC (+ under budget)", MONEY), "sv": ("SV = EV − PV (+ ahead)", MONEY),
    "cpi": ("CPI (EV ÷ AC, above 1 under cost)", RATIO), "spi": ("SPI (EV ÷ PV, above 1 ahead)", RATIO),
    "eac_cpi": ("EAC = BAC ÷ CPI", MONEY), "eac_ac_plus_remaining": ("EAC = AC + (BAC − EV)", MONEY),
    "tcpi": ("TCPI (cost efficiency still needed)", RATIO), "benefit_realization": ("Benefit realised", SHARE),
    "roi": ("ROI", SHARE), "strategic_alignment": ("Strategic alignment (1-5)", SCORE),
    "risk": ("Risk (1-5)", SCORE), "as_of": ("As of", DATE), "projects": ("Projects", COUNT),
    "open_projects": ("Open projects", COUNT), "avg_slip_days": ("Average slip (days, + late)", DAYS),
    "total_budget": ("Total budget", MONEY), "total_actual_cost": ("Total cost to date", MONEY),
    "total_eac": ("Total estimate at completion", MONEY), "ev_projects": ("Projects with earned value", COUNT),
    "health_amber_pct": ("Amber from (% of plan)", NUMBER), "health_red_pct": ("Red from (% of plan)", NUMBER),
    # flow
    "item_id": ("Item", TEXT), "item_type": ("Item type", TEXT), "stage": ("Stage", TEXT),
    "entered": ("Entered stage", DATE), "age_days": ("Days in stage", DAYS), "reentries": ("Re-entries", COUNT),
    "stage_p85_days": ("Stage's 85th percentile (days)", DAYS),
    "days_over": ("Days over the 85th percentile", DAYS), "stage_order": ("Stage order", COUNT),
    "finished": ("Items finished", COUNT), "median_days": ("Median days in stage", DAYS),
    "p85_days": ("85th percentile days", DAYS), "wip": ("Items in progress", COUNT),
    "share_of_time": ("Share of time", SHARE), "is_active": ("Working stage", FLAG),
    "is_bottleneck": ("Bottleneck", FLAG), "week": ("Week", DATE), "items": ("Items", COUNT),
    "active_days": ("Active days", DAYS), "waiting_days": ("Waiting days", DAYS),
    "flow_days": ("Days from start to finish", DAYS), "flow_efficiency": ("Flow efficiency", SHARE),
    "active_stages": ("Working stages", TEXT), "waiting_stages": ("Waiting stages", TEXT),
    "unknown_active_stages": ("Unknown working stages named", TEXT), "active_rule": ("Working stages from", TEXT),
    "started": ("Items started", COUNT), "months": ("Months", COUNT),
    "flow_velocity_per_month": ("Flow velocity (a month)", NUMBER),
    "flow_time_median_days": ("Median flow time (days)", DAYS),
    "flow_time_p85_days": ("85th percentile flow time (days)", DAYS),
    "flow_time_mean_days": ("Mean flow time (days)", DAYS), "flow_load": ("Flow load (items)", COUNT),
    "left_unfinished": ("Left unfinished", COUNT), "flow_distribution": ("Share of finished items", SHARE),
    "median_lead_time_days": ("Median lead time (days)", DAYS),
    # survey
    "it_mean": ("IT view", SCORE), "business_mean": ("Business view", SCORE), "gap": ("Gap (IT − business)", SCORE),
    "it_respondents": ("IT respondents", COUNT), "business_respondents": ("Business respondents", COUNT),
    "suppressed": ("Hidden (too few respondents)", FLAG), "it_maturity": ("IT's view (1-5)", SCORE),
    "business_maturity": ("Business's view (1-5)", SCORE), "maturity": ("Maturity (1-5)", SCORE),
    "luftman_level": ("Luftman level", TEXT), "relationship_model": ("Relationship", TEXT),
    "respondents": ("Respondents", COUNT), "question": ("Question", TEXT),
    "importance": ("Importance (1-5)", SCORE), "satisfaction": ("Satisfaction (1-5)", SCORE),
    "priority_gap": ("Priority gap (importance − satisfaction)", SCORE), "quadrant": ("Quadrant", TEXT),
    "answers": ("Answers", COUNT), "importance_mean": ("Mean importance", SCORE),
    "satisfaction_mean": ("Mean satisfaction", SCORE), "respondent_group": ("Respondent group", TEXT),
    "group": ("Respondents", TEXT), "responses": ("Answers", COUNT), "promoters": ("Promoters (9-10)", COUNT),
    "passives": ("Passives (7-8)", COUNT), "detractors": ("Detractors (0-6)", COUNT),
    "nps": ("Net Promoter Score", NUMBER), "invited": ("Invited", COUNT), "response_rate": ("Response rate", SHARE),
    "mean_score": ("Mean score", SCORE), "strongly_disagree": ("Strongly disagree", COUNT),
    "disagree": ("Disagree", COUNT), "neutral": ("Neutral", COUNT), "agree": ("Agree", COUNT),
    "strongly_agree": ("Strongly agree", COUNT), "comments": ("Comments", COUNT), "role": ("Role", TEXT),
    "comment": ("Comment", TEXT), "wave": ("Survey wave", TEXT), "is_default": ("Shown by default", FLAG),
    "wave_date": ("Wave date", DATE), "wave_order": ("Wave order", COUNT),
    "score": ("Score", SCORE), "change": ("Change", SCORE), "previous_wave": ("Previous wave", TEXT),
    "latest_wave": ("Latest wave", TEXT), "previous_score": ("Previous wave's score", SCORE),
    "latest_score": ("Latest wave's score", SCORE), "comparable": ("Comparable", FLAG),
    "previous_it_respondents": ("Previous IT respondents", COUNT),
    "previous_business_respondents": ("Previous business respondents", COUNT),
    "latest_it_respondents": ("Latest IT respondents", COUNT),
    "latest_business_respondents": ("Latest business respondents", COUNT),
}

LABELS: dict[str, str] = {field: header for field, (header, _) in COLUMNS.items()}

# What a file's column holds, where the table above names an analysis' column instead: the Data
# page's matching step and an upload's problems name a dataset's columns so ('business_unit' →
# 'Business unit', 'rgt' → 'Run, grow or transform').
FIELDS: dict[str, str] = {
    "rgt": "Run, grow or transform", "capex_opex": "Capex or opex", "dc_indicator": "Debit/credit indicator",
    "respondent_id": "Respondent ID", "respondent_group": "IT or business", "name": "Project name",
    "item_id": "Item ID", "exited": "Exited stage", "percent_complete": "Percent complete",
    "match_column": "Where this column", "match_value": "has this value", "sets_column": "set this column",
    "sets_value": "to this value"}


def label(field: str) -> str:
    """The business header of a column: from the table, else its name in words."""
    return LABELS.get(field, str(field).replace("_", " ").strip().capitalize() or str(field))


def field_label(field: str) -> str:
    """A dataset's column as finance says it, as the Data page and an upload's problems name it:
    'period' → 'Month', 'rgt' → 'Run, grow or transform'."""
    return FIELDS.get(field) or label(field)


def unit(field: str) -> str | None:
    """The unit a column's values are in, or None for a column the table does not know."""
    entry = COLUMNS.get(field)
    return entry[1] if entry else None
