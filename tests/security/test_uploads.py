"""Hostile uploads (issue #8, items 5, 6, 9 and 11): each attack is built here, refused with a sentence
for a person, and leaves the store exactly as it was."""

from __future__ import annotations

import bz2
import io
import struct
import zipfile
import zlib

import pytest

import alignment.reading as reading
from alignment.ingest import ingest
from alignment.reading import ReadError, open_source, read_table
from alignment.validation import summarise_warnings
from tests.conftest import csv_bytes, xlsx

STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
WORKBOOK = b'<?xml version="1.0"?><workbook><sheets><sheet name="Data" r:id="rId1"/></sheets></workbook>'
RELS = (b'<?xml version="1.0"?><Relationships><Relationship Id="rId1" Target="worksheets/data.xml" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>')
ROWS = b'<row r="1"><c r="A1" t="n"><v>1</v></c></row>'


# --- building hostile zips -----------------------------------------------------------------


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


def deflate_repeated(block: bytes, times: int) -> bytes:
    """``block`` written ``times`` times, as one raw deflate stream, without ever holding the whole:
    after a full flush the compressor starts afresh, so one compressed block can be repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    once = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    return once * times + c.flush(zlib.Z_FINISH)


def zip_parts(parts: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written field by field, so that it can say what it likes about itself: each part is
    (name, payload as stored, method, declared size, declared compressed size; -1: the payload's)."""
    out, central = io.BytesIO(), []
    for name, payload, method, size, packed in parts:
        packed = len(payload) if packed < 0 else packed
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, 0, packed, size,
                              len(encoded), 0) + encoded + payload)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, 0,
                                   packed, size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory, start = b"".join(central), out.tell()
    out.write(directory + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central),
                                      len(directory), start, 0))
    return out.getvalue()


def workbook_with(*parts: tuple[str, bytes, int, int, int]) -> bytes:
    return zip_parts([("xl/workbook.xml", WORKBOOK, STORED, len(WORKBOOK), -1),
                      ("xl/_rels/workbook.xml.rels", RELS, STORED, len(RELS), -1), *parts])


