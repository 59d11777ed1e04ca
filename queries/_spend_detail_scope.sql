-- title: Spend in scope by vendor, cost centre and account
-- answers: The spend inside the chosen period and business unit, summed per vendor, cost centre and account (each on its own), and whether it serves a business goal.
-- param: period_from DATE = NULL | First month (inclusive); blank for all
-- param: period_to DATE = NULL | Last month (inclusive); blank for all
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- param: books_closed_through DATE = NULL | Last month whose books are closed; blank: every loaded actual counts
-- Reads spend_detail (alignment.aggregates): dimension (vendor, cost_center or account), value
-- (NULL: blank), period, business_unit, unmapped (no business goal), lines, actual_lines, actual.
-- Actuals of months after the books' close are not counted yet, as in _spend_booked.
SELECT * REPLACE (
    CASE WHEN period > date_trunc('month', $books_closed_through::DATE) THEN NULL ELSE actual END AS actual,
    CASE WHEN period > date_trunc('month', $books_closed_through::DATE) THEN 0 ELSE actual_lines END AS actual_lines)
FROM spend_detail
WHERE period >= coalesce(date_trunc('month', $period_from::DATE), DATE '1900-01-01')
  AND period <= coalesce($period_to, DATE '2999-12-31')
  AND business_unit = coalesce($business_unit, business_unit)
