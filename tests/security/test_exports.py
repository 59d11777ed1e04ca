"""Attacks on what leaves the app: formulas in exported cells, and a CLI that must fail in words.

Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab, CR, LF), and may
split a cell at a bare carriage return, so every line inside a text cell counts. Each test reads
the export back the way a spreadsheet would (Python's csv module, openpyxl) and looks for a field
or a line that starts like a formula.

CLI failures: a full disk, an unwritable path, a database that is not one, must give one sentence
(one JSON object for ingest) and a non-zero exit, never a traceback. The failures are real ones
where the system allows: /dev/full for the output, a file size limit (RLIMIT_FSIZE, which Python
turns into EFBIG) for the database, a file standing where a folder is needed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import resource
import subprocess
import sys

import duckdb
import openpyxl
import pandas as pd
import pytest

from alignment import live
from alignment.cli import main as cli_main
from alignment.exports import neutralise, template_workbook, to_csv, to_xlsx
from alignment.queries import run_query
from alignment.schema import DATASETS
from tests.conftest import xlsx

ATTACKS = ["=1+1\r=2+2", "=1+1\r\n=2+2", "ok\n=HYPERLINK(\"http://x\")", "note\r@SUM(A1)", "+cmd", "-5",
           "@cmd", "\t=1+1", "\r=1+1", "\n=1+1", "=cmd|' /C calc'!A0", "safe\r-2+3", "Acme;=1+1",
           "Acme\t=1+1"]


def formula_lines(text: str) -> list[str]:
    """Every line of a cell that a spreadsheet would run (the cell itself counts as a line)."""
    if text.startswith(("\r", "\n")):
        return [text]
    return [line for line in re.split(r"\r\n|\r|\n", text) if line.startswith(("=", "+", "-", "@", "\t"))]


def csv_fields(data: bytes | str, delimiter: str = ",") -> list[list[str | float]]:
    """Cells as a spreadsheet reads them. With the file's own separator, quoted cells are text and
    the others must be numbers; with another (a locale's ';'), every piece is text."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    quoting = csv.QUOTE_NONNUMERIC if delimiter == "," else csv.QUOTE_MINIMAL
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def dangerous(fields: list[list[str | float]]) -> list[str]:
    """Text that a spreadsheet would run; a bare number such as -5.0 is read as a number."""
    return [field for row in fields for field in row
            if isinstance(field, str) and not is_number(field) and formula_lines(field)]


def attack_frame() -> pd.DataFrame:
    n = len(ATTACKS)
    return pd.DataFrame({
        "comment": ATTACKS,
        "amount": [-5.0] * n,
        "enum": pd.Categorical(["=1+1", "b"] * (n // 2)),
        "text": pd.array(ATTACKS, dtype="string"),
    })


@pytest.mark.parametrize(("cell", "safe"), [
    ("=1+1\r=2+2", "'=1+1\n'=2+2"), ("\r\n=y", "'\n'=y"), ("Acme;=1+1", "Acme;'=1+1"),
    ("Acme\t@x", "Acme\t'@x"), ("-5", "'-5"), ("a\r\nb", "a\nb"), ("x; -3", "x; -3"), ("plain", "plain")])
def test_every_piece_a_spreadsheet_may_read_as_a_cell_is_neutralised(cell, safe):
    assert neutralise(cell) == safe


def test_a_bare_carriage_return_cannot_start_a_row_with_a_formula():
    data = to_csv(pd.DataFrame({"comment": ["=1+1\r=2+2"], "amount": [-5.0]}))
    fields = csv_fields(data)
    assert len(fields) == 2 and dangerous(fields) == []
    # A reader that ignores quoting and breaks lines at CR or LF sees no formula either.
    assert [line for line in re.split(r"\r\n|\r|\n", data.decode("utf-8-sig")) if formula_lines(line)] == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_no_exported_csv_field_starts_a_formula_whatever_the_separator(delimiter):
    """Excel in a semicolon locale splits at ';': text cells are quoted, so 'Acme;=1+1' stays one cell."""
    fields = csv_fields(to_csv(attack_frame()), delimiter)
    assert dangerous(fields) == []


def test_numbers_stay_numbers_and_text_that_looks_like_one_is_neutralised():
    fields = csv_fields(to_csv(pd.DataFrame({"amount": [-5.0, 1.5], "count": [-3, 2], "label": ["-5", "ok"]})))
    assert fields[1] == [-5.0, -3, "'-5"] and fields[2] == [1.5, 2, "ok"]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx({"t": pd.DataFrame({"amount": [-5.0], "label": ["-5"]})})))["t"]
    assert sheet["A2"].value == -5 and sheet["A2"].data_type == "n" and sheet["B2"].value == "'-5"


def test_enum_categorical_and_nested_text_are_neutralised():
    con = duckdb.connect()
    con.execute("CREATE TYPE mood AS ENUM ('=1+1', 'calm')")
    frame = con.execute("SELECT '=1+1'::mood AS mood, ['=x', 'y'] AS tags, {'k': '@z'} AS info, "
                        "'=2+2' || chr(13) || '=3+3' AS comment").fetchdf()
    assert isinstance(frame["mood"].dtype, pd.CategoricalDtype)
    fields = csv_fields(to_csv(frame))
    assert dangerous(fields) == [] and fields[1][0] == "'=1+1"
    assert "'=x" in fields[1][1] and "'@z" in fields[1][2]


def workbook_cells(data: bytes) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_excel_downloads_hold_no_formula():
    cells = workbook_cells(to_xlsx({"Comments": attack_frame(), "=Sheet": pd.DataFrame({"=1+1": ["x"]})}))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and formula_lines(c.value)] == []


