"""A big upload through the browser's Data page (issue 13): a 3M-row csv and a 1M-row xlsx.

A benchmark stage, not a timed test. For each file: a fresh database with the demo company, a real
`streamlit run` server (alignment.loadtest), Debian's chromium through Playwright. One tab does what
a user does: opens Data, states the upload limit, chooses the file as spend, looks at the guessed
mapping, picks "Replace", presses Load and waits for "Loaded N rows". The tab logs every text the
progress bar shows (a MutationObserver, so nothing between two polls is missed). While the work
runs, a second browser context opens the Overview and waits for its charts: the app must stay
responsive for everyone else. Afterwards the server's peak RSS (VmHWM) and the rows in the database.

    python -m alignment.bench_upload --csv-rows 3000000 --xlsx-rows 1000000 --files DIR

Files are kept in DIR, so a rerun does not rebuild them (a 1M-row xlsx takes minutes to write).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from alignment import bench_browser, loadtest
from alignment.bench import spend_frame, write_xlsx
from alignment.demo import load_demo
from alignment.formatting import how_many
from alignment.reading import MAX_UPLOAD_MB
from alignment.store import Store

OVERVIEW_BOUND_S = 10.0  # the Overview's charts while a big load runs; its cold load idle is ~2 s
OVERVIEW_CHARTS = 3
STEP_TIMEOUT_S = 1800.0  # one step of a big load (read and check, or Load); a bound for a server gone wrong
RERUN_SEEN_MS = 3000  # a big file's rerun draws its bar at once; a tiny file's may never
DESKTOP = {"width": 1440, "height": 1000}
STAGE_WORDS = {"Reading": "read", "Checking": "check", "Storing": "store"}
# Every distinct text the progress bar shows, with the page's clock; a MutationObserver sees each
# change the page draws, which a poll from Python (blocked while it drives the other tab) would not.
STAGE_LOG_JS = """() => {
  window.__stages = [];
  const look = () => {
    const bar = document.querySelector("[data-testid='stProgress']");
    const text = bar ? bar.innerText.trim() : "";
    const log = window.__stages, last = log.length ? log[log.length - 1][1] : null;
    if (text && text !== last) log.push([performance.now(), text]);
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, characterData: true});
}"""
READY_JS = "document.body.innerText.includes('{rows} ready to load')"  # rows as said: "1,204 rows"
# Each dropdown's label and what it shows chosen (the chosen option is drawn in the select, not its label).
SELECTED_JS = """() => [...document.querySelectorAll("[data-testid='stSelectbox']")].map(box => [
  (box.querySelector('label') || {innerText: ''}).innerText.trim(),
  [(box.querySelector("[data-baseweb='select']") || {innerText: ''}).innerText,
   (box.querySelector('input') || {value: ''}).value].join(' | ')])"""
# The uploader's own refusal of a file over server.maxUploadSize, said in the browser before sending it.
REFUSED_JS = "/File must be .* or smaller/.test(document.body.innerText)"
# "N rows ready to load" drawn by the latest run: a run that starts marks what the last one drew stale.
FRESH_READY_JS = """() => [...document.querySelectorAll("[data-testid='stElementContainer']")].some(e =>
  e.getAttribute('data-stale') !== 'true' && e.innerText.includes('{rows} ready to load'))"""
CHARTS_JS = f"() => document.querySelectorAll(\"{bench_browser.CHART}\").length >= {OVERVIEW_CHARTS}"


def files(directory: Path, csv_rows: int, xlsx_rows: int) -> dict[str, Path]:
    """The spend files as alignment.bench builds them, in ``directory``; kept if already there
    (written under a temporary name first, so an interrupted build is never taken for a file)."""
    directory.mkdir(parents=True, exist_ok=True)
    made = {}
    for kind, rows in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        if rows <= 0:
            continue
        path = directory / f"spend-{rows}.{kind}"
        if not path.exists():
            partial = path.with_suffix(f".partial.{kind}")
            frame = spend_frame(rows)
            if kind == "csv":
                frame.to_csv(partial, index=False)
            else:
                partial.write_bytes(write_xlsx(frame))
            del frame
            partial.rename(path)
        made[kind] = path
    return made


def _stages(page) -> list[tuple[float, str]]:
    return [(float(t), text) for t, text in page.evaluate("() => window.__stages || []")]


def stages_seen(log: list[tuple[float, str]]) -> list[str]:
    """The stages in the order the bar first showed them: 'Reading the file… 40%' is 'read'."""
    seen: list[str] = []
    for _, text in log:
        stage = next((s for word, s in STAGE_WORDS.items() if text.startswith(word)), None)
        if stage and stage not in seen:
            seen.append(stage)
    return seen


def _overview(browser, url: str, timeout: float) -> float | None:
    """Seconds for a new visitor's Overview to draw its charts; None when it did not within ``timeout``."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, timeout=timeout * 1000)
        try:
            page.wait_for_function(CHARTS_JS, timeout=timeout * 1000, polling=50)
        except PlaywrightTimeout:  # the answer is "not within the bound"
            return None
        return time.perf_counter() - start
    finally:
        context.close()


