-- title: Bottleneck stages
-- answers: How long do items spend in each stage, how much work is there now, how often do items come back, and which stage is the bottleneck?
-- include: _stage_scope, _stage_visits
-- source: Kanban time in stage and work in progress (David J. Anderson, Kanban, 2010); percentiles as Excel's PERCENTILE.INC
-- shared: yes
-- Time in stage counts items that have left the stage, each item's stays there summed (a re-entry is
-- the same stage's time). The bottleneck is the one stage holding the largest share of that time
-- (ties: the earlier stage). is_active says whether the stage counts as work (active_stages setting).
WITH per_stage AS (
    SELECT stage, min(stage_order) AS stage_order, bool_or(is_active) AS is_active,
           count(*) FILTER (WHERE NOT in_stage_now) AS finished,
           quantile_cont(days, 0.5) FILTER (WHERE NOT in_stage_now) AS median_days,
           quantile_cont(days, 0.85) FILTER (WHERE NOT in_stage_now) AS p85_days,
           count(*) FILTER (WHERE in_stage_now) AS wip,
           sum(reentries)::BIGINT AS reentries,
           coalesce(sum(days) FILTER (WHERE NOT in_stage_now), 0) AS finished_days
    FROM _stage_visits
    GROUP BY stage
),
shares AS (
    SELECT *, finished_days / nullif(sum(finished_days) OVER (), 0) AS share_of_time
    FROM per_stage
)
SELECT stage, stage_order, finished,
       round(median_days, 2) AS median_days,
       round(p85_days, 2) AS p85_days,
       wip,
       reentries,
       round(share_of_time, 4) AS share_of_time,
       is_active,
       coalesce(row_number() OVER (ORDER BY share_of_time DESC NULLS LAST, stage_order) = 1
                AND share_of_time > 0, false) AS is_bottleneck
FROM shares
ORDER BY stage_order
