-- title: Spend by business goal
-- answers: How much IT spend serves each business goal, how much serves none, and what value each goal's projects deliver per dollar?
-- include: _spend_scope
-- source: TBM Council, TBM Taxonomy 4.0: the business layer (business units and capabilities that IT cost serves)
-- value_per_dollar = realised benefit of the goal's projects in scope ÷ the goal's actual spend in scope
-- (this product's measure). Projects in scope: the same business unit as the filter (sponsor), and
-- run overlapping the chosen months: start (actual, else planned) on or before the last month and
-- finish (actual, else planned) on or after the first; a project missing a date is not cut by it.
-- Benefits are the projects' figures to date, not split by month.
WITH by_goal AS (
    SELECT coalesce(business_goal, 'Unmapped') AS business_goal,
           business_goal IS NULL AS is_unmapped,
           coalesce(sum(actual), 0) AS actual
    FROM _spend_scope
    GROUP BY ALL
),
projects_in_scope AS (
    SELECT *
    FROM projects
    WHERE business_goal IS NOT NULL
      AND ($business_unit IS NULL OR business_unit = $business_unit)
      AND ($period_to IS NULL OR coalesce(actual_start, planned_start) IS NULL
           OR coalesce(actual_start, planned_start) < date_trunc('month', $period_to::DATE) + INTERVAL 1 MONTH)
      AND ($period_from IS NULL OR coalesce(actual_end, planned_end) IS NULL
           OR coalesce(actual_end, planned_end) >= date_trunc('month', $period_from::DATE))
),
benefits AS (
    SELECT business_goal,
           sum(expected_benefit) AS expected_benefit,
           sum(realized_benefit) AS realized_benefit
    FROM projects_in_scope
    GROUP BY business_goal
)
SELECT g.business_goal,
       g.is_unmapped,
       round(g.actual, 2) AS actual,
       round(g.actual / nullif(sum(g.actual) OVER (), 0), 4) AS share_of_spend,
       round(b.expected_benefit, 2) AS expected_benefit,
       round(b.realized_benefit, 2) AS realized_benefit,
       round(b.realized_benefit / nullif(g.actual, 0), 4) AS value_per_dollar
FROM by_goal g
LEFT JOIN benefits b ON b.business_goal = g.business_goal AND NOT g.is_unmapped
ORDER BY g.is_unmapped, g.actual DESC, g.business_goal
