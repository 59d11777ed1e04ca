-- title: IT vs business perception gap
-- answers: For each alignment dimension, how differently do IT and the business score it, and how many answered on each side?
-- param: min_respondents INTEGER = 1 | A side with fewer respondents on a dimension is not shown (the app and CLI pass the organisation's setting)
-- include: _survey_scope, _luftman
-- source: Luftman, Strategic Alignment Maturity assessment: IT and business executives each score the six criteria, and the difference between their views is the finding
-- shared: yes
-- gap = IT mean minus business mean: positive means IT rates itself higher than the business does.
-- A side under min_respondents keeps its count and loses its mean (and the gap): a figure from
-- one or two people can single them out and misleads. 0-10 NPS answers are left out.
WITH sides AS (
    SELECT a.dimension, coalesce(l.dimension_order, 99) AS dimension_order,
           avg(a.score) FILTER (WHERE a.respondent_group = 'IT') AS it_mean,
           avg(a.score) FILTER (WHERE a.respondent_group = 'Business') AS business_mean,
           count(DISTINCT a.respondent_id) FILTER (WHERE a.respondent_group = 'IT') AS it_respondents,
           count(DISTINCT a.respondent_id) FILTER (WHERE a.respondent_group = 'Business') AS business_respondents
    FROM _survey_scope a
    LEFT JOIN _luftman l USING (dimension)
    WHERE a.dimension IS NOT NULL AND NOT a.is_nps
    GROUP BY a.dimension, l.dimension_order
),
shown AS (
    SELECT *, it_respondents >= $min_respondents AS it_shown,
           business_respondents >= $min_respondents AS business_shown
    FROM sides
)
SELECT dimension,
       round(CASE WHEN it_shown THEN it_mean END, 2) AS it_mean,
       round(CASE WHEN business_shown THEN business_mean END, 2) AS business_mean,
       round(CASE WHEN it_shown AND business_shown THEN it_mean - business_mean END, 2) AS gap,
       it_respondents,
       business_respondents,
       NOT (it_shown AND business_shown) AS suppressed
FROM shown
ORDER BY dimension_order, dimension
