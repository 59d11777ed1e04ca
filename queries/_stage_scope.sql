-- title: Stage history in scope
-- answers: Stage records of the chosen business unit and item type, with each stage's order in the flow.
-- param: business_unit VARCHAR = NULL | Only items of this business unit; blank for all
-- param: item_type VARCHAR = NULL | Only this kind of item (project, request, change); blank for all
-- param: as_of DATE = NULL | The day ages and work in progress are measured on; blank for today
WITH s AS (
    SELECT *, coalesce($as_of, current_date) AS as_of_day
    FROM stage_history
    WHERE coalesce(business_unit, '') = coalesce($business_unit, business_unit, '')
      AND coalesce(item_type, '') = coalesce($item_type, item_type, '')
      AND entered <= coalesce($as_of, current_date)
),
first_seen AS (
    SELECT item_id, min(entered) AS item_start FROM s GROUP BY item_id
),
stage_order AS (
    -- A stage's place in the flow: how long after an item's start it is typically entered.
    SELECT stage, row_number() OVER (ORDER BY median(date_diff('day', f.item_start, s.entered)), stage)
           AS stage_order
    FROM s JOIN first_seen f USING (item_id)
    GROUP BY stage
)
SELECT s.*, o.stage_order,
       -- A stay that ends after the as-of day is still under way on that day.
       CASE WHEN s.exited <= s.as_of_day THEN s.exited END AS exited_by_as_of,
       date_diff('day', s.entered, coalesce(CASE WHEN s.exited <= s.as_of_day THEN s.exited END, s.as_of_day))
           AS days_in_stage
FROM s JOIN stage_order o USING (stage)
