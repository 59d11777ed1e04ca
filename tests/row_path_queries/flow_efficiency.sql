-- title: Flow efficiency
-- answers: Of the time finished items spent from start to finish, what share was active work rather than waiting, and which stages counted as work?
-- include: _stage_scope, _flow_items
-- source: Flow Framework (Mik Kersten, Project to Product, 2018): flow efficiency = active time / flow time
-- Active stages: the organisation's active_stages setting, else every stage whose name does not say
-- waiting. Waiting is everything else between start and finish, time between stages that no stay
-- records included. Time-weighted: total active days over total flow days of the finished items.
WITH stages AS (
    SELECT stage, min(stage_order) AS stage_order, bool_or(is_active) AS is_active
    FROM _stage_scope
    WHERE NOT is_terminal_stage
    GROUP BY stage
),
finished AS (
    SELECT count(*) AS items, sum(active_days) AS active_days, sum(waiting_days) AS waiting_days,
           sum(flow_days) AS flow_days
    FROM _flow_items
    WHERE status = 'Finished'
)
SELECT f.items,
       f.active_days::BIGINT AS active_days,
       f.waiting_days::BIGINT AS waiting_days,
       f.flow_days::BIGINT AS flow_days,
       round(f.active_days / nullif(f.flow_days, 0), 4) AS flow_efficiency,
       (SELECT string_agg(stage, ', ' ORDER BY stage_order) FROM stages WHERE is_active) AS active_stages,
       (SELECT string_agg(stage, ', ' ORDER BY stage_order) FROM stages WHERE NOT is_active) AS waiting_stages,
       -- Names in the setting that no stage in scope has (a typo, or a stage of other units).
       (SELECT string_agg(trim(name), ', ')
        FROM (SELECT unnest(string_split($active_stages, ',')) AS name)
        WHERE trim(name) <> '' AND lower(trim(name)) NOT IN (SELECT lower(trim(stage)) FROM stages))
           AS unknown_active_stages,
       CASE WHEN trim(coalesce($active_stages, '')) = '' THEN 'default' ELSE 'setting' END AS active_rule
FROM finished f
