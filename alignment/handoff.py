"""Loading from the command line while the app runs (embedded mode).

DuckDB lets one process write a database file, and the running app is that process. So a command
that finds the file held checks the spreadsheet itself (its errors are immediate and its own),
writes the checked rows as Parquet with a JSON manifest into a folder beside the database
(``<db>.inbox/``), and waits; the app's watcher thread loads them with the same ``Store.add_batch``
in one transaction and writes back a result. Nothing the app reads is touched until then: while
idle the watcher only lists a folder, so dashboards keep their speed.

Files in the inbox, each written under a temporary name and renamed, so a reader never sees half:
  ``<id>.parquet``      an upload's checked rows (``__source_row`` holds the spreadsheet rows)
  ``<id>.json``         the request: what to do (ingest, save_mapping, undo, restore, settings)
  ``<id>.claimed``      the request, taken by the process holding the database (with the time)
  ``<id>.result.json``  what came of it: {"ok": true, "value": ...} or {"ok": false, "error": ...}
  ``state-<n>.want``    a command asking for the settings and remembered mappings it checks with
  ``state-<n>.json``    the answer
Requests run in the order of their ids (a time and a random tail). A queued request is also run by
the next command that gets the database to itself, before its own work, so order is kept when the
app stops. A request claimed by an app that then died is run again on the next start unless its
batch is already in the database: a crash never loads a file twice.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from alignment.schema import DATASETS, SQL_TYPES
from alignment.settings import resolve
from alignment.store import DuplicateUpload, Store, StoreError

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
SOURCE_ROW = "__source_row"


def wait_seconds() -> float:
    """ALIGNMENT_HANDOFF_WAIT: how long a command waits for the running app to load its file
    (default 300 s); after that the file stays queued and loads when the app next runs."""
    return float(os.environ.get("ALIGNMENT_HANDOFF_WAIT", "300"))


def inbox(db: Path | str) -> Path:
    return Path(f"{db}.inbox")


def is_file_database(db: Path | str) -> bool:
    """Only an embedded DuckDB file has one writer; ``:memory:`` and shared stores need no hand-off."""
    text = str(db)
    return text != ":memory:" and ":" not in Path(text).name and not text.startswith(("ducklake:", "md:"))


def held_elsewhere(db: Path | str) -> bool:
    """Whether another process has the database file open (DuckDB locks the file while it is open).
    Call it only from a process that does not have the file open itself: closing the probe would
    drop that process's own lock (POSIX locks belong to the process, not the descriptor)."""
    if not is_file_database(db) or not Path(db).is_file():
        return False
    try:
        fd = os.open(db, os.O_RDWR)
    except OSError:
        return False  # opening the database will say why, in its own words
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EACCES, errno.EAGAIN)
    finally:
        os.close(fd)
    return False


