"""Mapping rules: how IT finance ties GL lines to what they serve (the TBM model's mapping step).

A rule says "where a spend line's <match_column> is <match_value>, its <sets_column> is
<sets_value>", optionally for a share (``weight``) of the line, so one cost centre can serve two
goals 60/40. Rules are applied when the analyses run (the ``spend`` view), never at load time, so
a corrected rule re-maps all history at once and undoing the rules upload restores the old
mapping. What decides:

- A value present in the uploaded spend row wins over every rule for that column.
- ``match_value`` is compared case-insensitively, trimmed; ``*`` at either end is a wildcard
  (``CC-1*``, ``*cloud``, ``*aws*``; ``*`` alone matches any value that is there).
- Several rules can match one line for the same column: an exact value beats a wildcard, then
  the longer pattern beats the shorter, then the match column listed earlier in MATCH_COLUMNS,
  then the pattern in alphabetical order (so the outcome never depends on load order).
- Rules match the uploaded values only: a value one rule sets is never matched by another.
- Weights of one match and one ``sets_column`` sum to 1 (checked at upload); a split line's
  amounts are divided by weight, so totals never change. Splits of two columns multiply.
- A later active rules upload that repeats a match and column replaces the earlier's rows for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import duckdb
import numpy as np
import pandas as pd

from alignment import schema
from alignment.formatting import naming
from alignment.parsing import ParseError, parse_capex, parse_rgt

# Spend columns a rule can match on, in the order that breaks a tie between equally specific rules.
MATCH_COLUMNS = ("cost_center", "account", "vendor", "project_id", "business_unit", "tower", "cost_pool",
                 "description")
# Spend columns a rule can set.
SETS_COLUMNS = ("business_goal", "business_unit", "tower", "cost_pool", "rgt", "capex_opex")
AMOUNTS = ("budget", "actual", "forecast")
VALUE_PARSERS: dict[str, Callable[[object], str | None]] = {"rgt": parse_rgt, "capex_opex": parse_capex}
TOLERANCE = 1e-9  # float noise only: 33.33% three times is refused, 1/3 from a formula is not
# The datasets whose view reads another dataset (so a cached figure is dropped when either changes).
VIEW_READS = {"spend": ("mapping_rules",)}

Report = Callable[[int | None, str | None, object, str], None]


# --- checking an upload ------------------------------------------------------------------

def column_name(text: object, allowed: Sequence[str]) -> str | None:
    """A spend column named as a person would write it ('Cost centre', 'cost_center', 'Vendor')."""
    words = re.sub(r"[\s\-/]+", " ", str(text).strip().lower().replace("_", " "))
    if words.replace(" ", "_") in allowed:
        return words.replace(" ", "_")
    spend = schema.get_dataset("spend")
    return next((c.name for c in spend.columns if c.name in allowed and words in c.synonyms), None)


def _pattern_problem(value: str) -> str | None:
    if "*" in value.strip("*"):
        return f"'{value}' has a * inside it; a wildcard may only start or end the value (CC-1*, *cloud, *aws*)"
    return None


def check(result: pd.DataFrame, header_of: dict[str, str], rows: np.ndarray, problem: Report) -> pd.DataFrame:
    """The parsed rules, with their columns named canonically and their values checked; every
    problem is reported through ``problem`` (row, header, cell, message) naming the spreadsheet row."""
    result = result.copy()
    if "weight" not in result:
        result["weight"] = np.nan
    result["weight"] = result["weight"].astype(float).fillna(1.0)
    bad = np.zeros(len(result), dtype=bool)

    def report(position: int, column: str, value: object, message: str) -> None:
        bad[position] = True
        problem(int(rows[position]), header_of.get(column), value, message)

    for position in range(len(result)):
        match, sets = result.at[position, "match_column"], result.at[position, "sets_column"]
        value, target = result.at[position, "match_value"], result.at[position, "sets_value"]
        if match is not None and (name := column_name(match, MATCH_COLUMNS)) is None:
            report(position, "match_column", match, f"'{match}' is not a spend column a rule can match on; "
                   f"use one of {', '.join(MATCH_COLUMNS)}")
        elif match is not None:
            result.at[position, "match_column"] = match = name
        if sets is not None and (name := column_name(sets, SETS_COLUMNS)) is None:
            report(position, "sets_column", sets, f"'{sets}' is not a spend column a rule can set; "
                   f"use one of {', '.join(SETS_COLUMNS)}")
        elif sets is not None:
            result.at[position, "sets_column"] = sets = name
        if value is not None:
            result.at[position, "match_value"] = value = str(value).strip()
            if message := _pattern_problem(value):
                report(position, "match_value", value, message)
        if match is not None and match == sets:
            report(position, "sets_column", sets, f"a rule cannot set the column it matches on ({sets}); "
                   "a line's own value always wins")
        if target is not None and sets in VALUE_PARSERS:
            try:
                result.at[position, "sets_value"] = VALUE_PARSERS[sets](target)
            except ParseError as exc:
                report(position, "sets_value", target, str(exc))
        elif target is not None:
            result.at[position, "sets_value"] = str(target).strip()
        if result.at[position, "weight"] <= 0:
            report(position, "weight", result.at[position, "weight"], "a weight must be above 0% (leave the rule "
                   "out to map nothing)")
    if not bad.any():
        _check_weights(result, rows, header_of, problem)
    return result


def _check_weights(result: pd.DataFrame, rows: np.ndarray, header_of: dict[str, str], problem: Report) -> None:
    """Weights of one match and one set column must sum to 1, or the line's total would change."""
    groups = result.assign(_pattern=result["match_value"].str.lower(), _row=rows).groupby(
        ["match_column", "_pattern", "sets_column"], sort=False)
    for (match, _, sets), group in groups:
        total = float(group["weight"].sum())
        if abs(total - 1) <= TOLERANCE:
            continue
        listed = naming("row", group["_row"].tolist(), shown=None)
        for position in group.index:
            problem(int(rows[position]), header_of.get("weight"), f"{result.at[position, 'weight']:.4g}",
                    f"the weights for {match} '{group['match_value'].iloc[0]}' setting {sets} add up to "
                    f"{total:.2%}, not 100% ({listed}); a split must share out the whole line")


