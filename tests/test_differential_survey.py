"""Every survey analysis recomputed in pandas straight from the raw survey view, under a matrix of
filters (each wave, each business unit, a unit nobody answered from, a wave one side skipped,
several minimum group sizes), and compared number by number with the SQL."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from alignment.demo import build_frames
from alignment.queries import run_query
from alignment.store import Store
from tests import fixtures, test_survey_figures

NOWHERE = "Nowhere"  # a unit with no respondents


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _mean(values: pd.Series):
    return float(values.mean()) if len(values) else None


def same(sql, expected, places: int = 2) -> bool:
    """SQL rounds to ``places``; pandas keeps every digit."""
    if _missing(expected) or _missing(sql):
        return _missing(expected) and _missing(sql)
    if isinstance(expected, str) or isinstance(sql, str):
        return sql == expected
    return abs(float(sql) - float(expected)) <= 0.5 * 10 ** -places + 1e-9


def check(frame: pd.DataFrame, key: str | tuple[str, ...], expected: dict[object, dict], places=None) -> None:
    keys = (key,) if isinstance(key, str) else key
    got = {tuple(r[k] for k in keys): r for r in frame.to_dict("records")}
    assert set(got) == set(expected), (sorted(map(str, got)), sorted(map(str, expected)))
    for k, want in expected.items():
        for column, value in want.items():
            assert same(got[k][column], value, (places or {}).get(column, 2)), (k, column, got[k][column], value)


# --- the definitions, in pandas ---------------------------------------------------------------

def scope(raw: pd.DataFrame, wave, unit) -> pd.DataFrame:
    waves = raw["wave"].fillna("")
    s = raw[waves == (wave if wave is not None else waves.max())]
    if unit is not None:
        s = s[(s["respondent_group"] == "IT") | (s["business_unit"] == unit)]
    return s.assign(is_nps=s["dimension"].fillna("").str.strip().str.upper().eq("NPS"))


def sides(g: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return g[g["respondent_group"] == "IT"], g[g["respondent_group"] == "Business"]


def alignment_rows(s: pd.DataFrame) -> pd.DataFrame:
    return s[s["dimension"].notna() & ~s["is_nps"]]


def gap(raw, wave, unit, k) -> dict:
    out = {}
    for dimension, g in alignment_rows(scope(raw, wave, unit)).groupby("dimension"):
        it, biz = sides(g)
        n_it, n_biz = it["respondent_id"].nunique(), biz["respondent_id"].nunique()
        it_mean = _mean(it["score"]) if n_it >= k else None
        biz_mean = _mean(biz["score"]) if n_biz >= k else None
        out[(dimension,)] = {"it_mean": it_mean, "business_mean": biz_mean,
                             "gap": it_mean - biz_mean if it_mean is not None and biz_mean is not None else None,
                             "it_respondents": n_it, "business_respondents": n_biz}
    return out


def level(m) -> tuple:
    if m is None:
        return None, None
    luftman = "Initial / ad hoc" if m < 2 else "Committed" if m < 3 else "Established" if m < 4 else \
        "Improved" if m < 5 else "Optimized"
    return luftman, "Passive" if m < 2 else "Provider" if m < 3 else "Partner" if m < 4 else "Peer"


def maturity(raw, wave, unit, k) -> dict:
    rows = alignment_rows(scope(raw, wave, unit))
    out = {}
    for dimension, g in rows.groupby("dimension"):
        it, biz = sides(g)
        n_it, n_biz = it["respondent_id"].nunique(), biz["respondent_id"].nunique()
        out[(dimension,)] = {"it_maturity": _mean(it["score"]) if n_it >= k else None,
                             "business_maturity": _mean(biz["score"]) if n_biz >= k else None,
                             "it_respondents": n_it, "business_respondents": n_biz,
                             "respondents": g["respondent_id"].nunique()}
    if out:
        it_values = [d["it_maturity"] for d in out.values() if d["it_maturity"] is not None]
        biz_values = [d["business_maturity"] for d in out.values() if d["business_maturity"] is not None]
        it, biz = sides(rows)
        out[("Overall",)] = {"it_maturity": sum(it_values) / len(it_values) if it_values else None,
                             "business_maturity": sum(biz_values) / len(biz_values) if biz_values else None,
                             "it_respondents": it["respondent_id"].nunique(),
                             "business_respondents": biz["respondent_id"].nunique(),
                             "respondents": rows["respondent_id"].nunique()}
    for d in out.values():
        both = d["it_maturity"] is not None and d["business_maturity"] is not None
        d["maturity"] = (d["it_maturity"] + d["business_maturity"]) / 2 if both else None
        d["luftman_level"], d["relationship_model"] = level(d["maturity"])
    return out


def importance(raw, wave, unit, k) -> dict:
    s = scope(raw, wave, unit)
    s = s[(s["respondent_group"] == "Business") & s["importance"].notna() & ~s["is_nps"]]
    questions = {q: {"importance": float(g["importance"].mean()), "satisfaction": float(g["score"].mean()),
                     "respondents": g["respondent_id"].nunique(), "answers": len(g)}
                 for q, g in s.groupby("question")}
    shown = [v for v in questions.values() if v["respondents"] >= k]
    i_mean = sum(v["importance"] for v in shown) / len(shown) if shown else None
    s_mean = sum(v["satisfaction"] for v in shown) / len(shown) if shown else None
    out = {}
    for q, v in questions.items():
        if v["respondents"] < k:
            out[(q,)] = {"importance": None, "satisfaction": None, "quadrant": None,
                         "respondents": v["respondents"], "answers": v["answers"]}
            continue
        high = round(v["importance"], 6) >= round(i_mean, 6)
        low = round(v["satisfaction"], 6) <= round(s_mean, 6)
        quadrant = {(True, True): "Fix first", (True, False): "Keep it up", (False, True): "Low priority",
                    (False, False): "Possible over-investment"}[(high, low)]
        out[(q,)] = {**v, "priority_gap": v["importance"] - v["satisfaction"], "quadrant": quadrant,
                     "importance_mean": i_mean, "satisfaction_mean": s_mean}
    return out


def distribution(raw, wave, unit, k) -> dict:
    s = scope(raw, wave, unit)
    s = s[~s["is_nps"]].assign(dimension=lambda f: f["dimension"].fillna("Unassigned"))
    out = {}
    for (dimension, group), g in s.groupby(["dimension", "respondent_group"]):
        n = g["respondent_id"].nunique()
        shown = n >= k
        counts = {name: int((g["score"] == score).sum()) if shown else None for score, name in
                  enumerate(["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"], start=1)}
        out[(dimension, group)] = {"answers": len(g), "respondents": n, **counts,
                                   "mean_score": _mean(g["score"]) if shown else None,
                                   "comments": int(g["comment"].notna().sum()) if shown else None}
    return out


def comments(raw, wave, unit, k) -> list[tuple]:
    s = scope(raw, wave, unit)
    side_n = s.groupby("respondent_group")["respondent_id"].nunique()
    unit_n = s.groupby(["respondent_group", s["business_unit"].fillna("<no unit>")])["respondent_id"].nunique()
    out = []
    for r in s.to_dict("records"):
        if _missing(r["comment"]) or not str(r["comment"]).strip() or side_n[r["respondent_group"]] < k:
            continue
        unit_key = "<no unit>" if _missing(r["business_unit"]) else r["business_unit"]
        named = unit_n[(r["respondent_group"], unit_key)] >= k
        out.append((r["respondent_group"], r["dimension"], r["business_unit"] if named else None,
                    r["role"] if named else None, r["comment"]))
    return sorted(out, key=str)


def wave_change(raw, wave, unit, k) -> dict:
    answers = raw[raw["wave"].notna() & raw["dimension"].notna()
                  & raw["dimension"].fillna("").str.strip().str.upper().ne("NPS")]
    if answers.empty:
        return {}
    latest = wave if wave is not None else answers["wave"].max()
    earlier = answers.loc[answers["wave"] < latest, "wave"]
    previous = earlier.max() if len(earlier) else None
    scoped = answers[answers["wave"].isin([latest, previous])]
    if unit is not None:
        scoped = scoped[(scoped["respondent_group"] == "IT") | (scoped["business_unit"] == unit)]

    groups = scoped.groupby(["wave", "dimension", "respondent_group"])
    means, counts = groups["score"].mean().to_dict(), groups["respondent_id"].nunique().to_dict()

    def score(w, dimension):
        n_it, n_biz = (counts.get((w, dimension, side), 0) for side in ("IT", "Business"))
        if n_it < k or n_biz < k:
            return None, n_it, n_biz
        return (means[(w, dimension, "IT")] + means[(w, dimension, "Business")]) / 2, n_it, n_biz

    out = {}
    for dimension in scoped.loc[scoped["wave"] == latest, "dimension"].unique():
        now, it_now, biz_now = score(latest, dimension)
        then, it_then, biz_then = score(previous, dimension)
        out[(dimension,)] = {"previous_wave": previous, "previous_score": then, "latest_score": now,
                             "change": now - then if now is not None and then is not None else None,
                             "previous_it_respondents": it_then, "previous_business_respondents": biz_then,
                             "latest_it_respondents": it_now, "latest_business_respondents": biz_now,
                             "comparable": now is not None and then is not None}
    return out


def nps(raw, wave, unit, k, invited_business) -> dict:
    s = scope(raw, wave, unit)
    s = s[s["is_nps"] & s["score"].notna()]
    out = {}
    for (question, group), g in s.groupby(["question", "respondent_group"]):
        n = g["respondent_id"].nunique()
        shown = n >= k
        promoters, detractors = int((g["score"] >= 9).sum()), int((g["score"] <= 6).sum())
        invited = invited_business if group == "Business" else None
        out[(question, group)] = {
            "responses": len(g), "respondents": n, "promoters": promoters if shown else None,
            "passives": int(g["score"].between(7, 8).sum()) if shown else None,
            "detractors": detractors if shown else None,
            "nps": 100 * (promoters - detractors) / len(g) if shown else None,
            "invited": invited, "response_rate": n / invited if invited else None}
    return out


# --- the matrix ----------------------------------------------------------------------------------

def _demo_survey() -> pd.DataFrame:
    return build_frames()["survey"]


COMPANIES = {"fixture": fixtures.survey, "small": test_survey_figures.survey, "demo": _demo_survey}


@pytest.fixture(scope="module", params=list(COMPANIES))
def company(request):
    store = Store(":memory:")
    store.add_batch("survey", COMPANIES[request.param](), file_name=f"test:{request.param}")
    cur = store.cursor()
    raw = cur.execute("SELECT * FROM survey").df()
    yield cur, raw
    store.close()


def units(raw: pd.DataFrame) -> list:
    return [None, *sorted(raw.loc[raw["respondent_group"] == "Business", "business_unit"].dropna().unique()),
            NOWHERE]


def minimums(raw: pd.DataFrame) -> tuple[int, ...]:
    """On the small surveys 1 (everything shown) and 3 (some groups hidden; all of the fixture's two a
    side); on the demo the default 5, which hides every unit's business side and shows the whole company."""
    return (5,) if raw["respondent_id"].nunique() > 20 else (1, 3)


