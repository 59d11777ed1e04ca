"""The SQL explorer and `python -m alignment sql` cannot change anything, read past the public
views, or take the server's memory or time, whatever they are sent."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from alignment import cli, explorer
from alignment.demo import load_demo
from alignment.queries import QueryError
from alignment.store import Store, close_shared_stores
from tests.test_app_pages import APP

WRITES = ["DELETE FROM spend_rows", "UPDATE uploads SET status = 'undone'", "INSERT INTO uploads (id) VALUES (999)",
          "DROP TABLE spend_rows", "CREATE TABLE x AS SELECT 1", "ALTER TABLE uploads ADD COLUMN x INT",
          "TRUNCATE spend_rows", "CREATE OR REPLACE VIEW spend AS SELECT 1"]
HOSTILE = [
    *WRITES,
    *[f"EXPLAIN ANALYZE {w}" for w in WRITES],
    "WITH x AS (UPDATE uploads SET status = 'undone' RETURNING id) SELECT * FROM x",
    "WITH x AS (DELETE FROM spend_rows RETURNING *) SELECT count(*) FROM x",
    "WITH x AS (INSERT INTO uploads (id) VALUES (998) RETURNING id) SELECT * FROM x",
    "SELECT nextval('upload_ids')", "SELECT setval('upload_ids', 1000)", "SELECT currval('upload_ids')",
    "ATTACH ':memory:' AS m", "ATTACH 'data/alignment.duckdb' AS other", "DETACH DATABASE memory",
    "COPY spend_rows TO 'leak.csv'", "COPY (SELECT 1) TO '/tmp/leak.parquet'", "EXPORT DATABASE '/tmp/leak'",
    "IMPORT DATABASE '/tmp/leak'", "INSTALL httpfs", "LOAD httpfs", "PRAGMA enable_profiling",
    "SET memory_limit = '100GB'", "RESET memory_limit", "SET enable_external_access = true",
    "CALL enable_logging()", "CHECKPOINT", "VACUUM", "USE memory", "SET VARIABLE v = 1",
    "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM '/etc/passwd'", "SELECT * FROM read_text('/etc/hosts')",
    "SELECT * FROM read_parquet('data/*.parquet')", "SELECT * FROM read_json('/etc/os-release')",
    "SELECT * FROM glob('/*')", "SELECT * FROM sniff_csv('/etc/passwd')", "SELECT * FROM 'data/alignment.duckdb'",
    "SELECT * FROM query('DELETE FROM spend_rows')", "SELECT * FROM spend_rows", "SELECT * FROM live_sessions",
    "SELECT * FROM saved_mappings", "SELECT * FROM duckdb_secrets()",
    "SELECT 1; DELETE FROM spend_rows", "SELECT 1; UPDATE uploads SET status = 'undone'",
    "DELETE FROM spend_rows; SELECT 1", "SELECT 1 -- comment\n; DELETE FROM spend_rows",
    "/* SELECT */ DELETE FROM spend_rows", "SELECT 1 /*; DELETE FROM spend_rows */; DELETE FROM spend_rows",
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r",
    "SELECT repeat('x', 100000000) FROM range(10000)",
    *[  # the catalog and settings: the server's paths and set-up, no data (helper-39's review)
        "SELECT * FROM duckdb_settings()", "FROM duckdb_settings()", "SELECT current_setting('secret_directory')",
        "SELECT sql FROM duckdb_views()", "SELECT * FROM information_schema.views", "SELECT * FROM pg_catalog.pg_class",
        "SELECT * FROM duckdb_views", "SELECT * FROM (WITH duckdb_views AS (SELECT 1) SELECT 1), duckdb_views",
        "SELECT (SELECT max(sql) FROM duckdb_views)", "SHOW ALL TABLES", "SELECT * FROM pragma_database_list()",
        "SELECT * FROM memory.main.spend", "SELECT * FROM 'https://example.com/x.csv'", "FORCE INSTALL httpfs",
        "EXPLAIN SELECT * FROM duckdb_settings()",
        # a WITH table named like the catalog it reads (helper-43's review): the name was taken for the query's own
        "WITH duckdb_views AS (SELECT * FROM duckdb_views) SELECT sql FROM duckdb_views",
        "WITH pg_settings AS (FROM pg_settings) SELECT name, setting FROM pg_settings",
        "WITH a AS (SELECT * FROM sqlite_master), sqlite_master AS (SELECT 1) SELECT * FROM a",
        "WITH RECURSIVE duckdb_tables AS (SELECT * FROM duckdb_tables) SELECT * FROM duckdb_tables",
        "SELECT * FROM (WITH pragma_database_list AS (FROM pragma_database_list) SELECT * FROM pragma_database_list)",
        "WITH duckdb_views AS (SELECT sql FROM duckdb_views) SELECT CAST(sql AS INT) FROM duckdb_views",
        "SELECT (WITH sqlite_schema AS (FROM sqlite_schema) SELECT count(*) FROM sqlite_schema)",
        "EXPLAIN (FROM sqlite_master)", "EXPLAIN /*x*/ ANALYZE SELECT * FROM duckdb_settings()"],
]
# What an analyst writes to read the offered tables, which the check of what a query reads must let through.
READS = ["WITH t AS (SELECT business_unit, sum(actual) AS a FROM spend GROUP BY 1) SELECT * FROM t",
         "WITH my_views AS (SELECT 1 AS a) SELECT * FROM (SELECT * FROM my_views)", "EXPLAIN ANALYZE(SELECT 1)",
         "EXPLAIN (FORMAT json) SELECT count(*) FROM spend",
         "PIVOT spend ON rgt IN ('Run', 'Grow') USING sum(actual) GROUP BY business_unit",
         "SELECT * FROM Spend s JOIN \"survey\" v ON true LIMIT 1", "SELECT count(*) FROM main.spend",
         "FROM spend SELECT count(*)", "DESCRIBE spend", "SUMMARIZE projects", "SHOW TABLES",
         "SELECT * FROM range(3)", "SELECT unnest([1, 2])", "EXPLAIN SELECT count(*) FROM spend",
         "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3) SELECT * FROM r",
         "SELECT * FROM spend UNION ALL BY NAME SELECT * FROM spend LIMIT 1"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sql") / "demo.duckdb"
    with Store(path) as s:
        load_demo(s)
    return path


def fingerprint(store: Store) -> dict[str, object]:
    """Every stored row of every table, every view's text and every sequence's state."""
    cur = store.cursor()
    tables = [r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal "
                                        "ORDER BY 1").fetchall()]
    found: dict[str, object] = {t: cur.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    found["views"] = cur.execute("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()
    found["sequences"] = cur.execute("SELECT * FROM duckdb_sequences() ORDER BY ALL").fetchall()
    found["databases"] = cur.execute("SELECT database_name FROM duckdb_databases() ORDER BY 1").fetchall()
    assert found["spend_rows"] and found["uploads"], "the fixture must hold data for the check to mean anything"
    return found


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_the_cli_changes_nothing_and_reads_nothing_it_should_not(demo_file, capsys):
    with Store(demo_file) as s:
        before = fingerprint(s)
    for sql in HOSTILE:
        code = cli.main(["sql", sql, "--db", str(demo_file)])
        out, err = capsys.readouterr()
        assert code == 1, f"{sql!r} was not refused: {out[:200]}"
        assert err.startswith("Error: ") and "Traceback" not in err, err
        assert "root:" not in out + err and "localhost" not in out + err  # no file contents leaked
    assert not Path("leak.csv").exists()
    with Store(demo_file) as s:
        assert fingerprint(s) == before


def test_the_explorer_page_changes_nothing(demo_file, monkeypatch):
    monkeypatch.setenv("ALIGNMENT_DB", str(demo_file))
    close_shared_stores()
    try:
        import app_pages.common as common

        before = fingerprint(common.get_store())
        at = AppTest.from_file(APP, default_timeout=120).run()
        at.switch_page("app_pages/sql.py").run()
        for sql in HOSTILE:
            at.text_area(key="sql_text").set_value(sql)
            at.button[0].click().run()
            assert not at.exception, (sql, at.exception)
            assert at.error, f"{sql!r} was not refused on the page"
            assert not at.dataframe, f"{sql!r} showed a result"
        assert fingerprint(common.get_store()) == before
    finally:
        close_shared_stores()


def test_a_huge_result_is_refused_without_the_server_growing(demo_file):
    with Store(demo_file, read_only=True) as s:
        explorer.run(s, "SELECT 1")  # the snapshot and the imports are made before measuring
        before = rss_mb()
        for sql in ("SELECT repeat('x', 100000000) FROM range(10000)",
                    "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r "
                    "WHERE length(s) < 4000000000) SELECT length(s) FROM r"):
            with pytest.raises(QueryError, match="more memory than the explorer allows"):
                explorer.run(s, sql)
        assert rss_mb() - before < 100


def test_a_slow_query_is_stopped_within_its_time(demo_file):
    with Store(demo_file, read_only=True) as s, pytest.raises(QueryError, match="longer than 1 seconds"):
        explorer.run(s, "SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b", timeout=1)


def test_every_row_up_to_the_cap_is_shown_and_the_cut_is_said(demo_file):
    with Store(demo_file, read_only=True) as s:
        whole = explorer.run(s, "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 100) "
                                "SELECT i FROM r")
        assert len(whole.table) == 100 and whole.cut_by is None
        many = explorer.run(s, "SELECT range AS i FROM range(1000000) WHERE CAST(range AS VARCHAR) LIKE '%7%'",
                            limit=50_000)
        assert len(many.table) == 50_000 and many.cut_by == "rows"
        assert many.df()["i"].is_monotonic_increasing
        wide = explorer.run(s, "SELECT repeat('y', 10000) AS v FROM range(5000)", max_bytes=2**20)
        assert 100 <= len(wide.table) < 5000 and wide.cut_by == "bytes"


def test_the_explorer_offers_the_views_and_the_upload_history_only(demo_file):
    with Store(demo_file, read_only=True) as s:
        names = explorer.run(s, "SHOW TABLES").df()  # the catalog functions are refused (below)
        assert set(names.iloc[:, 0]) == {"spend", "projects", "stage_history", "survey", "business_metrics",
                                         "mapping_rules", "uploads",  # and spend's sums, which the analyses read
                                         "spend_summary", "spend_detail"}
        uploads = explorer.run(s, "SELECT * FROM uploads").df()
        assert "sha256" not in uploads.columns and len(uploads) > 0


def test_clearing_streamlits_caches_never_breaks_the_store(demo_file, monkeypatch):
    """Any visitor can send the websocket message that clears st.cache_resource; the store used
    to be cached there, and re-opening it on the open file failed until a restart."""
    monkeypatch.setenv("ALIGNMENT_DB", str(demo_file))
    close_shared_stores()
    try:
        import app_pages.common as common

        first = common.get_store()
        st.cache_resource.clear()
        st.cache_data.clear()
        assert common.get_store() is first
        again = Store(demo_file)  # a second open of the same file in this process works too
        assert again.cursor().execute("SELECT count(*) FROM spend").fetchone()[0] > 0
        at = AppTest.from_file(APP, default_timeout=60).run()
        st.cache_resource.clear()
        st.cache_data.clear()
        at.run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert len(at.get("vega_lite_chart")) >= 3
    finally:
        close_shared_stores()


def test_the_explorer_child_keeps_no_environment_secret(demo_file, monkeypatch):
    monkeypatch.setenv("ALIGNMENT_TEST_SECRET", "s3cret-value")
    with Store(demo_file, read_only=True) as s:
        for sql in ("SELECT getenv('ALIGNMENT_TEST_SECRET')", "SELECT * FROM duckdb_settings()"):
            try:
                shown = explorer.run(s, sql).df().to_string()
            except QueryError as exc:
                shown = str(exc)
            assert "s3cret-value" not in shown


def test_the_catalog_and_settings_are_refused_in_a_sentence_without_a_server_path(demo_file):
    """duckdb_settings() showed /root/.duckdb/stored_secrets and the snapshot's folder, and
    duckdb_views() every view's parquet path: the explorer reads its tables, not the server's set-up."""
    with Store(demo_file, read_only=True) as s:
        with pytest.raises(QueryError, match=r"^There is no table called duckdb_views\. The tables are: spend, "):
            explorer.run(s, "SELECT sql FROM duckdb_views")  # DuckDB's catalog view, as any unknown name
        for sql in ("SELECT name, value FROM duckdb_settings()", "SELECT current_setting('home_directory')",
                    "SELECT sql FROM duckdb_views()", "SELECT * FROM information_schema.views"):
            with pytest.raises(QueryError) as refused:
                explorer.run(s, sql)
            said = str(refused.value)
            assert said.startswith("The explorer reads only its tables (business_metrics, mapping_rules, projects, "
                                   "spend, ") and "defines with WITH; it cannot read " in said, said
            assert "/" not in said, said
        with pytest.raises(QueryError, match=r"this is an INSTALL statement\."):
            explorer.run(s, "INSTALL httpfs")  # DuckDB files it as a LOAD


@pytest.mark.parametrize("sql", READS)
def test_what_an_analyst_writes_over_the_offered_tables_still_runs(demo_file, sql):
    with Store(demo_file, read_only=True) as s:
        assert explorer.run(s, sql).table.num_rows > 0, sql
