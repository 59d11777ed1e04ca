-- title: Budget vs actual vs forecast
-- answers: Where is IT spend over or under budget, by month, business unit, tower or cost pool, and where will the fiscal year land?
-- param: group_by VARCHAR = month IN (month, business_unit, tower, cost_pool) | What to compare budget and actual by
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- include: _spend_booked, _spend_year_end
-- source: TBM Council, TBM Taxonomy 4.0: cost pools and IT towers
-- source: TBM Council / Apptio IT financial management: variance to date against the budget of the closed months; full-year forecast = actuals to date + forecast for the remaining months
-- Sign: variance = actual - budget; positive = over budget (outlook_variance likewise).
-- budget, actual and forecast cover the chosen months; budget_to_date is the budget of the closed
-- months, each unit's own (_spend_unit_months: months the company has actuals in that the unit's
-- actuals reach; a property of the unit, so the unit filter never moves it); forecast is the chosen
-- months' forecast after the unit's last closed month (all of it when none is closed).
-- year_end_budget, outlook and outlook_variance are the fiscal year's, by the rule of year_end_projection
-- (see _spend_year_end): summed over every category they give its projected_full_year and full_year_budget.
-- A unit's run-rate months take its burn rate in proportion to the category's share of its actuals;
-- by month, a run-rate month takes the burn rate of each unit at run rate. By month, only the chosen
-- months are rows (their outlook is the month's actual, forecast or run rate).
-- The spend lines are summed per category, unit and month first: the rest works on a few thousand rows.
WITH lines AS (
    SELECT CASE $group_by
               WHEN 'month' THEN strftime(period, '%Y-%m')
               WHEN 'business_unit' THEN business_unit
               WHEN 'tower' THEN coalesce(tower, 'Unassigned')
               WHEN 'cost_pool' THEN coalesce(cost_pool, 'Unassigned')
           END AS category,
           business_unit,
           period,
           sum(coalesce(budget, 0)) AS budget,
           sum(coalesce(actual, 0)) AS actual,
           sum(coalesce(forecast, 0)) AS forecast
    FROM _spend_booked
    WHERE $group_by IN ('month', 'business_unit', 'tower', 'cost_pool')
      AND business_unit = coalesce($business_unit, business_unit)
    GROUP BY 1, 2, 3
),
by_month AS (
    SELECT l.*, u.in_period, u.closed,
           max(l.period) FILTER (WHERE u.closed) OVER (PARTITION BY l.business_unit) AS last_actual_month,
           y.basis, y.actual_months, y.unit_burn_rate, y.unit_run_rate_months
    FROM lines l
    JOIN _spend_unit_months u USING (business_unit, period)
    LEFT JOIN _spend_year_end y USING (business_unit, period)
    WHERE u.in_period OR u.in_year
),
by_unit AS (
    SELECT category, business_unit,
           bool_or(in_period) AS chosen,
           sum(budget) FILTER (WHERE in_period) AS budget,
           sum(budget) FILTER (WHERE closed) AS budget_to_date,
           sum(actual) FILTER (WHERE in_period) AS actual,
           sum(forecast) FILTER (WHERE in_period AND (last_actual_month IS NULL OR period > last_actual_month))
               AS forecast,
           sum(budget) FILTER (WHERE basis IS NOT NULL) AS year_end_budget,
           bool_or(basis IS NOT NULL) AS in_year,
           coalesce(sum(actual) FILTER (WHERE basis = 'actual'), 0)
               + coalesce(sum(forecast) FILTER (WHERE basis = 'forecast'), 0)
               + CASE WHEN $group_by = 'month' THEN coalesce(sum(unit_burn_rate) FILTER (WHERE basis = 'run rate'), 0)
                      WHEN any_value(unit_run_rate_months) = 0 THEN 0
                      WHEN any_value(actual_months) = 0 THEN any_value(unit_run_rate_months) * any_value(unit_burn_rate)
                      ELSE any_value(unit_run_rate_months) * coalesce(sum(actual) FILTER (WHERE basis = 'actual'), 0)
                           / any_value(actual_months)
                 END AS outlook,
           -- by month, a run-rate month with no run rate (nothing closed) has no outlook
           bool_or(basis = 'run rate' AND unit_burn_rate IS NULL) AS unknown_run_rate
    FROM by_month
    GROUP BY category, business_unit
),
categories AS (
    SELECT category,
           bool_or(chosen) AS chosen,
           sum(budget) AS budget,
           sum(budget_to_date) AS budget_to_date,
           coalesce(sum(actual), 0) AS actual,
           sum(forecast) AS forecast,
           sum(year_end_budget) AS year_end_budget,
           CASE WHEN bool_or(in_year) AND NOT bool_or(unknown_run_rate) AND bool_and(outlook IS NOT NULL OR NOT in_year)
                THEN sum(outlook) FILTER (WHERE in_year) END AS outlook
    FROM by_unit
    GROUP BY category
)
SELECT category,
       round(coalesce(budget, 0), 2) AS budget,
       round(budget_to_date, 2) AS budget_to_date,
       round(CASE WHEN budget_to_date IS NOT NULL THEN actual END, 2) AS actual,
       round(forecast, 2) AS forecast,
       round(actual - budget_to_date, 2) AS variance,
       round((actual - budget_to_date) / nullif(budget_to_date, 0), 4) AS variance_pct,
       round(year_end_budget, 2) AS year_end_budget,
       round(outlook, 2) AS outlook,
       round(outlook - year_end_budget, 2) AS outlook_variance
FROM categories
WHERE chosen OR $group_by <> 'month'
ORDER BY CASE WHEN $group_by = 'month' THEN category END, actual DESC, category
