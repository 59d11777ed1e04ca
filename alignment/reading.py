"""Reading uploaded files into a raw table: which kind of file, which sheet, where the header is.

Refusals happen here, before anything large is read: empty files, files that are not
workbooks, zip bombs, and sheets taller than Excel allows.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from alignment.formatting import listing, naming
from alignment.mapping import header_score
from alignment.parsing import tidy_text

log = logging.getLogger(__name__)

EXCEL_MAX_ROWS = 1_048_576
# The largest upload read, in the browser and on the command line alike; .streamlit/config.toml's
# server.maxUploadSize says the same number of MB, so the browser refuses a bigger file before sending it.
MAX_UPLOAD_MB = 350  # a 3,000,000-row spend csv of twelve columns is about 305 MB
# In decimal MB, as Streamlit's uploader counts them in the browser (on Linux and macOS), so the
# browser and this check refuse the same files with the same number.
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1000 * 1000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
BOMB_FLOOR_BYTES = 10 * 1024 * 1024  # parts smaller than this may compress as well as they like
MAX_ZIP_DIRECTORY_BYTES = 2 * 1024 * 1024  # about 20,000 parts; a big real workbook has a few hundred
MAX_ZIP_PARTS = 10_000
INFLATE_INPUT_BYTES = 64 * 1024
INFLATE_OUTPUT_BYTES = 1024 * 1024
HEADER_SCAN_ROWS = 30
MAX_COLUMNS = 2_000  # a budget with a column per month for 100 years has 1,200; the Data page lists each
SAMPLE_BYTES = 256 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a legacy .xls
STEP_BYTES = 16 * 2**20  # a file on disk is scanned this much at a time
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}


class ReadError(ValueError):
    """The file cannot be read at all; the message is for the user. ``sheet``: the sheet it is about,
    when it is about one (a refusal's record names it)."""

    def __init__(self, message: str, sheet: str | None = None) -> None:
        super().__init__(message)
        self.sheet = sheet


class NoHeaderRow(ReadError):
    """A sheet is empty or its first rows hold no header row: another sheet of the workbook may."""


class RawTable:
    """A sheet's data under its detected header, with the spreadsheet row number of every row.

    Readers that parse into Arrow keep the Arrow table (``table``): validation checks a plain file
    over it without a pandas copy, and ``frame`` is built from it only when something asks."""

    def __init__(self, sheet: str, frame: pd.DataFrame | None, row_numbers: np.ndarray, header_row: int,
                 headers: list[str], warnings: list[str] | None = None,
                 titles: list[tuple[int, str]] | None = None, table: pa.Table | None = None) -> None:
        self.sheet = sheet
        self._frame = frame
        self.table = table
        self.row_numbers = row_numbers
        self.header_row = header_row  # 1-based spreadsheet row of the header
        self.headers = headers
        self.warnings = warnings if warnings is not None else []  # said to the user, nothing refused
        self.titles = titles if titles is not None else []  # (spreadsheet row, text) above the header

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = arrow_frame(self.table) if self.table is not None else pd.DataFrame()
        return self._frame

    @frame.setter
    def frame(self, frame: pd.DataFrame) -> None:
        self._frame, self.table = frame, None

    def first_values(self, width: int = 24) -> dict[str, str]:
        """Each header's first filled value as text (the Data page shows it to recognise a column
        by), read from the Arrow table when there is one, without building the pandas frame."""
        values = {}
        for header in self.headers:
            if self.table is not None and self._frame is None:
                filled = self.table.column(header).drop_null()
                values[header] = str(filled[0].as_py())[:width] if len(filled) else ""
            else:
                filled = self.frame[header].dropna()
                values[header] = str(filled.iloc[0])[:width] if len(filled) else ""
        return values

    def drop_cells(self) -> None:
        """Let the cells go, keeping the headers and row numbers (without building a pandas frame
        only to empty it)."""
        self._frame = None if self._frame is None else self._frame.iloc[0:0]
        # An empty table of the same columns, not a slice: a slice would keep every buffer alive.
        self.table = None if self.table is None else self.table.schema.empty_table()

    def __repr__(self) -> str:
        return f"RawTable({self.sheet!r}, {len(self.row_numbers):,} rows, headers={self.headers!r})"


def arrow_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow columns as the pandas frame the Python checks expect: text in Arrow strings instead of
    a Python object per cell, which halves peak memory on a million-row file (measured: 634 MB
    against 1,120 MB)."""
    return table.to_pandas(split_blocks=True)


@dataclass
class Source:
    name: str
    kind: str  # "excel" or "csv"
    data: bytes
    path: Path | None = None  # a csv read where it lies (the command line): its bytes are never held whole

    @property
    def sheets(self) -> list[str]:
        if self.kind == "csv":
            return [Path(self.name).stem or "csv"]
        return _excel_reader(self.data, self.name).sheet_names


def open_source(data: bytes | Path, name: str) -> Source:
    """Decide what the file is from its bytes (not only its name) and refuse what it is not. Given a
    path, a csv stays on disk, where DuckDB reads it (a workbook is read whole: its checks need it)."""
    if isinstance(data, Path):
        check_size(data.stat().st_size, name)
        with data.open("rb") as file:
            head = file.read(SAMPLE_BYTES)
        workbook = head[:4] == b"PK\x03\x04" or head[:8] == OLE_MAGIC or Path(name).suffix.lower() in EXCEL_SUFFIXES
        if not head or workbook:
            return open_source(data.read_bytes(), name)
        if _looks_binary(head):
            raise ReadError(f"'{name}' is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file.")
        return Source(name, "csv", b"", path=data)
    if not data:
        raise ReadError(f"'{name}' is empty.")
    check_size(len(data), name)
    suffix = Path(name).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        _check_zip(data, name)
        return Source(name, "excel", data)
    if data[:8] == OLE_MAGIC:  # legacy .xls
        return Source(name, "excel", data)
    if suffix in EXCEL_SUFFIXES:
        raise ReadError(f"'{name}' is not an Excel workbook (the file's contents are not a spreadsheet).")
    if _looks_binary(data[:SAMPLE_BYTES]):
        raise ReadError(f"'{name}' is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file.")
    return Source(name, "csv", data)


def check_size(size: int, name: str) -> None:
    """Refuse a file over the upload limit from its size alone: callers holding a path (the command
    line) ask before reading a byte of it."""
    if size > MAX_UPLOAD_BYTES:
        raise ReadError(too_large(size, name))


def too_large(size: int, name: str) -> str:
    return (f"'{name}' is {size / 1e6:,.0f} MB, over this app's upload limit of {MAX_UPLOAD_MB} MB. "
            "Split it into smaller files (by year or business unit, say) and load them one after another.")


# How pictures, documents and archives begin: never a csv, whatever the file is called.
BINARY_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"%PDF-", b"\x1f\x8b",
                     b"II*\x00", b"MM\x00*", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x7fELF",
                     b"PK\x05\x06", b"PK\x07\x08")
# Control characters no typed text holds (tab, line breaks, vertical tab and form feed are text);
# C1 controls come only from bytes read as Latin-1 that were never text.
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
MAX_CONTROL_SHARE = 0.02  # binary data read as text is about 12% control characters; a csv has next to none


def _looks_binary(sample: bytes) -> bool:
    """Not text: a picture's or an archive's signature, NULs that are not UTF-16, or text that, read in
    the encoding it would be read in, is more than a few percent control characters (a PNG of a
    plain picture has NULs in every other byte and passed for UTF-16 before)."""
    if sample.startswith(BINARY_SIGNATURES):
        return True
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 without a BOM has a NUL in every other byte; anything else with NULs is binary.
        if not (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4):
            return True
    encoding = detect_encoding(sample, truncated=True)
    text = sample.decode(encoding, "replace").lstrip("\ufeff")
    control = len(text) - len(CONTROL.sub("", text))
    return control >= 2 and control > len(text) * MAX_CONTROL_SHARE


def _check_zip(data: bytes, name: str) -> None:
    """Refuse zip bombs by inflating every part with a cap, never trusting the archive's own sizes:
    a file can understate them, and the workbook reader inflates what is there, not what is said.
    The declared sizes still refuse an honest bomb at once; then each part is inflated in chunks and
    thrown away, which stops as soon as a part holds more than it claims, the whole passes
    MAX_UNCOMPRESSED_BYTES or a part expands more than MAX_COMPRESSION_RATIO."""
    infos = _zip_directory(data, name)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names and "content.xml" not in names:
        raise ReadError(f"'{name}' is a zip file but not an Excel workbook.")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise ReadError(_too_big(name))
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO \
                and info.file_size > BOMB_FLOOR_BYTES:
            raise ReadError(_bomb(name, info.filename, info.file_size // info.compress_size))
    view, total = memoryview(data), 0
    for info in infos:
        total += _inflate_part(view, info, name, MAX_UNCOMPRESSED_BYTES - total)


def _too_big(name: str) -> str:
    return (f"'{name}' unpacks to more than {MAX_UNCOMPRESSED_BYTES / 2**30:.0f} GB, more than this app "
            "reads. Split the workbook.")


def _bomb(name: str, part: str, ratio: int) -> str:
    return f"'{name}' looks like a zip bomb ({part} expands {ratio:,}x). It was not read."


def _damaged(name: str) -> ReadError:
    return ReadError(f"'{name}' is damaged: it is not a readable Excel workbook.")


def _zip_directory(data: bytes, name: str) -> list[zipfile.ZipInfo]:
    """The archive's parts, refusing a directory so long that listing it is the attack (zipfile
    spends about 0.5 KB and 7 µs per part: a 300 MB file of empty parts would take 2 GB)."""
    try:
        end = zipfile._EndRecData(io.BytesIO(data))  # the end record: where and how long the directory is
    except (OSError, struct.error):
        end = None
    if end is None:
        raise _damaged(name)
    if end[zipfile._ECD_SIZE] > MAX_ZIP_DIRECTORY_BYTES:
        raise ReadError(f"'{name}' holds too many parts to be a workbook this app reads. It was not read.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, struct.error, OSError, EOFError, NotImplementedError):
        raise _damaged(name) from None
    if len(infos) > MAX_ZIP_PARTS:
        raise ReadError(f"'{name}' holds {len(infos):,} parts, more than a workbook this app reads "
                        f"({MAX_ZIP_PARTS:,}). It was not read.")
    return infos


LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")  # a part's local header, as the zip format defines it


def _inflate_part(view: memoryview, info: zipfile.ZipInfo, name: str, budget: int) -> int:
    """The part's real size, measured by inflating it in chunks that are thrown away; refuses as soon
    as it passes its declared size, ``budget`` or the bomb ratio. Reads to the end of the deflate
    stream, not to the declared compressed size, because a lying size is what is being looked for."""
    offset = info.header_offset
    try:
        signature, _, flags, method, *_, name_length, extra_length = LOCAL_HEADER.unpack_from(view, offset)
    except struct.error:
        raise _damaged(name) from None
    if signature != b"PK\x03\x04" or method != info.compress_type:
        raise _damaged(name)
    if flags & 0x1:
        raise ReadError(f"'{name}' is encrypted. Remove its password in Excel, save it and upload it again.")
    start = offset + LOCAL_HEADER.size + name_length + extra_length
    if method == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size or start + info.file_size > len(view):
            raise _damaged(name)
        _check_part_head(view[start:start + 4096].tobytes(), info.filename, name)
        if info.file_size > budget:
            raise ReadError(_too_big(name))
        return info.file_size
    if method != zipfile.ZIP_DEFLATED:  # Excel and LibreOffice write nothing else
        raise ReadError(f"'{name}' uses a kind of compression Excel does not write. It was not read.")
    inflater, produced, fed, position = zlib.decompressobj(-zlib.MAX_WBITS), 0, 0, start
    pending: bytes | memoryview = b""
    try:
        while not inflater.eof:
            if not pending:
                if position >= len(view):
                    raise _damaged(name)  # the stream stops before its end
                pending = view[position:position + INFLATE_INPUT_BYTES]
                position += len(pending)
                fed += len(pending)
            chunk = inflater.decompress(pending, INFLATE_OUTPUT_BYTES)
            pending = inflater.unconsumed_tail
            if produced == 0:
                _check_part_head(chunk[:4096], info.filename, name)
            produced += len(chunk)
            consumed = max(fed - len(pending), 1)
            if produced > info.file_size:
                raise ReadError(f"'{name}' is damaged or hostile: its part {info.filename} holds more "
                                "than the file says it does. It was not read.")
            if produced > budget:
                raise ReadError(_too_big(name))
            if produced > BOMB_FLOOR_BYTES and produced / consumed > MAX_COMPRESSION_RATIO:
                raise ReadError(_bomb(name, info.filename, produced // consumed))
    except zlib.error:
        raise _damaged(name) from None
    if produced != info.file_size:
        raise _damaged(name)
    return produced


def _check_part_head(head: bytes, part: str, name: str) -> None:
    """A worksheet (whatever its part is called) that says it is taller than Excel allows."""
    if not part.startswith("xl/worksheets/"):
        return
    m = re.search(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head.decode("utf-8", "ignore"))
    if m and int(m[1]) > EXCEL_MAX_ROWS:
        raise ReadError(f"'{name}' has a sheet of {int(m[1]):,} rows, more than Excel's "
                        f"{EXCEL_MAX_ROWS:,}. It was not read.")


def _excel_reader(data: bytes, name: str) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own hierarchy for corrupt files
        log.info("fastexcel could not open %r: %s", name, exc)
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise ReadError(f"'{name}' is protected by a password. Remove the password in Excel, "
                            "save it and upload it again.") from None
        raise ReadError(f"'{name}' could not be opened: it is damaged or not a workbook this app reads. "
                        "Open it in Excel, save it as .xlsx and upload that.") from None


def read_table(source: Source, sheet: str | None, dataset: str,
               progress: Callable[[float], None] | None = None) -> RawTable:
    """Read one sheet under its header row (found below any title rows); ``progress`` is told the
    fraction read as a csv's rows arrive (a workbook is parsed in one go)."""
    if source.kind == "csv":
        return _read_csv(source, dataset, progress)
    return _read_excel(source, sheet, dataset)


