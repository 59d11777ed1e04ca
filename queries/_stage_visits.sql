-- title: Stage visits
-- answers: One row per item and working stage: its days there summed over every stay, how often it came back, and whether it is there on the as-of day.
-- include: _stage_scope
-- source: Kanban time in stage (David J. Anderson, Kanban, 2010), re-entries counted as the same stage's time
-- shared: yes
-- Re-entering a stage is more time in the same stage, not a second item: an item that went Build →
-- Test → Build has one Build visit whose days are both stays' and one re-entry. Done and dropped
-- stages are not part of the flow's time.
SELECT item_id,
       any_value(item_type) AS item_type,
       any_value(business_unit) AS business_unit,
       stage,
       min(stage_order) AS stage_order,
       bool_or(is_active) AS is_active,
       min(entered) AS first_entered,
       max(entered) AS last_entered,
       count(*) AS stays,
       count(*) - 1 AS reentries,
       sum(days_in_stage)::BIGINT AS days,
       bool_or(exited_by_as_of IS NULL) AS in_stage_now
FROM _stage_scope
WHERE NOT is_terminal_stage
GROUP BY item_id, stage
