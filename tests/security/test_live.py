"""Live survey under hostile and crowded clients (issue 8, item 10).

A participant is their browser (the token in Streamlit's XSRF cookie, hashed with the session
code), never an id carried in a link; answers are rate-limited per browser, per network address
and per session; and a participant whose answers were not stored is told so, in a sentence.
The join page is driven with AppTest, whose st.context has no cookies: each "phone" here sets the
cookie and address its browser would send."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from streamlit.runtime.context import ContextProxy, StreamlitCookies
from streamlit.testing.v1 import AppTest
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

from alignment import live
from alignment.queries import run_query
from alignment.schema import LUFTMAN_DIMENSIONS
from alignment.store import AlreadyAnswered, Store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CLIENT: dict = {"cookies": {}, "ip": None}  # what the browser of the phone being run sends


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch):
    """Each test starts with no answers counted (the limiter lives as long as the process)."""
    monkeypatch.setattr(live, "LIMITER", live.RateLimiter())


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The app's own store on a fresh database, with st.context answering for the phone being run."""
    import app_pages.common as common

    monkeypatch.setenv("ALIGNMENT_DB", str(tmp_path / "live.duckdb"))
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda self: StreamlitCookies(dict(CLIENT["cookies"]))))
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: CLIENT["ip"]))
    forget_the_app_store()
    yield common.get_store()
    forget_the_app_store()


def forget_the_app_store() -> None:
    """The app keeps one store per process; each test starts from its own database."""
    import app_pages.common as common
    from alignment import store

    if hasattr(store, "close_shared_stores"):
        store.close_shared_stores()
    else:  # the store still cached by Streamlit
        common.get_store.clear()


class Phone:
    """One browser: its XSRF token (re-masked on every page load, as Streamlit does) and address."""

    def __init__(self, token: bytes | None = None, ip: str | None = None) -> None:
        self.token, self.ip = token if token is not None else os.urandom(16), ip

    def open(self, query: dict[str, str]) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        return self.run(at)

    def run(self, at: AppTest) -> AppTest:
        CLIENT["cookies"] = {"_streamlit_xsrf": generate_xsrf_token_string(self.token)} if self.token else {}
        CLIENT["ip"] = self.ip
        return at.run()

    def send(self, at: AppTest, group: str = "IT", score: int | None = 4) -> AppTest:
        at.radio(key="group").set_value(group)
        for dimension in LUFTMAN_DIMENSIONS:
            at.radio(key=f"score-{dimension}").set_value(score)
        at.button[0].click()
        return self.run(at)


def said(at: AppTest) -> str:
    """Everything the page told the participant, in one string."""
    return " | ".join(m.value for kind in (at.success, at.info, at.warning, at.error) for m in kind)


def participants(store: Store, code: str) -> list[str]:
    return [r[0] for r in store.cursor().execute(
        "SELECT DISTINCT respondent_id FROM survey_rows r JOIN live_sessions l ON l.batch_id = r.batch_id "
        "WHERE l.code = ? ORDER BY 1", [code]).fetchall()]


# --- who a participant is ------------------------------------------------------------------

def test_the_browser_token_survives_remasking_and_ids_differ_per_session():
    token = os.urandom(16)
    first, second = (generate_xsrf_token_string(token) for _ in range(2))
    assert first != second  # Streamlit re-masks the cookie on every page load
    assert live.browser_secret({"_streamlit_xsrf": first}) == live.browser_secret({"_streamlit_xsrf": second}) \
        == token.hex()
    assert live.browser_secret({"_streamlit_xsrf": generate_xsrf_token_string(os.urandom(16))}) != token.hex()
    for junk in ({}, {"_streamlit_xsrf": ""}, {"_streamlit_xsrf": "2|zz|00|1"}, {"_streamlit_xsrf": "2||00|1"}):
        assert live.browser_secret(junk) is None
    assert live.participant_id("ABC234", token.hex()) != live.participant_id("XYZ789", token.hex())


