-- title: Portfolio summary
-- answers: How is the portfolio doing overall: on time, on budget, benefits realised, return, and health mix?
-- include: portfolio_health
SELECT count(*) AS projects,
       round(avg(CASE WHEN on_time THEN 1.0 WHEN NOT on_time THEN 0.0 END), 4) AS on_time_rate,
       round(avg(CASE WHEN on_budget THEN 1.0 WHEN NOT on_budget THEN 0.0 END), 4) AS on_budget_rate,
       round(avg(slip_days), 1) AS avg_slip_days,
       round(sum(budget), 2) AS total_budget,
       round(sum(actual_cost), 2) AS total_actual_cost,
       -- Only projects with both a budget and a cost count towards the variance.
       round(sum(cost_variance) / nullif(sum(budget) FILTER (WHERE cost_variance IS NOT NULL), 0), 4)
           AS cost_variance_pct,
       round(sum(expected_benefit), 2) AS expected_benefit,
       round(sum(realized_benefit), 2) AS realized_benefit,
       round(sum(realized_benefit) / nullif(sum(expected_benefit), 0), 4) AS benefit_realization,
       round((sum(realized_benefit) - sum(actual_cost)) / nullif(sum(actual_cost), 0), 4) AS roi,
       count(*) FILTER (WHERE overall_health = 'Red') AS red,
       count(*) FILTER (WHERE overall_health = 'Amber') AS amber,
       count(*) FILTER (WHERE overall_health = 'Green') AS green
FROM portfolio_health
