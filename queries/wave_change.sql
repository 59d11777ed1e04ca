-- title: Change between survey waves
-- answers: How has each dimension's score moved since the previous survey wave?
-- param: business_unit VARCHAR = NULL | Only this business unit; blank for all
-- include: _luftman
-- Waves are ordered by name, so name them sortably (2025-03, 2025-09 or Wave 1, Wave 2).
WITH scores AS (
    SELECT wave, dimension, avg(score) AS mean_score
    FROM survey
    WHERE dimension IS NOT NULL AND wave IS NOT NULL
      AND coalesce(business_unit, '') = coalesce($business_unit, business_unit, '')
    GROUP BY ALL
),
ranked AS (
    SELECT *, dense_rank() OVER (ORDER BY wave DESC) AS recency FROM scores
)
SELECT c.dimension,
       p.wave AS previous_wave, round(p.mean_score, 2) AS previous_score,
       c.wave AS latest_wave, round(c.mean_score, 2) AS latest_score,
       round(c.mean_score - p.mean_score, 2) AS change
FROM ranked c
LEFT JOIN ranked p ON p.dimension = c.dimension AND p.recency = 2
LEFT JOIN _luftman l ON l.dimension = c.dimension
WHERE c.recency = 1
ORDER BY coalesce(l.dimension_order, 99), c.dimension
