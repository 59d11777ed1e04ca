import os
import subprocess
import sys
import threading
import time

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
