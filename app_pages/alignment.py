import streamlit as st

from alignment import charts
from app_pages.common import answers, chart, empty_notice, number, run, store_or_stop, table, workbook_download

st.title("Alignment survey")
waves = [r[0] for r in store_or_stop().cursor().execute(
    "SELECT DISTINCT wave FROM survey WHERE wave IS NOT NULL ORDER BY wave DESC").fetchall()]
if not waves and store_or_stop().cursor().execute("SELECT count(*) FROM survey").fetchone()[0] == 0:
    empty_notice("survey answers")
    st.stop()
wave = st.selectbox("Survey wave", waves, key="wave", bind="query-params") if waves else None

maturity = run("alignment_maturity", wave=wave)
answers("alignment_maturity")
overall = maturity[maturity["dimension"] == "Overall"]
if not overall.empty:
    o = overall.iloc[0]
    a, b, c = st.columns(3)
    a.metric("Overall maturity", f"{number(o.maturity)} / 5")
    b.metric("Luftman level", o.luftman_level)
    c.metric("Relationship model", o.relationship_model,
             help="This product's mapping of the overall score: below 2 Passive, below 3 Provider, "
                  "below 4 Partner, 4 and above Peer.")
dims = maturity[maturity["dimension"] != "Overall"]
chart(charts.maturity_by_dimension(dims), "maturity")

st.header("Where IT and the business disagree")
answers("alignment_gap")
gap = run("alignment_gap", wave=wave)
if not gap.empty:
    chart(charts.gap_dumbbell(gap, "IT view vs business view"), "alignment_gap")
    table(gap, "alignment_gap")

st.header("How each side answered")
answers("score_distribution")
spread = run("score_distribution", wave=wave)
if not spread.empty:
    chart(charts.likert(spread, "Answers by dimension: IT (upper bar) and business (lower bar)"), "score_distribution")

said = run("survey_comments", wave=wave)
if not said.empty:
    st.subheader("In their own words")
    answers("survey_comments")
    table(said, "survey_comments")

st.header("What to fix first")
answers("importance_satisfaction")
quad = run("importance_satisfaction", wave=wave)
if quad.empty:
    st.info("This wave has no importance ratings, so there is no importance–satisfaction view.")
else:
    chart(charts.quadrant(quad, "Importance vs satisfaction"), "importance_satisfaction")
    table(quad, "importance_satisfaction")

st.header("Change since the previous wave")
answers("wave_change")
change = run("wave_change")
if not change.empty and change["previous_wave"].notna().any():
    chart(charts.hbar(change, "dimension", "change", "Change in mean score", extra=("previous_score",
                                                                                 "latest_score")), "wave_change")
    table(change, "wave_change")
else:
    st.info("Only one wave so far: run the survey again to see change.")
workbook_download({"Maturity": maturity, "Gap": gap, "Importance vs satisfaction": quad, "Wave change": change,
                   "Score distribution": spread, "Comments": said},
                  "alignment")
