"""Settings, read from the environment so the app, CLI and tests agree."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "alignment.duckdb"


LAKE_PREFIX = "ducklake:"
_DATA_PATH = re.compile(r"(?:^|\s)DATA_PATH=('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


class LocationError(ValueError):
    """An ALIGNMENT_DB (or --db) the app cannot use; the message is for the operator."""


@dataclass(frozen=True)
class LakeLocation:
    """A shared store: DuckLake with its catalog in PostgreSQL (``catalog`` is a libpq connection
    string) and its data files under ``data_path`` (a directory, or object storage)."""

    catalog: str
    data_path: str

    def __str__(self) -> str:
        path = self.data_path if not re.search(r"\s|'", self.data_path) else \
            "'" + self.data_path.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return f"{LAKE_PREFIX}postgres:{self.catalog} DATA_PATH={path}"

    @property
    def label(self) -> str:
        """The location for messages and logs: any password in the connection string hidden."""
        return _PASSWORD.sub(r"\1***", str(self))

    @property
    def is_local(self) -> bool:
        return "://" not in self.data_path

    @property
    def folder(self) -> str:
        """The data path ending in /: what the lake may touch, so s3://b/lake never admits s3://b/lake2/."""
        return self.data_path if self.data_path.endswith("/") else self.data_path + "/"

    @property
    def is_s3(self) -> bool:
        """Data files in S3-compatible object storage (DuckDB's httpfs), credentials from AWS_* (s3_secret)."""
        return self.data_path.startswith(S3_SCHEME)


def parse_location(value: str | Path) -> Path | LakeLocation:
    """A database file path, or ``ducklake:postgres:<libpq connection string> DATA_PATH=<path>``:
    for example ``ducklake:postgres:dbname=alignment host=db user=app DATA_PATH=/shared/lake/``.
    DATA_PATH may be quoted ('…') when it has spaces; a password is best left to PGPASSWORD or
    ~/.pgpass rather than written into the setting."""
    text = str(value).strip()
    if not text.lower().startswith(LAKE_PREFIX):
        return Path(value)
    rest = text[len(LAKE_PREFIX):]
    if not rest.lower().startswith("postgres:"):
        raise LocationError("A shared store must keep its catalog in PostgreSQL: write "
                            "ducklake:postgres:dbname=… host=… user=… DATA_PATH=/shared/lake/.")
    rest = rest[len("postgres:"):]
    found = _DATA_PATH.search(rest)
    if not found:
        raise LocationError("A shared store needs DATA_PATH=<folder every app server reaches> at the end of "
                            "ALIGNMENT_DB, where its data files are kept.")
    data_path = found.group(1)
    if data_path.startswith("'"):
        data_path = re.sub(r"\\(.)", r"\1", data_path[1:-1])
    catalog = (rest[:found.start()] + rest[found.end():]).strip()
    if not catalog or "=" not in catalog:
        raise LocationError("A shared store needs a PostgreSQL connection string after ducklake:postgres:, "
                            "for example dbname=alignment host=db user=app.")
    if "://" in data_path:
        data_path = _object_path(data_path)  # kept as written: DuckLake adds the separator itself
    elif not data_path.endswith("/"):
        data_path += "/"  # a folder: DuckLake joins file names onto it
    return LakeLocation(catalog, data_path)


S3_SCHEME = "s3://"


def _object_path(data_path: str) -> str:
    """An s3://bucket/prefix/ DATA_PATH, its scheme lower-cased; any other URL refused with a sentence."""
    scheme, _, rest = data_path.partition("://")
    if scheme.lower() != "s3":
        raise LocationError(f"DATA_PATH {data_path} is not a place the shared store can keep files: write a folder "
                            "every app server reaches (/shared/lake/) or S3-compatible storage "
                            "(s3://bucket/prefix/).")
    bucket = rest.split("/", 1)[0]
    if not bucket or any(part in (".", "..") for part in rest.split("/")):
        raise LocationError(f"DATA_PATH {data_path} needs a bucket and a plain prefix, for example "
                            "s3://alignment-lake/prod/.")
    return S3_SCHEME + rest


URL_STYLES = ("path", "vhost")


@dataclass(frozen=True)
class S3Secret:
    """What DuckDB's CREATE SECRET (TYPE s3) needs, read from the standard AWS variables. The options
    hold the secret key, so they never appear in repr(), messages or logs."""

    options: dict[str, str | bool] = field(repr=False)

    def __str__(self) -> str:
        return repr(self)


def s3_secret(environ: Mapping[str, str] | None = None) -> S3Secret:
    """AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_REGION (or
    AWS_DEFAULT_REGION; default us-east-1), AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL for MinIO and
    other S3-compatible stores (http:// turns TLS off), and ALIGNMENT_S3_URL_STYLE: path (the default
    with an endpoint of one's own, which MinIO needs) or vhost (the default on AWS). Without keys
    the requests are unsigned: a public bucket only."""
    env = os.environ if environ is None else environ
    key, secret = env.get("AWS_ACCESS_KEY_ID", ""), env.get("AWS_SECRET_ACCESS_KEY", "")
    if bool(key) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if key else "AWS_ACCESS_KEY_ID"
        raise LocationError(f"The shared store's S3 credentials are incomplete: set {missing} as well.")
    options: dict[str, str | bool] = {"REGION": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"}
    if key:
        options |= {"KEY_ID": key, "SECRET": secret}
        if env.get("AWS_SESSION_TOKEN"):
            options["SESSION_TOKEN"] = env["AWS_SESSION_TOKEN"]
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or ""
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            raise LocationError(f"AWS_ENDPOINT_URL must be the object store's address, like http://minio:9000, "
                                f"not {parts.scheme}://{parts.hostname or ''}….")
        options |= {"ENDPOINT": parts.netloc.rpartition("@")[2], "USE_SSL": parts.scheme == "https"}
    style = env.get("ALIGNMENT_S3_URL_STYLE", "").strip().lower() or ("path" if endpoint else "vhost")
    if style not in URL_STYLES:
        raise LocationError("ALIGNMENT_S3_URL_STYLE must be path (MinIO and most S3-compatible stores) or vhost.")
    options["URL_STYLE"] = style
    return S3Secret(options)


def database_path() -> Path | LakeLocation:
    """ALIGNMENT_DB overrides the default data/alignment.duckdb; ``ducklake:postgres:…`` names a
    shared store (parse_location)."""
    return parse_location(os.environ.get("ALIGNMENT_DB", str(DEFAULT_DB)))


def write_retries() -> int:
    """ALIGNMENT_WRITE_RETRIES: how often a change to a shared store is tried again when another
    process changed the same thing at the same moment (default 12, about 20 seconds in all)."""
    return max(0, int(os.environ.get("ALIGNMENT_WRITE_RETRIES", "12")))


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
