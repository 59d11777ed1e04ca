"""Files users take away: CSV and Excel downloads, and Excel templates to fill in.

Every text cell that a spreadsheet program would run as a formula (starting with = + - @, or a
tab or carriage return) gets a leading apostrophe, the OWASP advice against CSV injection.
"""

from __future__ import annotations

import io
import re

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from alignment import schema

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """'=HYPERLINK(…)' → "'=HYPERLINK(…)"; numbers and safe text pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")  # BOM: Excel reads UTF-8 right


def sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    title = re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "Sheet"
    base, n = title, 2
    while title.lower() in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title.lower())
    return title


def to_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per table, headers bold and frozen."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            title = sheet_title(name, used)
            data = safe_frame(frame)
            for column in data.columns:
                if isinstance(data[column].dtype, pd.DatetimeTZDtype):
                    data[column] = data[column].dt.tz_localize(None)
            data.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            sheet.freeze_panes = "A2"
            for i, column in enumerate(data.columns, start=1):
                sheet.cell(row=1, column=i).font = Font(bold=True)
                width = max([len(str(column))] + [len(str(v)) for v in data[column].head(200).tolist()])
                sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
    return buffer.getvalue()


CHOICES = {
    schema.HEALTH: ["Green", "Amber", "Red"],
    schema.RGT: ["Run", "Grow", "Transform"],
    schema.CAPEX: ["Capex", "Opex"],
    schema.GROUP: ["IT", "Business"],
    schema.DIMENSION: list(schema.LUFTMAN_DIMENSIONS),
    schema.SCENARIO: ["budget", "actual", "forecast"],
}


def template_workbook(dataset: str) -> bytes:
    """An empty sheet with the canonical headers, drop-downs for coded columns, and a guide sheet."""
    ds = schema.get_dataset(dataset)
    columns = ds.stored_columns
    wb = Workbook()
    sheet = wb.active
    sheet.title = ds.name
    required = PatternFill("solid", fgColor="FDE9D9")
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i, value=column.name)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = required
        sheet.column_dimensions[get_column_letter(i)].width = max(14, len(column.name) + 4)
        letter = get_column_letter(i)
        cells = f"{letter}2:{letter}5000"
        if column.kind in CHOICES:
            rule = DataValidation(type="list", formula1='"' + ",".join(CHOICES[column.kind]) + '"',
                                  allow_blank=True, showErrorMessage=True,
                                  error=f"Choose one of: {', '.join(CHOICES[column.kind])}")
        elif column.kind in (schema.SCORE, schema.RISK):
            rule = DataValidation(type="whole", operator="between", formula1="1", formula2="5",
                                  allow_blank=True, showErrorMessage=True, error="A whole number from 1 to 5")
        elif column.kind in (schema.DATE, schema.MONTH):
            rule = DataValidation(type="date", operator="between", formula1="32874", formula2="73415",
                                  allow_blank=True, showErrorMessage=True, error="A date between 1990 and 2100")
        elif column.kind in (schema.MONEY, schema.NUMBER):
            rule = DataValidation(type="decimal", allow_blank=True, operator="between",
                                  formula1="-1E+15", formula2="1E+15", showErrorMessage=True, error="A number")
        elif column.kind == schema.PERCENT:
            rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="1",
                                  allow_blank=True, showErrorMessage=True, error="A share from 0% to 100%")
        else:
            continue
        rule.add(cells)
        sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    guide = wb.create_sheet("How to fill in")
    guide.append(["column", "required", "what it holds", "other headers we recognise"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        guide.append([column.name, "yes" if column.required else "", column.help,
                      ", ".join(column.synonyms[:8])])
    for letter, width in zip("ABCD", (22, 10, 60, 80), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


