"""`python -m alignment`: what scripts and schedulers need, without the browser.

A stable contract: ingest prints one JSON object and exits 0 loaded, 1 rejected or failed (status
"error": the disk, the database or memory let it down), 2 usage. Every other command prints its
result, or one sentence on stderr and exits non-zero; never a traceback. Text cells in csv and json
output are formula-safe (see exports) unless --raw asks for the values as stored.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from pathlib import Path

import duckdb
import pandas as pd

from alignment.config import LakeLocation, database_path, parse_location
from alignment.exports import csv_text, safe_frame
from alignment.queries import QueryError, parameters, public_queries, run_query
from alignment.schema import DATASETS
from alignment.store import Store, StoreError


class UsageError(Exception):
    pass


def _params(items: list[str]) -> dict[str, str]:
    params = {}
    for item in items or []:
        if "=" not in item:
            raise UsageError(f"--param takes name=value, not '{item}'.")
        key, value = item.split("=", 1)
        params[key.strip()] = value
    return params


def _emit(frame: pd.DataFrame, fmt: str, raw: bool = False) -> None:
    """A result as csv or json; text cells formula-safe unless ``raw``."""
    if fmt == "csv":
        sys.stdout.write(csv_text(frame, raw=raw))
    else:
        data = frame if raw else safe_frame(frame)
        print(data.to_json(orient="records", date_format="iso", indent=1))


# Why an operating-system call failed, in words; also matched against DuckDB's messages, which
# quote the same strerror text ("Could not write file ...: No space left on device").
OS_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would grow past the largest size this system allows",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission was denied",
    errno.EPERM: "permission was denied",
    errno.ENOENT: "it or its folder does not exist",
    errno.ENOTDIR: "part of its path is a file, not a folder",
    errno.EEXIST: "a file stands where a folder is needed",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENAMETOOLONG: "its name is too long",
    errno.EIO: "the disk reported a read or write error",
    errno.EMFILE: "too many files are open",
    errno.ENFILE: "too many files are open",
}


def os_error_sentence(exc: OSError) -> str:
    """'[Errno 28] No space left on device' (writing the output) → 'Could not finish: the disk is full.'"""
    cause = OS_CAUSES.get(exc.errno or 0, "the operating system refused")
    where = f"use {exc.filename}" if exc.filename else "finish"
    return f"Could not {where}: {cause}."


def database_error_sentence(exc: duckdb.Error, db: object) -> str:
    """DuckDB's failures in words that name the database and, when it is known, the cause."""
    text = str(exc)
    if isinstance(exc, duckdb.OutOfMemoryException):
        return f"There was not enough memory to finish with the database {db}."
    if "could not set lock" in text.lower():
        return f"The database {db} is open in another program (probably the running app)."
    if "not a valid duckdb database" in text.lower():
        return f"{db} is not a database this tool can read."
    for code, cause in OS_CAUSES.items():
        if os.strerror(code) in text:
            return f"Could not use the database {db}: {cause}."
    return f"The database {db} could not complete the command."


