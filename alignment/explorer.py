"""The SQL explorer's sandbox: ad-hoc SQL runs in a child process, on a read-only snapshot.

Why a child and a snapshot, rather than a read-only transaction on the app's connection: DuckDB's
memory limit does not cover every allocation (``repeat('x', 1e8)`` over a few thousand rows grew
the server by 10 GB), so the only hard bound is an operating-system limit on a process of its own,
which can also be killed when it overruns its time. That process never holds the database: it
gets Parquet copies of the views analysts may read, made once per data version, so no statement
it runs can change, or read past, what the app stores. The statement check and a read-only
transaction (alignment.readonly.run_read_only) stay as further layers.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from alignment.config import (
    sql_concurrency,
    sql_memory_bytes,
    sql_result_bytes,
    sql_row_limit,
    sql_timeout_seconds,
)
from alignment.readonly import QueryError, ReadResult, check_read_only, public_relations
from alignment.store import Store
from alignment.tables import DATE_FORMAT, words

GRACE_SECONDS = 5  # the child's start-up, on top of the query's own time limit

_lock = threading.Lock()
_snapshots: dict[str, tuple[str, Path]] = {}  # store path -> (data version, directory)
_slots: threading.BoundedSemaphore | None = None


def _root() -> Path:
    root = Path(tempfile.gettempdir()) / f"alignment-explorer-{os.getpid()}"
    if not root.exists():
        root.mkdir(mode=0o700)
        atexit.register(shutil.rmtree, root, True)
    return root


def snapshot(store: Store) -> Path:
    """Parquet copies of the public relations for the store's current data version (made once)."""
    version = store.data_version()
    with _lock:
        known = _snapshots.get(store.path)
        if known and known[0] == version and known[1].exists():
            return known[1]
        directory = Path(tempfile.mkdtemp(prefix="snapshot-", dir=_root()))
        cur = store.cursor()
        try:
            for name, sql in public_relations().items():
                reader = cur.sql(sql).to_arrow_reader(100_000)
                with pq.ParquetWriter(directory / f"{name}.parquet", reader.schema) as writer:
                    for batch in reader:
                        writer.write_batch(batch)
        finally:
            cur.close()
        if known:
            shutil.rmtree(known[1], ignore_errors=True)
        _snapshots[store.path] = (version, directory)
        return directory


def _slot() -> threading.BoundedSemaphore:
    global _slots
    with _lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(sql_concurrency())
        return _slots


def run(store: Store, sql: str, *, timeout: float | None = None, limit: int | None = None,
        max_bytes: int | None = None) -> ReadResult:
    """Run an analyst's SQL in the sandbox; QueryError with a sentence when it cannot."""
    timeout = sql_timeout_seconds() if timeout is None else timeout
    limit = sql_row_limit() if limit is None else limit
    max_bytes = sql_result_bytes() if max_bytes is None else max_bytes
    try:
        return _run(store, sql, timeout, limit, max_bytes)
    except QueryError as exc:
        raise QueryError(in_words(str(exc), sql, _snapshots.get(store.path, (None, None))[1])) from None


def _run(store: Store, sql: str, timeout: float, limit: int, max_bytes: int) -> ReadResult:
    with duckdb.connect() as parser:  # refuse what is not a read at once, without starting a process
        check_read_only(parser, sql)
    slot = _slot()
    if not slot.acquire(timeout=timeout):
        raise QueryError("The explorer is busy with other people's queries; try again in a moment.")
    try:
        directory = snapshot(store)
        request = json.dumps({"sql": sql, "timeout": timeout, "limit": limit, "max_bytes": max_bytes,
                              "memory": sql_memory_bytes(), "directory": str(directory)})
        try:
            done = subprocess.run([sys.executable, "-m", "alignment.explorer_child"], input=request.encode(),
                                  capture_output=True, timeout=timeout + GRACE_SECONDS,
                                  cwd=directory, env=_child_env())
        except subprocess.TimeoutExpired:
            raise QueryError(f"The query ran longer than {timeout:g} seconds and was stopped.") from None
    finally:
        slot.release()
    return _answer(done, timeout)


# DuckDB's messages, as the child hands back their first line ("Catalog Error: Table with name x does
# not exist!"), said as a sentence that names what there is instead.
_DUCKDB_ERROR = re.compile(r"(?P<before>.*?)\b(?P<kind>[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)?) Error: (?P<text>.*)")
_NO_TABLE = re.compile(r"Table with name (?P<name>.+?) does not exist!?")
_NO_OTHER = re.compile(r"(?P<what>[A-Z][A-Za-z ]*?) with name (?P<name>.+?) does not exist!?")
_NO_COLUMN_IN = re.compile(r'(?:Table|Values list) "(?P<table>.+?)" does not have a column named "(?P<column>.+?)"')
_NO_COLUMN = re.compile(r'Referenced column "(?P<column>.+?)" not found in FROM clause!?')


