import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from alignment.store import Store, StoreError
from tests.conftest import run_while_reading


def frame(n: int, unit: str = "A") -> pd.DataFrame:
    return pd.DataFrame({"period": [pd.Timestamp("2025-01-01").date()] * n, "business_unit": [unit] * n,
                         "actual": [1.0] * n})


def total(store):
    return store.cursor().execute("SELECT coalesce(sum(actual), 0) FROM spend").fetchone()[0]


def test_replace_supersedes_and_undo_restores(store):
    first = store.add_batch("spend", frame(3))
    second = store.add_batch("spend", frame(2), mode="append")
    assert total(store) == 5
    third = store.add_batch("spend", frame(10), mode="replace")
    assert total(store) == 10
    statuses = dict(store.cursor().execute("SELECT id, status FROM uploads").fetchall())
    assert statuses == {first: "superseded", second: "superseded", third: "active"}
    assert store.undo(third) == [first, second]
    assert total(store) == 5
    store.redo(third)
    assert total(store) == 10
    assert store.cursor().execute("SELECT count(*) FROM spend_rows").fetchone()[0] == 15  # nothing deleted


def test_undo_refuses_what_is_not_active(store):
    batch = store.add_batch("spend", frame(1))
    store.undo(batch)
    with pytest.raises(StoreError, match="not active"):
        store.undo(batch)
    with pytest.raises(StoreError, match="no upload number 99"):
        store.undo(99)


def test_a_failing_upload_leaves_nothing(store):
    bad = frame(2)
    bad["actual"] = ["1", "not a number"]
    with pytest.raises(duckdb.ConversionException):
        store.add_batch("spend", bad)
    assert store.cursor().execute("SELECT count(*) FROM uploads").fetchone()[0] == 0
    assert store.cursor().execute("SELECT count(*) FROM spend_rows").fetchone()[0] == 0


def test_sql_cannot_touch_files(store):
    with pytest.raises(duckdb.PermissionException, match="disabled"):
        store.cursor().execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()


def test_many_threads_read_while_others_write(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                store.cursor().execute("SELECT count(*), sum(actual) FROM spend").fetchall()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    def writer(unit):
        try:
            for _ in range(20):
                store.add_batch("spend", frame(50, unit))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(6)]
    writers = [threading.Thread(target=writer, args=(u,)) for u in "ABCD"]
    run_while_reading(readers, writers, stop)
    assert errors == []
    assert store.cursor().execute("SELECT count(*) FROM spend").fetchone()[0] == 4 * 20 * 50
    store.close()


KILL_SCRIPT = """
import sys, pandas as pd
from alignment.store import Store
s = Store(sys.argv[1])
rows = 3_000_000
f = pd.DataFrame({"period": [pd.Timestamp("2025-01-01").date()] * rows, "business_unit": ["K"] * rows,
                  "actual": [1.0] * rows})
print("start", flush=True)
s.add_batch("spend", f)
print("done", flush=True)
"""


def test_a_process_killed_mid_upload_leaves_the_database_as_it_was(tmp_path):
    path = tmp_path / "k.duckdb"
    s = Store(path)
    s.add_batch("spend", frame(7))
    s.close()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(path)], stdout=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout.readline().strip() == "start"
    time.sleep(0.3)
    proc.kill()
    proc.wait()
    s = Store(path)
    assert s.cursor().execute("SELECT count(*) FROM uploads").fetchone()[0] == 1
    assert total(s) == 7
    s.close()


def test_a_datasets_version_moves_only_when_that_dataset_changes(store):
    """Cached analyses are keyed on the versions of the datasets they read: a live answer must not
    throw away every cached spend figure in the middle of a workshop."""
    import pandas as pd

    spend_before, survey_before = store.data_version(("spend",)), store.data_version(("survey",))
    store.add_batch("survey", pd.DataFrame({"respondent_id": ["r1"], "question": ["Q"], "score": [3],
                                            "respondent_group": ["IT"]}))
    assert store.data_version(("spend",)) == spend_before
    assert store.data_version(("survey",)) != survey_before
    store.save_settings({"min_respondents": 3})
    assert store.data_version(("spend",)) != spend_before  # settings can change any figure


