import datetime as dt
import io

import openpyxl
import pandas as pd

from alignment.exports import describe_filters, heading, neutralise, template_workbook, to_csv, to_xlsx
from alignment.ingest import ingest


def test_formula_cells_are_neutralised():
    assert [neutralise(v) for v in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "safe", 5)] == \
        ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "safe", 5]
    frame = pd.DataFrame({"vendor": ["=HYPERLINK(\"http://x\")", "Acme"], "actual": [-5.0, 3.0]})
    text = to_csv(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "-5.0" in text  # numbers stay numbers
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"Vendors": frame})))
    assert book["Vendors"]["A2"].value.startswith("'=")


def test_dashboard_workbook_has_a_sheet_per_table():
    frames = {"Spend by goal": pd.DataFrame({"a": [1]}), "Budget vs actual: month/unit?": pd.DataFrame({"b": [2]})}
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(frames)))
    assert book.sheetnames == ["Spend by goal", "Budget vs actual  month unit "]


def test_templates_have_headers_and_dropdowns(store):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook("projects")))
    sheet = book["projects"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["project_id", "name", "business_unit"]
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert '"Green,Amber,Red"' in lists
    # A filled-in template loads as it is.
    sheet.append(["P1", "Pilot", "Retail"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert ingest(store, buffer.getvalue(), "t.xlsx", "projects", sheet="projects").status == "loaded"


def dashboard(frames: dict[str, pd.DataFrame]) -> openpyxl.Workbook:
    top = heading("Spend & value", {"period_from": dt.date(2026, 1, 1), "period_to": dt.date(2026, 3, 31),
                                    "business_unit": "Retail"}, dt.date(2026, 11, 23))
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(frames, title=top)))


def test_dashboard_workbook_reads_like_the_screen():
    goals = pd.DataFrame({"business_goal": ["Grow", "Run"], "is_unmapped": [False, True],
                          "actual": [1200.0, 2800.0], "share_of_spend": [0.3, 0.7], "value_per_dollar": [1.5, 0.5]})
    sheet = dashboard({"Spend by goal": goals})["Spend by goal"]
    assert sheet["A1"].value == ("Spend by goal — Spend & value · Months 2026-01 to 2026-03, Retail · "
                                 "as of 23 Nov 2026")
    assert [c.value for c in sheet[3]] == ["Business goal", "No business goal", "Actual spend", "Share of spend",
                                           "Benefit ÷ spend, to date"]
    assert sheet.freeze_panes == "A4"  # the title and the header row stay in view
    assert [c.value for c in sheet[4]] == ["Grow", "No", 1200, 0.3, 1.5]
    assert sheet["C4"].number_format == '"$"#,##0;-"$"#,##0' and sheet["D4"].number_format == "0.0%"
    # Spend and shares add up; benefit per dollar is a rate and does not.
    assert [c.value for c in sheet[6]] == ["Total", None, 4000, 1, None] and sheet["C6"].font.bold
    assert sheet.column_dimensions["A"].width >= len("Business goal")


def test_a_list_of_projects_has_no_total_and_dates_have_no_time():
    projects = pd.DataFrame({"project_id": ["P1", "P2"], "budget": [10.0, 20.0],
                             "planned_end": pd.to_datetime(["2026-03-31", None]), "period": pd.to_datetime(
                                 ["2026-01-01", "2026-02-01"])})
    sheet = dashboard({"Projects": projects})["Projects"]
    assert sheet.max_row == 5  # title, blank, header, two projects
    assert sheet["C4"].number_format == "d mmm yyyy" and sheet["D4"].number_format == "mmm yyyy"
    assert sheet["C5"].value is None  # a blank stays blank


def test_empty_tables_get_no_sheet():
    book = dashboard({"Comments": pd.DataFrame({"comment": []}), "Gap": pd.DataFrame({"gap": [0.5]})})
    assert book.sheetnames == ["Gap"]
    book = dashboard({"Comments": pd.DataFrame({"comment": []})})
    assert book.sheetnames == ["No data"] and "no table has rows" in book["No data"]["A1"].value


def test_the_dashboard_workbook_holds_no_formula_in_titles_headers_or_cells():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"=Sheet": pd.DataFrame({"=1+1": ["@cmd"], "actual": [-5.0]})},
                                                     title="=HYPERLINK(\"x\")")))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))] == []
    assert book.active["B4"].value == -5  # numbers stay numbers


def test_a_chosen_display_unit_formats_the_cells_and_keeps_the_exact_amount():
    from alignment.formatting import use_money_style

    use_money_style("EUR", "k")
    try:
        sheet = dashboard({"t": pd.DataFrame({"actual": [1234.5]})})["t"]
    finally:
        use_money_style("USD")
    assert sheet["A4"].value == 1234.5 and sheet["A4"].number_format == '"€"#,##0.0,"k";-"€"#,##0.0,"k"'


def test_the_title_row_names_only_the_filters_a_view_takes():
    assert describe_filters({"period_from": None, "period_to": dt.date(2026, 6, 30), "business_unit": None}) == \
        "Months to 2026-06, all business units"
    assert describe_filters({"business_unit": "Retail", "wave": "2026-Q1"}) == "Retail, survey wave 2026-Q1"
