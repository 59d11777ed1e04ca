"""`python -m alignment maintain` (alignment.maintenance) on a real PostgreSQL catalog: DuckLake's
upkeep shrinks the files and snapshots, and leaves the data, the uploads history, undo and restore,
and the analyses exactly as they were, also while another replica reads."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pandas as pd
import pytest

from alignment import maintenance
from alignment.bench import spend_frame
from alignment.cli import main
from alignment.ingest import ingest
from alignment.queries import run_query
from alignment.store import Store

pytest.importorskip("duckdb_extension_ducklake")

ANALYSES = ("cost_by_business_unit", "vendor_concentration", "spend_mix")


def _upload(store: Store, seed: int, mode: str = "append") -> int:
    result = ingest(store, spend_frame(40, seed=seed).to_csv(index=False).encode(), f"spend-{seed}.csv", "spend",
                    mode=mode, user="test")
    assert result.status == "loaded", result.errors[:3]
    return result.batch_id


def _seen(store: Store) -> dict[str, pd.DataFrame]:
    """Everything a user can see: the uploads list with statuses, the spend rows, some analyses."""
    cur = store.cursor()
    seen = {"uploads": store.uploads().sort_values("id", ignore_index=True),
            "spend": cur.execute("SELECT * FROM spend ORDER BY ALL").df()}
    for name in ANALYSES:
        seen[name] = run_query(cur, name, {})
    return seen


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key], obj=key)


def _statuses(store: Store) -> dict[int, str]:
    return dict(store.cursor().execute("SELECT id, status FROM uploads").fetchall())


def _files_on_disk(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*.parquet"))


@pytest.fixture
def busy_lake(postgres, tmp_path):
    """A lake with a data folder of its own (orphaned-file deletion looks at the whole folder) and
    some history: five appends (one undone and restored), then a replace, undone."""
    folder = tmp_path / "lake"
    setting = postgres.lake(data_path=folder)
    with Store(setting) as store:
        ids = [_upload(store, seed) for seed in range(1, 6)]
        store.undo(ids[2])
        store.redo(ids[2])
        ids.append(_upload(store, 6, mode="replace"))
        store.undo(ids[5])  # the replace: the five appends it superseded come back
    return setting, folder, ids


def test_maintenance_with_no_retention_shrinks_the_lake_and_keeps_everything_a_user_sees(busy_lake) -> None:
    setting, folder, ids = busy_lake
    with Store(setting) as store:
        before = _seen(store)
        result = maintenance.maintain_lake(store, dt.timedelta(0))
        b, a = result["before"], result["after"]
        assert a["files_in_use"] < b["files_in_use"]  # merged
        assert a["snapshots"] < b["snapshots"] and a["files"] < b["files"]  # expired, and their files deleted
        assert _files_on_disk(folder) == a["files"]  # nothing left on disk that the catalog does not name
        _assert_same(before, _seen(store))
    with Store(setting) as replica:  # a fresh process sees the same
        _assert_same(before, _seen(replica))
        # history still works from the statuses: undo and restore after maintenance
        assert [_statuses(replica)[i] for i in ids] == ["active"] * 5 + ["undone"]
        assert sorted(replica.redo(ids[5])) == ids[:5]
        assert [_statuses(replica)[i] for i in ids] == ["superseded"] * 5 + ["active"]
        assert sorted(replica.undo(ids[5])) == ids[:5]
        replica.undo(ids[4])
        assert _statuses(replica)[ids[4]] == "undone"
        replica.redo(ids[4])
        _assert_same(before, _seen(replica))


def test_maintenance_while_a_replica_reads_changes_nothing_it_sees(busy_lake) -> None:
    setting, _, _ = busy_lake
    with Store(setting) as maintainer, Store(setting) as replica:
        before = _seen(replica)
        stop, reads, failures = threading.Event(), [], []

        def read() -> None:
            while not stop.is_set():
                try:
                    reads.append(_seen(replica))
                except Exception as exc:  # noqa: BLE001 - any failure of a read is what this test looks for
                    failures.append(exc)

        reader = threading.Thread(target=read)
        reader.start()
        try:
            result = maintenance.maintain_lake(maintainer, dt.timedelta(hours=1))
        finally:
            stop.set()
            reader.join()
        assert not failures
        assert reads
        for seen in reads:
            _assert_same(before, seen)
        assert result["after"]["files_in_use"] < result["before"]["files_in_use"]
        # an hour's retention: the merged files stay for the snapshots that still name them
        assert result["after"]["snapshots"] == result["before"]["snapshots"] + 1
        _assert_same(before, _seen(replica))


def test_the_command_maintains_a_lake_and_checkpoints_a_file(busy_lake, tmp_path, capsys, monkeypatch) -> None:
    setting, _, _ = busy_lake
    assert main(["maintain", "--db", setting]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Maintained the shared store:") and "older than 168 hours" in said
    db = tmp_path / "file.duckdb"
    with Store(db) as store:
        _upload(store, 1)
        before = _seen(store)
    assert main(["maintain", "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith(f"Checkpointed the database {db}")
    with Store(db) as store:
        _assert_same(before, _seen(store))
    monkeypatch.setenv(maintenance.RETENTION_SETTING, "0.5")
    assert main(["maintain", "--db", setting]) == 1
    assert "ALIGNMENT_LAKE_RETENTION_HOURS must be a number of hours of at least 1" in capsys.readouterr().err


@pytest.mark.parametrize(("value", "hours"), [("", 168), ("24", 24), ("1", 1), ("1.5", 1.5)])
def test_retention_is_read_in_hours(monkeypatch, value, hours) -> None:
    monkeypatch.setenv(maintenance.RETENTION_SETTING, value)
    assert maintenance.retention() == dt.timedelta(hours=hours)


@pytest.mark.parametrize("value", ["0", "0.9", "-3", "a week"])
def test_a_retention_too_short_for_a_running_query_is_refused(monkeypatch, value) -> None:
    monkeypatch.setenv(maintenance.RETENTION_SETTING, value)
    with pytest.raises(ValueError, match="at least 1"):
        maintenance.retention()
