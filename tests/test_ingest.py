import datetime as dt

import pytest

from alignment.ingest import ingest, make_preview
from tests.conftest import BACKENDS, csv_bytes, xlsx

HEADER = ["Month", "Business Unit", "Cost Centre", "Supplier", "Actual (USD)", "Budget"]


def gl(*rows):
    return xlsx([["Acme IT spend FY25"], [], HEADER, *rows], sheet="GL")


def test_loads_a_messy_workbook(store):
    data = gl([dt.date(2025, 1, 31), " Retail ", "CC1", "AWS", "$1,234.50", 1000],
              ["Feb-2025", "Retail", "CC2", "MSFT", "(250.00)", "1.000,00"],
              [None] * 6,
              ["Total", None, None, None, 984.5, 2000])
    result = ingest(store, data, "gl.xlsx", "spend")
    assert result.status == "loaded" and result.rows_loaded == 2 and result.rows_skipped == 2
    assert any("Skipped 1 total row in" in w and ": row 7." in w for w in result.warnings)
    assert result.mapping == {"Month": "period", "Business Unit": "business_unit", "Cost Centre": "cost_center",
                              "Supplier": "vendor", "Actual (USD)": "actual", "Budget": "budget"}
    got = store.cursor().execute("SELECT period, business_unit, actual, budget FROM spend ORDER BY period").fetchall()
    assert got == [(dt.date(2025, 1, 1), "Retail", 1234.5, 1000.0), (dt.date(2025, 2, 1), "Retail", -250.0, 1000.0)]


def test_bad_rows_are_named_and_nothing_is_written(store):
    data = gl(["2025-01", "Retail", "CC1", "AWS", 10, 10], ["2025-13", "Retail", "CC1", "AWS", "abc", 5])
    result = ingest(store, data, "gl.xlsx", "spend")
    assert result.status == "rejected" and result.batch_id is None
    errors = {(e["sheet"], e["row"], e["column"]) for e in result.errors}
    assert errors == {("GL", 5, "Month"), ("GL", 5, "Actual (USD)")}
    assert "Sheet 'GL', row 5, column E ('Actual (USD)'): 'abc' is not an amount." in \
        [e["message"] for e in result.errors]
    assert store.cursor().execute("SELECT count(*) FROM uploads").fetchone()[0] == 0
    assert store.cursor().execute("SELECT count(*) FROM spend_rows").fetchone()[0] == 0


def test_missing_required_column_names_the_field(store):
    result = ingest(store, xlsx([["Month", "Actual"], ["2025-01", 5]]), "x.xlsx", "spend")
    assert result.status == "rejected"
    # named as the Data page names the column, with what it holds
    assert result.errors[0]["message"] == ("Sheet 'Sheet1', row 1: required column 'Business unit' was not found "
                                           "(the business unit the cost serves); map one of your columns to it.")


def test_problems_are_listed_in_the_sheets_order_row_then_column(store, monkeypatch):
    """The checks go column by column; the list reads down the sheet as the user fixes it."""
    data = xlsx([["Month", "Business unit", "Actual"], ["2025-01", "Retail", 1],
                 ["2025-02", None, 2], ["2025-03", "Retail", "abc"], ["2025-13", "Retail", 3],
                 ["2025-14", "Retail", "xyz"]])
    places = lambda result: [(e["row"], e["column"]) for e in result.errors]  # noqa: E731
    assert places(ingest(store, data, "x.xlsx", "spend")) == [
        (3, "Business unit"), (4, "Actual"), (5, "Month"), (6, "Month"), (6, "Actual")]
    # past the most listed, the first in the sheet are kept, whichever column they were found in
    import alignment.validation as validation

    monkeypatch.setattr(validation, "MAX_ERRORS", 3)
    result = ingest(store, data, "x.xlsx", "spend")
    assert places(result) == [(3, "Business unit"), (4, "Actual"), (5, "Month"), (None, None)]
    assert result.errors[-1]["message"] == "…and 2 more problems not listed."


