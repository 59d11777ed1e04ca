-- title: Spend of the projection year, per unit and month
-- answers: For each business unit and month of the fiscal year being projected: does it count as actual, forecast or run rate, and at what run rate?
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- include: _spend_booked, _spend_unit_months
-- source: TBM Council / Apptio IT financial management: full-year forecast = actuals to date + forecast for the remaining months
-- A unit's month of the projection year (see _spend_months) counts as:
--   actual    when the month is closed for the unit (_spend_unit_months: the company has actuals in it
--             and the unit's own actuals reach it), at the unit's actual (0 if none);
--   forecast  when it is after the unit's last closed month and the unit forecast it, at that forecast;
--   run rate  otherwise, at the unit's burn rate: its actuals of its closed months of the year ÷ their
--             number (months after its close it did not forecast, earlier months no unit has actuals
--             in). A unit with no closed month runs at 0 while the company has some, else has none.
-- Closed months are the year's, chosen or not (year_closed): the chosen months pick the year, and
-- "actuals to date" means every actual of that year. Units close on their own: one whose ledger is
-- late is projected on its forecast for the months it has not booked, not read as spending nothing.
-- Months in which a unit has no spend line are outside its plan and not projected. The year end of
-- any set of lines is the sum over its units, so a unit filter and a grouping by unit agree.
WITH unit_months AS (
    SELECT s.business_unit, s.period, u.year_closed AS closed, u.unit_last_closed_month AS last_closed_month,
           u.unit_actual_months,
           bool_or(s.forecast IS NOT NULL) AS has_forecast,
           sum(s.budget) AS budget,
           coalesce(sum(s.actual), 0) AS actual,
           coalesce(sum(s.forecast), 0) AS forecast
    FROM _spend_booked s JOIN _spend_unit_months u USING (business_unit, period)
    WHERE u.in_year AND s.business_unit = coalesce($business_unit, s.business_unit)
    GROUP BY ALL
),
based AS (
    SELECT *,
           CASE WHEN closed THEN 'actual'
                WHEN (last_closed_month IS NULL OR period > last_closed_month) AND has_forecast THEN 'forecast'
                ELSE 'run rate' END AS basis
    FROM unit_months
),
company AS (
    SELECT count(*) AS months FROM _spend_months WHERE year_closed
)
SELECT b.business_unit, b.period, b.basis, b.budget, b.actual, b.forecast,
       b.unit_actual_months AS actual_months,
       -- A unit with no actuals yet runs at 0; with no closed month at all there is no run rate.
       CASE WHEN b.unit_actual_months > 0
            THEN sum(b.actual) FILTER (WHERE b.basis = 'actual') OVER (PARTITION BY b.business_unit)
                 / b.unit_actual_months
            WHEN c.months > 0 THEN 0 END AS unit_burn_rate,
       count(*) FILTER (WHERE b.basis = 'run rate') OVER (PARTITION BY b.business_unit) AS unit_run_rate_months
FROM based b, company c
