"""A tiny company whose every figure is worked out by hand in tests/test_queries.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from alignment.store import Store

D = dt.date


def spend() -> pd.DataFrame:
    cols = ["period", "business_unit", "budget", "actual", "forecast", "business_goal", "vendor", "rgt",
            "capex_opex", "tower", "cost_pool"]
    rows = [
        (D(2025, 1, 1), "Sales", 100, 110, None, "G1", "V1", "Run", "Opex", "App", "Software"),
        (D(2025, 1, 1), "Ops", 200, 180, None, "G2", "V2", "Grow", "Capex", "Compute", "Hardware"),
        (D(2025, 2, 1), "Sales", 100, 130, None, None, "V1", "Run", "Opex", "App", "Software"),
        (D(2025, 2, 1), "Shared", 50, 80, None, "G1", None, "Run", "Opex", "Network", "Telecom"),
        (D(2025, 3, 1), "Sales", 100, None, 120, "G1", "V1", "Run", "Opex", "App", "Software"),
        (D(2025, 3, 1), "Ops", 200, None, 190, "G2", "V2", "Grow", "Capex", "Compute", "Hardware"),
    ]
    return pd.DataFrame(rows, columns=cols)


def business_metrics() -> pd.DataFrame:
    return pd.DataFrame([(D(2025, 1, 1), "Sales", 1000, 10), (D(2025, 2, 1), "Sales", 1000, 14),
                         (D(2025, 1, 1), "Ops", 3000, 6), (D(2025, 2, 1), "Ops", 1000, 6)],
                        columns=["period", "business_unit", "revenue", "headcount"])


def projects() -> pd.DataFrame:
    cols = ["project_id", "name", "business_unit", "business_goal", "health", "planned_start", "planned_end",
            "actual_end", "budget", "actual_cost", "expected_benefit", "realized_benefit", "risk"]
    rows = [
        ("P1", "One", "Sales", "G1", "Green", D(2025, 1, 1), D(2025, 3, 1), D(2025, 3, 1), 100, 90, 200, 150, 2),
        ("P2", "Two", "Ops", "G2", "Amber", D(2025, 1, 1), D(2025, 4, 11), D(2025, 4, 21), 200, 220, 400, 100, 3),
        ("P3", "Three", "Sales", "G1", "Green", D(2025, 2, 1), D(2025, 3, 3), D(2025, 3, 18), 100, 104, 100, 0, 4),
        ("P4", "Four", "Ops", None, "Red", None, None, None, None, 50, None, None, 5),
    ]
    return pd.DataFrame(rows, columns=cols)


def stage_history() -> pd.DataFrame:
    rows = [
        ("A", "Intake", D(2025, 1, 1), D(2025, 1, 3)), ("A", "Build", D(2025, 1, 3), D(2025, 1, 13)),
        ("A", "Test", D(2025, 1, 13), D(2025, 1, 16)),
        ("B", "Intake", D(2025, 1, 2), D(2025, 1, 6)), ("B", "Build", D(2025, 1, 6), D(2025, 1, 26)),
        ("B", "Test", D(2025, 1, 26), D(2025, 1, 27)),
        ("C", "Intake", D(2025, 1, 5), D(2025, 1, 6)), ("C", "Build", D(2025, 1, 6), D(2025, 1, 12)),
        ("C", "Test", D(2025, 1, 12), None),
        ("D", "Intake", D(2025, 3, 1), None),
    ]
    frame = pd.DataFrame(rows, columns=["item_id", "stage", "entered", "exited"])
    frame["item_type"] = "Request"
    return frame


AS_OF = "2025-03-31"


def survey() -> pd.DataFrame:
    rows = [
        # wave, respondent, group, dimension, question, score, importance
        ("W2", "r1", "IT", "Communications", "Q comm", 4, 5), ("W2", "r1", "IT", "Governance", "Q gov", 3, 2),
        ("W2", "r2", "IT", "Communications", "Q comm", 5, 5), ("W2", "r2", "IT", "Governance", "Q gov", 4, 2),
        ("W2", "r3", "Business", "Communications", "Q comm", 1, 5),
        ("W2", "r3", "Business", "Governance", "Q gov", 4, 2),
        ("W2", "r4", "Business", "Communications", "Q comm", 1, 4),
        ("W2", "r4", "Business", "Governance", "Q gov", 3, 3),
        ("W1", "r1", "IT", "Communications", "Q comm", 3, None),
        ("W1", "r3", "Business", "Communications", "Q comm", 1, None),
    ]
    frame = pd.DataFrame(rows, columns=["wave", "respondent_id", "respondent_group", "dimension", "question",
                                        "score", "importance"])
    frame["comment"] = None
    frame.loc[4, "comment"] = "We hear about IT changes after they happen."  # r3, W2, Communications
    frame.loc[9, "comment"] = "Old comment"  # r3, W1
    return frame


def load(store: Store) -> Store:
    for name, frame in (("spend", spend()), ("business_metrics", business_metrics()), ("projects", projects()),
                        ("stage_history", stage_history()), ("survey", survey())):
        store.add_batch(name, frame, file_name=f"fixture:{name}")
    return store