def test_problems_name_a_datasets_columns_as_the_data_page_does(store):
    missing = ingest(store, xlsx([["Month", "Business unit", "Cost centre"], ["2025-01", "Retail", "CC1"]]),
                     "x.xlsx", "spend")
    assert missing.errors[0]["message"].endswith(
        "none of the columns 'Budget', 'Actual spend', 'Forecast', 'Amount', 'Debit' or 'Credit' was found; "
        "at least one is needed.")
    blank = ingest(store, xlsx([["Month", "Business unit", "Actual (USD)", "Budget"], ["2025-01", "Retail", None, None],
                                ["2025-01", "Retail", 1, None]]), "y.xlsx", "spend")
    assert [e["message"] for e in blank.errors] == [
        "Sheet 'Sheet1', row 2, column D ('Budget'): the line has no amount ('Budget' and 'Actual (USD)' both blank)."]
    stays = ingest(store, xlsx([["Item", "Stage", "Entered", "Exited"], ["I1", "Build", "2025-03-01", "2025-02-01"]]),
                   "z.xlsx", "stage_history")
    assert stays.errors[0]["message"].endswith("exited stage 2025-02-01 is before entered stage 2025-03-01.")
    # the command line takes a column as those sentences name it, as well as by its field name
    named = ingest(store, csv_bytes("When,Unit,Spent\n2025-01,Retail,5\n"), "a.csv", "spend",
                   overrides={"When": "Month", "Unit": "Business unit", "Spent": "actual spend"})
    assert named.status == "loaded" and named.mapping == {"When": "period", "Unit": "business_unit",
                                                          "Spent": "actual"}


def test_required_blank_and_ranges(store):
    data = xlsx([["Project ID", "Name", "% Complete", "Planned Start", "Planned End"],
                 ["P1", None, "150%", "2025-01-01", "2024-01-01"], ["P2", "Ok", "50%", "1850-01-01", None]])
    messages = " | ".join(e["message"] for e in ingest(store, data, "p.xlsx", "projects").errors)
    assert "row 2, column B ('Name'): 'Project name' is required but blank" in messages
    assert "between 0% and 100%" in messages and "is before planned start" in messages
    assert "outside the sane range" in messages


def test_refusals(store):
    assert "empty" in ingest(store, b"", "e.xlsx", "spend").errors[0]["message"]
    header_only = ingest(store, xlsx([["Month", "Business Unit", "Actual"]]), "h.xlsx", "spend")
    assert header_only.status == "rejected" and "no data rows" in header_only.errors[0]["message"]
    assert "not an Excel workbook" in ingest(store, b"hello", "x.xlsx", "spend").errors[0]["message"]


def test_dry_run_writes_nothing(store):
    result = ingest(store, gl(["2025-01", "Retail", "CC1", "AWS", 10, 10]), "gl.xlsx", "spend", dry_run=True)
    assert result.status == "dry-run" and result.rows_loaded == 1
    assert store.cursor().execute("SELECT count(*) FROM uploads").fetchone()[0] == 0


def test_the_same_file_twice_is_refused_in_append_mode(store):
    data = gl(["2025-01", "Retail", "CC1", "AWS", 10, 10])
    assert ingest(store, data, "gl.xlsx", "spend").status == "loaded"
    again = ingest(store, data, "gl.xlsx", "spend")
    assert again.status == "rejected" and "already loaded as upload 1" in again.errors[0]["message"]
    assert ingest(store, data, "gl.xlsx", "spend", mode="replace").status == "loaded"


