"""`python -m alignment`: what scripts and schedulers need, without the browser.

A stable contract: ingest prints one JSON object and exits 0 loaded, 1 rejected, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from alignment.config import database_path
from alignment.queries import QueryError, parameters, public_queries, run_query, run_read_only
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


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        print(frame.to_json(orient="records", date_format="iso", indent=1))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m alignment",
                                     description="IT–business alignment dashboard, from the shell.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="load a spreadsheet or csv into a dataset")
    p.add_argument("file", type=Path)
    p.add_argument("--dataset", required=True, choices=sorted(DATASETS))
    p.add_argument("--sheet")
    p.add_argument("--db", type=Path)
    p.add_argument("--mode", choices=["append", "replace"], default="append")
    p.add_argument("--map", action="append", default=[], metavar="HEADER=COLUMN",
                   help="set a column mapping; 'Header=' drops one")
    p.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    p.add_argument("--user", default="cli")

    for name, helptext in (("sql", "run one read-only SQL statement"), ("query", "run a named analysis")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("sql" if name == "sql" else "name")
        p.add_argument("--db", type=Path)
        p.add_argument("--format", choices=["json", "csv"], default="json")
        if name == "query":
            p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")

    sub.add_parser("queries", help="list the analyses")

    p = sub.add_parser("demo", help="build the demo company database")
    p.add_argument("--db", type=Path)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--if-empty", action="store_true", help="only when the database holds no uploads")

    p = sub.add_parser("undo", help="undo an upload (its rows stay stored, out of the analyses)")
    p.add_argument("batch_id", type=int)
    p.add_argument("--db", type=Path)

    p = sub.add_parser("uploads", help="list uploads")
    p.add_argument("--db", type=Path)

    p = sub.add_parser("template", help="write an Excel template for a dataset")
    p.add_argument("dataset", choices=sorted(DATASETS))
    p.add_argument("output", type=Path)

    p = sub.add_parser("bench", help="run the benchmarks (speed and memory targets)")
    p.add_argument("--rows", type=int, default=1_000_000, help="spend rows for query timings")
    p.add_argument("--xlsx-rows", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--output", type=Path, default=Path("bench-results.json"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except UsageError as exc:
        print(f"python -m alignment: {exc}", file=sys.stderr)
        return 2
    except (StoreError, QueryError, ValueError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


def _db(args: argparse.Namespace) -> Path:
    return args.db or database_path()


def _run(args: argparse.Namespace) -> int:
    if args.command == "ingest":
        from alignment.ingest import ingest
        from alignment.mapping import parse_map_arguments

        try:
            overrides = parse_map_arguments(args.map)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if not args.file.is_file():
            raise UsageError(f"There is no file {args.file}.")
        with Store(_db(args)) as store:
            result = ingest(store, args.file.read_bytes(), args.file.name, args.dataset, sheet=args.sheet,
                            mode=args.mode, overrides=overrides, dry_run=args.dry_run, user=args.user)
        print(json.dumps(result.as_dict(), indent=1, default=str))
        return 0 if result.status in ("loaded", "dry-run") else 1
    if args.command == "queries":
        for name, q in public_queries().items():
            params = ", ".join(p.name for p in parameters(name)) or "-"
            print(f"{name:28} {q.title}  [{params}]")
        return 0
    if args.command in ("sql", "query"):
        with Store(_db(args), read_only=True) as store:
            cur = store.cursor()
            frame = (run_read_only(cur, args.sql) if args.command == "sql"
                     else run_query(cur, args.name, _params(args.param)))
        _emit(frame, args.format)
        return 0
    if args.command == "demo":
        from alignment.demo import load_demo

        with Store(_db(args)) as store:
            if args.if_empty and not store.is_empty():
                print(f"{_db(args)} already holds data; left as it is.")
                return 0
            counts = load_demo(store, args.seed)
        print(json.dumps({"database": str(_db(args)), "rows": counts}))
        return 0
    if args.command == "undo":
        with Store(_db(args)) as store:
            restored = store.undo(args.batch_id)
        print(json.dumps({"undone": args.batch_id, "restored": restored}))
        return 0
    if args.command == "uploads":
        with Store(_db(args), read_only=True) as store:
            _emit(store.uploads(), "json")
        return 0
    if args.command == "template":
        from alignment.exports import template_workbook

        args.output.write_bytes(template_workbook(args.dataset))
        print(f"Wrote {args.output}")
        return 0
    if args.command == "bench":
        from alignment.bench import run_benchmarks

        return run_benchmarks(args.rows, args.xlsx_rows, args.repeat, args.output)
    raise UsageError(f"Unknown command {args.command}.")  # pragma: no cover - argparse refuses first