def test_control_characters_do_not_break_the_excel_download():
    """openpyxl refuses NUL and other control characters; the download must still be built."""
    cells = workbook_cells(to_xlsx({"t": pd.DataFrame({"comment": ["a\x00b\x1bc"]})}))
    assert [c.value for c in cells] == ["comment", "abc"]


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_templates_hold_no_formula(dataset):
    cells = workbook_cells(template_workbook(dataset))
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if isinstance(c.value, str) and formula_lines(c.value)] == []


def test_a_live_participants_comment_reaches_no_export_as_a_formula(store):
    """The reported attack end to end: an anonymous comment, the comments analysis, both downloads."""
    store.open_live_session("ABC234", "Workshop")
    scores = dict.fromkeys(live.LUFTMAN_DIMENSIONS, 3)
    store.add_live_answers("ABC234", live.answer_rows("p1", "Workshop", "IT", scores, comment="=1+1\r=2+2"))
    comments = run_query(store.cursor(), "survey_comments")
    assert len(comments) == 1
    assert dangerous(csv_fields(to_csv(comments))) == []
    cells = workbook_cells(to_xlsx({"What people said": comments}))
    assert [c.value for c in cells if c.data_type == "f" or (isinstance(c.value, str) and formula_lines(c.value))] \
        == []


# --- the command line -------------------------------------------------------------------------


def cli(*args: str, stdout=subprocess.PIPE, file_limit: int | None = None) -> tuple[int, str, str]:
    """Run `python -m alignment`; ``file_limit`` caps the size of any file it writes (a disk that fills)."""
    limit = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))) if file_limit else None
    proc = subprocess.run([sys.executable, "-m", "alignment", *args], stdout=stdout, stderr=subprocess.PIPE,
                          preexec_fn=limit)  # bytes: text mode would turn a CR in the output into LF
    return proc.returncode, (proc.stdout or b"").decode(), proc.stderr.decode()


def no_traceback(err: str) -> bool:
    return "Traceback" not in err and "Exception ignored" not in err


HOSTILE_SQL = "SELECT '=1+1' || chr(13) || '=2+2' AS comment, '-5' AS label, -5 AS amount"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "demo.duckdb")
    assert cli("demo", "--db", path)[0] == 0
    return path


def test_cli_csv_is_formula_safe_and_raw_is_untouched(demo_db):
    code, out, _ = cli("sql", HOSTILE_SQL, "--db", demo_db, "--format", "csv")
    fields = csv_fields(out)
    assert code == 0 and dangerous(fields) == [] and fields[1][1:] == ["'-5", -5]
    code, out, _ = cli("sql", HOSTILE_SQL, "--db", demo_db, "--format", "csv", "--raw")
    fields = csv_fields(out)
    assert code == 0 and fields[1] == ["=1+1\r=2+2", "-5", -5]  # quoted, so the CR stays in its cell


