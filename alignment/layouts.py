"""The layouts finance and PMO teams really keep, turned into the canonical rows.

Pure: no database, no Streamlit. validation.validate calls this module twice:

- ``before_parse`` reshapes the raw cells, before any cell is parsed: a spend sheet with a column
  per month, quarter or fiscal year becomes one row per period and cost line; a status-change
  log's columns are found. Every cell is then parsed and checked by the usual machinery, so a bad
  amount is still named by its spreadsheet row and its own month column.
- ``after_parse`` works on the typed rows: debit − credit, stays closed by the item's next change,
  one row per project id.

Each function says what it did in a warning; nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from alignment import schema
from alignment.formatting import how_many, naming
from alignment.mapping import normalise
from alignment.parsing import MONTHS, ParseError, fiscal_period, is_blank, parse_date, parse_series

SCENARIOS = ("budget", "actual", "forecast")
KEEP_CHOICES = ("latest", "first", "all")
# Columns the reshaped frame carries in place of the user's period columns.
PERIOD, AMOUNT, SCENARIO, ORIGIN = "__period", "__amount", "__scenario", "__amount_column"
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100
GRAINS = ("month", "quarter", "year")  # finest first: a coarser column beside a finer one is a subtotal

Report = Callable[[int | None, str | None, object, str], None]  # validation's problem(row, header, value, text)


@dataclass(frozen=True)
class LayoutOptions:
    """What the user said about a file's layout (CLI flags, Data page choices) and the settings."""

    scenario: str | None = None  # budget | actual | forecast, for amounts the file does not name
    year: int | None = None  # the fiscal year of month or quarter columns that do not say it
    keep: str = "latest"  # a project id repeated: its latest row, its first, or every row
    fiscal_year_start_month: int = 1


@dataclass
class Reshaped:
    """The raw frame as validation goes on with it, and what ``after_parse`` must still do."""

    frame: pd.DataFrame
    rows: np.ndarray
    mapping: dict[str, str]
    unmapped: list[str]
    warnings: list[str] = field(default_factory=list)
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (header, sentence) at the header row
    stays: str | None = None  # "changes" or "events": exited is the item's next change
    snapshot: str | None = None  # the header that dates a register's snapshots


# --- periods across ------------------------------------------------------------------------

WORD_SCENARIO = {"budget": "budget", "budgets": "budget", "budgeted": "budget", "plan": "budget",
                 "actual": "actual", "actuals": "actual", "forecast": "forecast", "forecasts": "forecast",
                 "fcst": "forecast", "reforecast": "forecast", "outlook": "forecast",
                 "latest estimate": "forecast"}
SCENARIO_WORDS = re.compile(r"\b(" + "|".join(sorted(WORD_SCENARIO, key=len, reverse=True)) + r")\b", re.I)
TOTAL_COLUMN = re.compile(r"\b(total|totals|ytd|qtd|mtd|ytg|sum|full year|annual|fy|year)\b"
                          r"|^(h[12]|[12]h|hy ?[12]|half year)\b", re.I)
YEAR = r"'?(\d{4}|\d{2})"
QUARTER_ALONE = re.compile(r"^(?:q|quarter\s*)([1-4])$")
MONTH_FISCAL = re.compile(rf"^([a-zäéû]{{3,9}})\.?\s*[-' ]?\s*fy\s*{YEAR}$")
MONTH_ALONE = re.compile(r"^([a-zäéû]{3,9})\.?$")


@dataclass(frozen=True)
class Period:
    grain: str  # month | quarter | year
    start: dt.date | None  # the period's first month; None: the year is not said


