"""Live survey in the room: the questions, join codes and links, who a participant is, how fast
answers may arrive, and turning one phone's answers into survey rows. Pure functions plus one
in-memory rate limiter; the store keeps the session and the rows."""

from __future__ import annotations

import hashlib
import io
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import segno

from alignment.config import live_new_per_address, live_new_per_session, live_sends_per_browser
from alignment.parsing import tidy_text
from alignment.schema import LUFTMAN_DIMENSIONS

# One statement per Luftman dimension, scored 1 (strongly disagree) to 5 (strongly agree).
STATEMENTS: dict[str, str] = {
    "Communications": "IT and the business understand each other's priorities and talk regularly.",
    "Value measurement": "We measure the business value IT delivers, in terms the business uses.",
    "Governance": "IT priorities and budgets are set jointly with the business.",
    "Partnership": "The business treats IT as a partner in its strategy, not as a cost.",
    "Scope & architecture": "IT systems are flexible enough to support new business needs.",
    "Skills": "People in IT and the business have the skills and freedom to change how they work.",
}
assert tuple(STATEMENTS) == LUFTMAN_DIMENSIONS

SCALE = {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}
# Shown beside every question on the phone, so nobody scrolls back up to find what 1 and 5 mean.
SCALE_KEY = "1 strongly disagree · 3 neutral · 5 strongly agree"
GROUPS = ("IT", "Business")
# No 0/O or 1/I/L: a code read off a projector is typed without mistakes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


# Streamlit gives every browser this cookie on its first page load; every tab sends it back.
XSRF_COOKIE = "_streamlit_xsrf"

# What a participant is told when their answers were not stored (the form keeps their answers).
ALREADY_ANSWERED = ("You already answered in this session, so these answers were not recorded: "
                    "your first answers are the ones that count.")
TOO_MANY_SENDS = ("You have sent the form several times in the last minute, so it was not recorded. "
                  "Wait a minute and send it again: your answers stay on the form.")
ROOM_BUSY = ("Many answers are arriving at once, so yours was not recorded yet. "
             "Wait a minute and send it again: your answers stay on the form.")


class AnswerError(ValueError):
    """An answer that cannot be stored; the message is for the participant."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def join_url(base_url: str, code: str) -> str:
    """The app's address with ?join=CODE, whatever page or query the facilitator was on."""
    parts = urlsplit(base_url.strip() or "http://localhost:8501")
    return urlunsplit((parts.scheme or "http", parts.netloc, "/", urlencode({"join": code}), ""))


def only_this_machine(url: str) -> bool:
    """A link phones cannot follow: it names this machine, not its address on the network."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def qr_svg(url: str) -> str:
    """A QR code a phone camera reads from the back of a room (dark on light, quiet zone kept)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, dark="#111111", light="#ffffff")
    return buffer.getvalue().decode()


def browser_secret(cookies: Mapping[str, str]) -> str | None:
    """The random token in Streamlit's XSRF cookie: the same in every tab of one browser, different
    in every other browser. The cookie's text is re-masked on each page load ("2|mask|masked
    token|time"), so the token is unmasked; a version-1 cookie is the token itself."""
    value = str(cookies.get(XSRF_COOKIE, "")).strip("\"'")
    if "|" not in value:
        return value or None
    version, mask_hex, masked_hex, *_ = [*value.split("|"), "", ""]
    try:
        mask, masked = bytes.fromhex(mask_hex), bytes.fromhex(masked_hex)
    except ValueError:
        return None
    if version != "2" or len(mask) != 4 or not masked:
        return None
    return bytes(b ^ mask[i % 4] for i, b in enumerate(masked)).hex()


def participant_id(code: str, browser: str) -> str:
    """One browser's id in one session: stable across reloads and taps, never the same in two
    sessions (answers stay unlinkable), and nothing a link can carry to another phone."""
    return hashlib.sha256(f"{code}\0{browser}".encode()).hexdigest()[:16]


class RateLimiter:
    """At most so many events a window (sliding) per key, held in this process: a restart or a
    second replica starts afresh. Kept outside Streamlit's caches so clearing them resets nothing."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window, self._clock = window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = clock()

    def allow(self, limits: Mapping[str, int]) -> bool:
        """Count one event under every key when each is under its limit, and nothing otherwise,
        so a refused attempt uses up no one's allowance."""
        with self._lock:
            now = self._clock()
            self._sweep(now)
            recent = {key: self._recent(key, now) for key in limits}
            if any(len(recent[key]) >= limit for key, limit in limits.items()):
                return False
            for events in recent.values():
                events.append(now)
            return True

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def _sweep(self, now: float) -> None:
        """Forget idle keys once a window, so a client inventing a key per request cannot grow memory."""
        if now - self._swept >= self.window:
            self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window}
            self._swept = now


LIMITER = RateLimiter()


def may_send(browser: str, limiter: RateLimiter | None = None) -> str | None:
    """None when this browser may send the form now, else the sentence saying why not."""
    return None if (limiter or LIMITER).allow({f"browser:{browser}": live_sends_per_browser()}) else TOO_MANY_SENDS


def may_join(code: str, address: str | None, limiter: RateLimiter | None = None) -> str | None:
    """None when the session may take one more participant now (from this network address),
    else the sentence saying why not. An unknown address (this machine, or a local proxy) is not
    limited by address: every phone would share it."""
    limits = {f"session:{code}": live_new_per_session()}
    if address:
        limits[f"address:{code}:{address}"] = live_new_per_address()
    return None if (limiter or LIMITER).allow(limits) else ROOM_BUSY


def side_counts(waves: pd.DataFrame, wave: str) -> tuple[int, int]:
    """How many people from IT and from the business have answered in a wave (survey_waves' counts)."""
    row = waves[waves["wave"] == wave] if not waves.empty else waves
    if row.empty:
        return 0, 0
    return int(row["it_respondents"].iloc[0]), int(row["business_respondents"].iloc[0])


def answer_rows(respondent_id: str, wave: str, group: str, scores: Mapping[str, int | None],
                importance: Mapping[str, int | None] | None = None, business_unit: str = "",
                role: str = "", comment: str = "") -> pd.DataFrame:
    """One participant's answers as survey rows (one per dimension), or AnswerError saying what is missing."""
    if group not in GROUPS:
        raise AnswerError("Say whether you work in IT or in the business.")
    missing = [d for d in LUFTMAN_DIMENSIONS if scores.get(d) is None]
    if missing:
        raise AnswerError("Please answer every statement; still open: " + ", ".join(missing) + ".")
    importance = importance or {}
    for label, values in (("score", scores), ("importance", importance)):
        bad = [d for d, v in values.items() if v is not None and (d not in STATEMENTS or int(v) not in SCALE)]
        if bad:
            raise AnswerError(f"The {label} for {', '.join(bad)} must be a whole number from 1 to 5.")
    return pd.DataFrame({
        "respondent_id": respondent_id,
        "question": [STATEMENTS[d] for d in LUFTMAN_DIMENSIONS],
        "score": [int(scores[d]) for d in LUFTMAN_DIMENSIONS],
        "wave": wave,
        "respondent_group": group,
        "business_unit": tidy_text(business_unit).strip() or None,
        "role": tidy_text(role).strip() or None,
        "dimension": list(LUFTMAN_DIMENSIONS),
        "importance": pd.array([importance.get(d) for d in LUFTMAN_DIMENSIONS], dtype="Int64"),
        "comment": [tidy_text(comment).strip() or None] + [None] * (len(LUFTMAN_DIMENSIONS) - 1),
    })
