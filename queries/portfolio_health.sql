-- title: Project health
-- answers: For each project: cost variance against its estimate at completion, schedule slip to its finish (actual, forecast, or the as-of date when overdue), earned value, benefits, ROI, and health rolled up as red if any of reported, cost or schedule health is red.
-- param: business_unit VARCHAR = NULL | Only projects sponsored by this business unit; blank for all
-- param: as_of DATE = NULL | The day open projects are measured on (planned value, overdue slip); blank for today
-- param: health_amber_pct DOUBLE = 10 | Amber from a cost or schedule variance of this % of plan, over or under
-- param: health_red_pct DOUBLE = 30 | Red from a variance of this % of plan, over or under
-- source: PMI, Practice Standard for Earned Value Management (2nd ed., 2011) and PMBOK Guide: PV, EV, AC, CPI, SPI, EAC = BAC / CPI, EAC = AC + (BAC - EV), TCPI = (BAC - EV) / (BAC - AC)
-- source: US federal IT Dashboard (itdashboard.gov, CIO evaluation of investments): cost and schedule variance under 10% of plan green, 10% to under 30% yellow, 30% or more red; overruns and underruns alike
--
-- Open or finished: finished when percent_complete is 100% or the status says so (closed, complete(d),
-- done, finished, delivered, cancelled); open when a status or percent complete says otherwise; with
-- neither, finished when actual_end (the actual or forecast finish) is on or before the as-of date.
-- Cost (sign: positive = over budget, one way on every figure):
--   cost_variance = eac - budget, cost_variance_pct = (eac - budget) / budget.
--   eac (estimate at completion) is the final cost of a finished project; for an open project with percent
--   complete, BAC / CPI (PMI: current cost performance continues), or AC + (BAC - EV) where CPI is undefined
--   or zero (no cost yet, nothing earned yet); for an open project without percent complete, its cost to
--   date only when that is already over budget (a floor), else unknown. eac_basis says which.
--   A zero budget with a positive eac is red (an infinite overrun), never silently left out.
-- Schedule (sign: positive = late): slip_days = finish_date - planned_end, slip_pct = slip_days / planned days.
--   finish_date is actual_end of a finished project; of an open one its forecast (actual_end), else its
--   planned end, but never before the as-of date: an open project past its planned end is at least as late
--   as the as-of date. finish_basis says which. A zero-day plan that slips at all is red.
--   Open projects with percent complete are also measured by earned value: ev_schedule_variance_pct =
--   (PV - EV) / PV, positive = behind (PMI's SV = EV - PV has the opposite sign). Schedule health is the
--   worse of the date slip and that.
-- PMI's own CV = EV - AC and SV = EV - PV (positive = under budget / ahead) are in the earned_value analysis.
-- PV spreads the budget evenly over the planned dates (no time-phased baseline is loaded).
-- as_of blank means today, as for every as-of figure in the product, not "the data's latest date": a project
-- register has no snapshot date and its dates are plans and forecasts, many in the future, so its latest date
-- would call overdue work on time. To read a register loaded long ago as it stood, set the as_of setting.
-- Bands: |variance| under health_amber_pct green, under health_red_pct amber, else red (organisation
-- settings; default the federal 10% / 30%). The product's former stricter bands (5% / 15%, overruns only)
-- are an organisation's choice: set health_amber_pct = 5 and health_red_pct = 15; underruns count either way.
-- on_budget / on_time use the same bands: cost / schedule health is green. over_budget / late: outside the
-- green band on the over / late side.
WITH p AS (
    SELECT *,
           coalesce($as_of, current_date) AS as_of_day,
           $health_amber_pct AS amber_pct,
           $health_red_pct AS red_pct,
           CASE WHEN percent_complete >= 1
                  OR lower(trim(status)) IN ('closed', 'complete', 'completed', 'done', 'finished', 'delivered',
                                             'cancelled', 'canceled') THEN false
                WHEN status IS NOT NULL OR percent_complete IS NOT NULL THEN true
                ELSE NOT coalesce(actual_end <= coalesce($as_of, current_date), false) END AS is_open,
           date_diff('day', planned_start, planned_end) AS planned_days
    FROM projects
    WHERE coalesce(business_unit, '') = coalesce($business_unit, business_unit, '')
),
ev AS (
    SELECT *,
           budget * CASE WHEN planned_start IS NULL OR planned_end IS NULL THEN NULL
                         WHEN as_of_day >= planned_end THEN 1.0
                         WHEN as_of_day <= planned_start THEN 0.0
                         ELSE date_diff('day', planned_start, as_of_day) / planned_days END AS pv,
           budget * percent_complete AS ev
    FROM p
),
indices AS (
    SELECT *,
           ev / nullif(actual_cost, 0) AS cpi,
           ev / nullif(pv, 0) AS spi
    FROM ev
),
estimates AS (
    SELECT *,
           budget / nullif(cpi, 0) AS eac_cpi,
           actual_cost + (budget - ev) AS eac_ac_plus_remaining,
           CASE WHEN is_open AND actual_cost < budget THEN (budget - ev) / (budget - actual_cost) END AS tcpi,
           CASE WHEN is_open AND pv > 0 THEN (pv - ev) / pv END AS ev_schedule_variance_pct,
           CASE WHEN NOT is_open THEN actual_end
                WHEN coalesce(actual_end, planned_end) IS NOT NULL
                    THEN greatest(coalesce(actual_end, planned_end), as_of_day) END AS finish_date
    FROM indices
),
measured AS (
    SELECT *,
           CASE WHEN NOT is_open THEN actual_cost
                WHEN ev IS NOT NULL THEN coalesce(eac_cpi, eac_ac_plus_remaining)
                WHEN actual_cost > budget THEN actual_cost END AS eac,
           CASE WHEN NOT is_open THEN CASE WHEN actual_cost IS NOT NULL THEN 'final cost' END
                WHEN ev IS NOT NULL AND eac_cpi IS NOT NULL THEN 'BAC / CPI'
                WHEN ev IS NOT NULL AND eac_ac_plus_remaining IS NOT NULL THEN 'AC + (BAC - EV)'
                WHEN actual_cost > budget THEN 'cost to date, already over budget'
                WHEN budget IS NOT NULL THEN 'unknown: open, needs percent complete and cost to date' END AS eac_basis,
           CASE WHEN NOT is_open THEN CASE WHEN actual_end IS NOT NULL THEN 'actual finish' END
                WHEN finish_date IS NULL THEN NULL
                WHEN finish_date = as_of_day AND as_of_day > coalesce(actual_end, planned_end) THEN 'as-of date (overdue)'
                WHEN actual_end IS NOT NULL THEN 'forecast finish'
                ELSE 'planned end (no forecast)' END AS finish_basis,
           date_diff('day', planned_end, finish_date) AS slip_days
    FROM estimates
),
sized AS (
    -- The absolute share of plan each band is read from; a zero base with any variance is infinite.
    SELECT *,
           CASE WHEN eac IS NULL OR budget IS NULL THEN NULL
                WHEN budget = 0 THEN CASE WHEN eac > 0 THEN 'inf'::DOUBLE ELSE 0.0 END
                ELSE abs(eac - budget) / abs(budget) END AS cost_size,
           CASE WHEN slip_days IS NULL OR planned_days < 0 THEN NULL
                WHEN planned_days = 0 THEN CASE WHEN slip_days = 0 THEN 0.0 ELSE 'inf'::DOUBLE END
                ELSE abs(slip_days) / planned_days END AS slip_size,
           abs(ev_schedule_variance_pct) AS ev_size
    FROM measured
),
banded AS (
    SELECT *,
           CASE WHEN cost_size IS NULL OR amber_pct IS NULL OR red_pct IS NULL THEN NULL
                WHEN round(cost_size * 100, 6) >= red_pct THEN 'Red'
                WHEN round(cost_size * 100, 6) >= amber_pct THEN 'Amber' ELSE 'Green' END AS cost_health,
           CASE WHEN greatest(slip_size, ev_size) IS NULL OR amber_pct IS NULL OR red_pct IS NULL THEN NULL
                WHEN round(greatest(slip_size, ev_size) * 100, 6) >= red_pct THEN 'Red'
                WHEN round(greatest(slip_size, ev_size) * 100, 6) >= amber_pct THEN 'Amber'
                ELSE 'Green' END AS schedule_health,
           eac > budget AND round(cost_size * 100, 6) >= amber_pct AS over_budget_flag,
           (slip_days > 0 AND round(slip_size * 100, 6) >= amber_pct)
               OR (ev_schedule_variance_pct > 0 AND round(ev_size * 100, 6) >= amber_pct) AS late_flag
    FROM sized
)
SELECT project_id, name, business_unit, business_goal, status, is_open,
       health AS reported_health, cost_health, schedule_health,
       CASE WHEN 'Red' IN (health, cost_health, schedule_health) THEN 'Red'
            WHEN 'Amber' IN (health, cost_health, schedule_health) THEN 'Amber'
            WHEN coalesce(health, cost_health, schedule_health) IS NULL THEN NULL
            ELSE 'Green' END AS overall_health,
       budget, actual_cost,
       round(eac, 2) AS eac,
       eac_basis,
       round(eac - budget, 2) AS cost_variance,
       round((eac - budget) / nullif(budget, 0), 4) AS cost_variance_pct,
       planned_start, planned_end, actual_end, finish_date, finish_basis,
       slip_days,
       round(slip_days / nullif(planned_days, 0), 4) AS slip_pct,
       round(ev_schedule_variance_pct, 4) AS ev_schedule_variance_pct,
       CASE WHEN schedule_health IS NOT NULL THEN schedule_health = 'Green' END AS on_time,
       CASE WHEN cost_health IS NOT NULL THEN cost_health = 'Green' END AS on_budget,
       CASE WHEN schedule_health IS NOT NULL THEN coalesce(late_flag, false) END AS late,
       CASE WHEN cost_health IS NOT NULL THEN coalesce(over_budget_flag, false) END AS over_budget,
       percent_complete,
       round(pv, 2) AS pv, round(ev, 2) AS ev,
       round(ev - actual_cost, 2) AS cv, round(ev - pv, 2) AS sv,
       round(cpi, 4) AS cpi, round(spi, 4) AS spi,
       round(eac_cpi, 2) AS eac_cpi, round(eac_ac_plus_remaining, 2) AS eac_ac_plus_remaining,
       round(tcpi, 4) AS tcpi,
       expected_benefit, realized_benefit,
       round(realized_benefit / nullif(expected_benefit, 0), 4) AS benefit_realization,
       round((realized_benefit - actual_cost) / nullif(actual_cost, 0), 4) AS roi,
       strategic_alignment, risk,
       as_of_day AS as_of
FROM banded
ORDER BY CASE overall_health WHEN 'Red' THEN 0 WHEN 'Amber' THEN 1 WHEN 'Green' THEN 2 ELSE 3 END, project_id