def test_the_file_s_version_and_settings_are_read_again_after_any_commit_in_this_process(tmp_path):
    """The embedded file's version and settings are remembered until something commits (the app
    is the file's only writing process). Two Stores on one file in one process (a test's, the
    app's) share DuckDB's database, so a commit through either must move what both return."""
    path = tmp_path / "one.duckdb"
    with Store(path) as app, Store(path) as other:
        version, settings = app.data_version(("spend",)), app.settings()
        assert app.data_version(("spend",)) == version and app.settings() == settings
        batch = other.add_batch("spend", frame(2))
        assert app.data_version(("spend",)) != version
        other.save_settings({"currency": "EUR"})
        assert app.settings()["currency"] == "EUR" != settings["currency"]
        version = app.data_version()
        other.undo(batch)
        assert app.data_version() != version
        app.settings()["currency"] = "GBP"  # a caller's copy, not the remembered one
        assert app.settings()["currency"] == "EUR"


def test_a_read_only_command_upgrades_an_older_database_once(tmp_path):
    """A scheduled `python -m alignment query` on a database an older version wrote must work: the
    read-only open upgrades it first, as the app would on start."""
    import duckdb

    from alignment.queries import run_query
    from tests.fixtures import load

    path = tmp_path / "old.duckdb"
    with Store(path) as s:
        load(s)
    con = duckdb.connect(str(path))  # take away what this version added
    con.execute("DROP TABLE settings")
    con.execute("DROP TABLE supersessions")
    con.execute("ALTER TABLE uploads DROP COLUMN amount_scale")
    con.execute("CREATE OR REPLACE VIEW spend AS SELECT * EXCLUDE (batch_id, source_row, account, account_name) "
                "FROM spend_rows")
    con.execute("DROP VIEW IF EXISTS spend_lines")
    con.execute("ALTER TABLE spend_rows DROP COLUMN account")
    con.close()
    with Store(path, read_only=True) as s:
        assert s.settings()["currency"] == "USD"
        summary = run_query(s.cursor(), "executive_summary", settings=s.settings())
        assert summary["it_spend"].iloc[0] == 500


# --- the shared store (DuckLake on PostgreSQL) ------------------------------------------------

def test_alignment_db_names_a_file_or_a_lake_in_one_setting():
    from alignment.config import LakeLocation, LocationError, parse_location

    assert parse_location("data/alignment.duckdb") == Path("data/alignment.duckdb")
    lake = parse_location("ducklake:postgres:dbname=alignment host=db user=app password=s3cret DATA_PATH=/shared/lake")
    assert lake == LakeLocation("dbname=alignment host=db user=app password=s3cret", "/shared/lake/")
    assert "s3cret" not in lake.label and parse_location(str(lake)) == lake
    spaced = parse_location("ducklake:postgres:DATA_PATH='/mnt/my lake/' dbname=a")
    assert (spaced.data_path, spaced.catalog) == ("/mnt/my lake/", "dbname=a")
    assert parse_location(str(spaced)) == spaced
    assert parse_location("ducklake:postgres:dbname=a DATA_PATH=s3://bucket/lake").data_path == "s3://bucket/lake"
    for bad, said in (("ducklake:sqlite:meta.db DATA_PATH=/x", "PostgreSQL"),
                      ("ducklake:postgres:dbname=a host=db", "DATA_PATH"),
                      ("ducklake:postgres: DATA_PATH=/x", "connection string")):
        with pytest.raises(LocationError, match=said):
            parse_location(bad)
    with pytest.raises(StoreError, match="DATA_PATH"):  # the Store says the same, as its own error
        Store("ducklake:postgres:dbname=a")


def test_a_lake_that_cannot_be_reached_is_said_in_words(postgres, tmp_path):
    missing = f"ducklake:postgres:{postgres.conninfo('no_such_db')} DATA_PATH={tmp_path}/"
    with pytest.raises(StoreError, match="PostgreSQL database does not exist") as refused:
        Store(missing)
    assert "FATAL" not in str(refused.value)
    made = postgres.lake()
    Store(made).close()
    moved = made.split(" DATA_PATH=")[0] + f" DATA_PATH={tmp_path}/elsewhere/"
    with pytest.raises(StoreError, match="not the folder this lake was made with"):
        Store(moved)


