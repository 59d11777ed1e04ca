-- title: Spend months per business unit: how far each unit's books are closed
-- answers: For every business unit and month with spend lines: is that month closed for that unit (its actuals are in), in the chosen months and in the fiscal year being projected?
-- include: _spend_booked, _spend_months
-- source: TBM Council / Apptio IT financial management: budget to date = the budget of the closed months; full-year forecast = actuals to date + forecast for the remaining months
-- A month is closed for a unit when the company's books have actuals in it (_spend_months) and the
-- unit's own actuals reach it: the unit has actuals in that month or a later one. So a unit whose
-- ledger arrives later than the others' (its November not loaded yet, while three units' is) keeps
-- November open: its budget is not yet "to date" and its forecast still counts in the year end,
-- instead of reading as nothing spent. A month the company has no actuals in at all (a month's
-- extract not loaded) stays open for every unit, as before; a unit with nothing booked in a month
-- its books have passed (a quarterly invoice, say) has spent 0 there.
-- closed: in the chosen months; year_closed: in the projection year (chosen or not: see _spend_months).
-- unit_actual_months: how many months of the projection year are closed for the unit;
-- unit_last_closed_month: the last of them (NULL: none yet).
WITH unit_lines AS (
    SELECT business_unit, period,
           bool_or(actual IS NOT NULL) AS has_actual,
           bool_or(forecast IS NOT NULL) AS has_forecast
    FROM _spend_booked
    GROUP BY business_unit, period
),
booked AS (
    SELECT u.*, m.in_period, m.in_year,
           coalesce(m.closed AND u.period <= max(u.period) FILTER (WHERE u.has_actual)
                    OVER (PARTITION BY u.business_unit), false) AS closed,
           coalesce(m.year_closed AND u.period <= max(u.period) FILTER (WHERE u.has_actual)
                    OVER (PARTITION BY u.business_unit), false) AS year_closed
    FROM unit_lines u JOIN _spend_months m USING (period)
)
SELECT business_unit, period, in_period, in_year, has_forecast, closed, year_closed,
       count(*) FILTER (WHERE year_closed) OVER (PARTITION BY business_unit) AS unit_actual_months,
       max(period) FILTER (WHERE year_closed) OVER (PARTITION BY business_unit) AS unit_last_closed_month
FROM booked
