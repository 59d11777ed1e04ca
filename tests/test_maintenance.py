"""`python -m alignment maintain` (alignment.maintenance) on a real PostgreSQL catalog: DuckLake's
upkeep shrinks the files and snapshots, and leaves the data, the uploads history, undo and restore,
and the analyses exactly as they were, also while another replica reads."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
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


UPLOADER = """
import json, sys, time
from pathlib import Path
from alignment.bench import spend_frame
from alignment.ingest import ingest
from alignment.store import Store, StoreError

location, folder, rows = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
plan = json.loads(sys.argv[4])
store = Store(location)
(folder / "ready").touch()
while not (folder / "go").exists():  # the first upload starts as maintenance does
    time.sleep(0.01)
done = []
for mode, seed in plan:
    start = time.time()
    try:
        result = ingest(store, spend_frame(rows, seed=seed).to_csv(index=False).encode(), f"spend-{seed}.csv",
                        "spend", mode=mode, user="uploader")
        said = [e["message"] for e in result.errors]
        done.append({"seed": seed, "mode": mode, "status": result.status, "batch": result.batch_id, "said": said})
    except StoreError as exc:  # a refusal with a sentence; anything else is a traceback, and fails the test
        done.append({"seed": seed, "mode": mode, "status": "refused", "batch": None, "said": [str(exc)]})
    done[-1] |= {"start": start, "end": time.time()}
print(json.dumps({"uploads": done, "retries": store.retries}))
"""

# Several appends, a replace that supersedes them, then appends on top of the replace.
PLAN = [("append", s) for s in range(11, 15)] + [("replace", 15)] + [("append", s) for s in range(16, 19)]
UPLOAD_ROWS = 400


def _load_like(store: Store, uploads: list[dict]) -> None:
    """The landed uploads, in their order, into another lake (the twin nobody maintains)."""
    for u in sorted((u for u in uploads if u["status"] == "loaded"), key=lambda u: u["batch"]):
        result = ingest(store, spend_frame(UPLOAD_ROWS, seed=u["seed"]).to_csv(index=False).encode(),
                        f"spend-{u['seed']}.csv", "spend", mode=u["mode"], user="uploader")
        assert (result.status, result.batch_id) == ("loaded", u["batch"]), result.errors[:3]


def _per_batch(store: Store) -> dict[int, tuple[int, float]]:
    """Each batch's rows and their total, as stored."""
    return {b: (n, total) for b, n, total in store.cursor().execute(
        "SELECT batch_id, count(*), sum(actual) FROM spend_rows GROUP BY 1").fetchall()}


def _assert_batches(got: dict[int, tuple[int, float]], want: dict[int, tuple[int, float]]) -> None:
    assert got.keys() == want.keys()
    assert {b: n for b, (n, _) in got.items()} == {b: n for b, (n, _) in want.items()}
    assert {b: t for b, (_, t) in got.items()} == pytest.approx({b: t for b, (_, t) in want.items()})


def _seen_without_times(store: Store) -> dict[str, pd.DataFrame]:
    """What a user sees, less the moments of the uploads (the twin's were loaded later)."""
    seen = _seen(store)
    seen["uploads"] = seen["uploads"].drop(columns=["uploaded_at"])
    return seen


def _overlap(spans: list[tuple[float, float]], others: list[tuple[float, float]]) -> float:
    """Seconds during which a span of one list and a span of the other both ran."""
    return sum(max(0.0, min(a1, b1) - max(a0, b0)) for a0, a1 in spans for b0, b1 in others)


def _maintain_while(proc: subprocess.Popen, setting: str, signals: Path) -> list[dict]:
    """``maintain`` (an hour's retention, the shortest the command allows) again and again until
    the uploading process ends (or two minutes pass); each run's span and what it changed."""
    runs = []
    with Store(setting) as maintainer:
        (signals / "go").touch()
        give_up = time.time() + 120
        while (proc.poll() is None and time.time() < give_up) or len(runs) < 2:
            start = time.time()
            result = maintenance.maintain_lake(maintainer, dt.timedelta(hours=maintenance.MIN_RETENTION_HOURS))
            runs.append(result | {"start": start, "end": time.time(), "retries": maintainer.retries})
    return runs


