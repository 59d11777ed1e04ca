-- title: Score distribution
-- answers: How did IT and the business each spread their answers, dimension by dimension (a mean can hide a split room)?
-- include: _survey_scope
SELECT coalesce(dimension, 'Unassigned') AS dimension,
       respondent_group,
       count(*) AS answers,
       round(avg(score), 2) AS mean_score,
       count(*) FILTER (WHERE score = 1) AS strongly_disagree,
       count(*) FILTER (WHERE score = 2) AS disagree,
       count(*) FILTER (WHERE score = 3) AS neutral,
       count(*) FILTER (WHERE score = 4) AS agree,
       count(*) FILTER (WHERE score = 5) AS strongly_agree,
       count(comment) AS comments
FROM _survey_scope
GROUP BY 1, 2
ORDER BY 1, 2 DESC
