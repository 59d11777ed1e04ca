"""Pure parsers for the values finance spreadsheets really contain.

Each ``parse_*`` function takes one cell value and returns the canonical value, ``None`` for a
blank, or raises ``ParseError`` with a sentence a finance user understands. ``parse_series``
applies one to a pandas column, calling the parser once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from alignment import schema


class ParseError(ValueError):
    """A cell value that cannot be read as its column's kind."""


BLANK_WORDS = {"", "n/a", "na", "none", "null", "nan", "#n/a", "tbd", "tbc", "?"}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january", "januar", "janv"), ("feb", "february", "februar", "fev", "fév"),
            ("mar", "march", "mär", "märz", "mrz", "mars"), ("apr", "april", "avr"), ("may", "mai"),
            ("jun", "june", "juni", "juin"), ("jul", "july", "juli", "juil"),
            ("aug", "august", "aout", "août"), ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"), ("nov", "november"), ("dec", "december", "dez", "dezember"),
        ],
        start=1,
    )
    for name in names
}


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT or (isinstance(value, type(pd.NA)) and value is pd.NA):
        return True
    return isinstance(value, str) and value.strip().lower() in BLANK_WORDS


# Text is stored as a reader sees it: line breaks of every kind become "\n", and what cannot be seen
# goes (NUL and the other C0/C1 controls, zero-width spaces and joiners, word joiner, BOM), so that
# "Retail\u200b" and "Retail" are one business unit. Literal characters, not \u escapes: the same
# patterns run in Python's re and in Arrow's RE2 (pandas' str methods on Arrow strings).
LINE_BREAKS = "\r\n|[\r\x0b\x0c\x85\u2028\u2029]"
INVISIBLE = "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200d\u2060\ufeff]"
# Anything but tab, newline, printable ASCII and printable Latin letters below U+0300, where NFC
# changes nothing (combining marks start there).
NEEDS_TIDY = "[^\t\n\x20-\x7e\xa0-\u02ff]"
_LINE_BREAKS, _INVISIBLE = re.compile(LINE_BREAKS), re.compile(INVISIBLE)


def tidy_text(text: str) -> str:
    """One cell's text with line breaks made "\n", invisible characters removed, and Unicode in NFC
    (a precomposed "é", as Excel types it, equals "e" + combining accent)."""
    if text.isascii() and text.isprintable():
        return text
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text)))


def tidy_texts(values: pd.Index) -> pd.Index | pd.Series:
    """tidy_text for every text value among ``values`` at once; other values pass unchanged. One
    regular-expression pass finds the few values that need it (most text is printable ASCII or
    composed Latin letters) and only those are tidied, in Arrow's own code for Arrow strings."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind not in ("string", "mixed", "mixed-integer"):
        return values
    cells = pd.Series(values, dtype="str" if kind == "string" else object)
    dirty = np.flatnonzero(cells.str.contains(NEEDS_TIDY, regex=True, na=False).to_numpy(dtype=bool))
    if not len(dirty):
        return values
    fixed = cells.iloc[dirty].str.replace(LINE_BREAKS, "\n", regex=True).str.replace(INVISIBLE, "", regex=True)
    cells = cells.astype(object) if kind != "string" else cells
    cells.iloc[dirty] = fixed.str.normalize("NFC").to_numpy()
    return cells


def clean_text(value: Any) -> str | None:
    """Trim stray spaces; whole floats that were ids (``101.0``) become ``101``."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = value.date() if value.time() == dt.time() else value
    text = re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip()
    return text or None


# --- numbers -------------------------------------------------------------------------------

_CURRENCY = re.compile(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$|[$€£¥₹]|\s|'|\u00a0")
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3}){2,}$|^\d{1,3}(\.\d{3})+,\d+$")
# No real amount comes near this, and a million of them still sum far from a double's overflow:
# two cells of 1e308 would make every total infinite.
MAX_AMOUNT = 1e15
TOO_LARGE = "is infinite or too large (this app takes numbers below 1,000,000,000,000,000)"


def _finite(number: float | int, original: Any) -> float:
    if not abs(number) < MAX_AMOUNT:  # also catches inf (and NaN, which is_blank lets through as text)
        shown = str(original) if len(str(original)) <= 30 else f"{str(original)[:30]}…"
        raise ParseError(f"'{shown}' {TOO_LARGE}")
    return float(number)