def scenarios_named(text: str) -> set[str]:
    """The scenarios a title, a sheet name or a header speaks of ('IT Budget 2026' → budget)."""
    return {WORD_SCENARIO[re.sub(r"\s+", " ", w.lower())] for w in SCENARIO_WORDS.findall(text or "")}


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def fiscal_year_start(year: int, start_month: int) -> dt.date:
    """The first month of fiscal year ``year``, named for the calendar year it ends in (FY2026
    starting in April runs April 2025 to March 2026)."""
    return dt.date(year if start_month == 1 else year - 1, start_month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def fiscal_month(year: int, month: int, start_month: int) -> dt.date:
    """Calendar month ``month`` of fiscal year ``year``."""
    return add_months(fiscal_year_start(year, start_month), (month - start_month) % 12)


def read_period(header: str, year: int | None = None, start_month: int = 1) -> Period | None:
    """The period a column header names, or None when it names none. Months ('Jan-26', 'January
    2026', '2026-01', '01/2026', a real date), quarters ('Q1 2026', '2026-Q1', 'Q1 FY26': a plain
    year is a calendar quarter, FY a fiscal one) and fiscal years ('FY2026', 'FY25/26', '2026'),
    the last two read as parsing.fiscal_period reads them in a period column.
    A month name or quarter alone takes the fiscal ``year`` (from the titles or --year)."""
    text = re.sub(r"\s+", " ", SCENARIO_WORDS.sub(" ", str(header))).strip(" -:")
    lower = text.lower()
    try:
        first = fiscal_period(text, start_month)
    except ParseError:
        first = None
    if first is not None:
        return _checked(Period("quarter" if re.search(r"q[1-4]", lower) else "year", first))
    if m := QUARTER_ALONE.match(lower):
        first = None if year is None else add_months(fiscal_year_start(year, start_month), 3 * (int(m[1]) - 1))
        return _checked(Period("quarter", first))
    if (m := MONTH_FISCAL.match(lower)) and m[1] in MONTHS:
        return _checked(Period("month", fiscal_month(_full_year(m[2]), MONTHS[m[1]], start_month)))
    if (m := MONTH_ALONE.match(lower)) and m[1] in MONTHS:
        return Period("month", None if year is None else fiscal_month(year, MONTHS[m[1]], start_month))
    if re.fullmatch(r"\d+(\.0+)?", lower) and not re.fullmatch(r"\d{6}", lower):
        return None  # a bare number is not a period header (an Excel day number would be a guess)
    if not re.search(r"\d", lower):
        return None
    try:
        day = parse_date(text)
    except ParseError:
        return None
    return _checked(Period("month", day.replace(day=1))) if day else None


def _checked(period: Period) -> Period | None:
    if period.start is not None and not EARLIEST_YEAR <= period.start.year <= LATEST_YEAR:
        return None
    return period


def title_year(texts: list[str]) -> int | None:
    """The fiscal year a sheet's name or title rows give ('FY2026 IT budget', 'Budget 2026'); None
    when they give none or several."""
    joined = " | ".join(texts)
    fiscal = {_full_year(m) for m in re.findall(r"\bfy\s*-?\s*'?(\d{4}|\d{2})\b", joined, re.I)}
    if fiscal:
        return fiscal.pop() if len(fiscal) == 1 else None
    plain = {int(m) for m in re.findall(r"(?<![\d/.:-])((?:19|20)\d\d)(?![\d/.:-])", joined)}
    return plain.pop() if len(plain) == 1 else None


def _said_scenario(sheet: str, titles: list[tuple[int, str]],
                   options: LayoutOptions) -> tuple[str | None, str]:
    """The scenario of amounts the columns don't name, and where it came from (for the warning)."""
    if options.scenario:
        return options.scenario, "as chosen for this upload"
    named = scenarios_named(sheet)
    if len(named) == 1:
        return next(iter(named)), f"from the sheet's name '{sheet}'"
    for row, text in titles:
        said = scenarios_named(text)
        if len(said) == 1:
            return next(iter(said)), f"from row {row} ('{text[:60]}')"
        if said:
            return None, f"row {row} ('{text[:60]}') names {' and '.join(sorted(said))}"
    return None, ""


def spread_periods(frame: pd.DataFrame, rows: np.ndarray, mapping: dict[str, str], unmapped: list[str],
                   sheet: str, titles: list[tuple[int, str]], options: LayoutOptions) -> Reshaped | None:
    """A spend sheet with a column per period → one row per period and cost line (blank cells
    give no row). The finest grain present is loaded; total columns and coarser ones beside it
    (a quarter beside its months) are left out and named, so nothing is added twice. None when the
    sheet has a period column already or no period columns."""
    if "period" in mapping.values():
        return None
    texts = [sheet, *(text for _, text in titles)]
    year = options.year or title_year(texts)
    candidates = [h for h in frame.columns if h not in mapping]
    periods = {h: p for h in candidates if (p := read_period(h, year, options.fiscal_year_start_month))}
    if not periods:
        return None
    grain = next(g for g in GRAINS if any(p.grain == g for p in periods.values()))
    loaded = [h for h in candidates if h in periods and periods[h].grain == grain]
    totals = [h for h in candidates if (h in periods and h not in loaded)
              or (h not in periods and TOTAL_COLUMN.search(normalise(h)))]
    out = Reshaped(frame, rows, dict(mapping), [h for h in unmapped if h not in loaded and h not in totals])
    refused = dict(mapping) | {PERIOD: "period", AMOUNT: "amount"}  # only the refusal's own sentence is said
    span = f"'{loaded[0]}'" + (f" … '{loaded[-1]}'" if len(loaded) > 1 else "")
    if any(periods[h].start is None for h in loaded):
        out.errors.append((loaded[0], f"the {grain} columns ({span}) do not say their year, and neither do the "
                           "sheet's name nor the rows above the header: give the fiscal year (--year 2026; "
                           "on the Data page, 'Year of the month columns')"))
        out.mapping = refused
        return out
    row_scenario = "scenario" in mapping.values()
    said, source = (None, "") if row_scenario else _said_scenario(sheet, titles, options)
    column_scenario = {h: _column_scenario(h, said) for h in loaded}
    if not row_scenario and any(s is None for s in column_scenario.values()):
        why = f" ({source})" if source else ""
        out.errors.append((loaded[0], f"the amounts are in {grain} columns ({span}) but nothing says whether they "
                           f"are budget, actual or forecast{why}: choose which (--scenario budget|actual|forecast; "
                           "on the Data page, 'These amounts are')"))
        out.mapping = refused
        return out
    amounts = [h for h, c in mapping.items() if c in (*SCENARIOS, "amount")]
    for header in amounts:
        del out.mapping[header]
    out.frame, out.rows = _melt(frame, rows, [h for h in out.mapping if h in frame.columns], loaded,
                                periods, None if row_scenario else column_scenario)
    out.mapping |= {PERIOD: "period", AMOUNT: "amount"} | ({} if row_scenario else {SCENARIO: "scenario"})
    out.warnings.append(_spread_note(grain, loaded, span, column_scenario, said, source, row_scenario))
    if any(read_period(h, None, options.fiscal_year_start_month).start is None for h in loaded):
        given = "as chosen for this upload" if options.year else "from the sheet's name or title rows"
        out.warnings.append(f"The {grain} columns do not say their year: read them as fiscal year {year} ({given}).")
    if totals or amounts:
        out.warnings.append(f"Left out {how_many(len(totals) + len(amounts), 'column')} of totals or amounts "
                            f"beside the {grain} columns: {', '.join(repr(h) for h in totals + amounts)}. The app "
                            "adds up the periods itself, so they are never counted twice.")
    empty = np.setdiff1d(rows, out.rows)
    if len(empty):
        one = len(empty) == 1
        out.warnings.append(f"{how_many(len(empty), 'row')} {'has' if one else 'have'} no amount in any {grain} "
                            f"column and {'was' if one else 'were'} left out: {naming('row', empty.tolist())}.")
    return out


def _column_scenario(header: str, said: str | None) -> str | None:
    named = scenarios_named(header)
    return next(iter(named)) if len(named) == 1 else said


def _spread_note(grain: str, loaded: list[str], span: str, column_scenario: dict[str, str | None],
                 said: str | None, source: str, row_scenario: bool) -> str:
    if row_scenario:
        how = "each as its row's scenario"
    elif set(column_scenario.values()) == {said}:
        how = f"as {said} ({source})"
    else:
        how = "as the scenario each column names" + (f", else {said} ({source})" if said else "")
    return (f"Read {how_many(len(loaded), grain + ' column')} across ({span}) as one row per {grain} and cost line, "
            f"{how}.")


def _melt(frame: pd.DataFrame, rows: np.ndarray, ids: list[str], loaded: list[str], periods: dict[str, Period],
          column_scenario: dict[str, str | None] | None) -> tuple[pd.DataFrame, np.ndarray]:
    """One piece per period column holding its non-blank cells, stacked in spreadsheet order."""
    pieces = []
    for order, header in enumerate(loaded):
        cells = frame[header]
        filled = cells.notna().to_numpy() & ~cells.map(is_blank).to_numpy(dtype=bool)
        piece = frame.loc[filled, ids].copy()
        piece[PERIOD] = periods[header].start
        piece[AMOUNT] = cells[filled].astype(object)
        piece[ORIGIN] = header
        if column_scenario is not None:
            piece[SCENARIO] = column_scenario[header]
        piece["__row"], piece["__order"] = rows[filled], order
        pieces.append(piece)
    long = pd.concat(pieces, ignore_index=True).sort_values(["__row", "__order"], kind="mergesort")
    long = long.reset_index(drop=True)
    return long.drop(columns="__order"), long["__row"].to_numpy()


# --- stage history: status-change and event logs --------------------------------------------

TO_STATUS = re.compile(r"^(to|new|target|destination)( status| stage| state| column| phase| string)$"
                       r"|^(status|stage|state) (to|new|after)$")
FROM_STATUS = re.compile(r"^(from|old|previous|prior|source)( status| stage| state| column| phase| string)$"
                         r"|^(status|stage|state) (from|old|before)$")
CHANGE_TIME = re.compile(r"\b(changed?|transition(ed)?|moved|timestamp|date|time|when|at|on|created|updated)\b")


def _words(header: str) -> str:
    """A header as words, camelCase split ('toStatus' → 'to status')."""
    return normalise(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(header)))


