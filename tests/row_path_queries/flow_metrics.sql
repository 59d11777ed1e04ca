-- title: Flow metrics
-- answers: For all items and for each item type: how many finish a month (flow velocity), how long they take (flow time), how many are in progress (flow load), what share of their time is work (flow efficiency), and what share of finished items each type is (flow distribution)?
-- include: _stage_scope, _flow_items
-- source: Flow Framework (Mik Kersten, Project to Product, 2018): flow velocity, flow time, flow load, flow efficiency, flow distribution
-- Velocity is items finished per month over the months from the first start in scope to the as-of
-- month (the throughput chart's months, zeros included). Flow time runs from an item's first stage to
-- finishing; load is items in progress on the as-of day (between stages included); efficiency is
-- active over flow days of finished items; distribution is each type's share of finished items.
-- Items that left the flow unfinished are counted apart, never as finished.
WITH window_months AS (
    SELECT date_diff('month', date_trunc('month', min(entered)), date_trunc('month', max(as_of_day))) + 1 AS months
    FROM _stage_scope
),
groups AS (
    SELECT CASE WHEN grouping(coalesce(item_type, 'Unspecified')) = 1 THEN 'All items'
                ELSE coalesce(item_type, 'Unspecified') END AS item_type,
           grouping(coalesce(item_type, 'Unspecified')) = 1 AS is_total,
           count(*) AS started,
           count(*) FILTER (WHERE status = 'Finished') AS finished,
           count(*) FILTER (WHERE status = 'In progress') AS flow_load,
           count(*) FILTER (WHERE status = 'Left the flow') AS left_unfinished,
           quantile_cont(flow_days, 0.5) FILTER (WHERE status = 'Finished') AS flow_time_median_days,
           quantile_cont(flow_days, 0.85) FILTER (WHERE status = 'Finished') AS flow_time_p85_days,
           avg(flow_days) FILTER (WHERE status = 'Finished') AS flow_time_mean_days,
           sum(active_days) FILTER (WHERE status = 'Finished') AS active_days,
           sum(flow_days) FILTER (WHERE status = 'Finished') AS flow_days
    FROM _flow_items
    GROUP BY GROUPING SETS ((coalesce(item_type, 'Unspecified')), ())
)
SELECT g.item_type, g.started, g.finished, w.months,
       round(g.finished / w.months, 2) AS flow_velocity_per_month,
       round(g.flow_time_median_days, 2) AS flow_time_median_days,
       round(g.flow_time_p85_days, 2) AS flow_time_p85_days,
       round(g.flow_time_mean_days, 2) AS flow_time_mean_days,
       g.flow_load,
       g.left_unfinished,
       round(g.active_days / nullif(g.flow_days, 0), 4) AS flow_efficiency,
       round(g.finished / nullif(sum(g.finished) FILTER (WHERE g.is_total) OVER (), 0), 4) AS flow_distribution,
       coalesce($as_of, current_date) AS as_of
FROM groups g
CROSS JOIN window_months w
ORDER BY g.is_total DESC, g.finished DESC, g.item_type