NUMBER_LIKE = re.compile(r"^[-+(]?\s*[$€£¥]?\s*[\d.,' ]*\d[\d.,' ]*\)?%?$")


def _label(value: object) -> str | None:
    """A cell that can name a column: text that is not a number ('1,200' in a data row is not)."""
    if not isinstance(value, str) or not value.strip() or NUMBER_LIKE.match(value.strip()):
        return None
    return value.strip()


def _full_label_row(rows: list[list[object]], index: int) -> bool:
    """Row ``index`` has a distinct text label in every column that it or any row below it uses:
    a header, never a title (one cell) nor a data row (numbers, dates typed as numbers, repeats)."""
    row = rows[index]
    labels = [_label(v) for v in row]
    filled = [i for i, v in enumerate(row) if v is not None and str(v).strip()]
    named = [label.casefold() for label in labels if label]
    if len(named) < 2 or len(named) != len(filled) or len(set(named)) != len(named):
        return False
    used = {i for other in rows[index + 1:] for i, v in enumerate(other) if v is not None and str(v).strip()}
    return used <= set(filled)


def find_header_row(rows: list[list[object]], dataset: str) -> int:
    """The header row. The first row that is a full row of distinct labels is it, when no row above
    holds more of the dataset's known names (those rows are titles): a data row of words that
    happen to be field names ('Budget' in a scenario column) must never win over the real header.
    Otherwise the row with most known names, then most labels."""
    scanned = rows[:HEADER_SCAN_ROWS]
    best, best_score = None, (0, 0)
    for index, row in enumerate(scanned):
        texts = [label for label in map(_label, row) if label]
        if len(texts) < 2:
            continue
        score = (header_score(texts, dataset), len(texts))
        if _full_label_row(scanned, index) and (best is None or score[0] >= best_score[0]):
            return index
        if score > best_score:
            best, best_score = index, score
    if best is None:
        raise NoHeaderRow(f"No header row was found: the first {HEADER_SCAN_ROWS} rows hold fewer than two "
                          "column names.")
    return best