def matrix(raw: pd.DataFrame):
    """The latest wave by default (None), then each earlier wave by name."""
    waves = sorted(raw["wave"].dropna().unique())
    for wave in [None, *waves[:-1]]:
        for unit in units(raw):
            for k in minimums(raw):
                yield wave, unit, k


def test_the_filter_matrix_reaches_every_case(company):
    """The matrix holds a unit nobody answered from and, in the small company, a wave IT skipped."""
    _, raw = company
    cases = list(matrix(raw))
    assert any(unit == NOWHERE for _, unit, _ in cases)
    if "2024-01" in set(raw["wave"]):
        assert set(raw.loc[raw["wave"] == "2024-01", "respondent_group"]) == {"Business"}


def test_alignment_gap_and_maturity(company):
    cur, raw = company
    for wave, unit, k in matrix(raw):
        p = {"wave": wave, "business_unit": unit, "min_respondents": k}
        check(run_query(cur, "alignment_gap", p), "dimension", gap(raw, wave, unit, k))
        check(run_query(cur, "alignment_maturity", p), "dimension", maturity(raw, wave, unit, k))


def test_importance_satisfaction_and_score_distribution(company):
    cur, raw = company
    for wave, unit, k in matrix(raw):
        p = {"wave": wave, "business_unit": unit, "min_respondents": k}
        check(run_query(cur, "importance_satisfaction", p), "question", importance(raw, wave, unit, k))
        check(run_query(cur, "score_distribution", p), ("dimension", "respondent_group"),
              distribution(raw, wave, unit, k))


