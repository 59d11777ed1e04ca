-- title: Change between survey waves
-- answers: How has each dimension's score moved since the previous survey wave, where both waves heard enough people on both sides?
-- param: wave VARCHAR = NULL | The later wave of the two; blank for the latest
-- param: business_unit VARCHAR = NULL | Only this unit's business respondents (IT's are always kept); blank for all
-- param: min_respondents INTEGER = 1 | A wave with fewer respondents on a side is not compared (the app and CLI pass the organisation's setting)
-- include: _luftman
-- source: Luftman, Strategic Alignment Maturity model (a dimension's score is the mean of the IT and business views, as in alignment_maturity)
-- Waves are ordered by name, so name them sortably (2025-03, 2025-09 or Wave 1, Wave 2); the previous
-- wave is the one named just before the chosen one among waves with 1-5 alignment answers.
-- A wave's score is the mean of the two sides' means (as alignment_maturity), shown only when both
-- sides have at least min_respondents; the change only when both waves are shown. The unit rule
-- is _survey_scope's: a unit narrows the business side, IT is always kept.
WITH answers AS (
    SELECT * FROM survey
    WHERE wave IS NOT NULL AND dimension IS NOT NULL AND upper(trim(dimension)) <> 'NPS'
),
pair AS (
    SELECT latest, (SELECT max(wave) FROM answers WHERE wave < latest) AS previous
    FROM (SELECT coalesce($wave, (SELECT max(wave) FROM answers)) AS latest)
),
scoped AS (
    SELECT a.*
    FROM answers a
    CROSS JOIN pair p
    WHERE a.wave IN (p.latest, p.previous)
      AND ($business_unit IS NULL OR a.respondent_group = 'IT' OR a.business_unit = $business_unit)
),
waves AS (
    SELECT wave, dimension,
           avg(score) FILTER (WHERE respondent_group = 'IT') AS it_mean,
           avg(score) FILTER (WHERE respondent_group = 'Business') AS business_mean,
           count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'IT') AS it_respondents,
           count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'Business') AS business_respondents
    FROM scoped
    GROUP BY wave, dimension
),
scored AS (
    SELECT *, CASE WHEN it_respondents >= $min_respondents AND business_respondents >= $min_respondents
                   THEN (it_mean + business_mean) / 2 END AS score
    FROM waves
)
SELECT c.dimension,
       w.previous AS previous_wave, round(p.score, 2) AS previous_score,
       c.wave AS latest_wave, round(c.score, 2) AS latest_score,
       round(c.score - p.score, 2) AS change,
       coalesce(p.it_respondents, 0) AS previous_it_respondents,
       coalesce(p.business_respondents, 0) AS previous_business_respondents,
       c.it_respondents AS latest_it_respondents,
       c.business_respondents AS latest_business_respondents,
       c.score IS NOT NULL AND p.score IS NOT NULL AS comparable
FROM scored c
CROSS JOIN pair w
LEFT JOIN scored p ON p.dimension = c.dimension AND p.wave = w.previous
LEFT JOIN _luftman l ON l.dimension = c.dimension
WHERE c.wave = w.latest
ORDER BY coalesce(l.dimension_order, 99), c.dimension