def in_words(message: str, sql: str, directory: Path | None) -> str:
    """A refusal or failure said as a sentence: an unknown table names the tables there are, an unknown
    column the columns of the table it was looked for in; any other DuckDB message loses its
    'X Error:' prefix and becomes a sentence. Messages of the explorer's own pass unchanged. Only the
    names the explorer offers are listed, never DuckDB's own suggestion (it may name a system table)."""
    found = _DUCKDB_ERROR.fullmatch(message.strip())
    if not found:
        return message
    text = found["text"].strip()
    tables = list(public_relations())
    if m := _NO_TABLE.fullmatch(text):
        return f"There is no table called {m['name']}. The tables are: {', '.join(tables)}."
    if m := _NO_COLUMN_IN.fullmatch(text):
        named = m["table"]  # a table, or an alias: 'FROM spend AS s' is said as "in s (spend)"
        aliased = [t for t in tables if re.search(rf"(?<![\w.]){t}\s+(?:AS\s+)?{re.escape(named)}(?!\w)", sql,
                                                  re.IGNORECASE)]
        which = f"{named} ({aliased[0]})" if named not in tables and len(aliased) == 1 else named
        return f"There is no column {m['column']} in {which}.{_columns_of(aliased or [named], directory)}"
    if m := _NO_COLUMN.fullmatch(text):
        read = [t for t in tables if re.search(rf"(?<![\w.]){t}(?!\w)", sql, re.IGNORECASE)]
        where = " or ".join(read) if read else "the tables the query reads"
        return f"There is no column {m['column']} in {where}.{_columns_of(read, directory)}"
    if m := _NO_OTHER.fullmatch(text):
        return f"There is no {m['what'].lower()} called {m['name']}."
    sentence = text.rstrip("!.").strip()
    sentence = sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence
    return f"{found['before'].strip().rstrip(':') or 'The query could not be run'}: {sentence}."


def _columns_of(tables: list[str], directory: Path | None) -> str:
    """' Its columns are: …' for the one table the explorer offers that was meant, else nothing."""
    offered = [t for t in tables if t in public_relations()]
    if len(offered) != 1 or directory is None or not (directory / f"{offered[0]}.parquet").exists():
        return ""
    return f" Its columns are: {', '.join(pq.read_schema(directory / f'{offered[0]}.parquet').names)}."


def _child_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "HOME", "PYTHONPATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    env = {k: v for k, v in os.environ.items() if k in keep}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _answer(done: subprocess.CompletedProcess, timeout: float) -> ReadResult:
    out = done.stdout
    if len(out) < 4:
        if done.returncode < 0 or b"MemoryError" in done.stderr or b"bad_alloc" in done.stderr:
            raise QueryError(f"The query needed more memory than the explorer allows "
                             f"({sql_memory_bytes() / 2**30:.1f} GB) and was stopped; aggregate or filter first.")
        raise QueryError("The query could not be run.")
    (length,) = struct.unpack("<I", out[:4])
    header = json.loads(out[4:4 + length])
    if not header["ok"]:
        raise QueryError(header["message"])
    table = pa.ipc.open_stream(io.BytesIO(out[4 + length:])).read_all()
    return ReadResult(table, header.get("cut_by"))


def as_queried(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """A result to show and its column_config, each column headed exactly as the query names it.

    The dashboards' business labels are not applied: a name in an analyst's query is theirs, and
    the label table would read ``SELECT sum(budget) AS actual`` as "Actual spend ($)". Nor is a
    value scaled, or put in a currency or a percentage, by its name. Only how a value is written
    follows its type: whole numbers with thousands separators (a year, named so, without), other
    numbers with thousands separators and the same decimals down the column (two; more, up to four,
    where every value is below 1, so a share of 0.0034 does not read 0.00), dates without a time
    unless they have one, booleans as Yes / No."""
    shown = frame.copy(deep=False)
    config: dict[str, dict[str, Any]] = {}
    for i, name in enumerate(frame.columns):  # by position: a query may repeat a name
        column, field = frame.iloc[:, i], str(name)
        kind = pd.api.types.infer_dtype(column, skipna=True)
        if kind == "boolean":
            shown.isetitem(i, words(column))
            config[field] = _as_named(field, "text")
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            present = column.dropna()
            timed = bool((present.dt.normalize() != present).any())
            config[field] = (_as_named(field, "datetime", f"{DATE_FORMAT}, HH:mm:ss") if timed
                             else _as_named(field, "date", DATE_FORMAT))
        elif kind == "date":
            config[field] = _as_named(field, "date", DATE_FORMAT)
        elif pd.api.types.is_integer_dtype(column.dtype) or kind == "integer":
            config[field] = _as_named(field, "number", "%d" if "year" in field.lower() else "%,d")
        elif pd.api.types.is_numeric_dtype(column.dtype) or kind in ("floating", "decimal", "mixed-integer-float"):
            config[field] = _as_named(field, "number", f"%,.{decimals(column)}f")
        else:
            config[field] = {"label": field}
    return shown, config


def decimals(column: pd.Series) -> int:
    """How many decimals every value of a column is shown with: two, as money reads; for a column
    whose values are all below 1 (shares, ratios), the fewest of two to four that show each value
    as it is to six places, else four."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    values = values[np.isfinite(values)]
    if not len(values) or np.abs(values).max() >= 1:
        return 2
    exact = np.round(values, 6)
    return next((d for d in (2, 3) if np.array_equal(np.round(values, d), exact)), 4)


def _as_named(field: str, kind: str, fmt: str | None = None) -> dict[str, Any]:
    return {"label": field, "type_config": {"type": kind, **({"format": fmt} if fmt else {})}}