def find_stays(frame: pd.DataFrame, rows: np.ndarray, mapping: dict[str, str],
               unmapped: list[str]) -> Reshaped | None:
    """A status-change log (item, from status, to status, changed at) or an event log with only the
    time each stage was entered: both become stays whose exit is the item's next change."""
    out = Reshaped(frame, rows, dict(mapping), list(unmapped))
    to = next((h for h in frame.columns if TO_STATUS.match(_words(h))), None)
    if to is not None:
        source = next((h for h in frame.columns if FROM_STATUS.match(_words(h))), None)
        displaced = [h for h, c in out.mapping.items() if c in ("stage", "exited") and h not in (to, source)]
        for header in [*displaced, *(h for h in (to, source) if h in out.mapping)]:
            del out.mapping[header]
        out.mapping[to] = "stage"
        if "entered" not in out.mapping.values():
            when = next((h for h in frame.columns if h not in out.mapping and h != source
                         and CHANGE_TIME.search(_words(h))), None)
            if when is not None:
                out.mapping[when] = "entered"
        out.unmapped = [h for h in [*unmapped, *displaced] if h not in out.mapping and h != source]
        when = next((h for h, c in out.mapping.items() if c == "entered"), None)
        before = f"; the stage before an item's first change ('{source}') has no start in the log and is not " \
                 "loaded" if source else ""
        out.stays = "changes"
        out.warnings.append(f"Read the sheet as a status-change log: each change to '{to}'"
                            f"{f' at {chr(39)}{when}{chr(39)}' if when else ''} starts a stay in that stage, which "
                            f"ends at the item's next change; an item's current stage stays open{before}.")
        return out
    columns = set(mapping.values())
    if {"item_id", "stage", "entered"} <= columns and "exited" not in columns:
        out.stays = "events"
        out.warnings.append("The sheet has no exit column: read it as an event log, where a stay ends when the "
                            "item's next stage is entered and an item's current stage stays open.")
        return out
    return None