def test_the_same_rows_from_another_file_are_refused_in_append_mode(store):
    """A review loaded three November lines as good.csv, then as good.xlsx: only byte-identical files
    were caught, so November counted twice. The rows as stored (any order) are compared too."""
    rows = [["2025-01", "Retail", "CC1", "AWS", 10, 10], ["2025-01", "Ops", "CC2", "Azure", 5, 4.5]]
    assert ingest(store, gl(*rows), "good.xlsx", "spend").status == "loaded"
    header = ",".join(HEADER) + "\n"  # the same columns as the workbook's, as text
    as_csv = csv_bytes(header + "".join(",".join(map(str, r)) + "\n" for r in reversed(rows)))
    again = ingest(store, as_csv, "good.csv", "spend")
    assert again.status == "rejected" and again.errors[0]["message"] == (
        "Every row of this file is already loaded, as upload 1 (good.xlsx): appending it would count those figures "
        "twice. To load it in place of that upload, undo upload 1 first, then load this file (Replace takes every "
        "current upload of IT spend out of the figures).")
    cur = store.cursor()
    assert cur.execute("SELECT count(*), sum(actual) FROM spend").fetchone() == (2, 15)  # nothing of it kept
    assert cur.execute("SELECT count(*) FROM uploads").fetchone()[0] == 1
    # A year-to-date extract sent again with one more line holds every row of upload 1: refused too.
    more = [*rows, ["2025-02", "Retail", "CC1", "AWS", 12, 10]]
    one_more = csv_bytes(header + "".join(",".join(map(str, r)) + "\n" for r in more))
    again = ingest(store, one_more, "ytd.csv", "spend")
    assert again.status == "rejected" and again.errors[0]["message"].startswith(
        "This file holds every row of upload 1 (good.xlsx, 2 rows) again: appending it would count those figures")
    # ...and so does a month re-sent from it: every one of its rows is loaded already.
    again = ingest(store, csv_bytes(header + ",".join(map(str, rows[1])) + "\n"), "ops.csv", "spend")
    assert again.status == "rejected" and again.errors[0]["message"].startswith(
        "Every row of this file is already loaded, in upload 1 (good.xlsx):")
    # One equal line beside new ones (two invoices alike) is not a duplicate.
    mixed = csv_bytes(header + ",".join(map(str, rows[1])) + "\n2025-03,Ops,CC2,Azure,7,7\n")
    assert ingest(store, mixed, "march.csv", "spend").status == "loaded"
    assert cur.execute("SELECT count(*), sum(actual) FROM spend").fetchone() == (4, 27)
    assert ingest(store, as_csv, "good.csv", "spend", mode="replace").status == "loaded"
    assert cur.execute("SELECT count(*), sum(actual) FROM spend").fetchone() == (2, 15)


def test_mapping_overrides_and_remembered_mapping(store):
    data = csv_bytes("When,Division,Money,Notes\n2025-01,Retail,5,x\n")
    result = ingest(store, data, "a.csv", "spend", overrides={"When": "period", "Money": "actual"})
    assert result.status == "loaded" and result.mapping["Money"] == "actual"
    preview = make_preview(csv_bytes("When,Division,Money,Notes\n2025-02,Ops,7,y\n"), "b.csv", "spend", store=store)
    assert preview.remembered and preview.mapping["Money"] == "actual"


def test_long_spend_layout(store):
    data = csv_bytes("Month,BU,Scenario,Amount\n2025-01,Retail,Budget,100\n2025-01,Retail,Actual,90\n"
                     "2025-01,Retail,Forecast,95\n")
    assert ingest(store, data, "long.csv", "spend").status == "loaded"
    assert store.cursor().execute("SELECT sum(budget), sum(actual), sum(forecast) FROM spend").fetchone() == \
        (100.0, 90.0, 95.0)


def test_wide_survey_is_melted(store):
    data = xlsx([["Respondent", "Group", "Wave", "IT understands our business", "We measure IT value"],
                 ["r1", "IT", "W1", 4, "Agree"], ["r2", "Business", "W1", "strongly disagree", 2]])
    result = ingest(store, data, "s.xlsx", "survey")
    assert result.status == "loaded" and result.rows_loaded == 4
    got = store.cursor().execute("SELECT respondent_id, question, score, dimension FROM survey "
                                 "ORDER BY respondent_id, question").fetchall()
    assert got[0] == ("r1", "IT understands our business", 4, "Communications")
    assert got[1] == ("r1", "We measure IT value", 4, "Value measurement")
    assert got[2][2] == 1


