"""Which survey wave a figure comes from, said in a sentence under it (survey_waves' default row)."""

from __future__ import annotations

import pandas as pd

from alignment.formatting import whole


def default_wave(waves: pd.DataFrame) -> str | None:
    """The wave the dashboards open on (survey_waves' is_default row), or None without a survey."""
    if waves.empty or "is_default" not in waves:
        return None
    chosen = waves[waves["is_default"].fillna(False).astype(bool)]
    return None if chosen.empty else str(chosen["wave"].iloc[0])


def source_sentence(waves: pd.DataFrame, it_respondents: object, business_respondents: object) -> str:
    """'Alignment figures from the survey wave 2026 H1: 10 people from IT and 14 from the business.'
    With a later wave left out for having too few people, it says so, so nobody wonders where the
    workshop's answers went."""
    wave = default_wave(waves)
    if wave is None:
        return ""
    name = f"'{wave}'" if wave else "without a wave name"
    text = (f"Alignment figures from the survey wave {name}: {whole(it_respondents)} people from IT and "
            f"{whole(business_respondents)} from the business.")
    names = [str(w) for w in waves["wave"]]  # newest first
    later = names[: names.index(wave)]
    if later:
        text += (f" Later wave{'s' if len(later) > 1 else ''} {', '.join(repr(w) for w in later)} "
                 f"{'have' if len(later) > 1 else 'has'} too few people on a side to stand for the organisation; "
                 "the Alignment page shows every wave.")
    return text


def date_read(waves: pd.DataFrame, wave: str) -> str:
    """How survey_waves dated a wave's name, as a sentence's end: 'has no date in it' or 'reads as
    2026-01-01' (a name like 24.11.2026 is read by its year alone)."""
    row = waves[waves["wave"] == wave] if waves is not None and "wave" in waves else pd.DataFrame()
    if row.empty or pd.isna(row["wave_date"].iloc[0]):
        return "has no date in it"
    return f"reads as {pd.Timestamp(row['wave_date'].iloc[0]):%Y-%m-%d}"
