"""One upload, start to finish: read, map, validate, then store it in one transaction (or not at all)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from alignment.layouts import LayoutOptions
from alignment.mapping import apply_overrides, header_signature, propose_mapping
from alignment.reading import RawTable, ReadError, Source, open_source, read_table
from alignment.schema import get_dataset
from alignment.store import DuplicateUpload, Store, StoreError
from alignment.validation import Problem, Validated, validate

Progress = Callable[[str, float], None]  # (stage: "read" | "check" | "store", fraction done 0..1)


def _say(progress: Progress | None, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, min(max(float(fraction), 0.0), 1.0))


@dataclass
class IngestResult:
    status: str  # loaded | rejected | dry-run
    dataset: str
    file: str
    sheet: str | None = None
    batch_id: int | None = None
    rows_loaded: int = 0
    rows_skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    amount_scale: float | None = None  # what the amounts were multiplied by (1000: the file was in thousands)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Preview:
    """What the upload wizard shows before anything is written."""

    source: Source
    raw: RawTable
    mapping: dict[str, str]
    validated: Validated
    remembered: bool
    sha256: str  # of the file's bytes, taken before they are let go (duplicate uploads are refused by it)


def _sha256(data: bytes | Path) -> str:
    if isinstance(data, Path):
        with data.open("rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    return hashlib.sha256(data).hexdigest()


def make_preview(data: bytes | Path, file_name: str, dataset: str, sheet: str | None = None,
                 overrides: dict[str, str | None] | None = None, store: Store | None = None,
                 unit: float | None = None, layout: LayoutOptions | None = None,
                 progress: Progress | None = None) -> Preview:
    """``unit``: what the file's amounts are in (1, 1000, 1000000), over what its headers say;
    ``layout``: the user's word on scenario, year and repeated ids (alignment.layouts);
    ``progress(stage, fraction)``: told as the file is read ("read") and checked ("check")."""
    get_dataset(dataset)
    _say(progress, "read", 0.0)
    source = open_source(data, file_name)
    sha = _sha256(data)
    raw = read_table(source, sheet, dataset, progress=(lambda f: _say(progress, "read", f)) if progress else None)
    _say(progress, "read", 1.0)
    remembered = store.saved_mapping(dataset, header_signature(raw.headers)) if store else None
    if remembered:
        mapping = {h: c for h, c in remembered.items() if h in raw.headers}
        if len(mapping) < len(remembered):  # the same layout, a header reworded: 'Actual (USD)' → 'Actual ($000)'
            guessed = propose_mapping(raw.headers, dataset)
            mapping |= {h: c for h, c in guessed.items() if h not in mapping and c not in mapping.values()}
    else:
        mapping = propose_mapping(raw.headers, dataset)
    mapping = apply_overrides(mapping, overrides or {}, raw.headers, dataset)
    settings = store.settings() if store else None
    _say(progress, "check", 0.0)
    checked = validate(raw, dataset, mapping, unit=unit, settings=settings, layout=layout,
                       progress=(lambda f: _say(progress, "check", f)) if progress else None)
    _say(progress, "check", 1.0)
    return Preview(source, raw, mapping, checked, bool(remembered), sha)


def _refusal(dataset: str, file_name: str, message: str, sheet: str | None = None) -> IngestResult:
    return IngestResult("rejected", dataset, file_name, sheet, errors=[Problem(sheet, None, None, None, message)
                                                                         .as_dict()])


def ingest(store: Store, data: bytes | Path, file_name: str, dataset: str, *, sheet: str | None = None,
           mode: str = "append", overrides: dict[str, str | None] | None = None, dry_run: bool = False,
           user: str = "", unit: float | None = None, layout: LayoutOptions | None = None,
           progress: Progress | None = None) -> IngestResult:
    """Load a file as one batch; on any problem nothing is written and every problem is listed.
    ``data``: the file's bytes, or its path (a csv is then read where it lies, never held whole);
    ``progress(stage, fraction)`` is told how far reading, checking and storing have got."""
    try:
        preview = make_preview(data, file_name, dataset, sheet, overrides, store, unit=unit, layout=layout,
                               progress=progress)
    except (ReadError, ValueError) as exc:  # the sheet it is about, when reading chose one
        return _refusal(dataset, file_name, str(exc), getattr(exc, "sheet", None) or sheet)
    # The checked rows are all the write needs; letting the file's raw cells and its bytes go first
    # lowers the peak of a million-row load by their size (about 200 MB for a 100 MB csv). The
    # caller's reference to ``data`` stays, unless it passed the bytes without keeping them, as the
    # command line does.
    preview.raw.drop_cells()
    preview.source = replace(preview.source, data=b"")
    del data
    return load_preview(store, preview, dataset, mode=mode, dry_run=dry_run, user=user, progress=progress)


def load_preview(store: Store, preview: Preview, dataset: str, *, mode: str = "append", dry_run: bool = False,
                 user: str = "", progress: Progress | None = None) -> IngestResult:
    """Write a checked preview as one batch; ``progress("store", fraction)`` is told as it goes."""
    checked = preview.validated
    result = IngestResult("rejected", dataset, preview.source.name, preview.raw.sheet,
                          rows_skipped=checked.skipped, warnings=list(checked.warnings),
                          mapping=dict(preview.mapping), amount_scale=checked.amount_scale)
    if checked.errors:
        result.errors = [p.as_dict() for p in checked.errors]
        return result
    sheet = preview.raw.sheet
    if checked.frame.empty:
        message = f"Sheet '{sheet}' has a header row (row {preview.raw.header_row}) but no data rows."
        result.errors = [Problem(sheet, preview.raw.header_row, None, None, message).as_dict()]
        return result
    sha = preview.sha256
    _say(progress, "store", 0.0)
    try:
        if dry_run:
            if mode == "append":
                store.raise_if_duplicate(dataset, sha, sheet)
        else:
            result.batch_id = store.add_batch(dataset, checked.frame, mode=mode, file_name=preview.source.name,
                                              sha256=sha, sheet=sheet, mapping=preview.mapping, user=user,
                                              source_rows=checked.source_rows, refuse_duplicate=True,
                                              amount_scale=checked.amount_scale)
    except DuplicateUpload as exc:
        result.errors = [Problem(sheet, None, None, None, str(exc)).as_dict()]
        return result
    result.rows_loaded = len(checked.frame)
    _say(progress, "store", 1.0)
    if dry_run:
        result.status = "dry-run"
        return result
    try:  # the batch has landed: remembering its layout for next time is a convenience, not the load
        store.save_mapping(dataset, header_signature(preview.raw.headers), preview.mapping)
    except StoreError:
        result.warnings.append("The rows were loaded, but the column mapping could not be remembered for the "
                               "next file of this layout (the database was busy): check the mapping next time.")
    result.status = "loaded"
    return result
