-- title: Throughput
-- answers: How many items finish the flow each month, and how long does the whole flow take them?
-- include: _stage_scope
-- An item is finished when it has left its last stage by the as-of day.
WITH last_stage AS (
    -- Each item's latest stage; finished only if it has left that one too.
    SELECT item_id, exited_by_as_of AS finished_on, min(entered) OVER (PARTITION BY item_id) AS started_on
    FROM _stage_scope
    QUALIFY row_number() OVER (PARTITION BY item_id ORDER BY entered DESC, stage_order DESC) = 1
)
SELECT date_trunc('month', finished_on)::DATE AS month,
       count(*) AS finished,
       round(median(date_diff('day', started_on, finished_on)), 2) AS median_lead_time_days
FROM last_stage
WHERE finished_on IS NOT NULL
GROUP BY ALL
ORDER BY month