def parse_number(value: Any) -> float | None:
    """Amounts as accountants write them: $1,234.50, (250.00), 1.234,56, 250-, EUR 12."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ParseError(f"'{value}' is not a number")
    if isinstance(value, (int, float)):
        return _finite(value, value)
    text = str(value).strip()
    if text in {"-", "–", "—"}:  # accounting format's zero
        return 0.0
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _CURRENCY.sub("", text)
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", "") if _THOUSANDS_COMMA.match(text) else text.replace(",", ".", 1)
    elif _THOUSANDS_DOT.match(text):
        text = text.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        raise ParseError(f"'{value}' is not an amount")
    number = _finite(float(text), value)
    return -number if negative else number


def parse_percent(value: Any) -> float | None:
    """A share as a fraction: '45%', 45 and 0.45 all read 0.45 (numbers above 1 are percent points)."""
    if is_blank(value):
        return None
    if isinstance(value, str) and value.strip().endswith("%"):
        number = parse_number(value.strip()[:-1])
        return None if number is None else number / 100
    number = parse_number(value)
    if number is None:
        return None
    return number / 100 if abs(number) > 1 else number


# --- dates ---------------------------------------------------------------------------------


def _make_date(year: int, month: int, day: int, original: Any) -> dt.date:
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise ParseError(f"'{original}': month {month} is not between 1 and 12")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(f"'{original}' is not a real date") from None


def _month_number(word: str, original: Any) -> int:
    month = MONTHS.get(word.lower().rstrip("."))
    if month is None:
        raise ParseError(f"'{original}' is not a date or month")
    return month


def parse_date(value: Any, dayfirst: bool = False) -> dt.date | None:
    """Dates and months as spreadsheets hold them: real dates, Excel serials, Jan-2025, 2025-01,
    31.01.2025, 202501. Ambiguous slashed dates follow ``dayfirst``."""
    if is_blank(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _date_from_number(float(value), value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        return _date_from_number(float(text), value)
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})([ T].*)?", text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), value)
    if m := re.fullmatch(r"(\d{4})[-/.]?(?:M|P)?(\d{1,2})", text, re.I):
        return _make_date(int(m[1]), int(m[2]), 1, value)
    if m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", text):
        return _make_date(int(m[2]), int(m[1]), 1, value)
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2,4})", text):
        return _make_date(int(m[3]), int(m[2]), int(m[1]), value)
    if m := re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})( .*)?", text):
        first, second = int(m[1]), int(m[2])
        day, month = (first, second) if dayfirst else (second, first)
        return _make_date(int(m[3]), month, day, value)
    if m := re.fullmatch(r"([A-Za-zäéû]{3,9}\.?)[\s\-/']*(\d{2}|\d{4})", text):
        return _make_date(int(m[2]), _month_number(m[1], value), 1, value)
    if m := re.fullmatch(r"(\d{1,2})[\s\-]([A-Za-zäéû]{3,9}\.?)[\s\-,]*(\d{2}|\d{4})", text):
        return _make_date(int(m[3]), _month_number(m[2], value), int(m[1]), value)
    if m := re.fullmatch(r"([A-Za-z]{3,9}\.?) (\d{1,2}),? (\d{4})", text):
        return _make_date(int(m[3]), _month_number(m[1], value), int(m[2]), value)
    raise ParseError(f"'{value}' is not a date or month")


def _date_from_number(number: float, original: Any) -> dt.date:
    if number.is_integer() and 190001 <= number <= 210012 and 1 <= number % 100 <= 12:
        return _make_date(int(number) // 100, int(number) % 100, 1, original)  # 202501
    if number.is_integer() and 19000101 <= number <= 21001231:
        n = int(number)
        return _make_date(n // 10000, n // 100 % 100, n % 100, original)  # 20250131
    if 1 <= number < 2958466:  # Excel serial day number
        return EXCEL_EPOCH + dt.timedelta(days=int(number))
    raise ParseError(f"'{original}' is not a date or month")


def parse_month(value: Any, dayfirst: bool = False, fiscal_start: int = 1) -> dt.date | None:
    """The first day of the value's month: spend and metrics are monthly. A bare fiscal year (2026,
    FY2026, FY26) is its first month and a quarter (Q3 2026, 2026-Q3, Q3 FY26) the quarter's first
    month; ``fiscal_start`` is the month fiscal years start in (1 = January)."""
    period = fiscal_period(value, fiscal_start)
    if period is not None:
        return period
    day = parse_date(value, dayfirst)
    return None if day is None else day.replace(day=1)


FISCAL_YEAR = re.compile(r"FY\s*[-']?\s*(\d{4}|\d{2})(?:\s*[-/]\s*(\d{2}|\d{4}))?|(\d{4})\s*/\s*(\d{2}|\d{4})", re.I)
QUARTER = re.compile(r"Q([1-4])")


def fiscal_period(value: Any, fiscal_start: int = 1) -> dt.date | None:
    """A fiscal year or quarter as the first day of its first month, or None when the value is not
    one. Fiscal years are named for the calendar year they end in (FY2026 starting in July runs
    July 2025 to June 2026), as the spend analyses count them. A whole number from 1990 to 2100 is
    a year, never an Excel day number (those days fall in 1905)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if number.is_integer() and 1990 <= number <= 2100:
            return _fiscal_start_date(int(number), fiscal_start)
        return None
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value.strip()).upper()
    if re.fullmatch(r"(19|20|21)\d{2}", text) and 1990 <= int(text) <= 2100:
        return _fiscal_start_date(int(text), fiscal_start)
    if m := re.fullmatch(r"(?:Q([1-4])[ \-/]?(\d{4}|\d{2}))|(?:(\d{4})[ \-/]?Q([1-4]))", text):
        quarter, year = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        return dt.date(_full_year(year), (quarter - 1) * 3 + 1, 1)  # a calendar quarter
    quarter = None
    if m := re.fullmatch(r"Q([1-4])[ \-/]?(.+)|(.+?)[ \-/]?Q([1-4])", text):
        quarter, text = (int(m[1]), m[2]) if m[1] else (int(m[4]), m[3])
    m = FISCAL_YEAR.fullmatch(text.strip())
    if m is None or (quarter is not None and not text.strip().startswith("FY")):
        if quarter is not None:
            raise ParseError(f"'{value}' is not a quarter (write Q3 2026, 2026-Q3 or Q3 FY26)")
        return None
    year = _fiscal_year_named(m)
    if year is None:
        raise ParseError(f"'{value}' is not a fiscal year (write FY2026, FY26 or FY2025/26)")
    first = _fiscal_start_date(year, fiscal_start)
    if quarter is None:
        return first
    month = first.month + (quarter - 1) * 3
    return dt.date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _full_year(year: int) -> int:
    return year + 2000 if year < 100 else year


