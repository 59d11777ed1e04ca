-- title: Late and over-budget projects by sponsor
-- answers: Which sponsoring business units have the most late, over-budget or red projects?
-- include: portfolio_health
SELECT coalesce(business_unit, 'No sponsor') AS business_unit,
       count(*) AS projects,
       count(*) FILTER (WHERE NOT on_time) AS late,
       count(*) FILTER (WHERE NOT on_budget) AS over_budget,
       count(*) FILTER (WHERE overall_health = 'Red') AS red,
       round(sum(cost_variance), 2) AS cost_variance
FROM portfolio_health
GROUP BY ALL
ORDER BY late + over_budget DESC, business_unit