def test_wide_survey_errors_name_the_question_column(store):
    data = xlsx([["Respondent", "Group", "Q one", "Q two"], ["r1", "IT", 4, 9]])
    result = ingest(store, data, "s.xlsx", "survey")
    assert result.status == "rejected"
    assert (result.errors[0]["row"], result.errors[0]["column"]) == (2, "Q two")


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_concurrent_appends_of_the_same_file_load_it_once(tmp_path, backend, request):
    import threading

    from alignment.store import Store

    shared = Store(tmp_path / "race.duckdb") if backend == "duckdb" else Store(request.getfixturevalue("lake")())
    data = gl(["2025-01", "Retail", "CC1", "AWS", 10, 10])
    results = []
    threads = [threading.Thread(target=lambda: results.append(ingest(shared, data, "gl.xlsx", "spend").status))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["loaded", "rejected", "rejected", "rejected"]
    assert shared.cursor().execute("SELECT count(*) FROM spend").fetchone()[0] == 1
    shared.close()


def test_dry_run_also_reports_a_duplicate(store):
    data = gl(["2025-01", "Retail", "CC1", "AWS", 10, 10])
    ingest(store, data, "gl.xlsx", "spend")
    result = ingest(store, data, "gl.xlsx", "spend", dry_run=True)
    assert result.status == "rejected" and "already loaded as upload 1" in result.errors[0]["message"]


def test_progress_is_told_each_stage_in_order_and_ends_done(store):
    told = []
    data = gl(["2025-01", "Retail", "CC1", "AWS", 10, 10], ["2025-02", "Retail", "CC1", "AWS", 20, 10])
    assert ingest(store, data, "gl.xlsx", "spend", progress=lambda s, f: told.append((s, f))).status == "loaded"
    stages = [s for s, _ in told]
    assert sorted(set(stages), key=stages.index) == ["read", "check", "store"]
    assert stages == sorted(stages, key=["read", "check", "store"].index)  # no stage comes back
    for stage in ("read", "check", "store"):
        fractions = [f for s, f in told if s == stage]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) <= 21
        assert all(0.0 <= f <= 1.0 for f in fractions)


def test_progress_stops_before_store_when_the_file_is_refused(store):
    told = []
    data = gl(["2025-13", "Retail", "CC1", "AWS", "abc", 10])
    assert ingest(store, data, "gl.xlsx", "spend", progress=lambda s, f: told.append((s, f))).status == "rejected"
    assert {s for s, _ in told} == {"read", "check"}


def test_a_large_csv_tells_its_reading_as_the_rows_arrive(store):
    told = []
    rows = "".join(f"2025-{m % 12 + 1:02d},Retail,{m}\n" for m in range(30_000))
    result = ingest(store, csv_bytes("Month,Business Unit,Actual\n" + rows), "big.csv", "spend",
                    progress=lambda s, f: told.append((s, f)))
    assert result.status == "loaded" and result.rows_loaded == 30_000
    reading = [f for s, f in told if s == "read"]
    assert len([f for f in reading if 0 < f < 1]) >= 2  # batches of 10,000 rows: a bar that moves
    assert reading == sorted(reading) and reading[-1] == 1.0 and len(reading) <= 22