def test_cli_json_is_formula_safe_and_raw_is_untouched(demo_db):
    code, out, _ = cli("sql", HOSTILE_SQL, "--db", demo_db)
    assert code == 0 and json.loads(out) == [{"comment": "'=1+1\n'=2+2", "label": "'-5", "amount": -5}]
    code, out, _ = cli("sql", HOSTILE_SQL, "--db", demo_db, "--raw")
    assert code == 0 and json.loads(out) == [{"comment": "=1+1\r=2+2", "label": "-5", "amount": -5}]


def test_cli_query_and_uploads_are_formula_safe(tmp_path):
    db = str(tmp_path / "q.duckdb")
    survey = tmp_path / "=HYPERLINK(1).csv"
    survey.write_bytes(b'respondent_id,question,score,respondent_group,dimension,comment\r\n'
                       b'r1,Q1,3,IT,Skills,"=1+1\r=2+2"\r\n')
    code, out, _ = cli("ingest", str(survey), "--dataset", "survey", "--db", db)
    assert code == 0, out
    # one respondent: below the organisation's minimum (5) the comment would be hidden, not exported
    code, out, _ = cli("query", "survey_comments", "--db", db, "--format", "csv", "--param", "min_respondents=1")
    fields = csv_fields(out)
    assert code == 0 and len(fields) == 2 and dangerous(fields) == []
    code, out, _ = cli("uploads", "--db", db)
    assert code == 0 and json.loads(out)[0]["file_name"] == "'=HYPERLINK(1).csv"
    code, out, _ = cli("uploads", "--db", db, "--raw")
    assert code == 0 and json.loads(out)[0]["file_name"] == "=HYPERLINK(1).csv"


def test_a_full_disk_under_the_output_is_a_sentence(demo_db):
    with open("/dev/full", "w") as full:
        code, _, err = cli("sql", "SELECT * FROM spend", "--db", demo_db, "--format", "csv", stdout=full)
    assert code == 1 and "the disk is full" in err and no_traceback(err)


def test_ingest_keeps_its_json_contract_when_the_database_cannot_be_written(tmp_path):
    """A file-size limit makes DuckDB's commit fail as a full disk would; the database stays as it was."""
    db = str(tmp_path / "small.duckdb")
    assert cli("uploads", "--db", db)[0] == 1  # no database yet: a sentence
    assert cli("demo", "--db", db, "--if-empty")[0] == 0
    before = json.loads(cli("uploads", "--db", db)[1])
    big = tmp_path / "gl.xlsx"
    big.write_bytes(xlsx([["period", "business_unit", "actual"]] + [["2025-01", f"Unit {i}", i] for i in range(3000)]))
    code, out, err = cli("ingest", str(big), "--dataset", "spend", "--db", db, file_limit=16384)
    result = json.loads(out)
    assert code == 1 and result["status"] == "error" and no_traceback(err)
    assert "the file would grow past the largest size this system allows" in result["message"]
    assert json.loads(cli("uploads", "--db", db)[1]) == before
    code, out, _ = cli("ingest", str(big), "--dataset", "spend", "--db", db)
    assert code == 0 and json.loads(out)["rows_loaded"] == 3000


def test_demo_says_so_when_the_database_cannot_be_written(tmp_path):
    db = str(tmp_path / "small.duckdb")
    code, out, err = cli("demo", "--db", db, file_limit=16384)
    assert code == 1 and out == "" and "Could not use the database" in err and no_traceback(err)


