-- title: Spend of the projection year, per unit and month
-- answers: For each business unit and month of the fiscal year being projected: does it count as actual, forecast or run rate, and at what run rate?
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- include: _spend_months
-- source: TBM Council / Apptio IT financial management: full-year forecast = actuals to date + forecast for the remaining months
-- A unit's month of the projection year (see _spend_months) counts as:
--   actual    when the month is closed (it has actuals in any unit), at the unit's actual (0 if none);
--   forecast  when it is after the year's last closed month and the unit forecast it, at that forecast;
--   run rate  otherwise, at the unit's burn rate: its actuals of the closed months of the year ÷ their
--             number (months after the close it did not forecast, earlier months with no actuals).
-- Closed months are the year's, chosen or not (_spend_months.year_closed): the chosen months pick the
-- year, and "actuals to date" means every actual of that year.
-- Months in which a unit has no spend line are outside its plan and not projected. The year end of
-- any set of lines is the sum over its units, so a unit filter and a grouping by unit agree.
WITH unit_months AS (
    SELECT s.business_unit, s.period, m.year_closed AS closed, m.year_last_actual_month AS last_actual_month,
           bool_or(s.forecast IS NOT NULL) AS has_forecast,
           sum(s.budget) AS budget,
           coalesce(sum(s.actual), 0) AS actual,
           coalesce(sum(s.forecast), 0) AS forecast
    FROM spend s JOIN _spend_months m USING (period)
    WHERE m.in_year AND s.business_unit = coalesce($business_unit, s.business_unit)
    GROUP BY ALL
),
based AS (
    SELECT *,
           CASE WHEN closed THEN 'actual'
                WHEN (last_actual_month IS NULL OR period > last_actual_month) AND has_forecast THEN 'forecast'
                ELSE 'run rate' END AS basis
    FROM unit_months
),
closed_months AS (
    SELECT count(*) AS months FROM _spend_months WHERE year_closed
)
SELECT b.business_unit, b.period, b.basis, b.budget, b.actual, b.forecast,
       c.months AS actual_months,
       -- A unit with no actuals yet runs at 0; with no closed month at all there is no run rate.
       coalesce(sum(b.actual) FILTER (WHERE b.basis = 'actual') OVER (PARTITION BY b.business_unit), 0)
           / nullif(c.months, 0) AS unit_burn_rate,
       count(*) FILTER (WHERE b.basis = 'run rate') OVER (PARTITION BY b.business_unit) AS unit_run_rate_months
FROM based b, closed_months c