def lying_bomb(real_bytes: int, declared: int) -> bytes:
    """A sheet part (not named sheetN.xml) that expands to ``real_bytes`` and says ``declared``."""
    stream = deflate_repeated(ROWS * 20_000, real_bytes // (len(ROWS) * 20_000))
    return workbook_with(("xl/worksheets/data.xml", stream, DEFLATED, declared, -1))


class CountingInflater:
    """zlib's inflater, counting what it hands out: proof that a refusal stopped early."""

    produced = 0
    original = staticmethod(zlib.decompressobj)

    def __init__(self, wbits: int) -> None:
        self._inner = self.original(wbits)

    def decompress(self, data, max_length=0):
        out = self._inner.decompress(data, max_length)
        CountingInflater.produced += len(out)
        return out

    def __getattr__(self, name):
        return getattr(self._inner, name)


@pytest.fixture
def counted(monkeypatch):
    CountingInflater.produced = 0
    monkeypatch.setattr(reading.zlib, "decompressobj", CountingInflater)
    return CountingInflater


# --- item 5: zip bombs -----------------------------------------------------------------------


def test_a_part_that_understates_its_size_is_refused_after_inflating_no_more_than_it_claimed(counted):
    bomb = lying_bomb(real_bytes=4 * 2**30, declared=2_048)  # 4 GB of rows in 13 MB that says "2 KB"
    assert len(bomb) < 16 * 2**20
    with pytest.raises(ReadError, match="holds more than the file says"):
        open_source(bomb, "bomb.xlsx")
    assert counted.produced <= 2_048 + reading.INFLATE_OUTPUT_BYTES


def test_a_bomb_declared_just_under_the_ratio_floor_is_stopped_at_its_declared_size(counted):
    """9 MB said (below the 10 MB floor of the ratio rule, so no declared check fires); 4 GB real."""
    bomb = lying_bomb(real_bytes=4 * 2**30, declared=9 * 2**20)
    with pytest.raises(ReadError, match="holds more than the file says"):
        open_source(bomb, "bomb.xlsx")
    assert counted.produced <= 9 * 2**20 + reading.INFLATE_OUTPUT_BYTES


def test_a_part_that_overstates_its_compressed_size_to_hide_its_ratio_is_measured(monkeypatch, counted):
    """Says 5 MB from 1 MB (5x); really 5 MB from a few KB. The ratio is taken from the bytes inflated."""
    monkeypatch.setattr(reading, "BOMB_FLOOR_BYTES", 2**20)
    stream = deflate_repeated(b"\0" * 2**20, 5)
    bomb = workbook_with(("xl/worksheets/data.xml", stream, DEFLATED, 5 * 2**20, 2**20))
    with pytest.raises(ReadError, match="zip bomb"):
        open_source(bomb, "ratio.xlsx")
    assert counted.produced <= 2 * 2**20 + reading.INFLATE_OUTPUT_BYTES


def test_the_inflating_itself_stops_at_the_cap_whatever_the_directory_says():
    """The second layer: a part is never inflated past what is left of MAX_UNCOMPRESSED_BYTES."""
    data = workbook_with(("xl/worksheets/data.xml", deflate_repeated(b"a" * 2**20, 5), DEFLATED, 5 * 2**20, -1))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/data.xml")
    with pytest.raises(ReadError, match="more than this app reads"):
        reading._inflate_part(memoryview(data), info, "big.xlsx", budget=2**20)
    assert reading._inflate_part(memoryview(data), info, "big.xlsx", budget=10 * 2**20) == 5 * 2**20


def test_a_real_workbook_over_a_small_cap_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    data = xlsx([["Month", "Business Unit", "Actual"], *[["2025-01", f"Unit {i}", i] for i in range(3_000)]])
    with pytest.raises(ReadError, match="more than this app reads"):
        open_source(data, "big.xlsx")


def test_a_sheet_part_with_any_name_is_checked_for_its_height():
    sheet = b'<?xml version="1.0"?><worksheet><dimension ref="A1:C5000000"/><sheetData/></worksheet>'
    data = workbook_with(("xl/worksheets/data.xml", deflate(sheet), DEFLATED, len(sheet), -1))
    with pytest.raises(ReadError, match="more than Excel's 1,048,576"):
        open_source(data, "tall.xlsx")


def test_compression_excel_never_writes_is_refused():
    payload = bz2.compress(ROWS * 5_000)  # bzip2 reaches ratios deflate cannot
    data = workbook_with(("xl/worksheets/data.xml", payload, zipfile.ZIP_BZIP2, len(ROWS) * 5_000, -1))
    with pytest.raises(ReadError, match="compression Excel does not write"):
        open_source(data, "bz.xlsx")


def test_an_encrypted_part_is_refused():
    data = bytearray(workbook_with(("xl/worksheets/data.xml", deflate(ROWS), DEFLATED, len(ROWS), -1)))
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):  # set the 'encrypted' flag in every header
        at = -1
        while (at := data.find(signature, at + 1)) >= 0:
            flag_at = at + (6 if signature == b"PK\x03\x04" else 8)
            data[flag_at] |= 1
    with pytest.raises(ReadError, match="encrypted"):
        open_source(bytes(data), "locked.xlsx")


@pytest.mark.parametrize("parts", [12_000, 60_000])
def test_a_directory_of_countless_parts_is_refused_before_it_is_listed(parts):
    empties = [(f"{i:x}", b"", STORED, 0, -1) for i in range(parts)]
    with pytest.raises(ReadError, match="parts"):
        open_source(workbook_with(*empties), "many.xlsx")


def test_an_honest_workbook_still_opens():
    data = xlsx([["Month", "Business Unit", "Actual"], ["2025-01", "Retail", 5]], extra={"Notes": [["a", "b"]]})
    assert open_source(data, "ok.xlsx").sheets == ["Sheet1", "Notes"]


# --- item 6: infinite and enormous numbers ---------------------------------------------------


def xlsx_with_raw_numbers(values: list[bytes]) -> bytes:
    """A workbook whose Actual cells hold these literal <v> texts (openpyxl cannot write INF)."""
    placeholders = [7_000_001 + i for i in range(len(values))]
    data = xlsx([["Month", "Business Unit", "Actual"], *[[f"2025-{i + 1:02d}", "Retail", p]
                                                        for i, p in enumerate(placeholders)]], sheet="GL")
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            for placeholder, value in zip(placeholders, values, strict=True):
                body = body.replace(f"<v>{placeholder}</v>".encode(), b"<v>" + value + b"</v>")
            target.writestr(info.filename, body)
    return out.getvalue()


def test_infinite_numbers_in_a_workbook_are_refused_by_sheet_row_and_column(store):
    data = xlsx_with_raw_numbers([b"INF", b"1e309", b"-inf", b"12.5"])
    result = ingest(store, data, "gl.xlsx", "spend")
    assert result.status == "rejected"
    assert {(e["sheet"], e["row"], e["column"]) for e in result.errors} == {("GL", 2, "Actual"), ("GL", 3, "Actual"),
                                                                            ("GL", 4, "Actual")}
    assert "Sheet 'GL', row 2, column C ('Actual'): 'inf' is infinite or too large" in result.errors[0]["message"]


