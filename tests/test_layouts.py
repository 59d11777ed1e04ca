"""Issue #9, layouts: the files finance and PMO teams keep load as they are (alignment/layouts.py).

Every expected figure is worked out by hand in a comment beside the fixture.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import duckdb
import pytest

from alignment.ingest import ingest
from alignment.layouts import LayoutOptions, Period, read_period, title_year
from alignment.mapping import propose_mapping
from alignment.store import Store
from tests.conftest import csv_bytes, xlsx

D = dt.date


def rows_of(store: Store, sql: str) -> list[tuple]:
    return store.cursor().execute(sql).fetchall()


def uploads(store: Store) -> int:
    return rows_of(store, "SELECT count(*) FROM uploads")[0][0]


# --- period headers ------------------------------------------------------------------------

@pytest.mark.parametrize(("header", "year", "start", "expected"), [
    ("Jan-26", None, 1, Period("month", D(2026, 1, 1))),
    ("January 2026", None, 1, Period("month", D(2026, 1, 1))),
    ("2026-01", None, 1, Period("month", D(2026, 1, 1))),
    ("01/2026", None, 1, Period("month", D(2026, 1, 1))),
    ("2026-03-01 00:00:00", None, 1, Period("month", D(2026, 3, 1))),  # a real date cell as the header
    ("Mar-26 Actual", None, 1, Period("month", D(2026, 3, 1))),  # the scenario word is not the period
    ("Q1 2026", None, 1, Period("quarter", D(2026, 1, 1))),
    ("2026-Q3", None, 4, Period("quarter", D(2026, 7, 1))),  # a plain year: the calendar quarter
    # FY26 starting in April runs Apr 2025 - Mar 2026; its Q3 starts 6 months in: Oct 2025
    ("Q3 FY26", None, 4, Period("quarter", D(2025, 10, 1))),
    ("FY2026", None, 1, Period("year", D(2026, 1, 1))),
    ("FY2026", None, 4, Period("year", D(2025, 4, 1))),
    ("FY24/25", None, 4, Period("year", D(2024, 4, 1))),  # named for the year it ends in: FY2025
    ("2024", None, 7, Period("year", D(2023, 7, 1))),
    ("Jan", None, 1, Period("month", None)),  # the year must come from the titles or --year
    ("Jan", 2026, 4, Period("month", D(2026, 1, 1))),  # Jan of FY2026 (Apr 2025 - Mar 2026)
    ("Apr", 2026, 4, Period("month", D(2025, 4, 1))),
    ("Q2", 2026, 4, Period("quarter", D(2025, 7, 1))),
    ("FY Total", None, 1, None), ("Total", None, 1, None), ("H1", None, 1, None), ("YTD", None, 1, None),
    ("Cost Centre", None, 1, None), ("45000", None, 1, None), ("Account 6100", None, 1, None),
])
def test_period_headers(header, year, start, expected):
    assert read_period(header, year, start) == expected


def test_the_year_a_title_gives():
    assert title_year(["Sheet1", "FY2026 IT budget"]) == 2026
    assert title_year(["Budget 2026", "printed 2025-11-03"]) == 2026  # a date is not the sheet's year
    assert title_year(["2025 vs 2026"]) is None  # two years: not a guess


# --- periods across ------------------------------------------------------------------------

BUDGET = [
    ["FY2026 IT Budget"],
    [],
    ["Cost Centre", "Business Unit", "Jan-26", "Feb-26", "Mar-26", "Q1", "FY Total"],
    ["CC-100", "Retail", 100, 200, 300, 600, 600],
    ["CC-200", "Online", 10, None, 30, 40, 40],
    ["Total", None, 110, 200, 330, 640, 640],
]


def test_months_across_with_title_rows_a_total_column_and_a_total_row(store):
    result = ingest(store, xlsx(BUDGET), "budget.xlsx", "spend")
    assert result.status == "loaded", result.errors
    # CC-100: Jan 100, Feb 200, Mar 300; CC-200: Jan 10, Mar 30 (Feb blank: no row) → 5 rows, 640 in all.
    # Q1 (600 + 40) and FY Total (640) and the Total row (row 6) would have made it 640 × 4 = 2,560.
    assert result.rows_loaded == 5
    assert rows_of(store, "SELECT sum(budget), count(actual), count(forecast) FROM spend") == [(640, 0, 0)]
    assert rows_of(store, "SELECT period, sum(budget) FROM spend GROUP BY 1 ORDER BY 1") == [
        (D(2026, 1, 1), 110), (D(2026, 2, 1), 200), (D(2026, 3, 1), 330)]
    # the spreadsheet rows a person sees: header on row 3, CC-100 on row 4, CC-200 on row 5
    assert rows_of(store, "SELECT source_row, cost_center, period FROM spend_rows ORDER BY 1, 3") == [
        (4, "CC-100", D(2026, 1, 1)), (4, "CC-100", D(2026, 2, 1)), (4, "CC-100", D(2026, 3, 1)),
        (5, "CC-200", D(2026, 1, 1)), (5, "CC-200", D(2026, 3, 1))]
    notes = " ".join(result.warnings)
    assert "as budget (from row 1 ('FY2026 IT Budget'))" in notes
    assert "'Q1', 'FY Total'" in notes and "Skipped 1 total row in sheet 'Sheet1': row 6." in notes


def test_a_bad_month_cell_is_named_by_its_row_and_its_own_month_column(store):
    sheet = [list(r) for r in BUDGET]
    sheet[4][3] = "lots"  # CC-200's Feb-26, spreadsheet row 5, column D
    result = ingest(store, xlsx(sheet), "budget.xlsx", "spend")
    assert result.status == "rejected" and uploads(store) == 0
    assert [e["message"] for e in result.errors] == [
        "Sheet 'Sheet1', row 5, column D ('Feb-26'): 'lots' is not an amount."]
    assert result.errors[0]["column"] == "Feb-26"


def test_the_scenario_is_asked_for_when_nothing_says_it(store):
    sheet = [["IT costs"], *BUDGET[1:]]
    result = ingest(store, xlsx(sheet), "costs.xlsx", "spend")
    assert result.status == "rejected" and uploads(store) == 0
    [error] = result.errors
    assert error["row"] == 3 and error["column"] == "Jan-26"
    assert error["message"].startswith("Sheet 'Sheet1', row 3, column C ('Jan-26'): the amounts are in month "
                                       "columns ('Jan-26' … 'Mar-26') but nothing says whether they are budget")
    assert "--scenario" in error["message"] and "These amounts are" in error["message"]
    # the user's word, then the sheet's name, decide
    chosen = ingest(store, xlsx(sheet), "costs.xlsx", "spend", layout=LayoutOptions(scenario="actual"))
    assert chosen.status == "loaded" and rows_of(store, "SELECT sum(actual) FROM spend") == [(640,)]
    named = ingest(store, xlsx(sheet, sheet="Forecast Q3"), "fc.xlsx", "spend", mode="replace")
    assert named.status == "loaded" and rows_of(store, "SELECT sum(forecast), count(actual) FROM spend") == [(640, 0)]


def test_a_title_naming_two_scenarios_is_not_a_guess(store):
    sheet = [["Budget vs Actual 2026"], *BUDGET[1:]]
    result = ingest(store, xlsx(sheet), "bva.xlsx", "spend")
    assert result.status == "rejected"
    assert "row 1 ('Budget vs Actual 2026') names actual and budget" in result.errors[0]["message"]


def test_each_column_may_name_its_scenario(store):
    sheet = [["Business Unit", "Jan-26 Budget", "Jan-26 Actual", "Feb-26 Budget", "Feb-26 Actual"],
             ["Retail", 100, 90, 100, 120]]
    result = ingest(store, xlsx(sheet), "bva.xlsx", "spend")
    assert result.status == "loaded", result.errors
    # Jan: budget 100, actual 90; Feb: budget 100, actual 120 → one row per month and scenario
    assert rows_of(store, "SELECT period, sum(budget), sum(actual) FROM spend GROUP BY 1 ORDER BY 1") == [
        (D(2026, 1, 1), 100, 90), (D(2026, 2, 1), 100, 120)]


def test_quarters_across(store):
    sheet = [["Business Unit", "Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026", "FY2026"],
             ["Retail", 1000, 2000, 3000, 4000, 10000]]
    result = ingest(store, xlsx(sheet), "q.xlsx", "spend", layout=LayoutOptions(scenario="forecast"))
    assert result.status == "loaded", result.errors
    # each quarter is its first month; FY2026 (10,000) is their total and left out: 1+2+3+4 = 10 thousand
    assert rows_of(store, "SELECT period, forecast FROM spend ORDER BY 1") == [
        (D(2026, 1, 1), 1000), (D(2026, 4, 1), 2000), (D(2026, 7, 1), 3000), (D(2026, 10, 1), 4000)]
    assert "'FY2026'" in " ".join(result.warnings)


def test_fiscal_year_columns_at_year_grain(store):
    store.save_settings({"fiscal_year_start_month": 4})
    sheet = [["Business Unit", "FY2024", "FY2025", "FY2026", "Total"],
             ["Retail", 500, 600, 700, 1800], ["Online", 50, None, 70, 120]]
    result = ingest(store, xlsx(sheet, sheet="Budget"), "fy.xlsx", "spend")
    assert result.status == "loaded", result.errors
    # FY2024 starting in April is Apr 2023 - Mar 2024, so its period is 2023-04; Online has no FY2025.
    # Total (1,800 and 120) left out: 500+600+700+50+70 = 1,920.
    assert rows_of(store, "SELECT period, sum(budget) FROM spend GROUP BY 1 ORDER BY 1") == [
        (D(2023, 4, 1), 550), (D(2024, 4, 1), 600), (D(2025, 4, 1), 770)]


def test_month_names_take_the_year_given(store):
    store.save_settings({"fiscal_year_start_month": 4})
    sheet = [["Business Unit", "Apr", "May", "Jan"], ["Retail", 1, 2, 3]]
    refused = ingest(store, xlsx(sheet, sheet="Budget"), "m.xlsx", "spend")
    assert refused.status == "rejected"
    assert "do not say their year" in refused.errors[0]["message"] and refused.errors[0]["column"] == "Apr"
    result = ingest(store, xlsx(sheet, sheet="Budget"), "m.xlsx", "spend", layout=LayoutOptions(year=2026))
    assert result.status == "loaded", result.errors
    # FY2026 from April: Apr and May are 2025, Jan is 2026
    assert rows_of(store, "SELECT period, budget FROM spend ORDER BY 1") == [
        (D(2025, 4, 1), 1), (D(2025, 5, 1), 2), (D(2026, 1, 1), 3)]


# --- debit and credit ----------------------------------------------------------------------

GL = ("Posting Date,Business Unit,GL Account,Account Description,Cost Centre,Debit,Credit\n"
      "2026-01-15,Retail,6100,Software licences,CC-1,1000,\n"      # +1,000
      "2026-01-20,Retail,6100,Software licences,CC-1,,250\n"       # -250
      "2026-02-03,Online,6200,Cloud hosting,CC-2,400,100\n")       # 400 - 100 = +300


def test_debit_and_credit_become_one_actual_amount_with_the_account(store):
    result = ingest(store, csv_bytes(GL), "gl.csv", "spend")
    assert result.status == "loaded", result.errors
    assert result.mapping["GL Account"] == "account" and result.mapping["Account Description"] == "account_name"
    # 1,000 - 250 + 300 = 1,050; the account is stored, never guessed as a cost pool
    assert rows_of(store, "SELECT sum(actual), count(budget), count(cost_pool) FROM spend") == [(1050, 0, 0)]
    assert rows_of(store, "SELECT account, account_name, sum(actual) FROM spend GROUP BY 1, 2 ORDER BY 1") == [
        ("6100", "Software licences", 750), ("6200", "Cloud hosting", 300)]


def test_scenario_overrides_a_gl_default_of_actual(store):
    result = ingest(store, csv_bytes(GL), "gl.csv", "spend", layout=LayoutOptions(scenario="budget"))
    assert result.status == "loaded"
    assert rows_of(store, "SELECT sum(budget), count(actual) FROM spend") == [(1050, 0)]


def test_credits_that_already_carry_their_sign_are_not_flipped_back(store):
    data = "Month,BU,Dr,Cr\n2026-01,Retail,500,\n2026-01,Retail,,-200\n"
    result = ingest(store, csv_bytes(data), "gl.csv", "spend")
    assert result.status == "loaded", result.errors
    # 500 + (-200) = 300, not 500 - (-200) = 700
    assert rows_of(store, "SELECT sum(actual) FROM spend") == [(300,)]
    assert "already carry their minus sign" in " ".join(result.warnings)


def test_a_line_with_neither_debit_nor_credit_is_named(store):
    data = "Month,BU,Debit,Credit\n2026-01,Retail,500,\n2026-01,Retail,,\n"
    result = ingest(store, csv_bytes(data), "gl.csv", "spend")
    assert result.status == "rejected" and uploads(store) == 0
    assert [e["message"] for e in result.errors] == [
        "Sheet 'gl', row 3, column C ('Debit'): the line has no amount ('Debit' and 'Credit' both blank)."]


def test_an_amount_with_a_dc_indicator(store):
    data = ("Month,BU,Account,Amount,D/C\n"
            "2026-01,Retail,6100,100,D\n"   # +100
            "2026-01,Retail,6100,30,C\n"    # -30
            "2026-02,Retail,6200,5,Cr\n")   # -5
    result = ingest(store, csv_bytes(data), "gl.csv", "spend")
    assert result.status == "loaded", result.errors
    assert rows_of(store, "SELECT sum(actual) FROM spend") == [(65,)]  # 100 - 30 - 5


def test_an_unknown_dc_indicator_is_refused_by_row_and_column(store):
    data = "Month,BU,Amount,D/C\n2026-01,Retail,100,D\n2026-01,Retail,30,X\n"
    result = ingest(store, csv_bytes(data), "gl.csv", "spend")
    assert result.status == "rejected" and uploads(store) == 0
    assert [e["message"] for e in result.errors] == [
        "Sheet 'gl', row 3, column D ('D/C'): 'X' is not a debit/credit indicator (D or C, Dr or Cr)."]


def test_account_is_no_longer_guessed_as_a_cost_pool():
    assert propose_mapping(["Account", "Cost Pool"], "spend") == {"Account": "account", "Cost Pool": "cost_pool"}
    assert propose_mapping(["GL Account", "GL Account Description"], "spend") == {
        "GL Account": "account", "GL Account Description": "account_name"}


def test_a_database_from_before_the_account_columns_gets_them(tmp_path):
    path = tmp_path / "old.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))  # as an older version left it: no account columns
    con.execute("ALTER TABLE spend_rows DROP COLUMN account")
    con.execute("ALTER TABLE spend_rows DROP COLUMN account_name")
    con.execute("INSERT INTO uploads (dataset, row_count, uploaded_at, mode, status) "
                "VALUES ('spend', 1, now(), 'append', 'active')")
    con.execute("INSERT INTO spend_rows (batch_id, source_row, period, business_unit, actual) "
                "VALUES (1, 2, DATE '2025-12-01', 'Retail', 10)")
    con.close()
    with Store(path) as store:
        result = ingest(store, csv_bytes(GL), "gl.csv", "spend")
        assert result.status == "loaded", result.errors
        # the old row keeps its figure with a blank account; the new ones carry theirs
        assert rows_of(store, "SELECT account, sum(actual) FROM spend GROUP BY 1 ORDER BY 1 NULLS FIRST") == [
            (None, 10), ("6100", 750), ("6200", 300)]


def test_spend_keeps_every_line_even_when_two_are_the_same(store):
    data = "Month,BU,Actual\n2026-01,Retail,100\n2026-01,Retail,100\n"
    result = ingest(store, csv_bytes(data), "gl.csv", "spend")
    assert result.rows_loaded == 2 and rows_of(store, "SELECT sum(actual) FROM spend") == [(200,)]


# --- stage history -------------------------------------------------------------------------

CHANGES = ("Key,From Status,To Status,Changed At\n"
           "A-1,In Progress,Review,2026-01-10 15:00\n"   # row 2
           "A-2,Open,In Progress,2026-01-05 10:00\n"     # row 3
           "A-1,Open,In Progress,2026-01-10 09:00\n"     # row 4: before row 2 the same day
           "A-1,Review,Done,2026-01-14 11:00\n"          # row 5
           "A-2,In Progress,Blocked,2026-01-08 12:00\n")  # row 6


def test_a_status_change_log_out_of_order_becomes_stays(store):
    result = ingest(store, csv_bytes(CHANGES), "changes.csv", "stage_history")
    assert result.status == "loaded", result.errors
    # In Progress 01-10 09:00 → Review 01-10 15:00 → Done 01-14 (still there)
    # In Progress 01-05 → Blocked 01-08 (still there). Each stay ends at the item's next change.
    assert rows_of(store, "SELECT source_row, item_id, stage, entered, exited FROM stage_history_rows "
                          "ORDER BY source_row") == [
        (2, "A-1", "Review", D(2026, 1, 10), D(2026, 1, 14)),
        (3, "A-2", "In Progress", D(2026, 1, 5), D(2026, 1, 8)),
        (4, "A-1", "In Progress", D(2026, 1, 10), D(2026, 1, 10)),
        (5, "A-1", "Done", D(2026, 1, 14), None),
        (6, "A-2", "Blocked", D(2026, 1, 8), None)]
    notes = " ".join(result.warnings)
    assert "status-change log" in notes and "2 stays are open" in notes


def test_an_event_log_with_only_entered_times(store):
    data = ("Ticket,Status,Entered\n"
            "T-1,Build,2026-02-10\n"    # row 2
            "T-1,Design,2026-02-01\n"   # row 3
            "T-2,Design,2026-02-03\n"   # row 4
            "T-1,Test,2026-02-20\n")    # row 5
    result = ingest(store, csv_bytes(data), "events.csv", "stage_history")
    assert result.status == "loaded", result.errors
    # T-1: Design 02-01 → Build 02-10 → Test 02-20 (open); T-2: Design 02-03 (open)
    assert rows_of(store, "SELECT source_row, stage, exited FROM stage_history_rows ORDER BY 1") == [
        (2, "Build", D(2026, 2, 20)), (3, "Design", D(2026, 2, 10)), (4, "Design", None), (5, "Test", None)]
    assert "event log" in " ".join(result.warnings)


def test_stays_with_their_own_exit_column_are_left_as_they_are(store):
    data = "Item,Stage,Entered,Exited\nT-1,Design,2026-02-01,\nT-1,Build,2026-02-10,\n"
    result = ingest(store, csv_bytes(data), "stays.csv", "stage_history")
    assert result.status == "loaded"
    assert rows_of(store, "SELECT count(exited) FROM stage_history") == [(0,)]


# --- repeated project ids ------------------------------------------------------------------

REGISTER = ("Project ID,Project Name,Budget,As Of\n"
            "P-1,Alpha,100,2026-03-31\n"   # row 2
            "P-2,Beta,50,2026-03-31\n"     # row 3
            "P-1,Alpha,120,2026-06-30\n"   # row 4: P-1's latest snapshot
            "P-1,Alpha,90,2026-01-31\n")   # row 5: P-1's first snapshot, last in the file


def test_a_register_of_snapshots_loads_the_latest_row_per_project(store):
    result = ingest(store, csv_bytes(REGISTER), "register.csv", "projects")
    assert result.status == "loaded", result.errors
    # P-1 by its As Of date: row 4 (120); P-2: row 3 (50)
    assert rows_of(store, "SELECT source_row, project_id, budget FROM projects_rows ORDER BY 1") == [
        (3, "P-2", 50), (4, "P-1", 120)]
    assert result.rows_loaded == 2 and result.rows_skipped == 2
    assert any("P-1" in w and "latest" in w and "'As Of'" in w for w in result.warnings)
    assert "Project id P-1 appears more than once: loaded the latest row of each (by 'As Of') and left out " \
           "2 other rows." in " ".join(result.warnings)


def test_keep_first_and_keep_all(store):
    first = ingest(store, csv_bytes(REGISTER), "register.csv", "projects", layout=LayoutOptions(keep="first"))
    assert first.status == "loaded"
    assert rows_of(store, "SELECT source_row, budget FROM projects_rows WHERE batch_id IN "
                          "(SELECT id FROM uploads WHERE status = 'active') ORDER BY 1") == [(3, 50), (5, 90)]
    every = ingest(store, csv_bytes(REGISTER), "register.csv", "projects", mode="replace",
                   layout=LayoutOptions(keep="all"))
    assert every.rows_loaded == 4
    assert rows_of(store, "SELECT count(*), sum(budget) FROM projects") == [(4, 360)]  # 100+50+120+90
    both = ingest(store, csv_bytes(REGISTER + "P-2,Beta,60,2026-06-30\n"), "register2.csv", "projects",
                  mode="replace", layout=LayoutOptions(keep="all"))
    assert "Project ids P-1 and P-2 appear more than once: every row was loaded, as chosen." in both.warnings


def test_without_a_date_the_last_row_in_the_file_is_the_latest(store):
    data = "\n".join(line.rsplit(",", 1)[0] for line in REGISTER.splitlines()) + "\n"
    result = ingest(store, csv_bytes(data), "register.csv", "projects")
    assert result.status == "loaded"
    assert rows_of(store, "SELECT source_row, budget FROM projects_rows WHERE batch_id IN "
                          "(SELECT id FROM uploads WHERE status = 'active') ORDER BY 1") == [(3, 50), (5, 90)]


def test_an_unreadable_snapshot_date_is_named(store):
    data = REGISTER.replace("2026-06-30", "mid-year")
    result = ingest(store, csv_bytes(data), "register.csv", "projects")
    assert result.status == "rejected" and uploads(store) == 0
    assert result.errors[0]["message"] == ("Sheet 'register', row 4, column D ('As Of'): 'mid-year' is not a date "
                                           "or month.")


# --- the command line ----------------------------------------------------------------------

def test_cli_scenario_year_and_keep(tmp_path):
    db = str(tmp_path / "cli.duckdb")
    budget = tmp_path / "costs.csv"
    budget.write_text("Business Unit,Jan,Feb,Total\nRetail,10,20,30\n")

    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "alignment", "ingest", str(budget), "--dataset", "spend",
                               "--db", db, *args], capture_output=True, text=True)
        return proc.returncode, proc.stdout

    code, out = run("--scenario", "budget")
    assert code == 1 and "do not say their year" in json.loads(out)["errors"][0]["message"]
    code, out = run("--scenario", "budget", "--year", "2026")
    assert code == 0 and json.loads(out)["rows_loaded"] == 2  # Jan 10 and Feb 20; Total 30 left out
    code, _ = run("--year", "26000")
    assert code == 2


# --- the Data page -------------------------------------------------------------------------

def test_data_page_asks_what_the_amounts_are_and_loads_them(tmp_path, monkeypatch):
    from alignment.store import close_shared_stores
    from tests.test_app_pages import open_page

    monkeypatch.setenv("ALIGNMENT_DB", str(tmp_path / "page.duckdb"))
    close_shared_stores()
    try:
        at = open_page("app_pages/data.py")
        at.file_uploader(key="upload").upload("costs.xlsx", xlsx([["IT costs"], *BUDGET[1:]])).run()
        problems = [m for d in at.dataframe if "message" in d.value for m in d.value["message"]]
        assert len(problems) == 1 and "These amounts are" in problems[0]
        at.selectbox(key="scenario").set_value("budget").run()
        assert "5 rows ready to load" in at.success[0].value  # the 5 month cells of the fixture above
        at.button(key="load").click().run()
        assert "Loaded 5 rows into IT spend" in at.success[0].value
        at.selectbox(key="dataset").set_value("projects").run()
        assert at.radio(key="keep").value == "latest" and not at.exception
    finally:
        close_shared_stores()