def _no_header(where: str) -> str:
    return (f"{where} has no header row: none of its first {HEADER_SCAN_ROWS} rows holds two or more column "
            "names side by side.")


def _other_sheets(others: list[str]) -> str:
    """How to read another sheet, in the Data page's words and the command line's."""
    if not others:
        return " Put the column names in one row above the data and upload it again."
    quoted = [f"'{name}'" for name in others]
    return (f" The workbook's other {'sheet is' if len(others) == 1 else 'sheets are'} {listing(quoted)}: "
            "choose the sheet to load in the Sheet list on the Data page, or name it with --sheet on the "
            f'command line (--sheet "{others[0]}").')


def _read_excel(source: Source, sheet: str | None, dataset: str) -> RawTable:
    """The chosen sheet, never another. With none chosen, the first sheet; when it is empty or has no
    header row (a ReadMe or cover sheet), the first sheet after it that has one, and a warning says
    which sheet was read and which were passed over."""
    reader = _excel_reader(source.data, source.name)
    names = reader.sheet_names
    if sheet is not None:
        if sheet not in names:
            raise ReadError(f"There is no sheet '{sheet}'. The workbook has: {', '.join(names)}.")
        try:
            return _read_sheet(reader, source, sheet, dataset)
        except NoHeaderRow as exc:
            raise NoHeaderRow(f"{exc}{_other_sheets([n for n in names if n != sheet])}", sheet) from None
    passed: list[tuple[str, str]] = []  # (sheet, why it was not read)
    for name in names:
        try:
            raw = _read_sheet(reader, source, name, dataset)
        except NoHeaderRow as exc:
            passed.append((name, str(exc)))
            continue
        if passed:
            raw.warnings.insert(0, _passed_over(name, [n for n, _ in passed], names))
        return raw
    first, why = passed[0]
    if len(names) == 1:
        raise NoHeaderRow(why + _other_sheets([]), first)
    others = listing([f"'{n}'" for n in names[1:]])
    raise NoHeaderRow(f"{why} Nor does any of the workbook's other sheets ({others}): put the column names in "
                      "one row above the data and upload it again.", first)


