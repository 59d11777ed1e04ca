"""The shared store's data files in S3-compatible storage, through DuckDB's httpfs.

The credentials come from the standard AWS variables (alignment.config.s3_secret) and become one
temporary DuckDB secret scoped to the lake's prefix; neither the key nor the statement that
carries it is ever put into a message. httpfs comes from the PyPI package duckdb-extension-httpfs
and is installed from the wheel's own file, like the lake's other extensions.
"""

from __future__ import annotations

import duckdb

from alignment.backends import OpenError, _quote, _reason
from alignment.config import LakeLocation, LocationError, s3_secret

HTTPFS = ("duckdb_extension_httpfs", "httpfs", "httpfs")  # (PyPI package, file in its wheel, name LOAD knows)
SECRET_NAME = "alignment_lake"


def _literal(value: str | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else _quote(value)


def create_secret(con: duckdb.DuckDBPyConnection, location: LakeLocation) -> None:
    """The lake's S3 credentials, usable only under its DATA_PATH (SCOPE), for this connection only."""
    try:
        options = s3_secret().options | {"SCOPE": location.folder}
    except LocationError as exc:
        raise OpenError(str(exc)) from None
    body = ", ".join(f"{name} {_literal(value)}" for name, value in options.items())
    try:
        con.execute(f"CREATE TEMPORARY SECRET {SECRET_NAME} (TYPE s3, {body})")
    except duckdb.Error:  # DuckDB's text may quote the statement, and so the key: never shown
        raise OpenError("The shared store's S3 settings were refused; check AWS_REGION, AWS_ENDPOINT_URL and "
                        "ALIGNMENT_S3_URL_STYLE.") from None


def check_reachable(con: duckdb.DuckDBPyConnection, location: LakeLocation) -> None:
    """One listing under the prefix (a single request), so a wrong key, bucket or endpoint is said
    when the app starts rather than at the first upload."""
    try:
        con.execute(f"SELECT count(*) FROM glob({_quote(location.folder + '.alignment-check*')})").fetchone()
    except duckdb.Error as exc:
        raise OpenError(f"The shared store's files at {location.folder} cannot be reached: "
                        f"{failure(str(exc))}.") from None


def failure(text: str) -> str:
    """Why the object store refused, in words (httpfs's own text stays out of messages)."""
    return _reason(text, (("nosuchbucket", "the bucket does not exist"),
                         ("invalidaccesskeyid", "the object store does not know AWS_ACCESS_KEY_ID"),
                         ("signaturedoesnotmatch", "the object store refused AWS_SECRET_ACCESS_KEY"),
                         ("403", "the object store refused the credentials (AWS_ACCESS_KEY_ID, "
                          "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)"),
                         ("404", "the bucket does not exist"),
                         ("resolve", "the object store's host name is unknown"),
                         ("ssl", "the secure connection failed (an http:// AWS_ENDPOINT_URL turns TLS off)"),
                         ("certificate", "the secure connection failed (an http:// AWS_ENDPOINT_URL turns TLS "
                          "off)"),
                         ("connect", "no object store answers at that address (AWS_ENDPOINT_URL)"),
                         ("timeout", "the object store did not answer in time"),
                         ("timed out", "the object store did not answer in time")),
                   "the object store did not answer as expected")
