-- title: Spend lines as booked: actuals up to the books' close
-- answers: The spend lines, with the actuals of months after the last closed month (books_closed_through) left out.
-- param: books_closed_through DATE = NULL | Last month whose books are closed; blank: every loaded actual counts
-- The row path's reading of queries/_spend_booked.sql: the same rule on the lines themselves.
SELECT * REPLACE (CASE WHEN period > date_trunc('month', $books_closed_through::DATE) THEN NULL ELSE actual END AS actual)
FROM spend
