-- title: Flow items
-- answers: One row per item in scope: when it started, whether by the as-of day it finished, is in progress or left the flow unfinished, and its flow, active and waiting days.
-- include: _stage_scope
-- source: Flow Framework (Mik Kersten, Project to Product, 2018): flow time = start to finish, flow efficiency = active time / flow time
-- shared: yes
-- Finished: the item's latest stay is a done stage (finished on entering it), or it has left its type's
-- last working stage (finished on leaving it). Left the flow: its latest stay is a dropped stage, or it
-- left an earlier stage and never entered another. Anything else is in progress (flow load).
-- Time between stages that no stay records is waiting: flow days run from start to finish, and
-- waiting days are flow days minus active days.
WITH per_item AS (
    SELECT item_id,
           any_value(item_type) AS item_type,
           any_value(business_unit) AS business_unit,
           min(entered) AS item_start,
           any_value(as_of_day) AS as_of_day,
           coalesce(sum(days_in_stage) FILTER (WHERE is_active), 0)::BIGINT AS active_in_stages
    FROM _stage_scope
    GROUP BY item_id
),
latest AS (
    SELECT item_id, stage AS current_stage, entered, exited_by_as_of, is_done_stage, is_dropped_stage,
           is_final_stage, continues_later
    FROM _stage_scope
    QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY entered DESC, stage_order DESC) = 1
),
status AS (
    SELECT l.*,
           CASE WHEN is_done_stage THEN 'Finished'
                WHEN is_dropped_stage THEN 'Left the flow'
                WHEN exited_by_as_of IS NULL THEN 'In progress'
                WHEN is_final_stage THEN 'Finished'
                WHEN continues_later THEN 'In progress'
                ELSE 'Left the flow' END AS status,
           CASE WHEN is_done_stage THEN entered
                WHEN NOT is_dropped_stage AND exited_by_as_of IS NOT NULL AND is_final_stage THEN exited_by_as_of
           END AS finished_on
    FROM latest l
),
span AS (
    -- The day the item's time in the flow ends: finished, left, or (still in progress) the as-of day.
    SELECT p.*, s.status, s.finished_on,
           CASE WHEN s.status = 'In progress' AND s.exited_by_as_of IS NOT NULL THEN 'Between stages'
                ELSE s.current_stage END AS current_stage,
           CASE s.status WHEN 'Finished' THEN s.finished_on
                         WHEN 'In progress' THEN p.as_of_day
                         ELSE coalesce(CASE WHEN s.is_dropped_stage THEN s.entered END, s.exited_by_as_of) END AS ended_on
    FROM per_item p
    JOIN status s USING (item_id)
)
SELECT item_id, item_type, business_unit, item_start, status, current_stage, finished_on,
       date_diff('day', item_start, ended_on) AS flow_days,
       -- Overlapping stays cannot make an item more than 100% active.
       least(active_in_stages, date_diff('day', item_start, ended_on)) AS active_days,
       date_diff('day', item_start, ended_on) - least(active_in_stages, date_diff('day', item_start, ended_on))
           AS waiting_days
FROM span
