"""Settings, read from the environment so the app, CLI and tests agree."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "alignment.duckdb"


def database_path() -> Path:
    """ALIGNMENT_DB overrides the default data/alignment.duckdb."""
    return Path(os.environ.get("ALIGNMENT_DB", DEFAULT_DB))


def sql_timeout_seconds() -> float:
    return float(os.environ.get("ALIGNMENT_SQL_TIMEOUT", "10"))


def sql_row_limit() -> int:
    return int(os.environ.get("ALIGNMENT_SQL_ROW_LIMIT", "10000"))


def public_url() -> str | None:
    """ALIGNMENT_PUBLIC_URL: the address phones in the room use (behind a proxy, or a laptop's
    LAN address), when it differs from the one the facilitator's browser shows."""
    return os.environ.get("ALIGNMENT_PUBLIC_URL") or None
