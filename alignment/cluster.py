"""`python -m alignment cluster` (`make cluster`): the shared store on this machine, to see it work.

A PostgreSQL for the DuckLake catalog (initdb as an unprivileged user in a folder, loopback only, a
free port), a lake folder for the data files, the demo company loaded once, and app replicas on
the given ports, all with one ALIGNMENT_DB. Ctrl-C or `make cluster-stop` (SIGTERM to the pid in
``<dir>/cluster.pid``) stops the replicas, then PostgreSQL. The folder is kept, so a second start
finds the same data; delete it for a fresh company. Tests start the same thing with ``running()``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alignment.config import ROOT
from alignment.loadtest import free_port, health_problem, stop

HOST = "127.0.0.1"
DEFAULT_DIR = ROOT / "data" / "cluster"
DB_NAME = "alignment"
DB_USER = "alignment"


class ClusterError(RuntimeError):
    """Something the cluster needs is missing or would not start; the message is for the operator."""


def postgres_bin() -> Path:
    """Debian's PostgreSQL programs (newest version), else whatever is on PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ClusterError("PostgreSQL is not installed: `apt-get install postgresql` (make postgres does it).")


def _server_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as the 'postgres' user (or 'nobody')."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ClusterError("Running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL as.")


@dataclass
class Postgres:
    """A PostgreSQL server in ``folder``: created on first start, reused after."""

    folder: Path
    port: int = field(default_factory=free_port)
    owned: bool = False  # a temporary folder of its own, removed on stop

    @property
    def data(self) -> Path:
        return self.folder / "pgdata"

    @property
    def catalog(self) -> str:
        """The libpq connection string of the catalog database."""
        return f"dbname={DB_NAME} host={HOST} port={self.port} user={DB_USER}"

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        user = _server_user()
        proc = subprocess.run([str(postgres_bin() / program), *args], capture_output=True, text=True,
                              user=user, cwd="/", timeout=120)
        if check and proc.returncode != 0:
            raise ClusterError(f"PostgreSQL's {program} failed: {(proc.stderr or proc.stdout).strip()[-400:]}")
        return proc

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        user = _server_user()
        if user:
            shutil.chown(self.folder, user)
            reach = subprocess.run(["test", "-w", str(self.folder)], user=user, cwd="/", check=False)
            if reach.returncode != 0:  # a private parent (a test's temporary folder): a folder of its own
                self.folder = Path(tempfile.mkdtemp(prefix="alignment-postgres-"))
                shutil.chown(self.folder, user)
                self.owned = True
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", DB_USER, "--auth=trust", "--no-sync",
                      "--encoding=UTF8", "--locale=C")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "postgres.log"),
                  "-o", f"-p {self.port} -c listen_addresses={HOST} -k {self.folder} -c fsync=off")
        made = self._run("createdb", "-h", HOST, "-p", str(self.port), "-U", DB_USER, DB_NAME, check=False)
        if made.returncode != 0 and "already exists" not in made.stderr:
            raise ClusterError(f"PostgreSQL's createdb failed: {made.stderr.strip()[-400:]}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", "fast", "-D", str(self.data), check=False)
        if self.owned:
            shutil.rmtree(self.folder, ignore_errors=True)

    def dump(self, output: Path) -> None:
        """The catalog as SQL (`pg_dump`): with the lake folder, a whole backup."""
        proc = self._run("pg_dump", "-h", HOST, "-p", str(self.port), "-U", DB_USER, DB_NAME)
        output.write_text(proc.stdout)


def lake_setting(catalog: str, lake: Path) -> str:
    """The ALIGNMENT_DB of a lake: its catalog's connection string and its data folder."""
    return f"ducklake:postgres:{catalog} DATA_PATH={lake}/"


@dataclass
class Replica:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


def start_replica(port: int, env: dict[str, str], log: Path, address: str = HOST) -> Replica:
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.address", address,
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env={**os.environ, **env})
    return Replica(port, process, log)


