-- title: Late and over-budget projects by sponsor
-- answers: Which sponsoring business units have the most late, over-budget or red projects?
-- include: portfolio_health
-- source: US federal IT Dashboard (itdashboard.gov, CIO evaluation of investments): cost and schedule variance under 10% of plan green, 10% to under 30% yellow, 30% or more red
-- late: schedule variance at or above health_amber_pct on the late side (date slip, or behind on earned
-- value); over_budget: estimate at completion at or above health_amber_pct over budget (a zero budget with
-- cost counts). cost_variance = sum(eac - budget): positive = over budget (PMI's CV has the opposite sign).
SELECT coalesce(business_unit, 'No sponsor') AS business_unit,
       count(*) AS projects,
       count(*) FILTER (WHERE late) AS late,
       count(*) FILTER (WHERE over_budget) AS over_budget,
       count(*) FILTER (WHERE overall_health = 'Red') AS red,
       round(sum(cost_variance), 2) AS cost_variance
FROM portfolio_health
GROUP BY ALL
ORDER BY count(*) FILTER (WHERE late) + count(*) FILTER (WHERE over_budget) DESC, 1
