-- title: Cost of IT per business unit
-- answers: What does IT cost each business unit, with shared costs allocated by headcount or revenue, as a share of revenue and per employee?
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- param: driver VARCHAR = headcount IN (headcount, revenue) | Allocation driver for shared cost
-- param: shared_unit VARCHAR = Shared | The business unit name that holds shared IT cost
-- include: _spend_in_period, _metrics_in_period
-- The business unit filter applies after allocation: shared cost is split across all units first.
WITH direct AS (
    SELECT business_unit, sum(coalesce(actual, 0)) AS direct_cost
    FROM _spend_in_period WHERE business_unit <> $shared_unit GROUP BY business_unit
),
shared AS (
    SELECT coalesce(sum(coalesce(actual, 0)), 0) AS shared_cost FROM _spend_in_period
    WHERE business_unit = $shared_unit
),
metrics AS (
    SELECT business_unit, sum(revenue) AS revenue, avg(headcount) AS headcount
    FROM _metrics_in_period
    WHERE business_unit <> $shared_unit
    GROUP BY business_unit
),
units AS (
    SELECT coalesce(d.business_unit, m.business_unit) AS business_unit,
           coalesce(d.direct_cost, 0) AS direct_cost, m.revenue, m.headcount,
           CASE $driver WHEN 'revenue' THEN m.revenue ELSE m.headcount END AS driver_value
    FROM direct d FULL JOIN metrics m ON m.business_unit = d.business_unit
),
allocated AS (
    SELECT u.*,
           coalesce(u.driver_value / nullif(sum(u.driver_value) OVER (), 0), 0) AS allocation_share,
           coalesce(u.driver_value / nullif(sum(u.driver_value) OVER (), 0), 0) * s.shared_cost AS allocated_shared
    FROM units u, shared s
)
SELECT business_unit,
       round(direct_cost, 2) AS direct_cost,
       round(allocation_share, 4) AS allocation_share,
       round(allocated_shared, 2) AS allocated_shared,
       round(direct_cost + allocated_shared, 2) AS total_cost,
       round(revenue, 2) AS revenue,
       round(headcount, 2) AS headcount,
       round((direct_cost + allocated_shared) / nullif(revenue, 0), 4) AS it_cost_pct_revenue,
       round((direct_cost + allocated_shared) / nullif(headcount, 0), 2) AS it_cost_per_employee
FROM allocated
WHERE business_unit = coalesce($business_unit, business_unit)
UNION ALL
-- Shared cost no driver could allocate stays visible as its own line.
SELECT $shared_unit, round(s.shared_cost, 2), NULL, NULL, round(s.shared_cost, 2), NULL, NULL, NULL, NULL
FROM shared s
WHERE s.shared_cost <> 0 AND NOT EXISTS (SELECT 1 FROM units WHERE driver_value > 0)
  AND $business_unit IS NULL
ORDER BY total_cost DESC
