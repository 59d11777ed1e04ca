-- title: Aging items
-- answers: Which items have been in their current stage longer than 85% of the items that went through it?
-- include: _stage_scope, _stage_visits, bottleneck_stages
-- source: Kanban work item age (Daniel Vacanti, Actionable Agile Metrics for Predictability, 2015)
-- Age counts every stay of the item in that stage up to the as-of day (a re-entry adds to it), against
-- the 85th percentile of the items that have left the stage.
SELECT v.item_id, v.item_type, v.business_unit, v.stage, v.last_entered AS entered,
       v.days AS age_days,
       v.reentries,
       b.p85_days AS stage_p85_days,
       round(v.days - b.p85_days, 2) AS days_over
FROM _stage_visits v
JOIN bottleneck_stages b USING (stage)
WHERE v.in_stage_now AND v.days > b.p85_days
ORDER BY days_over DESC, v.item_id
