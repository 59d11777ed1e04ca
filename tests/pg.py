"""A throwaway PostgreSQL server for the shared-store tests: Debian's server binaries, a cluster
made with initdb in a temporary folder (as an unprivileged user when the tests run as root, since
PostgreSQL refuses to run as root), on a free port of this machine only, torn down afterwards.
Nothing is mocked: the lake's catalog lives in a real server. When PostgreSQL is not installed this
fails loudly rather than skipping (`make test` installs it)."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from alignment.loadtest import free_port

UNPRIVILEGED = "nobody"


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder (Debian keeps it off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    pytest.fail("PostgreSQL is not installed, so the shared-store tests cannot run: `make postgres` "
                "(part of `make test`) installs Debian's postgresql.", pytrace=False)


class PostgresServer:
    """One running cluster; ``create_database`` hands each test a database of its own."""

    def __init__(self) -> None:
        self.bin = binaries()
        self.root = Path(tempfile.mkdtemp(prefix="alignment-pg-"))
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = "postgres"
        self._names = itertools.count(1)
        self._template: str | None = None
        self._run_as = {}
        if os.geteuid() == 0:  # PostgreSQL refuses root: the cluster belongs to an unprivileged user
            entry = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._run_as = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        data = self.root / "data"
        self._server(["initdb", "-D", str(data), "-A", "trust", "-U", self.user, "-E", "UTF8", "--locale=C",
                      "--no-sync"])
        options = (f"-p {self.port} -k {self.root} -c listen_addresses={self.host} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400")
        self._server(["pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start"])
        self.data = data

    def _server(self, args: list[str]) -> None:
        done = subprocess.run([str(self.bin / args[0]), *args[1:]], capture_output=True, text=True,
                              cwd=self.root, **self._run_as)
        if done.returncode != 0:
            log = self.root / "server.log"
            pytest.fail(f"PostgreSQL's {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}"
                        + (f"\n{log.read_text()[-2000:]}" if log.exists() else ""), pytrace=False)

    def create_database(self, prefix: str = "lake") -> str:
        name = f"{prefix}_{next(self._names)}"
        done = subprocess.run([str(self.bin / "createdb"), "-h", self.host, "-p", str(self.port), "-U", self.user,
                               name], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"createdb {name} failed: {done.stderr.strip()}", pytrace=False)
        return name

    def conninfo(self, database: str) -> str:
        return f"dbname={database} host={self.host} port={self.port} user={self.user}"

    def lake(self, data_path: Path | str | None = None, prefix: str = "lake") -> str:
        """ALIGNMENT_DB for a new, empty lake. Without ``data_path`` its catalog is a copy of an empty
        lake made once per run (PostgreSQL's CREATE DATABASE … TEMPLATE: a tenth of the time the
        store takes to create its tables), and its files share one folder (DuckLake names every file
        uniquely); with one, the catalog starts empty and the store creates everything."""
        if data_path is not None:
            return f"ducklake:postgres:{self.conninfo(self.create_database(prefix))} DATA_PATH={data_path}"
        shared = self.root / "lake-data"
        if self._template is None:
            from alignment.store import Store

            name = self.create_database("template")
            Store(f"ducklake:postgres:{self.conninfo(name)} DATA_PATH={shared}").close()
            self._template = name
        name = f"{prefix}_{next(self._names)}"
        for _ in range(50):  # the template's last connection may take a moment to close
            done = subprocess.run([str(self.bin / "createdb"), "-h", self.host, "-p", str(self.port), "-U", self.user,
                                   "-T", self._template, name], capture_output=True, text=True)
            if done.returncode == 0:
                return f"ducklake:postgres:{self.conninfo(name)} DATA_PATH={shared}"
            time.sleep(0.1)
        pytest.fail(f"createdb {name} from the template failed: {done.stderr.strip()}", pytrace=False)

    def stop(self) -> None:
        self._server(["pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)
