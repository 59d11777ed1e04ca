-- title: Year-end projection
-- answers: At the year's burn rate and forecast, where will IT spend end the year against budget?
-- include: _spend_scope
WITH yr AS (
    SELECT max(year(period)) AS year FROM _spend_scope WHERE actual IS NOT NULL
),
months AS (
    SELECT period, sum(budget) AS budget, sum(actual) AS actual, sum(forecast) AS forecast
    FROM _spend_scope, yr
    WHERE year(period) = yr.year
    GROUP BY period
),
closed AS (
    SELECT max(period) AS last_month FROM months WHERE actual IS NOT NULL
),
totals AS (
    SELECT c.last_month,
           month(c.last_month) AS months_elapsed,
           sum(coalesce(m.budget, 0)) AS full_year_budget,
           sum(coalesce(m.budget, 0)) FILTER (WHERE m.period <= c.last_month) AS ytd_budget,
           sum(coalesce(m.actual, 0)) FILTER (WHERE m.period <= c.last_month) AS ytd_actual,
           coalesce(sum(m.forecast) FILTER (WHERE m.period > c.last_month), 0) AS forecast_rest,
           count(m.forecast) FILTER (WHERE m.period > c.last_month) AS forecast_months
    FROM months m, closed c
    GROUP BY c.last_month
),
projected AS (
    SELECT *,
           ytd_actual / months_elapsed AS burn_rate,
           -- Months after the last actual: their forecast where given, else the burn rate.
           ytd_actual + forecast_rest + (12 - months_elapsed - forecast_months) * ytd_actual / months_elapsed
               AS projected_full_year
    FROM totals
)
SELECT (SELECT year FROM yr) AS year,
       strftime(last_month, '%Y-%m') AS last_actual_month,
       months_elapsed,
       round(full_year_budget, 2) AS full_year_budget,
       round(ytd_budget, 2) AS ytd_budget,
       round(ytd_actual, 2) AS ytd_actual,
       round((ytd_actual - ytd_budget) / nullif(ytd_budget, 0), 4) AS ytd_variance_pct,
       round(burn_rate, 2) AS burn_rate,
       round(projected_full_year, 2) AS projected_full_year,
       round(projected_full_year - full_year_budget, 2) AS projected_variance,
       round((projected_full_year - full_year_budget) / nullif(full_year_budget, 0), 4) AS projected_variance_pct
FROM projected
