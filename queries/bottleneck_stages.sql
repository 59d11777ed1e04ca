-- title: Bottleneck stages
-- answers: How long do items spend in each stage, how much work waits there, and which stage is the bottleneck?
-- include: _stage_scope
-- The bottleneck is the one stage holding the largest share of finished items' time (ties: the earlier stage).
-- Percentiles interpolate like Excel's PERCENTILE.INC.
WITH per_stage AS (
    SELECT stage, min(stage_order) AS stage_order,
           count(*) FILTER (WHERE exited_by_as_of IS NOT NULL) AS finished,
           quantile_cont(days_in_stage, 0.5) FILTER (WHERE exited_by_as_of IS NOT NULL) AS median_days,
           quantile_cont(days_in_stage, 0.85) FILTER (WHERE exited_by_as_of IS NOT NULL) AS p85_days,
           count(*) FILTER (WHERE exited_by_as_of IS NULL) AS wip,
           coalesce(sum(days_in_stage) FILTER (WHERE exited_by_as_of IS NOT NULL), 0) AS finished_days
    FROM _stage_scope
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
       round(share_of_time, 4) AS share_of_time,
       coalesce(row_number() OVER (ORDER BY share_of_time DESC NULLS LAST, stage_order) = 1
                AND share_of_time > 0, false) AS is_bottleneck
FROM shares
ORDER BY stage_order
