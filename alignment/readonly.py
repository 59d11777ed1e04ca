"""Running an analyst's SQL so that it can only read: the statement check, a read-only
transaction, and a fetch that stops at the row, byte and time limits. Kept free of pandas so the
explorer's child process (alignment.explorer_child) starts fast."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from alignment.config import sql_result_bytes, sql_row_limit, sql_timeout_seconds
from alignment.schema import DATASETS

# What an analyst may read: the views over active batches, and the upload history without hashes.
UPLOAD_COLUMNS = ("id, dataset, file_name, sheet, row_count, mode, status, superseded_by, uploaded_by, "
                  "uploaded_at, changed_at")


MEMORY_MESSAGE = ("The query needed more memory than the explorer allows and was stopped; aggregate or filter "
                  "before selecting large values.")


class QueryError(ValueError):
    """A query that cannot run as asked; the message is for the user."""


def public_relations() -> dict[str, str]:
    """Each name the explorer offers, and the SQL that fills it."""
    relations = {name: f"SELECT * FROM {name}" for name in DATASETS}
    relations["uploads"] = f"SELECT {UPLOAD_COLUMNS} FROM uploads"
    # The spend summed on write (alignment.aggregates), which the spend analyses read: sums of the
    # spend above, so nothing an analyst could not already see.
    relations |= {name: f"SELECT * FROM {name}" for name in ("spend_summary", "spend_detail")}
    return relations


READ_ONLY_TYPES = {"SELECT", "EXPLAIN"}
# Besides the relations above and its own CTEs, a query may read only rows it makes from nothing. The
# catalog and settings (duckdb_settings(), information_schema, current_setting()) hold no data, only
# the server's paths and set-up, so they are not offered, like the tables behind the views.
TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
SYSTEM_FUNCTIONS = {"current_setting", "getvariable", "getenv"}
_EXPLAIN = re.compile(r"(?is)^\s*EXPLAIN\s*(\([^)]*\)\s*)?(ANALY[SZ]E\b\s*)?")
_EXPLAIN_PLAIN = re.compile(r"(?is)^\s*EXPLAIN\s*(ANALY[SZ]E\b\s*)?")


@dataclass
class ReadResult:
    """An explorer result, and why it stops where it does (None: it is whole)."""

    table: pa.Table
    cut_by: str | None = None  # "rows" or "bytes"

    def df(self):  # noqa: ANN201 - a pandas DataFrame; pandas is imported by the caller
        return self.table.to_pandas()


def check_read_only(cursor: duckdb.DuckDBPyConnection, sql: str) -> None:
    """The statement check: one SELECT (or EXPLAIN). A second layer only; what makes the explorer
    unable to write is the read-only transaction and the snapshot it reads (alignment.explorer)."""
    try:
        statements = cursor.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"The SQL could not be read: {_first_line(exc)}") from None
    if len(statements) != 1:
        # DuckDB reads a PIVOT without its ON values as two statements (it first makes a type of them)
        hint = (" A PIVOT must list its ON values here: ON rgt IN ('Run', 'Grow', 'Transform')."
                if "pivot" in sql.lower() else "")
        raise QueryError(f"Run one statement at a time.{hint}" if statements else "There is no SQL to run.")
    kind = statements[0].type.name
    if kind not in READ_ONLY_TYPES:
        first = statements[0].query.split(None, 1)[0].upper() if statements[0].query.split() else kind
        # DuckDB files INSTALL under LOAD; say the word the analyst wrote for those
        said = first if kind == "LOAD" and first.isalpha() else kind
        raise QueryError(f"Only reading is allowed here (SELECT); this is {_with_article(said)} statement.")
    if kind != "EXPLAIN":
        check_relations(cursor, statements[0].query)
        return
    # What it explains must be a read of the offered tables too (EXPLAIN ANALYZE runs it). Where the
    # options end is read both ways ("EXPLAIN (FORMAT json) SELECT …", "EXPLAIN (FROM x)"): each reading
    # that parses is checked, and one that none does is refused.
    text = statements[0].query
    readings = {_EXPLAIN.sub("", text, count=1), _EXPLAIN_PLAIN.sub("", text, count=1)}
    checked = 0
    for read in readings:
        try:
            inner = cursor.extract_statements(read)
        except duckdb.Error:
            continue
        if len(inner) != 1:
            continue
        if inner[0].type.name != "SELECT":
            raise QueryError(f"Only reading is allowed here (SELECT); this explains "
                             f"{_with_article(inner[0].type.name)} statement.")
        check_relations(cursor, read)
        checked += 1
    if not checked:
        raise QueryError("This query cannot be checked before it runs; write it as one SELECT.")


def check_relations(cursor: duckdb.DuckDBPyConnection, sql: str) -> None:
    """What one SELECT reads: the offered relations, its own CTEs and TABLE_FUNCTIONS, nothing else,
    checked on DuckDB's own parse of it (json_serialize_sql), so quoting and nesting cannot hide a name."""
    tree = json.loads(cursor.execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree.get("error"):
        raise QueryError("This query cannot be checked before it runs; write it as one SELECT.")
    offered = list(public_relations())
    # A WITH table named like one of DuckDB's own (WITH duckdb_views AS (SELECT * FROM duckdb_views)) would be
    # taken for the query's own where DuckDB reads the catalog: such names are refused outright.
    clashing = sorted({name for name in _cte_names(tree["statements"]) if name in _system_names(cursor)})
    if clashing:
        raise QueryError(f"A WITH table cannot take the name of one of DuckDB's own tables or functions "
                         f"({', '.join(clashing[:3])}); name it otherwise.")
    refused = sorted(set(_not_offered(tree["statements"], set(offered))))
    tables = [name for name in refused if "." not in name and not name.endswith(")") and " " not in name]
    if refused and refused == tables:  # a name the analyst may have meant as a table: as DuckDB's own error says it
        raise QueryError(f"There is no table called {tables[0]}. The tables are: {', '.join(offered)}.")
    if refused:
        raise QueryError(f"The explorer reads only its tables ({', '.join(sorted(offered))}) and what your query "
                         f"defines with WITH; it cannot read {', '.join(refused[:3])}.")


_SYSTEM_NAMES: frozenset[str] | None = None


def _system_names(cursor: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The names of DuckDB's own views and table functions (the catalog, settings, pg_ and sqlite_
    look-alikes), lower-cased; the same in every connection of this DuckDB, so read once."""
    global _SYSTEM_NAMES
    if _SYSTEM_NAMES is None:
        _SYSTEM_NAMES = frozenset(r[0] for r in cursor.execute(
            "SELECT DISTINCT lower(view_name) FROM duckdb_views() UNION SELECT DISTINCT lower(function_name) "
            "FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro')").fetchall())
    return _SYSTEM_NAMES


def _defined(node: dict) -> set[str]:
    """The WITH tables one parsed query node defines, lower-cased."""
    ctes = node.get("cte_map")
    return {str(c["key"]).lower() for c in ctes.get("map") or []} if isinstance(ctes, dict) else set()


def _cte_names(node: object) -> Iterator[str]:
    """Every WITH table's name anywhere in a parsed query, lower-cased."""
    if isinstance(node, list):
        for item in node:
            yield from _cte_names(item)
    elif isinstance(node, dict):
        yield from _defined(node)
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _cte_names(value)


def _not_offered(node: object, visible: set[str]) -> Iterator[str]:
    """Every relation or system function a parsed query names that ``visible`` does not hold; a
    CTE's name is visible in the query that defines it and everything inside that query."""
    if isinstance(node, list):
        for item in node:
            yield from _not_offered(item, visible)
        return
    if not isinstance(node, dict):
        return
    visible = visible | _defined(node)
    kind = node.get("type")
    if kind == "BASE_TABLE":
        name = str(node.get("table_name", ""))
        if node.get("catalog_name") or node.get("schema_name") not in ("", "main") or name.lower() not in visible:
            yield ".".join(p for p in (node.get("schema_name"), name) if p)
    elif kind == "TABLE_FUNCTION":
        function = str(node.get("function", {}).get("function_name", ""))
        if function.lower() not in TABLE_FUNCTIONS:
            yield f"{function}()"
    elif kind == "SHOW_REF" and node.get("table_name") not in ("", '"tables"', None):
        yield "the catalog (SHOW)"  # SHOW TABLES lists the offered ones; the other SHOWs the whole catalog
    if node.get("class") == "FUNCTION":
        function = str(node.get("function_name", "")).lower()
        if function in SYSTEM_FUNCTIONS or function.startswith(("duckdb_", "pragma_")):
            yield f"{function}()"
    for value in node.values():
        if isinstance(value, (dict, list)):
            yield from _not_offered(value, visible)


def _with_article(kind: str) -> str:
    """A statement's kind as said in a sentence: 'an ATTACH', 'an UPDATE', 'a DELETE', 'a MERGE INTO'.
    DuckDB's kinds are English words, so a vowel letter is a vowel sound (none begins like 'use')."""
    words = kind.replace("_", " ")
    return f"{'an' if words[:1] in {'A', 'E', 'I', 'O', 'U'} else 'a'} {words}"


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def run_read_only(cursor: duckdb.DuckDBPyConnection, sql: str, timeout: float | None = None,
                  limit: int | None = None, max_bytes: int | None = None) -> ReadResult:
    """An analyst's ad-hoc SQL in a read-only transaction, fetched in batches until ``limit`` rows or
    ``max_bytes``; interrupted after ``timeout`` seconds, fetching included."""
    timeout = sql_timeout_seconds() if timeout is None else timeout
    limit = sql_row_limit() if limit is None else limit
    max_bytes = sql_result_bytes() if max_bytes is None else max_bytes
    check_read_only(cursor, sql)
    timer = threading.Timer(timeout, cursor.interrupt)
    timer.start()
    batches: list[pa.RecordBatch] = []
    reader = None
    rows = size = 0
    cut_by = None
    try:
        cursor.execute("BEGIN TRANSACTION READ ONLY")
        reader = cursor.sql(sql).to_arrow_reader(min(max(limit, 1), 2048))
        schema = reader.schema
        for batch in reader:
            if rows + batch.num_rows > limit:
                batches.append(batch.slice(0, limit - rows))
                cut_by = "rows"
                break
            rows += batch.num_rows
            size += batch.nbytes
            batches.append(batch)
            if size > max_bytes:
                cut_by = "bytes"
                break
    except duckdb.InterruptException:
        raise QueryError(f"The query ran longer than {timeout:g} seconds and was stopped.") from None
    except duckdb.OutOfMemoryException:
        raise QueryError(MEMORY_MESSAGE) from None
    except duckdb.Error as exc:
        raise QueryError(_first_line(exc)) from None
    except (pa.ArrowException, OSError) as exc:  # DuckDB's errors while Arrow pulls the batches
        text = _first_line(exc)
        if "Out of Memory" in text:
            raise QueryError(MEMORY_MESSAGE) from None
        if "nterrupt" in text:
            raise QueryError(f"The query ran longer than {timeout:g} seconds and was stopped.") from None
        raise QueryError(text) from None
    finally:
        timer.cancel()
        if reader is not None:
            reader.close()  # a result still pending would keep the transaction open
        try:
            cursor.execute("ROLLBACK")
        except duckdb.Error:
            pass
    return ReadResult(pa.Table.from_batches(batches, schema=schema), cut_by)