COLUMNS = ("match_column", "match_value", "sets_column", "sets_value", "weight")
EDITOR_SHEET = "Rules table"


def active_rules(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The rules in force, in the order a person reads them (for the Data page's editor)."""
    return cur.execute(f"SELECT {', '.join(COLUMNS)} FROM mapping_rules "
                       "ORDER BY sets_column, match_column, lower(match_value), sets_value").df()


def check_table(frame: pd.DataFrame):  # -> alignment.validation.Validated
    """Rules edited in the app, checked exactly as an uploaded rules file: its row N is the table's
    row N, so every problem names the row the editor sees."""
    from alignment.reading import RawTable
    from alignment.validation import validate

    table = pd.DataFrame({c: frame[c] if c in frame else None for c in COLUMNS}).astype(object)
    table = table.where(table.notna(), None).reset_index(drop=True)
    raw = RawTable(EDITOR_SHEET, table, np.arange(1, len(table) + 1), 0, list(COLUMNS))
    return validate(raw, "mapping_rules", {c: c for c in COLUMNS})


# --- applying the rules: the spend view ----------------------------------------------------
#
# The view is rewritten whenever a rules upload is loaded, undone or restored (in the same
# transaction), naming only the columns the active rules use: with no rule it is the plain lines,
# so the analyses cost what they did; with rules, each distinct combination of the used values
# is resolved once (a few thousand keys, not a million lines) and the lines join their key's
# splits. The rule values themselves are read from mapping_rules_rows when a query runs.

ACTIVE_RULES = "SELECT id FROM uploads WHERE status = 'active' AND dataset = 'mapping_rules'"


def spend_view_sql(spend_columns: Sequence[str], match_used: Sequence[str] = (),
                   sets_used: Sequence[str] = ()) -> str:
    """CREATE the ``spend`` view over ``spend_lines``, applying rules on the columns named (only
    names from MATCH_COLUMNS and SETS_COLUMNS that spend has are ever written into the SQL)."""
    match = [c for c in MATCH_COLUMNS if c in match_used and c in spend_columns]
    sets = [c for c in SETS_COLUMNS if c in sets_used and c in spend_columns]
    if not match or not sets:
        return f"CREATE OR REPLACE VIEW spend AS SELECT {', '.join(spend_columns)} FROM spend_lines"
    priority = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(MATCH_COLUMNS))
    cells = "\n    UNION ALL ".join(
        f"SELECT key_id, '{c}' AS match_column, lower(trim(k_{c})) AS value FROM keyed WHERE k_{c} IS NOT NULL"
        for c in match)
    split_joins = "\n    ".join(
        f"LEFT JOIN splits s_{c} ON s_{c}.key_id = k.key_id AND s_{c}.sets_column = '{c}' AND k.n_{c}" for c in sets)
    mapped = [f"l.{c} * coalesce(x.weight, 1) AS {c}" if c in AMOUNTS else
              f"coalesce(l.{c}, x.{c}) AS {c}" if c in sets else f"l.{c}" for c in spend_columns]
    on = " AND ".join([f"x.k_{c} IS NOT DISTINCT FROM l.{c}" for c in match]
                      + [f"x.n_{c} = (l.{c} IS NULL)" for c in sets])
    return f"""CREATE OR REPLACE VIEW spend AS
WITH rules AS (  -- the active rules; a later upload repeating a match and column replaces the earlier's rows
    SELECT match_column, sets_column, sets_value, coalesce(weight, 1) AS weight, pattern, stem, kind,
           CASE match_column {priority} END AS priority
    FROM (SELECT batch_id, match_column, sets_column, sets_value, weight,
                 lower(trim(match_value)) AS pattern, trim(lower(trim(match_value)), '*') AS stem,
                 CASE WHEN NOT contains(match_value, '*') THEN 'exact'
                      WHEN starts_with(trim(match_value), '*') AND ends_with(trim(match_value), '*') THEN 'contains'
                      WHEN starts_with(trim(match_value), '*') THEN 'suffix' ELSE 'prefix' END AS kind
          FROM mapping_rules_rows WHERE batch_id IN ({ACTIVE_RULES}))
    QUALIFY batch_id = max(batch_id) OVER (PARTITION BY match_column, pattern, sets_column)
),
keyed AS (  -- each distinct combination of the matched values, and which set columns are blank
    SELECT row_number() OVER () AS key_id, *
    FROM (SELECT DISTINCT {", ".join([f"{c} AS k_{c}" for c in match] + [f"{c} IS NULL AS n_{c}" for c in sets])}
          FROM spend_rows JOIN uploads ON id = batch_id AND status = 'active' AND dataset = 'spend')
),
cells AS (
    {cells}
),
best AS (  -- per key and set column, the winning rule: exact, then longer, then column order, then pattern
    SELECT c.key_id, r.sets_column, r.match_column, r.pattern
    FROM cells c JOIN rules r ON r.match_column = c.match_column
    WHERE CASE r.kind WHEN 'exact' THEN c.value = r.stem WHEN 'prefix' THEN starts_with(c.value, r.stem)
                      WHEN 'suffix' THEN ends_with(c.value, r.stem) ELSE contains(c.value, r.stem) END
    QUALIFY row_number() OVER (PARTITION BY c.key_id, r.sets_column
                               ORDER BY r.kind = 'exact' DESC, length(r.stem) DESC, r.priority, r.pattern) = 1
),
splits AS (
    SELECT b.key_id, r.sets_column, r.sets_value, r.weight
    FROM best b JOIN rules r USING (match_column, pattern, sets_column)
),
expansion AS (  -- per key, every combination of its splits, with the product of their weights
    SELECT k.*, {", ".join(f"s_{c}.sets_value AS {c}" for c in sets)},
           {" * ".join(f"coalesce(s_{c}.weight, 1)" for c in sets)} AS weight
    FROM keyed k
    {split_joins}
    WHERE coalesce({", ".join(f"s_{c}.sets_value" for c in sets)}) IS NOT NULL
)
SELECT {", ".join(mapped)}
FROM spend_lines l LEFT JOIN expansion x ON {on}"""


def refresh_spend_view(cur: duckdb.DuckDBPyConnection, spend_columns: Sequence[str]) -> None:
    """Rewrite the ``spend`` view for the columns the active rules use (inside the caller's
    transaction, so no reader ever sees rules without the view that applies them)."""
    match_used, sets_used = cur.execute(
        "SELECT coalesce(list(DISTINCT match_column), []), coalesce(list(DISTINCT sets_column), []) "
        f"FROM mapping_rules_rows WHERE batch_id IN ({ACTIVE_RULES})").fetchone()
    cur.execute(spend_view_sql(spend_columns, match_used, sets_used))
