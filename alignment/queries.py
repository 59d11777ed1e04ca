"""Loading and running the analyses in queries/*.sql.

A query file starts with a header of comments:

    -- title: Spend by business goal
    -- answers: How much IT spend serves each business goal, and how much serves none?
    -- param: business_unit VARCHAR = NULL | Only this business unit
    -- include: _spend_scope
    -- source: TBM Council, TBM Taxonomy 4.0 (cost pools, towers, business value)
    -- shared: yes


``source`` names the definition the figures follow (repeat it on several lines to cite more);
``include`` makes another query (a fragment starting with ``_`` or a full analysis) available
as a CTE of that name, so analyses build on each other instead of repeating SQL. Parameters
are always bound by DuckDB, never formatted into the text.

``shared: yes`` marks a query whose result is small and included by several analyses (the stage
history in scope, the parts of the executive summary). The app computes it once per view and hands
its rows to every analysis that includes it (``run_query(..., given=…)``) instead of planning and
running it again inside each: planning the composed SQL was most of an analysis's time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from alignment.config import QUERIES_DIR
from alignment.formatting import naming
from alignment.parsing import ParseError, parse_date
from alignment.readonly import QueryError

HEADER = re.compile(r"^--\s*(title|answers|param|include|source|shared):\s*(.*)$")
PARAM = re.compile(r"^(\w+)\s+(VARCHAR|DATE|INTEGER|DOUBLE)\s*=\s*(.*?)(?:\s+IN\s*\(([^)]*)\))?(?:\s+\|\s+(.*))?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    help: str = ""
    allowed: tuple[str, ...] = ()  # from "IN (a, b)" in the header: any other value is refused


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    answers: str
    params: tuple[Param, ...]
    includes: tuple[str, ...]
    body: str
    path: Path
    source: str = ""  # the named definition the figures follow (standard body or best-known tool)
    shared: bool = False  # a small result other analyses include: computed once per view (module docstring)

    @property
    def public(self) -> bool:
        return not self.name.startswith("_")


def convert(param: Param, value: Any) -> Any:
    """Text from a URL or the command line → the parameter's type; a value outside the declared
    choices is refused naming them (never silently treated as the default)."""
    if value is None or (isinstance(value, str) and value.strip().upper() in ("", "NULL")):
        return None
    if param.allowed and str(value) not in param.allowed:
        raise QueryError(f"Parameter {param.name} must be one of {', '.join(param.allowed)}, not '{str(value)[:40]}'.")
    if param.type == "DATE":
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(value)
        except ParseError as exc:
            raise QueryError(f"Parameter {param.name}: {exc}.") from None
    try:
        if param.type == "INTEGER":
            return int(value)
        if param.type == "DOUBLE":
            return float(value)
    except (TypeError, ValueError):
        raise QueryError(f"Parameter {param.name} must be a number, not '{value}'.") from None
    return str(value)


def parse_query(path: Path) -> Query:
    meta: dict[str, Any] = {"param": [], "include": []}
    lines = path.read_text().splitlines()
    body_start = 0
    for i, line in enumerate(lines):
        m = HEADER.match(line.strip())
        if not m:
            if line.strip().startswith("--") or not line.strip():
                continue
            body_start = i
            break
        key, value = m[1], m[2].strip()
        if key == "param":
            p = PARAM.match(value)
            if not p:
                raise QueryError(f"{path.name}: cannot read parameter '{value}'.")
            default = None if p[3].upper() == "NULL" else p[3].strip("'")
            allowed = tuple(v.strip().strip("'") for v in (p[4] or "").split(",") if v.strip())
            meta["param"].append(Param(p[1], p[2], default, p[5] or "", allowed))
        elif key == "include":
            meta["include"] += [v.strip() for v in value.split(",") if v.strip()]
        elif key == "source":
            meta["source"] = "; ".join(filter(None, (meta.get("source", ""), value)))
        else:
            meta[key] = value
    body = "\n".join(lines[body_start:]).strip().rstrip(";")
    return Query(path.stem, meta.get("title", path.stem), meta.get("answers", ""), tuple(meta["param"]),
                 tuple(meta["include"]), body, path, meta.get("source", ""),
                 meta.get("shared", "").strip().lower() in ("yes", "true"))


@lru_cache(maxsize=4)
def _load(directory: str) -> dict[str, Query]:
    return {p.stem: parse_query(p) for p in sorted(Path(directory).glob("*.sql"))}


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, Query]:
    return _load(str(directory))


def public_queries(directory: Path = QUERIES_DIR) -> dict[str, Query]:
    return {n: q for n, q in load_queries(directory).items() if q.public}


def get_query(name: str, directory: Path = QUERIES_DIR) -> Query:
    queries = load_queries(directory)
    if name not in queries:
        raise QueryError(f"There is no analysis '{name}'. Known: {', '.join(public_queries(directory))}.")
    return queries[name]


def _dependencies(query: Query, queries: dict[str, Query], seen: list[str] | None = None,
                  given: frozenset[str] = frozenset()) -> list[str]:
    """Included queries, each once, dependencies first; a given one (and what only it needs) left out."""
    order = seen if seen is not None else []
    for name in query.includes:
        if name not in queries:
            raise QueryError(f"{query.name} includes unknown query '{name}'.")
        if name not in order and name not in given:
            _dependencies(queries[name], queries, order, given)
            order.append(name)
    return order


@lru_cache(maxsize=512)
def compose(query: Query, directory: Path = QUERIES_DIR, given: frozenset[str] = frozenset()
            ) -> tuple[str, tuple[Param, ...]]:
    """The full SQL text (includes as CTEs) and every parameter it binds, its includes' too. The
    ``given`` includes are not composed in: their rows are registered under their names instead."""
    queries = load_queries(directory)
    deps = [queries[n] for n in _dependencies(query, queries)]
    params: dict[str, Param] = {}
    for q in [*deps, query]:
        for p in q.params:
            params.setdefault(p.name, p)
    if given:  # every parameter is still declared (one key however it is computed); run_query binds those used
        deps = [queries[n] for n in _dependencies(query, queries, given=given)]
    return _with(query.body, deps), tuple(params.values())


def _with(body: str, deps: list[Query]) -> str:
    if not deps:
        return body
    ctes = ",\n".join(f"{q.name} AS (\n{q.body}\n)" for q in deps)
    if re.match(r"(?is)^with\s", body):
        return f"WITH {ctes},\n{body[4:].lstrip()}"
    return f"WITH {ctes}\n{body}"


def sql_literal(param: Param, value: Any) -> str:
    """A value written into SQL text as the literal of its parameter's type (quotes doubled)."""
    if value is None:
        return "NULL"
    if param.type in ("INTEGER", "DOUBLE"):
        return repr(convert(param, value))
    text = "'" + str(value).replace("'", "''") + "'"
    return f"CAST({text} AS DATE)" if param.type == "DATE" else text


