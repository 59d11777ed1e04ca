"""Live survey: answers become survey rows in one batch per session, safely under load."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from alignment import live
from alignment.queries import run_query
from alignment.schema import LUFTMAN_DIMENSIONS
from alignment.store import AlreadyAnswered, Store, StoreError
from tests.conftest import BACKENDS, run_while_reading

ALL_FOUR = dict.fromkeys(LUFTMAN_DIMENSIONS, 4)


def answers(respondent: str, group: str, score: int = 4, **overrides: int):
    scores = {**dict.fromkeys(LUFTMAN_DIMENSIONS, score), **overrides}
    return live.answer_rows(respondent, "Workshop", group, scores)


def test_answer_rows_one_row_per_dimension():
    rows = live.answer_rows("p1", "W1", "IT", ALL_FOUR, importance={"Skills": 5}, business_unit=" Retail ",
                            comment="More joint planning")
    assert list(rows["dimension"]) == list(LUFTMAN_DIMENSIONS)
    assert list(rows["score"]) == [4] * 6
    assert rows["importance"].tolist()[-1] == 5 and rows["importance"].isna().sum() == 5
    assert set(rows["business_unit"]) == {"Retail"}
    assert rows["comment"].notna().sum() == 1


@pytest.mark.parametrize(("group", "scores", "message"), [
    ("", ALL_FOUR, "IT or in the business"),
    ("IT", {**ALL_FOUR, "Skills": None}, "still open: Skills"),
    ("IT", {**ALL_FOUR, "Skills": 7}, "Skills must be a whole number from 1 to 5"),
])
def test_incomplete_or_wrong_answers_are_refused_with_a_sentence(group, scores, message):
    with pytest.raises(live.AnswerError, match=message):
        live.answer_rows("p1", "W1", group, scores)


def test_codes_are_unambiguous_and_links_point_at_the_join_page():
    code = live.new_code()
    assert len(code) == 6 and not set(code) & set("01OIL")
    assert live.normalise_code(" ab-c2 ") == "ABC2"
    assert live.join_url("https://dash.example.com/alignment?wave=x", "ABC234") == \
        "https://dash.example.com/?join=ABC234"
    assert live.only_this_machine("http://localhost:8501/?join=A") and live.only_this_machine("http://127.0.0.1:1/")
    assert not live.only_this_machine("http://10.0.0.5:8501/?join=A")
    assert live.qr_svg("https://dash.example.com/?join=ABC234").lstrip().startswith("<?xml")


def test_a_live_session_is_a_survey_batch_that_feeds_the_analyses(store):
    batch = store.open_live_session("ABC234", "Workshop", user="facilitator")
    # hand-worked: IT answers 5 and 4 on Communications, the business 2: IT mean 4.5, gap 2.5
    store.add_live_answers("ABC234", answers("it-1", "IT", 3, Communications=5))
    store.add_live_answers("ABC234", answers("it-2", "IT", 3, Communications=4))
    store.add_live_answers("ABC234", answers("biz-1", "Business", 3, Communications=2))
    gap = run_query(store.cursor(), "alignment_gap", {"wave": "Workshop"}).set_index("dimension")
    assert gap.loc["Communications", "it_mean"] == 4.5
    assert gap.loc["Communications", "business_mean"] == 2.0
    assert gap.loc["Communications", "gap"] == 2.5
    assert gap.loc["Skills", "gap"] == 0
    session = store.live_session("ABC234")
    assert session["respondents"] == 3 and session["batch_id"] == batch
    history = store.uploads().set_index("id")
    assert history.loc[batch, "row_count"] == 18 and history.loc[batch, "dataset"] == "survey"


def test_a_double_tap_counts_once_and_a_closed_session_takes_nothing(store):
    store.open_live_session("ABC234", "Workshop")
    store.add_live_answers("ABC234", answers("p1", "IT"))
    with pytest.raises(AlreadyAnswered):
        store.add_live_answers("ABC234", answers("p1", "IT", 1))
    store.close_live_session("ABC234")
    with pytest.raises(StoreError, match="closed"):
        store.add_live_answers("ABC234", answers("p2", "IT"))
    with pytest.raises(StoreError, match="no live session"):
        store.add_live_answers("NOPE22", answers("p3", "IT"))
    assert store.cursor().execute("SELECT count(*), sum(score) FROM survey").fetchone() == (6, 24)
    assert store.open_live_sessions() == []


def test_a_practice_run_leaves_the_dashboards_when_it_closes_and_a_real_one_stays(store):
    real = store.open_live_session("REAL22", "2026-03-01 workshop")
    store.add_live_answers("REAL22", answers("p1", "IT", 4))
    assert store.close_live_session("REAL22") is False
    rehearsal = store.open_live_session("TRY234", "2026-03-02 rehearsal", practice=True)
    assert store.live_session("TRY234")["practice"] and not store.live_session("REAL22")["practice"]
    store.add_live_answers("TRY234", answers("p2", "Business", 1))
    def seen() -> tuple:
        return store.cursor().execute("SELECT count(*), sum(score) FROM survey").fetchone()

    assert seen() == (12, 30)  # open, it shows like any session: 6 x 4 + 6 x 1
    assert store.close_live_session("TRY234") is True
    assert seen() == (6, 24)  # closed: only the real session's answers
    history = store.uploads().set_index("id")
    assert history.loc[rehearsal, "status"] == "undone" and history.loc[rehearsal, "row_count"] == 6  # kept
    assert history.loc[real, "status"] == "active"
    store.redo(rehearsal)  # nothing was lost: Restore brings it back
    assert seen() == (12, 30)


def test_undoing_a_session_takes_its_answers_out_and_stops_new_ones(store):
    batch = store.open_live_session("ABC234", "Workshop")
    store.add_live_answers("ABC234", answers("p1", "IT"))
    store.undo(batch)
    assert store.cursor().execute("SELECT count(*) FROM survey").fetchone()[0] == 0
    with pytest.raises(StoreError, match="closed"):
        store.add_live_answers("ABC234", answers("p2", "IT"))
    store.redo(batch)
    assert store.cursor().execute("SELECT count(*) FROM survey").fetchone()[0] == 6


@pytest.mark.parametrize("backend", BACKENDS)
def test_many_phones_answer_while_dashboards_read_and_uploads_land(tmp_path, backend, request):
    """The room answers at once while someone uploads spend and others read: nothing lost (fewer
    phones on the lake, where every commit is a round trip to PostgreSQL)."""
    from tests.test_store import frame

    phones, each, uploads = (8, 10, 10) if backend == "duckdb" else (4, 5, 4)
    store = Store(tmp_path / "live.duckdb") if backend == "duckdb" else Store(request.getfixturevalue("lake")())
    store.open_live_session("ROOM22", "Workshop")
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                run_query(store.cursor(), "alignment_gap", {"wave": "Workshop"})
                store.live_session("ROOM22")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    def phone(n):
        try:
            for i in range(each):
                store.add_live_answers("ROOM22", answers(f"phone-{n}-{i}", "IT" if n % 2 else "Business",
                                                         1 + (i % 5)))
                if i == 0:  # the same phone tapping twice
                    try:
                        store.add_live_answers("ROOM22", answers(f"phone-{n}-0", "IT"))
                    except AlreadyAnswered:
                        pass
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def uploader():
        try:
            for _ in range(uploads):
                store.add_batch("spend", frame(100, "U"))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    writers = [threading.Thread(target=phone, args=(n,)) for n in range(phones)] + [threading.Thread(target=uploader)]
    run_while_reading(readers, writers, stop)
    assert errors == []
    cur = store.cursor()
    answered = phones * each
    assert cur.execute("SELECT count(DISTINCT respondent_id), count(*) FROM survey").fetchone() == (answered,
                                                                                                   answered * 6)
    # every phone answered 1..5 (twice over ten submissions): mean 3 on every dimension
    assert cur.execute("SELECT avg(score) FROM survey").fetchone()[0] == 3
    assert cur.execute("SELECT count(*) FROM spend").fetchone()[0] == uploads * 100
    rows = cur.execute("SELECT count(DISTINCT source_row), max(source_row) FROM survey_rows").fetchone()
    assert rows == (answered * 6, answered * 6)
    store.close()


# Where the join link is overlapped: the toolbar's box and the link's, as drawn.
@contextmanager
def chromium_on(db: Path) -> Iterator[tuple[object, object]]:
    """The app serving ``db`` and Debian's Chromium, headless, for the room screen's browser tests."""
    from playwright.sync_api import sync_playwright

    from alignment import bench_browser, loadtest

    with loadtest.serve(db) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=bench_browser.CHROMIUM_ARGS)
        try:
            yield server, browser
        finally:
            browser.close()


OVERLAP_JS = """() => {
  const bar = document.querySelector('.st-key-qr [data-testid="stElementToolbar"]').getBoundingClientRect();
  const link = document.querySelector('.st-key-join-link p').getBoundingClientRect();
  return Math.min(bar.bottom, link.bottom) - Math.max(bar.top, link.top) > 0
      && Math.min(bar.right, link.right) - Math.max(bar.left, link.left) > 0;
}"""


@pytest.mark.skipif(not shutil.which("chromium") and not Path("/usr/bin/chromium").exists(),
                    reason="Debian's chromium is not installed (make test installs it)")
def test_the_qr_codes_hover_toolbar_never_covers_the_join_link(tmp_path):
    """Right after "Open a session" the pointer rests where the button was: on the QR code, whose hover
    toolbar (full screen) covered "Scan the code or open http://…/?join=CODE" at a laptop's 1440x900."""
    db = tmp_path / "live.duckdb"
    Store(db).close()
    with chromium_on(db) as (server, browser):
        for size in ({"width": 1440, "height": 900}, {"width": 1920, "height": 1080}):
            page = browser.new_page(viewport=size)
            page.goto(f"{server.url}/live")
            button = page.get_by_role("button", name="Open a session")
            button.wait_for(timeout=30_000)
            # A click while the page's first run is still drawing can land before the form listens.
            page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=30_000)
            box = button.bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.locator(".st-key-qr img").wait_for(timeout=30_000)
            page.locator(".st-key-join-link p").wait_for(timeout=30_000)
            page.locator(".st-key-qr img").hover()
            page.locator(".st-key-qr [data-testid='stElementToolbar']").wait_for(timeout=10_000)
            assert not page.evaluate(OVERLAP_JS), size
            page.get_by_role("button", name="Close the session").click()
            page.get_by_text("is closed").wait_for(timeout=30_000)
            page.close()