def _passed_over(read: str, passed: list[str], names: list[str]) -> str:
    """The warning that no sheet was chosen and the first ones had no header row: which sheet was
    read, which were passed over, and how to choose another."""
    rest = [n for n in names if n != read and n not in passed]
    skipped = naming("sheet", [f"'{n}'" for n in passed])
    others = listing([f"'{n}'" for n in rest])
    also = (f" The workbook also has {others}: to load "
            f"{'it' if len(rest) == 1 else 'one of those'} instead,") if rest else " To load another sheet,"
    example = (rest or [read])[0]
    return (f"Read sheet '{read}', the workbook's first sheet with a header row: {skipped} before it "
            f"{'has' if len(passed) == 1 else 'have'} none.{also} choose it in the Sheet "
            f'list on the Data page, or name it with --sheet on the command line (--sheet "{example}").')


def _read_sheet(reader: fastexcel.ExcelReader, source: Source, sheet: str, dataset: str) -> RawTable:
    try:
        table, header_cells, header, grid = None, [], 0, []
        values_in_row_one = _row_one_values(source.data, sheet)
        if values_in_row_one is None or values_in_row_one >= 2:  # one value or none: a title, not a header
            table, header_cells, header = _first_row_header(reader, sheet, dataset)
        if table is None:
            top = reader.load_sheet(sheet, header_row=None, skip_rows=0, n_rows=HEADER_SCAN_ROWS,
                                    dtypes="string").to_pandas()
            if top.empty:
                raise NoHeaderRow(f"Sheet '{sheet}' is empty.", sheet)
            grid = top.astype(object).where(top.notna(), None).values.tolist()
            try:
                header = find_header_row(grid, dataset)
            except NoHeaderRow:
                raise NoHeaderRow(_no_header(f"Sheet '{sheet}'"), sheet) from None
            header_cells = grid[header]
            table = _load_typed(reader, sheet, header)
    except ReadError:
        raise
    except Exception as exc:
        log.info("fastexcel could not read sheet %r of %r: %s", sheet, source.name, exc)
        raise ReadError(f"Sheet '{sheet}' could not be read: some of its cells are damaged or of a kind "
                        "this app does not read. Open it in Excel, save it as .xlsx and upload that.", sheet) from None
    _check_table_width(table, sheet)
    table = table.rename_columns(header_names(header_cells, table.num_columns))
    rows = np.arange(table.num_rows) + header + 2
    return RawTable(sheet, None, rows, header + 1, list(table.column_names), titles=title_rows(grid[:header]),
                    table=table)


