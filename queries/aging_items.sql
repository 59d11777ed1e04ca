-- title: Aging items
-- answers: Which items have been in their current stage longer than 85% of the items that went through it?
-- include: _stage_scope, bottleneck_stages
SELECT s.item_id, s.item_type, s.business_unit, s.stage, s.entered,
       s.days_in_stage AS age_days,
       b.p85_days AS stage_p85_days,
       round(s.days_in_stage - b.p85_days, 2) AS days_over
FROM _stage_scope s
JOIN bottleneck_stages b USING (stage)
WHERE s.exited_by_as_of IS NULL AND s.days_in_stage > b.p85_days
ORDER BY days_over DESC, s.item_id
