"""Which wave the dashboards open on: a small live session must not replace the organisation's score."""

from __future__ import annotations

import pandas as pd

from alignment.queries import run_query


def answers(wave: str, it: int, business: int, score: int) -> pd.DataFrame:
    people = [("IT", f"{wave}-it{i}") for i in range(it)] + [("Business", f"{wave}-b{i}") for i in range(business)]
    return pd.DataFrame({"respondent_id": [p for _, p in people], "question": "Q", "score": score, "wave": wave,
                         "respondent_group": [g for g, _ in people], "dimension": "Communications"})


def test_the_default_wave_has_enough_people_on_both_sides(store):
    store.add_batch("survey", answers("2026-06 pulse", it=5, business=6, score=4))
    store.add_batch("survey", answers("2026-11-23 workshop", it=1, business=0, score=1))
    waves = run_query(store.cursor(), "survey_waves", {"min_respondents": 5})
    assert list(waves["wave"]) == ["2026-11-23 workshop", "2026-06 pulse"]  # newest name first
    assert waves.loc[waves["is_default"], "wave"].item() == "2026-06 pulse"  # the workshop has 1 IT, 0 business
    # every survey figure opens on it: IT and business both scored 4
    maturity = run_query(store.cursor(), "alignment_maturity", {"min_respondents": 5})
    assert maturity.loc[maturity["dimension"] == "Communications", "maturity"].item() == 4
    # with a minimum of 1 the workshop still lacks a business side; with none required at all it is the latest
    store.add_batch("survey", answers("2026-11-23 workshop", it=0, business=1, score=1).assign(
        respondent_id="late-b"))
    assert run_query(store.cursor(), "survey_waves", {"min_respondents": 1}).query("is_default")["wave"].item() \
        == "2026-11-23 workshop"


def test_with_no_wave_large_enough_the_latest_is_shown(store):
    store.add_batch("survey", answers("2026-06 pulse", it=2, business=2, score=3))
    store.add_batch("survey", answers("2026-09 pulse", it=1, business=1, score=2))
    waves = run_query(store.cursor(), "survey_waves", {"min_respondents": 5})
    assert waves.loc[waves["is_default"], "wave"].item() == "2026-09 pulse"


def test_waves_are_ordered_by_the_date_in_their_name(store):
    # By name "Workshop 2026-11" would sort before "2026-06 pulse" and "Q3 2025" after "2026 H1".
    for wave in ("Workshop 2026-11", "2026-06 pulse", "Q3 2025", "2026 H1", "March 2026", "Wave 1"):
        store.add_batch("survey", answers(wave, it=1, business=1, score=3))
    waves = run_query(store.cursor(), "survey_waves", {"min_respondents": 1})
    assert list(waves["wave"]) == ["Workshop 2026-11", "2026-06 pulse", "March 2026", "2026 H1", "Q3 2025", "Wave 1"]
    assert waves.loc[waves["is_default"], "wave"].item() == "Workshop 2026-11"
    assert str(waves.loc[waves["wave"] == "Q3 2025", "wave_date"].item().date()) == "2025-07-01"
    # the change between waves compares the two latest by date, not by name
    change = run_query(store.cursor(), "wave_change", {"min_respondents": 1})
    assert set(change["latest_wave"]) == {"Workshop 2026-11"} and set(change["previous_wave"]) == {"2026-06 pulse"}
