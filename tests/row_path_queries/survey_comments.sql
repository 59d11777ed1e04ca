-- title: What people said
-- answers: What did respondents write in their own words, and from which side and dimension?
-- param: min_respondents INTEGER = 1 | Comments of a side with fewer respondents are not shown, nor the unit and role of a smaller unit (the app and CLI pass the organisation's setting)
-- include: _survey_scope, _luftman
-- A comment is shown only when its side has at least min_respondents respondents in scope, and its
-- unit and role only when that side has that many in the unit: a remark from one of two people is theirs.
WITH sides AS (
    SELECT respondent_group, count(DISTINCT respondent_id) AS respondents
    FROM _survey_scope GROUP BY respondent_group
),
units AS (
    SELECT respondent_group, business_unit, count(DISTINCT respondent_id) AS respondents
    FROM _survey_scope GROUP BY respondent_group, business_unit
)
SELECT s.respondent_group, s.dimension,
       CASE WHEN u.respondents >= $min_respondents THEN s.business_unit END AS business_unit,
       CASE WHEN u.respondents >= $min_respondents THEN s.role END AS role,
       s.comment
FROM _survey_scope s
JOIN sides g ON g.respondent_group = s.respondent_group
JOIN units u ON u.respondent_group = s.respondent_group AND u.business_unit IS NOT DISTINCT FROM s.business_unit
LEFT JOIN _luftman l ON l.dimension = s.dimension
WHERE nullif(trim(s.comment), '') IS NOT NULL
  AND g.respondents >= $min_respondents
ORDER BY s.respondent_group DESC, coalesce(l.dimension_order, 99), s.comment
