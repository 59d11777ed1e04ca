-- title: Mapping coverage
-- answers: How much of IT spend do the lines and the mapping rules tie to a business goal, and which cost centres, accounts and vendors carry the spend that serves none?
-- include: _spend_scope, _spend_detail_scope
-- param: top INTEGER = 10 | How many unmapped cost centres, accounts and vendors to list each
-- source: TBM Council, TBM Taxonomy 4.0: GL cost is mapped through cost pools and towers to the business units and capabilities it serves, and what is not mapped is shown, not spread
-- Actual spend, after the mapping rules (the spend view applies them). The first row, dimension
-- 'All spend', has the totals: actual, unmapped, mapped_share (of actual spend, the share mapped to a
-- goal). Then, per dimension (Cost centre, Account, Vendor), the values carrying the most unmapped
-- actual spend, largest first: unmapped, share_of_unmapped, their actual spend mapped or not, and
-- lines (unmapped lines). A blank value reads '(blank)'.
WITH total AS (  -- the spend summed when stored (alignment.aggregates), so a few thousand rows
    SELECT sum(coalesce(actual, 0)) AS actual,
           coalesce(sum(coalesce(actual, 0)) FILTER (WHERE business_goal IS NULL), 0) AS unmapped,
           coalesce(sum(lines) FILTER (WHERE business_goal IS NULL), 0)::BIGINT AS lines
    FROM _spend_scope
),
unmapped_values AS (
    SELECT CASE dimension WHEN 'cost_center' THEN 1 WHEN 'account' THEN 2 ELSE 3 END AS dimension_order,
           CASE dimension WHEN 'cost_center' THEN 'Cost centre' WHEN 'account' THEN 'Account' ELSE 'Vendor' END
               AS label,
           coalesce(value, '(blank)') AS value,
           sum(coalesce(actual, 0)) AS actual,
           sum(coalesce(actual, 0)) FILTER (WHERE unmapped) AS unmapped,
           sum(lines) FILTER (WHERE unmapped)::BIGINT AS lines
    FROM _spend_detail_scope
    GROUP BY dimension, coalesce(value, '(blank)')
    HAVING sum(lines) FILTER (WHERE unmapped) > 0
    QUALIFY row_number() OVER (PARTITION BY dimension ORDER BY sum(coalesce(actual, 0)) FILTER (WHERE unmapped) DESC,
                               coalesce(value, '(blank)')) <= $top
)
SELECT 'All spend' AS dimension, NULL AS value,
       round(actual, 2) AS actual, round(unmapped, 2) AS unmapped,
       round(1 - unmapped / nullif(actual, 0), 4) AS mapped_share,
       CASE WHEN unmapped <> 0 THEN 1.0 END AS share_of_unmapped, lines
FROM total
UNION ALL
SELECT * EXCLUDE (dimension_order) FROM (
    SELECT u.dimension_order, u.label, u.value, round(u.actual, 2), round(u.unmapped, 2), NULL,
           round(u.unmapped / nullif(t.unmapped, 0), 4), u.lines
    FROM unmapped_values u, total t
    ORDER BY u.dimension_order, u.unmapped DESC, u.value
)
