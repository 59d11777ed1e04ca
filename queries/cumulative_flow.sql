-- title: Cumulative flow
-- answers: Week by week, how many items sit in each stage, and how many have finished?
-- include: _stage_scope
WITH bounds AS (
    SELECT min(entered) AS first_day, max(as_of_day) AS last_day FROM _stage_scope
),
weeks AS (
    SELECT unnest(generate_series(date_trunc('week', first_day), last_day, INTERVAL 7 DAY))::DATE AS week
    FROM bounds
),
finished AS (
    SELECT item_id, exited_by_as_of AS finished_on
    FROM _stage_scope
    QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY entered DESC, stage_order DESC) = 1
)
SELECT w.week, s.stage, min(s.stage_order) AS stage_order, count(*) AS items
FROM weeks w
JOIN _stage_scope s ON s.entered <= w.week AND (s.exited_by_as_of IS NULL OR s.exited_by_as_of > w.week)
GROUP BY w.week, s.stage
UNION ALL
SELECT w.week, 'Finished', 1000000, count(f.item_id)
FROM weeks w LEFT JOIN finished f ON f.finished_on <= w.week
GROUP BY w.week
ORDER BY week, stage_order