def test_five_phones_opening_a_shared_link_with_me_are_five_participants(store):
    """Old: the id rode in the link, so all five were 'me=shared1': one stored, five thanked."""
    store.open_live_session("SHARE2", "Shared link")
    for n in range(5):
        phone = Phone()
        at = phone.send(phone.open({"join": "SHARE2", "me": "shared1"}), score=1 + n)
        assert not at.exception and "your answers are in" in said(at)
        assert "me" not in at.query_params  # the copied id is dropped from the address
    stored = participants(store, "SHARE2")
    assert len(stored) == 5 and "shared1" not in stored
    assert store.cursor().execute("SELECT count(*), sum(score) FROM survey WHERE wave = 'Shared link'").fetchone() \
        == (30, 6 * (1 + 2 + 3 + 4 + 5))


def test_one_browser_is_one_participant_and_a_second_send_is_told_it_was_not_recorded(store):
    store.open_live_session("ONCE22", "Once")
    phone = Phone()
    first_tab, second_tab = phone.open({"join": "ONCE22"}), phone.open({"join": "ONCE22"})
    assert "your answers are in" in said(phone.send(first_tab, score=5))
    again = phone.send(second_tab, score=1)  # the same browser, in a tab opened before the first answer
    assert "already answered" in said(again) and "not recorded" in said(again)
    assert "answers are in" not in said(again) and not again.success  # no false thank-you
    reload = phone.open({"join": "ONCE22"})
    assert "already answered" in said(reload) and not reload.radio  # a reload shows no form to fill again
    assert len(participants(store, "ONCE22")) == 1
    assert store.cursor().execute("SELECT DISTINCT score FROM survey WHERE wave = 'Once'").fetchall() == [(5,)]


def test_a_double_tap_in_the_store_is_refused_not_thanked(store):
    store.open_live_session("TAP222", "Tap")
    rows = live.answer_rows(live.participant_id("TAP222", "b1"), "Tap", "IT", dict.fromkeys(LUFTMAN_DIMENSIONS, 3))
    store.add_live_answers("TAP222", rows)
    with pytest.raises(AlreadyAnswered):
        store.add_live_answers("TAP222", rows)
    assert store.live_answered("TAP222", rows["respondent_id"][0])
    assert not store.live_answered("TAP222", live.participant_id("TAP222", "b2"))


# --- how fast answers may arrive ------------------------------------------------------------

def test_the_limiter_slides_counts_only_what_it_lets_through_and_forgets_idle_keys():
    now = [0.0]
    limiter = live.RateLimiter(window=60, clock=lambda: now[0])
    assert [limiter.allow({"a": 2}) for _ in range(3)] == [True, True, False]
    assert not limiter.allow({"a": 2, "b": 5})  # refused as a whole: b counts nothing
    assert [limiter.allow({"b": 1}) for _ in range(2)] == [True, False]
    now[0] = 60.5
    assert limiter.allow({"a": 2}) and limiter.allow({"b": 1})
    now[0] = 200
    limiter.allow({"c": 1})
    assert set(limiter._events) == {"c"}  # a client inventing keys cannot grow memory


def test_a_scripted_client_sending_150_answer_sets_a_minute_from_one_address_gets_60_in(store):
    """Old: all 150 fresh ids were stored. Each set comes from a fresh 'browser' (a new cookie per
    request), so only the address and the session limits can stop it."""
    store.open_live_session("SPAM22", "Spam")
    stored = refused = 0
    for n in range(150):
        browser = os.urandom(16).hex()
        assert live.may_send(live.participant_id("browser", browser)) is None
        if live.may_join("SPAM22", "203.0.113.9"):
            refused += 1
            continue
        scores = dict.fromkeys(LUFTMAN_DIMENSIONS, 1 + n % 5)
        stored += store.add_live_answers("SPAM22", live.answer_rows(live.participant_id("SPAM22", browser),
                                                                    "Spam", "IT", scores)) > 0
    assert (stored, refused) == (60, 90)
    assert store.live_session("SPAM22")["respondents"] == 60
    assert live.may_join("SPAM22", "198.51.100.7") is None  # someone else in the room still gets in


