"""Turning a mapped raw table into canonical rows, or into a list of problems.

Pure: no database, no Streamlit. Every problem names the sheet, the spreadsheet row and the
column as the user sees them (their header and its letter).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from alignment import schema
from alignment.parsing import ParseError, is_blank, parse_score, parse_series
from alignment.reading import RawTable, column_letter

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
    source_rows: list[int]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    error_count: int = 0


def _where(raw: RawTable, header: str | None) -> str:
    if header is None or header not in raw.headers:
        return ""
    return f"column {column_letter(raw.headers.index(header))} ('{header}')"


def _cell(value: object) -> str | None:
    if is_blank(value):
        return None
    return str(value)[:100]


def validate(raw: RawTable, dataset: str, mapping: dict[str, str]) -> Validated:
    """Parse, check and reshape; when errors is non-empty, nothing may be written."""
    ds = schema.get_dataset(dataset)
    out = Validated(pd.DataFrame(), [])
    problems: list[Problem] = []
    flagged_rows: set[int] = set()

    def problem(row: int | None, header: str | None, value: object, message: str) -> None:
        out.error_count += 1
        if row is not None:
            flagged_rows.add(row)
        if len(problems) < MAX_ERRORS:
            where = ", ".join(p for p in (f"row {row}" if row else "", _where(raw, header)) if p)
            text = f"Sheet '{raw.sheet}', {where}: {message}." if where else f"Sheet '{raw.sheet}': {message}."
            problems.append(Problem(raw.sheet, row, header, _cell(value), text))

    frame = raw.frame
    # Rows that are not data: blank rows and total/subtotal lines.
    blank = blank_rows(frame)
    total = np.zeros(len(frame), dtype=bool)
    for col in [c for c in frame.columns[:4] if frame[c].dtype.kind not in "biufcmM"]:
        total |= frame[col].astype("string").str.match(TOTAL_ROW).fillna(False).to_numpy(dtype=bool)
    total &= ~blank
    if total.any():
        rows = raw.row_numbers[total].tolist()
        out.warnings.append(f"Skipped {len(rows)} total row(s) in sheet '{raw.sheet}': row(s) "
                            f"{_row_list(rows)}. Totals are worked out by the app, not loaded.")
    if blank.any():
        out.warnings.append(f"Skipped {int(blank.sum())} blank row(s) in sheet '{raw.sheet}'.")
    keep = ~(blank | total)
    out.skipped = int((~keep).sum())
    frame = frame.loc[keep].reset_index(drop=True)
    rows = raw.row_numbers[keep]

    unmapped = [h for h in raw.headers if h not in mapping and not frame[h].isna().all()]
    mapping = dict(mapping)
    if dataset == "survey" and "question" not in mapping.values() and "score" not in mapping.values():
        frame, rows, mapping, melted = _melt_wide_survey(frame, rows, mapping, unmapped)
        if melted:
            out.warnings.append(f"Read {len(melted)} question column(s) as a wide survey: "
                                f"{', '.join(melted[:8])}{'…' if len(melted) > 8 else ''}.")
            unmapped = [h for h in unmapped if h not in melted]
    for header in unmapped:
        out.warnings.append(f"Column '{header}' was not loaded: it matches no {dataset} field.")

    header_of = {column: header for header, column in mapping.items()}
    present = set(header_of)
    for column in ds.columns:
        if column.required and column.name not in present:
            problem(raw.header_row, None, None,
                    f"required column '{column.name}' was not found ({column.help or column.name}); "
                    f"map one of your columns to it")
    for group in ds.one_of:
        if not present & set(group):
            problem(raw.header_row, None, None,
                    f"none of the columns {', '.join(group)} was found; at least one is needed")
    if problems:
        out.errors = problems
        return out

    parsed: dict[str, pd.Series] = {}
    unreadable: dict[str, dict[int, str]] = {}
    for column in ds.columns:
        header = header_of.get(column.name)
        if header is None:
            continue
        values, bad = parse_series(frame[header], column.kind)
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
        if column.required:
            for position in np.flatnonzero(values.isna().to_numpy()):
                if position in unreadable[column.name]:
                    continue
                problem(int(rows[position]), _origin(frame, header, position), None,
                        f"{column.name.replace('_', ' ')} is required but blank")
        if column.kind in (schema.DATE, schema.MONTH):
            for position, value in values.items():
                if value is not None and not (EARLIEST <= value <= LATEST):
                    problem(int(rows[position]), _origin(frame, header, position), value,
                            f"{value} is outside the sane range {EARLIEST.year}–{LATEST.year}")
        if column.kind == schema.PERCENT:
            for position, value in values.items():
                if value is not None and not (0 <= value <= 1):
                    problem(int(rows[position]), header, frame[header].iloc[position],
                            "a percentage must be between 0% and 100%")
        if column.name == "headcount":
            for position, value in values.items():
                if value is not None and value < 0:
                    problem(int(rows[position]), header, value, "headcount cannot be negative")

    if dataset == "spend":
        result = _spend_layout(result, header_of, rows, problem, flagged_rows)
    if dataset == "stage_history" and "exited" in result:
        for position in range(len(result)):
            entered, exited = result["entered"].iloc[position], result["exited"].iloc[position]
            if entered is not None and exited is not None and exited < entered:
                problem(int(rows[position]), header_of.get("exited"), exited,
                        f"exited {exited} is before entered {entered}")
    if dataset == "projects":
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            if start in result and end in result:
                for position in range(len(result)):
                    a, b = result[start].iloc[position], result[end].iloc[position]
                    if a is not None and b is not None and b < a:
                        problem(int(rows[position]), header_of.get(end), b,
                                f"{end.replace('_', ' ')} {b} is before {start.replace('_', ' ')} {a}")
    if dataset == "survey":
        result = _infer_dimension(result)

    if out.error_count > len(problems):
        problems.append(Problem(raw.sheet, None, None, None,
                                f"…and {out.error_count - len(problems)} more problem(s) not listed."))
    out.errors = problems
    if not problems:
        out.frame = result
        out.source_rows = [int(r) for r in rows]
    return out


def _origin(frame: pd.DataFrame, header: str, position: int) -> str:
    """In a melted survey the question's own column is the place to look."""
    if "__question_column" in frame.columns and header == "__score":
        return frame["__question_column"].iloc[position]
    return header


def blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with nothing in any cell (spaces count as nothing)."""
    mask = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        values = frame[col]
        empty = values.isna().to_numpy()
        if values.dtype.kind not in "biufcmM":
            empty = empty | values.astype("string").str.strip().fillna("").eq("").to_numpy(dtype=bool)
        mask &= empty
    return mask


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:10])
    return shown + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")


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
    if amounts:
        none = result[amounts].isna().all(axis=1).to_numpy()
        for position in np.flatnonzero(none):
            if int(rows[position]) in flagged_rows:
                continue  # its amount was already reported as unreadable
            problem(int(rows[position]), header_of.get(amounts[0]), None,
                    f"the line has no amount ({', '.join(amounts)} all blank)")
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
