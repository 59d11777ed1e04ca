-- title: Spend by business goal
-- answers: How much IT spend serves each business goal, how much serves none, and what value each goal's projects deliver per dollar?
-- include: _spend_booked, _spend_scope
-- source: TBM Council, TBM Taxonomy 4.0: the business layer (business units and capabilities that IT cost serves)
-- actual and share_of_spend cover the chosen months and business unit.
-- value_per_dollar = realised benefit of the goal's projects ÷ the goal's actual spend, both to date
-- (this product's measure): a project register's benefits are figures to date, not recorded by month,
-- so they are set against every loaded month's spend (spend_to_date), whatever months are chosen.
-- Dividing them by a quarter's spend made the ratio ten times larger for a quarter than for the year.
-- The business-unit filter applies to both: projects it sponsors, spend booked to it.
WITH by_goal AS (
    SELECT coalesce(business_goal, 'Unmapped') AS business_goal,
           business_goal IS NULL AS is_unmapped,
           sum(coalesce(actual, 0)) AS actual
    FROM _spend_scope
    GROUP BY ALL
),
to_date AS (
    SELECT business_goal, sum(actual) AS spend_to_date
    FROM _spend_booked  -- every loaded month, the unit filter only
    WHERE business_goal IS NOT NULL AND business_unit = coalesce($business_unit, business_unit)
    GROUP BY business_goal
),
projects_in_scope AS (
    SELECT *
    FROM projects
    WHERE business_goal IS NOT NULL
      AND ($business_unit IS NULL OR business_unit = $business_unit)
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
       round(t.spend_to_date, 2) AS spend_to_date,
       round(b.realized_benefit / nullif(t.spend_to_date, 0), 4) AS value_per_dollar
FROM by_goal g
LEFT JOIN benefits b ON b.business_goal = g.business_goal AND NOT g.is_unmapped
LEFT JOIN to_date t ON t.business_goal = g.business_goal AND NOT g.is_unmapped
ORDER BY g.is_unmapped, g.actual DESC, g.business_goal
