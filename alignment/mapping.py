"""Matching users' column headers to canonical columns.

Headers are normalised (case, units in brackets, punctuation) and matched against each column's
synonyms: exact matches first, then a synonym standing as whole words inside a longer header.
A user's corrections override the guess and are remembered per header set.
"""

from __future__ import annotations

import hashlib
import re

from alignment.schema import get_dataset


def normalise(header: str) -> str:
    """'Actual (USD) ' → 'actual'; 'Cost_Centre' → 'cost centre'."""
    text = str(header).lower().replace("\u00a0", " ")
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    text = re.sub(r"[_\-./:#$€£*]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _synonyms(dataset: str) -> dict[str, list[str]]:
    return {
        c.name: [normalise(c.name)] + [normalise(s) for s in c.synonyms]
        for c in get_dataset(dataset).columns
    }


def header_score(headers: list[str], dataset: str) -> int:
    """How many of these headers are known words for the dataset (finds the header row)."""
    known = {s for names in _synonyms(dataset).values() for s in names}
    return sum(1 for h in headers if normalise(h) in known)


def propose_mapping(headers: list[str], dataset: str) -> dict[str, str]:
    """{user header: canonical column} for every header we recognise; each column used once."""
    synonyms = _synonyms(dataset)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    normalised = {h: normalise(h) for h in headers}
    # Pass 1: exact matches, in the order of each column's synonym list (earlier = stronger).
    for rank in range(max(len(v) for v in synonyms.values())):
        for column, names in synonyms.items():
            if column in taken or rank >= len(names):
                continue
            for header in headers:
                if header not in mapping and normalised[header] == names[rank]:
                    mapping[header] = column
                    taken.add(column)
                    break
    # Pass 2: a multi-word synonym inside a longer header ("Total Actual Spend"). Single words are
    # too loose here: "We measure IT value" is a survey question, not the 'value' column.
    for header in headers:
        if header in mapping:
            continue
        words = f" {normalised[header]} "
        for column, names in synonyms.items():
            if column in taken:
                continue
            if any(" " in n and f" {n} " in words for n in names):
                mapping[header] = column
                taken.add(column)
                break
    return mapping


def apply_overrides(mapping: dict[str, str], overrides: dict[str, str | None], headers: list[str],
                    dataset: str) -> dict[str, str]:
    """The user's word wins: 'Header=column' sets, 'Header=' (None) drops a guess."""
    columns = {c.name for c in get_dataset(dataset).columns}
    result = dict(mapping)
    for header, column in overrides.items():
        if header not in headers:
            raise ValueError(f"There is no column '{header}' in the file. Its columns are: {', '.join(headers)}.")
        if column and column not in columns:
            raise ValueError(f"'{column}' is not a field of {dataset}. Fields: {', '.join(sorted(columns))}.")
        if column:
            for other, target in list(result.items()):
                if target == column and other != header:
                    del result[other]
            result[header] = column
        else:
            result.pop(header, None)
    return result


def parse_map_arguments(items: list[str]) -> dict[str, str | None]:
    """CLI '--map "Header=column"' pairs."""
    overrides: dict[str, str | None] = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--map takes 'Header=column', not '{item}'.")
        header, column = item.rsplit("=", 1)
        overrides[header.strip()] = column.strip() or None
    return overrides


def header_signature(headers: list[str]) -> str:
    """Identifies 'the same spreadsheet layout as last month' for remembered mappings."""
    joined = "\x1f".join(sorted(normalise(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]
