import io
import json
import struct
import zipfile
import zlib

import pytest

from alignment.ingest import make_preview
from alignment.reading import ReadError, detect_delimiter, detect_encoding, open_source, read_table
from tests.conftest import xlsx

TEXT = "Report: IT spend\n\nMonth;Business Unit;Actual\n2025-01;Café;1.234,50\n\n2025-02;Ops;12\n"


def test_header_found_under_title_rows_in_a_workbook():
    data = xlsx([["Acme IT spend"], ["Prepared by finance"], [], ["Month", "Business Unit", "Actual"],
                 ["2025-01", "Retail", 10]])
    table = read_table(open_source(data, "gl.xlsx"), None, "spend")
    assert table.header_row == 4 and table.headers == ["Month", "Business Unit", "Actual"]
    assert table.row_numbers.tolist() == [5]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"])
def test_csv_encodings_delimiters_and_row_numbers(encoding):
    source = open_source(TEXT.encode(encoding), "gl.csv")
    table = read_table(source, None, "spend")
    assert table.headers == ["Month", "Business Unit", "Actual"]
    assert table.frame["Business Unit"].tolist() == ["Café", "Ops"]
    assert table.row_numbers.tolist() == [4, 6]  # the blank line 5 still counts


def test_detection_helpers():
    assert detect_encoding("Café".encode("latin-1")) == "cp1252"
    assert detect_encoding("Café".encode("utf-16-le")) == "utf-16-le"
    assert detect_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert detect_delimiter("a|b|c\n1|2|3\n") == "|"


def test_sheet_choice():
    data = xlsx([["x"]], extra={"GL": [["Month", "Business Unit", "Actual"], ["2025-01", "A", 1]]})
    source = open_source(data, "book.xlsx")
    assert source.sheets == ["Sheet1", "GL"]
    assert read_table(source, "GL", "spend").frame.shape == (1, 3)
    with pytest.raises(ReadError, match="no sheet 'Nope'"):
        read_table(source, "Nope", "spend")


def test_refuses_empty_and_non_workbooks():
    with pytest.raises(ReadError, match="empty"):
        open_source(b"", "a.xlsx")
    with pytest.raises(ReadError, match="not an Excel workbook"):
        open_source(b"%PDF-1.4 not a sheet", "a.xlsx")
    with pytest.raises(ReadError, match="not a spreadsheet"):
        open_source(b"\x00\x01\x02\x03\xff\xfe\x00\x00garbage" * 10, "a.bin")
    with pytest.raises(ReadError, match="not an Excel workbook"):
        open_source(_zip({"hello.txt": b"hi"}), "a.xlsx")


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return buffer.getvalue()


def test_refuses_zip_bombs_without_inflating_them():
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (300 * 2**20)})
    assert len(bomb) < 2 * 2**20
    with pytest.raises(ReadError, match="zip bomb"):
        open_source(bomb, "bomb.xlsx")


