-- title: Portfolio summary
-- answers: How is the portfolio doing overall: on time, on budget (both by the health bands), cost variance at completion, earned value of open projects, benefits realised, return, and health mix?
-- include: portfolio_health
-- source: US federal IT Dashboard (itdashboard.gov, CIO evaluation of investments): cost and schedule variance under 10% of plan green, 10% to under 30% yellow, 30% or more red; overruns and underruns alike
-- source: PMI, Practice Standard for Earned Value Management (2nd ed., 2011) and PMBOK Guide: portfolio CPI = sum EV / sum AC, SPI = sum EV / sum PV
-- shared: yes
-- on_time_rate / on_budget_rate: share of projects with a schedule / cost health whose health is green, the
-- same bands as the health mix (|variance| under health_amber_pct, over or under plan; open projects on
-- their forecast finish or the as-of date, and their estimate at completion). The product's former stricter
-- bands (5% / 15%) are an organisation's choice: set health_amber_pct = 5 and health_red_pct = 15.
-- cost_variance_pct = sum(eac - budget) / sum(budget) over projects with both: positive = over budget
-- (PMI's CV = EV - AC has the opposite sign). Earned value (pv, ev, ac, cpi, spi) sums the open projects
-- with percent complete, planned dates, budget and cost to date.
SELECT count(*) AS projects,
       count(*) FILTER (WHERE is_open) AS open_projects,
       round(avg(CASE WHEN on_time THEN 1.0 WHEN NOT on_time THEN 0.0 END), 4) AS on_time_rate,
       round(avg(CASE WHEN on_budget THEN 1.0 WHEN NOT on_budget THEN 0.0 END), 4) AS on_budget_rate,
       round(avg(slip_days), 1) AS avg_slip_days,
       round(sum(budget), 2) AS total_budget,
       round(sum(actual_cost), 2) AS total_actual_cost,
       round(sum(eac) FILTER (WHERE budget IS NOT NULL), 2) AS total_eac,
       -- Only projects with both a budget and an estimate at completion count towards the variance.
       round(sum(cost_variance) / nullif(sum(budget) FILTER (WHERE cost_variance IS NOT NULL), 0), 4)
           AS cost_variance_pct,
       count(*) FILTER (WHERE in_ev) AS ev_projects,
       round(sum(pv) FILTER (WHERE in_ev), 2) AS pv,
       round(sum(ev) FILTER (WHERE in_ev), 2) AS ev,
       round(sum(actual_cost) FILTER (WHERE in_ev), 2) AS ac,
       round(sum(ev) FILTER (WHERE in_ev) / nullif(sum(actual_cost) FILTER (WHERE in_ev), 0), 4) AS cpi,
       round(sum(ev) FILTER (WHERE in_ev) / nullif(sum(pv) FILTER (WHERE in_ev), 0), 4) AS spi,
       round(sum(expected_benefit), 2) AS expected_benefit,
       round(sum(realized_benefit), 2) AS realized_benefit,
       round(sum(realized_benefit) / nullif(sum(expected_benefit), 0), 4) AS benefit_realization,
       round((sum(realized_benefit) - sum(actual_cost)) / nullif(sum(actual_cost), 0), 4) AS roi,
       count(*) FILTER (WHERE overall_health = 'Red') AS red,
       count(*) FILTER (WHERE overall_health = 'Amber') AS amber,
       count(*) FILTER (WHERE overall_health = 'Green') AS green,
       coalesce($as_of, current_date) AS as_of,
       $health_amber_pct AS health_amber_pct,
       $health_red_pct AS health_red_pct
FROM (SELECT *, is_open AND pv IS NOT NULL AND ev IS NOT NULL AND actual_cost IS NOT NULL AS in_ev
      FROM portfolio_health)
