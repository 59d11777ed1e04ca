-- title: Throughput
-- answers: How many items finish the flow each month, and how long does the whole flow take them?
-- include: _stage_scope
-- An item is finished when it has left its last stage by the as-of day.
WITH last_stage AS (
    SELECT item_id, arg_max(exited_by_as_of, entered) AS finished_on, min(entered) AS started_on
    FROM _stage_scope
    GROUP BY item_id
)
SELECT date_trunc('month', finished_on)::DATE AS month,
       count(*) AS finished,
       round(median(date_diff('day', started_on, finished_on)), 2) AS median_lead_time_days
FROM last_stage
WHERE finished_on IS NOT NULL
GROUP BY ALL
ORDER BY month