def _load_typed(reader: fastexcel.ExcelReader, sheet: str, header: int) -> pa.Table:
    """The sheet under its header as Arrow, as fastexcel parses it (no pandas copy). Typed from every
    row (a text cell far down a number column is kept, for the check to report, not made null), and
    eager: fastexcel 0.21's lazy sheet infers those types holding Python's lock, 1-4 s at a time for
    a million rows, which froze every other session of the server; the eager read lets it go."""
    batch = reader.load_sheet(sheet, header_row=header, skip_rows=0, schema_sample_rows=None, eager=True)
    if batch.num_rows > EXCEL_MAX_ROWS:
        raise ReadError(f"Sheet '{sheet}' has more rows than Excel's {EXCEL_MAX_ROWS:,}.", sheet)
    return pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch


GENERATED_NAME = re.compile(r"^__UNNAMED__\d+$")


def _first_row_header(reader: fastexcel.ExcelReader, sheet: str, dataset: str
                      ) -> tuple[pa.Table | None, list[object], int]:
    """Most sheets have their header in row 1: read them once, typed, and keep that read when the
    header scan agrees. fastexcel parses a whole sheet on every load (0.6 s per 100,000 rows), so
    a separate scan of the top rows would double the cost. Names fastexcel made up (blank or
    repeated headers) send the sheet the slow way, which keeps the user's own header cells."""
    table = _load_typed(reader, sheet, 0)
    names = [str(c) for c in table.column_names]
    if not names:
        raise NoHeaderRow(f"Sheet '{sheet}' is empty.", sheet)
    made_up = any(GENERATED_NAME.match(n) for n in names) or any(
        (m := re.match(r"^(.*)_(\d+)$", n)) and m[1] in names for n in names)
    if made_up:
        return None, [], 0
    top = table.slice(0, HEADER_SCAN_ROWS - 1).to_pandas().astype(object)
    grid = [names, *top.where(top.notna(), None).values.tolist()]
    try:
        if find_header_row(grid, dataset) == 0:
            return table, names, 0
    except ReadError:
        pass
    return None, [], 0


XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XLSX_RELATION = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELATION = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _row_one_values(data: bytes, sheet: str) -> int | None:
    """How many cells of row 1 hold a value, from the first bytes of an xlsx sheet's XML; None when
    that cannot be told cheaply (not xlsx, an unusual writer, a very long row 1). A row 1 with
    fewer than two values cannot be the header (find_header_row needs two names), so the one-read
    path would only be a wasted parse of the whole sheet."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
            rel_id = next(s.get(f"{XLSX_RELATION}id") for s in book.iter(f"{XLSX_MAIN}sheet")
                          if s.get("name") == sheet)
            target = next(r.get("Target") for r in rels.iter(f"{PACKAGE_RELATION}Relationship")
                          if r.get("Id") == rel_id)
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            with archive.open(path) as stream:
                head = stream.read(SAMPLE_BYTES)
    except (KeyError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile, AttributeError):
        return None
    first = re.search(rb"<row\b([^>]*?)(/?)>", head)
    if first is None:
        return 0 if re.search(rb"<sheetData\s*/>|</sheetData>", head) else None
    number = re.search(rb'\br="(\d+)"', first[1])
    if (number and number[1] != b"1") or first[2]:
        return 0  # the first row written is below row 1 (row 1 is empty), or row 1 is <row/>
    end = head.find(b"</row>", first.end())
    if end < 0:
        return None
    cells = re.findall(rb"<c\b[^>]*?(?:/>|>(.*?)</c>)", head[first.end():end], re.S)
    return sum(1 for body in cells if re.search(rb"<(?:v|is)\b", body))


def _check_table_width(table: pa.Table, sheet: str) -> None:
    """Refuse sheets wider than anything the app maps: every column is a row on the Data page.
    Columns with neither a header nor a value (formatting dragged to the right) do not count."""
    if table.num_columns <= MAX_COLUMNS:
        return
    used = sum(1 for i, c in enumerate(table.column_names) if not GENERATED_NAME.match(str(c))
               or table.column(i).null_count < table.num_rows)
    if used > MAX_COLUMNS:
        raise ReadError(_too_wide(sheet, used), sheet)


def _too_wide(sheet: str, count: int | None) -> str:
    """``count`` None: more than the limit, but not counted (a CSV header longer than the sample)."""
    has = f"has {count:,} columns" if count else f"has more than {MAX_COLUMNS:,} columns"
    return (f"Sheet '{sheet}' {has}; this app reads at most {MAX_COLUMNS:,}. "
            "Keep only the columns you want to load and upload it again.")


def header_names(header_cells: list[object], width: int) -> list[str]:
    """The user's headers, trimmed and without invisible characters; blank ones named by letter,
    repeats numbered."""
    headers = [tidy_text(str(v)).strip() if v is not None else "" for v in header_cells]
    headers += [""] * (width - len(headers))
    return _unique_headers(headers[:width])


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        h = h or f"Column {column_letter(i)}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        out.append(h)
    return out


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column position (0 → A, 27 → AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def detect_encoding(sample: bytes, truncated: bool = False) -> str:
    """utf-8 (with or without BOM), utf-16, else Windows-1252 / Latin-1; ``truncated``: the sample is a
    file's head, so a multi-byte character may be cut at its end."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith(codecs.BOM_UTF16_LE) or sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if b"\x00" in sample:
        return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(sample) - 3:  # the sample cut a character in half
            return "utf-8"
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sum(line.count(d) for line in lines) for d in ",;\t|"}
        return max(counts, key=counts.get) if max(counts.values()) else ","