def wait_healthy(replica: Replica, timeout: float = 90.0) -> None:
    problem = health_problem(f"http://{HOST}:{replica.port}", replica.process, timeout)
    if problem == "exited":
        tail = replica.log.read_text(errors="replace")[-1500:]
        raise ClusterError(f"The replica on port {replica.port} exited:\n{tail}")
    if problem:
        raise ClusterError(f"The replica on port {replica.port} did not answer within {timeout:.0f} s.")


def stop_replica(replica: Replica, grace: float = 10.0) -> None:
    """SIGTERM to the replica's process group, SIGKILL after a grace period."""
    stop(replica.process, grace)


@dataclass
class Cluster:
    folder: Path
    postgres: Postgres
    setting: str  # ALIGNMENT_DB
    replicas: list[Replica]

    @property
    def env(self) -> dict[str, str]:
        return {"ALIGNMENT_DB": self.setting}


def load_demo_once(setting: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "alignment", "demo", "--if-empty"], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "ALIGNMENT_DB": setting}, timeout=600)
    if proc.returncode != 0:
        raise ClusterError(f"Loading the demo company failed: {(proc.stderr or proc.stdout).strip()[-600:]}")


@contextmanager
def running(folder: Path = DEFAULT_DIR, ports: Sequence[int] = (8501, 8502), demo: bool = True,
            address: str = HOST) -> Iterator[Cluster]:
    """PostgreSQL, the lake folder and one replica per port, until the block ends (also on error)."""
    folder = folder.resolve()
    pg = Postgres(folder / "postgres")
    lake = folder / "lake"
    lake.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        pg.start()
        stack.callback(pg.stop)
        setting = lake_setting(pg.catalog, lake)
        if demo:
            load_demo_once(setting)
        replicas: list[Replica] = []
        stack.callback(lambda: [stop_replica(r) for r in replicas])
        for port in ports:
            replicas.append(start_replica(port, {"ALIGNMENT_DB": setting}, folder / f"replica-{port}.log", address))
        for replica in replicas:
            wait_healthy(replica)
        yield Cluster(folder, pg, setting, replicas)


def serve(folder: Path = DEFAULT_DIR, ports: Sequence[int] = (8501, 8502), address: str = HOST) -> int:
    """The `cluster` command: start everything, say where, wait for Ctrl-C or SIGTERM, stop everything."""
    pid_file = folder / "cluster.pid"
    folder.mkdir(parents=True, exist_ok=True)
    stop = {"now": False}

    def request_stop(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    pid_file.write_text(str(os.getpid()))
    try:
        with running(folder, ports, address=address) as cluster:
            print(f"PostgreSQL (catalog) on {HOST}:{cluster.postgres.port}, data files in {folder / 'lake'}")
            print(f"ALIGNMENT_DB='{cluster.setting}'")
            for replica in cluster.replicas:
                print(f"replica: http://{'localhost' if address == HOST else address}:{replica.port}")
            print("Ctrl-C or `make cluster-stop` stops everything.", flush=True)
            while not stop["now"]:
                for replica in cluster.replicas:
                    if replica.process.poll() is not None:
                        print(f"The replica on port {replica.port} stopped; see {replica.log}.", file=sys.stderr)
                        stop["now"] = True
                time.sleep(0.5)
            print("Stopping the replicas and PostgreSQL.", flush=True)
    finally:
        pid_file.unlink(missing_ok=True)
    return 0


def stop_running(folder: Path = DEFAULT_DIR, timeout: float = 60.0) -> int:
    """The `cluster --stop` command: ask a running `cluster` to stop, and wait for it."""
    pid_file = folder / "cluster.pid"
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, signal.SIGTERM)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        print("No cluster is running from this folder.")
        pid_file.unlink(missing_ok=True)
        return 0
    deadline = time.monotonic() + timeout
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.25)
    print("Stopped." if not pid_file.exists() else f"The cluster (pid {pid}) did not stop within {timeout:.0f} s.")
    return 0 if not pid_file.exists() else 1
