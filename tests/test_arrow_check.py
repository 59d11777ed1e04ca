"""The Arrow check of plain spend files gives exactly what the row-by-row path gives, and steps
aside (returns None) whenever there is something to reshape, skip or report."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from alignment.arrow_check import check_plain
from alignment.mapping import propose_mapping
from alignment.reading import RawTable, open_source, read_table
from alignment.validation import validate
from tests.conftest import csv_bytes, xlsx

MESSY = ("Month,Business Unit,Cost Centre,RGT,Capex/Opex,Supplier,Actual ($000),Budget,Notes,Empty\n"
         "Jan-2025,  Retail ,101, run ,capital,AWS\u00a0Inc,\"$1,234.50\",10,a,\n"
         "2025-02,Retail\u200b,102,Grow,Opex,n/a,(250.00),20,,\n"
         "202503,Cafe\u0301,103,transform,OPEX,MSFT  Corp,7,30,b,\n"
         "03/15/2025,Ops,104,RTB,opex,SAP,1.5,40,,\n")


def _both(raw: RawTable, dataset: str = "spend", **options):
    mapping = propose_mapping(raw.headers, dataset)
    rows = RawTable(raw.sheet, raw.frame.copy(), raw.row_numbers, raw.header_row, raw.headers, list(raw.warnings),
                    list(raw.titles))  # the same cells without their Arrow table: the row-by-row path
    return validate(raw, dataset, mapping, **options), validate(rows, dataset, mapping, **options), mapping


def _cells(frame: pd.DataFrame) -> dict[str, list]:
    return {c: [None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v
                for v in frame[c].tolist()] for c in frame.columns}


@pytest.mark.parametrize("data,name", [
    (csv_bytes(MESSY), "messy.csv"),
    (MESSY.replace("\u200b", "").replace("Cafe\u0301", "Café").encode("cp1252"), "legacy.csv"),
    (b"\xef\xbb\xbf" + csv_bytes(MESSY), "bom.csv"),
    (xlsx([["Month", "Business Unit", "Cost Centre", "Actual", "Vendor"],
           [dt.date(2025, 1, 31), " Retail ", 101, 5.5, "AWS"], [dt.datetime(2025, 2, 3, 10), "Ops", "CC-2", 7, None]]),
     "book.xlsx"),
])
def test_plain_files_match_the_row_by_row_path(data, name):
    raw = read_table(open_source(data, name), None, "spend")
    assert check_plain(raw, "spend", propose_mapping(raw.headers, "spend"), 1) is not None  # the Arrow path ran
    fast, slow, _ = _both(raw)
    assert not fast.errors and not slow.errors
    assert _cells(fast.frame) == _cells(slow.frame)
    assert list(fast.frame.columns) == list(slow.frame.columns)
    assert fast.warnings == slow.warnings and fast.amount_scales == slow.amount_scales
    assert list(fast.source_rows) == list(slow.source_rows) and fast.skipped == slow.skipped == 0


def test_the_messy_file_reads_as_the_parsers_say():
    raw = read_table(open_source(csv_bytes(MESSY), "messy.csv"), None, "spend")
    fast, _, _ = _both(raw)
    cells = _cells(fast.frame)
    assert cells["period"] == [dt.date(2025, m, 1) for m in (1, 2, 3, 3)]
    assert cells["business_unit"] == ["Retail", "Retail", "Café", "Ops"]  # trimmed, zero-width gone, NFC
    assert cells["vendor"] == ["AWS Inc", None, "MSFT Corp", "SAP"]  # no-break space, n/a, double space
    assert cells["cost_center"] == ["101", "102", "103", "104"]
    assert cells["rgt"] == ["Run", "Grow", "Transform", "Run"]
    assert cells["capex_opex"] == ["Capex", "Opex", "Opex", "Opex"]
    assert cells["actual"] == [1234500.0, -250000.0, 7000.0, 1500.0]  # in thousands
    assert "Column 'Notes' was not loaded: it matches no IT spend field." in fast.warnings  # 'Empty' has no value


@pytest.mark.parametrize("body,why", [
    ("2025-01,Retail,5\n,,\n2025-02,Ops,6\n", "a blank row"),
    ("2025-01,Retail,5\nTotal,,5\n", "a total row"),
    ("2025-01,Retail,5\n2025-13,Ops,6\n", "an unreadable month"),
    ("2025-01,Retail,5\n2025-02,Ops,abc\n", "an unreadable amount"),
    ("2025-01,,5\n", "a required cell blank"),
    ("2025-01,Retail,\n2025-02,Ops,6\n", "a line with no amount"),
    ("1850-01,Retail,5\n", "a month out of range"),
    ("2025-01,Retail,1e16\n", "an amount too large"),
    ("2025-01,Retail,nan\n2025-02,Ops,4\n", "a NaN the sniffer typed as a number"),
])
def test_anything_to_skip_or_report_takes_the_row_by_row_path(body, why):
    raw = read_table(open_source(csv_bytes("Month,Business Unit,Actual\n" + body), "x.csv"), None, "spend")
    assert check_plain(raw, "spend", propose_mapping(raw.headers, "spend"), 1) is None, why
    fast, slow, _ = _both(raw)
    assert [p.message for p in fast.errors] == [p.message for p in slow.errors]
    assert fast.warnings == slow.warnings and fast.skipped == slow.skipped


def test_other_layouts_and_datasets_take_the_row_by_row_path():
    long = read_table(open_source(csv_bytes("Month,BU,Scenario,Amount\n2025-01,Retail,Budget,1\n"), "l.csv"),
                      None, "spend")
    assert check_plain(long, "spend", propose_mapping(long.headers, "spend"), 1) is None
    across = read_table(open_source(csv_bytes("BU,Jan-2025,Feb-2025\nRetail,1,2\n"), "a.csv"), None, "spend")
    assert check_plain(across, "spend", propose_mapping(across.headers, "spend"), 1) is None
    projects = read_table(open_source(csv_bytes("Project ID,Name\nP1,One\n"), "p.csv"), None, "projects")
    assert check_plain(projects, "projects", propose_mapping(projects.headers, "projects"), 1) is None


def test_an_error_row_is_named_as_before_through_ingest(store):
    from alignment.ingest import ingest

    data = csv_bytes("Month,Business Unit,Actual\n2025-01,Retail,5\n\n2025-02,Ops,oops\n")
    result = ingest(store, data, "gl.csv", "spend")
    assert result.status == "rejected"
    assert [e["message"] for e in result.errors] == [
        "Sheet 'gl', row 4, column C ('Actual'): 'oops' is not an amount."]


def test_checked_text_is_a_dictionary_of_its_distinct_values():
    """Each text column comes back as its distinct values plus an index per row (what lets the
    file's own strings go before the write); the cells read the same."""
    import pyarrow as pa

    raw = read_table(open_source(csv_bytes(MESSY), "messy.csv"), None, "spend")
    table, _ = check_plain(raw, "spend", propose_mapping(raw.headers, "spend"), 1)
    assert pa.types.is_dictionary(table.column("vendor").type)
    assert pa.types.is_dictionary(table.column("business_unit").type)
    assert sorted(table.column("business_unit").combine_chunks().dictionary.to_pylist()) == ["Café", "Ops", "Retail"]
    assert table.column("business_unit").to_pylist() == ["Retail", "Retail", "Café", "Ops"]
    assert table.column("period").type == pa.date32() and table.column("actual").type == pa.float64()