def close_stays(result: pd.DataFrame, cells: pd.Series | None) -> pd.Series:
    """Each stay's exit: when the same item next entered a stage, in time order whatever the file's
    order (ties keep the file's order); the last stay of an item stays open. ``cells``: the raw
    time cells, so two changes on one day keep their hours."""
    moments = _moments(result["entered"], cells)
    order = pd.DataFrame({"item": result["item_id"].to_numpy(), "at": moments.to_numpy(),
                          "day": result["entered"].to_numpy(), "position": np.arange(len(result))})
    order = order.sort_values(["item", "at", "position"], kind="mergesort")
    following = order.groupby("item", sort=False)["day"].shift(-1).reindex(range(len(result)))
    return pd.Series([None if pd.isna(day) else day for day in following], dtype="object")


def _moments(days: pd.Series, cells: pd.Series | None) -> pd.Series:
    """The parsed day, with the hour from the raw cell when the cell's day agrees."""
    day = pd.to_datetime(days, errors="coerce").reset_index(drop=True)
    if cells is None:
        return day
    cells = cells.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells.dtype):
        stamp = pd.Timestamp("1899-12-30") + pd.to_timedelta(cells.astype("float64"), unit="D")
    else:
        stamp = pd.to_datetime(cells.astype(object).where(cells.notna(), None), errors="coerce", format="mixed")
    stamp = pd.Series(stamp).reset_index(drop=True)
    if getattr(stamp.dt, "tz", None) is not None:
        stamp = stamp.dt.tz_localize(None)
    same = stamp.dt.normalize().eq(day).to_numpy()
    return day.where(~same, stamp)


