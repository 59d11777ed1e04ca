"""The command line loads while another process holds the embedded database (alignment.handoff):
a real holder process (a plain Python process with the app's shared store and watcher, and once a
real `streamlit run` server), a real CLI subprocess, a real DuckDB file. No mocks."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from alignment import handoff, loadtest
from alignment.ingest import ingest
from alignment.store import Store
from tests.fixtures import load

ROOT = Path(__file__).resolve().parent.parent

HOLDER = textwrap.dedent("""
    import sys, time
    from alignment import handoff
    from alignment.store import shared_store
    store = shared_store(sys.argv[1])
    if sys.argv[2] == "watch":
        handoff.watch(store)
    print("ready", flush=True)
    time.sleep(600)
""")

GL = "Month,Business Unit,Budget,Actual\n2025-01-01,Sales,100,110\n2025-02-01,Ops,200,180\n"


def cli(*args: str, env: dict | None = None) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "alignment", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


class Holder:
    """A process that opens the database read-write and keeps it, as the app does."""

    def __init__(self, db: Path, watch: bool = True) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), "watch" if watch else "no"],
                                        cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "ready"

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "app.duckdb"
    with Store(path) as store:
        load(store)
    return path


@pytest.fixture
def holder(db: Path):
    held = Holder(db)
    yield held
    held.stop()


def gl(tmp_path: Path, text: str = GL, name: str = "gl.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def rows_of(db: Path, batch_id: int) -> list[tuple]:
    with Store(db, read_only=True) as store:
        return store.cursor().execute("SELECT source_row, period, business_unit, budget, actual FROM spend_rows "
                                      "WHERE batch_id = ? ORDER BY source_row", [batch_id]).fetchall()


def statuses(db: Path) -> dict[int, str]:
    with Store(db, read_only=True) as store:
        return dict(store.cursor().execute("SELECT id, status FROM uploads").fetchall())


def requests_left(db: Path) -> list[str]:
    return [p.name for p in handoff.inbox(db).glob("*") if not p.name.startswith(".")]


def test_held_elsewhere_sees_another_process_and_not_a_free_file(db: Path) -> None:
    assert not handoff.held_elsewhere(db)
    held = Holder(db, watch=False)
    try:
        assert handoff.held_elsewhere(db)
    finally:
        held.stop()
    assert not handoff.held_elsewhere(db)


def test_cli_ingest_while_the_app_holds_the_file_loads_as_a_direct_ingest(tmp_path: Path, db: Path, holder) -> None:
    # The same file loaded directly into a copy of the database: the hand-off must print the same result.
    twin = tmp_path / "twin.duckdb"
    with Store(twin) as store:
        load(store)
    file = gl(tmp_path)
    code, direct, _ = cli("ingest", str(file), "--dataset", "spend", "--db", str(twin))
    assert code == 0
    code, out, err = cli("ingest", str(file), "--dataset", "spend", "--db", str(db))
    assert code == 0, err
    assert json.loads(out) == json.loads(direct)
    batch = json.loads(out)["batch_id"]
    # Appending it again is refused by the app, in direct ingest's words; a bad file is refused by the
    # command itself, naming sheet, row and column, and nothing is queued.
    code, again, _ = cli("ingest", str(file), "--dataset", "spend", "--db", str(db))
    code_twin, again_twin, _ = cli("ingest", str(file), "--dataset", "spend", "--db", str(twin))
    assert (code, json.loads(again)) == (code_twin, json.loads(again_twin))
    assert json.loads(again)["errors"][0]["message"].startswith(f"This file was already loaded as upload {batch}")
    code, bad, _ = cli("ingest", str(gl(tmp_path, "Month,Business Unit,Budget,Actual\n2025-01-01,Sales,1,abc\n",
                                          "bad.csv")), "--dataset", "spend", "--db", str(db))
    assert code == 1 and json.loads(bad)["errors"][0]["message"] == (
        "Sheet 'bad', row 2, column D ('Actual'): 'abc' is not an amount.")
    holder.stop()
    assert rows_of(db, batch) == rows_of(twin, batch) == [
        (2, dt.date(2025, 1, 1), "Sales", 100.0, 110.0), (3, dt.date(2025, 2, 1), "Ops", 200.0, 180.0)]
    assert requests_left(db) == []
    with Store(db, read_only=True) as store:  # the mapping is remembered, as after a direct load
        assert store.cursor().execute("SELECT count(*) FROM saved_mappings WHERE dataset = 'spend'").fetchone()[0] == 1


def test_replace_undo_restore_and_settings_through_the_app(tmp_path: Path, db: Path, holder) -> None:
    code, out, err = cli("ingest", str(gl(tmp_path)), "--dataset", "spend", "--mode", "replace", "--db", str(db))
    assert code == 0, err
    batch = json.loads(out)["batch_id"]
    code, out, err = cli("undo", str(batch), "--db", str(db))
    assert (code, json.loads(out)) == (0, {"undone": batch, "restored": [1]}), err  # fixture spend is upload 1
    code, out, _ = cli("undo", str(batch), "--db", str(db))
    assert code == 1 and "is undone, not active" in _ + out
    code, out, err = cli("restore", str(batch), "--db", str(db))
    assert (code, json.loads(out)) == (0, {"restored": batch, "superseded": [1]}), err
    code, out, err = cli("settings", "--set", "currency=EUR", "--set", "min_respondents=3", "--db", str(db))
    assert code == 0, err
    shown = {s["name"]: s["value"] for s in json.loads(out)}
    assert shown["currency"] == "EUR" and shown["min_respondents"] == 3  # typed, as a direct command prints
    code, out, _ = cli("settings", "--set", "health_red_pct=1", "--db", str(db))
    assert code == 1 and "Red must start at or above amber" in _
    code, out, _ = cli("settings", "--db", str(db))  # reading while the app runs: its snapshot
    assert {s["name"]: s["value"] for s in json.loads(out)}["currency"] == "EUR"
    holder.stop()
    assert statuses(db)[batch] == "active" and statuses(db)[1] == "superseded"
    with Store(db, read_only=True) as store:
        assert store.settings()["currency"] == "EUR"


def test_a_holder_without_a_watcher_gets_a_sentence(tmp_path: Path, db: Path) -> None:
    held = Holder(db, watch=False)
    try:
        code, out, _ = cli("ingest", str(gl(tmp_path)), "--dataset", "spend", "--db", str(db),
                           env={"ALIGNMENT_HANDOFF_WAIT": "1"})
    finally:
        held.stop()
    assert code == 1
    assert json.loads(out)["message"].startswith(f"The database {db} is open in another program that does not take")


def test_a_queued_upload_runs_before_the_next_commands_own(tmp_path: Path, db: Path) -> None:
    # The app stops before it confirms: the command says the upload stays queued; the next command
    # that opens the database loads it first, then its own, so the order of loads is kept.
    held = Holder(db, watch=False)
    try:
        with Store(":memory:") as scratch:
            state = handoff.snapshot(scratch)
        with pytest.raises(handoff.StillQueued, match="stays queued"):
            ingest(handoff.Handoff(db, state, wait=0.5), gl(tmp_path).read_bytes(), "gl.csv", "spend",
                   mode="replace")
    finally:
        held.stop()
    second = gl(tmp_path, GL.replace("110", "111"), "gl2.csv")
    code, out, err = cli("ingest", str(second), "--dataset", "spend", "--db", str(db))
    assert code == 0, err
    own = json.loads(out)["batch_id"]
    assert statuses(db) == {1: "superseded", 2: "active", 3: "active", 4: "active", 5: "active",
                            own - 1: "active", own: "active"}
    assert rows_of(db, own - 1)[0][-1] == 110.0 and rows_of(db, own)[0][-1] == 111.0
    assert all(name.endswith(".result.json") for name in requests_left(db))  # only the unread answer


def _claimed(db: Path, tmp_path: Path) -> tuple[str, dict]:
    """An upload request as the command leaves it, claimed by a holder (which then dies)."""
    with Store(":memory:") as scratch:
        version = handoff.snapshot(scratch)["version"]
    frame = pd.DataFrame({"period": [dt.date(2025, 5, 1)], "business_unit": ["Sales"], "actual": [7.0]})
    request = {"op": "ingest", "dataset": "spend", "mode": "append", "file_name": "late.csv", "sha256": "abc",
               "sheet": "late", "mapping": {}, "user": "cli", "rows": 1, "refuse_duplicate": True,
               "amount_scale": 1.0, "checked_with": version}
    request_id = handoff.submit(db, request, frame, [2])
    folder = handoff.inbox(db)
    (folder / f"{request_id}.claimed").write_text(json.dumps(
        {"request": request, "claimed_at": dt.datetime.now().isoformat()}))
    (folder / f"{request_id}.json").unlink()
    return request_id, request


def test_a_request_committed_before_a_crash_is_not_loaded_twice(tmp_path: Path, db: Path) -> None:
    request_id, request = _claimed(db, tmp_path)
    with Store(db) as store:
        committed = store.add_batch("spend", pd.DataFrame({"actual": [7.0]}), file_name="late.csv",
                                    sha256="abc", sheet="late", user="cli")  # then the holder died
        assert handoff.drain(store) == 1
        assert store.cursor().execute("SELECT count(*) FROM uploads WHERE sha256 = 'abc'").fetchone()[0] == 1
    result = json.loads((handoff.inbox(db) / f"{request_id}.result.json").read_text())
    assert result == {"ok": True, "value": committed}


def test_a_request_claimed_but_not_committed_loads_once(tmp_path: Path, db: Path) -> None:
    request_id, _ = _claimed(db, tmp_path)
    with Store(db) as store:
        assert handoff.drain(store) == 1
        assert handoff.drain(store) == 0
        rows = store.cursor().execute("SELECT source_row, actual FROM spend_rows WHERE batch_id = "
                                      "(SELECT id FROM uploads WHERE sha256 = 'abc')").fetchall()
    assert rows == [(2, 7.0)]
    assert json.loads((handoff.inbox(db) / f"{request_id}.result.json").read_text())["ok"] is True


def test_settings_changed_after_the_check_refuse_the_load(tmp_path: Path, db: Path, holder) -> None:
    with Store(":memory:") as scratch:
        state = handoff.snapshot(scratch)
    state["version"] = "stale"
    with pytest.raises(handoff.StoreError, match="settings changed while the file was being checked"):
        ingest(handoff.Handoff(db, state, wait=30), gl(tmp_path).read_bytes(), "gl.csv", "spend")
    holder.stop()
    assert len(statuses(db)) == 5


def test_cli_loads_into_a_running_streamlit_app(tmp_path: Path, db: Path) -> None:
    with loadtest.serve(db) as server:
        opened = asyncio.run(loadtest.view_page(server, loadtest.View(), 120))
        assert opened.result == "finished"  # the app now holds the file
        assert handoff.held_elsewhere(db)
        start = time.monotonic()
        code, out, err = cli("ingest", str(gl(tmp_path)), "--dataset", "spend", "--db", str(db))
        assert code == 0, err
        assert json.loads(out)["status"] == "loaded" and time.monotonic() - start < 60
        again = asyncio.run(loadtest.view_page(server, loadtest.View(), 120))
        assert again.result == "finished"
    assert statuses(db)[json.loads(out)["batch_id"]] == "active"
