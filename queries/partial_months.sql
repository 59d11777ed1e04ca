-- title: Months that look partly loaded
-- answers: Which business units' newest month of actuals is far below that month's budget, so that it is probably not closed yet and budget to date reads too low?
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- param: partial_month_pct DOUBLE = 50 | A unit's newest month of actuals under this % of its budget looks partly loaded
-- include: _spend_booked
-- source: TBM Council / Apptio IT financial management: budget to date = the budget of the closed months (_spend_unit_months); a check of the month close, not a figure of its own
-- A month counts as closed for a unit once its actuals are in (_spend_unit_months), so a month's
-- extract loaded before the books close (three units' first November lines) counts November's
-- whole budget against a few days' actuals: the company read 1.8% under budget instead of 2.7% over.
-- This lists each unit whose newest month with actuals has actual spend under partial_month_pct of
-- that unit's budget for the month (a setting: 50 by default), so the pages can say so. Months
-- before a unit's newest are not listed: a later month's actuals show the books went past them.
-- The chosen months do not apply: budget to date and the year end count every closed month.
WITH unit_month AS (
    SELECT business_unit, period,
           sum(coalesce(actual, 0)) AS actual,
           sum(coalesce(budget, 0)) AS budget,
           sum(actual_lines) AS actual_lines
    FROM _spend_booked  -- the lines summed per month, actuals up to the books' close
    WHERE business_unit = coalesce($business_unit, business_unit)
    GROUP BY business_unit, period
),
newest AS (
    SELECT *, max(period) FILTER (WHERE actual_lines > 0) OVER (PARTITION BY business_unit) AS last_actual_month
    FROM unit_month
)
SELECT business_unit, strftime(period, '%Y-%m') AS month, actual, budget,
       round(actual / budget, 4) AS share_of_budget
FROM newest
WHERE period = last_actual_month AND budget > 0 AND actual < budget * $partial_month_pct / 100
ORDER BY period, business_unit