def test_one_browser_sending_again_and_again_is_told_to_wait(store):
    store.open_live_session("FAST22", "Fast")
    phone = Phone(ip="198.51.100.20")
    at = phone.open({"join": "FAST22"})
    for _ in range(5):
        at.radio(key="group").set_value("IT")
        at.button[0].click()
        assert "still open" in said(phone.run(at))  # incomplete: each send counts
    at.button[0].click()
    assert said(phone.run(at)) == live.TOO_MANY_SENDS
    assert store.live_session("FAST22")["respondents"] == 0


def test_limits_per_address_and_per_session_are_settings_and_say_why(store, monkeypatch):
    monkeypatch.setenv("ALIGNMENT_LIVE_PER_ADDRESS", "2")
    monkeypatch.setenv("ALIGNMENT_LIVE_PER_SESSION", "3")
    store.open_live_session("ROOM33", "Room")
    outcomes = []
    for ip in ("192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.3"):
        phone = Phone(ip=ip)
        outcomes.append(said(phone.send(phone.open({"join": "ROOM33"}))))
    assert ["answers are in" in o for o in outcomes] == [True, True, False, True, False]
    assert outcomes[2] == outcomes[4] == live.ROOM_BUSY  # third from one address; fourth in the session
    assert len(participants(store, "ROOM33")) == 3


def test_a_session_closed_while_the_form_was_open_says_the_answers_were_not_recorded(store):
    store.open_live_session("SHUT22", "Shut")
    phone = Phone()
    at = phone.open({"join": "SHUT22"})
    store.close_live_session("SHUT22")
    at = phone.send(at)
    assert "closed before your answers arrived, so they were not recorded" in said(at) and not at.success
    assert store.live_session("SHUT22")["respondents"] == 0


# --- a crowded room -------------------------------------------------------------------------

def test_25_phones_answering_at_once_while_the_big_screen_refreshes_all_get_in(tmp_path):
    """What the page does on a send, from 25 threads at once, while the facilitator's screen reads
    every few milliseconds: every complete answer is stored, none is bounced."""
    store = Store(tmp_path / "room.duckdb")
    store.open_live_session("LOAD25", "Load")
    limiter, bounced, errors = live.RateLimiter(), [], []
    stop = threading.Event()
    start = threading.Barrier(26)

    def big_screen():
        start.wait()
        while not stop.is_set():
            store.live_session("LOAD25")
            run_query(store.cursor(), "alignment_gap", {"wave": "Load"})

    def phone(n: int):
        browser = os.urandom(16).hex()
        respondent = live.participant_id("LOAD25", browser)
        start.wait()
        try:
            for _ in range(2):  # a double tap
                assert live.may_send(live.participant_id("browser", browser), limiter) is None
                rows = live.answer_rows(respondent, "Load", ("IT", "Business")[n % 2],
                                        dict.fromkeys(LUFTMAN_DIMENSIONS, 1 + n % 5))
                if not store.live_answered("LOAD25", respondent):
                    assert live.may_join("LOAD25", f"10.0.0.{n}", limiter) is None
                    try:
                        store.add_live_answers("LOAD25", rows)
                    except AlreadyAnswered:
                        pass
        except live.AnswerError as exc:
            bounced.append(str(exc))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    screen = threading.Thread(target=big_screen)
    phones = [threading.Thread(target=phone, args=(n,)) for n in range(25)]
    for t in [screen, *phones]:
        t.start()
    for t in phones:
        t.join()
    stop.set()
    screen.join()
    assert bounced == [] and errors == []
    assert store.cursor().execute("SELECT count(DISTINCT respondent_id), count(*) FROM survey").fetchone() == (25, 150)
    store.close()


def test_free_text_from_a_phone_is_cleaned_like_an_upload():
    """NUL, zero-width characters and bare carriage returns from an anonymous participant are
    stored the way an uploaded cell would be: "Retail\u200b" is the unit Retail."""
    from alignment.live import answer_rows

    rows = answer_rows("p1", "W", "Business", dict.fromkeys(live.STATEMENTS, 3), business_unit="Retail\u200b",
                       role="Ana\x00lyst", comment="=1+1\r=2+2")
    assert rows["business_unit"][0] == "Retail" and rows["role"][0] == "Analyst"
    assert rows["comment"][0] == "=1+1\n=2+2"
