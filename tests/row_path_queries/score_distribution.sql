-- title: Score distribution
-- answers: How did IT and the business each spread their answers, dimension by dimension (a mean can hide a split room)?
-- param: min_respondents INTEGER = 1 | A side with fewer respondents on a dimension is not shown (the app and CLI pass the organisation's setting)
-- include: _survey_scope, _luftman
-- source: Likert (1932) five-point agreement scale, shown as diverging 100% bars (Robbins & Heiberger, Plotting Likert scales)
-- A side under min_respondents on a dimension keeps its counts of answers and people and loses the
-- spread and mean. 0-10 NPS answers are left out (see the nps analysis).
WITH groups AS (
    SELECT coalesce(s.dimension, 'Unassigned') AS dimension,
           coalesce(any_value(l.dimension_order), 99) AS dimension_order,
           s.respondent_group,
           count(*) AS answers,
           count(DISTINCT s.respondent_id) AS respondents,
           avg(s.score) AS mean_score,
           count(*) FILTER (WHERE s.score = 1) AS strongly_disagree,
           count(*) FILTER (WHERE s.score = 2) AS disagree,
           count(*) FILTER (WHERE s.score = 3) AS neutral,
           count(*) FILTER (WHERE s.score = 4) AS agree,
           count(*) FILTER (WHERE s.score = 5) AS strongly_agree,
           count(s.comment) AS comments
    FROM _survey_scope s
    LEFT JOIN _luftman l USING (dimension)
    WHERE NOT s.is_nps
    GROUP BY 1, s.respondent_group
)
SELECT dimension, respondent_group, answers,
       round(CASE WHEN respondents >= $min_respondents THEN mean_score END, 2) AS mean_score,
       CASE WHEN respondents >= $min_respondents THEN strongly_disagree END AS strongly_disagree,
       CASE WHEN respondents >= $min_respondents THEN disagree END AS disagree,
       CASE WHEN respondents >= $min_respondents THEN neutral END AS neutral,
       CASE WHEN respondents >= $min_respondents THEN agree END AS agree,
       CASE WHEN respondents >= $min_respondents THEN strongly_agree END AS strongly_agree,
       CASE WHEN respondents >= $min_respondents THEN comments END AS comments,
       respondents,
       respondents < $min_respondents AS suppressed
FROM groups
ORDER BY dimension_order, dimension, respondent_group DESC
