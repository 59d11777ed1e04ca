-- title: Alignment maturity
-- answers: How mature is IT-business alignment on each of Luftman's dimensions and overall, as IT and the business each see it, and which relationship does that make IT?
-- param: min_respondents INTEGER = 1 | A side with fewer respondents is not shown (the app and CLI pass the organisation's setting)
-- include: _survey_scope, _luftman
-- source: Luftman, Strategic Alignment Maturity model (six criteria scored 1-5, levels 1 Initial/ad hoc to 5 Optimized; overall = mean of the criteria)
-- shared: yes
-- Each side's maturity is its mean 1-5 score; the combined maturity is the mean of the two sides'
-- means, so whichever side sent more people does not outweigh the other (Luftman assesses IT and
-- business views together). Overall per side is the mean of that side's dimension scores.
-- A side under min_respondents keeps its count and loses its score, and then there is no combined score.
-- relationship_model is this product's own mapping of the combined score, not Luftman's:
-- below 2 Passive, below 3 Provider, below 4 Partner, 4 and above Peer.
-- Luftman's level is the combined score's whole part. 0-10 NPS answers are left out.
WITH dims AS (
    SELECT a.dimension, coalesce(l.dimension_order, 99) AS dimension_order,
           avg(a.score) FILTER (WHERE a.respondent_group = 'IT') AS it_mean,
           avg(a.score) FILTER (WHERE a.respondent_group = 'Business') AS business_mean,
           count(DISTINCT a.respondent_id) FILTER (WHERE a.respondent_group = 'IT') AS it_respondents,
           count(DISTINCT a.respondent_id) FILTER (WHERE a.respondent_group = 'Business') AS business_respondents,
           count(DISTINCT a.respondent_id) AS respondents
    FROM _survey_scope a
    LEFT JOIN _luftman l USING (dimension)
    WHERE a.dimension IS NOT NULL AND NOT a.is_nps
    GROUP BY a.dimension, l.dimension_order
),
shown AS (
    SELECT dimension, dimension_order,
           CASE WHEN it_respondents >= $min_respondents THEN it_mean END AS it_maturity,
           CASE WHEN business_respondents >= $min_respondents THEN business_mean END AS business_maturity,
           it_respondents, business_respondents, respondents
    FROM dims
),
people AS (
    SELECT count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'IT') AS it_respondents,
           count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'Business') AS business_respondents,
           count(DISTINCT respondent_id) AS respondents
    FROM _survey_scope
    WHERE dimension IS NOT NULL AND NOT is_nps
),
with_overall AS (
    SELECT dimension, dimension_order, it_maturity, business_maturity,
           (it_maturity + business_maturity) / 2 AS maturity, it_respondents, business_respondents, respondents
    FROM shown
    UNION ALL
    SELECT 'Overall', 100, o.it_maturity, o.business_maturity, (o.it_maturity + o.business_maturity) / 2,
           p.it_respondents, p.business_respondents, p.respondents
    FROM (SELECT avg(it_maturity) AS it_maturity, avg(business_maturity) AS business_maturity
          FROM shown HAVING count(*) > 0) o
    CROSS JOIN people p
)
SELECT dimension,
       round(it_maturity, 2) AS it_maturity,
       round(business_maturity, 2) AS business_maturity,
       round(maturity, 2) AS maturity,
       CASE WHEN maturity IS NULL THEN NULL WHEN maturity < 2 THEN 'Initial / ad hoc' WHEN maturity < 3 THEN 'Committed'
            WHEN maturity < 4 THEN 'Established' WHEN maturity < 5 THEN 'Improved' ELSE 'Optimized' END AS luftman_level,
       CASE WHEN maturity IS NULL THEN NULL WHEN maturity < 2 THEN 'Passive' WHEN maturity < 3 THEN 'Provider'
            WHEN maturity < 4 THEN 'Partner' ELSE 'Peer' END AS relationship_model,
       it_respondents,
       business_respondents,
       respondents,
       maturity IS NULL AS suppressed
FROM with_overall
ORDER BY dimension_order, dimension
