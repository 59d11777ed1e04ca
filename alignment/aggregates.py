"""Spend summed per batch on write, so the analyses read thousands of rows, not millions.

Every spend batch gets its lines summed (with the mapping rules applied, as the ``spend`` view
applies them) per month, unit and the dimensions the analyses group or filter by, in the same
transaction that stores, undoes or restores a batch. The ``spend_summary`` and ``spend_detail``
views keep the active batches only, exactly like the row views, so undo, restore and replace
rewrite nothing. Only a change of the active mapping rules re-sums (every active batch): the
summary records which rules it was summed under.

Amounts keep SQL's NULL rules: ``budget`` is NULL where every line's budget is blank, and
``budget_lines`` counts the lines that have one, so ``bool_or(budget IS NOT NULL)`` over lines is
``sum(budget_lines) > 0`` over the summary and ``sum(coalesce(budget, 0))`` is unchanged. A line
split by a weighted rule counts once per split, as in the ``spend`` view.

Plain tables only (no key, no sequence): the store may live in DuckLake.
"""

from __future__ import annotations

import duckdb

from alignment.rules import ACTIVE_RULES, spend_view_sql
from alignment.schema import DATASETS

VERSION = 1  # bump when the summaries' definition changes: every batch is summed again
# The relations the analyses read instead of a dataset's view (for alignment.queries.datasets_read).
DERIVED = {"spend_summary": "spend", "spend_detail": "spend"}
# Columns a current database has (alignment.store checks them before a read-only open).
WANTED = {("spend_summary_rows", "forecast_lines"), ("spend_detail_rows", "actual_lines"),
          ("spend_summaries", "rules")}
DIMENSIONS = ("period", "business_unit", "business_goal", "tower", "cost_pool", "rgt", "capex_opex")
DETAIL = ("vendor", "cost_center", "account")  # summed one at a time, with whether the line serves a goal
ACTIVE_SPEND = "SELECT id FROM uploads WHERE status = 'active' AND dataset = 'spend'"


def create(cur: duckdb.DuckDBPyConnection) -> None:
    """The tables and views (idempotent)."""
    cur.execute("""CREATE TABLE IF NOT EXISTS spend_summary_rows (
        batch_id INTEGER NOT NULL, period DATE, business_unit VARCHAR, business_goal VARCHAR, tower VARCHAR,
        cost_pool VARCHAR, rgt VARCHAR, capex_opex VARCHAR, lines BIGINT, budget_lines BIGINT,
        actual_lines BIGINT, forecast_lines BIGINT, budget DOUBLE, actual DOUBLE, forecast DOUBLE)""")
    cur.execute("""CREATE TABLE IF NOT EXISTS spend_detail_rows (
        batch_id INTEGER NOT NULL, dimension VARCHAR, value VARCHAR, period DATE, business_unit VARCHAR,
        unmapped BOOLEAN, lines BIGINT, actual_lines BIGINT, actual DOUBLE)""")
    # Which batches are summed, under which active rules and which VERSION of this module.
    cur.execute("CREATE TABLE IF NOT EXISTS spend_summaries (batch_id INTEGER NOT NULL, rules VARCHAR, "
                "version INTEGER)")
    # IF NOT EXISTS: this runs in every write, and on a shared store replacing a view is a catalog
    # change every replica would have to reload.
    for view in ("spend_summary", "spend_detail"):
        cur.execute(f"CREATE VIEW IF NOT EXISTS {view} AS SELECT * EXCLUDE (batch_id) FROM {view}_rows "
                    f"WHERE batch_id IN ({ACTIVE_SPEND})")


def batch_lines_sql(match_used: list[str], sets_used: list[str], batches: list[int]) -> str:
    """The lines of ``batches`` with the rules applied and their batch id: the ``spend`` view's own
    SQL (alignment.rules), read from those batches' rows instead of the active lines."""
    columns = ["batch_id", *(c.name for c in DATASETS["spend"].stored_columns)]
    view = spend_view_sql(columns, match_used, sets_used)
    head = "CREATE OR REPLACE VIEW spend AS"
    if not view.startswith(head) or view.count("spend_lines") != 1:
        raise RuntimeError("The spend view's SQL changed shape; alignment.aggregates must follow it.")
    source = f"(SELECT * FROM spend_rows WHERE batch_id IN ({', '.join(str(int(b)) for b in batches)}))"
    return view[len(head):].replace("spend_lines", source)


def summary_sql(lines: str) -> str:
    """Sum ``lines`` (a SELECT with batch_id and the spend columns) per batch and DIMENSIONS."""
    dims = ", ".join(DIMENSIONS)
    return (f"SELECT batch_id, {dims}, count(*), count(budget), count(actual), count(forecast), "
            f"sum(budget), sum(actual), sum(forecast) FROM ({lines}) GROUP BY batch_id, {dims}")


def detail_sql(lines: str) -> str:
    """Sum ``lines`` per batch, month, unit, mapped or not, and each DETAIL column on its own."""
    name = " ".join(f"WHEN grouping({c}) = 0 THEN '{c}'" for c in DETAIL[:-1])
    value = f"coalesce({', '.join(DETAIL)})"
    sets = ", ".join(f"(batch_id, period, business_unit, unmapped, {c})" for c in DETAIL)
    return (f"SELECT batch_id, CASE {name} ELSE '{DETAIL[-1]}' END, {value}, period, business_unit, unmapped, "
            f"count(*), count(actual), sum(actual) "
            f"FROM (SELECT *, business_goal IS NULL AS unmapped FROM ({lines})) GROUP BY GROUPING SETS ({sets})")


def sync(cur: duckdb.DuckDBPyConnection) -> None:
    """Bring the summaries in line with the store, inside the caller's write transaction: sum the
    active spend batches not summed yet, and sum everything again if the active rules changed.
    Costs two small queries when nothing changed (after a survey upload, say)."""
    create(cur)
    rules = cur.execute(f"SELECT coalesce(string_agg(id::VARCHAR, ',' ORDER BY id), '') FROM ({ACTIVE_RULES})"
                        ).fetchone()[0]
    stale = "SELECT batch_id FROM spend_summaries WHERE rules <> $rules OR version <> $version"
    if cur.execute(f"SELECT count(*) FROM ({stale})", {"rules": rules, "version": VERSION}).fetchone()[0]:
        for table in ("spend_summary_rows", "spend_detail_rows", "spend_summaries"):
            cur.execute(f"DELETE FROM {table} WHERE batch_id IN ({stale})", {"rules": rules, "version": VERSION})
    missing = [r[0] for r in cur.execute(
        f"SELECT id FROM ({ACTIVE_SPEND}) WHERE id NOT IN (SELECT batch_id FROM spend_summaries) ORDER BY id"
    ).fetchall()]
    if not missing:
        return
    match_used, sets_used = cur.execute(
        "SELECT coalesce(list(DISTINCT match_column), []), coalesce(list(DISTINCT sets_column), []) "
        f"FROM mapping_rules_rows WHERE batch_id IN ({ACTIVE_RULES})").fetchone()
    lines = batch_lines_sql(match_used, sets_used, missing)
    cur.execute(f"INSERT INTO spend_summary_rows {summary_sql(lines)}")
    cur.execute(f"INSERT INTO spend_detail_rows {detail_sql(lines)}")
    cur.execute("INSERT INTO spend_summaries SELECT unnest($batches), $rules, $version",
                {"batches": missing, "rules": rules, "version": VERSION})
