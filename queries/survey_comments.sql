-- title: What people said
-- answers: What did respondents write in their own words, and from which side and dimension?
-- include: _survey_scope, _luftman
SELECT s.respondent_group, s.dimension, s.business_unit, s.role, s.comment
FROM _survey_scope s
LEFT JOIN _luftman l USING (dimension)
WHERE nullif(trim(s.comment), '') IS NOT NULL
ORDER BY s.respondent_group DESC, coalesce(l.dimension_order, 99), s.comment