def test_maintenance_while_another_process_uploads_loses_doubles_and_breaks_nothing(postgres, tmp_path) -> None:
    """The nightly `maintain` while users upload through another replica: every upload lands whole
    or is refused with a sentence, every landed batch holds exactly the rows sent, and the data,
    the history, undo and restore and the analyses are those of the same uploads on a lake that was
    never maintained; afterwards maintenance with no retention deletes only files nothing names."""
    folder = tmp_path / "lake"
    setting = postgres.lake(data_path=folder)
    with Store(setting) as store:  # some history for the first merges to work on
        for seed in range(1, 4):
            _upload(store, seed)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, "-c", UPLOADER, setting, str(tmp_path), str(UPLOAD_ROWS),
                             json.dumps(PLAN)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        while not (tmp_path / "ready").exists() and proc.poll() is None:
            time.sleep(0.01)
        runs = _maintain_while(proc, setting, tmp_path)
        out, err = proc.communicate(timeout=600)
    finally:
        proc.kill()
    assert proc.returncode == 0, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    uploads = report["uploads"]
    # the overlap was real: maintenance ran, and merged files, while the uploads were being written
    spans = [(u["start"], u["end"]) for u in uploads]
    during = [r for r in runs if _overlap([(r["start"], r["end"])], spans) > 0]
    overlap = _overlap(spans, [(r["start"], r["end"]) for r in runs])
    refused = [u["said"] for u in uploads if u["status"] != "loaded"]
    print(f"maintenance runs {len(runs)} ({len(during)} during uploads), seconds of overlap {overlap:.2f} of "
          f"{spans[-1][1] - spans[0][0]:.2f} uploading, upload retries {report['retries']}, "
          f"maintenance retries {runs[-1]['retries']}, refused {refused}")
    assert len(during) >= 3 and overlap > 0
    assert any(r["after"]["files_in_use"] < r["before"]["files_in_use"] for r in during)
    for u in uploads:
        assert u["status"] in ("loaded", "refused") and (u["status"] == "loaded" or u["said"][0].endswith(".")), u
    loaded = [u for u in uploads if u["status"] == "loaded"]
    assert loaded, uploads
    with Store(setting) as store:
        # no partial batch, no row lost or doubled: each landed batch is exactly what was sent
        sent = {u["batch"]: (UPLOAD_ROWS, spend_frame(UPLOAD_ROWS, seed=u["seed"])["Actual (USD)"].sum())
                for u in loaded}
        got = _per_batch(store)
        assert set(got) == set(sent) | {1, 2, 3}  # the three loaded before, and no batch of a refused upload
        _assert_batches({b: got[b] for b in sent}, sent)
        twin_setting = postgres.lake()  # the same uploads on a lake nobody maintains
        with Store(twin_setting) as twin:
            for seed in range(1, 4):
                _upload(twin, seed)
            _load_like(twin, uploads)
            _assert_same(_seen_without_times(twin), _seen_without_times(store))
            _assert_batches(_per_batch(twin), got)
            # with the uploads over, maintenance with no retention deletes what nothing names, and only that
            result = maintenance.maintain_lake(store, dt.timedelta(0))
            assert _files_on_disk(folder) == result["after"]["files"]
            _assert_same(_seen_without_times(twin), _seen_without_times(store))
            # history: undo the replace (its appends come back) and restore it, undo the last append
            replace, last = max(u["batch"] for u in loaded if u["mode"] == "replace"), loaded[-1]["batch"]
            for step in (lambda s: s.undo(replace), lambda s: s.redo(replace), lambda s: s.undo(last)):
                assert step(store) == step(twin)
                _assert_same(_seen_without_times(twin), _seen_without_times(store))
    with Store(setting) as replica, Store(twin_setting) as twin:  # a fresh process sees it too
        _assert_same(_seen_without_times(twin), _seen_without_times(replica))


def _maintain_at_once(stores: tuple[Store, ...]) -> list[Exception]:
    """One maintenance run per store, all started together; what any of them raised."""
    start, failures = threading.Barrier(len(stores)), []

    def run(store: Store) -> None:
        start.wait()
        try:
            maintenance.maintain_lake(store, dt.timedelta(hours=1))
        except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
            failures.append(exc)

    jobs = [threading.Thread(target=run, args=(s,)) for s in stores]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    return failures


def test_two_maintenance_runs_at_once_collide_and_the_later_runs_again(busy_lake) -> None:
    """Two overlapping nightly jobs: their merges collide, and the loser's step runs again (as any
    write of the store) instead of failing; what a user sees does not change."""
    setting, _, _ = busy_lake
    with Store(setting) as first, Store(setting) as second:
        for seed in range(20, 25):  # until a collision happened: new files each round for both to merge
            before = _seen(first)
            assert _maintain_at_once((first, second)) == []
            if first.retries + second.retries:
                break
            _upload(first, seed)
        assert first.retries + second.retries > 0
        _assert_same(before, _seen(second))


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