def test_a_write_that_loses_a_race_to_another_process_runs_again_on_the_new_state(lake):
    """Two check-then-insert transactions on the lake (here: the next upload number): DuckLake alone
    would commit both, giving two uploads one number. The turn row makes the later commit
    conflict, and the store runs it again, where it sees the other upload."""
    from alignment import store as store_module

    location = lake()
    mine, other = Store(location), Store(location)  # two DuckDB instances: as two processes
    seen: list[int] = []

    def body(cur):
        seen.append(cur.execute("SELECT coalesce(max(id), 0) FROM uploads").fetchall()[0][0])
        if len(seen) == 1:  # another process commits its upload while this transaction is open
            other.add_batch("spend", frame(2, "Other"))
        return store_module._new_upload(cur, "spend", file_name="mine", sha256="", sheet="", mapping=None,
                                        row_count=0, user="", at=pd.Timestamp("2026-01-01"), mode="append")

    assert mine._write(body) == 2
    assert seen == [0, 1] and mine.retries == 1
    assert sorted(mine.cursor().execute("SELECT id FROM uploads").fetchall()) == [(1,), (2,)]
    mine.close(), other.close()


def test_a_write_that_keeps_losing_gives_up_with_a_sentence_and_leaves_nothing(lake, monkeypatch):
    from alignment.store import WriteConflict

    monkeypatch.setenv("ALIGNMENT_WRITE_RETRIES", "2")
    location = lake()
    mine, other = Store(location), Store(location)

    def body(cur):
        cur.execute("INSERT INTO settings VALUES ('currency', 'EUR', 'me', now())")
        other.save_settings({"min_respondents": 1 + other.retries + len(other.uploads()) + mine.retries})

    with pytest.raises(WriteConflict, match="was not saved. Nothing was lost; try again"):
        mine._write(body, turn="settings")
    assert mine.retries == 3
    assert other.settings()["currency"] == "USD"  # none of the three attempts left anything
    mine.close(), other.close()


CONCURRENT_WRITER = """
import json, sys, time
from pathlib import Path
import pandas as pd
from alignment import live
from alignment.schema import LUFTMAN_DIMENSIONS
from alignment.store import AlreadyAnswered, DuplicateUpload, Store

location, me, folder, rounds = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
store = Store(location)
(folder / f"ready-{me}").touch()
while len(list(folder.glob("ready-*"))) < 2:  # both processes start writing at the same moment
    time.sleep(0.01)

def lines(unit, i, n=10):  # each round's file has rows of its own (the same rows again are a duplicate)
    return pd.DataFrame({"period": [pd.Timestamp("2025-01-01").date()] * n, "business_unit": [unit] * n,
                         "actual": [1.0 + i] * n})

def answers(who):
    return live.answer_rows(who, "Room", "IT", dict.fromkeys(LUFTMAN_DIMENSIONS, 3))

out = {"own": [], "shared": [], "same": []}
for i in range(rounds):
    try:  # both processes append the same file: exactly one may load it
        out["shared"].append(store.add_batch("spend", lines("Shared", i), sha256=f"shared-{i}", refuse_duplicate=True))
    except DuplicateUpload:
        out["shared"].append(None)
    try:  # both phones of one participant send at once: exactly one answer counts
        store.add_live_answers("TWOPRC", answers(f"same-{i}"))
        out["same"].append(True)
    except AlreadyAnswered:
        out["same"].append(False)
    out["own"].append(store.add_batch("spend", lines(me, i), sha256=f"{me}-{i}", refuse_duplicate=True))
    store.add_live_answers("TWOPRC", answers(f"{me}-{i}"))
out["retries"] = store.retries
print(json.dumps(out))
"""