def _read_csv(source: Source, dataset: str, progress: Callable[[float], None] | None = None) -> RawTable:
    sheet = source.sheets[0]
    with _csv_text(source) as text:
        return _read_csv_text(source, text, sheet, dataset, progress)


def _read_csv_text(source: Source, text: CsvText, sheet: str, dataset: str,
                   progress: Callable[[float], None] | None) -> RawTable:
    sample = text.head.decode("utf-8", "ignore")
    delimiter = detect_delimiter(sample)
    try:
        grid = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:HEADER_SCAN_ROWS]
    except csv.Error:  # a cell over 128 KB in the first rows: not a table anyone typed
        raise ReadError(f"'{source.name}' could not be read as a table: a cell in its first rows is "
                        "longer than 100,000 characters.") from None
    if not any(any(cell.strip() for cell in row) for row in grid):
        raise ReadError(f"'{source.name}' has no rows.")
    if max(len(row) for row in grid) > MAX_COLUMNS:  # counted exactly only when the sample is the whole file
        raise ReadError(_too_wide(sheet, max(len(row) for row in grid) if text.size <= SAMPLE_BYTES else None))
    try:
        header = find_header_row([[c if c.strip() else None for c in row] for row in grid], dataset)
    except NoHeaderRow:
        raise NoHeaderRow(_no_header(f"'{source.name}'") + " Put the column names in one row above the data "
                          "and upload it again.", sheet) from None
    lines = max(text.count(b"\n") - header, 1) if progress else 0  # about one row a line
    table = _arrow_csv(str(text.path), delimiter, header, grid[header], text.size, lines, progress)
    if table is None:
        table = _duckdb_csv(str(text.path), delimiter, header, source.name, lines, progress)
    _check_table_width(table, sheet)
    table = table.rename_columns(header_names(grid[header], table.num_columns))
    rows = text.row_numbers(header, table.num_rows)
    if table.num_rows + header + 1 > EXCEL_MAX_ROWS * 4:
        raise ReadError(f"'{source.name}' has more than {EXCEL_MAX_ROWS * 4:,} rows.")
    warnings = [_legacy_warning(source.name, text.legacy_lines)] if text.legacy_lines else []
    return RawTable(sheet, None, rows, header + 1, list(table.column_names), warnings, title_rows(grid[:header]),
                    table=table)


def title_rows(rows: list[list[object]]) -> list[tuple[int, str]]:
    """The text of each non-empty row above the header, with its spreadsheet row: titles such as
    'Amounts in $K' or 'FY2026 budget' say what the numbers below are."""
    found = []
    for index, row in enumerate(rows):
        text = " ".join(str(v).strip() for v in row if v is not None and str(v).strip())
        if text:
            found.append((index + 1, tidy_text(text)))
    return found


@dataclass
class CsvText:
    """A csv as UTF-8 in a file DuckDB reads: the upload itself when it lies on disk as UTF-8, else
    a converted copy (``data``, held by the caller anyway). Whatever is asked of the whole text
    is asked of ``data`` when there is one, else of the file a step at a time."""

    path: Path
    legacy_lines: list[int]
    data: bytes | None = None
    bom: int = 0  # bytes of a UTF-8 byte order mark at the file's start, which DuckDB skips itself

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size - self.bom

    @property
    def head(self) -> bytes:
        if self.data is not None:
            return self.data[:SAMPLE_BYTES]
        with self.path.open("rb") as file:
            file.seek(self.bom)
            return file.read(SAMPLE_BYTES)

    def count(self, needle: bytes) -> int:
        if self.data is not None:
            return self.data.count(needle)
        return sum(step.count(needle) for step in _steps(self.path))

    def row_numbers(self, header: int, count: int) -> np.ndarray:
        if self.data is None:
            if self.count(b"\n") + _ends_open(self.path) - header - 1 == count:
                # a row a line: no empty line, no line break inside a cell (either leaves fewer rows than lines)
                return np.arange(count) + header + 2
        return _csv_row_numbers(self.data if self.data is not None else self.path.read_bytes(), header, count)


def _ends_open(path: Path) -> bool:
    """Whether the file's last line has no line break after it (then it is a line the count misses)."""
    with path.open("rb") as file:
        if file.seek(0, 2) == 0:
            return False
        file.seek(-1, 2)
        return file.read(1) != b"\n"


def _steps(path: Path) -> Iterator[bytes]:
    """The file a step at a time."""
    with path.open("rb") as file:
        while step := file.read(STEP_BYTES):
            yield step


@contextmanager
def _csv_text(source: Source) -> Iterator[CsvText]:
    if source.path is not None:
        with source.path.open("rb") as file:
            head = file.read(SAMPLE_BYTES)
        encoding = detect_encoding(head, truncated=len(head) == SAMPLE_BYTES)
        bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        if encoding in ("utf-8", "utf-8-sig") and _file_is_utf8(source.path, bom):
            yield CsvText(source.path, [], bom=bom)
            return
        source = replace(source, data=source.path.read_bytes(), path=None)  # converted: held as before
    utf8, legacy_lines = _as_utf8(source)
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        tmp.write(utf8)
        tmp.flush()
        yield CsvText(Path(tmp.name), legacy_lines, data=utf8)


