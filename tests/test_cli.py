import csv
import io
import json
import subprocess
import sys

import pytest

from tests.conftest import xlsx


def cli(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "alignment", *args], capture_output=True, text=True, cwd=cwd)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.duckdb")


def test_ingest_contract(tmp_path, db):
    good = tmp_path / "gl.xlsx"
    good.write_bytes(xlsx([["Period", "Unit", "Spend"], ["2025-01", "Retail", "1,000"]]))
    code, out, _ = cli("ingest", str(good), "--dataset", "spend", "--db", db, "--map", "Unit=business_unit")
    result = json.loads(out)
    assert code == 0 and result["status"] == "loaded" and result["batch_id"] == 1 and result["rows_loaded"] == 1
    assert set(result) >= {"status", "dataset", "batch_id", "rows_loaded", "rows_skipped", "errors", "warnings",
                           "mapping"}
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([["Period", "Unit", "Spend"], ["2025-01", "Retail", "lots"]]))
    code, out, _ = cli("ingest", str(bad), "--dataset", "spend", "--db", db, "--map", "Unit=business_unit")
    result = json.loads(out)
    assert code == 1 and result["status"] == "rejected"
    assert result["errors"][0] == {"sheet": "Sheet1", "row": 2, "column": "Spend", "value": "lots",
                                   "message": "Sheet 'Sheet1', row 2, column C ('Spend'): 'lots' is not an amount."}
    code, out, _ = cli("sql", "SELECT count(*) AS n FROM spend", "--db", db)
    assert code == 0 and json.loads(out) == [{"n": 1}]


def test_usage_errors_exit_2(tmp_path, db):
    assert cli("ingest", "nofile.xlsx", "--dataset", "spend", "--db", db)[0] == 2
    assert cli("ingest", "x.xlsx", "--dataset", "nonsense")[0] == 2
    f = tmp_path / "a.csv"
    f.write_text("a,b\n1,2\n")
    assert cli("ingest", str(f), "--dataset", "spend", "--db", db, "--map", "nonsense")[0] == 2


def test_demo_query_sql_and_queries(db):
    code, out, _ = cli("demo", "--db", db, "--seed", "3")
    assert code == 0 and json.loads(out)["rows"]["projects"] == 34
    code, out, _ = cli("query", "bottleneck_stages", "--db", db, "--param", "as_of=2026-11-20")
    stages = json.loads(out)
    assert code == 0 and sum(s["is_bottleneck"] for s in stages) == 1
    code, out, _ = cli("query", "budget_vs_actual", "--db", db, "--param", "group_by=business_unit",
                       "--format", "csv")
    assert code == 0 and next(csv.reader(io.StringIO(out)))[:2] == ["category", "budget"]
    code, out, _ = cli("queries")
    assert code == 0 and "executive_summary" in out and "_spend_scope" not in out


def test_a_business_unit_with_no_data_is_refused_not_answered_with_blanks(tmp_path, db):
    """A typo in a scheduled job (business_unit=Narnia) wrote a near-empty board pack and all-blank
    figures, exit 0; the app's address bar refuses such a unit, and so does the command line."""
    assert cli("demo", "--db", db)[0] == 0
    expected = ("There is no business unit 'Narnia' with data in this database. The business units are: Digital, "
                "Finance & HR, Logistics, Retail, Shared and Wholesale.")
    pack = tmp_path / "pack.pdf"
    for args in (("query", "executive_summary"), ("report", "--format", "pdf", "-o", str(pack))):
        code, out, err = cli(*args, "--db", db, "--param", "business_unit=Narnia")
        assert (code, out) == (2, "") and err.strip() == f"python -m alignment: {expected}", args
    assert not pack.exists()
    code, out, _ = cli("query", "executive_summary", "--db", db, "--param", "business_unit=Retail")
    assert code == 0 and json.loads(out)[0]["it_spend"] > 0


def test_sql_is_read_only(db):
    cli("demo", "--db", db)
    code, _, err = cli("sql", "DELETE FROM spend_rows", "--db", db)
    assert code == 1 and "Only reading is allowed" in err
    code, _, err = cli("sql", "SELECT * FROM read_csv('/etc/passwd')", "--db", db)
    assert code == 1 and "Traceback" not in err
    code, _, err = cli("sql", "SELECT 1; SELECT 2", "--db", db)
    assert code == 1 and "one statement" in err


def test_missing_database_is_a_sentence(tmp_path):
    code, _, err = cli("sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and "There is no database" in err and "Traceback" not in err


def test_queries_lists_the_parameters_a_query_inherits_from_its_includes():
    code, out, _ = cli("queries")
    line = next(x for x in out.splitlines() if x.startswith("spend_by_business_goal"))
    assert code == 0 and "period_from, period_to, business_unit" in line


def test_ingest_refuses_a_file_over_the_upload_limit_before_reading_it(tmp_path, db):
    from alignment.reading import MAX_UPLOAD_MB

    big = tmp_path / "huge.csv"
    with big.open("wb") as f:  # sparse: the size is there, the disk is not used
        f.truncate((MAX_UPLOAD_MB + 1) * 2**20)
    code, out, err = cli("ingest", str(big), "--dataset", "spend", "--db", db)
    assert code == 2 and f"over this app's upload limit of {MAX_UPLOAD_MB} MB" in err
    assert "Traceback" not in err


def test_a_password_in_the_lake_setting_never_reaches_the_terminal(lake):
    """The PostgreSQL fixture trusts local connections, so a password written into ALIGNMENT_DB is
    accepted and unused: what the commands print must name the store with the password hidden."""
    location = lake().replace("ducklake:postgres:", "ducklake:postgres:password=hunter2 ", 1)
    for args in (["demo", "--db", location], ["demo", "--db", location, "--if-empty"]):
        code, out, err = cli(*args)
        assert code == 0 and "***" in out, err
        assert "hunter2" not in out + err