def _rows_in_db(db: Path) -> dict[str, int]:
    with Store(db) as store:
        cur = store.cursor()
        active = "SELECT id FROM uploads WHERE dataset = 'spend' AND status = 'active'"
        (rows,), = cur.execute(f"SELECT count(*) FROM spend_rows WHERE batch_id IN ({active})").fetchall()
        (said,), = cur.execute(f"SELECT coalesce(sum(row_count), 0) FROM uploads WHERE id IN ({active})").fetchall()
        (batches,), = cur.execute(f"SELECT count(*) FROM ({active})").fetchall()
    return {"active_spend_rows": int(rows), "uploads_row_count": int(said), "active_spend_uploads": int(batches)}


def load_one(browser, path: Path, rows: int, work: Path, bound: float = OVERVIEW_BOUND_S,
             timeout: float = STEP_TIMEOUT_S) -> dict:
    """Upload ``path`` (``rows`` data rows) as spend through the Data page of a fresh server; see
    the module's docstring for what is measured."""
    db = work / f"upload-{path.stem}.duckdb"
    db.unlink(missing_ok=True)
    with Store(db) as store:
        load_demo(store)
    result: dict = {"file": path.name, "rows": rows, "bytes": path.stat().st_size,
                    "mb": round(path.stat().st_size / 2**20, 1), "overview_bound_s": bound}
    ms, counted = timeout * 1000, how_many(rows, "row")  # "1,204 rows", as the Data page says it
    with loadtest.serve(db) as server:
        result["overview_idle_s"] = _overview(browser, server.url, timeout)
        result["server_rss_before_mb"] = loadtest.peak_rss_mb(server)
        context = browser.new_context(viewport=DESKTOP)
        try:
            page = context.new_page()
            page.goto(server.url + "/data")
            page.get_by_role("heading", name="Data").first.wait_for(timeout=60_000)
            uploader = page.locator("[data-testid='stFileUploader']")
            uploader.wait_for(timeout=60_000)
            result["limit_stated"] = f"{MAX_UPLOAD_MB}MB" in uploader.inner_text().replace(" ", "")
            page.evaluate(STAGE_LOG_JS)
            clock = page.evaluate("() => performance.now()")

            # Choose the file: the page reads and checks it at once, showing the bar.
            start = time.perf_counter()
            page.set_input_files("input[type=file]", str(path), timeout=ms)
            page.wait_for_function(f"() => window.__stages.length > 0 || {READY_JS.format(rows=counted)} || "
                                   f"{REFUSED_JS}", timeout=ms, polling=50)  # a tiny file may be done already
            refused = page.evaluate(f"() => {REFUSED_JS} && document.body.innerText.match(/File must be .*/)[0]")
            if refused:  # the browser itself refused the file: nothing reached the server
                result["refused"] = refused
                return result
            result["overview_during_check_s"] = _overview(browser, server.url, bound)
            ready = page.get_by_text(f"{counted} ready to load")
            ready.wait_for(timeout=ms)
            result["read_and_check_s"] = time.perf_counter() - start

            # The mapping step: each column's dropdown shows the file's header it guessed.
            guesses = {"Business unit": "Business Unit", "Month": "Month", "Vendor": "Supplier"}
            shown = dict(page.evaluate(SELECTED_JS))
            result["mapping_shown"] = {label: shown.get(label, "").replace("\n", " | ") for label in guesses}
            result["mapping_guessed"] = all(header in shown.get(label, "") for label, header in guesses.items())

            # "Replace all current IT spend": a widget change reruns the page.
            start, logged = time.perf_counter(), len(_stages(page))
            page.get_by_role("radiogroup", name="How").get_by_text("Replace", exact=False).click()
            try:  # the rerun shows the bar again; a tiny file's rerun may end before it is drawn
                page.wait_for_function(f"() => window.__stages.length > {logged}", timeout=RERUN_SEEN_MS,
                                       polling=50)
            except PlaywrightTimeout:
                pass
            page.wait_for_function(FRESH_READY_JS.replace("{rows}", counted), timeout=ms, polling=100)
            result["replace_rerun_s"] = time.perf_counter() - start

            start = time.perf_counter()
            page.get_by_role("button", name="Load", exact=True).click()
            result["overview_during_load_s"] = _overview(browser, server.url, bound)
            page.get_by_text(f"Loaded {counted} into IT spend").wait_for(timeout=ms)
            result["load_s"] = time.perf_counter() - start
            log = [(t - clock, text) for t, text in _stages(page)]
            result["stages"] = stages_seen(log)
            result["progress_texts"] = len(log)
            result["user_sees"] = page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
        finally:
            context.close()
        result["server_peak_rss_mb"] = loadtest.peak_rss_mb(server)
    result |= _rows_in_db(db)
    result["responsive"] = all(result.get(k) is not None and result[k] <= bound
                               for k in ("overview_during_check_s", "overview_during_load_s"))
    db.unlink(missing_ok=True)
    db.with_suffix(".duckdb.wal").unlink(missing_ok=True)
    return result


