"""Issue #9, reading: header rows, camelCase headers, --map by the file's own names, amount units and
currencies, fiscal years and quarters in period columns, and CSV row numbers after multi-line cells.
Every figure is worked out by hand in the comment beside it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from alignment.cli import main
from alignment.ingest import ingest, make_preview
from alignment.mapping import header_forms, parse_map_arguments, propose_mapping
from alignment.parsing import amount_unit, parse_month
from alignment.reading import open_source, read_table
from alignment.store import Store
from tests.conftest import csv_bytes, xlsx
from tests.test_app_pages import empty_db  # noqa: F401 - the fixture


@pytest.fixture
def store():
    with Store(":memory:") as s:
        yield s


def spend(store: Store, columns: str = "period, business_unit, budget, actual") -> list[tuple]:
    return store.cursor().execute(f"SELECT {columns} FROM spend ORDER BY ALL").fetchall()


# --- header detection ------------------------------------------------------------------------

# Row 1 names no known field (French), while the data rows hold 'Budget' (a scenario) and 'Retail':
# the old scan scored row 2 higher (one known word) and took a data row as the header.
FRENCH = [["Mois", "Unité", "Montant", "Scénario"], ["2026-01", "Retail", 100, "Budget"],
          ["2026-02", "Retail", 120, "Actual"]]
FRENCH_MAP = ["Mois=period", "Unité=business_unit", "Montant=amount", "Scénario=scenario"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_full_first_row_of_labels_is_the_header_even_with_no_known_name(kind, store):
    data = (csv_bytes("\n".join(",".join(str(c) for c in row) for row in FRENCH) + "\n") if kind == "csv"
            else xlsx(FRENCH))
    raw = read_table(open_source(data, f"fr.{kind}"), None, "spend")
    assert raw.header_row == 1 and raw.headers == ["Mois", "Unité", "Montant", "Scénario"]
    assert raw.row_numbers.tolist() == [2, 3]
    result = ingest(store, data, f"fr.{kind}", "spend", overrides=parse_map_arguments(FRENCH_MAP))
    assert result.status == "loaded", result.errors
    # row 2: budget 100 for January; row 3: actual 120 for February
    assert spend(store) == [(dt.date(2026, 1, 1), "Retail", 100.0, None), (dt.date(2026, 2, 1), "Retail", None, 120.0)]


def test_a_title_row_above_the_header_is_still_skipped():
    rows = [["IT spend 2026"], [], ["Mois", "Unité", "Montant", "Scénario"], ["2026-01", "Retail", 100, "Budget"]]
    raw = read_table(open_source(xlsx(rows), "t.xlsx"), None, "spend")
    assert raw.header_row == 3 and raw.headers[0] == "Mois" and raw.titles == [(1, "IT spend 2026")]


def test_a_header_with_a_blank_cell_still_wins_over_a_data_row_of_words():
    # The header (row 1) is not full (column C has no name), the data rows are full rows of words:
    # the known names decide, as before, and the header stays row 1.
    rows = [["Project ID", "Name", None, "Sponsor"], ["P1", "Alpha", "x", "Retail"], ["P2", "Beta", "y", "Retail"]]
    raw = read_table(open_source(xlsx(rows), "p.xlsx"), None, "projects")
    assert raw.header_row == 1 and raw.headers == ["Project ID", "Name", "Column C", "Sponsor"]


# --- camelCase and snake_case ----------------------------------------------------------------

def test_camel_and_snake_case_headers_are_split_into_words():
    assert header_forms("plannedCost") == ("plannedcost", "planned cost")
    assert header_forms("projectedEndDate") == ("projectedenddate", "projected end date")
    assert header_forms("project_id") == ("project id",)
    projects = propose_mapping(["projectId", "projectName", "plannedCost", "actualCost", "percentComplete"],
                               "projects")
    assert projects == {"projectId": "project_id", "projectName": "name", "plannedCost": "budget",
                        "actualCost": "actual_cost", "percentComplete": "percent_complete"}
    assert propose_mapping(["project_id", "costCenter", "businessUnit", "postingDate", "netAmount"], "spend") == {
        "project_id": "project_id", "costCenter": "cost_center", "businessUnit": "business_unit",
        "postingDate": "period", "netAmount": "actual"}
    # words written together stay matched as written: splitting 'CapEx' or 'FTEs' would lose them
    assert propose_mapping(["CapEx/OpEx"], "spend") == {"CapEx/OpEx": "capex_opex"}
    assert propose_mapping(["FTEs"], "business_metrics") == {"FTEs": "headcount"}


# --- --map takes the file's own header names -------------------------------------------------

def test_map_accepts_the_files_headers_in_any_case_spacing_or_generated_name(store):
    rows = [["Posting  Month", "ORG UNIT", "Net=Amount", "Actual\nSpend", None],
            ["2026-01", "Retail", 10, 100, "CC-1"]]
    overrides = parse_map_arguments(["posting month=period", "org unit=Business Unit", "Net=Amount=budget",
                                     "actual spend=actual", "column e=cost_center"])
    result = ingest(store, xlsx(rows), "gl.xlsx", "spend", overrides=overrides)
    assert result.status == "loaded", result.errors
    assert result.mapping == {"Posting  Month": "period", "ORG UNIT": "business_unit", "Net=Amount": "budget",
                              "Actual\nSpend": "actual", "Column E": "cost_center"}
    assert spend(store, "period, business_unit, budget, actual, cost_center") == [
        (dt.date(2026, 1, 1), "Retail", 10.0, 100.0, "CC-1")]


def test_map_takes_a_column_letter_and_says_which_headers_exist():
    data = xlsx([["Mois", "Unité", "Montant"], ["2026-01", "Retail", 5]])
    preview = make_preview(data, "x.xlsx", "spend", overrides={"A": "period", "B": "business_unit", "C": "actual"})
    assert preview.mapping == {"Mois": "period", "Unité": "business_unit", "Montant": "actual"}
    with pytest.raises(ValueError, match="There is no column 'Amount' in the file. Its columns are: Mois, Unité"):
        make_preview(data, "x.xlsx", "spend", overrides={"Amount": "actual"})


# --- amount units ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Actual ($000)", (1e3, None)), ("Budget in $K", (1e3, None)), ("Amount USD M", (1e6, "USD")),
    ("Actual (EUR m)", (1e6, "EUR")), ("Amounts in thousands", (1e3, None)), ("Budget TEUR", (1e3, "EUR")),
    ("Actual", (None, None)), ("Plan B", (None, None)), ("Spend on M&A, in M&A terms", (None, None)),
    ("ALL AMOUNTS", (None, None)), ("Actual (USD)", (None, "USD")),
])
def test_units_and_currencies_said_by_headers_and_titles(text, expected):
    assert amount_unit(text) == expected


def test_header_units_scale_amounts_and_the_scale_is_stored(store):
    # 1.5 $000 = 1,500; 2.25 $K = 2,250; 0.4 = 400 and 1.1 = 1,100 (not 1,100.0000000000002)
    data = csv_bytes("Month,Business Unit,Budget ($000),Actual (in $K)\n2026-01,Retail,1.5,2.25\n"
                     "2026-02,Retail,0.4,1.1\n")
    result = ingest(store, data, "k.csv", "spend")
    assert result.status == "loaded", result.errors
    assert result.amount_scale == 1000
    assert spend(store) == [(dt.date(2026, 1, 1), "Retail", 1500.0, 2250.0),
                            (dt.date(2026, 2, 1), "Retail", 400.0, 1100.0)]
    assert any("multiplied by 1,000" in w and "column C ('Budget ($000)')" in w for w in result.warnings)
    assert store.uploads()["amount_scale"].tolist() == [1000.0]


def test_a_title_row_in_millions_scales_every_money_column(store):
    # 'USD M' in the title (row 1): 0.75 M = 750,000 actual, 1.2 M = 1,200,000 budget
    rows = [["Northwind IT spend, USD M"], [], ["Month", "Business Unit", "Budget", "Actual"],
            ["2026-01", "Retail", 1.2, 0.75]]
    result = ingest(store, xlsx(rows), "m.xlsx", "spend")
    assert result.status == "loaded", result.errors
    assert spend(store) == [(dt.date(2026, 1, 1), "Retail", 1_200_000.0, 750_000.0)]
    assert result.amount_scale == 1e6 and "row 1 says 'Northwind IT spend, USD M'" in result.warnings[0]


def test_unit_option_overrides_what_the_file_says(store):
    rows = [["Amounts in thousands"], ["Month", "Business Unit", "Actual"], ["2026-01", "Retail", 7]]
    as_written = make_preview(xlsx(rows), "a.xlsx", "spend", unit=1).validated
    assert as_written.frame["actual"].tolist() == [7.0] and as_written.amount_scale == 1  # 7, not 7,000
    said = make_preview(xlsx(rows), "a.xlsx", "spend").validated
    assert said.frame["actual"].tolist() == [7000.0]  # 7 thousand
    plain = xlsx([["Month", "Business Unit", "Actual"], ["2026-01", "Retail", 7]])
    result = ingest(store, plain, "p.xlsx", "spend", unit=1_000_000)
    assert spend(store, "actual") == [(7_000_000.0,)] and result.amount_scale == 1e6  # 7 million


def test_next_months_file_in_another_unit_keeps_the_remembered_layout(store):
    # 'Actual (USD)' and 'Actual ($000)' are one layout (units in brackets aside): the reworded header
    # is guessed again instead of being dropped, so the file is not refused for having no amount.
    assert ingest(store, xlsx([["Month", "Business Unit", "Actual (USD)"], ["2026-01", "Retail", 2]]), "jan.xlsx",
                  "spend").status == "loaded"
    result = ingest(store, xlsx([["Month", "Business Unit", "Actual ($000)"], ["2026-02", "Retail", 3]]), "feb.xlsx",
                    "spend")
    assert result.status == "loaded", result.errors
    assert spend(store, "period, actual") == [(dt.date(2026, 1, 1), 2.0), (dt.date(2026, 2, 1), 3000.0)]


def test_project_register_amounts_in_thousands(store):
    # budget 250 $K = 250,000; actual cost 100 $K = 100,000
    rows = [["Portfolio — all figures in $K"], ["Project ID", "Name", "Budget", "Actual cost"], ["P1", "CRM", 250, 100]]
    result = ingest(store, xlsx(rows), "p.xlsx", "projects")
    assert result.status == "loaded", result.errors
    assert store.cursor().execute("SELECT budget, actual_cost FROM projects").fetchall() == [(250_000.0, 100_000.0)]


def test_amounts_in_another_currency_are_refused_naming_sheet_row_and_column(store):
    data = xlsx([["Month", "Business Unit", "Actual (EUR m)"], ["2026-01", "Retail", 2]], sheet="GL")
    result = ingest(store, data, "eur.xlsx", "spend")
    assert result.status == "rejected"
    assert result.errors[0]["message"].startswith(
        "Sheet 'GL', row 1, column C ('Actual (EUR m)'): its header says the amounts are in EUR, but this "
        "database holds USD")
    assert store.uploads().empty  # nothing written
    titled = xlsx([["All figures in GBP"], ["Month", "Business Unit", "Actual"], ["2026-01", "Retail", 2]], sheet="GL")
    message = ingest(store, titled, "gbp.xlsx", "spend").errors[0]["message"]
    assert message.startswith("Sheet 'GL', row 1, column C ('Actual'): row 1 ('All figures in GBP') says the "
                              "amounts are in GBP, but this database holds USD")
    # the configured currency is fine, and a EUR database takes the same file: 2 m = 2,000,000
    assert ingest(store, xlsx([["Month", "Business Unit", "Actual (USD)"], ["2026-01", "Retail", 2]]), "usd.xlsx",
                  "spend").status == "loaded"
    store.save_settings({"currency": "EUR"})
    assert ingest(store, data, "eur.xlsx", "spend", mode="replace").status == "loaded"
    assert spend(store, "actual") == [(2_000_000.0,)]


def test_cli_unit_option_and_the_scale_in_its_json(tmp_path, capsys):
    path = tmp_path / "gl.csv"
    path.write_text("Month,Business Unit,Actual\n2026-01,Retail,3\n")
    db = tmp_path / "a.duckdb"
    assert main(["ingest", str(path), "--dataset", "spend", "--db", str(db), "--unit", "1000"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "loaded" and out["amount_scale"] == 1000
    with Store(db) as s:
        assert spend(s, "actual") == [(3000.0,)]  # 3 thousand


# --- fiscal years and quarters ---------------------------------------------------------------

def test_fiscal_years_and_quarters_are_their_first_month():
    # a July start: FY2026 runs July 2025 – June 2026 (named for the year it ends in)
    july = {"2022": dt.date(2021, 7, 1), "FY2022": dt.date(2021, 7, 1), "FY22": dt.date(2021, 7, 1),
            "FY2026": dt.date(2025, 7, 1), 2022: dt.date(2021, 7, 1),
            "Q3 2026": dt.date(2026, 7, 1), "2026-Q3": dt.date(2026, 7, 1),  # calendar quarters
            "Q3 FY26": dt.date(2026, 1, 1), "Q1 FY26": dt.date(2025, 7, 1)}  # FY26 Q3: Jan–Mar 2026
    for value, expected in july.items():
        assert parse_month(value, fiscal_start=7) == expected, value
    assert parse_month("FY2026") == dt.date(2026, 1, 1) and parse_month("Q3 FY26") == dt.date(2026, 7, 1)
    assert parse_month(45658) == dt.date(2025, 1, 1)  # an Excel day number is still a day


def test_a_period_column_of_fiscal_years_uses_the_organisations_start_month(store):
    store.save_settings({"fiscal_year_start_month": 7})
    # 2022 is a number cell: once Excel day 2022 (1905-07-14, refused as out of range)
    rows = [["Period", "Business Unit", "Budget"], [2022, "Retail", 1], ["FY2026", "Retail", 2],
            ["Q3 FY26", "Retail", 3], ["Q3 2026", "Retail", 4]]
    result = ingest(store, xlsx(rows), "fy.xlsx", "spend")
    assert result.status == "loaded", result.errors
    assert spend(store, "budget, period") == [(1.0, dt.date(2021, 7, 1)), (2.0, dt.date(2025, 7, 1)),
                                              (3.0, dt.date(2026, 1, 1)), (4.0, dt.date(2026, 7, 1))]


# --- CSV rows after a cell with line breaks ---------------------------------------------------

@pytest.mark.parametrize("text, row", [
    # row 2 holds a two-line cell, row 3 is empty, 'oops' is on row 4 as Excel shows the file
    ('Month,Business Unit,Actual,Description\n2026-01,Retail,100,"two\nlines"\n\n2026-02,Retail,oops,x\n', 4),
    ('Month,Business Unit,Actual,Description\r\n2026-01,Retail,100,"two\r\nlines"\r\n\r\n2026-02,Retail,oops,x\r\n', 4),
    # the cell itself holds an empty line: still one row, so 'oops' is on row 3
    ('Month,Business Unit,Actual,Description\n2026-01,Retail,100,"two\n\nlines"\n2026-02,Retail,oops,x\n', 3),
    ('Month,Business Unit,Actual,Description\n2026-01,Retail,100,"two\nlines"\n2026-02,Retail,oops,x\n', 3),
])
def test_csv_rows_after_a_multi_line_cell_are_the_rows_excel_shows(text, row):
    errors = make_preview(csv_bytes(text), "f.csv", "spend").validated.errors
    assert [e.row for e in errors] == [row]
    assert errors[0].message.startswith(f"Sheet 'f', row {row}, column C ('Actual'): 'oops'")


# --- the Data page ---------------------------------------------------------------------------

def test_data_page_offers_the_unit_and_shows_the_scale(empty_db):  # noqa: F811
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parent.parent / "app.py")
    at = AppTest.from_file(app, default_timeout=60).run()
    at.switch_page("app_pages/data.py")
    at.run()
    at.file_uploader(key="upload").upload("k.xlsx", xlsx([["Month", "Business unit", "Actual ($000)"],
                                                          ["2026-01", "Retail", 2]])).run()
    assert "Amounts are multiplied by 1,000 as they load." in [c.value for c in at.caption]
    assert any("thousands (the header says so)" in w.value for w in at.warning)
    at.selectbox(key="unit").set_value(1).run()
    assert "Amounts are loaded as written." in [c.value for c in at.caption]
    at.button(key="load").click().run()
    import app_pages.common as common

    cur = common.get_store().cursor()
    assert cur.execute("SELECT actual FROM spend").fetchall() == [(2.0,)]  # as written, by choice
    assert cur.execute("SELECT amount_scale FROM uploads").fetchall() == [(1.0,)]
