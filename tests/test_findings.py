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
    # 500 spent in Jan-Feb against 450 budgeted; burn 250/month; year ends at 3,060 vs 750 budget
    assert found["budget"].headline == "IT has spent $500 in 2 months: 11.1% over the budget for the same months."
    assert "burn rate of $250 a month the year ends at $3.1k: 308.0% over the full-year budget of $750" \
        in found["budget"].detail
    assert found["unmapped"].headline == "26.0% of IT spend ($130) serves no named business goal."
    assert found["unmapped"].detail == "The most spend goes to G1 (38.0%)."
    assert found["portfolio"].headline == "2 of 4 projects are red; 33.3% are on time and 33.3% on budget."
    assert "35.7% of the promised benefits" in found["portfolio"].detail
    assert found["bottleneck"].headline.startswith("Work waits longest in Build: 76.6% of all the time")
    assert "spends 10 days there; one in seven takes over 17" in found["bottleneck"].detail
    assert found["gap"].headline == ("The widest gap is Communications: IT rates it higher than the business does "
                                     "(4.50 against 1.00, out of 5).")
    assert found["maturity"].headline.startswith("Alignment maturity is 3.13 out of 5")  # (2.75 + 3.5) / 2
    assert "Weakest dimension: Communications (2.75); strongest: Governance (3.50)" in found["maturity"].detail
    assert all(f.chart is not None for f in found.values())


def test_an_empty_store_has_no_findings(store):
    assert findings.build(lambda name, **p: run_query(store.cursor(), name, p)) == []
