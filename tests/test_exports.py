import io

import openpyxl
import pandas as pd

from alignment.exports import neutralise, template_workbook, to_csv, to_xlsx
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