def test_two_processes_writing_one_lake_at_once_lose_and_double_nothing(lake, tmp_path):
    """Two processes (app replicas, or the app and the command line) append uploads, race to append
    the same file and answer for the same participant, all at once: every upload lands once with its
    own number, each contested file and participant counts exactly once, and the losing commits
    were run again (the retry path), not lost."""
    import json

    rounds = 3
    location = lake()
    with Store(location) as s:
        live_batch = s.open_live_session("TWOPRC", "Room")
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT_WRITER, location, me, str(tmp_path), str(rounds)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for me in "AB"]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    a, b = results
    for i in range(rounds):
        assert [a["shared"][i], b["shared"][i]].count(None) == 1  # one loaded the file, the other was refused
        assert [a["same"][i], b["same"][i]].count(True) == 1
    ids = a["own"] + b["own"] + [x for x in a["shared"] + b["shared"] if x] + [live_batch]
    assert len(ids) == len(set(ids)) == 3 * rounds + 1
    with Store(location, read_only=True) as s:
        cur = s.cursor()
        assert sorted(r[0] for r in cur.execute("SELECT id FROM uploads").fetchall()) == sorted(ids)
        # three uploads of 10 lines a round, at 1.0 + the round's number each
        assert cur.execute("SELECT count(*), sum(actual) FROM spend").fetchone() == (
            3 * rounds * 10, sum(3 * 10 * (1 + i) for i in range(rounds)))
        per_person = dict(cur.execute("SELECT respondent_id, count(*) FROM survey GROUP BY 1").fetchall())
        assert per_person == {f"{who}-{i}": 6 for who in ("A", "B", "same") for i in range(rounds)}
        assert s.uploads().set_index("id").loc[live_batch, "row_count"] == 3 * rounds * 6
    assert a["retries"] + b["retries"] > 0


def test_another_process_s_change_moves_the_data_version(lake):
    """The app caches analyses per data version: on the lake, an upload or an answer made by
    another replica must change what this one sees at its next rerun, and only for what it touches."""
    location = lake()
    app, other = Store(location), Store(location)
    other.open_live_session("DV2345", "Room")
    spend, survey, everything = app.data_version(("spend",)), app.data_version(("survey",)), app.data_version()
    other.add_batch("spend", frame(3))
    assert app.data_version(("spend",)) != spend and app.data_version() != everything
    assert app.data_version(("survey",)) == survey
    spend = app.data_version(("spend",))
    from alignment import live
    from alignment.schema import LUFTMAN_DIMENSIONS
    other.add_live_answers("DV2345", live.answer_rows("p1", "Room", "IT", dict.fromkeys(LUFTMAN_DIMENSIONS, 4)))
    assert app.data_version(("survey",)) != survey
    assert app.data_version(("spend",)) == spend
    app.close(), other.close()


def test_a_lake_opens_read_only_for_commands_that_only_read(lake):
    location = lake()
    with Store(location) as s:
        s.add_batch("spend", frame(4))
    with Store(location, read_only=True) as s:
        assert total(s) == 4
        with pytest.raises(StoreError, match="read-only"):
            s.add_batch("spend", frame(1))


def test_the_sql_explorer_reads_a_lake_through_its_snapshot(lake):
    from alignment import explorer

    with Store(lake()) as s:
        s.add_batch("spend", frame(3, "Lake"))
        result = explorer.run(s, "SELECT business_unit, sum(actual) AS total FROM spend GROUP BY 1").df()
        assert result.to_dict("records") == [{"business_unit": "Lake", "total": 3.0}]
        s.add_batch("spend", frame(2, "Lake"))  # a new data version: a new snapshot
        assert explorer.run(s, "SELECT sum(actual) AS t FROM spend").df()["t"].tolist() == [5.0]


def test_one_store_per_lake_per_process(lake):
    from alignment.config import parse_location
    from alignment.store import close_shared_stores, shared_store

    location = lake()
    try:
        first = shared_store(parse_location(location))
        assert shared_store(location) is first and first.shared
    finally:
        close_shared_stores()


def test_a_lake_store_keeps_the_memory_limit_and_spills_locally(lake, monkeypatch):
    """The lake's process obeys ALIGNMENT_MEMORY_LIMIT like the file's, spills to a local folder of
    its own (never the shared data path), and still reads no other file."""
    from alignment.backends import lake_spill_directory

    monkeypatch.setenv("ALIGNMENT_MEMORY_LIMIT", "300MB")
    with Store(lake()) as s:
        cur = s.cursor()
        limit, spill = cur.execute("SELECT current_setting('memory_limit'), current_setting('temp_directory')"
                                   ).fetchone()
        assert limit in ("286.1 MiB", "300.0 MB") and spill == str(lake_spill_directory())
        with pytest.raises(duckdb.PermissionException):
            cur.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()
        with pytest.raises(duckdb.Error):  # the safety settings are locked
            cur.execute("SET enable_external_access = true")
