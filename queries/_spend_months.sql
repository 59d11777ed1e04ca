-- title: Spend months: closed, forecast, fiscal year
-- answers: For every month with spend lines: is it in the chosen months, is it closed (has actuals), is it in the fiscal year being projected, and how far are that year's books closed?
-- param: period_from DATE = NULL | First month (inclusive); blank for all
-- param: period_to DATE = NULL | Last month (inclusive); blank for all
-- param: fiscal_year_start_month INTEGER = 1 | Fiscal year starts in month: 1 = January ... 12 = December
-- include: _spend_booked
-- source: TBM Council / Apptio IT financial management: budget to date = the budget of the closed months
-- shared: yes
-- Every business unit on purpose: which months are closed, which fiscal year is projected and which
-- months the plan covers are facts about the books, so they never move with the unit filter.
-- closed: a chosen month with actuals (the budget "to date" is the budget of the closed months).
-- The projection year (in_year) is the fiscal year of the last closed month (with none, of the last
-- chosen month with any line); a fiscal year is named for the calendar year it ends in (FY2026 runs
-- Oct 2025 - Sep 2026 when it starts in October). A month with no spend line at all is outside the
-- plan: it is not a row here and is never projected. See _spend_year_end for what each month counts as.
-- The chosen months only pick that year: its projection uses every actual of the year, chosen or not
-- (year_closed: a month of the year with actuals; year_last_actual_month: the last of them), so
-- choosing March, or December, does not project the year as if the other closed months had no actuals.
WITH company AS (
    SELECT period,
           sum(actual_lines) > 0 AS has_actual,
           sum(forecast_lines) > 0 AS has_forecast,
           sum(budget_lines) > 0 AS has_budget,
           period >= coalesce(date_trunc('month', $period_from::DATE), DATE '1900-01-01')
               AND period <= coalesce($period_to, DATE '2999-12-31') AS in_period,
           make_date(year(period) - CASE WHEN month(period) < $fiscal_year_start_month THEN 1 ELSE 0 END,
                     $fiscal_year_start_month, 1) AS fy_start
    FROM _spend_booked  -- the lines summed per month and more, actuals up to the books' close
    GROUP BY period
),
anchor AS (
    SELECT max(period) FILTER (WHERE in_period AND has_actual) AS last_actual_month,
           arg_max(fy_start, period) FILTER (WHERE in_period AND has_actual) AS closed_fy_start,
           arg_max(fy_start, period) FILTER (WHERE in_period) AS chosen_fy_start
    FROM company
),
months AS (
    SELECT c.*, a.last_actual_month,
           c.fy_start IS NOT DISTINCT FROM coalesce(a.closed_fy_start, a.chosen_fy_start) AS in_year
    FROM company c, anchor a
)
SELECT period,
       in_period,
       in_period AND has_actual AS closed,
       has_budget,
       has_forecast,
       last_actual_month,
       year(fy_start + INTERVAL 11 MONTH) AS fiscal_year,
       fy_start AS fiscal_year_start,
       in_year,
       in_year AND has_actual AS year_closed,
       max(period) FILTER (WHERE in_year AND has_actual) OVER () AS year_last_actual_month
FROM months