# Where the room's screen ends, for the code, the QR code and the chart (with its axis), and whether
# the code's line wrapped ("Code" on one line, the code on the next).
ROOM_JS = """() => {
  const box = s => document.querySelector(s).getBoundingClientRect();
  const code = document.querySelector('.st-key-join-code p');
  const line = parseFloat(getComputedStyle(code).fontSize) * 1.7;
  return {code: box('.st-key-join-code p').bottom, qr: box('.st-key-qr img').bottom,
          chart: box('[data-testid="stVegaLiteChart"] svg').bottom,
          wrapped: code.getBoundingClientRect().height > line};
}"""


@pytest.mark.skipif(not shutil.which("chromium") and not Path("/usr/bin/chromium").exists(),
                    reason="Debian's chromium is not installed (make test installs it)")
def test_the_room_screen_shows_the_code_the_qr_code_and_the_chart_without_scrolling(tmp_path):
    """People who must sign in type the code from the screen: at 1920x1080 it sat below the fold (the
    page 1567 px tall), and at 1440x900 "Code" and the code split and the chart's axis was cut off."""
    db = tmp_path / "room.duckdb"
    with Store(db) as store:
        store.save_settings({"min_respondents": 1})
        store.open_live_session("ROOM28", "Workshop")
        store.add_live_answers("ROOM28", answers("it-1", "IT", 4))
        store.add_live_answers("ROOM28", answers("biz-1", "Business", 2))
    with chromium_on(db) as (server, browser):
        for size in ({"width": 1920, "height": 1080}, {"width": 1440, "height": 900}):
            page = browser.new_page(viewport=size)
            page.goto(f"{server.url}/live?session=ROOM28&present=1")
            page.locator("[data-testid='stVegaLiteChart'] svg").wait_for(timeout=30_000)
            page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=30_000)
            page.wait_for_timeout(1000)  # the chart takes its box's height once the box is sized
            seen = page.evaluate(ROOM_JS)
            assert not seen["wrapped"], size
            for part in ("code", "qr", "chart"):
                assert seen[part] <= size["height"], (size, part, seen)
            page.close()
