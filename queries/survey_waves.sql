-- title: Survey waves
-- answers: Which survey waves there are, when, how many people answered on each side, and which one the dashboards open on.
-- param: min_respondents INTEGER = 1 | A wave needs this many respondents on each side to be the default
-- param: proposed_wave VARCHAR = NULL | A wave name not loaded yet, placed among the others with no respondents (the live survey checks where a new session's wave would sort)
-- source: Luftman, Strategic Alignment Maturity (both sides' views are needed for a score)
-- Waves are ordered by the date in their name (2026-03, 2026-11-23 workshop, 2025 H2, Q3 2025,
-- March 2026, 2025), then by name: "Workshop 2026-11" is newer than "2026-06 pulse" though it sorts
-- first by name. A wave whose name holds no date comes before every dated one (names like Wave 1,
-- Wave 2 still order among themselves). The default is the latest wave with enough people on both
-- sides, so a small live session does not replace the organisation's score; with none, the latest.
WITH counted AS (
    SELECT coalesce(wave, '') AS wave, lower(coalesce(wave, '')) AS name,
           count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'IT') AS it_respondents,
           count(DISTINCT respondent_id) FILTER (WHERE respondent_group = 'Business') AS business_respondents
    FROM survey
    GROUP BY ALL
    UNION ALL
    SELECT $proposed_wave, lower($proposed_wave), 0, 0
    WHERE $proposed_wave IS NOT NULL AND $proposed_wave NOT IN (SELECT coalesce(wave, '') FROM survey)
),
parts AS (
    SELECT *,
           regexp_extract(name, '(\d{4})-(\d{1,2})-(\d{1,2})', ['y', 'm', 'd']) AS ymd,
           regexp_extract(name, '(\d{4})[-/](\d{1,2})', ['y', 'm']) AS ym,
           regexp_extract(name, '(\d{4})\s*-?\s*h([12])', ['y', 'h']) AS yh,
           regexp_extract(name, 'h([12])\s*-?\s*(\d{4})', ['h', 'y']) AS hy,
           regexp_extract(name, '(\d{4})\s*-?\s*q([1-4])', ['y', 'q']) AS yq,
           regexp_extract(name, 'q([1-4])\s*-?\s*(\d{4})', ['q', 'y']) AS qy,
           regexp_extract(name, '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})',
                          ['mon', 'y']) AS my,
           regexp_extract(name, '(^|\D)((19|20)\d{2})(\D|$)', 2) AS y
    FROM counted
),
dated AS (
    SELECT wave, it_respondents, business_respondents, CASE
        WHEN ymd.y <> '' AND try_cast(ymd.m AS INT) BETWEEN 1 AND 12 AND try_cast(ymd.d AS INT) BETWEEN 1 AND 31
            THEN try_cast(format('{}-{:02d}-{:02d}', ymd.y, try_cast(ymd.m AS INT), try_cast(ymd.d AS INT)) AS DATE)
        WHEN ym.y <> '' AND try_cast(ym.m AS INT) BETWEEN 1 AND 12 THEN make_date(try_cast(ym.y AS INT), try_cast(ym.m AS INT), 1)
        WHEN yh.y <> '' THEN make_date(try_cast(yh.y AS INT), 6 * try_cast(yh.h AS INT) - 5, 1)
        WHEN hy.y <> '' THEN make_date(try_cast(hy.y AS INT), 6 * try_cast(hy.h AS INT) - 5, 1)
        WHEN yq.y <> '' THEN make_date(try_cast(yq.y AS INT), 3 * try_cast(yq.q AS INT) - 2, 1)
        WHEN qy.y <> '' THEN make_date(try_cast(qy.y AS INT), 3 * try_cast(qy.q AS INT) - 2, 1)
        WHEN my.y <> '' THEN make_date(try_cast(my.y AS INT), (instr('janfebmaraprmayjunjulaugsepoctnovdec', my.mon) + 2) // 3, 1)
        WHEN y <> '' THEN make_date(try_cast(y AS INT), 1, 1)
    END AS wave_date
    FROM parts
),
ordered AS (
    SELECT *, row_number() OVER (ORDER BY wave_date ASC NULLS FIRST, wave) AS wave_order FROM dated
),
chosen AS (
    SELECT coalesce(
        (SELECT arg_max(wave, wave_order) FROM ordered
         WHERE it_respondents >= $min_respondents AND business_respondents >= $min_respondents),
        (SELECT arg_max(wave, wave_order) FROM ordered)) AS wave
)
SELECT o.wave, o.wave_date, o.it_respondents, o.business_respondents, o.wave = c.wave AS is_default, o.wave_order
FROM ordered o CROSS JOIN chosen c
ORDER BY o.wave_order DESC
