"""Numbers as people read them on a dashboard or a slide: $1.2m, +2.7%, 3.22."""

from __future__ import annotations

from typing import Any

import pandas as pd


def missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def whole(value: Any) -> int:
    """A count as a whole number; a blank (None, NaN, pandas' NA) is 0."""
    return 0 if missing(value) else int(value)


def money(value: Any) -> str:
    if missing(value):
        return "–"
    value = float(value)
    for unit, size in (("bn", 1e9), ("m", 1e6), ("k", 1e3)):
        if abs(value) >= size:
            return f"${value / size:,.1f}{unit}"
    return f"${value:,.0f}"


def pct(value: Any, signed: bool = False) -> str:
    if missing(value):
        return "–"
    return f"{float(value):+.1%}" if signed else f"{float(value):.1%}"


def number(value: Any, digits: int = 2) -> str:
    if missing(value):
        return "–"
    return f"{float(value):,.{digits}f}"
