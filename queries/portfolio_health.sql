-- title: Project health
-- answers: For each project: cost variance, schedule slip, benefits, ROI, and health rolled up as red if any dimension is red.
-- param: business_unit VARCHAR = NULL | Only projects sponsored by this business unit; blank for all
-- Bands (this product's rule): within 5% of plan is green, up to 15% over is amber, beyond that red.
WITH p AS (
    SELECT *,
           actual_cost - budget AS cost_variance,
           (actual_cost - budget) / nullif(budget, 0) AS cost_variance_pct,
           date_diff('day', planned_end, actual_end) AS slip_days,
           date_diff('day', planned_end, actual_end)
               / nullif(date_diff('day', planned_start, planned_end), 0) AS slip_pct
    FROM projects
    WHERE coalesce(business_unit, '') = coalesce($business_unit, business_unit, '')
),
banded AS (
    SELECT *,
           CASE WHEN cost_variance_pct IS NULL THEN NULL
                WHEN cost_variance_pct <= 0.05 THEN 'Green'
                WHEN cost_variance_pct <= 0.15 THEN 'Amber' ELSE 'Red' END AS cost_health,
           CASE WHEN slip_pct IS NULL THEN NULL
                WHEN slip_pct <= 0.05 THEN 'Green'
                WHEN slip_pct <= 0.15 THEN 'Amber' ELSE 'Red' END AS schedule_health
    FROM p
)
SELECT project_id, name, business_unit, business_goal, status,
       health AS reported_health, cost_health, schedule_health,
       CASE WHEN 'Red' IN (health, cost_health, schedule_health) THEN 'Red'
            WHEN 'Amber' IN (health, cost_health, schedule_health) THEN 'Amber'
            WHEN coalesce(health, cost_health, schedule_health) IS NULL THEN NULL
            ELSE 'Green' END AS overall_health,
       budget, actual_cost,
       round(cost_variance, 2) AS cost_variance,
       round(cost_variance_pct, 4) AS cost_variance_pct,
       planned_start, planned_end, actual_end,
       slip_days,
       round(slip_pct, 4) AS slip_pct,
       actual_end <= planned_end AS on_time,
       actual_cost <= budget AS on_budget,
       expected_benefit, realized_benefit,
       round(realized_benefit / nullif(expected_benefit, 0), 4) AS benefit_realization,
       round((realized_benefit - actual_cost) / nullif(actual_cost, 0), 4) AS roi,
       strategic_alignment, risk, percent_complete
FROM banded
ORDER BY CASE overall_health WHEN 'Red' THEN 0 WHEN 'Amber' THEN 1 WHEN 'Green' THEN 2 ELSE 3 END, project_id