def test_comments_wave_change_and_nps(company):
    cur, raw = company
    for wave, unit, k in matrix(raw):
        p = {"wave": wave, "business_unit": unit, "min_respondents": k}
        said = run_query(cur, "survey_comments", p).astype(object).where(lambda f: f.notna(), None)
        assert sorted(map(tuple, said.to_numpy().tolist()), key=str) == comments(raw, wave, unit, k)
        check(run_query(cur, "wave_change", p), "dimension", wave_change(raw, wave, unit, k))
        check(run_query(cur, "nps", {**p, "invited_business": 20}), ("question", "respondent_group"),
              nps(raw, wave, unit, k, 20), places={"nps": 1, "response_rate": 4})


def test_executive_summary_reads_the_same_alignment(company):
    """The summary's own cost is in its spend and portfolio parts: the latest wave, a few units."""
    cur, raw = company
    for unit, k in [(u, k) for u in (units(raw)[:2] + [NOWHERE]) for k in minimums(raw)[-1:]]:
        wave = None
        (s,) = run_query(cur, "executive_summary", {"business_unit": unit, "min_respondents": k}).to_dict("records")
        overall = maturity(raw, wave, unit, k).get(("Overall",), {})
        assert same(s["alignment_maturity"], overall.get("maturity")), (wave, unit, k)
        gaps = {d: v["gap"] for (d,), v in gap(raw, wave, unit, k).items() if v["gap"] is not None}
        if gaps:
            widest = max(abs(round(v, 2)) for v in gaps.values())
            assert same(abs(s["largest_gap"]), widest) and abs(round(gaps[s["largest_gap_dimension"]], 2)) == widest
        else:
            assert _missing(s["largest_gap_dimension"])
