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
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from alignment.formatting import UNITS, currency_symbol, display_unit
from alignment.labels import COUNT, DATE, DAYS, MONEY, NUMBER, RATIO, SCORE, SHARE, YEAR, label, unit

YES, NO = "Yes", "No"
DATE_FORMAT = "D MMM YYYY"   # momentJS: 3 Mar 2026
MONTH_FORMAT = "MMM YYYY"    # Mar 2026
MONTH_FIELDS = {"period", "month"}


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


def on_screen(frame: pd.DataFrame, headers: dict[str, str] | None = None
              ) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """The frame to show (booleans as Yes/No) and its column_config: a header and format per column.
    ``headers`` renames columns whose meaning depends on the view (budget_vs_actual's category)."""
    headers = headers or {}
    shown = frame.copy(deep=False)
    config: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(frame.columns):  # by position: an explorer query may repeat a name
        column, field = frame.iloc[:, i], str(name)
        header = headers.get(field, label(field))
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
    return shown, config

