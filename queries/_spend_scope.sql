-- title: Spend in scope
-- answers: The spend inside the chosen period and business unit, summed per month, unit, goal, tower, cost pool, run/grow/transform and capex/opex (used by the spend analyses).
-- param: period_from DATE = NULL | First month (inclusive); blank for all
-- param: period_to DATE = NULL | Last month (inclusive); blank for all
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- include: _spend_booked
-- Reads spend_summary (alignment.aggregates: the lines summed per batch when stored, mapping rules
-- applied): lines, and per amount its sum (NULL where every line's is blank) and how many lines
-- have one (budget_lines, actual_lines, forecast_lines).
SELECT *
FROM _spend_booked
WHERE period >= coalesce(date_trunc('month', $period_from::DATE), DATE '1900-01-01')
  AND period <= coalesce($period_to, DATE '2999-12-31')
  AND business_unit = coalesce($business_unit, business_unit)