@pytest.mark.parametrize("cell", ["inf", "Infinity", "1e309", "-inf", "-Infinity", "1e308", "9" * 400])
def test_infinite_or_enormous_numbers_in_a_csv_are_refused(store, cell):
    data = csv_bytes(f"Month,Business Unit,Actual\n2025-01,Retail,1\n2025-02,Retail,{cell}\n2025-03,Retail,1e308\n")
    result = ingest(store, data, "gl.csv", "spend")
    assert result.status == "rejected"
    assert ("gl", 3, "Actual") in {(e["sheet"], e["row"], e["column"]) for e in result.errors}
    assert all("too large" in e["message"] for e in result.errors)


def test_nan_as_text_is_a_blank_cell_and_never_reaches_a_total(store):
    """A decision, not an accident: 'NaN' is among the blank words (as in pandas), so it loads as
    NULL, never as a float NaN that would turn every total into NaN."""
    data = csv_bytes("Month,Business Unit,Actual,Budget\n2025-01,Retail,1,NaN\n2025-02,Retail,2,4\n")
    assert ingest(store, data, "gl.csv", "spend").status == "loaded"
    assert store.cursor().execute("SELECT sum(budget), count(budget), bool_or(isnan(budget)) FROM spend_rows"
                                  ).fetchone() == (4.0, 1, False)


# --- item 9: control and invisible characters in stored text ------------------------------------


def test_invisible_characters_do_not_make_a_second_business_unit(store):
    padding = "".join(f"2025-01,Retail,{i}\n" for i in range(20_000))  # NUL beyond the binary sniff
    text = ("Month,Business Unit\u200b,Actual,Description\n" + padding
            + "2025-02,Retail\u200b,1,a\n2025-02,\ufeffRetail\u2060,1,b\n2025-02,Re\x00tail,1,c\n"
            + '2025-02,Cafe\u0301,1,"one\rtwo"\n2025-02,Café,1,d\x07\n')
    result = ingest(store, csv_bytes(text), "gl.csv", "spend")
    assert result.status == "loaded", result.errors
    assert result.mapping["Business Unit"] == "business_unit"  # the header's zero-width space went too
    units = store.cursor().execute("SELECT DISTINCT business_unit FROM spend_rows ORDER BY 1").fetchall()
    assert units == [("Café",), ("Retail",)]
    notes = [r[0] for r in store.cursor().execute(
        "SELECT description FROM spend_rows WHERE description IS NOT NULL ORDER BY 1").fetchall()]
    assert notes == ["a", "b", "c", "d", "one two"]  # no BEL, no bare carriage return


def test_invisible_characters_in_a_workbook_cell_are_removed(store):
    data = xlsx([["Month", "Business Unit", "Actual"], ["2025-01", "Retail\u200b", 1], ["2025-01", "Retail", 2]])
    assert ingest(store, data, "gl.xlsx", "spend").status == "loaded"
    assert store.cursor().execute("SELECT DISTINCT business_unit FROM spend_rows").fetchall() == [("Retail",)]


# --- item 11: reader messages, mixed encodings, very wide files ---------------------------------

LIBRARY_WORDS = ("calamine", "Context", "Error", "error:", "Line:", "sniff", "/tmp", "Traceback", "codec")


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(ReadError) as caught:
        read_table(open_source(data, name), None, "spend")
    return str(caught.value)


@pytest.mark.parametrize("data,name,words", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls", "could not be opened"),
    (("Month,Business Unit,Actual\n" + "2025-01,Retail,1\n" * 30_000 + "2025-01," + "x" * 2_100_000
      + ",1\n").encode(), "long.csv", "at row 30002"),
    (("Month,Business Unit,Actual\n2025-01," + "x" * 200_000 + ",1\n").encode(), "cell.csv", "first rows"),
    ("Month,Business Unit,Actual\n2025-01,Café,1\n".encode("utf-16-le") + b"\x00\xd8", "u16.csv", "row 3"),
])
def test_reader_messages_are_sentences_without_library_text(data, name, words):
    message = refusal(data, name)
    assert words in message and name in message
    assert not [w for w in LIBRARY_WORDS if w in message], message


