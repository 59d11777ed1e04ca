"""Running an analyst's SQL so that it can only read: the statement check, a read-only
transaction, and a fetch that stops at the row, byte and time limits. Kept free of pandas so the
explorer's child process (alignment.explorer_child) starts fast."""

from __future__ import annotations

import threading
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
        raise QueryError("Run one statement at a time." if statements else "There is no SQL to run.")
    kind = statements[0].type.name
    if kind not in READ_ONLY_TYPES:
        raise QueryError(f"Only reading is allowed here (SELECT); this is {_with_article(kind)} statement.")


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
