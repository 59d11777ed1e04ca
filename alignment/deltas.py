"""How a change is shown under a dashboard figure (st.metric's delta): its sign, arrow and colour.

st.metric reads the direction from a leading ASCII "-" and colours by it. A typeset minus
("−$173.0k", as finance writes it) would read as a rise, so the arrow and colour are set here
from the number itself, never from the text."""

from __future__ import annotations

from typing import Any

from alignment.formatting import MINUS, missing, money, pct


def signed(text_of_size: str, value: float) -> str:
    """'+$599.0k' or '−$173.0k': the size with its sign in front, a typeset minus for a fall."""
    if value > 0:
        return f"+{text_of_size}"
    return f"{MINUS}{text_of_size}" if value < 0 else text_of_size


def delta(value: Any, kind: str = "money", lower_is_better: bool = False, suffix: str = "") -> dict[str, Any]:
    """st.metric's delta, delta_color and delta_arrow for a change: a rise points up and a fall down;
    green is the good direction (a fall where lower is better, like spend against budget)."""
    if missing(value):
        return {"delta": None}
    value = float(value)
    size = money(abs(value)) if kind == "money" else pct(abs(value))
    if value == 0:
        return {"delta": f"{size}{suffix}", "delta_color": "gray", "delta_arrow": "off"}
    good = (value < 0) == lower_is_better
    return {"delta": f"{signed(size, value)}{suffix}", "delta_color": "green" if good else "red",
            "delta_arrow": "down" if value < 0 else "up"}


def label_only(text: Any) -> dict[str, Any]:
    """A word under a figure that is not a change (a relationship, a count of red projects): no arrow."""
    return {"delta": None if missing(text) or text == "" else str(text), "delta_color": "gray", "delta_arrow": "off"}


def signed_pct(value: Any) -> str:
    """'+2.9%' or '−2.9%', with the same typeset minus as the deltas; '–' for a blank."""
    return "–" if missing(value) else signed(pct(abs(float(value))), float(value))
