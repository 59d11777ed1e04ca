-- title: Survey waves
-- answers: Which survey waves there are, how many people answered on each side, and which one the dashboards open on.
-- param: min_respondents INTEGER = 1 | A wave needs this many respondents on each side to be the default
-- source: Luftman, Strategic Alignment Maturity (both sides' views are needed for a score)
-- The default is the latest wave (by name, as waves are named by date) with enough people on both
-- sides, so a small live session does not replace the organisation's score; with none, the latest.
WITH waves AS (
    SELECT coalesce(wave, '') AS wave,
           count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'IT') AS it_respondents,
           count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'Business') AS business_respondents
    FROM survey
    GROUP BY ALL
),
chosen AS (
    SELECT coalesce(
        (SELECT max(wave) FROM waves
         WHERE it_respondents >= $min_respondents AND business_respondents >= $min_respondents),
        (SELECT max(wave) FROM waves)) AS wave
)
SELECT w.wave, w.it_respondents, w.business_respondents, w.wave = c.wave AS is_default
FROM waves w CROSS JOIN chosen c
ORDER BY w.wave DESC
