"""Files users take away: CSV and Excel downloads, and Excel templates to fill in.

Every text cell that a spreadsheet program would run as a formula gets an apostrophe, the OWASP
advice against CSV injection. A cell is dangerous when it starts with = + - @, a tab, a carriage
return or a line feed, or when any piece of it that a spreadsheet might read as a cell of its own
does: a line (a spreadsheet may split a cell at a bare carriage return, and a participant's comment
'=1+1<CR>=2+2' would then start a row with a formula), or what follows a semicolon or a tab (Excel
in a semicolon locale, or a paste, splits a comma-separated file there, and only a quote at the
start of a cell protects it). So line breaks become line feeds, and an apostrophe goes before every
such piece that starts like a formula: '=1+1<CR>=2+2' → "'=1+1<LF>'=2+2", 'Acme;=1+1' → "Acme;'=1+1".
Text is neutralised whatever its type (plain, pandas string, categorical or DuckDB ENUM, inside
lists and structs); numbers, dates and booleans pass unchanged, so -5 in an amount column stays
a number while the text '-5' becomes "'-5". CSV also quotes every text cell (OWASP again), so a
line break stays inside its cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from alignment import labels, schema
from alignment.formatting import UNITS, currency_symbol, display_unit, upper_first
from alignment.labels import label, unit
from alignment.tables import MONTH_FIELDS, words

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet
# openpyxl is imported where a workbook is written: every page imports this module for its csv
# downloads, and openpyxl's import (about 0.15 s) would delay a server's first page for nothing.

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_LINE_BREAK = re.compile(r"\r\n?")
# Where a piece a spreadsheet may read as its own cell starts like a formula.
_FORMULA_PIECE = re.compile(r"(?:^|(?<=[;\t]))(?=[=+\-@\t])", re.MULTILINE)
_MAYBE_SPLIT = re.compile(r"[\r\n;\t]")


def _neutralise_text(text: str) -> str:
    if not text.startswith(FORMULA_START) and not _MAYBE_SPLIT.search(text):
        return text
    text = _FORMULA_PIECE.sub("'", _LINE_BREAK.sub("\n", text))
    return "'" + text if text.startswith("\n") else text


def neutralise(value: object) -> object:
    """'=HYPERLINK(…)' → "'=HYPERLINK(…)", 'ok\\r=1' → "ok\\n'=1", 'a;@b' → "a;'@b"; numbers and safe
    text pass unchanged.
    Lists and structs (DuckDB LIST, STRUCT, MAP) are neutralised element by element."""
    if isinstance(value, str):
        return _neutralise_text(value)
    if isinstance(value, dict):
        return {neutralise(k): neutralise(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [neutralise(v) for v in value]
    return value


def _holds_text(series: pd.Series) -> bool:
    """Anything but numbers, booleans, dates and durations may hold text (object, string, categorical)."""
    dtype = series.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                or pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose every text cell and header is formula-safe; by position, so repeated names work."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if _holds_text(column):
            out.isetitem(i, column.astype(object).map(neutralise))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, raw: bool = False) -> str:
    """CSV with every text cell quoted (embedded line breaks stay inside their cell); ``raw`` leaves
    values as they are, for pipelines that must get exactly what is stored."""
    data = frame if raw else safe_frame(frame)
    return data.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")


def to_csv(frame: pd.DataFrame) -> bytes:
    return csv_text(frame).encode("utf-8-sig")  # BOM: Excel reads UTF-8 right


def _cell_value(value: object) -> object:
    """What openpyxl can store: lists and structs as text, no control characters (it refuses them)."""
    if isinstance(value, list | dict):
        value = str(value)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _xlsx_frame(frame: pd.DataFrame) -> pd.DataFrame:
    data = safe_frame(frame)
    for i in range(data.shape[1]):
        column = data.iloc[:, i]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            data.isetitem(i, column.dt.tz_localize(None))
        elif _holds_text(column):
            data.isetitem(i, column.map(_cell_value))
    data.columns = [_cell_value(c) for c in data.columns]
    return data


def sheet_title(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    title = re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "Sheet"
    base, n = title, 2
    while title.lower() in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title.lower())
    return title


# Tables that break a whole into parts (by goal, unit, vendor, month, sponsor) get a total row, of
# the columns that add up; rates, per-head figures and indices do not, so they are left blank.
BREAKDOWN_KEYS = {"business_goal", "business_unit", "vendor", "category", "rank", "month", "tower", "cost_pool"}
ADDITIVE = {"actual", "budget", "forecast", "variance", "budget_to_date", "year_end_budget", "outlook",
            "outlook_variance", "direct_cost", "allocated_shared", "total_cost", "cost_in_ratio_months",
            "expected_benefit", "realized_benefit", "spend_to_date", "share_of_spend", "amount", "projects", "late",
            "over_budget", "red", "cost_variance", "unmapped", "lines", "revenue"}
TOTAL = "Total"


def excel_format(field: str, series: pd.Series) -> str | None:
    """The Excel number format of a column, from its unit in the label table."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "mmm yyyy" if field in MONTH_FIELDS else "d mmm yyyy"
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return None
    kind, integer = unit(field), pd.api.types.is_integer_dtype(series.dtype)
    if kind == labels.MONEY:
        symbol, scale = currency_symbol().strip().replace('"', ""), display_unit()
        if scale in UNITS:  # Excel scales by a thousand per trailing comma; the cell keeps the exact amount
            commas = "," * {"k": 1, "m": 2, "bn": 3}[scale]
            return f'"{symbol}"#,##0.0{commas}"{scale}";-"{symbol}"#,##0.0{commas}"{scale}"'
        return f'"{symbol}"#,##0;-"{symbol}"#,##0'
    return {labels.SHARE: "0.0%", labels.COUNT: "#,##0", labels.YEAR: "0", labels.SCORE: "0.00",
            labels.RATIO: "0.00"}.get(kind or "", "#,##0" if integer else "#,##0.0")