def _positive(text: str) -> int:
    """argparse type: a whole number of at least 1 (numpy's 'negative dimensions' is no message)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return value


def _year(text: str) -> int:
    """argparse type for --year: a fiscal year the app can hold (1990-2100)."""
    if not text.strip().isdigit() or not 1990 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"'{text}' is not a year from 1990 to 2100")
    return int(text)


def _levels(text: str) -> tuple[int, ...]:
    """argparse type for --sessions: concurrent-session levels such as '25,50'; '0' runs no server."""
    if text.strip() == "0":
        return ()
    return tuple(_positive(part.strip()) for part in text.split(","))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m alignment",
                                     description="IT–business alignment dashboard, from the shell.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load a spreadsheet or csv into a dataset")
    p.add_argument("file", type=Path)
    p.add_argument("--dataset", required=True, choices=sorted(DATASETS))
    p.add_argument("--sheet")
    p.add_argument("--db")
    p.add_argument("--mode", choices=["append", "replace"], default="append")
    p.add_argument("--map", action="append", default=[], metavar="HEADER=COLUMN",
                   help="set a column mapping; 'Header=' drops one")
    p.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    p.add_argument("--unit", type=int, choices=[1, 1000, 1_000_000],
                   help="the file's amounts are in units, thousands or millions (over what its headers "
                        "or title rows say, e.g. '($000)' or 'Amounts in $K')")
    p.add_argument("--scenario", choices=["budget", "actual", "forecast"],
                   help="what amounts the file does not name are: a sheet with a column per month or quarter, "
                        "a GL's debit and credit (default actual); else read from the sheet name or title rows")
    p.add_argument("--year", type=_year, metavar="FISCAL_YEAR",
                   help="the fiscal year of month or quarter columns that do not say it (Jan, Feb, … or Q1 …)")
    p.add_argument("--keep", choices=["latest", "first", "all"], default="latest",
                   help="a project id that appears more than once: load its latest row (by a snapshot or as-of "
                        "date column, else the last in the file), its first, or every row")
    p.add_argument("--user", default="cli")

    for name, helptext in (("sql", "run one read-only SQL statement"), ("query", "run a named analysis")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("sql" if name == "sql" else "name")
        p.add_argument("--db")
        p.add_argument("--format", choices=["json", "csv"], default="json")
        p.add_argument("--raw", action="store_true", help="values as stored, without formula neutralising")
        if name == "query":
            p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")

    sub.add_parser("queries", help="list the analyses")

    p = sub.add_parser("report", help="write the board pack: the presentation's findings as slides (pptx) or "
                                      "pages (pdf), each with its chart")
    p.add_argument("--format", choices=["pdf", "pptx"], help="default: from the output's name")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="filters, as the dashboards take them: period_from=2026-01-01, period_to=2026-06-30, "
                        "business_unit=Retail, wave=2026-Q1")
    p.add_argument("--db")
    p.add_argument("-o", "--output", type=Path, required=True)

    p = sub.add_parser("demo", help="build the demo company database")
    p.add_argument("--db")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--if-empty", action="store_true", help="only when the database holds no uploads")

    p = sub.add_parser("import", help="bring in a database another DuckDB version exported "
                                      "(EXPORT DATABASE 'folder' (FORMAT parquet)) into a new database")
    p.add_argument("folder", type=Path)
    p.add_argument("--db")

    p = sub.add_parser("undo", help="undo an upload (its rows stay stored, out of the analyses)")
    p.add_argument("batch_id", type=int)
    p.add_argument("--db")

    p = sub.add_parser("settings", help="show the organisation settings, or change them with --set")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="change a setting ('NAME=' goes back to the default)")
    p.add_argument("--db")
    p.add_argument("--user", default="cli")

    p = sub.add_parser("restore", help="restore an undone upload: the exact reverse of its undo")
    p.add_argument("batch_id", type=int)
    p.add_argument("--db")

    p = sub.add_parser("uploads", help="list uploads")
    p.add_argument("--db")
    p.add_argument("--raw", action="store_true", help="values as stored, without formula neutralising")

    p = sub.add_parser("template", help="write an Excel template for a dataset")
    p.add_argument("dataset", choices=sorted(DATASETS))
    p.add_argument("output", type=Path)

    p = sub.add_parser("cluster", help="PostgreSQL, a lake folder and two app replicas on this machine "
                                       "(the shared store, to see it work); Ctrl-C stops them")
    p.add_argument("--dir", type=Path, help="where PostgreSQL's files and the lake live (default data/cluster)")
    p.add_argument("--ports", type=_levels, default=(8501, 8502), metavar="PORT,PORT")
    p.add_argument("--host", default="127.0.0.1", help="the address the replicas listen on (0.0.0.0: every one)")
    p.add_argument("--stop", action="store_true", help="stop the cluster running from --dir")

    p = sub.add_parser("maintain", help="the shared store's upkeep: merge small files, expire old snapshots, "
                                        "delete unused files (safe while the app runs); CHECKPOINT on a file")
    p.add_argument("--db", help="the database (default: ALIGNMENT_DB)")

    p = sub.add_parser("bench", help="run the benchmarks (speed and memory targets)")
    p.add_argument("--rows", type=_positive, default=1_000_000, help="spend rows for query timings")
    p.add_argument("--xlsx-rows", type=_positive, default=100_000)
    p.add_argument("--repeat", type=_positive, default=3)
    p.add_argument("--output", type=Path, default=Path("bench-results.json"))
    p.add_argument("--sessions", type=_levels, default=(25, 50), metavar="N,N",
                   help="concurrent sessions on a real server, per level (default 25,50; 0: none)")
    p.add_argument("--store", choices=["file", "handoff", "ducklake", "maintain"], default="file",
                   help="file: the stages above; handoff: analyses with the command line's hand-off watcher "
                        "running vs not; ducklake: analyses on a DuckLake in a throwaway PostgreSQL vs the file, "
                        "and two concurrent writers; maintain: analyses on a lake loaded in 20 uploads, before "
                        "and after `maintain`")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()  # a full disk under a redirect shows here, not in a message at exit
        return code
    except UsageError as exc:
        print(f"python -m alignment: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... | head`: the reader has all it wants
        _drop_stdout()
        return 1
    except (StoreError, QueryError, ValueError) as exc:
        message = str(exc)
    except OSError as exc:
        message = os_error_sentence(exc)
    except duckdb.Error as exc:
        message = database_error_sentence(exc, _shown(_db(args)) if hasattr(args, "db") else "")
    except MemoryError:
        message = "There was not enough memory to finish."
    except KeyboardInterrupt:
        return _fail(args, "Stopped before the end.", 130)
    except Exception as exc:  # a bug: still a sentence, the details on request
        if os.environ.get("ALIGNMENT_DEBUG"):
            raise
        message = (f"An unexpected error stopped the command ({type(exc).__name__}). Run it again with "
                   "ALIGNMENT_DEBUG=1 for the details, and please report it.")
    return _fail(args, message)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of a broken stdout is silent."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _fail(args: argparse.Namespace, message: str, code: int = 1) -> int:
    """ingest keeps its contract (one JSON object on stdout); other commands say it on stderr."""
    if args.command == "ingest":
        try:
            print(json.dumps({"status": "error", "message": message}, indent=1))
            sys.stdout.flush()
            return code
        except OSError:
            _drop_stdout()
    print(f"Error: {message}", file=sys.stderr)
    return code


def _db(args: argparse.Namespace) -> Path | LakeLocation:
    """--db as given (a file, or ducklake:…/s3:// text a Path would mangle), else ALIGNMENT_DB."""
    return parse_location(args.db) if args.db else database_path()


def _shown(location: Path | LakeLocation) -> str:
    """The database as printed: a password in a lake's connection string never reaches a terminal or a log."""
    return location.label if isinstance(location, LakeLocation) else str(location)


def _check_unit(store: Store, params: dict[str, str]) -> None:
    """A business unit with no data is refused, as the app's address bar says of one: a typo in a
    scheduled job would otherwise write a near-empty pack or all-blank figures and exit 0."""
    unit = params.get("business_unit")
    if unit is None:
        return
    units = store.filter_choices()[1]
    if unit not in units:
        from alignment.formatting import listing

        raise UsageError(f"There is no business unit '{unit[:40]}' with data in this database. The business units "
                         f"are: {listing(units) if units else 'none yet'}.")


def _report(args: argparse.Namespace) -> int:
    """The board pack of the findings, under the filters given, as of the organisation's as-of date."""
    import datetime as dt

    from alignment import report
    from alignment.formatting import how_many, use_money_style

    fmt = args.format or args.output.suffix.lstrip(".").lower()
    if fmt not in report.FORMATS:
        raise UsageError("Say --format pdf or --format pptx, or name the output .pdf or .pptx.")
    params = _params(args.param)
    report.check_params(params)
    with Store(_db(args), read_only=True) as store:
        _check_unit(store, params)
        settings = store.settings()
        use_money_style(settings["currency"], settings["display_unit"])
        run = report.store_runner(store.cursor(), params, settings)
        pack = report.build(run, params, settings["as_of"] or dt.date.today(), params.get("wave"))
    args.output.write_bytes(report.render(pack, fmt))
    if not pack.slides:
        print("Note: no finding has data under these filters; the pack has its title page only.", file=sys.stderr)
    print(f"Wrote {args.output}: a title page and {how_many(len(pack.slides), 'finding')}.")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "ingest":
        from alignment.ingest import ingest
        from alignment.layouts import LayoutOptions
        from alignment.mapping import parse_map_arguments

        try:
            overrides = parse_map_arguments(args.map)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if not args.file.is_file():
            raise UsageError(f"There is no file {args.file}.")
        from alignment.handoff import writer
        from alignment.reading import ReadError, check_size

        try:  # over the upload limit: refused before a byte is read
            check_size(args.file.stat().st_size, args.file.name)
        except ReadError as exc:
            raise UsageError(str(exc)) from None
        with writer(_db(args)) as store:  # the running app loads it when it holds the database
            result = ingest(store, args.file, args.file.name, args.dataset, sheet=args.sheet,
                            mode=args.mode, overrides=overrides, dry_run=args.dry_run, user=args.user,
                            unit=args.unit, layout=LayoutOptions(args.scenario, args.year, args.keep))
        print(json.dumps(result.as_dict(), indent=1, default=str))
        return 0 if result.status in ("loaded", "dry-run") else 1
    if args.command == "queries":
        for name, q in public_queries().items():
            params = ", ".join(p.name for p in parameters(name)) or "-"
            print(f"{name:28} {q.title}  [{params}]")
        return 0
    if args.command in ("sql", "query"):
        with Store(_db(args), read_only=True) as store:
            if args.command == "sql":  # in the explorer's sandbox, like the SQL explorer page
                from alignment import explorer

                result = explorer.run(store, args.sql)
                frame = result.df()
                if result.cut_by:
                    print(f"Note: only the first {len(frame):,} rows are shown; the result has more "
                          f"(cut by the {result.cut_by} limit).", file=sys.stderr)
            else:
                params = _params(args.param)
                _check_unit(store, params)
                frame = run_query(store.cursor(), args.name, params, settings=store.settings())
        _emit(frame, args.format, args.raw)
        return 0
    if args.command == "report":
        return _report(args)
    if args.command == "demo":
        from alignment.demo import load_demo

        with Store(_db(args)) as store:
            if args.if_empty and not store.is_empty():
                print(f"{_shown(_db(args))} already holds data; left as it is.")
                return 0
            counts = load_demo(store, args.seed)
        print(json.dumps({"database": _shown(_db(args)), "rows": counts}))
        return 0
    if args.command == "import":
        from alignment.upgrade import import_export

        if not args.folder.is_dir():
            raise UsageError(f"There is no folder {args.folder}.")
        with Store(_db(args)) as store:
            counts = import_export(store, args.folder)
        print(json.dumps({"database": _shown(_db(args)), "rows": counts}))
        return 0
    if args.command == "undo":
        from alignment.handoff import writer

        with writer(_db(args)) as store:
            restored = store.undo(args.batch_id)
        print(json.dumps({"undone": args.batch_id, "restored": restored}))
        return 0
    if args.command == "settings":
        from alignment.handoff import held_elsewhere, writer
        from alignment.settings import SETTINGS

        changes = _params(args.set)
        with (writer(_db(args)) if changes or held_elsewhere(_db(args))
              else Store(_db(args), read_only=True)) as store:
            values = store.save_settings(changes, args.user) if changes else store.settings()
            notes = store.setting_notes(values) if changes and isinstance(store, Store) else []
        for note in notes:  # saved, but maybe not what was meant (the app's own process says them on its page)
            print(f"Note: {note}", file=sys.stderr)
        print(json.dumps([{"name": s.name, "value": values[s.name], "default": s.default, "help": s.help}
                          for s in SETTINGS], indent=1, default=str))
        return 0
    if args.command == "restore":
        from alignment.handoff import writer

        with writer(_db(args)) as store:
            superseded = store.redo(args.batch_id)
        print(json.dumps({"restored": args.batch_id, "superseded": superseded}))
        return 0
    if args.command == "uploads":
        with Store(_db(args), read_only=True) as store:
            _emit(store.uploads(), "json", args.raw)
        return 0
    if args.command == "template":
        from alignment.exports import template_workbook

        args.output.write_bytes(template_workbook(args.dataset))
        print(f"Wrote {args.output}")
        return 0
    if args.command == "cluster":
        from alignment import cluster

        folder = args.dir or cluster.DEFAULT_DIR
        try:
            return cluster.stop_running(folder) if args.stop else cluster.serve(folder, args.ports, args.host)
        except cluster.ClusterError as exc:
            raise StoreError(str(exc)) from None
    if args.command == "maintain":
        from alignment.maintenance import maintain

        print(maintain(_db(args)))
        return 0
    if args.command == "bench":
        from alignment.bench import run_benchmarks

        if args.store != "file":
            from alignment.bench_store import run

            return run(args.store, args.rows, args.repeat, args.output)
        return run_benchmarks(args.rows, args.xlsx_rows, args.repeat, args.output, args.sessions)
    raise UsageError(f"Unknown command {args.command}.")  # pragma: no cover - argparse refuses first
