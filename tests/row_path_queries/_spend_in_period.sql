-- title: Spend in the period
-- answers: The spend lines inside the chosen months, every business unit (allocation needs them all).
-- param: period_from DATE = NULL | First month (inclusive); blank for all
-- param: period_to DATE = NULL | Last month (inclusive); blank for all
-- include: _spend_booked
SELECT *
FROM _spend_booked
WHERE period >= coalesce(date_trunc('month', $period_from::DATE), DATE '1900-01-01')
  AND period <= coalesce($period_to, DATE '2999-12-31')
