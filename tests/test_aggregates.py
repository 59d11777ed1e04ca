"""The spend summed on write (alignment.aggregates) against the lines it sums.

Differential: on random spend, through random appends, replaces, undos, restores and mapping-rule
changes, (1) the stored summaries equal the same sums taken from the ``spend`` view at that
moment, and (2) every spend analysis, read from the summaries, returns exactly the frame the
row-by-row queries returned before (tests/row_path_queries holds the rewritten ones, as they were), under
several filters. Amounts and rule weights are binary fractions so every sum is exact in any
order: any difference is a wrong figure, not float noise.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment import aggregates
from alignment.config import QUERIES_DIR
from alignment.queries import run_query
from alignment.store import Store, StoreError
from tests.test_spend_figures import business_metrics, projects

ROW_PATH = Path(__file__).parent / "row_path_queries"  # only the spend queries the summaries rewrote


@functools.cache
def row_path_directory() -> Path:
    """queries/ with the rewritten spend queries as they were before: what they include from the
    rest (the survey and portfolio parts of executive_summary) is today's, read once."""
    folder = Path(tempfile.mkdtemp(prefix="row-path-queries-"))
    atexit.register(shutil.rmtree, folder, True)
    for source in (QUERIES_DIR, ROW_PATH):
        for sql in source.glob("*.sql"):
            shutil.copy(sql, folder / sql.name)
    return folder

