"""Cold start in a real browser: the Overview against a minimal three-chart Streamlit app (#14).

Both apps are measured in the same run, taking turns, so a busy machine slows both alike and the
ratio stays meaningful. Two numbers each:
- server start to first chart: the process spawned, the page opened as soon as the port answers,
  until every chart the page shows is drawn;
- cold load: a fresh browser context (no cache, no cookies) opening the page of a running server,
  until its charts are drawn.
Debian's chromium headless through Playwright, as the browser tests use; never a downloaded browser.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from alignment import loadtest

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
CHART = "[data-testid='stVegaLiteChart'] svg"
TARGET_RATIO = 1.2
MINIMAL_APP = '''import altair as alt
import pandas as pd
import streamlit as st

st.title("Three charts")
frame = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=12, freq="MS"), "amount": range(12)})
for mark in ("bar", "line", "area"):
    st.altair_chart(getattr(alt.Chart(frame), f"mark_{mark}")().encode(x="month:T", y="amount:Q"))
'''


def chromium() -> str | None:
    return shutil.which("chromium") or (str(Path("/usr/bin/chromium")) if Path("/usr/bin/chromium").exists()
                                        else None)


def _charts_drawn(browser, url: str, charts: int, since: float) -> float:
    """Seconds from ``since`` until ``charts`` charts are drawn, in a fresh context."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(f"() => document.querySelectorAll(\"{CHART}\").length >= {charts}",
                               timeout=60_000, polling=20)
        return time.perf_counter() - since
    finally:
        context.close()


def run(db: str, repeat: int = 5) -> dict:
    """Medians (s) of start-to-first-chart and cold load for the Overview and the minimal app."""
    from playwright.sync_api import sync_playwright

    exe = chromium()
    if not exe:
        return {"skipped": "Debian's chromium is not installed (make test installs it)"}
    times: dict[str, dict[str, list[float]]] = {a: {"start_s": [], "cold_s": []} for a in ("overview", "minimal")}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        apps = {"overview": (loadtest.APP, 3), "minimal": (minimal, 3)}  # the Overview as `make run` starts it
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            for _ in range(repeat):
                for name, (script, charts) in apps.items():  # taking turns
                    started = time.perf_counter()
                    with loadtest.serve(Path(db), app=script) as server:
                        times[name]["start_s"].append(_charts_drawn(browser, server.url, charts, started))
                        loaded = time.perf_counter()
                        times[name]["cold_s"].append(_charts_drawn(browser, server.url, charts, loaded))
        finally:
            browser.close()
    result: dict = {name: {k: round(statistics.median(v), 3) for k, v in t.items()} for name, t in times.items()}
    for k in ("start_s", "cold_s"):
        result[f"{k[:-2]}_ratio"] = round(result["overview"][k] / result["minimal"][k], 2)
    result["repeat"] = repeat
    return result


def targets(result: dict) -> dict[str, bool]:
    if "skipped" in result:
        return {}
    return {f"Overview cold load within {TARGET_RATIO}x a minimal 3-chart app": result["cold_ratio"] <= TARGET_RATIO,
            f"server start to first chart within {TARGET_RATIO}x a minimal 3-chart app":
                result["start_ratio"] <= TARGET_RATIO}


def describe(result: dict) -> str:
    if "skipped" in result:
        return f"browser cold start: skipped ({result['skipped']})"
    o, m = result["overview"], result["minimal"]
    return (f"browser (medians of {result['repeat']}): server start to charts {o['start_s']:.2f} s vs minimal "
            f"{m['start_s']:.2f} s ({result['start_ratio']:.2f}x); cold load {o['cold_s']:.2f} s vs "
            f"{m['cold_s']:.2f} s ({result['cold_ratio']:.2f}x)")


if __name__ == "__main__":  # python -m alignment.bench_browser DB [REPEAT]
    import json

    print(json.dumps(run(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5), indent=1))