def _write_atomically(path: Path, text: str | bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_bytes(text.encode() if isinstance(text, str) else text)
    os.replace(tmp, path)


def _new_id() -> str:
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


# --- what the command needs to check a file as the app would ------------------------------------


def snapshot(store: Store) -> dict[str, Any]:
    """The settings in force and the remembered mappings, as text: what checking a file reads."""
    settings = {name: None if value is None else str(value) for name, value in store.settings().items()}
    mappings = {f"{d}\x1f{s}": json.loads(m) for d, s, m in store.cursor().execute(
        "SELECT dataset, signature, mapping FROM saved_mappings").fetchall()}
    return {"settings": settings, "mappings": mappings, "version": _version(settings)}


def _version(settings: Mapping[str, Any]) -> str:
    """What the checks depend on besides the file and its mapping (which the request carries)."""
    text = json.dumps(settings, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _checked_rows_parquet(dataset: str, frame: pd.DataFrame, source_rows: object, path: Path) -> None:
    """The rows typed exactly as the store types them (the same casts, by DuckDB), as Parquet."""
    columns = DATASETS[dataset].stored_columns
    blank = pd.Series(None, index=frame.index, dtype="object")
    data = pd.DataFrame({SOURCE_ROW: list(source_rows)} | {
        c.name: frame[c.name] if c.name in frame else blank for c in columns}, index=frame.index, copy=False)
    casts = ", ".join(f"CAST({c.name} AS {SQL_TYPES[c.kind]}) AS {c.name}" for c in columns)
    tmp = path.with_name(f".{path.name}.tmp")
    with duckdb.connect(config={"autoinstall_known_extensions": "false",
                                "autoload_known_extensions": "false"}) as con:
        con.register("incoming_rows", data)
        con.execute(f"COPY (SELECT CAST({SOURCE_ROW} AS INTEGER) AS {SOURCE_ROW}, {casts} FROM incoming_rows) "
                    f"TO '{tmp}' (FORMAT parquet)")
    os.replace(tmp, path)


class Handoff:
    """Stands in for the Store in a command whose database the app holds: reads come from the
    app's snapshot, writes go to the app as requests and wait for its answer. Only what the
    ingest, undo, restore and settings commands call."""

    def __init__(self, db: Path | str, state: dict[str, Any], wait: float | None = None) -> None:
        self.db, self.state = Path(db), state
        self.wait = wait_seconds() if wait is None else wait

    # reads, from the snapshot
    def settings(self) -> dict[str, Any]:
        return resolve(self.state["settings"])

    def saved_mapping(self, dataset: str, signature: str) -> dict[str, str] | None:
        return self.state["mappings"].get(f"{dataset}\x1f{signature}")

    def raise_if_duplicate(self, dataset: str, sha256: str, sheet: str, cur: object = None) -> None:
        self._ask({"op": "check_duplicate", "dataset": dataset, "sha256": sha256, "sheet": sheet})

    # writes, by the app
    def add_batch(self, dataset: str, frame: pd.DataFrame, *, mode: str = "append", file_name: str = "",
                  sha256: str = "", sheet: str = "", mapping: dict | None = None, user: str = "",
                  source_rows: list[int] | None = None, refuse_duplicate: bool = False,
                  amount_scale: float | None = None) -> int:
        request = {"op": "ingest", "dataset": dataset, "mode": mode, "file_name": file_name, "sha256": sha256,
                   "sheet": sheet, "mapping": mapping or {}, "user": user, "rows": len(frame),
                   "refuse_duplicate": refuse_duplicate, "amount_scale": amount_scale,
                   "checked_with": self.state["version"]}
        return int(self._ask(request, frame=frame, source_rows=source_rows if source_rows is not None
                             else range(1, len(frame) + 1)))

    def save_mapping(self, dataset: str, signature: str, mapping: dict[str, str]) -> None:
        """Queued behind the upload and not waited for: it changes no figure."""
        submit(self.db, {"op": "save_mapping", "dataset": dataset, "signature": signature, "mapping": mapping})

    def undo(self, batch_id: int) -> list[int]:
        return self._ask({"op": "undo", "batch_id": batch_id})

    def redo(self, batch_id: int) -> list[int]:
        return self._ask({"op": "restore", "batch_id": batch_id})

    restore = redo

    def save_settings(self, values: Mapping[str, Any], user: str = "") -> dict[str, Any]:
        return resolve(self._ask({"op": "settings", "values": dict(values), "user": user}))

    def close(self) -> None:
        pass

    def _ask(self, request: dict[str, Any], **rows: Any) -> Any:
        request_id = submit(self.db, request, **rows)
        result = await_result(self.db, request_id, self.wait)
        if result["ok"]:
            return result["value"]
        if result.get("duplicate") is not None:
            raise DuplicateUpload(result["duplicate"], result.get("error"))
        raise StoreError(result["error"])


def submit(db: Path | str, request: dict[str, Any], frame: pd.DataFrame | None = None,
           source_rows: object = None) -> str:
    """Queue a request (and an upload's rows) for the process holding the database; returns its id."""
    folder = inbox(db)
    folder.mkdir(exist_ok=True)
    request_id = _new_id()
    if frame is not None:
        _checked_rows_parquet(request["dataset"], frame, source_rows, folder / f"{request_id}.parquet")
    _write_atomically(folder / f"{request_id}.json", json.dumps(request, default=str))
    return request_id


def await_result(db: Path | str, request_id: str, wait: float) -> dict[str, Any]:
    """The app's answer to a request; after ``wait`` seconds a sentence saying it stays queued."""
    path = inbox(db) / f"{request_id}.result.json"
    deadline = time.monotonic() + wait
    while not path.exists():
        if time.monotonic() > deadline:
            raise StillQueued(f"The app that holds {db} did not confirm within {wait:g} s. The request stays "
                              f"queued as {request_id} in {inbox(db)} and runs when the app next runs (or with "
                              "the next command that opens the database); check 'uploads' before sending it again.")
        time.sleep(0.05)
    result = json.loads(path.read_text())
    path.unlink(missing_ok=True)
    return result


class StillQueued(StoreError):
    """The app did not answer in time; the request is still in the inbox."""


def ask_state(db: Path | str, wait: float) -> dict[str, Any] | None:
    """The holding app's snapshot; None as soon as the database is free (use it directly)."""
    folder = inbox(db)
    folder.mkdir(exist_ok=True)
    nonce = uuid.uuid4().hex[:12]
    want, answer = folder / f"state-{nonce}.want", folder / f"state-{nonce}.json"
    want.touch()
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            if answer.exists():
                return json.loads(answer.read_text())
            if not held_elsewhere(db):
                return None
            time.sleep(0.05)
    finally:
        want.unlink(missing_ok=True)
        answer.unlink(missing_ok=True)
    raise StoreError(f"The database {db} is open in another program that does not take loads from the command "
                     "line (not the app, or an app from before this version). Stop it, or point --db at a copy.")


@contextmanager
def writer(db: Path | str, state_wait: float | None = None) -> Iterator[Store | Handoff]:
    """The database to write to: the Store itself when this process can open it (after running
    whatever is queued, so order is kept), else a hand-off to the app that holds it."""
    while True:
        if held_elsewhere(db):
            state = ask_state(db, wait_seconds() if state_wait is None else state_wait)
            if state is not None:
                yield Handoff(db, state)
                return
        try:
            store = Store(db)
        except StoreError:
            if held_elsewhere(db):
                continue  # taken between the look and the open: hand off instead
            raise
        with store:
            drain(store)
            yield store
        return


# --- the side that holds the database --------------------------------------------------------


def _run(store: Store, request: dict[str, Any], folder: Path, request_id: str) -> Any:
    op = request["op"]
    if op == "ingest":
        if request["checked_with"] != snapshot(store)["version"]:
            raise StoreError("The organisation settings changed while the file was being checked; "
                             "nothing was loaded. Run the command again.")
        table = pq.read_table(folder / f"{request_id}.parquet")
        if table.num_rows != request["rows"]:
            raise StoreError("The checked rows arrived incomplete; nothing was loaded. Run the command again.")
        frame = table.to_pandas(types_mapper=pd.ArrowDtype)  # Arrow-backed: DuckDB scans it without a copy
        source_rows = frame.pop(SOURCE_ROW).tolist()
        return store.add_batch(request["dataset"], frame, mode=request["mode"], file_name=request["file_name"],
                               sha256=request["sha256"], sheet=request["sheet"], mapping=request["mapping"],
                               user=request["user"], source_rows=source_rows,
                               refuse_duplicate=request["refuse_duplicate"], amount_scale=request["amount_scale"])
    if op == "check_duplicate":
        return store.raise_if_duplicate(request["dataset"], request["sha256"], request["sheet"])
    if op == "save_mapping":
        return store.save_mapping(request["dataset"], request["signature"], request["mapping"])
    if op == "undo":
        return store.undo(int(request["batch_id"]))
    if op == "restore":
        return store.redo(int(request["batch_id"]))
    if op == "settings":
        values = store.save_settings(request["values"], request["user"])
        return {name: None if value is None else str(value) for name, value in values.items()}
    raise StoreError(f"The app does not know the request '{op}'; update the app.")


def _loaded_before_crash(store: Store, request: dict[str, Any], claimed_at: str) -> int | None:
    """An upload this request committed before its process died, if any."""
    row = store.cursor().execute(
        "SELECT max(id) FROM uploads WHERE dataset = ? AND sha256 = ? AND sheet = ? AND file_name = ? "
        "AND uploaded_by = ? AND uploaded_at >= ?",
        [request["dataset"], request["sha256"], request["sheet"], request["file_name"], request["user"],
         dt.datetime.fromisoformat(claimed_at) - dt.timedelta(seconds=1)]).fetchone()
    return row[0]


def handle(store: Store, folder: Path, request_id: str) -> None:
    """Claim one request, run it, write its result, tidy its files. Never raises for a request."""
    request_path, claimed = folder / f"{request_id}.json", folder / f"{request_id}.claimed"
    if claimed.exists():  # a process that held the database died while running it
        claim = json.loads(claimed.read_text())
        request, claimed_at = claim["request"], claim["claimed_at"]
        earlier = _loaded_before_crash(store, request, claimed_at) if request["op"] == "ingest" else None
    else:
        request = json.loads(request_path.read_text())
        claimed_at, earlier = dt.datetime.now().isoformat(), None
        _write_atomically(claimed, json.dumps({"request": request, "claimed_at": claimed_at}))
    request_path.unlink(missing_ok=True)
    if earlier is not None:
        result = {"ok": True, "value": earlier}
    else:
        try:
            result = {"ok": True, "value": _run(store, request, folder, request_id)}
        except DuplicateUpload as exc:
            result = {"ok": False, "error": str(exc), "duplicate": exc.upload_id}
        except StoreError as exc:  # SettingError is a ValueError: the user's own words too
            result = {"ok": False, "error": str(exc)}
        except ValueError as exc:
            result = {"ok": False, "error": str(exc)}
        except Exception:  # noqa: BLE001 - the details go to the log, a sentence to the command
            log.exception("hand-off request %s failed", request_id)
            result = {"ok": False, "error": "The app could not run the request (its log has the details); "
                                            "nothing was changed."}
    if request["op"] != "save_mapping":
        _write_atomically(folder / f"{request_id}.result.json", json.dumps(result, default=str))
    claimed.unlink(missing_ok=True)
    (folder / f"{request_id}.parquet").unlink(missing_ok=True)


def pending(folder: Path) -> list[str]:
    """Queued and claimed-but-unfinished requests, oldest first."""
    try:
        names = [e.name for e in os.scandir(folder)]
    except FileNotFoundError:
        return []
    return sorted({n.rsplit(".", 1)[0] for n in names
                   if n.endswith((".json", ".claimed")) and not n.startswith((".", "state-"))
                   and not n.endswith(".result.json")})


def answer_state_requests(store: Store, folder: Path, names: list[str] | None = None) -> None:
    wants = [n for n in (names if names is not None else os.listdir(folder)) if n.endswith(".want")]
    if wants:
        state = json.dumps(snapshot(store))
        for name in wants:
            _write_atomically(folder / name.replace(".want", ".json"), state)


def drain(store: Store) -> int:
    """Run every queued request against ``store``, oldest first; returns how many ran."""
    folder = inbox(store.path)
    ids = pending(folder) if is_file_database(store.path) else []
    for request_id in ids:
        handle(store, folder, request_id)
    return len(ids)


class Watcher(threading.Thread):
    """The app's side: every POLL_SECONDS, one folder listing; work only when something is there."""

    def __init__(self, store: Store, poll: float = POLL_SECONDS) -> None:
        super().__init__(name=f"handoff {store.path}", daemon=True)
        self.store, self.poll, self.folder = store, poll, inbox(store.path)
        self.stopped = threading.Event()
        self.cpu_seconds = 0.0  # this thread's own CPU time (the benchmark reports it)

    def run(self) -> None:
        while not self.stopped.is_set():
            began = time.thread_time()
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a full disk now must not stop loads later
                log.exception("hand-off watcher")
            self.cpu_seconds += time.thread_time() - began
            self.stopped.wait(self.poll)

    def tick(self) -> None:
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return
        if names:  # queued work first: a snapshot then includes what it changed
            drain(self.store)
            answer_state_requests(self.store, self.folder, names)

    def stop(self) -> None:
        self.stopped.set()
        self.join(10)


_watchers: dict[str, Watcher] = {}
_watchers_lock = threading.Lock()


def watch(store: Store) -> None:
    """Start this process's watcher for the store's inbox, once (an embedded file opened for writing)."""
    if getattr(store, "read_only", True) or not is_file_database(store.path):
        return
    with _watchers_lock:
        current = _watchers.get(store.path)
        if current is None or current.store is not store or not current.is_alive():
            if current is not None:
                current.stop()
            _watchers[store.path] = watcher = Watcher(store)
            watcher.start()


def stop_watchers() -> None:
    with _watchers_lock:
        for watcher in _watchers.values():
            watcher.stopped.set()
        _watchers.clear()
