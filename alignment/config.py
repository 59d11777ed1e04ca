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


def sql_result_bytes() -> int:
    """ALIGNMENT_SQL_RESULT_MB: the most result an explorer query may hand back (default 64 MB)."""
    return int(float(os.environ.get("ALIGNMENT_SQL_RESULT_MB", "64")) * 2**20)


def sql_memory_bytes() -> int:
    """ALIGNMENT_SQL_MEMORY_MB: the address space of the process an explorer query runs in
    (default 2048 MB); the server never grows because of a query."""
    return int(float(os.environ.get("ALIGNMENT_SQL_MEMORY_MB", "2048")) * 2**20)


def sql_concurrency() -> int:
    """ALIGNMENT_SQL_CONCURRENCY: explorer queries running at once on this server (default 2)."""
    return max(1, int(os.environ.get("ALIGNMENT_SQL_CONCURRENCY", "2")))


def store_memory_limit() -> str:
    """ALIGNMENT_MEMORY_LIMIT: DuckDB's memory limit for the app's own database (default 2GB);
    larger work spills to a temporary directory beside the database."""
    return os.environ.get("ALIGNMENT_MEMORY_LIMIT", "2GB")


def public_url() -> str | None:
    """ALIGNMENT_PUBLIC_URL: the address phones in the room use (behind a proxy, or a laptop's
    LAN address), when it differs from the one the facilitator's browser shows."""
    return os.environ.get("ALIGNMENT_PUBLIC_URL") or None


def live_sends_per_browser() -> int:
    """ALIGNMENT_LIVE_PER_BROWSER: how often one browser may send the survey form in a minute
    (default 5: enough to fix a missed question, too few to script)."""
    return max(1, int(os.environ.get("ALIGNMENT_LIVE_PER_BROWSER", "5")))


def live_new_per_address() -> int:
    """ALIGNMENT_LIVE_PER_ADDRESS: new participants one session takes from one network address in a minute
    (default 60).
    Phones on a venue's Wi-Fi reaching a hosted app share one address: raise it to the room size there."""
    return max(1, int(os.environ.get("ALIGNMENT_LIVE_PER_ADDRESS", "60")))


def live_new_per_session() -> int:
    """ALIGNMENT_LIVE_PER_SESSION: new participants one live session takes in a minute (default 300:
    a whole 300-person room answering in the same minute)."""
    return max(1, int(os.environ.get("ALIGNMENT_LIVE_PER_SESSION", "300")))
