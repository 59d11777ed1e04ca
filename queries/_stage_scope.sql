-- title: Stage history in scope
-- answers: Stage records of the chosen business unit and item type up to the as-of day, with each stage's place in the flow, whether it is the flow's last stage, a done or dropped stage, and whether it is active work.
-- param: business_unit VARCHAR = NULL | Only items of this business unit; blank for all
-- param: item_type VARCHAR = NULL | Only this kind of item (project, request, change); blank for all
-- param: as_of DATE = NULL | The day ages and work in progress are measured on; blank for today
-- param: active_stages VARCHAR = NULL | Comma-separated stage names that are active work; blank: every stage whose name does not say waiting (wait, queue, backlog, approval, on hold, blocked, ready for)
-- param: done_pattern VARCHAR = (?i)^\s*(done|closed|complete|completed|finished|resolved)\s*$ | Stages named like this mean the item is finished when it enters them
-- param: dropped_pattern VARCHAR = (?i)^\s*(cancell?ed|rejected|abandoned|withdrawn|declined|won't do)\s*$ | Stages named like this mean the item left the flow unfinished
-- source: Flow Framework (Mik Kersten, Project to Product, 2018): flow time, flow load, flow efficiency
-- shared: yes
-- The flow's shape (stage order, last stage of each item type) is read from every item, not only the
-- filtered ones, so a filter never moves a stage or turns an unfinished item into a finished one.
WITH history AS (
    -- An exit that was not recorded is the item's next entry (otherwise the item would sit there forever).
    SELECT item_id, stage, entered, item_type, business_unit,
           coalesce(exited, lead(entered) OVER (PARTITION BY item_id ORDER BY entered, exited NULLS LAST)) AS exited,
           regexp_matches(stage, $done_pattern) AS is_done_stage,
           regexp_matches(stage, $dropped_pattern) AS is_dropped_stage,
           max(entered) OVER (PARTITION BY item_id) AS item_last_entered
    FROM stage_history
),
item_start AS (
    SELECT item_id, min(entered) AS item_start FROM history GROUP BY item_id
),
stage_order AS (
    -- A stage's place in the flow: how long after an item's start it is typically entered; done and
    -- dropped stages come after every working stage.
    SELECT stage,
           row_number() OVER (ORDER BY bool_or(is_done_stage OR is_dropped_stage),
                                       median(date_diff('day', i.item_start, h.entered)), stage) AS stage_order
    FROM history h JOIN item_start i USING (item_id)
    GROUP BY stage
),
final_stage AS (
    -- Each item type's last working stage: an item that leaves it has finished.
    SELECT coalesce(h.item_type, '') AS type_key, arg_max(h.stage, o.stage_order) AS final_stage
    FROM history h JOIN stage_order o USING (stage)
    WHERE NOT (h.is_done_stage OR h.is_dropped_stage)
    GROUP BY ALL
),
s AS (
    SELECT *, coalesce($as_of, current_date) AS as_of_day
    FROM history
    WHERE coalesce(business_unit, '') = coalesce($business_unit, business_unit, '')
      AND coalesce(item_type, '') = coalesce($item_type, item_type, '')
      AND entered <= coalesce($as_of, current_date)
)
SELECT s.* EXCLUDE (item_last_entered), o.stage_order,
       s.is_done_stage OR s.is_dropped_stage AS is_terminal_stage,
       coalesce(s.stage = f.final_stage, false) AS is_final_stage,
       -- Active work: the organisation's list (active_stages), else every stage not named like waiting.
       NOT (s.is_done_stage OR s.is_dropped_stage)
       AND CASE WHEN trim(coalesce($active_stages, '')) = ''
                THEN NOT regexp_matches(s.stage, '(?i)(wait|queue|backlog|approv|on hold|blocked|ready for)')
                ELSE list_contains(list_transform(string_split($active_stages, ','), lambda x: lower(trim(x))),
                                   lower(trim(s.stage))) END AS is_active,
       -- The item has a stay entered after the as-of day: between stages on that day, not gone.
       s.item_last_entered > s.as_of_day AS continues_later,
       -- A stay that ends after the as-of day is still under way on that day.
       CASE WHEN s.exited <= s.as_of_day THEN s.exited END AS exited_by_as_of,
       date_diff('day', s.entered, coalesce(CASE WHEN s.exited <= s.as_of_day THEN s.exited END, s.as_of_day))
           AS days_in_stage
FROM s
JOIN stage_order o USING (stage)
LEFT JOIN final_stage f ON f.type_key = coalesce(s.item_type, '')
