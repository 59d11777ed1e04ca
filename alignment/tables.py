"""How a table reads on screen: business headers, money in the organisation's currency with
thousands separators, shares as %, dates without a time, yes/no for booleans.

The currency (and display unit) of a money column is in its header, "Variance ($m)", as in a
finance report, and its cells are plain signed numbers: the NumberColumn's printf formats cannot put
a minus before a currency symbol, and "$-6,494" is not how anyone writes an overrun.

Built from the label table's units as plain column_config dictionaries (the shape
``st.column_config.NumberColumn`` returns), so it is tested without Streamlit and the page only
passes them on. The frame's own values are left alone except booleans, which become words (a
checkbox is not a word a board reads), and money when the organisation chose a display unit (k, m,
bn): scaled, the unit after it, as on the dashboards' figures. 'auto' shows whole amounts.

Laid out to be read without scrolling sideways on a laptop (and to scroll sensibly on a phone): a long
header is shortened to its name, the full label kept as the header's tooltip ("CPI", hovering says
"CPI (EV ÷ AC, above 1 under cost)"), since the grid cuts a header at its column's width; an
analysis's answers (a project's health, budget, estimate at completion, CPI and SPI) and what a row
says in words (a comment) come right after the row's name, and the workings of a ratio (its inputs,
as of) after everything else, as in a finance report; the first column, the row's name, stays pinned
on the left while the figures scroll.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from alignment.formatting import UNITS, currency_symbol, display_unit
from alignment.labels import COUNT, DATE, DAYS, MONEY, NUMBER, RATIO, SCORE, SHARE, YEAR, label, unit

YES, NO = "Yes", "No"
DATE_FORMAT = "D MMM YYYY"   # momentJS: 3 Mar 2026
MONTH_FORMAT = "MMM YYYY"    # Mar 2026
MONTH_FIELDS = {"period", "month"}
# Read first, right after the row's name, wherever they are shown: a project's health, its budget beside
# its estimate at completion and the variance between them, and earned value's indices.
ANSWERS = {"overall_health", "budget", "bac", "eac", "cost_variance_pct", "cpi", "spi"}
# The workings of an answer (a ratio's inputs, the analysis's date): after every other column. The budget
# table's year-end budget is its outlook variance's other side (outlook − it), so the outlook comes first.
WORKINGS = {"spend_to_date", "allocation_share", "ratio_months", "cost_in_ratio_months", "revenue", "headcount",
            "pv", "ev", "ac", "eac_cpi", "eac_ac_plus_remaining", "stage_order", "as_of", "year_end_budget"}
# Headers the grid would cut ("Cost variance at comp…") or that widen a table past a laptop's width,
# with no short name by the rule below ('Unmapped': the row of spend with no goal is called so; the
# mapping coverage's tables are a third of the page wide).
SHORT = {"cost_variance": "Cost variance", "cost_variance_pct": "Cost variance %",
         "value_per_dollar": "Benefit ÷ spend", "spend_to_date": "Spend to date", "is_unmapped": "Unmapped",
         "unmapped": "Unmapped", "share_of_unmapped": "Share"}

LONG_HEADER = 20  # characters, before the currency: a longer header is shortened, its label kept as the tooltip
PIN_CHARS = 30    # a first column whose values are longer is not pinned: it would fill a phone's width
PROSE_CHARS = 30  # characters on average: a column of sentences, read beside the row's name
# A bracket that is the column's unit or abbreviation stays in the header: (1-5), (days), (% of plan), (HHI).
UNIT = re.compile(r"^(\d+-\d+|days|items|a month|%.*|[A-Z]{2,5})$")


def number_format(kind: str | None, integer: bool = False) -> str | None:
    """The NumberColumn format of a unit (printf with ',' for thousands, as sprintf-js reads it)."""
    if kind == MONEY:  # the currency is in the header (money_header); $m and $bn to the ten-thousand
        return {"k": "%,.1f", "m": "%,.2f", "bn": "%,.2f"}.get(display_unit(), "%,.0f")
    return {SHARE: "%.1f%%", COUNT: "%,d", YEAR: "%d", SCORE: "%.2f", RATIO: "%.2f",
            DAYS: "%,d" if integer else "%,.1f", NUMBER: "%,d" if integer else "%,.1f"}.get(kind or "",
                                                                                         "%,d" if integer else None)


def money_header(header: str, scaled: bool = True) -> str:
    """A money column's header with its currency and display unit: "Actual spend ($m)"; ``scaled``
    False for amounts shown as they are (a file's rows before they are loaded)."""
    scale = display_unit() if scaled else "units"
    return f"{header} ({(currency_symbol() + (scale if scale in UNITS else '')).strip()})"


def _config(kind: str, header: str, fmt: str | None = None) -> dict[str, Any]:
    type_config: dict[str, Any] = {"type": kind}
    if fmt:
        type_config["format"] = fmt
    return {"label": header, "type_config": type_config}


def _is_flag(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series.dtype):
        return True
    if series.dtype != object:
        return False
    values = series.dropna()
    # The first value decides most columns (text) without a Python call per row.
    return not values.empty and isinstance(values.iloc[0], bool) and values.map(lambda v: isinstance(v, bool)).all()


def words(flags: pd.Series) -> pd.Series:
    """Yes / No for a boolean column, a blank left blank."""
    return pd.Series([None if pd.isna(v) else YES if v else NO for v in flags], index=flags.index, dtype=object)


def short_header(field: str, header: str) -> str:
    """The header a grid shows: a long one without its explanation in brackets ('Schedule slip (days,
    + late)' → 'Schedule slip (days)', 'CPI (EV ÷ AC, above 1 under cost)' → 'CPI'), its unit kept."""
    if field in SHORT and header == label(field):
        return SHORT[field]
    found = re.fullmatch(r"(.+?) \((.+)\)", header)
    if len(header) <= LONG_HEADER or not found or found[1][-1] in "+−-×÷=":  # 'EAC = AC + (BAC − EV)': a formula
        return header
    unit = found[2].split(",")[0].strip()
    return f"{found[1]} ({unit})" if UNIT.match(unit) else found[1]


def reading_order(fields: list[str], text: list[bool], prose: list[bool] | None = None) -> list[int]:
    """Positions of the columns in the order they are read: the row's name (a project's name before
    its ID), what the row says in words (a comment) and its answers, the rest of the leading text
    columns that describe the row, the other columns as the analysis gives them, then the workings.
    On a phone, where only the first columns show, these are beside the name."""
    leading = next((i for i, is_text in enumerate(text) if not is_text), len(fields))
    first = next((i for i in range(leading) if fields[i] == "name"), 0) if leading else None
    said = [i for i, is_prose in enumerate(prose or []) if is_prose and i != first]
    answers = said + [i for i in range(leading, len(fields)) if fields[i] in ANSWERS and i not in said]
    workings = [i for i in range(leading, len(fields)) if fields[i] in WORKINGS and i not in answers]
    described = [i for i in range(leading) if i != first and i not in said]
    rest = [i for i in range(leading, len(fields)) if i not in answers and i not in workings]
    return [*([] if first is None else [first]), *answers, *described, *rest, *workings]


def _is_text(column: pd.Series, field: str) -> bool:
    kind = column.dtype
    return not (pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_datetime64_any_dtype(kind)
                or unit(field) == DATE or _is_flag(column))


def _is_prose(column: pd.Series, field: str) -> bool:
    """Whether a column is what its rows say in words (a comment, a problem found): text in more than
    half the rows, a sentence long on average."""
    if not _is_text(column, field) or column.empty:
        return False
    values = column.dropna().astype(str)
    return len(values) * 2 > len(column) and values.str.len().mean() >= PROSE_CHARS


def _pinned(column: pd.Series) -> bool:
    """Whether a first column names its rows briefly enough to stay on the left while the rest scroll."""
    if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype):
        return False
    values = column.dropna()
    return values.empty or int(values.astype(str).str.len().max()) <= PIN_CHARS


