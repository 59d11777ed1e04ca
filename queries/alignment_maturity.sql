-- title: Alignment maturity
-- answers: How mature is IT-business alignment on each of Luftman's dimensions and overall, and which relationship does that make IT?
-- include: _survey_scope, _luftman
-- Maturity is the mean 1-5 score of all respondents. Overall is the mean of the dimension scores.
-- Relationship model (this product's own mapping of the score): below 2 Passive, below 3 Provider,
-- below 4 Partner, 4 and above Peer. Luftman's level names are the score's whole part.
WITH dims AS (
    SELECT a.dimension, coalesce(l.dimension_order, 99) AS dimension_order,
           avg(a.score) AS maturity, count(DISTINCT a.respondent_id) AS respondents
    FROM _survey_scope a
    LEFT JOIN _luftman l USING (dimension)
    WHERE a.dimension IS NOT NULL
    GROUP BY ALL
),
with_overall AS (
    SELECT dimension, dimension_order, maturity, respondents FROM dims
    UNION ALL
    SELECT 'Overall', 100, avg(maturity), (SELECT count(DISTINCT respondent_id) FROM _survey_scope)
    FROM dims HAVING count(*) > 0
)
SELECT dimension,
       round(maturity, 2) AS maturity,
       CASE floor(maturity) WHEN 1 THEN 'Initial / ad hoc' WHEN 2 THEN 'Committed'
            WHEN 3 THEN 'Established' WHEN 4 THEN 'Improved' ELSE 'Optimized' END AS luftman_level,
       CASE WHEN maturity < 2 THEN 'Passive' WHEN maturity < 3 THEN 'Provider'
            WHEN maturity < 4 THEN 'Partner' ELSE 'Peer' END AS relationship_model,
       respondents
FROM with_overall
ORDER BY dimension_order, dimension
