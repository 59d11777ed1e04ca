"""Concurrent sessions on a real Streamlit server, driven through the websocket protocol a browser
speaks: viewers load dashboards, participants fill in and send the live survey form.

AppTest runs scripts in the test's own process and skips the server (its threads, its locks, its
queues), so it cannot show how a server behaves with many viewers; this module starts the real
server. Everything is bounded: the server listens on loopback only and is always stopped, every
wait has a deadline and every read loop a message budget.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import numpy as np
import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from alignment import live

APP = Path(__file__).resolve().parent.parent / "serve.py"  # as `make run` starts it: app.py, warmed at start
HOST = "127.0.0.1"
MAX_MESSAGES = 20_000  # per script run: far above any page's, a bound for a server gone wrong
MAX_MESSAGE_BYTES = 64 * 2**20
STORED = "stored"  # a participant's outcome when the page confirmed their answers


class LoadError(RuntimeError):
    """The server did not start or did not answer in time; the message says which."""


# --- the server -----------------------------------------------------------------------------


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen
    log: Path

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/_stcore/stream"

    def log_tail(self, lines: int = 20) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def serve(db: Path, *, app: Path = APP, start_timeout: float = 90.0, env: dict[str, str] | None = None
          ) -> Iterator[Server]:
    """`streamlit run serve.py` against ``db`` on a free loopback port, until the block ends (also
    on error). The server is its own process group, so it is stopped with whatever it started."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="alignment-server-", suffix=".log")[1])
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", HOST,
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=app.parent, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True,
                                   env={**os.environ, **(env or {}), "ALIGNMENT_DB": str(db)})
    server = Server(f"http://{HOST}:{port}", process, log)
    try:
        _wait_healthy(server, start_timeout)
        yield server
    finally:
        stop(process)
        log.unlink(missing_ok=True)  # a start that failed has its tail in the LoadError already


def health_problem(url: str, process: subprocess.Popen, timeout: float) -> str | None:
    """Wait for a Streamlit server at ``url`` to answer /_stcore/health: None once it does, else
    "exited" (its process ended) or "timeout". Callers word the error their own way."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return "exited"
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return None
        except OSError:
            pass
        time.sleep(0.25)
    return "timeout"


def _wait_healthy(server: Server, timeout: float) -> None:
    problem = health_problem(server.url, server.process, timeout)
    if problem == "exited":
        raise LoadError(f"The server exited with code {server.process.returncode}:\n{server.log_tail()}")
    if problem:
        raise LoadError(f"The server did not answer /_stcore/health within {timeout:.0f} s:\n{server.log_tail()}")


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the server's group, SIGKILL after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            continue


def peak_rss_mb(server: Server) -> float | None:
    """The server's peak resident memory so far (Linux), None where /proc does not say."""
    status = Path(f"/proc/{server.process.pid}/status")
    try:
        lines = status.read_text().splitlines()
    except OSError:
        return None
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:")), None)


def browser_cookie(server: Server, timeout: float = 10.0) -> str:
    """A new browser's `_streamlit_xsrf` cookie, as Streamlit sets it on any page load: the
    participant's identity on the join page (alignment.live.browser_secret)."""
    with urllib.request.urlopen(server.url + "/_stcore/health", timeout=timeout) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            if live.XSRF_COOKIE in cookie:
                return f"{live.XSRF_COOKIE}={cookie[live.XSRF_COOKIE].value}"
    raise LoadError("The server set no XSRF cookie; is server.enableXsrfProtection off?")


# --- one browser tab ------------------------------------------------------------------------


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str] = field(default_factory=list)


