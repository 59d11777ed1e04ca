-- title: Net Promoter Score
-- answers: How likely are people to recommend IT, as a Net Promoter Score for each side, from how many answers (and of how many invited)?
-- param: invited_business INTEGER = NULL | Business people invited to this wave (of the chosen unit, if one is chosen), for the response rate; blank if unknown
-- param: invited_it INTEGER = NULL | IT people invited to this wave, for the response rate; blank if unknown
-- param: min_respondents INTEGER = 1 | A side with fewer respondents is not shown (the app and CLI pass the organisation's setting)
-- include: _survey_scope
-- source: Bain & Company, Net Promoter Score (Reichheld, 'The One Number You Need to Grow', HBR 2003): 0-10 likelihood to recommend; promoters 9-10, passives 7-8, detractors 0-6; NPS = % promoters - % detractors, from -100 to +100
-- NPS answers are those whose dimension is NPS (ingestion files a 0-10 question that mentions
-- 'recommend' there). Invitations are not part of any dataset (a survey export lists who answered,
-- not who was asked), so the response rate needs the number invited as a parameter; without it the
-- rate is blank (unknown). response_rate = respondents / invited. A side under min_respondents keeps
-- its counts of answers and people and loses the split and the score.
WITH counts AS (
    SELECT question, respondent_group,
           count(*) AS responses,
           count(DISTINCT respondent_id) AS respondents,
           count(*) FILTER (WHERE score >= 9) AS promoters,
           count(*) FILTER (WHERE score BETWEEN 7 AND 8) AS passives,
           count(*) FILTER (WHERE score <= 6) AS detractors
    FROM _survey_scope
    WHERE is_nps AND score IS NOT NULL
    GROUP BY question, respondent_group
),
shown AS (
    SELECT *, respondents >= $min_respondents AS is_shown,
           CASE respondent_group WHEN 'Business' THEN $invited_business WHEN 'IT' THEN $invited_it END AS invited
    FROM counts
)
SELECT question, respondent_group, responses, respondents,
       CASE WHEN is_shown THEN promoters END AS promoters,
       CASE WHEN is_shown THEN passives END AS passives,
       CASE WHEN is_shown THEN detractors END AS detractors,
       CASE WHEN is_shown THEN round(100.0 * (promoters - detractors) / responses, 1) END AS nps,
       invited,
       round(respondents / nullif(invited, 0), 4) AS response_rate,
       NOT is_shown AS suppressed
FROM shown
ORDER BY question, respondent_group