# --- repeated project ids ------------------------------------------------------------------

SNAPSHOT = re.compile(r"\b(snapshot|as of|as at|asof|report date|reporting date|status date|updated|"
                      r"last updated|modified|extract date|extracted|data date)\b")


def find_snapshot(frame: pd.DataFrame, mapping: dict[str, str]) -> str | None:
    """The column that dates each row of a register kept as snapshots."""
    return next((h for h in frame.columns if h not in mapping and SNAPSHOT.search(normalise(h))), None)


def keep_rows(ids: pd.Series, dates: pd.Series | None, keep: str) -> np.ndarray:
    """Positions of the rows to load, in file order: every row, or per id its latest (by date, else
    the last in the file) or its first (earliest date, else first in the file)."""
    positions = np.arange(len(ids))
    if keep == "all":
        return positions
    order = pd.DataFrame({"id": ids.to_numpy(), "position": positions})
    order["at"] = pd.to_datetime(dates, errors="coerce").to_numpy() if dates is not None else pd.NaT
    order["at"] = order["at"].fillna(pd.Timestamp.min)
    order = order.sort_values(["at", "position"], kind="mergesort")
    picked = order.drop_duplicates("id", keep="last" if keep == "latest" else "first")
    return np.sort(picked["position"].to_numpy())


# --- the two hooks -------------------------------------------------------------------------

def before_parse(dataset: str, sheet: str, titles: list[tuple[int, str]], frame: pd.DataFrame, rows: np.ndarray,
                 mapping: dict[str, str], unmapped: list[str], options: LayoutOptions) -> Reshaped:
    """The raw frame reshaped for its layout (unchanged when it has none)."""
    shaped = None
    if dataset == "spend":
        shaped = spread_periods(frame, rows, mapping, unmapped, sheet, titles, options)
    elif dataset == "stage_history":
        shaped = find_stays(frame, rows, mapping, unmapped)
    if shaped is None:
        shaped = Reshaped(frame, rows, dict(mapping), list(unmapped))
    if dataset == "projects" and options.keep != "all":
        shaped.snapshot = find_snapshot(frame, mapping)
    return shaped


