"""Matching users' column headers to canonical columns.

Headers are normalised (case, units in brackets, punctuation) and matched against each column's
synonyms: exact matches first, then a synonym standing as whole words inside a longer header.
A user's corrections override the guess and are remembered per header set.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from alignment.labels import field_label
from alignment.schema import DATASETS, get_dataset


def normalise(header: str) -> str:
    """'Actual (USD) ' → 'actual'; 'Cost_Centre' → 'cost centre'."""
    text = str(header).lower().replace("\u00a0", " ")
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    text = re.sub(r"[_\-./:#$€£*]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


def header_forms(header: str) -> tuple[str, ...]:
    """The header normalised as written, then with camelCase split into words ('plannedCost' →
    'planned cost'). Both are tried, the written form first: 'CapEx/OpEx' and 'FTEs' are words as
    they stand, and splitting them would lose a match."""
    plain = normalise(header)
    split = normalise(CAMEL_BOUNDARY.sub(" ", str(header)))
    return (plain,) if split == plain else (plain, split)


def _synonyms(dataset: str) -> dict[str, list[str]]:
    return {
        c.name: [normalise(c.name)] + [normalise(s) for s in c.synonyms]
        for c in get_dataset(dataset).columns
    }


def header_score(headers: list[str], dataset: str) -> int:
    """How many of these headers are known words for the dataset (finds the header row)."""
    known = {s for names in _synonyms(dataset).values() for s in names}
    return sum(1 for h in headers if any(form in known for form in header_forms(h)))


def propose_mapping(headers: list[str], dataset: str) -> dict[str, str]:
    """{user header: canonical column} for every header we recognise; each column used once."""
    synonyms = _synonyms(dataset)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    forms = {h: header_forms(h) for h in headers}
    # Pass 1: exact matches, in the order of each column's synonym list (earlier = stronger).
    for rank in range(max(len(v) for v in synonyms.values())):
        for column, names in synonyms.items():
            if column in taken or rank >= len(names):
                continue
            for header in headers:
                if header not in mapping and names[rank] in forms[header]:
                    mapping[header] = column
                    taken.add(column)
                    break
    # Pass 2: a multi-word synonym inside a longer header ("Total Actual Spend"). Single words are
    # too loose here: "We measure IT value" is a survey question, not the 'value' column.
    for header in headers:
        if header in mapping:
            continue
        words = [f" {form} " for form in forms[header]]
        for column, names in synonyms.items():
            if column in taken:
                continue
            if any(" " in n and f" {n} " in w for n in names for w in words):
                mapping[header] = column
                taken.add(column)
                break
    return mapping


def apply_overrides(mapping: dict[str, str], overrides: dict[str, str | None], headers: list[str],
                    dataset: str) -> dict[str, str]:
    """The user's word wins: 'Header=column' sets, 'Header=' (None) drops a guess. The header may be
    written as the file has it or as the Data page shows it, in any case and spacing; the column by
    its name (business_unit) or as the Data page and an upload's problems name it ('Business unit')."""
    columns = {c.name for c in get_dataset(dataset).columns}
    named = {_loose(field_label(c)): c for c in columns}
    result = dict(mapping)
    for written, target in overrides.items():
        header = find_header(written, headers)
        name = _field_name(target) if target else None
        column = name if name is None or name in columns else named.get(_loose(target), name)
        if column and column not in columns:
            raise ValueError(f"'{target}' is not a field of {dataset}. Fields: {', '.join(sorted(columns))}.")
        if column:
            for other, mapped in list(result.items()):
                if mapped == column and other != header:
                    del result[other]
            result[header] = column
        else:
            result.pop(header, None)
    return result


def _loose(text: str) -> str:
    """A header as a person retypes it: case, spacing, line breaks and invisible characters aside."""
    text = unicodedata.normalize("NFKC", str(text)).replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split()).casefold()


def _field_name(text: str) -> str:
    """'Business Unit' or 'business-unit' → 'business_unit'."""
    return re.sub(r"[\s\-]+", "_", text.strip()).lower()


def find_header(written: str, headers: list[str]) -> str:
    """The file's header the user means: exactly, else the one header equal to it loosely (case,
    spaces, line breaks), else the column's letter ('D' or 'Column D'). A ValueError says which
    headers there are when none or several fit."""
    if written in headers:
        return written
    loose = [h for h in headers if _loose(h) == _loose(written)]
    if len(loose) == 1:
        return loose[0]
    if len(loose) > 1:
        raise ValueError(f"'{written}' fits several columns ({', '.join(loose)}); write it exactly as one of them.")
    letter = re.fullmatch(r"(?:[Cc]olumn\s+)?([A-Z]{1,3})", written.strip())
    if letter:
        position = _letter_index(letter[1])
        if position < len(headers):
            return headers[position]
    raise ValueError(f"There is no column '{written}' in the file. Its columns are: {', '.join(headers)}.")


def _letter_index(letters: str) -> int:
    """'A' → 0, 'AB' → 27: the inverse of Excel's column letters."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def parse_map_arguments(items: list[str]) -> dict[str, str | None]:
    """CLI '--map "Header=column"' pairs; the last '=' splits, so a header may hold one."""
    overrides: dict[str, str | None] = {}
    for item in items:
        if "=" not in item:
            raise ValueError(f"--map takes 'Header=column', not '{item}'.")
        header, column = item.rsplit("=", 1)
        header = header.strip()
        if len(header) >= 2 and header[0] == header[-1] and header[0] in "'\"":
            header = header[1:-1]  # quoted inside the argument: "'Cost = Centre'=cost_center"
        if not header:
            raise ValueError(f"--map takes 'Header=column', not '{item}': the header is missing.")
        overrides[header] = column.strip() or None
    return overrides


def header_signature(headers: list[str]) -> str:
    """Identifies 'the same spreadsheet layout as last month' for remembered mappings."""
    joined = "\x1f".join(sorted(normalise(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def dataset_fit(headers: list[str], dataset: str) -> tuple[bool, int]:
    """How well a file's headers fit a dataset: whether every required column (and one of each
    'one of' group) is found, and how many headers map to one of its columns."""
    spec = get_dataset(dataset)
    found = set(propose_mapping(headers, dataset).values())
    complete = all(c.name in found for c in spec.columns if c.required) and all(
        found.intersection(group) for group in spec.one_of)
    return complete, len(found)


def better_dataset(headers: list[str], chosen: str) -> str | None:
    """Another dataset these headers fit far better than the chosen one, else None: it finds all its
    required columns where the chosen misses some, and maps at least two more headers and at
    least half of them. A file that fits the chosen dataset is never second-guessed."""
    complete, mapped = dataset_fit(headers, chosen)
    if complete or not headers:
        return None
    best, best_mapped = None, mapped + 1  # must beat the chosen by two headers or more
    for name in DATASETS:
        if name == chosen:
            continue
        other_complete, other_mapped = dataset_fit(headers, name)
        if other_complete and other_mapped > best_mapped and other_mapped * 2 >= len(headers):
            best, best_mapped = name, other_mapped
    return best
