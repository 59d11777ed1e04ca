-- title: IT vs business perception gap
-- answers: For each alignment dimension, how differently do IT and the business score it?
-- include: _survey_scope, _luftman
-- gap = IT mean minus business mean: positive means IT rates itself higher than the business does.
SELECT a.dimension,
       round(avg(a.score) FILTER (WHERE a.respondent_group = 'IT'), 2) AS it_mean,
       round(avg(a.score) FILTER (WHERE a.respondent_group = 'Business'), 2) AS business_mean,
       round(avg(a.score) FILTER (WHERE a.respondent_group = 'IT')
             - avg(a.score) FILTER (WHERE a.respondent_group = 'Business'), 2) AS gap,
       count(DISTINCT a.respondent_id) FILTER (WHERE a.respondent_group = 'IT') AS it_respondents,
       count(DISTINCT a.respondent_id) FILTER (WHERE a.respondent_group = 'Business') AS business_respondents
FROM _survey_scope a
LEFT JOIN _luftman l USING (dimension)
WHERE a.dimension IS NOT NULL
GROUP BY a.dimension, l.dimension_order
ORDER BY coalesce(l.dimension_order, 99), a.dimension
