-- title: Cumulative flow
-- answers: Week by week, how many items sit in each stage, and how many have finished?
-- include: _stage_scope, _flow_items
-- source: Kanban cumulative flow diagram (David J. Anderson, Kanban, 2010): finished work at the bottom, stages above in reverse flow order
-- Counted on each week's Monday. Finished is defined in _flow_items and gets the order after the last
-- stage; the chart stacks in reverse order, so Finished sits at the bottom and the first stage on top.
-- Done and dropped stages are not bands: items there are finished or have left the flow. A stage with
-- no items in a week is a zero row.
WITH bounds AS (
    SELECT min(entered) AS first_day, max(as_of_day) AS last_day, max(stage_order) AS last_order FROM _stage_scope
),
weeks AS (
    SELECT unnest(generate_series(date_trunc('week', first_day), last_day, INTERVAL 7 DAY))::DATE AS week
    FROM bounds
    WHERE first_day IS NOT NULL
),
stages AS (
    SELECT stage, min(stage_order) AS stage_order FROM _stage_scope WHERE NOT is_terminal_stage GROUP BY stage
)
-- Every stage every week, zero when empty, so no band is drawn across a week it was empty.
SELECT w.week, st.stage, st.stage_order, count(DISTINCT s.item_id) AS items
FROM weeks w
CROSS JOIN stages st
LEFT JOIN _stage_scope s ON s.stage = st.stage AND s.entered <= w.week
                         AND (s.exited_by_as_of IS NULL OR s.exited_by_as_of > w.week)
GROUP BY w.week, st.stage, st.stage_order
UNION ALL
SELECT w.week, 'Finished', any_value(b.last_order) + 1, count(f.item_id)
FROM weeks w
CROSS JOIN bounds b
LEFT JOIN _flow_items f ON f.status = 'Finished' AND f.finished_on <= w.week
GROUP BY w.week
ORDER BY week, stage_order
