"""A believable, deterministic demo company, so every page has something true-looking to show.

Northwind Retail Group: five business units plus shared IT, fiscal year 2026 with actuals to
October and forecast for November and December, 34 projects with their stage history, 60
service requests, two survey waves and monthly revenue and headcount.

Its spend is what a real company has: a GL extract whose lines carry cost centres and accounts but
no business goal, and a mapping rules file from IT finance that ties each unit's cost centres
(CC-1* for Retail…) to the goal they serve. About 14% of the lines sit in a unit's IT clearing
cost centre (CC-910…) that no rule maps yet, so they read as spend serving no goal.
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from alignment.schema import LUFTMAN_DIMENSIONS
from alignment.store import Store

YEAR = 2026
LAST_ACTUAL_MONTH = 10
AS_OF = dt.date(2026, 11, 20)
UNITS = {"Retail": (5200, 41.0), "Wholesale": (1300, 18.0), "Logistics": (2100, 12.5),
         "Digital": (450, 9.0), "Finance & HR": (380, 0.0)}
SHARED = "Shared"
GOALS = ["Grow online sales", "Cut supply-chain cost", "Better customer experience",
         "Regulatory compliance", "Faster financial close"]
UNIT_GOALS = {"Retail": GOALS[2], "Wholesale": GOALS[0], "Logistics": GOALS[1], "Digital": GOALS[0],
              "Finance & HR": GOALS[4], SHARED: GOALS[3]}
# tower, cost pool, vendor, monthly budget (thousands), run/grow/transform, capex/opex
LINES = [
    ("Application", "Software", "Microsoft", 42, "Run", "Opex"),
    ("Application", "External labor", "Accenture", 55, "Grow", "Capex"),
    ("Application", "Internal labor", "", 70, "Run", "Opex"),
    ("Compute", "Cloud", "Amazon Web Services", 38, "Run", "Opex"),
    ("Compute", "Hardware", "Dell", 12, "Run", "Capex"),
    ("Storage", "Cloud", "Amazon Web Services", 9, "Run", "Opex"),
    ("Network", "Telecom", "Vodafone", 14, "Run", "Opex"),
    ("End user", "Hardware", "Lenovo", 11, "Run", "Capex"),
    ("Security & compliance", "Software", "CrowdStrike", 8, "Run", "Opex"),
    ("Data", "Software", "Snowflake", 16, "Transform", "Opex"),
    ("Delivery", "Outside services", "Infosys", 22, "Transform", "Capex"),
    ("IT management", "Internal labor", "", 18, "Run", "Opex"),
]
# GL account and name per cost pool, as the ledger has them.
ACCOUNTS = {"Internal labor": ("6010", "IT salaries and benefits"), "External labor": ("6120", "IT contractors"),
            "Software": ("6210", "Software licences and subscriptions"), "Cloud": ("6230", "Cloud services"),
            "Hardware": ("6310", "IT equipment"), "Telecom": ("6410", "Telecommunications"),
            "Outside services": ("6520", "IT outsourced services")}
STAGES = ["Intake", "Business case", "Waiting for approval", "Build", "Test", "Deploy"]
STAGE_DAYS = {"Intake": 5, "Business case": 12, "Waiting for approval": 30, "Build": 24, "Test": 9, "Deploy": 3}
QUESTIONS = {
    "Communications": ["IT understands how the business makes money",
                       "Business and IT share knowledge freely"],
    "Value measurement": ["We measure the business value of IT investments",
                          "IT reports its contribution in business terms"],
    "Governance": ["IT priorities are set jointly with the business",
                   "IT budget decisions follow business strategy"],
    "Partnership": ["IT is treated as a partner, not a supplier",
                    "Business sponsors own IT-enabled change"],
    "Scope & architecture": ["Our architecture lets the business change quickly",
                             "IT standards are applied across units"],
    "Skills": ["IT staff have the business skills they need",
               "People are encouraged to learn and innovate"],
}
# How IT and the business see each dimension (mean score), in wave 1; wave 2 improves a little.
VIEWS = {"Communications": (3.6, 2.5), "Value measurement": (3.1, 2.0), "Governance": (3.3, 2.7),
         "Partnership": (3.4, 2.4), "Scope & architecture": (3.2, 3.0), "Skills": (3.0, 2.8)}


def _month(m: int) -> dt.date:
    return dt.date(YEAR, m, 1)


def spend(rng: random.Random) -> pd.DataFrame:
    rows = []
    units = [*UNITS, SHARED]
    for unit in units:
        scale = 2.6 if unit == SHARED else {"Retail": 1.4, "Wholesale": 0.7, "Logistics": 0.9,
                                            "Digital": 1.1, "Finance & HR": 0.4}[unit]
        for line_no, (tower, pool, vendor, base, rgt, capex) in enumerate(LINES):
            for m in range(1, 13):
                budget = round(base * 1000 * scale * rng.uniform(0.9, 1.1), 2)
                drift = 1.12 if (tower == "Compute" and pool == "Cloud") else 1.0  # cloud overruns
                actual = round(budget * drift * rng.uniform(0.88, 1.15), 2) if m <= LAST_ACTUAL_MONTH else None
                forecast = round(budget * drift * rng.uniform(0.97, 1.08), 2) if m > LAST_ACTUAL_MONTH else None
                mapped = rng.random() > 0.14  # ~14% sits in the unit's clearing cost centre: no goal
                unit_no = units.index(unit) + 1
                rows.append({"period": _month(m), "business_unit": unit, "budget": budget, "actual": actual,
                             "forecast": forecast,
                             "cost_center": f"CC-{unit_no}{line_no:02d}" if mapped else f"CC-9{unit_no}0",
                             "account": ACCOUNTS[pool][0], "account_name": ACCOUNTS[pool][1],
                             "cost_pool": pool, "tower": tower, "rgt": rgt,
                             "capex_opex": capex, "vendor": vendor or None, "project_id": None,
                             "description": f"{tower} – {pool}"})
    return pd.DataFrame(rows)


def mapping_rules() -> pd.DataFrame:
    """IT finance's mapping: each unit's cost centres (CC-<unit number>*) serve that unit's goal;
    the clearing cost centres (CC-9<unit number>0) have no rule yet."""
    units = [*UNITS, SHARED]
    return pd.DataFrame([{"match_column": "cost_center", "match_value": f"CC-{units.index(unit) + 1}*",
                          "sets_column": "business_goal", "sets_value": UNIT_GOALS[unit], "weight": 1.0}
                         for unit in units])


def projects(rng: random.Random) -> pd.DataFrame:
    names = ["Online checkout revamp", "Warehouse robotics pilot", "ERP upgrade", "Loyalty app",
             "Data platform", "Route optimisation", "Store Wi-Fi refresh", "Supplier portal",
             "Close automation", "GDPR data mapping", "Cloud migration wave 1", "Cloud migration wave 2",
             "Customer 360", "Payroll replacement", "Returns automation", "Demand forecasting",
             "Identity & access", "Contact-centre AI", "Price engine", "Fleet telematics",
             "B2B e-commerce", "Mobile POS", "Data quality programme", "Network SD-WAN",
             "Cyber resilience", "Digital receipts", "Inventory visibility", "Workplace upgrade",
             "Treasury system", "Marketing automation", "EDI modernisation", "Store analytics",
             "Budget planning tool", "API gateway"]
    units = list(UNITS)
    rows = []
    for i, name in enumerate(names, start=1):
        unit = units[i % len(units)]
        start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 600))
        length = rng.randrange(90, 300)
        planned_end = start + dt.timedelta(days=length)
        slip = rng.choice([-10, 0, 0, 5, 15, 30, 45, 80])
        actual_end = planned_end + dt.timedelta(days=slip)
        budget = round(rng.uniform(0.2, 2.5) * 1e6, -3)
        actual_cost = round(budget * rng.choice([0.85, 0.95, 1.0, 1.04, 1.12, 1.25, 1.4]), -3)
        actual_start = start + dt.timedelta(days=rng.choice([0, 0, 7]))
        done = actual_end <= AS_OF
        expected = round(budget * rng.uniform(1.1, 3.0), -3)
        realized = round(expected * (rng.uniform(0.4, 1.1) if done else rng.uniform(0, 0.3)), -3)
        health = "Green" if slip <= 5 and actual_cost <= budget * 1.05 else rng.choice(["Amber", "Amber", "Red"])
        rows.append({
            "project_id": f"P-{i:03d}", "name": name, "business_unit": unit, "business_goal": UNIT_GOALS[unit],
            "status": "Closed" if done else "In progress", "health": health, "planned_start": start,
            "planned_end": planned_end, "actual_start": actual_start,
            "actual_end": actual_end, "budget": budget, "actual_cost": actual_cost,
            "expected_benefit": expected, "realized_benefit": realized,
            "strategic_alignment": rng.randint(2, 5), "risk": rng.randint(1, 5),
            # an open project is as far along as its days from start to forecast finish say
            "percent_complete": 1.0 if done else
            round(min(0.95, max(0.05, (AS_OF - actual_start).days / (actual_end - actual_start).days)), 2),
        })
        if not done:  # an open project's cost so far is its share of the final cost, as in a real register
            rows[-1]["actual_cost"] = round(actual_cost * rows[-1]["percent_complete"], -3)
    return pd.DataFrame(rows)


STALLED = {"R-057", "R-058", "R-059", "R-060"}


def stage_history(rng: random.Random, project_frame: pd.DataFrame) -> pd.DataFrame:
    """Each project's stages follow its register line, so the two pages never contradict each
    other: intake, business case and the wait for approval end on the day it started; build, test
    and deploy share its time from start to finish, and an open project sits in the stage its
    percent complete reaches. Service requests have no register line and move on their own."""
    rows: list[dict] = []

    def stay(item_id: str, kind: str, unit: str, stage: str, entered: dt.date, exited: dt.date | None) -> None:
        rows.append({"item_id": item_id, "stage": stage, "entered": entered,
                     "exited": exited if exited is not None and exited <= AS_OF else None,
                     "item_type": kind, "business_unit": unit})

    for p in project_frame.itertuples():
        waits = [max(1, round(rng.expovariate(1 / STAGE_DAYS[stage]))) for stage in STAGES[:3]]
        if rng.random() < 0.12:
            waits[2] *= 5  # a steering board that did not decide
        day = p.actual_start - dt.timedelta(days=sum(waits))
        for stage, days in zip(STAGES[:3], waits, strict=True):
            stay(p.project_id, "Project", p.business_unit, stage, day, day + dt.timedelta(days=days))
            day += dt.timedelta(days=days)
        build = rng.uniform(0.6, 0.75)
        reached = [0.0, build, build + rng.uniform(0.15, 0.25), 1.0]  # share of the work done on entering
        done = p.status == "Closed"
        # An open project has done percent_complete of its work by AS_OF, at an even pace.
        span, part = ((p.actual_end - p.actual_start).days, 1.0) if done else \
            ((AS_OF - p.actual_start).days, p.percent_complete)
        at = [p.actual_start + dt.timedelta(days=round(span * share / part)) for share in reached]
        for i, stage in enumerate(STAGES[3:]):
            left = done or reached[i + 1] <= p.percent_complete
            stay(p.project_id, "Project", p.business_unit, stage, at[i], at[i + 1] if left else None)
            if not left:
                break

    units = list(UNITS)
    for n in range(1, 61):
        item_id = f"R-{n:03d}"
        day = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(0, 310))
        if item_id in STALLED:
            day = dt.date(2026, 6, 1) + dt.timedelta(days=7 * (n - 56))
        for stage in STAGES:
            if day > AS_OF:
                break
            days = max(1, round(rng.expovariate(1 / STAGE_DAYS[stage]) * 0.5))
            if stage == "Waiting for approval" and (rng.random() < 0.12 or item_id in STALLED):
                days *= 5 if item_id not in STALLED else 60  # some requests stall waiting for a decision
            exit_day = day + dt.timedelta(days=days)
            stay(item_id, "Request", units[n % len(units)], stage, day, exit_day)
            if exit_day > AS_OF:
                break
            day = exit_day
    return pd.DataFrame(rows)


# What a few people wrote, by (wave, respondent number, dimension): the voice behind the gap.
COMMENTS = {
    ("2026 H1", 3, "Communications"): "We announce changes in the IT newsletter; I doubt many read it.",
    ("2026 H1", 12, "Communications"): "We hear about IT changes after they happen.",
    ("2026 H1", 15, "Value measurement"): "Nobody can tell me what the new ERP saved us.",
    ("2026 H1", 18, "Partnership"): "IT joins our planning only when the budget is already set.",
    ("2026 H1", 7, "Governance"): "Too many priorities are 'urgent'; the steering board rarely says no.",
    ("2026 H1", 21, "Skills"): "My team would use the data tools more with some training.",
}


def survey(rng: random.Random) -> pd.DataFrame:
    rows = []
    units = list(UNITS)
    for wave, lift in (("2025 H2", 0.0), ("2026 H1", 0.3)):
        for r in range(1, 25):
            group = "IT" if r <= 10 else "Business"
            for dimension in LUFTMAN_DIMENSIONS:
                it, business = VIEWS[dimension]
                mean = (it if group == "IT" else business) + lift
                for n, question in enumerate(QUESTIONS[dimension]):
                    score = min(5, max(1, round(rng.gauss(mean, 0.8))))
                    importance = min(5, max(1, round(rng.gauss(4.2 if dimension in ("Value measurement",
                                                                                   "Partnership") else 3.2, 0.7))))
                    rows.append({"respondent_id": f"{wave[:4]}-{r:02d}", "question": question, "score": score,
                                 "wave": wave, "respondent_group": group,
                                 "business_unit": "IT" if group == "IT" else units[r % len(units)],
                                 "role": "IT staff" if group == "IT" else "Manager", "dimension": dimension,
                                 "importance": importance,
                                 "comment": COMMENTS.get((wave, r, dimension)) if n == 0 else None})
    return pd.DataFrame(rows + nps_answers(units))


NPS_QUESTION = "How likely are you to recommend IT's services to a colleague? (0-10)"


def nps_answers(units: list[str]) -> list[dict]:
    """Each respondent's 0-10 likelihood to recommend IT (Bain's Net Promoter question). A random
    generator of its own, so the other demo figures stay exactly as they were."""
    rng = random.Random(2003)
    rows = []
    for wave, lift in (("2025 H2", 0.0), ("2026 H1", 0.6)):
        for r in range(1, 25):
            group = "IT" if r <= 10 else "Business"
            score = min(10, max(0, round(rng.gauss((8.0 if group == "IT" else 6.4) + lift, 1.8))))
            rows.append({"respondent_id": f"{wave[:4]}-{r:02d}", "question": NPS_QUESTION, "score": score,
                         "wave": wave, "respondent_group": group,
                         "business_unit": "IT" if group == "IT" else units[r % len(units)],
                         "role": "IT staff" if group == "IT" else "Manager", "dimension": "NPS"})
    return rows


def business_metrics(rng: random.Random) -> pd.DataFrame:
    rows = []
    for unit, (headcount, revenue_m) in UNITS.items():
        for m in range(1, LAST_ACTUAL_MONTH + 1):
            rows.append({"period": _month(m), "business_unit": unit,
                         "revenue": round(revenue_m * 1e6 * rng.uniform(0.92, 1.08), -3),
                         "headcount": headcount + rng.randint(-20, 20)})
    return pd.DataFrame(rows)


def build_frames(seed: int = 7) -> dict[str, pd.DataFrame]:
    def own(name: str) -> random.Random:
        """Each dataset draws from a generator of its own, so changing one moves no other's figures."""
        return random.Random(f"{seed}-{name}")

    project_frame = projects(own("projects"))
    return {"spend": spend(own("spend")), "projects": project_frame,
            "stage_history": stage_history(own("stage_history"), project_frame),
            "survey": survey(own("survey")), "business_metrics": business_metrics(own("business_metrics")),
            "mapping_rules": mapping_rules()}


def load_demo(store: Store, seed: int = 7) -> dict[str, int]:
    """Load the demo company, each dataset as one replace batch (so it can be undone)."""
    counts = {}
    for name, frame in build_frames(seed).items():
        store.add_batch(name, frame, mode="replace", file_name=f"demo:{name}", user="demo",
                        sha256=f"demo-{seed}-{name}")
        counts[name] = len(frame)
    return counts
