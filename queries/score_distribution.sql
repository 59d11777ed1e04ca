-- title: Score distribution
-- answers: How did IT and the business each spread their answers, dimension by dimension (a mean can hide a split room)?
-- include: _survey_scope, _luftman
SELECT coalesce(s.dimension, 'Unassigned') AS dimension,
       s.respondent_group,
       count(*) AS answers,
       round(avg(s.score), 2) AS mean_score,
       count(*) FILTER (WHERE s.score = 1) AS strongly_disagree,
       count(*) FILTER (WHERE s.score = 2) AS disagree,
       count(*) FILTER (WHERE s.score = 3) AS neutral,
       count(*) FILTER (WHERE s.score = 4) AS agree,
       count(*) FILTER (WHERE s.score = 5) AS strongly_agree,
       count(s.comment) AS comments
FROM _survey_scope s
LEFT JOIN _luftman l USING (dimension)
GROUP BY 1, 2, l.dimension_order
ORDER BY coalesce(l.dimension_order, 99), 1, 2 DESC
