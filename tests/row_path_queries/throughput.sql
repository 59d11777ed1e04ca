-- title: Throughput
-- answers: How many items finish the flow each month (zero when none do), and how long does the whole flow take them?
-- include: _stage_scope, _flow_items
-- source: Flow Framework (Mik Kersten, Project to Product, 2018): flow velocity = items finished per period, flow time = start to finish
-- One row per month from the month the first item in scope started to the as-of month, so a month
-- with no finishes is a zero, never a line drawn across it. Finished is defined in _flow_items.
WITH bounds AS (
    SELECT date_trunc('month', min(entered)) AS first_month, date_trunc('month', max(as_of_day)) AS last_month
    FROM _stage_scope
),
months AS (
    SELECT unnest(generate_series(first_month, last_month, INTERVAL 1 MONTH))::DATE AS month
    FROM bounds
    WHERE first_month IS NOT NULL
)
SELECT m.month,
       count(f.item_id) AS finished,
       round(median(date_diff('day', f.item_start, f.finished_on)), 2) AS median_lead_time_days
FROM months m
LEFT JOIN _flow_items f ON f.status = 'Finished' AND date_trunc('month', f.finished_on) = m.month
GROUP BY m.month
ORDER BY m.month
