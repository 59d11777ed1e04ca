-- title: Survey answers in scope
-- answers: Answers of the chosen wave (default: the latest) and business unit.
-- param: wave VARCHAR = NULL | Survey wave; blank for the latest
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
SELECT *
FROM survey
WHERE coalesce(wave, '') = coalesce($wave, (SELECT max(coalesce(wave, '')) FROM survey))
  AND coalesce(business_unit, '') = coalesce($business_unit, business_unit, '')
