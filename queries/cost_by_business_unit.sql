-- title: Cost of IT per business unit
-- answers: What does IT cost each business unit, fully loaded (its own spend plus shared cost allocated by headcount or revenue), as a share of its revenue and per employee a year?
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- param: driver VARCHAR = headcount IN (headcount, revenue) | Allocation driver for shared cost
-- param: shared_unit VARCHAR = Shared | The business unit name that holds shared IT cost
-- include: _spend_in_period, _metrics_in_period
-- source: TBM Council: showback of fully loaded cost (direct cost plus shared cost allocated by a consumption driver)
-- source: Apptio (IBM) industry benchmark metrics: IT spend as % of revenue = IT spend ÷ revenue of the same period; IT spend per employee = annual IT spend ÷ average headcount
-- shared: yes
-- The business unit filter applies after allocation: shared cost is split across all units first.
-- Ratio months (ratio_months): the chosen months that have both actual spend and business metrics.
-- The driver, revenue, headcount and both ratios use only those months, so cost and revenue always
-- cover the same months; direct_cost, allocated_shared and total_cost cover every chosen month.
-- it_cost_pct_revenue = fully loaded cost in the ratio months ÷ revenue in them;
-- it_cost_per_employee = that cost × 12 ÷ ratio_months (annualised) ÷ average headcount in them.
-- When shared cost cannot be allocated (no unit has the driver in the ratio months) it is one row
-- named after the shared unit, is_unallocated true and unallocated_reason saying why (it is not a
-- business unit); a unit without the driver says so in its own unallocated_reason.
WITH ratio_months AS (
    SELECT DISTINCT period FROM _spend_in_period
    WHERE actual_lines > 0
      AND period IN (SELECT period FROM _metrics_in_period WHERE revenue IS NOT NULL OR headcount IS NOT NULL)
),
direct AS (
    SELECT business_unit,
           coalesce(sum(actual), 0) AS direct_cost,
           coalesce(sum(actual) FILTER (WHERE period IN (SELECT period FROM ratio_months)), 0) AS direct_in_months
    FROM _spend_in_period WHERE business_unit <> $shared_unit GROUP BY business_unit
),
shared AS (
    SELECT coalesce(sum(actual), 0) AS shared_cost,
           coalesce(sum(actual) FILTER (WHERE period IN (SELECT period FROM ratio_months)), 0) AS shared_in_months
    FROM _spend_in_period
    WHERE business_unit = $shared_unit
),
metrics AS (
    SELECT business_unit, sum(revenue) AS revenue, avg(headcount) AS headcount
    FROM _metrics_in_period
    WHERE business_unit <> $shared_unit AND period IN (SELECT period FROM ratio_months)
    GROUP BY business_unit
),
units AS (
    SELECT coalesce(d.business_unit, m.business_unit) AS business_unit,
           coalesce(d.direct_cost, 0) AS direct_cost, coalesce(d.direct_in_months, 0) AS direct_in_months,
           m.revenue, m.headcount,
           CASE $driver WHEN 'revenue' THEN m.revenue ELSE m.headcount END AS driver_value
    FROM direct d FULL JOIN metrics m ON m.business_unit = d.business_unit
),
allocated AS (
    SELECT u.*, s.shared_cost, s.shared_in_months,
           coalesce(u.driver_value / nullif(sum(u.driver_value) OVER (), 0), 0) AS allocation_share,
           count(*) FILTER (WHERE u.driver_value > 0) OVER () AS units_with_driver,
           (SELECT count(*) FROM ratio_months) AS months
    FROM units u, shared s
),
unit_rows AS (
    SELECT business_unit,
           direct_cost,
           allocation_share,
           allocation_share * shared_cost AS allocated_shared,
           direct_cost + allocation_share * shared_cost AS total_cost,
           months,
           direct_in_months + allocation_share * shared_in_months AS cost_in_months,
           revenue,
           headcount,
           CASE WHEN shared_cost = 0 THEN NULL
                WHEN units_with_driver = 0 THEN 'No ' || $driver || ' is loaded for the months with actual spend, '
                     || 'so no shared cost was allocated to any business unit.'
                WHEN coalesce(driver_value, 0) <= 0 THEN 'No ' || $driver || ' for this unit in the months with '
                     || 'actual spend, so it takes none of the shared cost.'
           END AS unallocated_reason
    FROM allocated
    WHERE business_unit = coalesce($business_unit, business_unit)
),
rows AS (
    SELECT *, false AS is_unallocated FROM unit_rows
    UNION ALL
    -- Shared cost no driver could allocate stays visible, marked as not a business unit.
    SELECT $shared_unit, NULL, NULL, NULL, s.shared_cost, (SELECT count(*) FROM ratio_months), s.shared_in_months,
           NULL, NULL,
           'No ' || $driver || ' is loaded for the months with actual spend, so this shared cost was not '
           || 'allocated to any business unit.',
           true
    FROM shared s
    WHERE s.shared_cost <> 0 AND NOT EXISTS (SELECT 1 FROM units WHERE driver_value > 0)
      AND $business_unit IS NULL
)
SELECT business_unit,
       round(direct_cost, 2) AS direct_cost,
       round(allocation_share, 4) AS allocation_share,
       round(allocated_shared, 2) AS allocated_shared,
       round(total_cost, 2) AS total_cost,
       months AS ratio_months,
       round(cost_in_months, 2) AS cost_in_ratio_months,
       round(revenue, 2) AS revenue,
       round(headcount, 2) AS headcount,
       round(cost_in_months / nullif(revenue, 0), 4) AS it_cost_pct_revenue,
       round(cost_in_months * 12 / nullif(months, 0) / nullif(headcount, 0), 2) AS it_cost_per_employee,
       unallocated_reason,
       is_unallocated
FROM rows
ORDER BY is_unallocated, total_cost DESC, business_unit