def run(directory: Path, csv_rows: int, xlsx_rows: int, bound: float = OVERVIEW_BOUND_S,
        timeout: float = STEP_TIMEOUT_S) -> dict:
    """Every file asked for, each on its own fresh server; the files are kept in ``directory``."""

    exe = bench_browser.chromium()
    if not exe:
        return {"skipped": "Debian's chromium is not installed (make test installs it)"}
    made = files(directory, csv_rows, xlsx_rows)
    rows = {"csv": csv_rows, "xlsx": xlsx_rows}
    result: dict = {"upload_limit_mb": MAX_UPLOAD_MB, "loadavg_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as work, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=bench_browser.CHROMIUM_ARGS)
        try:
            for kind, path in made.items():
                result[kind] = load_one(browser, path, rows[kind], Path(work), bound, timeout)
        finally:
            browser.close()
    result["loadavg_after"] = os.getloadavg()
    return result


def targets(result: dict) -> dict[str, bool]:
    met = {}
    for kind in ("csv", "xlsx"):
        r = result.get(kind)
        if not r:
            continue
        what = f"{r['rows']:,}-row {kind} through the Data page"
        if "refused" in r:
            met[f"{what}: the browser took the file ({r['bytes']:,} bytes)"] = False
            continue
        met[f"{what}: loaded, every row stored"] = r["active_spend_rows"] == r["rows"]
        met[f"{what}: the bar showed read, check, store"] = r["stages"] == ["read", "check", "store"]
        met[f"{what}: the Overview draws within {r['overview_bound_s']:g} s meanwhile"] = r["responsive"]
        met[f"{what}: the {result['upload_limit_mb']} MB limit is stated"] = r["limit_stated"]
    return met


def _s(value: float | None) -> str:
    return "  timeout" if value is None else f"{value:9.1f}"


def describe(result: dict) -> str:
    """A short table: a row per file."""
    if "skipped" in result:
        return f"browser upload: skipped ({result['skipped']})"
    lines = [f"{'upload':>16} {'MB':>6} {'check s':>9} {'replace s':>9} {'load s':>9} {'overview':>9} "
             f"{'in check':>9} {'in load':>9} {'peak MB':>8} {'stages':>17} rows stored"]
    for kind in ("csv", "xlsx"):
        r = result.get(kind)
        if not r:
            continue
        if "refused" in r:
            lines.append(f"{r['rows']:>12,} {kind:>4}{r['mb']:6.0f} refused by the browser ({r['bytes']:,} bytes): "
                         f"{r['refused']}")
            continue
        lines.append(f"{r['rows']:>12,} {kind:>4}{r['mb']:6.0f} {r['read_and_check_s']:9.1f} "
                     f"{r['replace_rerun_s']:9.1f} {r['load_s']:9.1f}"
                     f"{_s(r['overview_idle_s'])}{_s(r['overview_during_check_s'])}"
                     f"{_s(r['overview_during_load_s'])} {r['server_peak_rss_mb'] or 0:8.0f} "
                     f"{','.join(r['stages']):>17} {r['active_spend_rows']:,}")
    lines.append(f"(overview: seconds to its charts idle, while the file is read and checked, while Load runs; "
                 f"bound {OVERVIEW_BOUND_S:g} s; load average {result['loadavg_before'][0]:.2f} before, "
                 f"{result['loadavg_after'][0]:.2f} after)")
    return "\n".join(lines)


def from_env(directory: Path) -> dict | None:
    """For alignment.bench: the stage when BENCH_UPLOAD_ROWS (csv rows) is set; BENCH_UPLOAD_XLSX_ROWS
    (default: none) adds the xlsx, BENCH_UPLOAD_FILES keeps the files somewhere lasting."""
    csv_rows = int(os.environ.get("BENCH_UPLOAD_ROWS") or 0)
    xlsx_rows = int(os.environ.get("BENCH_UPLOAD_XLSX_ROWS") or 0)
    if not (csv_rows or xlsx_rows):
        return None
    return run(Path(os.environ.get("BENCH_UPLOAD_FILES") or directory), csv_rows, xlsx_rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m alignment.bench_upload", description=__doc__.splitlines()[0])
    parser.add_argument("--csv-rows", type=int, default=3_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=Path, required=True, help="where the files are built and kept")
    parser.add_argument("--bound", type=float, default=OVERVIEW_BOUND_S, help="seconds for the Overview's charts")
    parser.add_argument("--output", type=Path, default=Path("bench-upload.json"))
    args = parser.parse_args(argv)
    result = run(args.files, args.csv_rows, args.xlsx_rows, args.bound)
    args.output.write_text(json.dumps(result, indent=1))
    print(describe(result))
    met = targets(result)
    for target, ok in met.items():
        print(f"{'met ' if ok else 'MISSED'}  {target}")
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