def test_refuses_sheets_taller_than_excel():
    sheet = b'<?xml version="1.0"?><worksheet><dimension ref="A1:C2000000"/><sheetData/></worksheet>'
    with pytest.raises(ReadError, match="more than Excel's 1,048,576"):
        open_source(_zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": sheet}), "tall.xlsx")


def test_refuses_a_sheet_with_no_header():
    with pytest.raises(ReadError, match="Sheet 'Sheet1' has no header row") as refused:
        read_table(open_source(xlsx([[1], [2]]), "n.xlsx"), None, "spend")
    assert refused.value.sheet == "Sheet1" and "Put the column names in one row" in str(refused.value)
    with pytest.raises(ReadError, match="'n.csv' has no header row"):
        read_table(open_source(b"1\n2\n", "n.csv"), None, "spend")


# --- a workbook whose first sheet is a ReadMe --------------------------------------------------

README = [["This workbook holds the GL extracts for November and December. Each sheet is one month; "
           "amounts are in USD and include accruals posted after the close."]]
GL_NOV = [["Period", "Business Unit", "Actual"], ["2025-11", "Retail", 10]]
GL_DEC = [["Period", "Business Unit", "Actual"], ["2025-12", "Retail", 12], ["2025-12", "Ops", 5]]


def _readme_book() -> bytes:
    return xlsx(README, sheet="ReadMe", extra={"GL Nov": GL_NOV, "GL Dec": GL_DEC})


def test_with_no_sheet_chosen_the_first_sheet_with_a_header_is_read_and_the_warning_says_so():
    raw = read_table(open_source(_readme_book(), "gl.xlsx"), None, "spend")
    assert raw.sheet == "GL Nov" and raw.headers == ["Period", "Business Unit", "Actual"]
    assert raw.row_numbers.tolist() == [2]
    said = raw.warnings[0]
    assert "Read sheet 'GL Nov'" in said and "'ReadMe'" in said and "'GL Dec'" in said
    assert "Sheet list on the Data page" in said and '--sheet "GL Dec"' in said


def test_an_empty_first_sheet_is_passed_over_too():
    raw = read_table(open_source(xlsx([], sheet="Cover", extra={"GL Nov": GL_NOV}), "gl.xlsx"), None, "spend")
    assert raw.sheet == "GL Nov" and "'Cover'" in raw.warnings[0]


def test_a_workbook_whose_first_sheet_has_a_header_reads_it_without_a_warning():
    raw = read_table(open_source(xlsx(GL_DEC, sheet="GL Dec", extra={"ReadMe": README}), "gl.xlsx"), None, "spend")
    assert raw.sheet == "GL Dec" and raw.warnings == []


def test_a_chosen_sheet_is_never_second_guessed():
    source = open_source(_readme_book(), "gl.xlsx")
    with pytest.raises(ReadError) as refused:
        read_table(source, "ReadMe", "spend")
    said = str(refused.value)
    assert said.startswith("Sheet 'ReadMe' has no header row")
    assert "other sheets are 'GL Nov' and 'GL Dec'" in said
    assert "Sheet list on the Data page" in said and '--sheet "GL Nov"' in said
    assert refused.value.sheet == "ReadMe" and "Traceback" not in said
    raw = read_table(source, "GL Dec", "spend")
    assert raw.sheet == "GL Dec" and len(raw.row_numbers) == 2 and raw.warnings == []


def test_when_no_sheet_has_a_header_the_refusal_names_the_sheet_and_the_others():
    data = xlsx(README, sheet="ReadMe", extra={"Notes": [["see finance"]], "Blank": []})
    with pytest.raises(ReadError) as refused:
        read_table(open_source(data, "gl.xlsx"), None, "spend")
    said = str(refused.value)
    assert said.startswith("Sheet 'ReadMe' has no header row") and "'Notes' and 'Blank'" in said
    assert refused.value.sheet == "ReadMe"


def test_the_command_line_reads_past_a_readme_sheet_and_names_the_sheet_it_read(tmp_path, capsys):
    from alignment.cli import main

    path = tmp_path / "gl.xlsx"
    path.write_bytes(_readme_book())
    db = tmp_path / "a.duckdb"
    assert main(["ingest", str(path), "--dataset", "spend", "--db", str(db), "--dry-run"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "dry-run" and out["sheet"] == "GL Nov" and out["rows_loaded"] == 1
    assert "Read sheet 'GL Nov'" in out["warnings"][0]
    assert main(["ingest", str(path), "--dataset", "spend", "--db", str(db), "--sheet", "ReadMe"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "rejected" and out["sheet"] == "ReadMe"
    assert "'GL Nov' and 'GL Dec'" in out["errors"][0]["message"]


# --- files that are not text -------------------------------------------------------------------

def _png(width: int, height: int, level: int, pixel: bytes = b"\x00\x00\x00") -> bytes:
    """A plain picture of one colour as Pillow writes it: row 1 filtered 'sub' (the first pixel, then
    no change), the others 'up' (no change), so the pixel data is almost all NULs."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"\x01" + pixel + bytes(3 * (width - 1)) + (b"\x02" + bytes(3 * width)) * (height - 1)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, level)) + chunk(b"IEND", b""))


# Pictures that passed for UTF-16 text before (NULs in every other byte) and were refused with "No
# header row was found" (the review's), "is UTF-16 text but row 1 is not" or "a cell in its first
# rows is longer than 100,000 characters"; a few were refused rightly already.
PICTURES = [(141, 61, 0, b"P\x00\x00"), (51, 51, 0, b"\xc8\x00\x00"), (200, 100, 9, b"\x00\x00\x00"),
            (64, 64, 0, b"\x00\x00\x00"), (1, 1, 6, b"\x00\x00\x00")]


@pytest.mark.parametrize(("width", "height", "level", "pixel"), PICTURES)
@pytest.mark.parametrize("on_disk", [False, True])
def test_a_picture_renamed_to_csv_is_not_a_spreadsheet(tmp_path, width, height, level, pixel, on_disk):
    data = _png(width, height, level, pixel)
    path = tmp_path / "chart.csv"
    path.write_bytes(data)
    with pytest.raises(ReadError, match="^'chart.csv' is not a spreadsheet: upload an Excel workbook"):
        read_table(open_source(path if on_disk else data, "chart.csv"), None, "spend")


def test_binary_without_a_known_signature_is_not_a_spreadsheet():
    headless = _png(200, 100, 0)[8:]  # no PNG signature: its control characters give it away
    with pytest.raises(ReadError, match="is not a spreadsheet"):
        open_source(headless, "data.csv")
    with pytest.raises(ReadError, match="is not a spreadsheet"):
        open_source(bytes(range(256)) * 64, "data.csv")


def test_text_with_a_stray_control_character_is_still_a_csv():
    text = "Month,Business Unit,Actual\n2025-01,Retail,10\n2025-02,Ops,12\n\x1a"  # DOS end-of-file mark
    assert read_table(open_source(text.encode(), "gl.csv"), None, "spend").headers[:2] == ["Month", "Business Unit"]
    utf16 = "Month;Business Unit;Actual\n2025-01;Café;1\n".encode("utf-16-le")  # NULs, but text
    assert read_table(open_source(utf16, "gl.csv"), None, "spend").frame["Business Unit"].tolist() == ["Café"]


def test_header_in_row_one_is_read_once_with_the_users_own_names(monkeypatch):
    """The fast path (one typed read) and the slow path (scan, then read) name columns alike."""
    import alignment.reading as reading

    loads = []
    original = reading._load_typed
    monkeypatch.setattr(reading, "_load_typed", lambda r, s, h: loads.append(h) or original(r, s, h))
    rows = [["Month", "Business unit", "Actual", "Budget"], ["2025-01", "Retail", 10, 12]]
    raw = read_table(open_source(xlsx(rows), "a.xlsx"), None, "spend")
    assert loads == [0] and raw.headers == ["Month", "Business unit", "Actual", "Budget"]
    assert raw.frame["Actual"].tolist() == [10] and raw.row_numbers.tolist() == [2]

    loads.clear()  # a repeated and a blank header: fastexcel would rename them, so the slow path reads it
    rows = [["Month", "Budget", "Budget", None, "Business unit"], ["2025-01", 1, 2, 3, "Retail"]]
    raw = read_table(open_source(xlsx(rows), "b.xlsx"), None, "spend")
    assert loads == [0, 0] and raw.headers == ["Month", "Budget", "Budget (2)", "Column D", "Business unit"]

    loads.clear()  # a title above the header: row 1 holds one value, so no read is spent trying it as the header
    rows = [["IT spend FY25"], ["Month", "Business unit", "Actual"], ["2025-01", "Retail", 5]]
    raw = read_table(open_source(xlsx(rows), "c.xlsx"), None, "spend")
    assert loads == [1] and raw.headers == ["Month", "Business unit", "Actual"] and raw.row_numbers.tolist() == [3]

    loads.clear()  # a title and a subtitle side by side: row 1 is tried, the scan finds the header below
    rows = [["IT spend FY25", "Finance"], ["Month", "Business unit", "Actual"], ["2025-01", "Retail", 5]]
    raw = read_table(open_source(xlsx(rows), "d.xlsx"), None, "spend")
    assert loads == [0, 1] and raw.headers == ["Month", "Business unit", "Actual"]


def test_values_in_row_one_are_counted_from_the_sheet_xml():
    from alignment.reading import _row_one_values

    assert _row_one_values(xlsx([["Title"], ["Month", "Unit"]]), "Sheet1") == 1
    assert _row_one_values(xlsx([["Month", "Unit", None, "Actual"]]), "Sheet1") == 3
    assert _row_one_values(xlsx([[], ["Month", "Unit"]]), "Sheet1") == 0  # row 1 left empty
    assert _row_one_values(xlsx([["a"]], extra={"P&L": [["Month", "Unit"]]}), "P&L") == 2
    assert _row_one_values(xlsx([]), "Sheet1") == 0
    assert _row_one_values(b"PK\x03\x04 damaged", "Sheet1") is None


def test_the_upload_limit_is_one_number_and_refuses_before_reading(tmp_path, monkeypatch):
    import tomllib
    from pathlib import Path

    from alignment import reading

    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == reading.MAX_UPLOAD_MB  # the browser refuses what we would
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 1000)
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 500)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read before its size was checked"))
    monkeypatch.setattr(Path, "open", lambda self, *a: pytest.fail("read before its size was checked"))
    with pytest.raises(reading.ReadError) as refused:
        reading.open_source(big, big.name)  # the command line's way in: a path
    assert str(refused.value) == (f"'big.csv' is {2004 / 1e6:,.0f} MB, over this app's upload limit of "
                                  f"{reading.MAX_UPLOAD_MB} MB. Split it into smaller files (by year or business "
                                  "unit, say) and load them one after another.")


def test_the_limit_counts_mb_as_the_browser_does():
    """Streamlit's uploader counts a MB as 1,000,000 bytes (on Linux and macOS): a file it lets through
    must not be refused here with a different number, nor one it refuses be accepted on the CLI."""
    from alignment import reading

    reading.check_size(reading.MAX_UPLOAD_MB * 1_000_000, "at-the-limit.csv")
    with pytest.raises(reading.ReadError, match=f"'over.csv' is {reading.MAX_UPLOAD_MB:,} MB, over"):
        reading.check_size(reading.MAX_UPLOAD_MB * 1_000_000 + 1, "over.csv")
    assert reading.MAX_UPLOAD_MB * 1_000_000 >= 305_000_000  # a 3,000,000-row spend csv fits (issue 13)


def test_first_values_come_from_the_arrow_table_without_a_pandas_frame():
    raw = read_table(open_source(b"Month,Business Unit,Actual,Empty\n,Retail,10,\n2025-01,Ops,,\n", "x.csv"),
                     None, "spend")
    assert raw.first_values() == {"Month": "2025-01", "Business Unit": "Retail", "Actual": "10", "Empty": ""}
    assert raw._frame is None  # nothing built a million-row pandas copy to show four examples
    rows_path = read_table(open_source(b"Month,Business Unit\n2025-01,Ops\n", "y.csv"), None, "spend")
    rows_path.frame = rows_path.frame  # a frame only: the same answer from pandas
    assert rows_path.first_values() == {"Month": "2025-01", "Business Unit": "Ops"}


def test_drop_cells_lets_the_arrow_buffers_go():
    """A slice of no rows still holds every buffer of the table; drop_cells must hold none, and
    keep the headers and row numbers the write and the messages need."""
    body = "".join(f"2025-01,Retail unit {i},{i}\n" for i in range(1000))
    raw = read_table(open_source(f"Month,Business Unit,Actual\n{body}".encode(), "a.csv"), None, "spend")
    assert raw.table.get_total_buffer_size() > 20_000  # 1,000 rows of three columns
    raw.drop_cells()
    assert raw.table.num_rows == 0 and raw.table.get_total_buffer_size() < 100  # an empty offsets buffer or two
    assert raw.table.column_names == raw.headers == ["Month", "Business Unit", "Actual"]
    assert list(raw.row_numbers) == list(range(2, 1002))


HEADER = "Date,Cost centre,Vendor,Amount\r\n"
CSV_FILES = {
    "plain": (HEADER + "2026-01-31,CC1,Acme,100\r\n2026-02-28,CC2,Café,200\r\n").encode(),
    "byte order mark": b"\xef\xbb\xbf" + (HEADER + "2026-01-31,CC1,Acme,100\n").encode(),
    "empty lines": ("Spend 2026\n\n" + HEADER + "2026-01-31,CC1,Acme,100\n\n\r\n2026-02-28,CC2,B,2\n").encode(),
    "line break in a cell": (HEADER + '2026-01-31,CC1,"Acme\n\nLtd",100\n\n2026-02-28,CC2,B,2\n').encode(),
    "semicolons": b"Date;Cost centre;Vendor;Amount\n2026-01-31;CC1;Acme;100,5\n",
    "windows-1252": (HEADER + "2026-01-31,CC1,Café,100\n").encode("cp1252"),
    "mixed encodings": (HEADER + "2026-01-31,CC1,Café,100\n").encode() + "2026-02-28,CC2,Señor,2\n".encode("cp1252"),
    "utf-16": (HEADER + "2026-01-31,CC1,Café,100\n").encode("utf-16"),
    "unclosed quote": (HEADER + '2026-01-31,CC1,"Acme,100\n' + "2026-02-28,CC2,B,2\n" * 3).encode(),
    "header only": HEADER.encode(),
}


@pytest.mark.parametrize("step", [7, 16 * 2**20])  # 7 bytes: every empty line spans two steps somewhere
@pytest.mark.parametrize("kind", list(CSV_FILES))
def test_a_csv_read_where_it_lies_reads_as_its_bytes_do(tmp_path, monkeypatch, kind, step):
    """The command line hands over a path and the csv is read on disk (never held whole); the
    browser hands over bytes. Both must give the same rows, row numbers, warnings and refusals."""
    from alignment import reading

    monkeypatch.setattr(reading, "STEP_BYTES", step)
    data = CSV_FILES[kind]
    path = tmp_path / "spend.csv"
    path.write_bytes(data)

    def read(given):
        try:
            raw = read_table(open_source(given, "spend.csv"), None, "spend")
        except ReadError as exc:
            return ("refused", str(exc))
        return (raw.headers, raw.row_numbers.tolist(), raw.header_row, raw.warnings, raw.titles,
                raw.frame.to_dict("list"))

    from_bytes, from_disk = read(data), read(path)
    assert from_disk == from_bytes
    if kind == "unclosed quote":
        assert from_disk[0] == "refused"
    if kind == "empty lines":  # the spreadsheet's rows, empty lines counted back in
        assert from_disk[1] == [4, 7] and from_disk[4] == [(1, "Spend 2026")]
    if kind == "mixed encodings":
        assert "Row 3 of 'spend.csv' is not UTF-8 and was read" in from_disk[3][0]
    if kind == "byte order mark":
        assert from_disk[0][0] == "Date"


def test_a_csv_on_disk_is_not_held_whole(tmp_path, monkeypatch):
    """A UTF-8 csv given as a path is never read into memory whole: DuckDB reads the file."""
    from pathlib import Path

    path = tmp_path / "spend.csv"
    path.write_bytes(CSV_FILES["empty lines"] * 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self.name} was read whole"))
    source = open_source(path, "spend.csv")
    assert source.path == path and source.data == b""
    monkeypatch.undo()  # rows after empty lines are numbered from the whole text, read once after DuckDB
    plain = tmp_path / "plain.csv"
    plain.write_bytes(CSV_FILES["plain"])
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self.name} was read whole"))
    assert read_table(open_source(plain, "plain.csv"), None, "spend").row_numbers.tolist() == [2, 3]


def test_an_empty_line_split_between_two_steps_still_counts(tmp_path, monkeypatch):
    from alignment import reading

    data = b"a,b\n1,2\n\n3,4\n"  # the empty line's two breaks fall in different 8-byte steps
    monkeypatch.setattr(reading, "STEP_BYTES", 8)
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert read_table(open_source(path, "t.csv"), None, "spend").row_numbers.tolist() == [2, 4]
    assert read_table(open_source(data, "t.csv"), None, "spend").row_numbers.tolist() == [2, 4]


def test_a_csv_on_disk_that_turns_windows_1252_late_is_read_as_its_bytes_are(tmp_path, monkeypatch):
    """The head looks like UTF-8, a line far below is not: the whole file is scanned before DuckDB
    reads it where it lies, and this one is converted as the bytes would be."""
    from alignment import reading

    monkeypatch.setattr(reading, "SAMPLE_BYTES", 128)
    monkeypatch.setattr(reading, "STEP_BYTES", 64)
    data = (HEADER + "2026-01-31,CC1,Acme,100\n" * 20).encode() + "2026-02-28,CC2,Café,2\n".encode("cp1252")
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    from_disk = read_table(open_source(path, "late.csv"), None, "spend")
    from_bytes = read_table(open_source(data, "late.csv"), None, "spend")
    assert from_disk.frame.to_dict("list") == from_bytes.frame.to_dict("list")
    assert from_disk.frame["Vendor"].iloc[-1] == "Café"
    assert from_disk.row_numbers.tolist() == from_bytes.row_numbers.tolist() == list(range(2, 23))


READER_FILES = {**CSV_FILES,
                "text that looks blank or true": (HEADER + "2026-01-31,NA,N/A,100\n2026-02-28,null,TRUE,NaN\n"
                                                  "2026-03-31,,false,-1.5e3\n").encode(),
                "a short row": (HEADER + "2026-01-31,CC1,Acme,100\n2026-02-28,CC2\n").encode(),
                "a late text in a number column": (HEADER + "".join(f"2026-01-31,CC{i},V,{i}\n" for i in range(20_000))
                                                   + "2026-02-28,CC,V,n/a\n").encode(),
                "times and stamps": (HEADER.replace("Date", "Time") + "10:30:00,CC1,Acme,1\n").encode()
                + b"\n" + (HEADER + "2026-01-31 00:00:00,CC1,Acme,1\n").encode()}


@pytest.mark.parametrize("on_disk", [False, True])
@pytest.mark.parametrize("kind", list(READER_FILES))
def test_pyarrows_reader_reads_what_duckdbs_reads(tmp_path, monkeypatch, kind, on_disk):
    """pyarrow reads the usual csv (3x faster); anything it reads otherwise goes to DuckDB's reader.
    Either way the rows, row numbers, warnings and refusals are DuckDB's: "NA" (North America) and
    "null" stay text, TRUE stays a word, a short row is padded, a late 'n/a' keeps its column text."""
    from alignment import reading

    data = READER_FILES[kind]
    path = tmp_path / "spend.csv"
    path.write_bytes(data)

    def read():
        try:
            raw = read_table(open_source(path if on_disk else data, "spend.csv"), None, "spend")
            checked = make_preview(path if on_disk else data, "spend.csv", "spend").validated
        except ReadError as exc:
            return ("refused", str(exc))
        return (raw.headers, raw.row_numbers.tolist(), raw.header_row, raw.warnings, raw.titles,
                raw.frame.astype(str).to_dict("list"), [p.as_dict() for p in checked.errors], checked.warnings,
                checked.frame.to_dict("list"))  # what is stored, typed as stored

    fast = read()
    monkeypatch.setattr(reading, "_arrow_csv", lambda *args, **kwargs: None)
    assert fast == read()
    if kind == "text that looks blank or true":
        assert fast[5]["Cost centre"][:2] == ["NA", "null"] and fast[5]["Vendor"] == ["N/A", "TRUE", "false"]


def test_the_usual_csv_is_read_by_pyarrow(tmp_path):
    from alignment import reading

    path = tmp_path / "spend.csv"
    path.write_bytes(CSV_FILES["plain"])
    table = reading._arrow_csv(str(path), ",", 0, ["Date", "Cost centre", "Vendor", "Amount"])
    assert table is not None and table.num_rows == 2 and str(table.schema.types[3]) == "int64"
    short = tmp_path / "short.csv"
    short.write_bytes(READER_FILES["a short row"])
    assert reading._arrow_csv(str(short), ",", 0, ["Date", "Cost centre", "Vendor", "Amount"]) is None


@pytest.mark.parametrize("step", [1, 2, 3, 5, 64])
def test_the_utf8_scan_skips_ascii_steps_but_never_a_cut_character(tmp_path, monkeypatch, step):
    """An ASCII step is passed over without decoding, unless the step before ended inside a
    character: then its first byte must continue that character, and an ASCII one cannot."""
    from alignment import reading

    monkeypatch.setattr(reading, "STEP_BYTES", step)
    cases = {
        b"plain,ascii\n1,2\n": True,
        "Café,Zürich\n1,2\n".encode(): True,
        b"ab" + "é".encode()[:1] + b"cd\n": False,  # a lead byte followed by ASCII
        b"abc" + "€".encode()[:2] + b"xyz\n": False,  # a three-byte character cut short
        b"x" * 10 + "é".encode("cp1252") + b"y" * 10: False,  # Windows-1252 after ASCII
        b"ends with" + "é".encode()[:1]: False,  # cut at the file's end
        b"a\xc3b\xa9c": False,  # ASCII between a character's two bytes: skipped, they would pass as 'é'
    }
    for index, (data, expected) in enumerate(cases.items()):
        path = tmp_path / f"{index}.csv"
        path.write_bytes(data)
        assert reading._file_is_utf8(path, 0) is expected, data