def _file_is_utf8(path: Path, skip: int) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for index, step in enumerate(_steps(path)):
            if step.isascii() and not decoder.getstate()[0]:
                continue  # ASCII is UTF-8, and no character was cut at the step before: a tenth of decoding
            decoder.decode(step[skip:] if index == 0 else step)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _as_utf8(source: Source) -> tuple[bytes, list[int]]:
    """The file's text as UTF-8 bytes for DuckDB, and the lines that had to be read as Windows-1252
    in a file that is otherwise UTF-8 (empty when the file is one encoding throughout)."""
    data = source.data
    encoding = detect_encoding(data[:SAMPLE_BYTES], truncated=len(data) > SAMPLE_BYTES)
    if not encoding.startswith("utf-16"):
        return utf8_by_line(data[3:] if encoding == "utf-8-sig" else data)
    try:
        return data.decode(encoding).lstrip("\ufeff").encode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data[:exc.start].decode(encoding, "ignore").count("\n") + 1
        raise ReadError(f"'{source.name}' is UTF-16 text but row {line} is not: save the file again "
                        "as CSV UTF-8 and upload that.") from None


def utf8_by_line(data: bytes) -> tuple[bytes, list[int]]:
    """Each line decoded on its own: a line that is valid UTF-8 is UTF-8, any other is Windows-1252
    (Latin-1 for the five bytes cp1252 leaves undefined). Files pasted together from two exports
    mix them, and one guess for the whole file turns half of its accents into mojibake ("CafÃ©").
    Returns the UTF-8 bytes and the 1-based lines read as cp1252 when lines of both kinds hold
    accents; a file that is cp1252 throughout is the usual Windows export and gets no list."""
    if _is_utf8(data):
        return data, []
    if not UTF8_SEQUENCE.search(data):  # no line could be UTF-8 beyond ASCII: one legacy text
        return _legacy(data).encode("utf-8"), []
    buffer = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buffer == 10)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    non_ascii = np.unique(np.searchsorted(ends, np.flatnonzero(buffer >= 0x80)))  # line index per byte
    pieces, legacy, utf8_lines, last = [], [], 0, 0
    for index in non_ascii.tolist():
        start, stop = int(starts[index]), int(stops[index])
        line = data[start:stop]
        try:
            line.decode("utf-8")
            utf8_lines += 1
            continue
        except UnicodeDecodeError:
            pass
        pieces += [data[last:start], _legacy(line).encode("utf-8")]
        last = stop
        legacy.append(index + 1)
    pieces.append(data[last:])
    return b"".join(pieces), (legacy if utf8_lines else [])


UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")  # how any accent begins in UTF-8