def test_a_csv_mixing_utf8_and_cp1252_is_read_line_by_line_with_a_warning(store):
    data = ("Month,Business Unit,Actual\n" + "2025-01,Zürich,1\n" * 20_000).encode() \
        + "2025-02,Café,2\n".encode("cp1252") + "2025-03,Café,3\n".encode()
    table = read_table(open_source(data, "mixed.csv"), None, "spend")
    assert table.frame["Business Unit"].tail(3).tolist() == ["Zürich", "Café", "Café"]
    assert table.warnings == ["Row 20002 of 'mixed.csv' is not UTF-8 and was read as Windows-1252 "
                              "(Western European); the other rows are UTF-8. Check the accented letters "
                              "in that row."]
    result = ingest(store, data, "mixed.csv", "spend")
    assert result.status == "loaded" and table.warnings[0] in result.warnings


def test_a_csv_that_is_cp1252_throughout_reads_without_a_warning():
    data = "Month,Business Unit,Actual\n2025-01,Café,1\n2025-02,Zürich,2\n".encode("cp1252")
    table = read_table(open_source(data, "win.csv"), None, "spend")
    assert table.frame["Business Unit"].tolist() == ["Café", "Zürich"] and table.warnings == []


def test_a_csv_of_fifty_thousand_columns_is_refused_with_a_sentence():
    header = ",".join(["Month", "Business Unit", "Actual"] + [f"c{i}" for i in range(50_000)])
    message = refusal(f"{header}\n2025-01,Retail,1\n".encode(), "wide.csv")
    assert message.startswith("Sheet 'wide' has more than 2,000 columns; this app reads at most 2,000.")


def test_a_workbook_wider_than_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_COLUMNS", 40)
    data = xlsx([["Month", "Business Unit", "Actual", *[f"c{i}" for i in range(50)]], ["2025-01", "R", 1]])
    assert "has 53 columns; this app reads at most 40" in refusal(data, "wide.xlsx")


def test_many_unloaded_columns_make_one_warning(store):
    header = ",".join(["Month", "Business Unit", "Actual"] + [f"Extra {i}" for i in range(1_500)])
    row = ",".join(["2025-01", "Retail", "1"] + ["x"] * 1_500)
    result = ingest(store, f"{header}\n{row}\n".encode(), "wide.csv", "spend", dry_run=True)
    notes = [w for w in result.warnings if "not loaded" in w]
    assert notes == ["1,500 columns were not loaded, as they match no IT spend field: 'Extra 0', 'Extra 1', "
                     "'Extra 2', 'Extra 3', 'Extra 4', 'Extra 5', 'Extra 6', 'Extra 7' and 1,492 more."]


def test_the_data_page_shows_a_bounded_number_of_warning_boxes():
    assert summarise_warnings(["a", "b"]) == ["a", "b"]
    shown = summarise_warnings([f"note {i}" for i in range(50_000)])
    assert len(shown) == 6 and shown[-1] == "…and 49,995 more notes, the first: note 5"


# --- every refusal leaves the store as it was ------------------------------------------------------


def snapshot(store) -> dict[str, list[tuple]]:
    cur = store.cursor()
    tables = [t for (t,) in cur.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    return {t: sorted(map(repr, cur.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


HOSTILE = {
    "lying.xlsx": lambda: lying_bomb(real_bytes=2**30, declared=2_048),
    "tall.xlsx": lambda: workbook_with(("xl/worksheets/data.xml", deflate(b'<dimension ref="A1:B9999999"/>'),
                                        DEFLATED, 30, -1)),
    "inf.xlsx": lambda: xlsx_with_raw_numbers([b"INF", b"1"]),
    "inf.csv": lambda: csv_bytes("Month,Business Unit,Actual\n2025-01,Retail,Infinity\n"),
    "huge.csv": lambda: csv_bytes("Month,Business Unit,Actual\n2025-01,Retail,1e309\n"),
    "wide.csv": lambda: (",".join(f"c{i}" for i in range(5_000)) + "\n1,2\n").encode(),
    "old.xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
    "cell.csv": lambda: ("Month,Business Unit,Actual\n2025-01," + "x" * 200_000 + ",1\n").encode(),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_every_refused_upload_leaves_the_store_unchanged(store, name):
    good = csv_bytes("Month,Business Unit,Actual\n2025-01,Retail,10\n")
    assert ingest(store, good, "good.csv", "spend").status == "loaded"
    before = snapshot(store)
    for mode in ("append", "replace"):
        result = ingest(store, HOSTILE[name](), name, "spend", mode=mode)
        assert result.status == "rejected" and result.batch_id is None and result.errors
        assert snapshot(store) == before
