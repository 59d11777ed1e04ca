-- title: Budget vs actual vs forecast
-- answers: Where is IT spend over or under budget, by month, business unit, tower or cost pool, and where will the year land?
-- param: group_by VARCHAR = month | One of month, business_unit, tower, cost_pool
-- include: _spend_scope
-- variance compares actuals with the budget of the months that have actuals (budget to date);
-- outlook is actual plus forecast for the rest, compared with the whole budget.
WITH closed AS (
    SELECT max(period) AS last_month FROM _spend_scope WHERE actual IS NOT NULL
)
SELECT CASE $group_by
           WHEN 'month' THEN strftime(period, '%Y-%m')
           WHEN 'business_unit' THEN business_unit
           WHEN 'tower' THEN coalesce(tower, 'Unassigned')
           WHEN 'cost_pool' THEN coalesce(cost_pool, 'Unassigned')
       END AS category,
       round(sum(coalesce(budget, 0)), 2) AS budget,
       round(sum(coalesce(budget, 0)) FILTER (WHERE period <= closed.last_month), 2) AS budget_to_date,
       round(sum(coalesce(actual, 0)), 2) AS actual,
       round(sum(coalesce(forecast, 0)) FILTER (WHERE period > closed.last_month), 2) AS forecast,
       round(sum(coalesce(actual, 0))
             - coalesce(sum(coalesce(budget, 0)) FILTER (WHERE period <= closed.last_month), 0), 2) AS variance,
       round((sum(coalesce(actual, 0)) - sum(coalesce(budget, 0)) FILTER (WHERE period <= closed.last_month))
             / nullif(sum(coalesce(budget, 0)) FILTER (WHERE period <= closed.last_month), 0), 4) AS variance_pct,
       round(sum(coalesce(actual, 0))
             + coalesce(sum(coalesce(forecast, 0)) FILTER (WHERE period > closed.last_month), 0), 2) AS outlook,
       round(sum(coalesce(actual, 0))
             + coalesce(sum(coalesce(forecast, 0)) FILTER (WHERE period > closed.last_month), 0)
             - sum(coalesce(budget, 0)), 2) AS outlook_variance
FROM _spend_scope, closed
WHERE $group_by IN ('month', 'business_unit', 'tower', 'cost_pool')
GROUP BY 1
ORDER BY CASE WHEN $group_by = 'month' THEN category END, actual DESC, category
