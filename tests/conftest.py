"""Shared fixtures: a fresh store per test and small spreadsheets built in the test itself."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterable

import openpyxl
import pytest

from alignment.store import Store
from tests.pg import PostgresServer

BACKENDS = ("duckdb", "ducklake")  # the embedded file, and DuckLake on PostgreSQL (alignment.backends)


@pytest.fixture(autouse=True)
def _never_the_real_database(tmp_path_factory, monkeypatch) -> None:
    """No test writes to data/: the app, the CLI and any process a test starts use a scratch database
    unless the test names its own (ALIGNMENT_DB), so `make test` never leaves an empty app behind."""
    monkeypatch.setenv("ALIGNMENT_DB", str(tmp_path_factory.mktemp("db") / "alignment.duckdb"))


@pytest.fixture(autouse=True)
def _main_module_kept():
    """AppTest leaves sys.modules['__main__'] pointing at app.py; a process a later test spawns
    (the benchmarks' pools) would then re-run the whole app bare while starting. Put it back."""
    import sys

    main = sys.modules.get("__main__")
    yield
    if sys.modules.get("__main__") is not main:
        sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """One throwaway PostgreSQL server for the whole run, started only when a test needs it."""
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def lake(postgres: PostgresServer):
    """A maker of fresh, empty shared stores: each call gives the ALIGNMENT_DB of a new lake."""
    return postgres.lake


def new_store(request: pytest.FixtureRequest, backend: str) -> Store:
    """A fresh, empty store on ``backend``."""
    if backend == "duckdb":
        return Store(":memory:")
    return Store(request.getfixturevalue("postgres").lake())


# The modules whose tests run on both backends; ALIGNMENT_TEST_BACKENDS=all runs every test that
# takes the store fixture on both (slower: each lake commit is a round trip to PostgreSQL).
ON_BOTH = {"test_store", "test_store_history", "test_live", "test_ingest", "test_spend_figures",
           "test_survey_figures", "test_flow_figures", "test_portfolio_figures", "test_survey_waves"}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.removeprefix("tests.")
    if "store" in metafunc.fixturenames and (module in ON_BOTH or os.environ.get("ALIGNMENT_TEST_BACKENDS") == "all"):
        metafunc.parametrize("store", BACKENDS, indirect=True)


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Store:
    """A fresh, empty store: the embedded file, and in the modules of ON_BOTH the lake as well."""
    s = new_store(request, getattr(request, "param", "duckdb"))
    yield s
    s.close()


def xlsx(rows: Iterable[Iterable[object]], sheet: str = "Sheet1", extra: dict | None = None) -> bytes:
    """A workbook whose first sheet holds these rows (row 1 first); extra sheets by name."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for name, more in (extra or {}).items():
        other = wb.create_sheet(name)
        for row in more:
            other.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def run_while_reading(readers: list[threading.Thread], writers: list[threading.Thread],
                      stop: threading.Event) -> None:
    """Start everyone, wait for the writers, then tell the readers to stop and wait for them."""
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()


def sidebar_filters(at) -> dict[str, dict]:
    """The sidebar's filters as the page sent them to the browser (app_pages/assets/filters.js):
    label -> {key, options, value}. Empty when the page shows none."""
    import json
    found = [e for e in at.sidebar.get("bidi_component") if e.proto.component_name == "alignment.filters"]
    return {f["label"]: f for e in found for f in json.loads(e.proto.json)["fields"]}