def _fiscal_year_named(m: re.Match) -> int | None:
    """The calendar year a fiscal year ends in: FY26 → 2026, FY2025/26 and 2025/26 → 2026; None when
    the second half does not follow the first (FY2025/28)."""
    first, second = (m[1], m[2]) if m[1] else (m[3], m[4])
    start = _full_year(int(first))
    if second is None:
        return start
    end = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if end < start:
        end += 100
    return end if end == start + 1 else None


def _fiscal_start_date(year: int, fiscal_start: int) -> dt.date:
    """The first day of the fiscal year that ends in calendar year ``year``."""
    return dt.date(year, 1, 1) if fiscal_start == 1 else dt.date(year - 1, fiscal_start, 1)


def guess_dayfirst(values: pd.Series) -> bool:
    """Day-first only when some slashed date proves it (a first part above 12)."""
    pattern = re.compile(r"^\s*(\d{1,2})[/-](\d{1,2})[/-]\d{2,4}")
    for value in pd.unique(values.dropna()):
        if isinstance(value, str) and (m := pattern.match(value)):
            if int(m[1]) > 12:
                return True
            if int(m[2]) > 12:
                return False
    return False


# --- words ---------------------------------------------------------------------------------

LIKERT = {
    "strongly disagree": 1, "disagree": 2, "neutral": 3, "neither agree nor disagree": 3,
    "neither": 3, "agree": 4, "strongly agree": 5, "very poor": 1, "poor": 2, "fair": 3,
    "average": 3, "good": 4, "very good": 5, "excellent": 5, "very dissatisfied": 1,
    "dissatisfied": 2, "satisfied": 4, "very satisfied": 5, "never": 1, "rarely": 2,
    "sometimes": 3, "often": 4, "always": 5, "very low": 1, "low": 2, "medium": 3, "high": 4,
    "very high": 5, "not important": 1, "slightly important": 2, "moderately important": 3,
    "important": 4, "very important": 5,
}
RISK_WORDS = {"very low": 1, "low": 2, "medium": 3, "moderate": 3, "med": 3, "high": 4,
              "very high": 5, "critical": 5, "l": 2, "m": 3, "h": 4}
