"""Where a Store's tables live: an embedded DuckDB file, or a shared DuckLake.

The file is the zero-set-up default: one process owns it. The lake keeps its catalog in
PostgreSQL and its data as Parquet files under a shared path, so app replicas and the command line
on many machines read and write it at once; DuckDB runs the same SQL on both. The lake's
extensions come from the PyPI packages duckdb-extension-ducklake/-postgres and are installed from
the wheel's own file: nothing here ever reaches the network.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import duckdb

from alignment.config import LakeLocation, store_memory_limit

LAKE = "lake"  # the name the lake is attached under; every cursor USEs it

SAFE_SETTINGS = {
    "autoinstall_known_extensions": "false",
    "autoload_known_extensions": "false",
    "enable_external_access": "false",
}

# (PyPI package, file in its wheel, name LOAD knows it by)
LAKE_EXTENSIONS = (("duckdb_extension_ducklake", "ducklake", "ducklake"),
                   ("duckdb_extension_postgres", "postgres", "postgres_scanner"))


class OpenError(RuntimeError):
    """The database cannot be opened; the message is for the user."""


def connect_file(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """The embedded database file (or ``:memory:``), with the app's safety settings locked."""
    config = dict(SAFE_SETTINGS) | {"memory_limit": store_memory_limit()}
    if str(path) != ":memory:" and not read_only:
        config["temp_directory"] = f"{path}.tmp"  # spills beside the database, never in the working directory
    if read_only and not Path(path).exists():
        raise OpenError(f"There is no database at {path}. Build one with 'python -m alignment demo' "
                        "or load a file with 'python -m alignment ingest'.")
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise OpenError(f"The database {path} is open in another program (probably the running app). "
                            "Stop it, or point --db at a copy.") from None
        raise OpenError(f"The database {path} cannot be opened: {open_failure(str(exc))}.") from None
    except duckdb.Error as exc:
        raise OpenError(f"The database {path} cannot be opened: {open_failure(str(exc))}.") from None
    # DuckDB hands a second connect to an open file the same database instance, already locked:
    # locking again would fail, so opening twice in one process must not try.
    if not con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        con.execute("SET lock_configuration = true")
    return con


def open_failure(text: str) -> str:
    """DuckDB's reason, in words (its own text stays in the server log, not in front of users)."""
    return _reason(text, (("not a valid duckdb database", "it is not a database this app can read"),
                         ("is a directory", "the path is a folder, not a file"),
                         ("permission denied", "permission was denied"),
                         ("no space left", "the disk is full"),
                         ("read-only file system", "the disk is read-only"),
                         ("serialization", "it was written by a newer version of DuckDB"),
                         ("version", "it was written by another version of DuckDB")),
                   "the file could not be read")


def _reason(text: str, clues: tuple[tuple[str, str], ...], otherwise: str) -> str:
    """The words for the first clue found in an engine's error text (clues in order of precedence)."""
    lowered = text.lower()
    return next((reason for clue, reason in clues if clue in lowered), otherwise)


def extension_file(package: str, name: str) -> Path:
    """The extension binary shipped inside an installed PyPI package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise OpenError(f"The shared store needs the Python package {package.replace('_', '-')} "
                        f"(pinned in requirements.txt); install it with pip.")
    for directory in spec.submodule_search_locations:
        found = sorted(Path(directory).rglob(f"{name}.duckdb_extension"))
        if found:
            return found[0]
    raise OpenError(f"The package {package.replace('_', '-')} holds no {name} extension for this DuckDB.")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def lake_spill_directory() -> Path:
    """Where a lake process spills work larger than its memory limit: local, never the shared path."""
    return Path(tempfile.gettempdir()) / f"alignment-spill-{os.getuid()}" / str(os.getpid())


# Extension files whose signature DuckDB has checked in this process, by (size, mtime, inode): the
# check costs 1-2 s a file on every connect, and a file unchanged since it passed needs no second one.
_verified: dict[str, tuple[int, int, int]] = {}


def _stamp(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def connect_lake(location: LakeLocation, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached (and USEd) and the app's safety settings locked:
    the only files it may touch are the lake's data and its own spill folder."""
    spill = lake_spill_directory()
    if location.is_s3:  # data files in S3-compatible storage: httpfs too, and a secret (alignment.objectstore)
        from alignment import objectstore
    extensions = LAKE_EXTENSIONS + ((objectstore.HTTPFS,) if location.is_s3 else ())
    files = [(extension_file(package, name), loaded) for package, name, loaded in extensions]
    stamps = {str(path): _stamp(path) for path, _ in files}
    checked = all(_verified.get(path) == stamp for path, stamp in stamps.items())
    config = {k: v for k, v in SAFE_SETTINGS.items() if k != "enable_external_access"}
    config |= {"memory_limit": store_memory_limit(), "temp_directory": str(spill),
               "allow_unsigned_extensions": "true" if checked else "false"}
    con = duckdb.connect(":memory:", config=config)
    try:
        for path, loaded in files:
            con.execute(f"INSTALL {_quote(str(path))}")
            con.execute(f"LOAD {loaded}")
    except duckdb.Error as exc:
        con.close()
        raise OpenError(f"The shared store's DuckDB extensions could not be loaded ({_first_line(exc)}); "
                        "they must match the installed duckdb version.") from None
    _verified.update(stamps)
    if location.is_s3:
        try:
            objectstore.create_secret(con, location)
            objectstore.check_reachable(con, location)
        except OpenError:
            con.close()
            raise
    if location.is_local and not read_only:
        try:
            Path(location.data_path).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            con.close()
            raise OpenError(f"The shared store's data folder {location.data_path} cannot be made: "
                            f"{exc.strerror or exc}.") from None
    options = [f"DATA_PATH {_quote(location.data_path)}"] + (["READ_ONLY"] if read_only else [])
    try:
        con.execute(f"ATTACH {_quote('ducklake:postgres:' + location.catalog)} AS {LAKE} ({', '.join(options)})")
    except duckdb.Error as exc:
        con.close()
        raise OpenError(f"The shared store {location.label} cannot be opened: {lake_failure(str(exc))}.") from None
    allowed = [location.data_path, str(spill) + "/"]
    con.execute(f"SET allowed_directories = [{', '.join(_quote(p) for p in allowed)}]")
    con.execute("SET enable_external_access = false")
    con.execute(f"USE {LAKE}")
    con.execute("SET lock_configuration = true")
    return con


def lake_failure(text: str) -> str:
    """Why the lake would not open, in words."""
    return _reason(text, (("password authentication failed", "PostgreSQL refused the user name or password"),
                         ("no password supplied", "PostgreSQL wants a password (set PGPASSWORD or ~/.pgpass)"),
                         ("does not exist", "the PostgreSQL database does not exist (create it first)"),
                         ("connection refused", "no PostgreSQL server answers at that host and port"),
                         ("could not translate host name", "the PostgreSQL host name is unknown"),
                         ("timeout", "the PostgreSQL server did not answer in time"),
                         ("permission denied", "permission was denied"),
                         ("does not match existing data path", "DATA_PATH is not the folder this lake was "
                          "made with (use that one)"),
                         ("read-only", "it is read-only"),
                         ("version", "it was written by another version of DuckLake")),
                   "the catalog could not be read")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def is_write_conflict(exc: BaseException) -> bool:
    """Whether a commit failed only because another process changed the same tables first: the
    whole transaction can run again on the new state."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and ("transaction conflict" in text or "conflicting changes" in text
                                              or "conflict" in text and "commit" in text)