@dataclass
class ScriptRun:
    """What one script run drew: element kinds, alerts as (kind, text), headings and widgets."""
    status: str = ""
    elements: Counter = field(default_factory=Counter)
    alerts: list[tuple[str, str]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    submit: str | None = None
    page_hash: str = ""


def _read(msg: ForwardMsg, run: ScriptRun) -> None:
    kind = msg.WhichOneof("type")
    if kind == "new_session":
        run.page_hash = msg.new_session.page_script_hash
    elif kind == "delta" and msg.delta.HasField("new_element"):
        element = msg.delta.new_element
        name = element.WhichOneof("type")
        run.elements[name] += 1
        if name == "alert":
            run.alerts.append((Alert.Format.Name(element.alert.format).lower(), element.alert.body))
        elif name == "exception":
            error = element.exception  # the type is empty when the server hides error details
            run.alerts.append(("exception", f"{error.type}: {error.message}" if error.type else error.message))
        elif name == "heading":
            run.headings.append(element.heading.body)
        elif name == "radio":
            run.widgets.append(Widget(element.radio.id, name, element.radio.label, list(element.radio.options)))
        elif name == "button" and element.button.is_form_submitter:
            run.submit = element.button.id


class Tab:
    """One browser tab: a websocket session. A run ends at the script_finished message of a run
    that was not cut short for a rerun (the page's own st.rerun, for instance, runs on)."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws

    async def run(self, state: ClientState, timeout: float) -> ScriptRun:
        back = BackMsg()
        back.rerun_script.CopyFrom(state)
        await self.ws.send(back.SerializeToString())
        deadline = time.monotonic() + timeout
        run = ScriptRun()
        for _ in range(MAX_MESSAGES):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), left))
            if msg.WhichOneof("type") == "new_session":
                run = ScriptRun()  # a rerun starts drawing afresh
            _read(msg, run)
            if msg.HasField("script_finished"):
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                if status != "FINISHED_EARLY_FOR_RERUN":
                    run.status = status
                    return run
        raise LoadError(f"No finished script run within {timeout:.0f} s.")


async def _connect(server: Server, cookie: str | None) -> websockets.ClientConnection:
    headers = {"Origin": server.url, **({"Cookie": cookie} if cookie else {})}
    return await websockets.connect(server.ws_url, subprotocols=["streamlit"], additional_headers=headers,
                                    max_size=MAX_MESSAGE_BYTES, open_timeout=60)


# --- viewers and participants ---------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A page as a link opens it: the page's url path ('' is the default page) and query string."""
    page: str = ""
    query: str = ""

    def __str__(self) -> str:
        return (self.page or "overview") + (f"?{self.query}" if self.query else "")


@dataclass
class Outcome:
    seconds: float  # connect to the last finished script run
    view: str
    result: str  # "finished" for a viewer, STORED for a participant, else what went wrong
    run: ScriptRun | None = None


async def view_page(server: Server, view: View, timeout: float) -> Outcome:
    """Open a page in a new tab and wait for its script to finish."""
    start = time.perf_counter()
    try:
        async with await _connect(server, None) as ws:
            run = await Tab(ws).run(ClientState(query_string=view.query, page_name=view.page), timeout)
    except (OSError, TimeoutError, LoadError, websockets.WebSocketException) as exc:
        return Outcome(time.perf_counter() - start, str(view), f"failed: {type(exc).__name__} {exc}")
    problems = [text for kind, text in run.alerts if kind in ("error", "exception")]
    result = "finished" if run.status == "FINISHED_SUCCESSFULLY" and not problems else "; ".join(
        [run.status, *problems])
    return Outcome(time.perf_counter() - start, str(view), result, run)


def answers_for(run: ScriptRun, n: int) -> list[tuple[str, str]]:
    """(widget id, option) for every radio of the survey form: participant n's side and scores."""
    chosen = []
    for widget in run.widgets:
        if widget.label == "I work in":
            chosen.append((widget.id, widget.options[n % len(widget.options)]))
        elif widget.options:
            chosen.append((widget.id, widget.options[(n + len(chosen)) % len(widget.options)]))
    return chosen


async def answer_survey(server: Server, code: str, cookie: str, n: int, timeout: float) -> Outcome:
    """A phone: open the join link, pick an answer for every statement, send the form."""
    view, start = f"join={code}", time.perf_counter()
    try:
        async with await _connect(server, cookie) as ws:
            tab = Tab(ws)
            form = await tab.run(ClientState(query_string=view), timeout)
            if form.submit is None:
                return Outcome(time.perf_counter() - start, view, "no form: " + _said(form), form)
            state = ClientState(query_string=view, page_script_hash=form.page_hash)
            for widget_id, option in answers_for(form, n):
                w = state.widget_states.widgets.add()
                w.id, w.string_value = widget_id, option
            w = state.widget_states.widgets.add()
            w.id, w.trigger_value = form.submit, True
            sent = await tab.run(state, timeout)
    except (OSError, TimeoutError, LoadError, websockets.WebSocketException) as exc:
        return Outcome(time.perf_counter() - start, view, f"failed: {type(exc).__name__} {exc}")
    stored = any(kind == "success" and "answers are in" in text for kind, text in sent.alerts)
    return Outcome(time.perf_counter() - start, view, STORED if stored else _said(sent), sent)


def _said(run: ScriptRun) -> str:
    return "; ".join(f"{kind}: {text}" for kind, text in run.alerts) or f"nothing said ({run.status})"


async def crowd(server: Server, views: Sequence[View], participants: Sequence[tuple[str, str]] = (),
                timeout: float = 300.0) -> tuple[list[Outcome], list[Outcome]]:
    """Every viewer and participant (code, cookie) at once; each bounded by ``timeout``, the
    whole crowd by a little more."""
    tasks = [view_page(server, v, timeout) for v in views]
    tasks += [answer_survey(server, code, cookie, n, timeout) for n, (code, cookie) in enumerate(participants)]
    outcomes = await asyncio.wait_for(asyncio.gather(*tasks), timeout + 30)
    return outcomes[:len(views)], outcomes[len(views):]


def summary(seconds: Sequence[float], target: float) -> dict[str, float]:
    """Median and p95 in seconds, and p95 as a multiple of the target (under 1 meets it)."""
    if not seconds:
        return {"sessions": 0}
    p95 = float(np.percentile(seconds, 95))
    return {"sessions": len(seconds), "median_s": statistics.median(seconds), "p95_s": p95,
            "max_s": max(seconds), "p95_over_target": p95 / target}
