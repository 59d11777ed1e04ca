"""The presentation's sentences carry the hand-worked numbers of the tiny company."""

from __future__ import annotations

import pytest

from alignment import findings
from alignment.queries import run_query
from tests import fixtures
from tests.fixtures import AS_OF


@pytest.fixture
def run(store):
    fixtures.load(store)

    def run(name, **params):
        from alignment.queries import parameters

        if "as_of" in {p.name for p in parameters(name)}:
            params["as_of"] = AS_OF
        return run_query(store.cursor(), name, params)

    return run


def test_findings_in_order_with_hand_worked_numbers(run):
    found = {f.key: f for f in findings.build(run)}
    assert list(found) == ["budget", "unmapped", "portfolio", "bottleneck", "gap", "maturity"]
    # 500 spent in Jan-Feb against 450 budgeted; year ends at 500 + 310 March forecast = 810 vs 750 budget
    # the last month named: a filter may have chosen others, which only pick the year
    assert found["budget"].headline == "IT has spent $500 in FY2025 to 2025-02: 11.1% over budget to date."
    assert found["budget"].detail.startswith(  # the part-year said first: $810 is not a whole year's spend
        "The fiscal year is projected to end at $810: 8.0% over its budget of $750. Only 3 of FY2025's 12 months "
        "have spend lines; the projection and its budget cover those 3, not a whole year. FY2025 (2025-01 to "
        "2025-12) is projected from 2 months of actuals (2025-01 to 2025-02) and the forecast for 1 month.")
    # a unit chosen: its figure is not read as the company's (the room sees no sidebar)
    assert findings.budget(run, "Ops").headline.startswith("IT for Ops has spent $")
    assert found["unmapped"].headline == "26.0% of IT spend ($130) serves no named business goal."
    assert found["unmapped"].detail == "The most spend goes to G1 (38.0%)."
    assert found["portfolio"].headline == "2 of 4 projects are red; 33.3% are on time and 33.3% on budget."
    assert "35.7% of the promised benefits" in found["portfolio"].detail
    # Build's name does not say waiting, so under the default rule it is a working stage
    assert found["bottleneck"].headline.startswith("Items spend longest in Build, a working stage: 76.6% of all")
    assert "spends 10 days there; 15% of items take over 17 days" in found["bottleneck"].detail
    assert found["gap"].headline == ("The widest gap is Communications: IT rates it higher than the business does "
                                     "(4.50 against 1.00, out of 5).")
    assert found["maturity"].headline.startswith("Alignment maturity is 3.13 out of 5")  # (2.75 + 3.5) / 2
    assert "Weakest dimension: Communications (2.75); strongest: Governance (3.50)" in found["maturity"].detail
    assert all(f.chart is not None for f in found.values())


def test_an_empty_store_has_no_findings(store):
    assert findings.build(lambda name, **p: run_query(store.cursor(), name, p)) == []


@pytest.mark.parametrize(("wip", "said"), [(1, "1 item is there now."), (0, "0 items are there now."),
                                           (1204, "1,204 items are there now.")])
def test_the_bottleneck_says_how_many_items_are_there_in_the_right_number(wip, said):
    import pandas as pd

    stages = pd.DataFrame({"stage": ["Review"], "share_of_time": [0.5], "is_bottleneck": [True],
                           "is_active": [False], "median_days": [4.0], "p85_days": [9.0], "wip": [wip]})
    empty = pd.DataFrame({"items": pd.Series([], dtype="int64"), "flow_efficiency": pd.Series([], dtype="float64")})
    found = findings.bottleneck(lambda name, **_: stages if name == "bottleneck_stages" else empty)
    assert found.detail.endswith(said), found.detail
