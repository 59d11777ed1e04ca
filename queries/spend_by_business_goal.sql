-- title: Spend by business goal
-- answers: How much IT spend serves each business goal, how much serves none, and what value each goal's projects deliver per dollar?
-- include: _spend_scope
WITH by_goal AS (
    SELECT coalesce(business_goal, 'Unmapped') AS business_goal,
           business_goal IS NULL AS is_unmapped,
           sum(coalesce(actual, 0)) AS actual
    FROM _spend_scope
    GROUP BY ALL
),
benefits AS (
    SELECT business_goal,
           sum(expected_benefit) AS expected_benefit,
           sum(realized_benefit) AS realized_benefit
    FROM projects
    WHERE business_goal IS NOT NULL
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
