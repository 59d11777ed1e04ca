"""The survey figures under the unit filter, the minimum group size and the standard definitions
(Luftman per side, CIO Business Vision's business-only importance, Bain's NPS), every number
worked out by hand on a small survey built here."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from alignment.config import QUERIES_DIR
from alignment.ingest import ingest
from alignment.queries import run_query
from alignment.validation import parse_nps_score
from tests.conftest import xlsx
from tests.test_app_pages import demo_db  # noqa: F401 - the fixture

approx = pytest.approx
DIRECTORY: Path = QUERIES_DIR  # a check against older query text points this elsewhere
NPS_Q = "How likely are you to recommend IT to a colleague?"


def survey() -> pd.DataFrame:
    """IT: i1-i3 (unit IT). Business: b1-b3 Retail, b4 Ops. Waves 2024-01 (business only),
    2025-09 and 2026-03 (the latest)."""
    rows = []

    def add(wave, who, question, dimension, score, importance=None, comment=None):
        group = "IT" if who.startswith("i") else "Business"
        unit = "IT" if group == "IT" else ("Ops" if who == "b4" else "Retail")
        role = "Engineer" if group == "IT" else "Manager"
        rows.append((wave, who, group, unit, role, question, dimension, score, importance, comment))

    w = "2026-03"
    for who, s, imp in (("i1", 5, 2), ("i2", 4, 2), ("i3", 3, 2), ("b1", 2, 5), ("b2", 1, 5), ("b3", 3, 4),
                        ("b4", 2, 4)):
        add(w, who, "Qc", "Communications", s, imp,
            {"i1": "IT comment", "b4": "Ops comment"}.get(who))
    for who, s, imp in (("i1", 4, 5), ("i2", 4, 5), ("i3", 4, 5), ("b1", 3, 2), ("b2", 3, 3), ("b3", 4, 2),
                        ("b4", 5, 3)):
        add(w, who, "Qg", "Governance", s, imp, "Retail comment" if who == "b1" else None)
    for who in ("b1", "b2", "b3", "b4"):
        add(w, who, "Qv", None, 4, 4)
    add(w, "b1", "Qx", None, 1, 5)
    for who, s in (("b1", 10), ("b2", 9), ("b3", 7), ("b4", 3), ("i1", 9), ("i2", 6), ("i3", 0)):
        add(w, who, NPS_Q, "NPS", s)
    w = "2025-09"
    for who, c, g in (("i1", 3, 4), ("i2", 3, 2), ("b1", 1, 3), ("b2", 2, 3), ("b3", 3, 3)):
        add(w, who, "Qc", "Communications", c)
        add(w, who, "Qg", "Governance", g)
    add("2024-01", "b1", "Qc", "Communications", 4)
    add("2024-01", "b2", "Qc", "Communications", 2)
    return pd.DataFrame(rows, columns=["wave", "respondent_id", "respondent_group", "business_unit", "role",
                                       "question", "dimension", "score", "importance", "comment"])


@pytest.fixture
def cur(store):
    store.add_batch("survey", survey(), file_name="test:survey")
    return store.cursor()


def q(cur, name, **params) -> pd.DataFrame:
    return run_query(cur, name, params, directory=DIRECTORY)


def by(frame: pd.DataFrame, *keys: str) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in frame.to_dict("records")}


def nan(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def test_a_unit_filter_narrows_the_business_side_and_keeps_it(cur):
    g = by(q(cur, "alignment_gap", business_unit="Retail", min_respondents=2), "dimension")
    comm, gov = g["Communications"], g["Governance"]
    assert (comm["it_respondents"], comm["business_respondents"]) == (3, 3)  # i1-i3; b1-b3 (b4 is Ops)
    assert (comm["it_mean"], comm["business_mean"], comm["gap"]) == (4.0, 2.0, 2.0)  # (5+4+3)/3, (2+1+3)/3
    assert gov["business_mean"] == approx(3.33) and gov["gap"] == approx(0.67)  # (3+3+4)/3 = 3.333; 4 - 3.333
    m = by(q(cur, "alignment_maturity", business_unit="Retail", min_respondents=2), "dimension")
    assert m["Overall"]["maturity"] == approx(3.33, abs=0.006)  # IT (4+4)/2 = 4; Retail (2+3.333)/2 = 2.667


def test_a_side_under_the_minimum_keeps_its_count_and_loses_its_figures(cur):
    ops = by(q(cur, "alignment_gap", business_unit="Ops", min_respondents=2), "dimension")["Communications"]
    assert (ops["it_mean"], ops["business_respondents"], ops["suppressed"]) == (4.0, 1, True)  # only b4
    assert nan(ops["business_mean"]) and nan(ops["gap"])
    nobody = q(cur, "alignment_gap", business_unit="Nowhere", min_respondents=2)
    assert nobody["business_respondents"].tolist() == [0, 0] and nobody["it_mean"].tolist() == [4.0, 4.0]
    assert nobody["gap"].isna().all()


def test_maturity_is_the_mean_of_the_two_sides_means(cur):
    m = by(q(cur, "alignment_maturity", min_respondents=3), "dimension")
    comm = m["Communications"]
    # IT (5+4+3)/3 = 4; business (2+1+3+2)/4 = 2; (4+2)/2 = 3 (pooled by head count it was 20/7 = 2.86)
    assert (comm["it_maturity"], comm["business_maturity"], comm["maturity"]) == (4.0, 2.0, 3.0)
    assert (comm["it_respondents"], comm["business_respondents"], comm["respondents"]) == (3, 4, 7)
    assert m["Governance"]["maturity"] == approx(3.88, abs=0.006)  # IT 4, business (3+3+4+5)/4 = 3.75
    overall = m["Overall"]
    # IT (4+4)/2 = 4; business (2+3.75)/2 = 2.875; (4+2.875)/2 = 3.4375 (old, pooled: 3.36)
    assert (overall["it_maturity"], overall["business_maturity"]) == (4.0, approx(2.88, abs=0.006))
    assert overall["maturity"] == approx(3.44, abs=0.006)
    assert (overall["luftman_level"], overall["relationship_model"]) == ("Established", "Partner")
    assert (overall["it_respondents"], overall["business_respondents"]) == (3, 4)
    assert "NPS" not in m  # 0-10 answers never enter the 1-5 figures


def test_maturity_under_the_minimum_and_with_one_side_only(cur):
    m = by(q(cur, "alignment_maturity", min_respondents=4), "dimension")  # IT has 3 people
    assert nan(m["Overall"]["it_maturity"]) and m["Overall"]["business_maturity"] == approx(2.88, abs=0.006)
    assert nan(m["Overall"]["maturity"]) and nan(m["Overall"]["relationship_model"]) and m["Overall"]["suppressed"]
    one = by(q(cur, "alignment_maturity", wave="2024-01"), "dimension")  # only the business answered
    assert one["Communications"]["business_maturity"] == 3.0 and one["Communications"]["it_respondents"] == 0
    assert nan(one["Overall"]["maturity"]) and nan(one["Overall"]["luftman_level"])  # not 'Optimized'


def test_importance_vs_satisfaction_hears_the_business_only_and_splits_at_the_means(cur):
    f = q(cur, "importance_satisfaction", min_respondents=2)
    r = by(f, "question")
    # business only: Qc importance (5+5+4+4)/4 = 4.5, satisfaction (2+1+3+2)/4 = 2 (with IT: 3.43 and 2.86)
    assert (r["Qc"]["importance"], r["Qc"]["satisfaction"], r["Qc"]["respondents"]) == (4.5, 2.0, 4)
    assert (r["Qg"]["importance"], r["Qg"]["satisfaction"]) == (2.5, 3.75)  # (2+3+2+3)/4, (3+3+4+5)/4
    assert (r["Qv"]["importance"], r["Qv"]["satisfaction"]) == (4.0, 4.0)
    # Qx: b1 alone, under 2 -> not shown and not in the means
    assert r["Qx"]["suppressed"] and nan(r["Qx"]["importance"]) and nan(r["Qx"]["quadrant"])
    # means of the three shown: importance (4.5+2.5+4)/3 = 3.667, satisfaction (2+3.75+4)/3 = 3.25
    assert f["importance_mean"].iloc[0] == approx(3.67) and f["satisfaction_mean"].iloc[0] == 3.25
    assert r["Qc"]["quadrant"] == "Fix first"
    assert r["Qg"]["quadrant"] == "Possible over-investment"  # split at 3 it was 'Keep it up' (3.57, 3.86)
    assert r["Qv"]["quadrant"] == "Keep it up"
    assert f["question"].tolist() == ["Qc", "Qv", "Qg", "Qx"]  # priority gap 2.5, 0, -1.25; hidden last


def test_importance_with_every_question_shown_moves_the_means(cur):
    f = q(cur, "importance_satisfaction", min_respondents=1)
    # with Qx (importance 5, satisfaction 1): (4.5+2.5+4+5)/4 = 4, (2+3.75+4+1)/4 = 2.6875
    assert f["importance_mean"].iloc[0] == 4.0 and f["satisfaction_mean"].iloc[0] == approx(2.69)
    r = by(f, "question")
    assert r["Qv"]["quadrant"] == "Keep it up"  # 4 >= 4 on the line counts as important; 4 > 2.69
    assert r["Qx"]["quadrant"] == "Fix first"


def test_nps_counts_promoters_and_detractors_with_the_response_rate(cur):
    n = by(q(cur, "nps", min_respondents=2, invited_business=8), "respondent_group")
    biz, it = n["Business"], n["IT"]
    # 10, 9 promoters; 7 passive; 3 detractor: (2 - 1) / 4 = +25
    assert (biz["responses"], biz["promoters"], biz["passives"], biz["detractors"]) == (4, 2, 1, 1)
    assert biz["nps"] == 25.0 and biz["invited"] == 8 and biz["response_rate"] == 0.5  # 4 of 8
    # 9 promoter; 6 and 0 detractors: (1 - 2) / 3 = -33.3; nobody said how many IT people were asked
    assert it["nps"] == -33.3 and nan(it["invited"]) and nan(it["response_rate"])
    retail = by(q(cur, "nps", business_unit="Retail", min_respondents=2), "respondent_group")["Business"]
    assert retail["nps"] == 66.7  # 10, 9, 7: (2 - 0) / 3
    small = by(q(cur, "nps", business_unit="Ops", min_respondents=2), "respondent_group")["Business"]
    assert small["responses"] == 1 and small["suppressed"] and nan(small["nps"]) and nan(small["promoters"])


def test_wave_change_only_where_both_waves_heard_enough_on_both_sides(cur):
    w = by(q(cur, "wave_change", min_respondents=2), "dimension")
    comm = w["Communications"]
    # 2025-09: IT (3+3)/2 = 3, business (1+2+3)/3 = 2 -> 2.5; 2026-03: (4+2)/2 = 3 (pooled: 2.4 -> 2.86)
    assert (comm["previous_wave"], comm["previous_score"], comm["latest_score"], comm["change"]) == \
        ("2025-09", 2.5, 3.0, 0.5)
    assert (comm["previous_it_respondents"], comm["latest_business_respondents"]) == (2, 4)
    assert w["Governance"]["change"] == approx(0.88, abs=0.006)  # 3.875 - (3+3)/2
    few = by(q(cur, "wave_change", min_respondents=3), "dimension")["Communications"]  # 2025-09 had 2 from IT
    assert nan(few["previous_score"]) and nan(few["change"]) and few["latest_score"] == 3.0
    assert not few["comparable"]
    older = by(q(cur, "wave_change", wave="2025-09", min_respondents=1), "dimension")["Communications"]
    assert older["previous_wave"] == "2024-01" and nan(older["change"])  # 2024-01 heard no IT


def test_wave_change_under_a_unit_keeps_it(cur):
    comm = by(q(cur, "wave_change", business_unit="Retail", min_respondents=2), "dimension")["Communications"]
    # Retail in 2026-03: (2+1+3)/3 = 2 (b4 is Ops), IT 4 -> 3; 2025-09 is all Retail -> 2.5
    assert (comm["previous_score"], comm["latest_score"], comm["change"]) == (2.5, 3.0, 0.5)


def test_score_distribution_shows_n_and_hides_small_groups(cur):
    d = by(q(cur, "score_distribution", min_respondents=2), "dimension", "respondent_group")
    biz = d[("Communications", "Business")]  # 2, 1, 3, 2
    assert (biz["respondents"], biz["strongly_disagree"], biz["disagree"], biz["neutral"]) == (4, 1, 2, 1)
    assert (biz["mean_score"], biz["comments"]) == (2.0, 1)
    unassigned = d[("Unassigned", "Business")]  # Qv 4 x 4 and Qx 1: (16 + 1) / 5
    assert (unassigned["answers"], unassigned["respondents"], unassigned["mean_score"]) == (5, 4, 3.4)
    assert ("NPS", "Business") not in d
    ops = by(q(cur, "score_distribution", business_unit="Ops", min_respondents=2), "dimension",
             "respondent_group")[("Communications", "Business")]
    assert (ops["answers"], ops["respondents"], ops["suppressed"]) == (1, 1, True)
    assert nan(ops["mean_score"]) and nan(ops["disagree"])


def test_comments_of_small_sides_and_units_are_not_shown(cur):
    said = by(q(cur, "survey_comments", min_respondents=2), "comment")
    assert set(said) == {"IT comment", "Ops comment", "Retail comment"}
    assert said["Retail comment"]["business_unit"] == "Retail"  # 3 Retail respondents
    assert nan(said["Ops comment"]["business_unit"]) and nan(said["Ops comment"]["role"])  # b4 is Ops' only one
    four = set(q(cur, "survey_comments", min_respondents=4)["comment"])
    assert four == {"Ops comment", "Retail comment"}  # IT has 3 respondents
    assert set(q(cur, "survey_comments", business_unit="Retail", min_respondents=2)["comment"]) == \
        {"IT comment", "Retail comment"}


def test_the_organisation_setting_applies_and_the_default_hides_this_small_survey(store, cur):
    """Pages and the CLI pass the settings: the default minimum of 5 hides both sides (3 and 4 people)."""
    m = run_query(cur, "alignment_maturity", {}, directory=DIRECTORY, settings=store.settings())
    assert m["maturity"].isna().all() and m["it_respondents"].tolist()[-1] == 3
    store.save_settings({"min_respondents": "3"}, "test")
    m = by(run_query(store.cursor(), "alignment_maturity", {}, directory=DIRECTORY, settings=store.settings()),
           "dimension")
    assert m["Overall"]["maturity"] == approx(3.44, abs=0.006)


def test_executive_summary_reads_the_alignment_under_a_unit(store, cur):
    (s,) = q(cur, "executive_summary", business_unit="Retail", min_respondents=2).to_dict("records")
    assert s["alignment_maturity"] == approx(3.33, abs=0.006)  # as alignment_maturity under Retail
    assert s["largest_gap_dimension"] == "Communications" and s["largest_gap"] == 2.0


@pytest.mark.parametrize("cell, score", [(0, 0), (10, 10), ("9 - Very likely", 9), ("7", 7), (None, None)])
def test_nps_scores_read_zero_to_ten(cell, score):
    assert parse_nps_score(cell) == score


def test_an_nps_question_may_score_zero_to_ten_and_others_may_not(store):
    data = xlsx([["Respondent", "Group", "Question", "Dimension", "Score"],
                 ["a", "Business", NPS_Q, None, 0],
                 ["b", "Business", "Likelihood to recommend", "Net Promoter Score", "10"],
                 ["c", "Business", "I would recommend IT's help desk", "Partnership", 4],
                 ["d", "IT", "IT understands the business", None, 5]])
    result = ingest(store, data, "s.xlsx", "survey")
    assert result.status == "loaded", result.errors
    got = store.cursor().execute("SELECT respondent_id, dimension, score FROM survey ORDER BY 1").fetchall()
    assert got == [("a", "NPS", 0), ("b", "NPS", 10), ("c", "Partnership", 4), ("d", "Communications", 5)]
    bad = xlsx([["Respondent", "Group", "Question", "Dimension", "Score"],
                ["a", "Business", NPS_Q, None, 11],
                ["c", "Business", "I would recommend IT's help desk", "Partnership", 9],
                ["d", "IT", "IT understands the business", None, 0]])
    messages = [e["message"] for e in ingest(store, bad, "bad.xlsx", "survey").errors]
    assert messages == [
        "Sheet 'Sheet1', row 2, column E ('Score'): score 11 is not a whole number from 0 to 10 "
        "(a likelihood-to-recommend question).",
        "Sheet 'Sheet1', row 3, column E ('Score'): score 9.0 is not between 1 and 5.",
        "Sheet 'Sheet1', row 4, column E ('Score'): score 0.0 is not between 1 and 5."]


def test_a_wide_survey_files_its_recommend_column_as_nps(store):
    data = xlsx([["Respondent", "Group", "IT understands us", NPS_Q], ["a", "Business", 4, 10], ["b", "IT", 5, 6]])
    assert ingest(store, data, "w.xlsx", "survey").status == "loaded"
    got = store.cursor().execute("SELECT respondent_id, dimension, score FROM survey WHERE dimension = 'NPS' "
                                 "ORDER BY 1").fetchall()
    assert got == [("a", "NPS", 10), ("b", "NPS", 6)]


def test_findings_say_why_a_side_is_not_shown(store, cur):
    from alignment import findings

    def run(name, **params):
        return q(cur, name, **params, min_respondents=4)  # IT has 3 people, the business 4

    gap, maturity = findings.alignment_gap(run), findings.maturity(run)
    assert gap.headline == "Too few people answered on a side to compare IT and the business."
    assert "Communications and Governance (IT 3, business 4)" in gap.detail and gap.chart is None
    assert maturity.headline == "Alignment maturity needs enough people from both IT and the business."
    assert maturity.detail.startswith("IT's view is not shown (3 answered); the business rates it 2.88 (4 people).")

    def run_all(name, **params):
        return q(cur, name, **params, min_respondents=3)

    shown = findings.maturity(run_all)
    assert shown.headline == ("Alignment maturity is 3.44 out of 5: Luftman level 'Established', a Partner "
                              "relationship.")
    assert shown.detail.endswith("The relationship is this product's mapping of the score.")
    assert shown.detail.startswith("IT rates it 4.00 (3 people); the business rates it 2.88 (4 people); the score "
                                   "is the mean of the two views.")


def open_alignment(unit: str | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    if unit:
        at.query_params["bu"] = unit
    at.run()
    at.switch_page("app_pages/alignment.py")
    return at.run()


def test_the_survey_page_under_a_unit_keeps_it_and_says_what_it_hides(demo_db):  # noqa: F811
    everyone = open_alignment()
    retail = open_alignment("Retail")
    assert not retail.exception and not retail.error, [e.value for e in retail.error]
    whole, unit = ({m.label: m.value for m in at.metric} for at in (everyone, retail))
    assert unit["IT's view"] == whole["IT's view"] != "– / 5"  # IT is kept, whatever the unit
    assert unit["The business's view"] == "– / 5" and unit["Overall maturity"] == "– / 5"  # 2 Retail people
    captions = [c.value for c in retail.caption]
    assert "n = 10 from IT, 2 from the business." in captions
    assert any(c.startswith("Not shown where fewer than 5 people answered") and "(IT 10, business 2)" in c
               for c in captions)
    assert "Not shown: fewer than 5 Business respondents (2 answered; response rate unknown)." in captions
    hidden = [c for c in captions if c.startswith("Not shown where")]
    assert len(hidden) == len(set(hidden))  # sections hiding the same groups say so once


def test_the_response_rate_appears_once_invitations_are_given(demo_db):  # noqa: F811
    at = open_alignment()
    at.number_input(key="invited_business").set_value(28).run()
    assert "14 of 28 invited answered (50.0%)" in [c.value for c in at.caption]  # 14 business respondents