MONTHS = [dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
AMOUNT = st.one_of(st.none(), st.sampled_from([0.0, 0.25, 1.5, 10.0, 100.75, -20.5]))


def maybe(*values: str) -> st.SearchStrategy:
    return st.sampled_from([None, *values])


COLUMNS = ["period", "business_unit", "budget", "actual", "forecast", "business_goal", "tower", "cost_pool", "rgt",
           "capex_opex", "vendor", "cost_center", "account"]
LINE = st.fixed_dictionaries({
    "period": st.sampled_from(MONTHS), "business_unit": st.sampled_from(["A", "B", "Shared"]),
    "budget": AMOUNT, "actual": AMOUNT, "forecast": AMOUNT,
    "business_goal": maybe("G1", "G2"), "tower": maybe("Compute", "Network"), "cost_pool": maybe("Cloud"),
    "rgt": maybe("Run", "Grow"), "capex_opex": maybe("Capex"), "vendor": maybe("Acme", "Apex"),
    "cost_center": maybe("CC-1", "CC-2"), "account": maybe("6100", "(blank)"),
})
# Valid rule sets (weights of one match and column add up to 1).
RULES = [
    [("cost_center", "CC-1", "business_goal", "G3", 1.0)],
    [("vendor", "A*", "tower", "Storage", 0.75), ("vendor", "A*", "tower", "Compute", 0.25),
     ("account", "6100", "business_goal", "G1", 1.0)],
    [("business_unit", "Shared", "rgt", "Transform", 0.5), ("business_unit", "Shared", "rgt", "Run", 0.5),
     ("cost_center", "*", "capex_opex", "Opex", 1.0)],
]
STEP = st.one_of(
    st.tuples(st.sampled_from(["append", "replace"]), st.lists(LINE, max_size=12)),
    st.tuples(st.just("rules"), st.sampled_from(range(len(RULES)))),
    st.tuples(st.sampled_from(["undo", "restore"]), st.sampled_from(["spend", "mapping_rules"])),
)
FILTERS = [{}, {"period_from": "2025-02", "period_to": "2025-03"}, {"business_unit": "A"},
           {"period_from": "2024-12", "period_to": "2025-01", "business_unit": "Shared"},
           {"books_closed_through": "2025-01"}, {"books_closed_through": "2025-02", "business_unit": "B"}]
ANALYSES = [("spend_by_business_goal", {}), ("spend_mix", {"mix": "rgt"}), ("spend_mix", {"mix": "capex_opex"}),
            ("vendor_concentration", {}), ("year_end_projection", {}), ("executive_summary", {}),
            ("mapping_coverage", {"top": 1}), ("cost_by_business_unit", {"driver": "headcount"}),
            ("cost_by_business_unit", {"driver": "revenue"}),
            *(("budget_vs_actual", {"group_by": g}) for g in ("month", "business_unit", "tower", "cost_pool"))]


def apply(store: Store, step: tuple) -> None:
    kind, arg = step
    if kind in ("append", "replace"):
        store.add_batch("spend", pd.DataFrame(arg, columns=COLUMNS), mode=kind)
    elif kind == "rules":
        frame = pd.DataFrame(RULES[arg], columns=["match_column", "match_value", "sets_column", "sets_value", "weight"])
        store.add_batch("mapping_rules", frame, mode="replace")
    else:
        status = "active" if kind == "undo" else "undone"
        row = store.cursor().execute("SELECT max(id) FROM uploads WHERE dataset = ? AND status = ?",
                                     [arg, status]).fetchone()[0]
        try:
            if row is not None:
                store.undo(row) if kind == "undo" else store.restore(row)
        except StoreError:
            pass  # a refused undo or restore changes nothing, which is checked too


def sums_now(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored summaries, and the same sums taken from the spend view now, both in one order."""
    cur = store.cursor()
    dims = ", ".join(aggregates.DIMENSIONS)
    live_lines = "SELECT 0 AS batch_id, * FROM spend"
    frames = []
    for stored, live in (("spend_summary", aggregates.summary_sql(live_lines)),
                         ("spend_detail", aggregates.detail_sql(live_lines))):
        keys = dims if stored == "spend_summary" else "dimension, value, period, business_unit, unmapped"
        amounts = ("sum(lines), sum(budget_lines), sum(actual_lines), sum(forecast_lines), sum(budget), "
                   "sum(actual), sum(forecast)") if stored == "spend_summary" else \
            "sum(lines), sum(actual_lines), sum(actual)"
        order = ", ".join(f"{i} NULLS FIRST" for i in range(1, keys.count(",") + 2))
        a = cur.execute(f"SELECT {keys}, {amounts} FROM {stored} GROUP BY ALL ORDER BY {order}").df()
        b = cur.execute(f"SELECT {keys}, {amounts} FROM ({live}) AS t({_names(stored)}) "
                        f"GROUP BY ALL ORDER BY {order}").df()
        frames.append((a, b))
    return frames


def _names(stored: str) -> str:
    if stored == "spend_summary":
        return ", ".join(["batch_id", *aggregates.DIMENSIONS, "lines", "budget_lines", "actual_lines",
                          "forecast_lines", "budget", "actual", "forecast"])
    return "batch_id, dimension, value, period, business_unit, unmapped, lines, actual_lines, actual"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=6), st.sampled_from(FILTERS))
def test_summaries_and_analyses_equal_the_row_path(steps, where):
    with Store(":memory:") as store:
        store.add_batch("business_metrics", business_metrics())
        store.add_batch("projects", projects())
        for step in steps:
            apply(store, step)
            for stored, live in sums_now(store):
                pd.testing.assert_frame_equal(stored, live, check_exact=True)
        cur = store.cursor()
        for name, extra in ANALYSES:
            fast = run_query(cur, name, {**where, **extra})
            rows = run_query(cur, name, {**where, **extra}, directory=row_path_directory())
            pd.testing.assert_frame_equal(fast, rows, check_exact=True, obj=f"{name} {where} {extra}")


def test_a_batch_is_summed_once_and_a_rules_change_sums_again(store):
    """Undo and restore of spend rewrite nothing; a rules upload sums every active batch again."""
    first = store.add_batch("spend", pd.DataFrame(
        [{"period": MONTHS[1], "business_unit": "A", "actual": 10.0, "cost_center": "CC-1"}]))
    cur = store.cursor()
    summed = lambda: cur.execute("SELECT batch_id, rules FROM spend_summaries ORDER BY 1").fetchall()  # noqa: E731
    assert summed() == [(first, "")]
    store.undo(first)
    store.restore(first)
    assert summed() == [(first, "")]  # nothing was summed again
    rules = store.add_batch("mapping_rules", pd.DataFrame(
        [("cost_center", "CC-1", "business_goal", "G3", 1.0)],
        columns=["match_column", "match_value", "sets_column", "sets_value", "weight"]))
    assert summed() == [(first, str(rules))]
    assert cur.execute("SELECT business_goal, actual FROM spend_summary").fetchall() == [("G3", 10.0)]
    store.undo(rules)
    assert cur.execute("SELECT business_goal, actual FROM spend_summary").fetchall() == [(None, 10.0)]


def test_a_cached_spend_figure_changes_with_spend_and_rules_never_with_a_survey(store):
    """The pages cache a result per data version of what the analysis reads: read through the
    summaries, the spend analyses still read spend (and the rules its view applies)."""
    from alignment.queries import datasets_read
    from tests import fixtures

    version = lambda: store.data_version(datasets_read("vendor_concentration"))  # noqa: E731
    assert datasets_read("vendor_concentration") == ("spend",)
    before = version()
    store.add_batch("survey", fixtures.survey())
    assert version() == before
    spend = store.add_batch("spend", pd.DataFrame([{"period": MONTHS[1], "business_unit": "A", "actual": 1.0}]))
    after_upload = version()
    assert after_upload != before
    store.undo(spend)
    assert version() not in (before, after_upload)
    undone = version()
    store.add_batch("mapping_rules", pd.DataFrame([("vendor", "A*", "tower", "Storage", 1.0)], columns=[
        "match_column", "match_value", "sets_column", "sets_value", "weight"]))
    assert version() != undone