def _legacy(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _is_utf8(data: bytes) -> bool:
    """Checked in 16 MB steps, so a large file is never held twice as text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view, step = memoryview(data), 16 * 2**20
    try:
        for offset in range(0, len(data), step):
            decoder.decode(view[offset:offset + step], final=offset + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _legacy_warning(name: str, lines: list[int]) -> str:
    one = len(lines) == 1
    return (f"{naming('Row', lines)} of '{name}' {'is' if one else 'are'} not UTF-8 and {'was' if one else 'were'} "
            "read as Windows-1252 (Western European); the other rows are UTF-8. Check the accented letters in "
            f"{'that row' if one else 'those rows'}.")


def _csv_failure(name: str, detail: str) -> str:
    """DuckDB's reason, told as a sentence; its own words go to the log only."""
    line = re.search(r"\bLine: (\d+)", detail)
    where = f" at row {int(line[1])}" if line else ""
    if "maximum line size" in detail.lower():
        return (f"'{name}' could not be read{where}: the row is longer than 2 MB. Check that its quote "
                "marks are closed, or split the file.")
    return (f"'{name}' could not be read as a table{where}: its rows could not be split into columns "
            "(often a quote mark that opens a cell and never closes). Save it again from Excel as CSV "
            "and upload that.")


# Types DuckDB's reader gives a csv's columns (auto_type_candidates BIGINT, DOUBLE, VARCHAR) and the
# validation takes as read; dates and times pyarrow infers are taken too (a workbook's are typed alike).
ARROW_TYPES = (pa.types.is_int64, pa.types.is_float64, pa.types.is_string, pa.types.is_date32,
               lambda t: pa.types.is_timestamp(t) and t.tz is None)
WHOLE_READ_BYTES = 32 * 2**20  # a csv up to this size is read in one call (its bytes held besides the table)
NEVER = ["\x00"]  # a cell no csv holds: pyarrow reads no column as true/false (DuckDB's reader does not either)


def _arrow_csv(path: str, delimiter: str, header: int, names: list[str], size: int = 0, lines: int = 0,
               progress: Callable[[float], None] | None = None) -> pa.Table | None:
    """The usual csv (rectangular, each column of one type throughout) by pyarrow's multi-threaded
    reader: 3x faster than DuckDB's on 100,000 rows, half of whose time is its sniffer. None for
    anything else (a short or long row, a type that changes after the first block, a row longer
    than a block, a header it reads differently): DuckDB's reader then reads it, padding short rows.
    Read like DuckDB's: only an empty cell is blank ("NA" is North America), quotes doubled inside
    quotes (RFC 4180, as Excel writes), line breaks allowed inside quotes, empty lines skipped.
    A file over WHOLE_READ_BYTES, or one whose reading is told to ``progress``, is streamed in about
    twenty blocks: the one-call reader is faster but holds the whole file besides the table (1M rows:
    0.4 s and 430 MB peak, streamed 0.55 s and 290 MB, DuckDB's reader 1.0 s and 330 MB)."""
    parse = pa_csv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                                newlines_in_values=True, ignore_empty_lines=True)
    convert = pa_csv.ConvertOptions(null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
                                    true_values=NEVER, false_values=NEVER + NEVER)
    try:
        if progress is None and size <= WHOLE_READ_BYTES:
            table = pa_csv.read_csv(path, read_options=pa_csv.ReadOptions(skip_rows=header), parse_options=parse,
                                    convert_options=convert)
        else:
            block = max(size // 19 + 1, 1 << 16)  # a longer row: DuckDB reads the file
            reader = pa_csv.open_csv(path, read_options=pa_csv.ReadOptions(skip_rows=header, block_size=block),
                                     parse_options=parse, convert_options=convert)
            table = _one_chunk(_in_batches(reader, lines, progress), reader.schema)
    except (pa.ArrowException, OSError) as exc:
        log.info("pyarrow left %r to DuckDB's reader: %s", path, exc)
        return None
    if table.column_names != [str(n) for n in names]:  # skip_rows counted differently (an empty line above)
        return None
    columns = []
    for column in table.columns:
        if pa.types.is_null(column.type):
            column = column.cast(pa.string())  # an empty column: DuckDB's is text
        elif not any(is_type(column.type) for is_type in ARROW_TYPES):
            return None  # a time of day, say: DuckDB's reader keeps its text
        columns.append(column)
    return pa.table(columns, names=[f"column{i}" for i in range(len(columns))])


def _one_chunk(batches: list[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    """The streamed blocks (the list is emptied) joined into one array a column, a column at a time,
    so the peak is one column over the table, not two tables. Left in blocks, the insert of the
    checked rows held 270 MB more at 1M rows than the same rows read in one piece."""
    table = pa.Table.from_batches(batches, schema)
    batches.clear()
    names, columns = table.column_names, []
    while table.num_columns:
        columns.append(table.column(0).combine_chunks())
        table = table.remove_column(0)
    return pa.table(columns, names=names)


def _duckdb_csv(path: str, delimiter: str, header: int, name: str, lines: int = 0,
                progress: Callable[[float], None] | None = None) -> pa.Table:
    """Typed by DuckDB's sniffer first; a column whose later rows break the sniffed type is read
    as text and parsed by us. A cell with a line break inside quotes (Alt+Enter in Excel) needs the
    single-threaded reader: DuckDB's parallel one refuses it together with null_padding."""
    con = duckdb.connect()
    base = (f"read_csv(?, delim=?, skip={int(header)}, header=true, null_padding=true, quote='\"', "
            "strict_mode=false, ")
    typed, text = "auto_type_candidates=['BIGINT','DOUBLE','VARCHAR']", "all_varchar=true"
    attempts, failure = [typed, text], ""
    try:
        while attempts:
            options = attempts.pop(0)
            try:
                # execute, not sql(params=...): DuckDB materialises a parametrised relation first (8x the time)
                result = con.execute(f"SELECT * FROM {base} {options})", [path, delimiter])
                if progress is None:
                    return result.to_arrow_table()
                reader = result.to_arrow_reader(max(lines // 19 + 1, 10_000))
                return pa.Table.from_batches(_in_batches(reader, lines, progress), reader.schema)
            except duckdb.Error as exc:
                failure = str(exc)
                if "parallel=false" in failure and "parallel" not in options:
                    attempts = [f"{typed}, parallel=false", f"{text}, parallel=false"]
        log.info("DuckDB could not read %r: %s", name, failure)
        raise ReadError(_csv_failure(name, failure))
    finally:
        con.close()


def _in_batches(reader: pa.RecordBatchReader, lines: int,
                progress: Callable[[float], None] | None) -> list[pa.RecordBatch]:
    """The rows as they arrive, about twenty batches, telling ``progress`` (if any) how far they have got."""
    batches, done = [], 0
    for batch in reader:
        batches.append(batch)
        done += batch.num_rows
        if progress:
            progress(min(done / max(lines, 1), 1.0))
    return batches


def _csv_row_numbers(utf8: bytes, header: int, count: int) -> np.ndarray:
    """The spreadsheet rows of the data rows, as Excel shows the file: DuckDB drops empty lines, so
    they are counted back in, and a line break inside a quoted cell (an even number of quote marks
    before a line break ends a row, an odd one is inside a cell) stays in its row."""
    start = header + 2
    if b"\n\n" not in utf8 and b"\n\r\n" not in utf8:
        return np.arange(count) + start
    buffer = np.frombuffer(utf8, dtype=np.uint8)
    ends = np.flatnonzero(buffer == 10)
    quotes = np.flatnonzero(buffer == 34)
    if len(quotes):
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
    starts = np.concatenate(([0], ends + 1))[: len(ends) + 1]
    stops = np.concatenate((ends, [len(buffer)]))
    lengths = stops - starts
    crlf = (lengths == 1) & (buffer[np.minimum(starts, len(buffer) - 1)] == 13)
    nonempty = np.flatnonzero(~((lengths == 0) | crlf)) + 1  # 1-based line numbers
    data_lines = nonempty[nonempty >= start]
    if len(data_lines) >= count:
        return data_lines[:count]
    return np.arange(count) + start