def after_parse(dataset: str, result: pd.DataFrame, shaped: Reshaped, header_of: dict[str, str],
                rows: np.ndarray, problem: Report, flagged: set[int],
                options: LayoutOptions) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Typed rows finished for their layout; also the positions kept (None: all). ``flagged``: the
    spreadsheet rows already reported. Its notes replace ``shaped.warnings`` (the caller has taken
    ``before_parse``'s)."""
    shaped.warnings = []
    if dataset == "spend":
        return _signed_amounts(result, shaped, header_of, rows, problem, flagged, options), None
    if dataset == "stage_history" and shaped.stays and "entered" in result and "item_id" in result:
        cells = shaped.frame[header_of["entered"]] if header_of.get("entered") in shaped.frame else None
        result["exited"] = close_stays(result, cells)
        still = int(result["exited"].isna().sum())
        shaped.warnings.append(f"{how_many(still, 'stay')} {'is' if still == 1 else 'are'} open: each is an "
                               "item's current stage.")
        return result, None
    if dataset == "projects" and "project_id" in result:
        return _one_row_per_project(result, shaped, rows, problem, options)
    return result, None


def _one_row_per_project(result: pd.DataFrame, shaped: Reshaped, rows: np.ndarray, problem: Report,
                         options: LayoutOptions) -> tuple[pd.DataFrame, np.ndarray | None]:
    repeated = result["project_id"].notna() & result["project_id"].duplicated(keep=False)
    if not repeated.any():
        return result, None
    ids = list(dict.fromkeys(result.loc[repeated, "project_id"].tolist()))
    listed = f"{naming('Project id', ids)} {'appears' if len(ids) == 1 else 'appear'} more than once"
    if options.keep == "all":
        shaped.warnings.append(f"{listed}: every row was loaded, as chosen.")
        return result, None
    dates = None
    if shaped.snapshot:
        dates, bad = parse_series(shaped.frame[shaped.snapshot], schema.DATE)
        for position, message in bad.items():
            problem(int(rows[position]), shaped.snapshot, shaped.frame[shaped.snapshot].iloc[position], message)
    kept = keep_rows(result["project_id"], dates, options.keep)
    which = "latest" if options.keep == "latest" else "first"
    by = f"by '{shaped.snapshot}'" if shaped.snapshot else f"the {'last' if which == 'latest' else 'first'} in the file"
    shaped.warnings.append(f"{listed}: loaded the {which} row of each ({by}) "
                           f"and left out {how_many(len(result) - len(kept), 'other row')}. To load every row, choose "
                           "'Keep every row' (--keep all).")
    return result.iloc[kept].reset_index(drop=True), kept


DEBIT_WORDS = {"d", "dr", "debit", "deb", "db", "s", "soll", "+"}
CREDIT_WORDS = {"c", "cr", "credit", "cred", "h", "haben", "-"}


def _signed_amounts(result: pd.DataFrame, shaped: Reshaped, header_of: dict[str, str], rows: np.ndarray,
                    problem: Report, flagged: set[int], options: LayoutOptions) -> pd.DataFrame:
    """Debit and credit columns → one amount (debit − credit); an amount with a D/C indicator →
    negated on credit rows; an amount the file does not name → the chosen scenario."""
    if "debit" in result or "credit" in result:
        debit = result["debit"] if "debit" in result else pd.Series(np.nan, index=result.index)
        credit = result["credit"] if "credit" in result else pd.Series(np.nan, index=result.index)
        debit, credit = debit.astype("float64"), credit.astype("float64")
        signed = credit.notna().any() and (credit.dropna() <= 0).all() and (credit.dropna() < 0).any()
        net = debit.fillna(0) + (credit.fillna(0) if signed else -credit.fillna(0))
        net[debit.isna() & credit.isna()] = np.nan
        names = " and ".join(f"'{header_of[c]}'" for c in ("debit", "credit") if c in header_of)
        for position in np.flatnonzero(net.isna().to_numpy()):
            if int(rows[position]) not in flagged and ("amount" not in result
                                                       or pd.isna(result["amount"].iloc[position])):
                problem(int(rows[position]), header_of.get("debit", header_of.get("credit")), None,
                        f"the line has no amount ({names} both blank)")
        result["amount"] = net if "amount" not in result else result["amount"].fillna(net)
        shaped.warnings.append(f"Read {names} as one amount, debit minus credit"
                               + (" (the credits already carry their minus sign)." if signed else "."))
        result = result.drop(columns=[c for c in ("debit", "credit") if c in result])
    if "dc_indicator" in result:
        result = _apply_indicator(result, shaped, header_of, rows, problem)
    if options.scenario and "amount" in result and "scenario" not in result:
        target = options.scenario
        result[target] = result["amount"] if target not in result else result[target].fillna(result["amount"])
        result = result.drop(columns="amount")
    return result


def _apply_indicator(result: pd.DataFrame, shaped: Reshaped, header_of: dict[str, str], rows: np.ndarray,
                     problem: Report) -> pd.DataFrame:
    header = header_of["dc_indicator"]
    words = result["dc_indicator"].map(lambda v: None if v is None or is_blank(v) else str(v).strip().lower())
    unknown = words.notna() & ~words.isin(DEBIT_WORDS | CREDIT_WORDS)
    for position in np.flatnonzero(unknown.to_numpy()):
        problem(int(rows[position]), header, result["dc_indicator"].iloc[position],
                f"'{result['dc_indicator'].iloc[position]}' is not a debit/credit indicator (D or C, Dr or Cr)")
    credit = words.isin(CREDIT_WORDS).to_numpy()
    amounts = [c for c in ("amount", *SCENARIOS) if c in result]
    for column in amounts:
        values = result[column].astype("float64")
        on_credit = values[credit].dropna()
        if len(on_credit) and (on_credit <= 0).all() and (on_credit < 0).any():
            shaped.warnings.append(f"The credit lines' amounts already carry their minus sign; '{header}' left "
                                   "them as they are.")
            continue
        values[credit] = -values[credit]
        result[column] = values
    if amounts:
        shaped.warnings.append(f"Read '{header}' as debit or credit: credit lines count as minus.")
    return result.drop(columns="dc_indicator")
