-- title: Spend in scope
-- answers: The spend lines inside the chosen period and business unit (used by the spend analyses).
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- include: _spend_in_period
SELECT *
FROM _spend_in_period
WHERE business_unit = coalesce($business_unit, business_unit)
