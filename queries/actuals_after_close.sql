-- title: Actuals after the books' close
-- answers: Which months have actuals loaded after the last month whose books are closed, so that no figure counts them yet?
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- param: books_closed_through DATE = NULL | Last month whose books are closed; blank: every loaded actual counts
-- source: TBM Council / Apptio IT financial management: actuals to date and budget to date cover the closed months (the month-end close); a check of the close, not a figure of its own
-- _spend_booked leaves these actuals out of every spend analysis until books_closed_through reaches
-- their month; this lists them per month (their lines, their sum and how many units booked them), so
-- the pages can say what is loaded but not counted. Empty when the setting is blank. The chosen
-- months do not apply: the close is a fact about the books, like budget to date's closed months.
SELECT strftime(period, '%Y-%m') AS month,
       strftime(date_trunc('month', $books_closed_through::DATE), '%Y-%m') AS closed_through,
       sum(actual_lines)::BIGINT AS lines,
       sum(coalesce(actual, 0)) AS actual,
       count(DISTINCT business_unit) AS business_units
FROM spend_summary  -- the loaded lines, not _spend_booked: these are the actuals it leaves out
WHERE period > date_trunc('month', $books_closed_through::DATE)
  AND actual_lines > 0
  AND business_unit = coalesce($business_unit, business_unit)
GROUP BY period
ORDER BY period