def standalone_sql(query: Query, settings: dict[str, Any] | None = None) -> str:
    """The analysis as one SQL text with its parameters written in (the organisation's settings for
    those named like one, else the defaults): what the SQL explorer starts from, runnable as it is."""
    sql, params = compose(query)
    for p in sorted(params, key=lambda p: -len(p.name)):  # $period_to before $period
        value = (settings or {}).get(p.name, p.default)
        sql = sql.replace(f"${p.name}", sql_literal(p, value))  # a DATE's literal is CAST(... AS DATE)
    return sql


def shared_parts(name: str, directory: Path = QUERIES_DIR) -> tuple[str, ...]:
    """The includes of an analysis marked ``shared: yes``, which may be given to it as rows."""
    queries = load_queries(directory)
    return tuple(n for n in get_query(name, directory).includes if queries[n].shared)


@lru_cache(maxsize=256)
def datasets_read(name: str, directory: Path = QUERIES_DIR) -> tuple[str, ...]:
    """The datasets an analysis reads (its includes' too), so a cached result is only dropped when
    one of them changes."""
    from alignment.aggregates import DERIVED
    from alignment.schema import DATASETS

    sql = compose(get_query(name, directory), directory)[0].lower()
    read = {d for d in DATASETS if re.search(rf"\b{d}\b", sql)}
    read |= {d for relation, d in DERIVED.items() if re.search(rf"\b{relation}\b", sql)}  # spend, summed on write
    return tuple(sorted(read))


def parameters(name: str, directory: Path = QUERIES_DIR) -> tuple[Param, ...]:
    """Every parameter an analysis takes, including those of the queries it includes."""
    return compose(get_query(name, directory), directory)[1]


def bind(params: tuple[Param, ...], values: dict[str, Any] | None) -> dict[str, Any]:
    values = dict(values or {})
    unknown = set(values) - {p.name for p in params}
    if unknown:
        raise QueryError(f"Unknown {naming('parameter', sorted(unknown), shown=None)}. "
                         f"This analysis takes: {', '.join(p.name for p in params) or 'none'}.")
    return {p.name: convert(p, values.get(p.name, p.default)) for p in params}


def run_query(cursor: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None,
              directory: Path = QUERIES_DIR, settings: Mapping[str, Any] | None = None,
              given: Mapping[str, pa.Table] | None = None, arrow: bool = False) -> pd.DataFrame | pa.Table:
    """Run one analysis with bound parameters. A parameter named like an organisation setting
    (alignment.settings) takes the setting's value unless ``params`` gives one. ``given`` holds the
    rows of included shared queries, computed with the same parameters (module docstring)."""
    query = get_query(name, directory)
    given = dict(given or {})
    sql, declared = compose(query, directory, frozenset(given))
    values = dict(params or {})
    for p in declared:
        if p.name not in values and settings and p.name in settings:
            values[p.name] = settings[p.name]
    bound = bind(declared, values)
    if given:
        used = set(re.findall(r"\$(\w+)", sql))
        bound = {k: v for k, v in bound.items() if k in used}
    try:
        for part, rows in given.items():
            cursor.register(part, rows)
        # Every declared parameter appears in the SQL (a test holds every query to that).
        result = cursor.execute(sql, bound)
        return result.fetch_arrow_table() if arrow else result.df()
    except duckdb.Error as exc:
        raise QueryError(f"The analysis '{name}' failed: {str(exc).splitlines()[0]}") from None
    finally:
        for part in given:
            cursor.unregister(part)
