-- title: Vendor concentration
-- answers: Which vendors take the most external IT spend, and how concentrated is it among them?
-- Lines with no vendor (internal labour and the like) are left out: they are not bought from anyone.
-- include: _spend_detail_scope
-- source: US DOJ/FTC Horizontal Merger Guidelines (2010): Herfindahl-Hirschman index, above 2,500 highly and 1,500-2,500 moderately concentrated
WITH v AS (
    SELECT value AS vendor, sum(actual) AS actual
    FROM _spend_detail_scope
    WHERE dimension = 'vendor' AND actual_lines > 0 AND value IS NOT NULL
    GROUP BY ALL
),
shares AS (
    SELECT vendor, actual, actual / nullif(sum(actual) OVER (), 0) AS share
    FROM v
)
SELECT row_number() OVER (ORDER BY actual DESC, vendor) AS rank,
       vendor,
       round(actual, 2) AS actual,
       round(share, 4) AS share_of_spend,
       round(sum(share) OVER (ORDER BY actual DESC, vendor ROWS UNBOUNDED PRECEDING), 4) AS cumulative_share,
       -- Herfindahl-Hirschman index on a 0-10,000 scale: above 2,500 is highly concentrated.
       round(sum(share * share) OVER () * 10000, 1) AS hhi
FROM shares
ORDER BY rank
