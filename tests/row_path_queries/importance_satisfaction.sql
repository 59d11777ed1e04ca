-- title: Importance vs satisfaction
-- answers: Which topics matter most to the business but satisfy it least, and so should be fixed first?
-- param: min_respondents INTEGER = 1 | A question with fewer business respondents is not shown (the app and CLI pass the organisation's setting)
-- include: _survey_scope
-- source: Info-Tech Research Group, CIO Business Vision: business stakeholders (IT's customers) rate how important each IT service is and how satisfied they are with it
-- source: Martilla & James (1977), importance-performance analysis, with the quadrants split at the means of the plotted questions (data-centred)
-- Business respondents only: IT rating the importance of its own services would blur what its
-- customers want. The quadrants split at the mean importance and mean satisfaction of the questions
-- shown (importance_mean, satisfaction_mean), not at the scale's midpoint: most answers sit above 3,
-- so a fixed split puts nearly everything in one quadrant. A question exactly on a line is counted on
-- the side that needs attention (important, unsatisfied). A question with fewer than min_respondents
-- business respondents keeps its counts and loses its figures, and does not move the means.
WITH questions AS (
    SELECT question, any_value(dimension) AS dimension,
           avg(importance) AS importance, avg(score) AS satisfaction,
           count(DISTINCT respondent_id) AS respondents, count(*) AS answers
    FROM _survey_scope
    WHERE respondent_group = 'Business' AND importance IS NOT NULL AND NOT is_nps
    GROUP BY question
),
shown AS (
    SELECT *, respondents >= $min_respondents AS is_shown FROM questions
),
means AS (
    SELECT avg(importance) FILTER (WHERE is_shown) AS importance_mean,
           avg(satisfaction) FILTER (WHERE is_shown) AS satisfaction_mean
    FROM shown
)
SELECT s.question, s.dimension,
       round(CASE WHEN s.is_shown THEN s.importance END, 2) AS importance,
       round(CASE WHEN s.is_shown THEN s.satisfaction END, 2) AS satisfaction,
       round(CASE WHEN s.is_shown THEN s.importance - s.satisfaction END, 2) AS priority_gap,
       CASE WHEN NOT s.is_shown THEN NULL
            WHEN round(s.importance, 6) >= round(m.importance_mean, 6)
                 AND round(s.satisfaction, 6) <= round(m.satisfaction_mean, 6) THEN 'Fix first'
            WHEN round(s.importance, 6) >= round(m.importance_mean, 6) THEN 'Keep it up'
            WHEN round(s.satisfaction, 6) <= round(m.satisfaction_mean, 6) THEN 'Low priority'
            ELSE 'Possible over-investment' END AS quadrant,
       s.respondents,
       s.answers,
       round(m.importance_mean, 2) AS importance_mean,
       round(m.satisfaction_mean, 2) AS satisfaction_mean,
       NOT s.is_shown AS suppressed
FROM shown s
CROSS JOIN means m
ORDER BY priority_gap DESC NULLS LAST, s.question
