-- title: Flow efficiency
-- answers: Of the time finished items spent in the flow, what share was work rather than waiting?
-- param: wait_pattern VARCHAR = (?i)(wait|queue|backlog|approv|on hold|blocked|ready for) | Stages whose names match this pattern are waiting
-- include: _stage_scope
WITH finished_items AS (
    SELECT item_id FROM _stage_scope GROUP BY item_id HAVING bool_and(exited_by_as_of IS NOT NULL)
)
SELECT count(DISTINCT item_id) AS items,
       sum(days_in_stage) FILTER (WHERE NOT regexp_matches(stage, $wait_pattern)) AS active_days,
       sum(days_in_stage) FILTER (WHERE regexp_matches(stage, $wait_pattern)) AS waiting_days,
       round(sum(days_in_stage) FILTER (WHERE NOT regexp_matches(stage, $wait_pattern))
             / nullif(sum(days_in_stage), 0), 4) AS flow_efficiency
FROM _stage_scope
WHERE item_id IN (SELECT item_id FROM finished_items)
