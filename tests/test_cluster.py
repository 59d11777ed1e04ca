"""Two real Streamlit replicas on one DuckLake (catalog in a throwaway PostgreSQL, data in a
folder), started as `make cluster` starts them (alignment.cluster), driven through the websocket
protocol a browser speaks, with uploads through the Data page's own file uploader and Load button.
Everything listens on 127.0.0.1 and every wait is bounded: these are real servers on a small machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("duckdb_extension_ducklake", reason="the shared store needs duckdb-extension-ducklake")

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from alignment import cluster, loadtest  # noqa: E402
from alignment.store import Store  # noqa: E402
from tests.fixtures import load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180.0

try:
    cluster.postgres_bin()
except cluster.ClusterError:
    pytest.skip("PostgreSQL is not installed (make postgres)", allow_module_level=True)


@dataclass
class Run:
    """What one script run drew, as far as these tests read it."""
    alerts: list[tuple[str, str]] = field(default_factory=list)
    buttons: dict[str, str] = field(default_factory=dict)  # label → widget id
    uploader: str | None = None
    options: dict[str, list[str]] = field(default_factory=dict)  # a selectbox's label → its options
    pickers: dict[str, str] = field(default_factory=dict)  # a selectbox's label → its widget id


class Browser:
    """One browser tab on one replica: widget values kept between runs, as a browser keeps them."""

    def __init__(self, url: str, cookie: str) -> None:
        self.url, self.cookie = url, cookie
        self.session_id = self.page_hash = ""
        self.widgets: dict[str, object] = {}
        self.chosen: dict[str, str] = {}  # a selectbox's widget id → the option picked, as the browser sends it

    async def __aenter__(self) -> Browser:
        headers = {"Origin": self.url, "Cookie": self.cookie}
        self.ws = await websockets.connect(self.url.replace("http://", "ws://") + "/_stcore/stream",
                                           subprotocols=["streamlit"], additional_headers=headers,
                                           max_size=64 * 2**20, open_timeout=60)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def _next(self, deadline: float) -> ForwardMsg:
        msg = ForwardMsg()
        msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), max(0.1, deadline - time.monotonic())))
        return msg

    async def run(self, page: str = "", trigger: str | None = None) -> Run:
        state = ClientState(page_script_hash=self.page_hash) if self.page_hash else ClientState(page_name=page)
        for widget_id, value in self.widgets.items():
            w = state.widget_states.widgets.add()
            w.id = widget_id
            w.file_uploader_state_value.CopyFrom(value)
        for widget_id, option in self.chosen.items():
            w = state.widget_states.widgets.add()
            w.id, w.string_value = widget_id, option
        if trigger:
            w = state.widget_states.widgets.add()
            w.id, w.trigger_value = trigger, True
        back = BackMsg()
        back.rerun_script.CopyFrom(state)
        await self.ws.send(back.SerializeToString())
        deadline, run = time.monotonic() + TIMEOUT, Run()
        for _ in range(loadtest.MAX_MESSAGES):
            msg = await self._next(deadline)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                run = Run()
                self.session_id = msg.new_session.initialize.session_id or self.session_id
            elif kind == "navigation":  # the page st.navigation chose: later runs ask for it by hash
                self.page_hash = msg.navigation.page_script_hash
            elif kind == "delta" and msg.delta.HasField("new_element"):
                element = msg.delta.new_element
                name = element.WhichOneof("type")
                if name == "alert":
                    run.alerts.append((str(element.alert.format), element.alert.body))
                elif name == "exception":
                    run.alerts.append(("exception", element.exception.message))
                elif name == "button":
                    run.buttons[element.button.label] = element.button.id
                elif name == "file_uploader":
                    run.uploader = element.file_uploader.id
                elif name == "selectbox":
                    run.options[element.selectbox.label] = list(element.selectbox.options)
                    run.pickers[element.selectbox.label] = element.selectbox.id
                elif name == "bidi_component" and element.bidi_component.component_name == "alignment.filters":
                    for field in json.loads(element.bidi_component.json)["fields"]:  # the sidebar's filters
                        run.options[field["label"]] = field["options"]
            if msg.HasField("script_finished") and ForwardMsg.ScriptFinishedStatus.Name(
                    msg.script_finished) != "FINISHED_EARLY_FOR_RERUN":
                return run
        raise AssertionError("no finished run")

    async def attach(self, uploader: str, name: str, data: bytes) -> None:
        """Send a file as the uploader widget does: ask for its URL, PUT it, then name it in the state."""
        back = BackMsg()
        back.file_urls_request.request_id = request = uuid.uuid4().hex
        back.file_urls_request.file_names.append(name)
        back.file_urls_request.session_id = self.session_id
        await self.ws.send(back.SerializeToString())
        deadline = time.monotonic() + 30
        while True:
            msg = await self._next(deadline)
            if msg.WhichOneof("type") == "file_urls_response" and msg.file_urls_response.response_id == request:
                urls = msg.file_urls_response.file_urls[0]
                break
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"UploadedFile\"; filename=\"{name}\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        token = self.cookie.split("=", 1)[1]
        request_put = urllib.request.Request(
            self.url + urls.upload_url if urls.upload_url.startswith("/") else urls.upload_url, data=body,
            method="PUT", headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                   "Cookie": self.cookie, "X-Xsrftoken": token, "Origin": self.url})
        await asyncio.to_thread(lambda: urllib.request.urlopen(request_put, timeout=60).close())
        from streamlit.proto.Common_pb2 import FileUploaderState

        value = FileUploaderState()
        info = value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        self.widgets[uploader] = value


def spend_csv(rows: int, unit: str, amount: float = 1.0) -> bytes:
    lines = ["Month,Business Unit,Budget,Actual"]
    lines += [f"2025-{1 + i % 12:02d}-01,{unit},{amount},{amount}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def upload_through(replica: cluster.Replica, name: str, data: bytes) -> Run:
    """Open the Data page, attach the file, press Load: what the page then says."""
    async with Browser(replica.url, loadtest.browser_cookie(server_of(replica))) as tab:
        first = await tab.run("data")
        await tab.attach(first.uploader, name, data)
        ready = await tab.run()
        assert "Load" in ready.buttons, ready.alerts
        return await tab.run(trigger=ready.buttons["Load"])


async def undo_latest_through(replica: cluster.Replica, upload: int) -> Run:
    """Pick ``upload`` in the Data page's undo picker (it chooses nothing itself), then press Undo."""
    async with Browser(replica.url, loadtest.browser_cookie(server_of(replica))) as tab:
        page = await tab.run("data")
        picker = page.pickers["Upload to undo"]
        tab.chosen[picker] = next(o for o in page.options["Upload to undo"] if o.startswith(f"{upload}: "))
        chosen = await tab.run()
        return await tab.run(trigger=chosen.buttons["Undo"])