HEALTH_WORDS = {"green": "Green", "g": "Green", "on track": "Green", "amber": "Amber", "a": "Amber",
                "yellow": "Amber", "y": "Amber", "at risk": "Amber", "red": "Red", "r": "Red",
                "off track": "Red", "critical": "Red"}
RGT_WORDS = {"run": "Run", "rtb": "Run", "run the business": "Run", "keep the lights on": "Run",
             "ktlo": "Run", "grow": "Grow", "gtb": "Grow", "grow the business": "Grow",
             "change": "Grow", "transform": "Transform", "ttb": "Transform",
             "transform the business": "Transform", "innovate": "Transform"}
CAPEX_WORDS = {"capex": "Capex", "capital": "Capex", "cap": "Capex", "capital expenditure": "Capex",
               "opex": "Opex", "operating": "Opex", "op": "Opex", "operating expense": "Opex",
               "operating expenditure": "Opex", "expense": "Opex"}
GROUP_WORDS = {"it": "IT", "i.t.": "IT", "information technology": "IT", "technology": "IT",
               "tech": "IT", "is": "IT", "digital": "IT", "business": "Business", "bus": "Business",
               "the business": "Business", "biz": "Business", "lob": "Business",
               "business unit": "Business"}
SCENARIO_WORDS = {"budget": "budget", "bud": "budget", "plan": "budget", "actual": "actual",
                  "actuals": "actual", "act": "actual", "forecast": "forecast", "fcst": "forecast",
                  "fc": "forecast", "outlook": "forecast", "le": "forecast"}
DIMENSION_WORDS = {
    "communications": "Communications", "communication": "Communications",
    "value measurement": "Value measurement", "value": "Value measurement",
    "competency/value measurement": "Value measurement", "value measurements": "Value measurement",
    "metrics": "Value measurement", "governance": "Governance", "partnership": "Partnership",
    "partnerships": "Partnership", "scope & architecture": "Scope & architecture",
    "scope and architecture": "Scope & architecture", "scope": "Scope & architecture",
    "architecture": "Scope & architecture", "scope/architecture": "Scope & architecture",
    "skills": "Skills", "skill": "Skills", "people": "Skills", "human resources": "Skills",
}


def _key(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value).strip().lower())


def _word(mapping: dict[str, Any], what: str, allowed: str) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if is_blank(value):
            return None
        found = mapping.get(_key(value))
        if found is None:
            raise ParseError(f"'{value}' is not {what} (use {allowed})")
        return found

    return parse


parse_health = _word(HEALTH_WORDS, "a health colour", "green, amber or red; G/A/R")
parse_rgt = _word(RGT_WORDS, "run, grow or transform", "run, grow or transform")
parse_capex = _word(CAPEX_WORDS, "capex or opex", "capex or opex")
parse_group = _word(GROUP_WORDS, "a respondent group", "IT or business")
parse_scenario = _word(SCENARIO_WORDS, "a scenario", "budget, actual or forecast")


def _whole(number: float, original: Any, low: int, high: int, what: str) -> int:
    if not number.is_integer():
        raise ParseError(f"'{original}' is not a whole {what} from {low} to {high}")
    if not low <= number <= high:
        raise ParseError(f"{what} {original} is not between {low} and {high}")
    return int(number)


