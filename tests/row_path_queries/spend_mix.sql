-- title: Run / grow / transform mix
-- answers: How does IT spend split between running, growing and transforming the business each month, and between capex and opex?
-- param: mix VARCHAR = rgt IN (rgt, capex_opex) | rgt (run/grow/transform) or capex_opex
-- include: _spend_scope
-- source: Gartner, Run-Grow-Transform model of IT spend; capex/opex as booked in the ledger
-- share_of_month = the category's actual ÷ all actual of that month in scope (months with actuals only).
SELECT period,
       CASE $mix WHEN 'rgt' THEN coalesce(rgt, 'Unclassified')
                 WHEN 'capex_opex' THEN coalesce(capex_opex, 'Unclassified') END AS category,
       round(sum(coalesce(actual, 0)), 2) AS actual,
       round(sum(coalesce(actual, 0)) / nullif(sum(sum(coalesce(actual, 0))) OVER (PARTITION BY period), 0), 4)
           AS share_of_month
FROM _spend_scope
WHERE $mix IN ('rgt', 'capex_opex') AND actual IS NOT NULL
GROUP BY 1, 2
ORDER BY period, category
