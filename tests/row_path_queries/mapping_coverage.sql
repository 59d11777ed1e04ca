-- title: Mapping coverage
-- answers: How much of IT spend do the lines and the mapping rules tie to a business goal, and which cost centres, accounts and vendors carry the spend that serves none?
-- include: _spend_scope
-- param: top INTEGER = 10 | How many unmapped cost centres, accounts and vendors to list each
-- source: TBM Council, TBM Taxonomy 4.0: GL cost is mapped through cost pools and towers to the business units and capabilities it serves, and what is not mapped is shown, not spread
-- Actual spend, after the mapping rules (the spend view applies them). The first row, dimension
-- 'All spend', has the totals: actual, unmapped, mapped_share (of actual spend, the share mapped to a
-- goal). Then, per dimension (Cost centre, Account, Vendor), the values carrying the most unmapped
-- actual spend, largest first: unmapped, share_of_unmapped, their actual spend mapped or not, and
-- lines (unmapped lines). A blank value reads '(blank)'.
WITH lines AS (
    SELECT coalesce(actual, 0) AS actual, business_goal IS NULL AS is_unmapped, cost_center, account, vendor
    FROM _spend_scope
),
total AS (
    SELECT sum(actual) AS actual,
           coalesce(sum(actual) FILTER (WHERE is_unmapped), 0) AS unmapped,
           count(*) FILTER (WHERE is_unmapped) AS lines
    FROM lines
),
by_value AS (
    SELECT 1 AS dimension_order, 'Cost centre' AS dimension, cost_center AS value, actual, is_unmapped FROM lines
    UNION ALL
    SELECT 2, 'Account', account, actual, is_unmapped FROM lines
    UNION ALL
    SELECT 3, 'Vendor', vendor, actual, is_unmapped FROM lines
),
unmapped_values AS (
    SELECT dimension_order, dimension, coalesce(value, '(blank)') AS value,
           sum(actual) AS actual,
           sum(actual) FILTER (WHERE is_unmapped) AS unmapped,
           count(*) FILTER (WHERE is_unmapped) AS lines
    FROM by_value
    GROUP BY dimension_order, dimension, coalesce(value, '(blank)')
    HAVING count(*) FILTER (WHERE is_unmapped) > 0
    QUALIFY row_number() OVER (PARTITION BY dimension ORDER BY sum(actual) FILTER (WHERE is_unmapped) DESC, coalesce(value, '(blank)')) <= $top
)
SELECT 'All spend' AS dimension, NULL AS value,
       round(actual, 2) AS actual, round(unmapped, 2) AS unmapped,
       round(1 - unmapped / nullif(actual, 0), 4) AS mapped_share,
       CASE WHEN unmapped <> 0 THEN 1.0 END AS share_of_unmapped, lines
FROM total
UNION ALL
SELECT * EXCLUDE (dimension_order) FROM (
    SELECT u.dimension_order, u.dimension, u.value, round(u.actual, 2), round(u.unmapped, 2), NULL,
           round(u.unmapped / nullif(t.unmapped, 0), 4), u.lines
    FROM unmapped_values u, total t
    ORDER BY u.dimension_order, u.unmapped DESC, u.value
)
