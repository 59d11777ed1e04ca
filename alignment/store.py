"""The store: batches of uploaded rows, and views over the active batches.

Nothing is ever deleted. An upload is a batch; replacing a dataset marks earlier batches
superseded; undo marks a batch undone and brings back what it superseded. The analyses read
the views, which see only active batches. One connection per process, a cursor per thread
(DuckDB refuses a connection used from two threads at once), and one lock around writes so
batch bookkeeping never races.

Two backends run the same SQL (alignment.backends): the embedded DuckDB file, owned by one
process, and a DuckLake shared by many. DuckLake commits optimistically: two transactions that
only insert both commit, so a check-then-insert (upload numbers, the duplicate-file and
double-tap checks) would let both through. On the lake every writing transaction therefore first
bumps the single row of a small "turn" table; two concurrent writers of the same kind then both
change that row, DuckLake refuses the later commit as a conflict, and the whole transaction runs
again on the new state, a bounded number of times. Uploads and live answers take different turn
tables so a room of phones never makes a long upload start over.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment import aggregates
from alignment.backends import SAFE_SETTINGS, OpenError, connect_file, connect_lake, is_write_conflict
from alignment.config import LakeLocation, LocationError, parse_location, write_retries
from alignment.formatting import how_many, listing, lower_first, naming, upper_first
from alignment.rules import VIEW_READS, refresh_spend_view
from alignment.schema import DATASETS, SQL_TYPES
from alignment.settings import (
    BY_NAME,
    SettingError,
    check_order,
    convert,
    is_blank,
    resolve,
    shared_unit_notes,
    unknown_stages,
)

__all__ = ["SAFE_SETTINGS", "AlreadyAnswered", "DuplicateUpload", "Store", "StoreError", "WriteConflict",
           "close_shared_stores", "shared_store"]

T = TypeVar("T")

# What serialises writers on the lake (see the module docstring): one one-row table per kind of write.
TURNS = ("batches", "answers", "settings")

# Answers in live sessions (counted, since an answer never rewrites its uploads row).
LIVE_ROWS = "(SELECT count(*) FROM survey_rows WHERE batch_id IN (SELECT batch_id FROM live_sessions))"
# Commits per embedded database in this process. The file has one writing process (DuckDB locks it;
# the command line hands its loads to the app), so a count that has not moved means nothing changed
# and the data version and settings read at that count still hold: a cached rerun reads no table.
_commits: dict[str, int] = {}


LIVE_ROWS_OF = "SELECT count(*) FROM survey_rows WHERE batch_id = (SELECT batch_id FROM live_sessions WHERE code = ?)"


class StoreError(RuntimeError):
    """A store operation the user asked for that cannot be done; the message is for the user."""


class DuplicateUpload(StoreError):
    """The same file is already active in the dataset: appending it again would count it twice."""

    def __init__(self, upload_id: int, message: str | None = None) -> None:
        super().__init__(message or (
            f"This file was already loaded as upload {upload_id}; appending it again would count it twice. To load "
            f"a corrected copy, undo upload {upload_id} first, then load the new file."))
        self.upload_id = upload_id


class AlreadyAnswered(StoreError):
    """This participant has already answered this live session."""


class WriteConflict(StoreError):
    """Other processes kept changing the same data: the change was not saved, and can be tried again."""


def _new_upload(cur: duckdb.DuckDBPyConnection, dataset: str, *, file_name: str, sha256: str, sheet: str,
                mapping: dict | None, row_count: int, user: str, at: dt.datetime, mode: str,
                amount_scale: float | None = None) -> int:
    """The uploads row every batch starts with (active); returns its id. Ids are the next number
    (no sequence: DuckLake has none), which is safe because writers of batches are serialised."""
    (batch_id,), = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM uploads").fetchall()
    cur.execute(
        "INSERT INTO uploads (id, dataset, file_name, sha256, sheet, mapping, row_count, uploaded_by, "
        "uploaded_at, mode, status, amount_scale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)",
        [int(batch_id), dataset, file_name, sha256, sheet, json.dumps(mapping or {}), row_count, user, at, mode,
         amount_scale])
    return int(batch_id)


def _row_hash(dataset: str) -> str:
    """The SQL of one stored row's hash: its dataset's columns as stored, so the same line from any file
    hashes alike."""
    return f"hash({', '.join(c.name for c in DATASETS[dataset].stored_columns)})"


def _rows_hash(cur: duckdb.DuckDBPyConnection, dataset: str, batch_id: int) -> str:
    """A batch's rows as stored, in any order, as one value: their count and the sum of each row's
    hash. The same rows from another file (a csv of the spreadsheet already loaded) give the same value."""
    count, total = cur.execute(f"SELECT count(*), sum({_row_hash(dataset)}) FROM {dataset}_rows WHERE batch_id = ?",
                               [batch_id]).fetchone()
    return f"{count}:{total or 0}"


def _refuse_rows_loaded(cur: duckdb.DuckDBPyConnection, dataset: str, batch_id: int, rows: int) -> None:
    """DuplicateUpload when an appended batch would count rows twice: it holds every row of an active
    upload (a year-to-date extract sent again with one more month, or the csv of a workbook already
    in), or every one of its rows is loaded already (a month re-sent from a year's extract). Rows are
    compared as stored, counted (two equal lines are two), in any order; a few equal lines beside new
    ones (two invoices alike) are not refused. Read from the stored rows, so older uploads count too."""
    row = _row_hash(dataset)
    active = f"SELECT id FROM uploads WHERE dataset = ? AND status = 'active' AND id <> {int(batch_id)}"
    found = cur.execute(f"""
        WITH new AS (SELECT {row} AS h, count(*) AS n FROM {dataset}_rows WHERE batch_id = ? GROUP BY 1),
        hashed AS (SELECT batch_id, {row} AS h FROM {dataset}_rows WHERE batch_id IN ({active})),
        old AS (SELECT batch_id, h, count(*) AS n FROM hashed WHERE h IN (SELECT h FROM new) GROUP BY 1, 2),
        held AS (SELECT o.batch_id, sum(least(o.n, w.n)) AS shared FROM old o JOIN new w USING (h) GROUP BY 1),
        anywhere AS (SELECT sum(least(w.n, o.n)) AS shared FROM new w JOIN (SELECT h, sum(n) AS n FROM old GROUP BY 1) o
                     USING (h))
        SELECT u.id, u.file_name, u.row_count, h.shared, (SELECT shared FROM anywhere)
        FROM held h JOIN uploads u ON u.id = h.batch_id ORDER BY h.shared = u.row_count DESC, h.shared DESC, u.id
        LIMIT 1""", [batch_id, dataset]).fetchone()
    if not found:
        return
    upload, name, count, shared, anywhere = found
    steps = (f"appending it would count those figures twice. To load it in place of that upload, undo upload "
             f"{upload} first, then load this file (Replace takes every current upload of "
             f"{lower_first(DATASETS[dataset].title)} out of the figures).")
    if shared == count == rows:
        raise DuplicateUpload(upload, f"Every row of this file is already loaded, as upload {upload} ({name}): {steps}")
    if shared == count:
        raise DuplicateUpload(upload, f"This file holds every row of upload {upload} ({name}, "
                                      f"{how_many(count, 'row')}) again: {steps}")
    if anywhere == rows:
        where = f"upload {upload} ({name})" + (" and others" if shared < rows else "")
        raise DuplicateUpload(upload, f"Every row of this file is already loaded, in {where}: {steps}")


def _insert_rows(cur: duckdb.DuckDBPyConnection, dataset: str, batch_id: int, frame: pd.DataFrame,
                 source_rows: object) -> None:
    """The dataset's columns of ``frame`` (missing ones blank) into its table, typed, with their
    source rows. The rows are handed to DuckDB as a stream of Arrow batches (Arrow-backed and
    numeric columns without a copy): DuckDB scans them twice as fast as a pandas frame, in less memory."""
    ds = DATASETS[dataset]
    names = [c.name for c in ds.stored_columns]
    data: pa.RecordBatchReader | pd.DataFrame | None = _arrow_rows(frame, source_rows, names)
    if data is None:  # a column of Python objects Arrow cannot type (mixed text and numbers): pandas scans it
        blank = pd.Series(None, index=frame.index, dtype="object")
        columns = {"source_row": np.asarray(source_rows)} | {
            c.name: frame[c.name] if c.name in frame else blank for c in ds.stored_columns}
        data = pd.DataFrame(columns, index=frame.index, copy=False)
    casts = ", ".join(f"CAST({c.name} AS {SQL_TYPES[c.kind]})" for c in ds.stored_columns)
    cur.register("incoming_rows", data)
    try:  # by name: an added column sits last in an old table
        cur.execute(f"INSERT INTO {dataset}_rows (batch_id, source_row, {', '.join(names)}) "
                    f"SELECT {int(batch_id)}, source_row, {casts} FROM incoming_rows")
    finally:
        cur.unregister("incoming_rows")


ROWS_PER_SCAN = 122_880  # rows of the incoming Arrow stream per batch: one of DuckDB's row groups


def _arrow_rows(frame: pd.DataFrame, source_rows: object, names: list[str]) -> pa.RecordBatchReader | None:
    """``frame``'s columns ``names`` (a missing one as nulls, which take no memory) and the source
    rows as one stream of Arrow batches, its text dictionary-encoded batch by batch: DuckDB stores
    a few hundred distinct names per column without copying a string per row, which halves the
    time and peak memory of a million-row insert. None when a column holds Python objects of
    mixed kinds."""
    count = len(frame)
    try:
        columns = {"source_row": pa.array(np.asarray(source_rows, dtype=np.int64))} | {
            name: pa.Array.from_pandas(frame[name]) if name in frame else pa.nulls(count) for name in names}
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    table = pa.table(columns)
    text = [pa.types.is_string(f.type) or pa.types.is_large_string(f.type) for f in table.schema]
    schema = pa.schema([pa.field(f.name, pa.dictionary(pa.int32(), f.type)) if t else f
                        for f, t in zip(table.schema, text, strict=True)])

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in table.to_batches(max_chunksize=ROWS_PER_SCAN):
            yield pa.record_batch([pc.dictionary_encode(c) if t else c for c, t in zip(batch.columns, text,
                                                                                         strict=True)],
                                  schema=schema)
    return pa.RecordBatchReader.from_batches(schema, batches())


def _refresh_spend_view(cur: duckdb.DuckDBPyConnection, dataset: str = "mapping_rules") -> None:
    """After a change to the mapping rules, the spend view that applies them (alignment.rules)."""
    if dataset == "mapping_rules":
        refresh_spend_view(cur, [c.name for c in DATASETS["spend"].stored_columns])
    aggregates.sync(cur)  # spend summed per batch, in the same transaction (alignment.aggregates)


class Store:
    """One database (a file, or a shared lake); safe to share between threads (each call takes its
    own cursor). ``path`` is a file path, ``:memory:``, or a ``ducklake:postgres:…`` location
    (alignment.config.parse_location)."""

    def __init__(self, path: Path | str | LakeLocation = ":memory:", read_only: bool = False) -> None:
        try:
            self.location = path if isinstance(path, LakeLocation) else parse_location(path)
        except LocationError as exc:
            raise StoreError(str(exc)) from None
        self.shared = isinstance(self.location, LakeLocation)  # the lake: other processes write too
        self.path = str(self.location)
        self.read_only = read_only
        self._con = self._open(read_only)
        # The file has one writer at a time; on the lake each kind of write has its own turn.
        whole = threading.Lock()
        self._locks = {turn: threading.Lock() for turn in TURNS} if self.shared else dict.fromkeys(TURNS, whole)
        self._versions: tuple[int, dict] = (-1, {})  # the lake's snapshot (the file's commits), and versions read at it
        self._settings: tuple[int, dict[str, Any]] | None = None  # the file's commits, and the settings read at them
        self._commit_key = f"memory:{id(self)}" if self.path == ":memory:" else str(Path(self.path).resolve())
        if not read_only:
            if not self.shared or not self._schema_is_current():
                self._create_schema()
        elif self.path != ":memory:" and not self._schema_is_current():
            # A database written by an older version, opened by a read-only command (a scheduled
            # query, say): upgrade it once, as the app would, then read it as asked.
            self._con.close()
            Store(self.location).close()
            self._con = self._open(read_only)

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            if self.shared:
                return connect_lake(self.location, read_only)
            return connect_file(self.location, read_only)
        except OpenError as exc:
            raise StoreError(str(exc)) from None

    def _schema_is_current(self) -> bool:
        """Whether every table, column and view this version writes is there (each upgrade adds them)."""
        cur = self.cursor()
        have = {(t, c) for t, c in cur.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database()"
        ).fetchall()}
        wanted = {("uploads", "amount_scale"), ("uploads", "rows_hash"), ("supersessions", "upload_id"),
                  ("settings", "value"), ("spend_lines", "period"), ("spend", "period"), ("saved_mappings", "mapping"),
                  ("live_sessions", "closed_at"), ("live_sessions", "practice")}
        wanted |= {(f"{ds.name}_rows", c.name) for ds in DATASETS.values() for c in ds.stored_columns}
        wanted |= aggregates.WANTED
        if self.shared:
            wanted |= {(f"turn_{turn}", "turn") for turn in TURNS}
        return wanted <= have

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for this thread: DuckDB's way to use one database from many threads. On the
        lake it already reads the lake, so every query names tables as on the file."""
        cur = self._con.cursor()
        if self.shared:
            cur.execute("USE lake")
        return cur

    # --- schema --------------------------------------------------------------------------

    def _create_schema(self) -> None:
        self._write(self._schema, turn=None)

    def _schema(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Create or upgrade every table and view. The file keeps its sequence and keys (older
        databases have them); the lake has neither, so the store checks in code what they checked."""
        keyed = not self.shared
        # A table created here has every column: only older ones take the column upgrades below.
        had = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() "
                                         "WHERE database_name = current_database()").fetchall()}
        if keyed:
            cur.execute("CREATE SEQUENCE IF NOT EXISTS upload_ids START 1")
        cur.execute(f"""
            CREATE TABLE IF NOT EXISTS uploads (
                id INTEGER {"PRIMARY KEY DEFAULT nextval('upload_ids')" if keyed else "NOT NULL"},
                dataset VARCHAR NOT NULL,
                file_name VARCHAR,
                sha256 VARCHAR,
                sheet VARCHAR,
                mapping JSON,
                row_count INTEGER NOT NULL,
                uploaded_by VARCHAR,
                uploaded_at TIMESTAMP NOT NULL,
                mode VARCHAR NOT NULL,
                status VARCHAR NOT NULL,
                superseded_by INTEGER,
                changed_at TIMESTAMP
            )""")
        # What the file's amounts were multiplied by (1000: the file was in thousands); NULL: no amounts.
        cur.execute("ALTER TABLE uploads ADD COLUMN IF NOT EXISTS amount_scale DOUBLE")
        # Its rows in any order as one value (_rows_hash): undo and restore refuse to bring back rows that are
        # active again from another file. NULL: a live session, or loaded before this was kept. (An append
        # is checked against the stored rows themselves: _refuse_rows_loaded.)
        cur.execute("ALTER TABLE uploads ADD COLUMN IF NOT EXISTS rows_hash VARCHAR")
        new_links = "supersessions" not in had
        # Which batches each replace superseded, never forgotten: undo and restore reverse it exactly.
        cur.execute("CREATE TABLE IF NOT EXISTS supersessions (replaced_by INTEGER NOT NULL, "
                    "upload_id INTEGER NOT NULL)")
        if new_links and "uploads" in had:  # a database from before this table: its current links are all there is
            cur.execute("INSERT INTO supersessions SELECT superseded_by, id FROM uploads "
                        "WHERE superseded_by IS NOT NULL")
        # Organisation settings, append-only: the latest row per name is in force, every change is kept.
        cur.execute("CREATE TABLE IF NOT EXISTS settings (name VARCHAR NOT NULL, value VARCHAR, "
                    "changed_by VARCHAR, changed_at TIMESTAMP NOT NULL)")
        cur.execute(f"""
            CREATE TABLE IF NOT EXISTS saved_mappings (
                dataset VARCHAR, signature VARCHAR, mapping JSON, saved_at TIMESTAMP
                {", PRIMARY KEY (dataset, signature)" if keyed else ""})""")
        cur.execute(f"""
            CREATE TABLE IF NOT EXISTS live_sessions (
                code VARCHAR {"PRIMARY KEY" if keyed else "NOT NULL"}, batch_id INTEGER NOT NULL,
                wave VARCHAR NOT NULL, ask_importance BOOLEAN NOT NULL, opened_by VARCHAR,
                opened_at TIMESTAMP NOT NULL, closed_at TIMESTAMP, practice BOOLEAN)""")
        if "live_sessions" in had:  # a practice run's answers leave the dashboards when it closes
            cur.execute("ALTER TABLE live_sessions ADD COLUMN IF NOT EXISTS practice BOOLEAN")
        if self.shared:
            for turn in TURNS:
                cur.execute(f"CREATE TABLE IF NOT EXISTS turn_{turn} (turn BIGINT NOT NULL)")
                cur.execute(f"INSERT INTO turn_{turn} SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM turn_{turn})")
        for ds in DATASETS.values():
            cols = ", ".join(f"{c.name} {SQL_TYPES[c.kind]}" for c in ds.stored_columns)
            cur.execute(f"CREATE TABLE IF NOT EXISTS {ds.name}_rows "
                        f"(batch_id INTEGER NOT NULL, source_row INTEGER, {cols})")
            for c in ds.stored_columns:  # a database from before a column was added gets it, blank
                if f"{ds.name}_rows" in had:
                    cur.execute(f"ALTER TABLE {ds.name}_rows ADD COLUMN IF NOT EXISTS {c.name} {SQL_TYPES[c.kind]}")
            names = ", ".join(c.name for c in ds.stored_columns)
            view = "spend_lines" if ds.name == "spend" else ds.name  # spend: the lines as loaded
            cur.execute(f"""
                CREATE OR REPLACE VIEW {view} AS
                SELECT {names} FROM {ds.name}_rows
                WHERE batch_id IN (SELECT id FROM uploads WHERE status = 'active'
                                   AND dataset = '{ds.name}')""")
        _refresh_spend_view(cur)  # spend: the lines with the active mapping rules applied

    def _write(self, body: Callable[[duckdb.DuckDBPyConnection], T], turn: str | None = "batches") -> T:
        """Run ``body(cursor)`` as one transaction, all or nothing, one writer of its kind at a time.
        On the lake it first takes its ``turn`` (module docstring); when another process committed
        a conflicting change first, the whole body runs again on the new state, a bounded number of
        times with growing random waits, then gives up with a sentence. ``body`` must therefore
        decide everything from what it reads through the cursor."""
        if self.read_only:
            raise StoreError("This database is open read-only.")
        attempts = 1 + (write_retries() if self.shared else 0)
        for attempt in range(attempts):
            with self._locks[turn or "batches"]:
                cur = self.cursor()
                try:
                    cur.execute("BEGIN TRANSACTION")
                    if self.shared and turn:
                        cur.execute(f"UPDATE turn_{turn} SET turn = turn + 1")
                    result = body(cur)
                    cur.execute("COMMIT")
                    return result
                except BaseException as exc:
                    _rollback(cur)
                    if not (self.shared and is_write_conflict(exc)):
                        raise
                finally:
                    cur.close()
                    self._committed()
            self.retries += 1
            if attempt + 1 < attempts:
                time.sleep(min(2.0, 0.05 * 1.6 ** attempt) * random.uniform(0.5, 1.5))
        raise WriteConflict("Other people were changing the same data at the same moment, so this change was not "
                            "saved. Nothing was lost; try again in a minute.")

    retries = 0  # writes run again after a conflict with another process (for tests and logs)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing, one writer at a time (taking the batches turn on the lake). A conflict with
        another process is not retried here: the caller's block cannot run twice; prefer _write."""
        if self.read_only:
            raise StoreError("This database is open read-only.")
        with self._locks["batches"]:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                if self.shared:
                    cur.execute("UPDATE turn_batches SET turn = turn + 1")
                yield cur
            except BaseException:
                _rollback(cur)
                raise
            else:
                try:
                    cur.execute("COMMIT")
                except duckdb.Error as exc:
                    _rollback(cur)
                    if is_write_conflict(exc):
                        raise WriteConflict("Another process changed the same data at the same moment, so this "
                                            "change was not saved; try again.") from None
                    raise
            finally:
                cur.close()
                self._committed()

    def _committed(self) -> None:
        """After a write (or its attempt): versions and settings read before it no longer hold."""
        _commits[self._commit_key] = _commits.get(self._commit_key, 0) + 1

    # --- batches -------------------------------------------------------------------------

    def add_batch(self, dataset: str, frame: pd.DataFrame, *, mode: str = "append", file_name: str = "",
                  sha256: str = "", sheet: str = "", mapping: dict | None = None,
                  user: str = "", source_rows: list[int] | None = None, refuse_duplicate: bool = False,
                  amount_scale: float | None = None) -> int:
        """Store one upload as a batch in one transaction; 'replace' supersedes the active batches.
        With ``refuse_duplicate``, appending a file (by sha256) that is already active, or rows that an
        active upload of the dataset holds exactly (by _rows_hash: the same rows from another file),
        raises DuplicateUpload, checked inside the transaction so two concurrent appends cannot both pass."""
        if mode not in ("append", "replace"):
            raise StoreError(f"Mode must be append or replace, not '{mode}'.")
        now = dt.datetime.now()

        def body(cur: duckdb.DuckDBPyConnection) -> int:
            if refuse_duplicate and mode == "append":
                self.raise_if_duplicate(dataset, sha256, sheet, cur)
            batch_id = _new_upload(cur, dataset, file_name=file_name, sha256=sha256, sheet=sheet, mapping=mapping,
                                   row_count=len(frame), user=user, at=now, mode=mode, amount_scale=amount_scale)
            _insert_rows(cur, dataset, batch_id, frame,
                         source_rows if source_rows is not None else range(1, len(frame) + 1))
            rows_hash = _rows_hash(cur, dataset, batch_id)
            if refuse_duplicate and mode == "append":
                _refuse_rows_loaded(cur, dataset, batch_id, len(frame))  # the transaction rolls back: nothing kept
            cur.execute("UPDATE uploads SET rows_hash = ? WHERE id = ?", [rows_hash, batch_id])
            if mode == "replace":
                cur.execute("INSERT INTO supersessions SELECT ?, id FROM uploads "
                            "WHERE dataset = ? AND status = 'active' AND id <> ?", [batch_id, dataset, batch_id])
                cur.execute("UPDATE uploads SET status = 'superseded', superseded_by = ?, changed_at = ? "
                            "WHERE dataset = ? AND status = 'active' AND id <> ?",
                            [batch_id, now, dataset, batch_id])
            _refresh_spend_view(cur, dataset)
            return batch_id

        return self._write(body)

    # The history is a stack of reversible steps. Undo takes a batch out and brings back exactly
    # what it superseded; restore puts it back and supersedes exactly those again. A restore that
    # could not be that exact reversal (what it superseded was replaced or undone since, or the same
    # file is active again) is refused with a sentence, so no figure is ever counted twice.

    def undo(self, batch_id: int) -> list[int]:
        """Take a batch out of the analyses and restore what it superseded; returns restored ids."""

        def body(cur: duckdb.DuckDBPyConnection) -> list[int]:
            row = cur.execute("SELECT status, dataset FROM uploads WHERE id = ?", [batch_id]).fetchone()
            if row is None:
                raise StoreError(f"There is no upload number {batch_id}.")
            if row[0] != "active":
                raise StoreError(f"Upload {batch_id} is {row[0]}, not active, so there is nothing to undo.")
            twin = cur.execute(
                "SELECT back.id, again.id FROM uploads back JOIN uploads again ON again.dataset = back.dataset "
                "AND again.status = 'active' AND ((again.sha256 = back.sha256 AND again.sheet = back.sheet "
                "AND back.sha256 <> '') OR again.rows_hash = back.rows_hash) "
                "AND again.id <> ? WHERE back.superseded_by = ? AND back.status = 'superseded' ORDER BY 1 LIMIT 1",
                [batch_id, batch_id]).fetchone()  # not the batch itself: a replace by the same file is undone fine
            if twin:
                raise StoreError(f"Upload {batch_id} cannot be undone: that would bring back upload {twin[0]}, whose "
                                 f"rows are active again as upload {twin[1]}, and count them twice. Undo {twin[1]} "
                                 "first.")
            now = dt.datetime.now()
            cur.execute("UPDATE uploads SET status = 'undone', changed_at = ? WHERE id = ?", [now, batch_id])
            restored = [r[0] for r in cur.execute(
                "SELECT id FROM uploads WHERE superseded_by = ? AND status = 'superseded'", [batch_id]).fetchall()]
            cur.execute("UPDATE uploads SET status = 'active', superseded_by = NULL, changed_at = ? "
                        "WHERE superseded_by = ? AND status = 'superseded'", [now, batch_id])
            _refresh_spend_view(cur, row[1])
            return sorted(restored)

        return self._write(body)

    def redo(self, batch_id: int) -> list[int]:
        """Restore an undone batch: the exact reverse of its undo. Returns the ids it supersedes again."""

        def body(cur: duckdb.DuckDBPyConnection) -> list[int]:
            row = cur.execute("SELECT status, dataset, sha256, sheet FROM uploads WHERE id = ?",
                              [batch_id]).fetchone()
            if row is None:
                raise StoreError(f"There is no upload number {batch_id}.")
            status, dataset, sha256, sheet = row
            if status != "undone":
                raise StoreError(f"Upload {batch_id} is {status}, not undone, so there is nothing to restore.")
            linked = dict(cur.execute(
                "SELECT s.upload_id, u.status FROM supersessions s JOIN uploads u ON u.id = s.upload_id "
                "WHERE s.replaced_by = ?", [batch_id]).fetchall())
            moved = sorted(i for i, st in linked.items() if st != "active")
            if moved:
                # The step that makes it possible, per upload: restore what was undone, undo what replaced it.
                states = cur.execute("SELECT id, status, superseded_by FROM uploads WHERE id IN "
                                     f"({', '.join(str(int(i)) for i in moved)}) ORDER BY id").fetchall()
                steps = listing(sorted({f"restore upload {i}" if st == "undone" else f"undo upload {by}"
                                        for i, st, by in states if st == "undone" or by is not None}))
                raise StoreError(
                    f"Upload {batch_id} cannot be restored: it replaced {naming('upload', moved, shown=None)}, which "
                    f"{'have' if len(moved) > 1 else 'has'} been replaced or undone since. "
                    + (f"{upper_first(steps)} first, or load the file again." if steps
                       else "Load the file again."))
            twin = cur.execute(
                "SELECT id FROM uploads WHERE dataset = ? AND status = 'active' AND ((sha256 = ? AND sheet = ? "
                "AND ? <> '') OR rows_hash = (SELECT rows_hash FROM uploads WHERE id = ?)) AND id NOT IN "
                "(SELECT upload_id FROM supersessions WHERE replaced_by = ?)",
                [dataset, sha256, sheet, sha256 or "", batch_id, batch_id]).fetchone()
            if twin:
                raise StoreError(f"Upload {batch_id} cannot be restored: the same rows are active as upload "
                                 f"{twin[0]}, and restoring it would count them twice.")
            now = dt.datetime.now()
            if linked:
                cur.execute("UPDATE uploads SET status = 'superseded', superseded_by = ?, changed_at = ? "
                            "WHERE id IN (SELECT upload_id FROM supersessions WHERE replaced_by = ?)",
                            [batch_id, now, batch_id])
            cur.execute("UPDATE uploads SET status = 'active', changed_at = ? WHERE id = ?", [now, batch_id])
            _refresh_spend_view(cur, dataset)
            return sorted(linked)

        return self._write(body)

    restore = redo

    def data_version(self, datasets: tuple[str, ...] | None = None) -> str:
        """Changes whenever anything the analyses read changes (an upload, undo, restore, a live
        answer, a setting), so results can be cached per version; limited to ``datasets``, a live
        survey's answers leave cached spend figures alone. Aggregates over small tables, read again
        only when something was committed since: on the file, by this process (the only writer);
        on the lake, by any process (its latest snapshot moved)."""
        if datasets is not None:  # spend figures also change with the mapping rules its view applies
            datasets = tuple(sorted({*datasets, *(d for name in datasets for d in VIEW_READS.get(name, ()))}))
        seen, versions = self._versions
        if not self.shared and seen == _commits.get(self._commit_key, 0) and datasets in versions:
            return versions[datasets]
        cur = self.cursor()
        try:
            if self.shared:
                state = cur.execute("SELECT id FROM ducklake_current_snapshot('lake')").fetchone()[0]
            else:
                state = _commits.get(self._commit_key, 0)
            if seen != state:
                versions = {}
                self._versions = (state, versions)
            if datasets not in versions:
                versions[datasets] = self._data_version(cur, datasets)
            return versions[datasets]
        finally:
            cur.close()

    @staticmethod
    def _data_version(cur: duckdb.DuckDBPyConnection, datasets: tuple[str, ...] | None) -> str:
        listed = None if datasets is None else list(datasets)
        row = cur.execute(
            "SELECT count(*), coalesce(max(id), 0), coalesce(sum(row_count), 0), max(changed_at), "
            "count(*) FILTER (status = 'active'), (SELECT count(*) FROM settings), "
            f"CASE WHEN ? IS NULL OR list_contains(?, 'survey') THEN {LIVE_ROWS} END FROM uploads "
            "WHERE ? IS NULL OR list_contains(?, dataset)", [listed] * 4).fetchone()
        return "/".join(map(str, row))

    # --- organisation settings -----------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """Every setting's value in force: the latest stored, else its default (on the file, read
        again only after a commit: see data_version)."""
        commits = _commits.get(self._commit_key, 0)
        if not self.shared and self._settings is not None and self._settings[0] == commits:
            return dict(self._settings[1])
        rows = self.cursor().execute(  # not arg_max: it skips NULL, and NULL means "back to the default"
            "SELECT name, value FROM settings QUALIFY row_number() OVER "
            "(PARTITION BY name ORDER BY changed_at DESC, rowid DESC) = 1").fetchall()
        values = resolve(dict(rows))
        self._settings = (commits, values)
        return dict(values)

    def save_settings(self, values: Mapping[str, Any], user: str = "") -> dict[str, Any]:
        """Check and store changed values (a blank value goes back to the default); returns all in force."""
        checked = {name: convert(BY_NAME[name], value) for name, value in values.items() if name in BY_NAME}
        unknown = sorted(set(values) - set(BY_NAME))
        if unknown:
            raise SettingError(f"There is no setting {', '.join(unknown)}. Settings: {', '.join(BY_NAME)}.")
        current = self.settings()
        proposed = {**current, **checked}
        check_order(proposed)
        if checked.get("active_stages") and checked["active_stages"] != current["active_stages"]:
            stages = [r[0] for r in self.cursor().execute(
                "SELECT DISTINCT stage FROM stage_history WHERE stage IS NOT NULL ORDER BY 1").fetchall()]
            unknown = unknown_stages(checked["active_stages"], stages)
            if stages and unknown:  # with no stage history loaded yet there is nothing to check against
                raise SettingError(
                    f"{BY_NAME['active_stages'].label} names {listing([repr(n) for n in unknown])}, which no stage in "
                    f"the stage history is called. The stages are: {', '.join(stages)}. Nothing was saved.")
        now = dt.datetime.now()

        def body(cur: duckdb.DuckDBPyConnection) -> None:
            for name, value in checked.items():
                if value != current[name]:  # blank is stored as NULL: the default, whatever it becomes
                    cur.execute("INSERT INTO settings VALUES (?, ?, ?, ?)",
                                [name, None if is_blank(values[name]) else str(value), user, now])

        self._write(body, turn="settings")
        return self.settings()

    def setting_notes(self, values: Mapping[str, Any] | None = None) -> list[str]:
        """What the settings in force (or ``values``) do that an editor may not mean, in sentences, said
        after a save: the shared-cost unit checked against the units the data has."""
        unit = (values or self.settings())["shared_unit"]
        cur = self.cursor()
        spend = [r[0] for r in cur.execute("SELECT DISTINCT business_unit FROM spend_summary").fetchall()]
        metrics = [r[0] for r in cur.execute("SELECT DISTINCT business_unit FROM business_metrics "
                                             "WHERE revenue IS NOT NULL OR headcount IS NOT NULL").fetchall()]
        return shared_unit_notes(unit, spend, metrics)

    def raise_if_duplicate(self, dataset: str, sha256: str, sheet: str,
                           cur: duckdb.DuckDBPyConnection | None = None) -> None:
        row = (cur or self.cursor()).execute(
            "SELECT id FROM uploads WHERE sha256 = ? AND dataset = ? AND sheet = ? AND status = 'active'",
            [sha256, dataset, sheet]).fetchone()
        if row:
            raise DuplicateUpload(row[0])

    def uploads(self) -> pd.DataFrame:
        """The upload history, newest first. A live session's row count is its answers so far
        (answers do not rewrite the uploads row, so they never conflict with an upload)."""
        return self.cursor().execute(
            "SELECT id, dataset, file_name, sheet, CASE WHEN id IN (SELECT batch_id FROM live_sessions) "
            "THEN (SELECT count(*) FROM survey_rows r WHERE r.batch_id = u.id) ELSE row_count END AS row_count, "
            "mode, status, superseded_by, uploaded_by, uploaded_at, sha256, amount_scale FROM uploads u "
            "ORDER BY id DESC").df()

    def is_empty(self) -> bool:
        return self.cursor().execute("SELECT count(*) FROM uploads").fetchone()[0] == 0

    def filter_choices(self) -> tuple[list[str], list[str]]:
        """The months (2026-01) and business units a filter may choose: those with spend or projects,
        from the spend summed on write (thousands of rows, never a scan of the lines)."""
        cur = self.cursor()
        months = [r[0] for r in cur.execute(
            "SELECT DISTINCT strftime(period, '%Y-%m') FROM spend_summary ORDER BY 1").fetchall()]
        units = [r[0] for r in cur.execute(
            "SELECT DISTINCT business_unit FROM spend_summary UNION SELECT DISTINCT business_unit "
            "FROM projects WHERE business_unit IS NOT NULL ORDER BY 1").fetchall()]
        return months, units

    # --- live survey sessions ----------------------------------------------------------

    def open_live_session(self, code: str, wave: str, *, ask_importance: bool = False, user: str = "",
                          practice: bool = False) -> int:
        """A live session is one survey upload that grows as answers arrive, so undo and the
        history treat it like any other batch. A ``practice`` run (a facilitator's rehearsal) is
        undone when it closes: its answers leave the dashboards and stay in the history."""
        now = dt.datetime.now()

        def body(cur: duckdb.DuckDBPyConnection) -> int:
            if cur.execute("SELECT 1 FROM live_sessions WHERE code = ?", [code]).fetchone():
                raise StoreError(f"There is already a live session with the code {code}; open another.")
            batch_id = _new_upload(cur, "survey", file_name=f"Live survey {code}", sha256="", sheet="", mapping=None,
                                   row_count=0, user=user, at=now, mode="append")
            cur.execute("INSERT INTO live_sessions VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                        [code, batch_id, wave, ask_importance, user, now, practice])
            return batch_id

        return self._write(body)

    def live_session(self, code: str) -> dict | None:
        cur = self.cursor()
        row = cur.execute(
            "SELECT l.code, l.batch_id, l.wave, l.ask_importance, l.opened_at, l.closed_at, u.status, "
            "coalesce(l.practice, false), "
            "(SELECT count(DISTINCT respondent_id) FROM survey_rows r WHERE r.batch_id = l.batch_id) "
            "FROM live_sessions l JOIN uploads u ON u.id = l.batch_id WHERE l.code = ?", [code]).fetchone()
        if row is None:
            return None
        keys = ("code", "batch_id", "wave", "ask_importance", "opened_at", "closed_at", "status", "practice",
                "respondents")
        return dict(zip(keys, row, strict=True))

    def add_live_answers(self, code: str, frame: pd.DataFrame) -> int:
        """Append one participant's rows to the session's batch; refuses a second answer from the
        same participant (a double tap must not count twice), also when the two taps reach two app
        replicas at once (the answers turn). Returns the rows added."""
        respondents = frame["respondent_id"].unique()
        if len(respondents) != 1:
            raise StoreError("One participant's answers at a time.")

        def body(cur: duckdb.DuckDBPyConnection) -> int:
            row = cur.execute("SELECT l.batch_id, l.closed_at, u.status FROM live_sessions l "
                              "JOIN uploads u ON u.id = l.batch_id WHERE l.code = ?", [code]).fetchone()
            if row is None:
                raise StoreError(f"There is no live session with the code {code}.")
            batch_id, closed_at, status = row
            if closed_at is not None or status != "active":
                raise StoreError("This session has closed; your answers were not recorded.")
            if cur.execute("SELECT 1 FROM survey_rows WHERE batch_id = ? AND respondent_id = ? LIMIT 1",
                           [batch_id, str(respondents[0])]).fetchone():
                raise AlreadyAnswered("Your answers are already in. Thank you!")
            (count,), = cur.execute("SELECT count(*) FROM survey_rows WHERE batch_id = ?", [batch_id]).fetchall()
            _insert_rows(cur, "survey", batch_id, frame, range(count + 1, count + len(frame) + 1))
            return len(frame)

        return self._write(body, turn="answers")

    def close_live_session(self, code: str) -> bool:
        """Close the session; its upload's row count becomes the answers it holds. A practice run is
        then undone (nothing deleted: Restore on the Data page brings it back). Returns whether it was."""
        def body(cur: duckdb.DuckDBPyConnection) -> int | None:
            row = cur.execute("SELECT batch_id, coalesce(practice, false) FROM live_sessions "
                              "WHERE code = ? AND closed_at IS NULL", [code]).fetchone()
            if row is None:  # no such session open: nothing to close
                return None
            batch_id, practice = row
            cur.execute(f"UPDATE uploads SET row_count = ({LIVE_ROWS_OF}) WHERE id = ?", [code, batch_id])
            cur.execute("UPDATE live_sessions SET closed_at = ? WHERE code = ?", [dt.datetime.now(), code])
            return batch_id if practice else None

        practice_batch = self._write(body)
        if practice_batch is not None:
            self.undo(practice_batch)
        return practice_batch is not None

    def open_live_sessions(self) -> list[str]:
        return [r[0] for r in self.cursor().execute(
            "SELECT l.code FROM live_sessions l JOIN uploads u ON u.id = l.batch_id "
            "WHERE l.closed_at IS NULL AND u.status = 'active' ORDER BY l.opened_at DESC").fetchall()]

    def live_answered(self, code: str, respondent_id: str) -> bool:
        """Whether this participant's answers are already in the session (a reload shows so)."""
        return self.cursor().execute(
            "SELECT 1 FROM live_sessions l JOIN survey_rows r ON r.batch_id = l.batch_id "
            "WHERE l.code = ? AND r.respondent_id = ? LIMIT 1", [code, respondent_id]).fetchone() is not None

    # --- remembered mappings -------------------------------------------------------------

    def save_mapping(self, dataset: str, signature: str, mapping: dict[str, str]) -> None:
        def body(cur: duckdb.DuckDBPyConnection) -> None:
            if self.shared:  # no key on the lake: the newest mapping replaces the one before by hand
                cur.execute("DELETE FROM saved_mappings WHERE dataset = ? AND signature = ?", [dataset, signature])
                cur.execute("INSERT INTO saved_mappings VALUES (?, ?, ?, ?)",
                            [dataset, signature, json.dumps(mapping), dt.datetime.now()])
            else:
                cur.execute("INSERT OR REPLACE INTO saved_mappings VALUES (?, ?, ?, ?)",
                            [dataset, signature, json.dumps(mapping), dt.datetime.now()])

        self._write(body, turn="settings")

    def saved_mapping(self, dataset: str, signature: str) -> dict[str, str] | None:
        row = self.cursor().execute("SELECT mapping FROM saved_mappings WHERE dataset = ? AND signature = ?",
                                    [dataset, signature]).fetchone()
        return json.loads(row[0]) if row else None


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back whatever is open (a failed commit has already ended its transaction)."""
    try:
        cur.execute("ROLLBACK")
    except duckdb.Error:
        pass


_shared: dict[str, Store] = {}
_shared_lock = threading.Lock()


def shared_store(path: Path | str | LakeLocation) -> Store:
    """The one Store of this process for ``path``. It lives outside Streamlit's caches on purpose:
    any visitor can clear those (a websocket message), and the store must outlive that. Two
    spellings of one lake (a trailing slash, say) are one store."""
    try:
        key = str(path if isinstance(path, LakeLocation) else parse_location(path))
    except LocationError as exc:
        raise StoreError(str(exc)) from None
    with _shared_lock:
        store = _shared.get(key)
        if store is None:
            store = _shared[key] = Store(path)
        return store


def close_shared_stores() -> None:
    """Close every shared store (tests start each from a fresh database)."""
    with _shared_lock:
        for store in _shared.values():
            store.close()
        _shared.clear()
