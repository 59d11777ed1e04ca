"""Bring a database from another DuckDB version into this one, losing nothing.

DuckDB files are not readable across storage versions (a file written by DuckDB 2.0 does not open
in 1.5.5). DuckDB's own way across is EXPORT DATABASE with the old version and an import with the
new; its plain IMPORT DATABASE replays the old views too, which refer to one another in an order
it cannot replay. So this reads only the exported tables: the store makes its own schema and views,
and every stored row (uploads, undone and superseded batches, settings, live sessions) comes across
as it was.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from alignment import aggregates
from alignment.rules import refresh_spend_view
from alignment.schema import DATASETS
from alignment.store import Store, StoreError

# Worked out from the stored rows (alignment.aggregates), so summed again here rather than copied.
DERIVED = {"spend_summary_rows", "spend_detail_rows", "spend_summaries"}


def exported_tables(folder: Path) -> dict[str, Path]:
    """The tables of an EXPORT DATABASE folder (FORMAT parquet or csv), by name."""
    if not (folder / "schema.sql").is_file():
        raise StoreError(f"{folder} is not an exported database (it has no schema.sql). Export the old file "
                         "with its own DuckDB: EXPORT DATABASE 'folder' (FORMAT parquet).")
    return {f.stem: f for f in sorted(folder.iterdir()) if f.suffix in (".parquet", ".csv")}


def import_export(store: Store, folder: Path) -> dict[str, int]:
    """Every exported table the store also has, appended by column name in one transaction; the
    store must hold nothing yet, so nothing is counted twice. Returns rows per table."""
    tables = exported_tables(folder)
    if not store.is_empty():
        raise StoreError(f"{store.path} already holds uploads; import into a new database.")
    ours = {r[0] for r in store.cursor().execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    counts: dict[str, int] = {}
    reader = duckdb.connect()  # the store may read no files (enable_external_access is off there)
    with store.transaction() as cur:
        for name, path in tables.items():
            if name not in ours or name in DERIVED:
                continue
            read = "read_parquet" if path.suffix == ".parquet" else "read_csv"
            cur.register("exported_rows", reader.execute(f"SELECT * FROM {read}(?)", [str(path)]).arrow())
            cur.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM exported_rows')
            cur.unregister("exported_rows")
            counts[name] = int(cur.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
        refresh_spend_view(cur, [c.name for c in DATASETS["spend"].stored_columns])
        aggregates.sync(cur)
    return counts