def test_rows_stream_into_the_table_batch_by_batch_cell_for_cell(store, monkeypatch):
    """Text reaches DuckDB dictionary-encoded batch by batch, each batch with its own dictionary:
    every cell must still land in its row, blanks blank, a column the frame lacks null."""
    import pandas as pd

    from alignment import store as store_module

    monkeypatch.setattr(store_module, "ROWS_PER_SCAN", 3)
    units = ["Retail", "Wholesale", None, "Retail", "Shared", "Shared", None, "Cards"]
    frame = pd.DataFrame({"period": [dt.date(2025, 1 + i, 1) for i in range(8)], "business_unit": units,
                          "vendor": pd.array(["AWS", None, "MSFT", "Acme", "AWS", "Ácme", "x", None],
                                             dtype="string[pyarrow]"),
                          "actual": [float(i) for i in range(8)]})
    store.add_batch("spend", frame, source_rows=list(range(10, 18)))
    got = store.cursor().execute("SELECT source_row, period, business_unit, vendor, actual, description "
                                 "FROM spend_rows ORDER BY source_row").fetchall()
    assert got == [(10 + i, dt.date(2025, 1 + i, 1), units[i], frame["vendor"].iloc[i]
                    if not pd.isna(frame["vendor"].iloc[i]) else None, float(i), None) for i in range(8)]


def test_a_column_of_mixed_python_values_still_stores(store):
    """Arrow cannot type a column holding a number and a word; DuckDB scans that frame as pandas."""
    import pandas as pd

    frame = pd.DataFrame({"period": [dt.date(2025, 1, 1)] * 2, "business_unit": ["Retail", "Retail"],
                          "vendor": pd.Series([1, "Acme"], dtype=object), "actual": [1.0, 2.0]})
    store.add_batch("spend", frame)
    got = store.cursor().execute("SELECT vendor FROM spend_rows ORDER BY source_row").fetchall()
    assert got == [("1",), ("Acme",)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_given_by_path_loads_as_its_bytes_do_and_is_the_same_upload(store, tmp_path, kind):
    """The command line gives a path (a csv is then read on disk); the Data page gives bytes. The
    same file either way is the same upload: the second is refused as a duplicate."""
    rows = [["2025-01", "Retail", "CC1", "AWS", 10, 10], ["2025-02", "Retail", "CC1", "Café", 20, 10]]
    data = gl(*rows) if kind == "xlsx" else csv_bytes(
        "Month,Business unit,Cost center,Vendor,Actual,Budget\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    path = tmp_path / f"gl.{kind}"
    path.write_bytes(data)
    by_path = ingest(store, path, path.name, "spend")
    assert by_path.status == "loaded" and by_path.rows_loaded == 2
    assert store.cursor().execute("SELECT vendor, actual FROM spend ORDER BY actual").fetchall() == [
        ("AWS", 10), ("Café", 20)]
    again = ingest(store, data, path.name, "spend")
    assert again.status == "rejected" and "already loaded as upload 1" in again.errors[0]["message"]


def test_a_mapping_that_cannot_be_remembered_leaves_the_load_loaded_with_a_warning(store, monkeypatch):
    """The batch commits first; the mapping is remembered in its own transaction. If that one fails
    (a write conflict that never cleared), the user is told the rows are in, not that nothing was."""
    from alignment.store import WriteConflict

    def busy(*_):
        raise WriteConflict("busy")

    monkeypatch.setattr(store, "save_mapping", busy)
    result = ingest(store, gl(["2025-01", "Retail", "CC1", "AWS", 10, 10]), "gl.xlsx", "spend")
    assert result.status == "loaded" and result.rows_loaded == 1
    assert any("could not be remembered" in w for w in result.warnings)
    assert store.cursor().execute("SELECT count(*) FROM spend").fetchone()[0] == 1


def test_a_text_cell_far_below_a_number_column_is_reported_not_dropped(store):
    """fastexcel types a column from a sample of rows unless told to read them all; a word in the
    amounts 1,500 rows down must be named with its row, never become an empty cell."""
    rows = [["2025-01", "Retail", "CC1", "AWS", 10, 10]] * 1500 + [["2025-01", "Retail", "CC1", "AWS", "ten", 10]]
    result = ingest(store, gl(*rows), "gl.xlsx", "spend")
    assert result.status == "rejected"
    assert [(e["row"], e["column"]) for e in result.errors] == [(1504, "Actual (USD)")]
    assert store.cursor().execute("SELECT count(*) FROM spend").fetchone()[0] == 0
