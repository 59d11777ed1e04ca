"""Live survey in the room: the questions, join codes and links, and turning one phone's answers
into survey rows. Pure functions; the store keeps the session and the rows."""

from __future__ import annotations

import io
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import segno

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
GROUPS = ("IT", "Business")
# No 0/O or 1/I/L: a code read off a projector is typed without mistakes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


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
        "business_unit": business_unit.strip() or None,
        "role": role.strip() or None,
        "dimension": list(LUFTMAN_DIMENSIONS),
        "importance": pd.array([importance.get(d) for d in LUFTMAN_DIMENSIONS], dtype="Int64"),
        "comment": [comment.strip() or None] + [None] * (len(LUFTMAN_DIMENSIONS) - 1),
    })