def totals(frame: pd.DataFrame) -> list[object] | None:
    """A total row for a breakdown table (see BREAKDOWN_KEYS), or None."""
    if len(frame) < 2 or not len(frame.columns) or str(frame.columns[0]) not in BREAKDOWN_KEYS:
        return None
    fields = [str(c) for c in frame.columns]
    if not ADDITIVE.intersection(fields):
        return None
    row: list[object] = [None] * len(fields)
    for i, field in enumerate(fields):
        column = frame.iloc[:, i]
        if field in ADDITIVE and pd.api.types.is_numeric_dtype(column.dtype) \
                and not pd.api.types.is_bool_dtype(column.dtype):
            row[i] = round(float(column.sum()), 2) if column.notna().any() else None
    texts = [i for i, field in enumerate(fields) if row[i] is None and field != "rank"]
    row[texts[0] if texts else 0] = TOTAL
    return row


def heading(title: str, filters: dict[str, object], on: dt.date) -> str:
    """'Spend & value · Months 2026-01 to 2026-06 · All business units · as of 23 Nov 2026'."""
    return " · ".join([title, describe_filters(filters), f"as of {on.day} {on:%b %Y}"])


def describe_filters(filters: dict[str, object]) -> str:
    """The filters in words, for a title row or a title slide. Months are named only where the
    view takes them (a page the month filter does not apply to passes no period)."""
    start, end = (_month(filters.get(k)) for k in ("period_from", "period_to"))
    months = ([f"months {start} to {end}" if start and end else f"months from {start}" if start
               else f"months to {end}" if end else "all months"]
              if "period_from" in filters or "period_to" in filters else [])
    unit_ = filters.get("business_unit") or "all business units"
    extra = [f"{label(k).lower()} {v}" for k, v in filters.items()
             if k not in ("period_from", "period_to", "business_unit") and v not in (None, "")]
    text = ", ".join([*months, str(unit_), *extra])
    return upper_first(text)


def _month(value: object) -> str | None:
    """A date, or an ISO date as typed on the command line, as its month: 2026-01."""
    if value in (None, ""):
        return None
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)[:7]


def _flags_as_words(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if pd.api.types.is_bool_dtype(column.dtype):
            out.isetitem(i, words(column))
    return out


def _write_sheet(sheet: Worksheet, frame: pd.DataFrame, title: str | None) -> None:
    """A table as the screen shows it: title rows, business headers, formats, totals, frozen header."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fields = [str(c) for c in frame.columns]
    first = 1
    if title is not None:
        sheet.cell(row=1, column=1, value=_cell_value(neutralise(title))).font = Font(bold=True, size=13)
        first = 3
        data = _xlsx_frame(_flags_as_words(frame))
        headers = [_cell_value(neutralise(label(f))) for f in fields]
    else:
        data = _xlsx_frame(frame)
        headers = list(data.columns)
    for i, header in enumerate(headers, start=1):
        sheet.cell(row=first, column=i, value=header).font = Font(bold=True)
    rows = data.astype(object).where(data.notna(), None).itertuples(index=False, name=None)
    for r, values in enumerate(rows, start=first + 1):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    total = totals(frame) if title is not None else None
    last = first + len(data)
    if total:
        last += 1
        for c, value in enumerate(total, start=1):
            sheet.cell(row=last, column=c, value=value).font = Font(bold=True)
    for i, field in enumerate(fields, start=1):
        fmt = excel_format(field, frame.iloc[:, i - 1]) if title is not None else None
        if fmt:
            for r in range(first + 1, last + 1):
                sheet.cell(row=r, column=i).number_format = fmt
        values = data.iloc[:200, i - 1].tolist()
        width = max([len(str(headers[i - 1]))] + [len(str(v)) + (4 if fmt else 0) for v in values if v is not None])
        sheet.column_dimensions[get_column_letter(i)].width = min(50, width + 2)
    sheet.freeze_panes = f"A{first + 1}"


def to_xlsx(frames: dict[str, pd.DataFrame], title: str | None = None) -> bytes:
    """One workbook, a sheet per table that has rows (an empty sheet tells nobody anything).
    With a ``title`` (the dashboard, its filters and date: see heading()) each sheet reads like the
    screen: that title above, business headers, currency, % and date formats, a total row where the
    table breaks a whole into parts. Without, the columns as stored, for pipelines."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for name, frame in frames.items():
        if frame is None or frame.empty:
            continue
        sheet = book.create_sheet(sheet_title(name, used))
        _write_sheet(sheet, frame, None if title is None else f"{name} — {title}")
    if not book.sheetnames:
        sheet = book.create_sheet("No data")
        sheet["A1"] = _cell_value(neutralise(f"{title or 'This download'}: no table has rows for these filters."))
    buffer = io.BytesIO()
    book.save(buffer)
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
    """An empty sheet with the canonical headers, drop-downs for coded columns, and a guide sheet.
    Its text comes from the schema, not from users, but passes the same neutraliser: openpyxl
    stores any text starting with '=' as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ds = schema.get_dataset(dataset)
    columns = ds.stored_columns
    wb = Workbook()
    sheet = wb.active
    sheet.title = ds.name
    required = PatternFill("solid", fgColor="FDE9D9")
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i, value=neutralise(column.name))
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
        guide.append([neutralise(text) for text in (column.name, "yes" if column.required else "", column.help,
                                                    ", ".join(column.synonyms[:8]))])
    for letter, width in zip("ABCD", (22, 10, 60, 80), strict=True):
        guide.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


