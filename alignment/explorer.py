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
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import duckdb
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
    numbers to three decimals, dates without a time unless they have one, booleans as Yes / No."""
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
            config[field] = _as_named(field, "number", "localized")
        else:
            config[field] = {"label": field}
    return shown, config


def _as_named(field: str, kind: str, fmt: str | None = None) -> dict[str, Any]:
    return {"label": field, "type_config": {"type": kind, **({"format": fmt} if fmt else {})}}