def server_of(replica: cluster.Replica) -> loadtest.Server:
    return loadtest.Server(replica.url, replica.process, replica.log)


def unit_total(setting: str, unit: str) -> float | None:
    with Store(setting) as store:
        row = store.cursor().execute("SELECT sum(actual) FROM spend WHERE business_unit = ?", [unit]).fetchone()
    return row[0]


def batches(setting: str) -> list[tuple]:
    """Every upload with its stored row count and the rows actually there."""
    with Store(setting) as store:
        return store.cursor().execute(
            "SELECT u.id, u.status, u.row_count, (SELECT count(*) FROM spend_rows r WHERE r.batch_id = u.id) "
            "FROM uploads u WHERE u.dataset = 'spend' ORDER BY u.id").fetchall()


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    with cluster.running(folder, ports=(loadtest.free_port(), loadtest.free_port()), demo=False) as running:
        with Store(running.setting) as store:
            load(store)
        yield running


def cli(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "alignment", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def test_an_upload_in_one_replica_shows_in_the_other_on_its_next_run(lake) -> None:
    a, b = lake.replicas

    async def units_on(replica: cluster.Replica) -> list[str]:
        async with Browser(replica.url, loadtest.browser_cookie(server_of(replica))) as tab:
            return (await tab.run("")).options["Business unit"]

    assert "North" not in asyncio.run(units_on(b))  # b has read (and cached) the data as it was
    said = asyncio.run(upload_through(a, "north.csv", spend_csv(3, "North", 10.0)))
    assert any("Loaded 3 rows into IT spend" in text for _, text in said.alerts), said.alerts
    assert unit_total(lake.setting, "North") == 30.0
    assert "North" in asyncio.run(units_on(b))  # b's very next run shows it


def test_cli_ingest_and_forty_participants_through_both_replicas_at_once(lake, tmp_path) -> None:
    code = "CLUSTR"
    with Store(lake.setting) as store:
        store.open_live_session(code, "Cluster wave")
    file = tmp_path / "south.csv"
    file.write_bytes(spend_csv(20_000, "South"))
    servers = [server_of(r) for r in lake.replicas]
    ingest = cli("ingest", str(file), "--dataset", "spend", "--user", "scheduler", env=lake.env)

    async def crowd() -> list[loadtest.Outcome]:
        tasks = [loadtest.answer_survey(servers[n % 2], code, loadtest.browser_cookie(servers[n % 2]), n, TIMEOUT)
                 for n in range(40)]
        return await asyncio.gather(*tasks)

    answered = asyncio.run(crowd())
    out, err = ingest.communicate(timeout=TIMEOUT)
    assert ingest.returncode == 0, err
    assert json.loads(out)["rows_loaded"] == 20_000
    assert [o.result for o in answered] == [loadtest.STORED] * 40
    with Store(lake.setting) as store:
        session = store.live_session(code)
        per_person = store.cursor().execute(
            "SELECT respondent_id, count(*) FROM survey_rows WHERE batch_id = ? GROUP BY 1",
            [session["batch_id"]]).fetchall()
    assert session["respondents"] == 40
    assert len({n for _, n in per_person}) == 1  # every participant's statements once: none lost or doubled
    assert unit_total(lake.setting, "South") == 20_000.0
    # Both replicas' next runs read the new spend.
    for server in servers:
        assert asyncio.run(loadtest.view_page(server, loadtest.View("spend"), TIMEOUT)).result == "finished"


def test_a_replica_killed_mid_upload_leaves_no_partial_batch_and_the_other_undoes(lake, tmp_path) -> None:
    a, b = lake.replicas
    before = batches(lake.setting)
    lake_files = set((lake.folder / "lake").rglob("*.parquet"))

    async def upload_and_kill() -> bool:
        async with Browser(a.url, loadtest.browser_cookie(server_of(a))) as tab:
            first = await tab.run("data")
            await tab.attach(first.uploader, "big.csv", spend_csv(200_000, "West"))
            ready = await tab.run()
            back = BackMsg()  # press Load, and do not wait for the page
            state = ClientState(page_script_hash=tab.page_hash)
            for widget_id, value in tab.widgets.items():
                w = state.widget_states.widgets.add()
                w.id = widget_id
                w.file_uploader_state_value.CopyFrom(value)
            w = state.widget_states.widgets.add()
            w.id, w.trigger_value = ready.buttons["Load"], True
            back.rerun_script.CopyFrom(state)
            await tab.ws.send(back.SerializeToString())
            deadline = time.monotonic() + TIMEOUT  # kill as the lake's new data files are being written
            while time.monotonic() < deadline and set((lake.folder / "lake").rglob("*.parquet")) == lake_files:
                await asyncio.sleep(0.02)
            os.killpg(a.process.pid, signal.SIGKILL)
            return set((lake.folder / "lake").rglob("*.parquet")) != lake_files

    assert asyncio.run(upload_and_kill())  # killed while its data files were being written, before the commit
    a.process.wait(10)
    after = batches(lake.setting)
    assert after == before  # the killed upload left no batch, whole or partial
    assert all(rows == count for _, _, count, rows in after)
    assert unit_total(lake.setting, "West") is None
    latest = max(i for i, status, _, _ in after if status == "active")
    said = asyncio.run(undo_latest_through(b, latest))
    assert any(f"Undid upload {latest}" in text for _, text in said.alerts), said.alerts
    assert dict((i, s) for i, s, _, _ in batches(lake.setting))[latest] == "undone"


def test_the_cluster_command_starts_two_replicas_on_the_demo_and_stops_on_request(tmp_path) -> None:
    folder, ports = tmp_path / "cluster", (loadtest.free_port(), loadtest.free_port())
    command = subprocess.Popen([sys.executable, "-m", "alignment", "cluster", "--dir", str(folder), "--ports",
                                ",".join(map(str, ports))], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        lines = []
        while not lines or "stops everything" not in lines[-1]:
            line = command.stdout.readline()
            assert line, f"the cluster command ended early: {lines}"
            lines.append(line)
        setting = next(line.split("=", 1)[1].strip().strip("'") for line in lines if line.startswith("ALIGNMENT_DB="))
        for port in ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
                assert response.status == 200
        with Store(setting) as store:  # the demo company, loaded once into the lake both replicas read
            assert set(store.uploads()["uploaded_by"]) == {"demo"}
        stopped = subprocess.run([sys.executable, "-m", "alignment", "cluster", "--dir", str(folder), "--stop"],
                                 cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert (stopped.returncode, stopped.stdout.strip()) == (0, "Stopped.")
        assert command.wait(30) == 0
    finally:
        if command.poll() is None:
            command.kill()
    for port in ports:  # the replicas are gone
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5)
