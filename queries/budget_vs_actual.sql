-- title: Budget vs actual vs forecast
-- answers: Where is IT spend over or under budget, by month, business unit, tower or cost pool, and where will the year land?
-- param: group_by VARCHAR = month IN (month, business_unit, tower, cost_pool) | What to compare budget and actual by
-- include: _spend_scope
-- variance compares actuals with the budget of the months that have actuals (budget to date);
-- outlook is actual plus forecast for the rest, compared with the whole budget.
-- The spend lines are summed per category and month first: the budget-to-date and outlook
-- filters then work on a few hundred rows, not a million.
WITH by_month AS (
    SELECT CASE $group_by
               WHEN 'month' THEN strftime(period, '%Y-%m')
               WHEN 'business_unit' THEN business_unit
               WHEN 'tower' THEN coalesce(tower, 'Unassigned')
               WHEN 'cost_pool' THEN coalesce(cost_pool, 'Unassigned')
           END AS category,
           period,
           sum(coalesce(budget, 0)) AS budget,
           sum(coalesce(actual, 0)) AS actual,
           sum(coalesce(forecast, 0)) AS forecast,
           bool_or(actual IS NOT NULL) AS has_actual
    FROM _spend_scope
    WHERE $group_by IN ('month', 'business_unit', 'tower', 'cost_pool')
    GROUP BY 1, 2
),
closed AS (
    SELECT max(period) AS last_month FROM by_month WHERE has_actual
)
SELECT category,
       round(sum(budget), 2) AS budget,
       round(sum(budget) FILTER (WHERE period <= closed.last_month), 2) AS budget_to_date,
       round(sum(actual), 2) AS actual,
       round(sum(forecast) FILTER (WHERE period > closed.last_month), 2) AS forecast,
       round(sum(actual) - coalesce(sum(budget) FILTER (WHERE period <= closed.last_month), 0), 2) AS variance,
       round((sum(actual) - sum(budget) FILTER (WHERE period <= closed.last_month))
             / nullif(sum(budget) FILTER (WHERE period <= closed.last_month), 0), 4) AS variance_pct,
       round(sum(actual) + coalesce(sum(forecast) FILTER (WHERE period > closed.last_month), 0), 2) AS outlook,
       round(sum(actual) + coalesce(sum(forecast) FILTER (WHERE period > closed.last_month), 0) - sum(budget), 2)
           AS outlook_variance
FROM by_month, closed
GROUP BY 1
ORDER BY CASE WHEN $group_by = 'month' THEN category END, actual DESC, category
