"""A database another DuckDB version wrote comes across whole through its export."""

import json
import subprocess
import sys

import duckdb
import pytest

from alignment.demo import load_demo
from alignment.store import Store, StoreError
from alignment.upgrade import import_export


def _export(path, folder):
    con = duckdb.connect(str(path), read_only=True)
    con.execute(f"EXPORT DATABASE '{folder}' (FORMAT parquet)")
    con.close()


def test_every_stored_row_and_figure_comes_across(tmp_path):
    old = tmp_path / "old.duckdb"
    with Store(old) as store:
        load_demo(store)
        uploads = store.uploads()
        first = int(uploads.loc[uploads["dataset"] == "projects", "id"].min())
        store.undo(first)  # an undone upload is history too: it must come across as undone
        before = store.uploads().sort_values("id").reset_index(drop=True)
        spend = store.cursor().execute("SELECT count(*), round(sum(actual), 2) FROM spend").fetchone()
        assert spend[0] > 0
        rows = store.cursor().execute("SELECT count(*) FROM spend_rows").fetchone()[0]
    _export(old, tmp_path / "dump")
    with Store(tmp_path / "new.duckdb") as store:
        counts = import_export(store, tmp_path / "dump")
        after = store.uploads().sort_values("id").reset_index(drop=True)
        assert counts["spend_rows"] == rows
        assert store.cursor().execute("SELECT count(*), round(sum(actual), 2) FROM spend").fetchone() == spend
        assert list(after["status"]) == list(before["status"]) and list(after["id"]) == list(before["id"])
        assert store.cursor().execute("SELECT count(*) FROM spend_summary_rows").fetchone()[0] > 0
        store.redo(first)  # the history still works: the undone upload is restored
        assert (store.uploads().set_index("id").loc[first, "status"]) == "active"


def test_refuses_a_database_that_already_holds_data_and_a_folder_that_is_no_export(tmp_path):
    with Store(tmp_path / "a.duckdb") as store:
        load_demo(store)
        with pytest.raises(StoreError, match="no schema.sql"):
            import_export(store, tmp_path)
    _export(tmp_path / "a.duckdb", tmp_path / "dump")
    with Store(tmp_path / "a.duckdb") as store, pytest.raises(StoreError, match="already holds uploads"):
        import_export(store, tmp_path / "dump")


def test_command_line(tmp_path):
    with Store(tmp_path / "old.duckdb") as store:
        load_demo(store)
    _export(tmp_path / "old.duckdb", tmp_path / "dump")
    proc = subprocess.run([sys.executable, "-m", "alignment", "import", str(tmp_path / "dump"), "--db",
                           str(tmp_path / "new.duckdb")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows"]["uploads"] >= 6