def test_a_file_where_a_folder_is_needed_is_a_sentence(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    source = tmp_path / "a.csv"
    source.write_text("period,business_unit,actual\n2025-01,Retail,5\n")
    code, out, err = cli("ingest", str(source), "--dataset", "spend", "--db", str(blocker / "x.duckdb"))
    assert code == 1 and json.loads(out) == {
        "status": "error", "message": f"Could not use {blocker}: a file stands where a folder is needed."}
    code, _, err = cli("template", "spend", str(blocker / "t.xlsx"))
    assert code == 1 and "part of its path is a file, not a folder" in err and no_traceback(err)
    code, _, err = cli("template", "spend", str(tmp_path))
    assert code == 1 and "it is a folder, not a file" in err and no_traceback(err)


class BrokenOutput(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly(monkeypatch, capsys):
    """`... | head`: the reader has what it wants. (This sandbox's pipes never report EPIPE, so the
    failure is raised in process.)"""
    monkeypatch.setattr(sys, "stdout", BrokenOutput())
    assert cli_main(["queries"]) == 1
    assert capsys.readouterr().err == ""


def test_running_out_of_memory_is_a_sentence(monkeypatch, capsys):
    def exhausted(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr("alignment.cli.public_queries", exhausted)
    assert cli_main(["queries"]) == 1
    assert capsys.readouterr().err == "Error: There was not enough memory to finish.\n"


BAD_INPUTS = [
    ("ingest", "{dir}", "--dataset", "spend", "--db", "{db}"),
    ("ingest", "{empty}", "--dataset", "spend", "--db", "{db}"),
    ("ingest", "{garbage}", "--dataset", "spend", "--db", "{db}"),
    ("ingest", "{garbage_xlsx}", "--dataset", "spend", "--db", "{db}"),
    ("ingest", "{xlsx}", "--dataset", "spend", "--sheet", "nope", "--db", "{db}"),
    ("ingest", "{csv}", "--dataset", "spend", "--db", "{not_db}"),
    ("sql", "SELEC 1", "--db", "{db}"),
    ("sql", "SELECT * FROM nowhere", "--db", "{db}"),
    ("sql", "SELECT 1/0::INT, 'x'::INT", "--db", "{db}"),
    ("sql", "SELECT 1", "--db", "{not_db}"),
    ("sql", "SELECT 1", "--db", "{dir}"),
    ("query", "nonsense", "--db", "{db}"),
    ("query", "budget_vs_actual", "--param", "period_from=2026-13", "--db", "{db}"),
    ("query", "budget_vs_actual", "--param", "nope=1", "--db", "{db}"),
    ("query", "budget_vs_actual", "--param", "novalue", "--db", "{db}"),
    ("undo", "999", "--db", "{db}"),
    ("undo", "-1", "--db", "{db}"),
    ("undo", "99999999999999999999999", "--db", "{db}"),
    ("uploads", "--db", "{not_db}"),
    ("demo", "--db", "{not_db}"),
    ("template", "spend", "{dir}"),
    ("bench", "--rows", "-5", "--output", "{dir}"),
]


@pytest.mark.parametrize("args", BAD_INPUTS, ids=[" ".join(a[:2]) for a in BAD_INPUTS])
def test_bad_input_to_any_command_is_a_sentence(tmp_path, demo_db, args):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "garbage.csv").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "garbage.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)
    (tmp_path / "a.csv").write_text("period,business_unit,actual\n2025-01,Retail,5\n")
    (tmp_path / "a.xlsx").write_bytes(xlsx([["period", "business_unit", "actual"], ["2025-01", "Retail", 5]]))
    (tmp_path / "not.duckdb").write_text("not a database")
    names = {"dir": str(tmp_path), "db": demo_db, "empty": str(tmp_path / "empty.csv"),
             "garbage": str(tmp_path / "garbage.csv"), "garbage_xlsx": str(tmp_path / "garbage.xlsx"),
             "csv": str(tmp_path / "a.csv"), "xlsx": str(tmp_path / "a.xlsx"), "not_db": str(tmp_path / "not.duckdb")}
    code, out, err = cli(*(a.format(**names) for a in args))
    assert code in (1, 2) and no_traceback(err), err
    if args[0] == "ingest" and code == 1:
        assert json.loads(out)["status"] in ("rejected", "error")
    else:
        # argparse's usage lines may come first; then exactly one sentence
        sentences = [line for line in err.strip().splitlines() if line and not line.startswith(("usage:", " "))]
        assert len(sentences) == 1, err


def test_the_tables_built_in_export_is_off():
    """st.dataframe's own CSV download and copy write formulas raw; the app's buttons are the way out."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
