-- title: Earned value
-- answers: For each project with percent complete: planned value, earned value and cost to date, the cost and schedule variances and indices, the estimate at completion both ways, and the efficiency the rest of the work needs to finish on budget.
-- include: portfolio_health
-- source: PMI, Practice Standard for Earned Value Management (2nd ed., 2011) and PMBOK Guide: PV, EV, AC, CV = EV - AC, SV = EV - PV, CPI = EV / AC, SPI = EV / PV, EAC = BAC / CPI, EAC = AC + (BAC - EV), TCPI = (BAC - EV) / (BAC - AC)
-- Signs are PMI's: cv and sv positive = under budget / ahead of plan, cpi and spi above 1 = better than plan.
-- (The portfolio's cost_variance_pct has the other sign: positive = over budget.)
-- bac = budget; ev = bac x percent complete; pv = bac x share of the planned dates elapsed on the as-of date
-- (the budget spread evenly: no time-phased baseline is loaded); ac = cost to date.
-- tcpi is left blank once cost to date reaches the budget (no efficiency finishes within it) and for a
-- finished project (no work remains to be done at any efficiency).
-- eac is the estimate the health rollup uses and eac_basis says which (final cost once finished).
SELECT project_id, name, business_unit, status, is_open, percent_complete,
       budget AS bac, pv, ev, actual_cost AS ac, cv, sv, cpi, spi,
       eac_cpi, eac_ac_plus_remaining, tcpi,
       eac, eac_basis, cost_health, schedule_health, overall_health, as_of
FROM portfolio_health
WHERE percent_complete IS NOT NULL
ORDER BY is_open DESC, project_id
