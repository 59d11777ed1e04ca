-- title: Spend in scope by vendor, cost centre and account
-- answers: The spend inside the chosen period and business unit, summed per vendor, cost centre and account (each on its own), and whether it serves a business goal.
-- param: period_from DATE = NULL | First month (inclusive); blank for all
-- param: period_to DATE = NULL | Last month (inclusive); blank for all
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- Reads spend_detail (alignment.aggregates): dimension (vendor, cost_center or account), value
-- (NULL: blank), period, business_unit, unmapped (no business goal), lines, actual_lines, actual.
SELECT *
FROM spend_detail
WHERE period >= coalesce(date_trunc('month', $period_from::DATE), DATE '1900-01-01')
  AND period <= coalesce($period_to, DATE '2999-12-31')
  AND business_unit = coalesce($business_unit, business_unit)
