-- title: Spend as booked: actuals up to the books' close
-- answers: The spend lines summed per month and more, with the actuals of months after the last closed month (the books_closed_through setting) left out until the books close them.
-- param: books_closed_through DATE = NULL | Last month whose books are closed; blank: every loaded actual counts
-- source: TBM Council / Apptio IT financial management: actuals to date and budget to date cover the closed months (the month-end close)
-- Reads spend_summary (alignment.aggregates: the lines summed per batch when stored, mapping rules
-- applied). A month after the close keeps its budget and forecast; its actuals are preliminary until
-- the close, so they count as not booked yet (actual NULL, actual_lines 0): the month stays open for
-- every unit, budget to date leaves its budget out, and the year end takes its forecast. Nothing is
-- dropped from the store: moving the setting on counts them. Every spend analysis reads this, never
-- spend_summary, so each of them counts the same actuals.
SELECT * REPLACE (
    CASE WHEN period > date_trunc('month', $books_closed_through::DATE) THEN NULL ELSE actual END AS actual,
    CASE WHEN period > date_trunc('month', $books_closed_through::DATE) THEN 0 ELSE actual_lines END AS actual_lines)
FROM spend_summary
