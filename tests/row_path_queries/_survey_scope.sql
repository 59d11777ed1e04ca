-- title: Survey answers in scope
-- answers: Answers of the chosen wave (default: the latest with enough people on both sides); a business unit narrows the business side only.
-- param: wave VARCHAR = NULL | Survey wave; blank for the latest with min_respondents on both sides (else the latest)
-- param: min_respondents INTEGER = 1 | Fewest respondents a side needs (the app and CLI pass the organisation's setting)
-- include: survey_waves
-- param: business_unit VARCHAR = NULL | Only this unit's business respondents (IT's are always kept); blank for all
-- A unit filter keeps every IT respondent: IT serves every unit and its people's unit is IT, so the
-- unit's business people are compared with IT, not with nobody. is_nps marks Net Promoter answers
-- (dimension NPS, scored 0-10), which the 1-5 alignment figures leave out.
SELECT *, coalesce(upper(trim(dimension)) = 'NPS', false) AS is_nps
FROM survey
WHERE coalesce(wave, '') = coalesce($wave, (SELECT wave FROM survey_waves WHERE is_default))
  AND ($business_unit IS NULL OR respondent_group = 'IT' OR business_unit = $business_unit)