def parse_score(value: Any) -> int | None:
    """A 1–5 answer: a number, '4 - Agree', or a Likert word."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        text = _key(value)
        if m := re.match(r"^(\d+(?:\.\d+)?)\s*(?:[-–:=.)]\s*.*)?$", text):
            return _whole(float(m[1]), value, 1, 5, "score")
        if text in LIKERT:
            return LIKERT[text]
        raise ParseError(f"'{value}' is not a score from 1 to 5 or an answer like 'agree'")
    return _whole(float(value), value, 1, 5, "score")


def parse_risk(value: Any) -> int | None:
    """Risk as 1–5, or words: very low 1, low 2, medium 3, high 4, very high/critical 5."""
    if is_blank(value):
        return None
    if isinstance(value, str) and _key(value) in RISK_WORDS:
        return RISK_WORDS[_key(value)]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParseError(f"'{value}' is not a risk from 1 to 5 or low/medium/high") from None
    return _whole(number, value, 1, 5, "risk")


def parse_dimension(value: Any) -> str | None:
    """One of Luftman's six dimensions when it is one; any other dimension is kept as written."""
    text = clean_text(value)
    if text is None:
        return None
    return DIMENSION_WORDS.get(_key(text), text)


PARSERS: dict[str, Callable[[Any], Any]] = {
    schema.TEXT: clean_text, schema.MONEY: parse_number, schema.NUMBER: parse_number,
    schema.PERCENT: parse_percent, schema.SCORE: parse_score, schema.HEALTH: parse_health,
    schema.RISK: parse_risk, schema.RGT: parse_rgt, schema.CAPEX: parse_capex,
    schema.GROUP: parse_group, schema.DIMENSION: parse_dimension, schema.SCENARIO: parse_scenario,
}


def parse_series(values: pd.Series, kind: str, fiscal_start: int = 1) -> tuple[pd.Series, dict[int, str]]:
    """Parse a column; returns the parsed values and {row position: problem} for unreadable cells.
    ``fiscal_start``: the month fiscal years start in, for bare fiscal years in a month column."""
    if kind in (schema.MONEY, schema.NUMBER) and pd.api.types.is_numeric_dtype(values.dtype) \
            and not pd.api.types.is_bool_dtype(values.dtype):
        return _numbers(values)
    if kind in (schema.MONTH, schema.DATE):
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            parsed = pd.to_datetime(values).dt.normalize()
            if kind == schema.MONTH:
                parsed = parsed.dt.to_period("M").dt.to_timestamp()
            return pd.Series(parsed.dt.date, dtype="object").reset_index(drop=True), {}
        dayfirst = guess_dayfirst(values)

        def parser(v: Any) -> Any:
            return parse_month(v, dayfirst, fiscal_start) if kind == schema.MONTH else parse_date(v, dayfirst)
    else:
        parser = PARSERS[kind]
    # One code per row and each distinct value once (pandas treats 4 and 4.0 as one); blanks get -1.
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    distinct = tidy_texts(distinct)
    parsed = np.empty(len(distinct) + 1, dtype=object)  # the extra last slot answers code -1: blank
    problems: dict[int, str] = {}
    for code, value in enumerate(distinct):
        try:
            parsed[code] = parser(value)
        except ParseError as exc:
            problems[code] = str(exc)
    errors: dict[int, str] = {}
    if problems:
        for position in np.flatnonzero(np.isin(codes, list(problems))):
            errors[int(position)] = problems[int(codes[position])]
    return pd.Series(parsed[codes], dtype="object"), errors


def _numbers(values: pd.Series) -> tuple[pd.Series, dict[int, str]]:
    """A column the reader already typed as numbers (the fast path): the same limit as parse_number,
    checked at once. INF, 1e309 or -inf in a cell arrive here as float infinities."""
    numbers = values.astype("float64").reset_index(drop=True)
    array = numbers.to_numpy()
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(np.abs(array) >= MAX_AMOUNT)
    if not len(bad):
        return numbers, {}
    errors = {int(i): f"'{array[i]:g}' {TOO_LARGE}" for i in bad}
    numbers.iloc[bad] = np.nan  # reported once as unreadable, not again as blank or out of range
    return numbers, errors


# --- units and currencies of amounts --------------------------------------------------------

