-- title: Importance vs satisfaction
-- answers: Which topics matter most to people but satisfy them least, and so should be fixed first?
-- include: _survey_scope
-- Quadrants split at the scale's midpoint, 3.
SELECT question, any_value(dimension) AS dimension,
       round(avg(importance), 2) AS importance,
       round(avg(score), 2) AS satisfaction,
       round(avg(importance) - avg(score), 2) AS priority_gap,
       CASE WHEN avg(importance) >= 3 AND avg(score) < 3 THEN 'Fix first'
            WHEN avg(importance) >= 3 THEN 'Keep it up'
            WHEN avg(score) < 3 THEN 'Low priority'
            ELSE 'Possible over-investment' END AS quadrant,
       count(*) AS answers
FROM _survey_scope
WHERE importance IS NOT NULL
GROUP BY question
ORDER BY priority_gap DESC, question
