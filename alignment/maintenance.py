"""`python -m alignment maintain`: DuckLake's own upkeep for the shared store, CHECKPOINT for the file.

Every upload adds Parquet files and a snapshot to the lake, and every undo or restore a delete
file: left alone, a table grows into many small files, each one a catalog row and a file open for
every reader. DuckLake's functions merge them, forget snapshots older than a retention, and delete
the files no remaining snapshot names. It is safe while replicas serve and write:
- the app's history (the uploads list, undo, restore) lives in the uploads table's statuses, never
  in DuckLake's time travel, so an expired snapshot takes nothing the app shows;
- a merge is an ordinary commit: readers keep the snapshot they started on, and a merge that
  collides with another process's commit runs again, like any write of the store;
- only files unreferenced for longer than the retention are deleted, and no query or upload being
  written lasts that long (the setting's floor is an hour).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from alignment.backends import LAKE
from alignment.config import LakeLocation, parse_location
from alignment.handoff import held_elsewhere
from alignment.store import Store

RETENTION_SETTING = "ALIGNMENT_LAKE_RETENTION_HOURS"
DEFAULT_RETENTION_HOURS = 168  # a week of snapshots: room to restore the catalog from a day-old dump
MIN_RETENTION_HOURS = 1

# In the order DuckLake's own CHECKPOINT runs them: merging first leaves old files for expiry, and
# the deletions come last, once expiry has said which files nothing needs any more.
STEPS = (("merge adjacent files", "CALL ducklake_merge_adjacent_files({lake})"),
         ("expire snapshots", "CALL ducklake_expire_snapshots({lake}, older_than => {cutoff})"),
         ("clean up old files", "CALL ducklake_cleanup_old_files({lake}, older_than => {cutoff})"),
         ("delete orphaned files", "CALL ducklake_delete_orphaned_files({lake}, older_than => {cutoff})"))


def retention() -> dt.timedelta:
    """How long snapshots and unreferenced files are kept (ALIGNMENT_LAKE_RETENTION_HOURS)."""
    text = os.environ.get(RETENTION_SETTING, "").strip()
    if not text:
        return dt.timedelta(hours=DEFAULT_RETENTION_HOURS)
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if hours < MIN_RETENTION_HOURS:
        raise ValueError(f"{RETENTION_SETTING} must be a number of hours of at least {MIN_RETENTION_HOURS} "
                         f"(a query or an upload in progress must keep its files); it is '{text}'.")
    return dt.timedelta(hours=hours)


def lake_state(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """What maintenance changes: the lake's snapshots, and its data and delete files (in use by the
    latest snapshot, and all, including those kept for older snapshots)."""
    meta = f"__ducklake_metadata_{LAKE}"
    snapshots = cur.execute(f"SELECT count(*) FROM ducklake_snapshots('{LAKE}')").fetchone()[0]
    files = cur.execute(f"SELECT count(*) FILTER (WHERE end_snapshot IS NULL), count(*) FROM "
                        f"(SELECT end_snapshot FROM {meta}.ducklake_data_file UNION ALL "
                        f"SELECT end_snapshot FROM {meta}.ducklake_delete_file)").fetchone()
    return {"snapshots": snapshots, "files_in_use": files[0], "files": files[1]}


def _call(store: Store, sql: str) -> None:
    """One maintenance call as a write of the store: its own transaction, run again when it collides
    with another process's commit. It takes no turn, so it never makes an upload start over."""
    # (its rows hold time stamps, which fetchall would need pytz for)
    store._write(lambda cur: cur.execute(sql).to_arrow_table(), turn=None)


def maintain_lake(store: Store, keep: dt.timedelta) -> dict[str, dict[str, int]]:
    """DuckLake's upkeep, snapshots and unreferenced files older than ``keep`` going; the lake's
    state before and after."""
    cur = store.cursor()
    before = lake_state(cur)
    for _, sql in STEPS:  # each step's cutoff from its own start: expiry schedules the files cleanup deletes
        cutoff = dt.datetime.now(dt.UTC) - keep
        _call(store, sql.format(lake=f"'{LAKE}'", cutoff=f"TIMESTAMPTZ '{cutoff.isoformat()}'"))
    return {"before": before, "after": lake_state(cur)}


def maintain_file(store: Store) -> None:
    """The embedded file: DuckDB's CHECKPOINT writes its log into the file (it does so by itself
    as the log grows; this frees the space of replaced blocks now)."""
    store.cursor().execute("CHECKPOINT")


def summary(result: dict[str, dict[str, int]], keep: dt.timedelta) -> str:
    """The lake's maintenance in a sentence."""
    b, a = result["before"], result["after"]
    hours = keep.total_seconds() / 3600
    return (f"Maintained the shared store: {b['files_in_use']} data and delete files in use became "
            f"{a['files_in_use']}; {b['snapshots']} snapshots became {a['snapshots']} (those older than "
            f"{hours:g} hours expired), and {b['files']} files on the data path became {a['files']}.")


def maintain(db: str | Path) -> str:
    """The upkeep ``db`` needs, in a sentence: the lake's with the retention setting, the file's
    CHECKPOINT (or nothing, when the running app has the file: DuckDB checkpoints it itself)."""
    location = parse_location(db)
    if not isinstance(location, LakeLocation):
        if held_elsewhere(location):
            return (f"The database {location} is open in the running app, which checkpoints it by itself: "
                    "there is nothing to do.")
        with Store(location) as store:
            maintain_file(store)
        return f"Checkpointed the database {location}: its log is written into the file."
    keep = retention()
    with Store(location) as store:
        return summary(maintain_lake(store, keep), keep)