# The codes a header or title is taken to name a currency by (ISO 4217's widely traded ones).
# Codes that are also English words (ALL, TOP, CUP, PEN, TRY, MAD…) are left out on purpose:
# "ALL AMOUNTS" names no currency.
CURRENCY_CODES = frozenset(
    "USD EUR GBP JPY CNY CHF CAD AUD NZD SEK NOK DKK ISK PLN CZK HUF RON BGN HRK INR SGD HKD ZAR BRL "
    "MXN ARS CLP COP KRW TWD THB IDR MYR PHP VND AED SAR QAR ILS RUB UAH EGP NGN KES".split())
CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP", "₹": "INR", "$": None, "¥": None}  # $ and ¥ name several
SCALES = {"k": 1e3, "t": 1e3, "000": 1e3, "000s": 1e3, "thousand": 1e3, "thousands": 1e3, "ths": 1e3, "tsd": 1e3,
          "m": 1e6, "mm": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6, "millions": 1e6,
          "bn": 1e9, "b": 1e9, "billion": 1e9, "billions": 1e9}
_SCALE = r"(?P<scale>thousands?|millions?|billions?|'?000'?s?|ths|tsd|mio|mm|mn|bn|k|m|b)"
_MONEY = r"(?:(?P<symbol>[$€£¥₹])|\b(?P<code>[A-Za-z]{3}))"
_UNIT_PATTERNS = (
    re.compile(_MONEY + r"\s*['’]?\s*" + _SCALE + r"(?![A-Za-z0-9])", re.I),  # $000, $K, USD M, EUR m, € m
    re.compile(r"\b(?P<scale>(?i:k|t|m|mm|mio))(?P<code>[A-Z]{3})\b"),  # kUSD, TEUR, MEUR
    re.compile(r"(?<![A-Za-z])" + _SCALE + r"\.?\s*(?:(?P<symbol>[$€£¥₹])|(?P<code>[A-Z]{3})\b)", re.I),  # Mio. EUR
    re.compile(r"[(\[]\s*(?:in\s+)?" + _SCALE + r"\s*[)\]]", re.I),  # (000), (K), (in thousands)
    re.compile(r"\bin\s+(?:[$€£¥₹]\s*|(?P<code>[A-Za-z]{3})\s+)?(?P<scale>thousands?|millions?|billions?|'?000'?s?)"
               r"(?![A-Za-z0-9])", re.I),  # in thousands, in USD millions, in 000s
)
_CODE_PATTERNS = (
    re.compile(r"[(\[]\s*(?:in\s+)?(?P<code>[A-Za-z]{3})\b", re.I),  # (EUR m), (usd)
    re.compile(r"\bin\s+(?P<code>[A-Za-z]{3})\b", re.I),  # in EUR
    re.compile(r"\b(?P<code>[A-Z]{3})\b"),  # Amount EUR, GBP budget
)


def amount_unit(text: str) -> tuple[float | None, str | None]:
    """The scale and currency a header or title row states for its amounts: 'Actual ($000)' →
    (1000, None), 'Budget USD M' → (1e6, 'USD'), '(EUR m)' → (1e6, 'EUR'), 'Amounts in thousands'
    → (1000, None); (None, None) when it says neither. A lone letter counts as a scale only next to
    a currency or alone in brackets, so 'in M&A' or 'Plan B' scale nothing."""
    scale, currency = None, None
    for pattern in _UNIT_PATTERNS:
        for m in pattern.finditer(text):
            code = (m.groupdict().get("code") or "").upper()
            if code and code not in CURRENCY_CODES:
                continue
            word = m["scale"].lower().replace("'", "").replace("’", "")
            scale = SCALES.get(word if word in SCALES else word.rstrip("s"), SCALES.get(word))
            symbol = m.groupdict().get("symbol")
            currency = code or (CURRENCY_SYMBOLS.get(symbol) if symbol else None)
            break
        if scale:
            break
    return scale, currency or currency_named(text)


def currency_named(text: str) -> str | None:
    """The currency code (or unambiguous symbol: € £ ₹) a header or title names, if any."""
    for pattern in _CODE_PATTERNS:
        for m in pattern.finditer(text):
            if m["code"].upper() in CURRENCY_CODES:
                return m["code"].upper()
    for symbol, code in CURRENCY_SYMBOLS.items():
        if code and symbol in text:
            return code
    return None