def on_screen(frame: pd.DataFrame, headers: dict[str, str] | None = None
              ) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """The frame to show (booleans as Yes/No, columns in reading order) and its column_config: a
    header and format per column, the full label as the tooltip of a shortened header, the first
    column pinned. ``headers`` renames columns whose meaning depends on the view (budget_vs_actual's
    category)."""
    headers = headers or {}
    fields = [str(name) for name in frame.columns]
    text = [_is_text(frame.iloc[:, i], field) for i, field in enumerate(fields)]
    prose = [_is_prose(frame.iloc[:, i], field) for i, field in enumerate(fields)]
    frame = frame.iloc[:, reading_order(fields, text, prose)]  # by position: an explorer query may repeat a name
    shown = frame.copy(deep=False)
    config: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    for i, name in enumerate(frame.columns):
        column, field = frame.iloc[:, i], str(name)
        header = names[field] = headers.get(field, label(field))
        if _is_flag(column):
            shown.isetitem(i, words(column))
            config[field] = _config("text", header)
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            config[field] = _config("date", header, MONTH_FORMAT if field in MONTH_FIELDS else DATE_FORMAT)
        elif pd.api.types.is_numeric_dtype(column.dtype):
            if unit(field) == MONEY:
                header = money_header(header)
                if display_unit() in UNITS:  # the chosen unit: 4.5 under a header that says $m
                    shown.isetitem(i, column / UNITS[display_unit()])
            elif unit(field) == SHARE:  # one decimal like every other share on the page (Streamlit's
                shown.isetitem(i, column * 100)  # 'percent' drops zeros: 12.4% beside 33.43%)
            config[field] = _config("number", header,
                                    number_format(unit(field), pd.api.types.is_integer_dtype(column.dtype)))
        elif unit(field) == DATE:
            config[field] = _config("date", header, DATE_FORMAT)
        else:
            config[field] = {"label": header}
    shortened = {field: short_header(field, full) for field, full in names.items()}
    for field, full in names.items():
        short = shortened[field]
        if short != full and short not in {*names.values(), *(s for f, s in shortened.items() if f != field)}:
            config[field]["label"] = config[field]["label"].replace(full, short, 1)
            config[field]["help"] = config[field]["label"].replace(short, full, 1)
    if len(frame.columns) > 1 and _pinned(frame.iloc[:, 0]):
        config[str(frame.columns[0])]["pinned"] = True
    return shown, config

