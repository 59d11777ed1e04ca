-- title: Year-end projection
-- answers: Where will IT spend end the fiscal year against its budget: its actuals to date, then the forecast, else the run rate, for the rest of the year?
-- include: _spend_year_end
-- param: as_of DATE = NULL | The day the year end is judged on: a fiscal year over by then has ended; blank for today
-- source: TBM Council / Apptio IT financial management: full-year forecast = actuals to date + forecast for the remaining months, compared with the full-year budget
-- The fiscal year is the one holding the last month with actuals among the chosen months (with none,
-- the last chosen month; setting fiscal_year_start_month; named for the calendar year it ends in).
-- The chosen months only pick the year: a year end is a fact about the whole year, so every actual of
-- it counts, chosen or not. Each unit's months count as (see _spend_year_end): actual (the months
-- closed for that unit), forecast (after its last closed month, where it forecast them), else run rate
-- (its actuals ÷ its closed months): months after its close without forecast. Units close on their
-- own (_spend_unit_months): actual_months counts the months closed for some unit in scope, from
-- first_actual_month to last_actual_month; units_behind (behind_units) have a month open that other
-- units closed, the earliest closing at earliest_close (NULL: none closed): the page says their open
-- months are projected, not read as nothing spent.
-- burn_rate: actual_to_date ÷ actual_months (each unit's run rate is its own: _spend_year_end).
-- actual_to_date, budget_to_date and variance_to_date are therefore the fiscal year's to date.
-- forecast_months counts the months after the close that some unit forecast (partly_forecast_months
-- of them have a unit with no forecast, at its run rate); run_rate_months the other open months.
-- The budget is the whole fiscal year's (full_year_budget), whatever months are chosen. Months with
-- no spend line at all are outside the plan: months_covered says how many of the 12 are projected,
-- budget_months how many of those have a budget. fiscal_years_chosen: how many fiscal years the chosen
-- months (with lines) reach into; over 1, the page says which one is projected. year_ended: the year was
-- over by the as-of date (then its year end is what it ended at, estimated for months without actuals).
-- Sign: variance = actual (or projection) - budget; positive = over budget.
WITH units AS (
    SELECT business_unit,
           CASE WHEN any_value(unit_run_rate_months) = 0 THEN 0
                ELSE any_value(unit_run_rate_months) * any_value(unit_burn_rate) END AS run_rate_rest
    FROM _spend_year_end
    GROUP BY business_unit
),
totals AS (
    SELECT any_value(m.fiscal_year) AS fiscal_year,
           any_value(m.fiscal_year_start) AS fiscal_year_start,
           (SELECT max(period) FILTER (WHERE basis = 'actual') FROM _spend_year_end) AS last_actual_month,
           (SELECT min(period) FILTER (WHERE basis = 'actual') FROM _spend_year_end) AS first_actual_month,
           (SELECT count(DISTINCT period) FILTER (WHERE basis = 'actual') FROM _spend_year_end) AS actual_months,
           count(*) AS months_covered,
           count(*) FILTER (WHERE m.has_budget) AS budget_months,
           (SELECT count(DISTINCT fiscal_year) FROM _spend_months WHERE in_period) AS fiscal_years_chosen
    FROM _spend_months m
    WHERE m.in_year
    HAVING count(*) > 0
),
unit_close AS (  -- a unit is behind when a month other units closed is still open for it (its ledger is late)
    SELECT business_unit, max(period) FILTER (WHERE basis = 'actual') AS closed_to,
           bool_or(basis <> 'actual' AND period IN (SELECT period FROM _spend_year_end WHERE basis = 'actual'))
               AS is_behind
    FROM _spend_year_end
    GROUP BY business_unit
),
behind AS (
    SELECT count(*) FILTER (WHERE is_behind) AS units_behind,
           min(closed_to) FILTER (WHERE is_behind) AS earliest_close,
           string_agg(business_unit, ', ' ORDER BY business_unit) FILTER (WHERE is_behind) AS behind_units
    FROM unit_close
),
open_months AS (
    SELECT period, bool_or(basis = 'forecast') AS forecast, bool_or(basis = 'run rate') AS run_rate
    FROM _spend_year_end
    WHERE basis <> 'actual'  -- a month closed for some unit counts among actual_months (units_behind says the rest)
      AND period NOT IN (SELECT period FROM _spend_year_end WHERE basis = 'actual')
    GROUP BY period
),
amounts AS (
    SELECT (SELECT count(*) FILTER (WHERE forecast) FROM open_months) AS forecast_months,
           (SELECT count(*) FILTER (WHERE forecast AND run_rate) FROM open_months) AS partly_forecast_months,
           (SELECT count(*) FILTER (WHERE NOT forecast) FROM open_months) AS run_rate_months,
           coalesce(sum(budget), 0) AS full_year_budget,
           coalesce(sum(budget) FILTER (WHERE basis = 'actual'), 0) AS budget_to_date,
           coalesce(sum(actual) FILTER (WHERE basis = 'actual'), 0) AS actual_to_date,
           coalesce(sum(forecast) FILTER (WHERE basis = 'forecast'), 0) AS forecast_rest,
           (SELECT sum(run_rate_rest) FROM units) AS run_rate_rest_raw,
           (SELECT bool_and(run_rate_rest IS NOT NULL) FROM units) AS every_unit_projected
    FROM _spend_year_end
),
projected AS (
    SELECT t.*, a.*, b.*,
           a.actual_to_date / nullif(t.actual_months, 0) AS burn_rate,
           CASE WHEN a.every_unit_projected IS NOT FALSE THEN coalesce(a.run_rate_rest_raw, 0) END AS run_rate_rest
    FROM totals t, amounts a, behind b
)
SELECT fiscal_year,
       strftime(fiscal_year_start, '%Y-%m') AS fiscal_year_from,
       strftime(fiscal_year_start + INTERVAL 11 MONTH, '%Y-%m') AS fiscal_year_to,
       strftime(first_actual_month, '%Y-%m') AS first_actual_month,
       strftime(last_actual_month, '%Y-%m') AS last_actual_month,
       actual_months,
       units_behind,
       strftime(earliest_close, '%Y-%m') AS earliest_close,
       behind_units,
       forecast_months,
       partly_forecast_months,
       run_rate_months,
       months_covered,
       budget_months,
       fiscal_years_chosen,
       coalesce($as_of, current_date) > last_day(fiscal_year_start + INTERVAL 11 MONTH) AS year_ended,
       round(full_year_budget, 2) AS full_year_budget,
       round(budget_to_date, 2) AS budget_to_date,
       round(actual_to_date, 2) AS actual_to_date,
       round(actual_to_date - budget_to_date, 2) AS variance_to_date,
       round((actual_to_date - budget_to_date) / nullif(budget_to_date, 0), 4) AS variance_to_date_pct,
       round(burn_rate, 2) AS burn_rate,
       round(forecast_rest, 2) AS forecast_rest,
       round(run_rate_rest, 2) AS run_rate_rest,
       round(actual_to_date + forecast_rest + run_rate_rest, 2) AS projected_full_year,
       round(actual_to_date + forecast_rest + run_rate_rest - full_year_budget, 2) AS projected_variance,
       round((actual_to_date + forecast_rest + run_rate_rest - full_year_budget) / nullif(full_year_budget, 0), 4)
           AS projected_variance_pct,
       'actuals to date + forecast for the remaining months, run rate where none' AS method
FROM projected
WHERE EXISTS (SELECT 1 FROM _spend_year_end)  -- a unit with no line in the year has nothing to project
