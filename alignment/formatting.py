"""Numbers as people read them on a dashboard or a slide: $1.2m, −€173.0k, +2.7%, 3.22.

A negative number is written with the typeset minus (U+2212), as finance writes it, in every
figure and sentence: "−5.8%" beside "−$1.4m", never a hyphen beside a minus. Tables keep their
own sprintf formats (alignment.tables), which write an ASCII hyphen.

Money follows the organisation's settings (currency, display unit). Each script run sets them for
its own thread (a ContextVar), so one session's settings never leak into another's formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

import pandas as pd

# Symbols people expect before an amount; any other ISO code is written out ("SEK 1.2m").
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹", "KRW": "₩", "CAD": "C$",
           "AUD": "A$", "NZD": "NZ$", "HKD": "HK$", "SGD": "S$", "BRL": "R$", "MXN": "MX$", "ZAR": "R"}
UNITS = {"k": 1e3, "m": 1e6, "bn": 1e9}
# Before the symbol: −$173.0k, not $−173.0k. st.metric takes a change's direction from a leading ASCII
# "-" only, so its deltas set the arrow and colour from the number (alignment.deltas), never the text.
MINUS = "\u2212"
_style: ContextVar[tuple[str, str]] = ContextVar("money_style", default=("USD", "auto"))


def use_money_style(currency: str, display_unit: str = "auto") -> None:
    """The organisation's currency (ISO code) and display unit (auto, units, k, m, bn) for this run."""
    _style.set((currency or "USD", display_unit or "auto"))


def display_unit() -> str:
    """This run's display unit (auto, units, k, m, bn): charts scale their money axes by it too."""
    return _style.get()[1]


def currency_symbol(currency: str | None = None) -> str:
    code = (currency or _style.get()[0]).upper()
    return SYMBOLS.get(code, f"{code} ")


def missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def whole(value: Any) -> int:
    """A count as a whole number; a blank (None, NaN, pandas' NA) is 0."""
    return 0 if missing(value) else int(value)


def how_many(value: Any, noun: str) -> str:
    """A count with its noun in the right number: 1 item, 0 items, 1,204 items (a blank counts 0)."""
    count = whole(value)
    return f"{count:,} {noun if count == 1 else noun + 's'}"


def listing(items: Sequence[Any], last: str = "and") -> str:
    """Things in a sentence: 'A', 'A and B', 'A, B and C' (``last`` joins the final two: 'or')."""
    names = [str(item) for item in items]
    return f" {last} ".join(part for part in (", ".join(names[:-1]), *names[-1:]) if part)


def naming(noun: str, items: Sequence[Any], shown: int | None = 10) -> str:
    """A noun in the right number and the things it names: row 4, rows 4, 7 and 9, rows 1, 2, …, 10
    and 5 more (past ``shown``; None lists them all)."""
    names = [str(item) for item in items]
    if shown is not None and len(names) > shown:
        text = ", ".join(names[:shown]) + f" and {len(names) - shown:,} more"
    else:
        text = listing(names)
    return f"{noun if len(names) == 1 else noun + 's'} {text}"


def upper_first(text: str) -> str:
    """A sentence's first letter made capital, the rest as written: 'undo upload 9' → 'Undo upload 9'."""
    return text[:1].upper() + text[1:]


def lower_first(title: str) -> str:
    """A title inside a sentence: 'Project register' → 'project register'; 'IT spend' stays."""
    return title if title[1:2].isupper() else title[:1].lower() + title[1:]


def money(value: Any) -> str:
    """An amount in the organisation's currency, scaled to its display unit (auto: k, m or bn)."""
    if missing(value):
        return "–"
    value = float(value)
    sign, value = (MINUS, -value) if value < 0 else ("", value)
    symbol, unit = currency_symbol(), _style.get()[1]
    if unit == "auto":
        unit = next((u for u, size in sorted(UNITS.items(), key=lambda i: -i[1]) if value >= size), "units")
    if unit == "units":
        return f"{sign}{symbol}{value:,.0f}"
    return f"{sign}{symbol}{value / UNITS[unit]:,.1f}{unit}"


def pct(value: Any, signed: bool = False) -> str:
    """A share as a percentage, 12.3%; ``signed`` puts + before a rise (+7.1%); a fall is −5.8%."""
    if missing(value):
        return "–"
    return _minus(f"{float(value):+.1%}" if signed else f"{float(value):.1%}")


def number(value: Any, digits: int = 2, signed: bool = False) -> str:
    """3.22 or 1,204.50; ``signed`` puts + before a positive number (an NPS of +12); −0.40 below zero."""
    if missing(value):
        return "–"
    return _minus(f"{float(value):{'+' if signed else ''},.{digits}f}")


def _minus(text: str) -> str:
    """Python's leading hyphen as the typeset minus the figures use: -5.8% → −5.8%."""
    return MINUS + text[1:] if text.startswith("-") else text
