"""Checking a plain spend table over its Arrow columns, without a pandas copy of its rows.

A million-row upload has a few hundred distinct values per column: each distinct value is parsed
once by the very parsers validation uses (alignment.parsing), and whole columns are then mapped
and tested in Arrow's vectorised kernels. Only the plain case is handled here: spend with a period
column, nothing to reshape, skip or report. Anything else (a layout to unfold, a blank or total
row, one unreadable cell, a NaN) returns None and validation's row-by-row path runs instead, so
every message and row number stays exactly that path's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment import schema
from alignment.parsing import MAX_AMOUNT, NEEDS_TIDY, PARSERS, ParseError, guess_dayfirst, parse_month, tidy_text
from alignment.reading import RawTable

DATASETS = {"spend"}
AMOUNTS = ("budget", "actual", "forecast")
# A text cell clean_text would change: what tidy_text rewrites, a no-break space, spaces at either
# end, or two blanks in a row. Cells that match none pass through untouched, in Arrow.
DIRTY_TEXT = f"{NEEDS_TIDY}|\u00a0|^\\s|\\s$|\\s\\s"
BLANK_TEXT = {"", "n/a", "na", "none", "null", "nan", "#n/a", "tbd", "tbc", "?"}  # parsing.BLANK_WORDS

Progress = Callable[[float], None]


class NotPlain(Exception):
    """The table needs the row-by-row path (it has something to reshape, skip or report)."""


def check_plain(raw: RawTable, dataset: str, mapping: Mapping[str, str], fiscal_start: int,
                progress: Progress | None = None) -> tuple[pa.Table, dict[str, str]] | None:
    """The parsed columns of ``raw.table`` (canonical names, in the dataset's order) when the file
    is plain and every cell reads; None when validation must take the row-by-row path."""
    table = raw.table
    if table is None or dataset not in DATASETS or table.num_rows == 0:
        return None
    ds = schema.get_dataset(dataset)
    fields = set(mapping.values())
    if fields - {c.name for c in ds.stored_columns} or not {"period", "business_unit"} <= fields \
            or not fields & set(AMOUNTS) or len(fields) != len(mapping):
        return None  # a GL, long or debit/credit layout, a missing field: validation says what to do
    header_of = {column: header for header, column in mapping.items()}
    table = _text_encoded(table)
    try:
        _refuse_nan(table)
        if _has_blank_row(table) or _has_total_row(table):
            raise NotPlain
        parsed: dict[str, pa.ChunkedArray] = {}
        wanted = [c for c in ds.columns if c.name in header_of]
        for done, column in enumerate(wanted):
            parsed[column.name] = _parse(table.column(header_of[column.name]), column.kind, fiscal_start)
            if progress:
                progress((done + 1) / len(wanted))
        for name in ("period", "business_unit"):
            if parsed[name].null_count:
                raise NotPlain  # "… is required but blank", said by the row-by-row path
        if _outside(parsed["period"]):
            raise NotPlain
        amounts = [parsed[a] for a in AMOUNTS if a in parsed]
        none = amounts[0].is_null()
        for more in amounts[1:]:
            none = pc.and_(none, more.is_null())
        if pc.any(none).as_py():
            raise NotPlain  # a line with no amount
    except NotPlain:
        return None
    return pa.table({name: _encoded(column) for name, column in parsed.items()}), header_of


def _is_text(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def _text_encoded(table: pa.Table) -> pa.Table:
    """Text columns as one shared dictionary per column, encoded once: every check and parse below
    then reads each column's distinct values off its dictionary instead of hashing the column again
    (three passes per text column before: about 16 ms per 100,000 rows)."""
    return pa.table([_encoded(c) for c in table.columns], names=table.column_names).unify_dictionaries()


def _encoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text as a dictionary of its distinct values and a small index per row: a million-row
    column of a few hundred names then takes 4 MB instead of 15, the file's own strings can be let
    go once checked (RawTable.drop_cells), and DuckDB stores it without copying a string per row."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.dictionary_encode()
    return column


def _outside(months: pa.ChunkedArray) -> bool:
    """Whether a month falls outside validation's sane range."""
    from alignment.validation import EARLIEST, LATEST

    low, high = pa.scalar(EARLIEST, pa.date32()), pa.scalar(LATEST, pa.date32())
    return bool(pc.any(pc.or_(pc.less(months, low), pc.greater(months, high))).as_py())


def _refuse_nan(table: pa.Table) -> None:
    """pandas counts NaN as blank and Arrow does not: a file with one is left to pandas."""
    for column in table.columns:
        if pa.types.is_floating(column.type) and pc.any(pc.is_nan(column)).as_py():
            raise NotPlain


def _distinct(column: pa.ChunkedArray) -> list[Any]:
    """The column's distinct non-null values in the order they first appear (an encoded column's
    dictionary, which every chunk shares)."""
    if pa.types.is_dictionary(column.type):
        return column.chunk(0).dictionary.drop_null().to_pylist() if column.num_chunks else []
    return pc.unique(column).drop_null().to_pylist()


def _has_blank_row(table: pa.Table) -> bool:
    """Whether a row has nothing in any cell (spaces count as nothing), as validation.blank_rows
    says; stops at the first column that has no blank cell at all, usually the first."""
    mask: np.ndarray | None = None
    for column in table.columns:
        if _is_text(column.type):
            blanks = [v for v in _distinct(column) if not v.strip()]
            if not column.null_count and not blanks:
                return False
            here = column.is_null()
            if blanks:
                here = pc.or_(here, pc.is_in(column, value_set=pa.array(blanks, pa.string())))
        elif pa.types.is_null(column.type):
            continue
        else:
            if not column.null_count:
                return False
            here = column.is_null()
        here = np.asarray(here.to_numpy(), dtype=bool)
        mask = here if mask is None else mask & here
        if not mask.any():
            return False
    return mask is not None and bool(mask.any())


def _has_total_row(table: pa.Table) -> bool:
    """Whether a text cell of the first four columns starts a total or subtotal line."""
    from alignment.validation import TOTAL_ROW

    for column in table.columns[:4]:
        if _is_text(column.type):
            if any(TOTAL_ROW.match(v) for v in _distinct(column)):
                return True
    return False


def _parse(column: pa.ChunkedArray, kind: str, fiscal_start: int) -> pa.ChunkedArray:
    """One column parsed as parsing.parse_series would, or NotPlain on any unreadable cell."""
    if kind in (schema.MONEY, schema.NUMBER) and (pa.types.is_floating(column.type)
                                                  or pa.types.is_integer(column.type)):
        numbers = column.cast(pa.float64())
        if pc.any(pc.greater_equal(pc.abs(numbers), MAX_AMOUNT)).as_py():
            raise NotPlain
        return numbers
    if pa.types.is_boolean(column.type) or (pa.types.is_null(column.type) and kind != schema.TEXT):
        raise NotPlain
    values = _distinct(column)
    if kind == schema.MONTH:
        dayfirst = guess_dayfirst(pd.Series(values, dtype=object))

        def parser(v: Any) -> Any:
            return parse_month(v, dayfirst, fiscal_start)
        target = pa.date32()
    else:
        parser = PARSERS[kind]
        target = pa.float64() if kind in (schema.MONEY, schema.NUMBER) else pa.string()
    if _is_text(column.type) and target == pa.string():
        return _clean_text_column(column, values, parser)
    parsed = _each(values, parser)
    return _mapped(column, values, parsed, target)


def _each(values: Iterable[Any], parser: Callable[[Any], Any]) -> list[Any]:
    out = []
    for value in values:
        try:
            out.append(parser(tidy_text(value) if isinstance(value, str) else value))
        except ParseError:
            raise NotPlain from None
    return out


def _clean_text_column(column: pa.ChunkedArray, values: list[str], parser: Callable[[Any], Any]) -> pa.ChunkedArray:
    """Text as clean_text (or a word parser) leaves it: only the distinct values a regular
    expression finds dirty, or that are blank words, go through Python; a column where none
    changes is passed on as it is, without a copy."""
    distinct = pa.array(values, pa.string())
    suspect = pc.or_(pc.match_substring_regex(distinct, DIRTY_TEXT),
                     pc.is_in(pc.utf8_lower(distinct), value_set=pa.array(sorted(BLANK_TEXT))))
    if parser is not PARSERS[schema.TEXT]:
        suspect = pa.array(np.ones(len(values), dtype=bool))  # a word list maps every value
    changed = [v for v, s in zip(values, suspect.to_pylist(), strict=True) if s]
    parsed = _each(changed, parser)
    if all(p == v for p, v in zip(parsed, changed, strict=True)):
        return column
    return _mapped(column, changed, parsed, pa.string(), keep_others=True)


def _mapped(column: pa.ChunkedArray, values: list[Any], parsed: list[Any], target: pa.DataType,
            keep_others: bool = False) -> pa.ChunkedArray:
    """Each cell replaced by the parsed value of its distinct value (null for blanks); with
    ``keep_others``, cells whose value is not among ``values`` stay as they are."""
    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    lookup = pa.array(values, kind) if values else pa.array([], kind)
    replacement = pa.array(parsed, target)
    if pa.types.is_dictionary(column.type):  # map the shared dictionary once, then each row by its index
        dictionary = column.chunk(0).dictionary
        codes = pc.index_in(dictionary, value_set=lookup)
        taken = pc.take(replacement, codes)
        mapped = pc.if_else(pc.is_null(codes), dictionary.cast(target), taken) if keep_others else taken
        return pa.chunked_array([pc.take(mapped, chunk.indices) for chunk in column.chunks], target)
    chunks = []
    for chunk in column.chunks:
        codes = pc.index_in(chunk, value_set=lookup)
        taken = pc.take(replacement, codes)
        chunks.append(pc.if_else(pc.is_null(codes), chunk.cast(target), taken) if keep_others else taken)
    return pa.chunked_array(chunks, target)
