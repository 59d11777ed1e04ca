"""Turning a mapped raw table into canonical rows, or into a list of problems.

Pure: no database, no Streamlit. Every problem names the sheet, the spreadsheet row and the
column as the user sees them (their header and its letter).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from alignment import arrow_check, layouts, rules, schema
from alignment.formatting import how_many, listing, lower_first, naming
from alignment.labels import field_label
from alignment.parsing import MAX_AMOUNT, ParseError, amount_unit, is_blank, parse_score, parse_series
from alignment.reading import RawTable, column_letter
from alignment.settings import defaults

MAX_ERRORS = 200
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
TOTAL_ROW = re.compile(r"^\s*(grand\s+)?(sub\s*-?\s*)?totals?\b|^\s*sum\b", re.I)


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": self.value,
                "message": self.message}


@dataclass
class Validated:
    frame: pd.DataFrame  # canonical columns, one row per loaded row
    source_rows: list[int] | np.ndarray
    errors: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    error_count: int = 0
    amount_scales: dict[str, float] = field(default_factory=dict)  # money field → what its cells were multiplied by

    @property
    def amount_scale(self) -> float | None:
        """The one scale applied to the amounts (1 = as written); None without amounts or when
        columns were scaled differently (the warnings say which)."""
        scales = set(self.amount_scales.values())
        return scales.pop() if len(scales) == 1 else None


def _where(raw: RawTable, header: str | None) -> str:
    if header is None or header not in raw.headers:
        return ""
    return f"column {column_letter(raw.headers.index(header))} ('{header}')"


def _cell(value: object) -> str | None:
    if is_blank(value):
        return None
    return str(value)[:100]


def validate(raw: RawTable, dataset: str, mapping: dict[str, str], *, unit: float | None = None,
             settings: Mapping[str, Any] | None = None, layout: layouts.LayoutOptions | None = None,
             progress: Callable[[float], None] | None = None) -> Validated:
    """Parse, check and reshape; when errors is non-empty, nothing may be written. ``unit`` (1, 1000,
    1000000) is what the file's amounts are in, over what its headers and titles say; ``settings``
    are the organisation's (fiscal year start, currency), defaults when not given; ``progress`` is
    told the fraction of columns checked. A plain table read into Arrow is checked there
    (alignment.arrow_check); anything else, and any problem, takes the row-by-row path below."""
    ds = schema.get_dataset(dataset)
    chosen = {**defaults(), **(settings or {})}
    plain = _plain(raw, ds, mapping, unit, chosen, progress)
    if plain is not None:
        return plain
    out = Validated(pd.DataFrame(), [], warnings=list(raw.warnings))
    # The first MAX_ERRORS problems in the sheet's order (row, then column), however the checks found
    # them (column by column): a heap of the kept ones, the latest in the sheet on top to be let go.
    shortlist: list[tuple[tuple[int, int, int], Problem]] = []
    found = itertools.count()
    column_at = {header: i for i, header in enumerate(raw.headers)}
    flagged_rows: set[int] = set()

    def problem(row: int | None, header: str | None, value: object, message: str) -> None:
        out.error_count += 1
        if row is not None:
            flagged_rows.add(row)
        place = (-(row or 0), -(-1 if header is None else column_at.get(header, len(column_at))), -next(found))
        if len(shortlist) == MAX_ERRORS and place <= shortlist[0][0]:
            return  # later in the sheet than every problem kept
        where = ", ".join(p for p in (f"row {row}" if row else "", _where(raw, header)) if p)
        text = f"Sheet '{raw.sheet}', {where}: {message}." if where else f"Sheet '{raw.sheet}': {message}."
        listed = (place, Problem(raw.sheet, row, header, _cell(value), text))
        (heapq.heappush if len(shortlist) < MAX_ERRORS else heapq.heapreplace)(shortlist, listed)

    def in_sheet_order() -> list[Problem]:
        return [listed for _, listed in sorted(shortlist, key=lambda item: item[0], reverse=True)]

    frame = raw.frame
    # Rows that are not data: blank rows and total/subtotal lines.
    blank = blank_rows(frame)
    total = np.zeros(len(frame), dtype=bool)
    for col in [c for c in frame.columns[:4] if frame[c].dtype.kind not in "biufcmM"]:
        total |= _each_distinct(frame[col], lambda u: u.str.match(TOTAL_ROW), if_missing=False)
    total &= ~blank
    if total.any():
        rows = raw.row_numbers[total].tolist()
        out.warnings.append(f"Skipped {how_many(len(rows), 'total row')} in sheet '{raw.sheet}': "
                            f"{naming('row', rows)}. Totals are worked out by the app, not loaded.")
    if blank.any():
        out.warnings.append(f"Skipped {how_many(blank.sum(), 'blank row')} in sheet '{raw.sheet}'.")
    keep = ~(blank | total)
    out.skipped = int((~keep).sum())
    if not keep.all():  # most files have nothing to skip: no copy of a million rows then
        frame = frame.loc[keep].reset_index(drop=True)
    rows = raw.row_numbers[keep]

    unmapped = [h for h in raw.headers if h not in mapping and not frame[h].isna().all()]
    mapping = dict(mapping)
    if dataset == "survey" and "question" not in mapping.values() and "score" not in mapping.values():
        frame, rows, mapping, melted = _melt_wide_survey(frame, rows, mapping, unmapped)
        if melted:
            out.warnings.append(f"Read {how_many(len(melted), 'question column')} as a wide survey: "
                                f"{', '.join(melted[:8])}{'…' if len(melted) > 8 else ''}.")
            unmapped = [h for h in unmapped if h not in melted]
    options = replace(layout or layouts.LayoutOptions(), fiscal_year_start_month=int(chosen["fiscal_year_start_month"]))
    shaped = layouts.before_parse(dataset, raw.sheet, raw.titles, frame, rows, mapping, unmapped, options)
    frame, rows, mapping, unmapped = shaped.frame, shaped.rows, shaped.mapping, shaped.unmapped
    out.warnings.extend(shaped.warnings)
    for header, message in shaped.errors:
        problem(raw.header_row, header, None, message)
    if unmapped:
        out.warnings.append(_unmapped_warning(unmapped, dataset))

    header_of = {column: header for header, column in mapping.items()}
    present = set(header_of)
    for column in ds.columns:
        if column.required and column.name not in present:
            about = f" ({lower_first(column.help.rstrip('.'))})" if column.help else ""
            problem(raw.header_row, None, None,
                    f"required column '{field_label(column.name)}' was not found{about}; map one of your columns "
                    "to it")
    for group in ds.one_of:
        if not present & set(group):
            problem(raw.header_row, None, None,
                    f"none of the columns {_either(group)} was found; at least one is needed")
    units = _amount_units(raw, ds, header_of, unit, str(chosen["currency"] or "USD").strip().upper())
    for row, header, value, message in units.refusals:
        problem(row, header, value, message)
    if shortlist:
        out.errors = in_sheet_order()
        return out
    out.amount_scales = units.scales
    out.warnings.extend(units.notes)

    def flag(mask: np.ndarray, header: str | None, cells: np.ndarray | None, message) -> None:
        """Report every row where ``mask`` holds; ``message(position)`` says what is wrong."""
        for position in np.flatnonzero(mask):
            problem(int(rows[position]), _origin(frame, header, position),
                    None if cells is None else cells[position], message(position))

    parsed: dict[str, pd.Series] = {}
    unreadable: dict[str, dict[int, str]] = {}
    nps = nps_rows(frame, header_of) if dataset == "survey" else np.zeros(len(frame), dtype=bool)
    for done, column in enumerate(ds.columns):
        if progress:
            progress(done / len(ds.columns))
        header = header_of.get(column.name)
        if header is None:
            continue
        values, bad = parse_series(frame[header], column.kind, int(chosen["fiscal_year_start_month"]))
        if column.name == "score" and nps.any():
            values, bad = _nps_scores(frame[header], values, bad, nps)
        if units.scales.get(column.name, 1) != 1:
            values = _scaled(values, units.scales[column.name], bad)
        unreadable[column.name] = bad
        for position, message in bad.items():
            problem(int(rows[position]), _origin(frame, header, position), frame[header].iloc[position], message)
        parsed[column.name] = values
    result = pd.DataFrame(parsed, index=range(len(frame)))

    for column in ds.columns:
        header = header_of.get(column.name)
        if header is None:
            continue
        values = result[column.name]
        parsed_cells = values.to_numpy()
        if column.required:
            missing = values.isna().to_numpy(copy=True)
            missing[list(unreadable[column.name])] = False  # already reported as unreadable
            flag(missing, header, None, lambda _, c=column: f"'{field_label(c.name)}' is required but blank")
        if column.kind in (schema.DATE, schema.MONTH):
            outside = _where_present(values, lambda v: (v < EARLIEST) | (v > LATEST))
            flag(outside, header, parsed_cells,
                 lambda i, v=parsed_cells: f"{v[i]} is outside the sane range {EARLIEST.year}–{LATEST.year}")
        if column.kind == schema.PERCENT:
            flag(_where_present(values, lambda v: (v < 0) | (v > 1)), header, frame[header].to_numpy(),
                 lambda _: "a percentage must be between 0% and 100%")
        if column.name == "headcount":
            flag(_where_present(values, lambda v: v < 0), header, parsed_cells,
                 lambda _: "headcount cannot be negative")

    result, kept = layouts.after_parse(dataset, result, shaped, header_of, rows, problem, flagged_rows, options)
    out.warnings.extend(shaped.warnings)
    if kept is not None:
        out.skipped += len(rows) - len(kept)
        rows = rows[kept]
    if dataset == "spend":
        result = _spend_layout(result, header_of, rows, problem, flagged_rows)
    if dataset == "mapping_rules" and not out.error_count:
        result = rules.check(result, header_of, rows, problem)
    order_pairs = {"stage_history": (("entered", "exited"),),
                   "projects": (("planned_start", "planned_end"), ("actual_start", "actual_end"))}
    for start, end in order_pairs.get(dataset, ()):
        if start in result and end in result:
            first, last = result[start].to_numpy(), result[end].to_numpy()
            both = result[start].notna().to_numpy() & result[end].notna().to_numpy()
            backwards = np.zeros(len(result), dtype=bool)
            backwards[both] = last[both] < first[both]
            flag(backwards, header_of.get(end), last, lambda i, s=start, e=end, f=first, la=last:
                 f"{lower_first(field_label(e))} {la[i]} is before {lower_first(field_label(s))} {f[i]}")
    if dataset == "survey":
        if nps.any():
            result.loc[nps, "dimension"] = schema.NPS_DIMENSION
        result = _infer_dimension(result)

    problems = in_sheet_order()
    if out.error_count > len(problems):
        problems.append(Problem(raw.sheet, None, None, None,
                                f"…and {how_many(out.error_count - len(problems), 'more problem')} not listed."))
    out.errors = problems
    if not problems:
        out.frame = result
        out.source_rows = np.asarray(rows, dtype=np.int64)  # a list of a million ints costs 0.6 s
    if progress:
        progress(1.0)
    return out


def _plain(raw: RawTable, ds: schema.Dataset, mapping: dict[str, str], unit: float | None,
           chosen: Mapping[str, Any], progress: Callable[[float], None] | None) -> Validated | None:
    """The plain case checked over Arrow columns, with the notes the row-by-row path would give
    it; None when that path must run (it also names every problem)."""
    checked = arrow_check.check_plain(raw, ds.name, mapping, int(chosen["fiscal_year_start_month"]), progress)
    if checked is None:
        return None
    table, header_of = checked
    units = _amount_units(raw, ds, header_of, unit, str(chosen["currency"] or "USD").strip().upper())
    if units.refusals:
        return None
    for name, scale in units.scales.items():
        if scale != 1:
            values = table.column(name).to_numpy()
            scaled = (values * scale).round(6)
            with np.errstate(invalid="ignore"):
                if (np.abs(scaled) >= MAX_AMOUNT).any():
                    return None
            table = table.set_column(table.column_names.index(name), name, pa.array(scaled, from_pandas=True))
    warnings = list(raw.warnings)
    unmapped = [h for h in raw.headers if h not in mapping and raw.table.column(h).null_count < raw.table.num_rows]
    if unmapped:
        warnings.append(_unmapped_warning(unmapped, ds.name))
    warnings.extend(units.notes)
    # Amounts as numpy floats, as the row-by-row path gives them; text and dates stay in Arrow.
    frame = table.to_pandas(types_mapper=lambda t: None if pa.types.is_floating(t) else pd.ArrowDtype(t))
    return Validated(frame, np.asarray(raw.row_numbers, dtype=np.int64), warnings=warnings,
                     amount_scales=units.scales)


@dataclass
class AmountUnits:
    scales: dict[str, float]  # money field → multiplier
    notes: list[str]
    refusals: list[tuple[int | None, str, str, str]]  # row, header, value, message


SCALE_WORDS = {1.0: "units", 1e3: "thousands", 1e6: "millions", 1e9: "billions"}


def _amount_units(raw: RawTable, ds: schema.Dataset, header_of: dict[str, str], unit: float | None,
                  currency: str) -> AmountUnits:
    """What each money column's cells are in, from the user's choice, else its header ('Actual
    ($000)'), else a title row above the header ('Amounts in thousands'); and a refusal for amounts
    in another currency than the database's, which would otherwise be added to it as if equal."""
    out = AmountUnits({}, [], [])
    titles = [(row, text, *amount_unit(text)) for row, text in raw.titles]
    title_scale = next(((row, text, scale) for row, text, scale, _ in titles if scale), None)
    title_code = next(((row, text, code) for row, text, _, code in titles if code), None)
    said: dict[tuple[float, str], list[str]] = {}
    for column in ds.columns:
        header = header_of.get(column.name)
        if column.kind != schema.MONEY or header is None:
            continue
        scale, code = amount_unit(header)
        if code and code != currency:
            out.refusals.append((raw.header_row, header, header, _other_currency("its header says", code,
                                                                                 currency)))
        elif code is None and title_code and title_code[2] != currency:
            out.refusals.append((title_code[0], header, title_code[1], _other_currency(
                f"row {title_code[0]} ('{title_code[1][:60]}') says", title_code[2], currency)))
        if unit is not None:
            found, why = float(unit), "as chosen"
        elif scale:
            found, why = scale, "the header says so"
        elif title_scale:
            found, why = title_scale[2], f"row {title_scale[0]} says '{title_scale[1][:60]}'"
        else:
            found, why = 1.0, ""
        out.scales[column.name] = found
        if why and (found != 1 or unit is not None):
            said.setdefault((found, why), []).append(_where(raw, header))
    for (found, why), places in said.items():
        times = f"multiplied by {found:,.0f}" if found != 1 else "taken as they stand"
        out.notes.append(f"Amounts in {', '.join(places)} are in {SCALE_WORDS.get(found, f'units of {found:,.0f}')} "
                         f"({why}): {times}.")
    return out


def _other_currency(source: str, code: str, currency: str) -> str:
    return (f"{source} the amounts are in {code}, but this database holds {currency}; convert them to "
            f"{currency} before loading (one currency per database, set in Settings)")


def _scaled(values: pd.Series, scale: float, bad: dict[int, str]) -> pd.Series:
    """Amounts times their unit, without float dust (1.1 × 1,000 is 1,100, not 1,100.0000000000002);
    an amount that grows past the app's limit is reported like any too-large cell."""
    scaled = (values.astype("float64") * scale).round(6)
    with np.errstate(invalid="ignore"):
        too_big = np.flatnonzero(np.abs(scaled.to_numpy()) >= MAX_AMOUNT)
    for position in too_big:
        bad[int(position)] = (f"{values.iloc[position]:g} × {scale:,.0f} is too large "
                              "(this app takes amounts below 1,000,000,000,000,000)")
    if len(too_big):
        scaled.iloc[too_big] = np.nan
    return scaled


def _where_present(values: pd.Series, test) -> np.ndarray:
    """``test`` applied to the non-blank cells at once; blank cells never fail it."""
    present = values.notna().to_numpy()
    mask = np.zeros(len(values), dtype=bool)
    if present.any():
        mask[present] = np.asarray(test(values.to_numpy()[present]), dtype=bool)
    return mask


def _origin(frame: pd.DataFrame, header: str | None, position: int) -> str | None:
    """In a melted sheet (survey questions, spend periods across) the value's own column is the
    place to look."""
    if "__question_column" in frame.columns and header == "__score":
        return frame["__question_column"].iloc[position]
    if layouts.ORIGIN in frame.columns and header == layouts.AMOUNT:
        return frame[layouts.ORIGIN].iloc[position]
    return header


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with nothing in any cell (spaces count as nothing)."""
    mask = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        values = frame[col]
        if values.dtype.kind in "biufcmM":
            mask &= values.isna().to_numpy()
        else:
            mask &= _each_distinct(values, lambda u: u.str.strip().eq(""), if_missing=True)
        if not mask.any():
            break
    return mask


def _each_distinct(values: pd.Series, test: Callable[[pd.Series], pd.Series], if_missing: bool) -> np.ndarray:
    """A text test run once per distinct value, then spread to the rows: a million-row column has
    a few hundred distinct values, and a string copy of every cell costs more than the test."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    answers = test(pd.Series(distinct, dtype="object").astype(str)).to_numpy(dtype=bool)
    return np.append(answers, if_missing)[codes]  # code -1 (a missing cell) takes the last slot


def _unmapped_warning(headers: list[str], dataset: str) -> str:
    """One note for all the columns left out: a wide sheet must not bury the page in boxes."""
    what = lower_first(schema.get_dataset(dataset).title)  # as the Data page names it: 'IT spend'
    if len(headers) == 1:
        return f"Column '{headers[0]}' was not loaded: it matches no {what} field."
    shown = ", ".join(f"'{h}'" for h in headers[:8])
    more = f" and {len(headers) - 8:,} more" if len(headers) > 8 else ""
    return f"{len(headers):,} columns were not loaded, as they match no {what} field: {shown}{more}."


def _either(fields: tuple[str, ...] | list[str]) -> str:
    """'Budget', 'Actual spend' or 'Forecast': a dataset's columns by their business names."""
    return listing([f"'{field_label(f)}'" for f in fields], "or")


def summarise_warnings(warnings: list[str], shown: int = 5) -> list[str]:
    """At most ``shown`` notes and one that counts the rest: each becomes a box on the Data page."""
    if len(warnings) <= shown + 1:
        return list(warnings)
    rest = warnings[shown:]
    return [*warnings[:shown], f"…and {how_many(len(rest), 'more note')}, the first: {rest[0]}"]


def _melt_wide_survey(frame: pd.DataFrame, rows: np.ndarray, mapping: dict[str, str],
                      unmapped: list[str]) -> tuple[pd.DataFrame, np.ndarray, dict[str, str], list[str]]:
    """One row per respondent with a column per question → one row per answer."""
    questions = [h for h in unmapped if _looks_like_scores(frame[h])]
    if not questions:
        return frame, rows, mapping, []
    ids = list(mapping)
    long = frame[ids + questions].copy()
    long["__row"] = rows
    long = long.melt(id_vars=ids + ["__row"], value_vars=questions, var_name="__question",
                     value_name="__score")
    long["__question_column"] = long["__question"]
    long = long.loc[~long["__score"].map(is_blank)].reset_index(drop=True)
    new_mapping = {**mapping, "__question": "question", "__score": "score"}
    return long, long["__row"].to_numpy(), new_mapping, questions


def _looks_like_scores(values: pd.Series) -> bool:
    """Answers are numbers or Likert words; a wrong number (9) still marks a question column,
    so that it is reported, not silently left out."""
    present = [v for v in values.tolist() if not is_blank(v)][:200]
    if not present:
        return False
    good = 0
    for value in present:
        try:
            parse_score(value)
            good += 1
        except ParseError:
            good += isinstance(value, (int, float)) or bool(re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", str(value)))
    return good >= 0.8 * len(present)


def nps_rows(frame: pd.DataFrame, header_of: dict[str, str]) -> np.ndarray:
    """Rows answering a Net Promoter question, which are scored 0-10, not 1-5: the dimension says
    NPS, or no dimension is given and the question asks about recommending."""
    named, blank, asks = (np.zeros(len(frame), dtype=bool), np.ones(len(frame), dtype=bool),
                          np.zeros(len(frame), dtype=bool))
    if (dimension := header_of.get("dimension")) is not None:
        named = _each_distinct(frame[dimension], lambda u: u.str.strip().str.lower().isin(schema.NPS_WORDS),
                               if_missing=False)
        blank = _each_distinct(frame[dimension], lambda u: u.str.strip().eq(""), if_missing=True)
    if (question := header_of.get("question")) is not None:
        asks = _each_distinct(frame[question], lambda u: u.str.lower().str.contains(schema.NPS_QUESTION_WORD,
                                                                                     regex=False), if_missing=False)
    return named | (blank & asks)


def parse_nps_score(value: object) -> int | None:
    """A 0-10 likelihood to recommend: a whole number, or one with its label ('9 - Very likely')."""
    if is_blank(value):
        return None
    low, high = schema.NPS_RANGE
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(?:[-–:=.)]\s*.*)?$", value.strip()) if isinstance(value, str) else None
    try:
        if isinstance(value, bool) or (isinstance(value, str) and not m):
            raise ValueError
        number = float(m[1]) if m else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParseError(f"'{value}' is not a likelihood to recommend from {low} to {high}") from None
    if not number.is_integer() or not low <= number <= high:
        raise ParseError(f"score {m[1] if m else f'{number:g}'} is not a whole number from {low} to {high} "
                         "(a likelihood-to-recommend question)")
    return int(number)


def _nps_scores(cells: pd.Series, values: pd.Series, bad: dict[int, str],
                nps: np.ndarray) -> tuple[pd.Series, dict[int, str]]:
    """The score column re-read on Net Promoter rows with the 0-10 rule (each distinct cell once)."""
    values, bad = values.copy(), dict(bad)
    seen: dict[object, tuple[int | None, str | None]] = {}
    for position in np.flatnonzero(nps):
        cell = cells.iloc[position]
        key = (type(cell).__name__, str(cell))
        if key not in seen:
            try:
                seen[key] = (parse_nps_score(cell), None)
            except ParseError as exc:
                seen[key] = (None, str(exc))
        score, problem = seen[key]
        values.iloc[position] = score
        bad.pop(int(position), None)
        if problem:
            bad[int(position)] = problem
    return values, dict(sorted(bad.items()))


def _spend_layout(result: pd.DataFrame, header_of: dict[str, str], rows: np.ndarray, problem,
                  flagged_rows: set[int]) -> pd.DataFrame:
    """Accept the long layout (scenario + amount) and require an amount on every line."""
    if "scenario" in result and "amount" in result:
        for scenario in ("budget", "actual", "forecast"):
            picked = result["amount"].where(result["scenario"] == scenario)
            result[scenario] = picked if scenario not in result else result[scenario].fillna(picked)
        for position in np.flatnonzero(result["scenario"].isna().to_numpy()):
            problem(int(rows[position]), header_of["scenario"], None, "scenario is required in the long layout "
                    "(budget, actual or forecast)")
    elif "amount" in result:
        result["actual"] = result["amount"] if "actual" not in result else result["actual"].fillna(result["amount"])
    amounts = [c for c in ("budget", "actual", "forecast") if c in result]
    if amounts:  # named as the file has them ('Actual (USD)'), else as the Data page does ('Budget')
        names = [f"'{header_of.get(c) or field_label(c)}'" for c in amounts]
        blank = (f"{names[0]} blank" if len(names) == 1 else
                 f"{' and '.join(names)} both blank" if len(names) == 2 else
                 f"{', '.join(names[:-1])} and {names[-1]} all blank")
        none = result[amounts].isna().all(axis=1).to_numpy()
        for position in np.flatnonzero(none):
            if int(rows[position]) in flagged_rows:
                continue  # its amount was already reported as unreadable
            problem(int(rows[position]), header_of.get(amounts[0]), None, f"the line has no amount ({blank})")
    return result.drop(columns=[c for c in ("scenario", "amount") if c in result])


DIMENSION_KEYWORDS = {
    "Communications": ("communicat", "understand", "knowledge sharing", "liaison"),
    "Value measurement": ("value", "metric", "measure", "benchmark", "roi"),
    "Governance": ("governance", "prioriti", "budget", "steering", "decision"),
    "Partnership": ("partner", "trust", "sponsor", "shared goal", "relationship"),
    "Scope & architecture": ("architecture", "scope", "standard", "integration", "infrastructure"),
    "Skills": ("skill", "training", "learning", "career", "culture", "innovation"),
}


def infer_dimension(question: str | None) -> str | None:
    """The Luftman dimension a question is about, from its words; None if unclear."""
    if not question:
        return None
    text = question.lower()
    for dimension, words in DIMENSION_KEYWORDS.items():
        if dimension.lower() in text or any(w in text for w in words):
            return dimension
    return None


def _infer_dimension(result: pd.DataFrame) -> pd.DataFrame:
    if "dimension" not in result:
        result["dimension"] = None
    missing = result["dimension"].isna()
    if missing.any():
        result.loc[missing, "dimension"] = result.loc[missing, "question"].map(infer_dimension)
    return result
