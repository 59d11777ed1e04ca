-- title: Vendor concentration
-- answers: Which vendors take the most external IT spend, and how concentrated is it among them?
-- Lines with no vendor (internal labour and the like) are left out: they are not bought from anyone.
-- include: _spend_scope
-- param: hhi_moderate DOUBLE = 1000 | Moderately concentrated above this index (0-10,000)
-- param: hhi_high DOUBLE = 1800 | Highly concentrated above this index (0-10,000)
-- source: US DOJ/FTC Merger Guidelines (2023), section 2.1: Herfindahl-Hirschman index = sum of squared shares (0-10,000), above 1,800 highly concentrated
-- source: US DOJ/FTC Horizontal Merger Guidelines (1992), section 1.51: 1,000-1,800 moderately concentrated, below 1,000 unconcentrated
-- The bands are organisation settings (hhi_moderate, hhi_high): the 2010 guidelines' 1,500 / 2,500 are one choice.
WITH v AS (
    SELECT vendor, sum(coalesce(actual, 0)) AS actual
    FROM _spend_scope
    WHERE actual IS NOT NULL AND vendor IS NOT NULL
    GROUP BY ALL
),
shares AS (
    SELECT vendor, actual, actual / nullif(sum(actual) OVER (), 0) AS share
    FROM v
),
indexed AS (
    -- Herfindahl-Hirschman index on a 0-10,000 scale, one for all the vendors.
    SELECT *, round(sum(share * share) OVER () * 10000, 1) AS hhi
    FROM shares
)
SELECT row_number() OVER (ORDER BY actual DESC, vendor) AS rank,
       vendor,
       round(actual, 2) AS actual,
       round(share, 4) AS share_of_spend,
       round(sum(share) OVER (ORDER BY actual DESC, vendor ROWS UNBOUNDED PRECEDING), 4) AS cumulative_share,
       hhi,
       CASE WHEN hhi > $hhi_high THEN 'highly concentrated'
            WHEN hhi > $hhi_moderate THEN 'moderately concentrated'
            WHEN hhi IS NOT NULL THEN 'not concentrated' END AS concentration
FROM indexed
ORDER BY rank
