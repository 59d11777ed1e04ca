import pandas as pd
import streamlit as st

from alignment import charts
from alignment.findings import grouped, hidden_groups, too_few
from alignment.formatting import number, pct
from app_pages.common import (
    answers,
    chart,
    choice,
    empty_notice,
    filters,
    months_not_applied,
    prefetch,
    run,
    store_or_stop,
    table,
    workbook_download,
)


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose group reached the minimum number of respondents."""
    return frame[~frame["suppressed"].fillna(False).astype(bool)] if "suppressed" in frame else frame


noted: set[str] = set()  # this run's notes: sections hiding the same groups say so once


def hidden_note(groups: list[str]) -> None:
    if groups and (text := too_few(groups, minimum)) not in noted:
        noted.add(text)
        st.caption(text)


st.title("Alignment survey")
months_not_applied("the survey wave chosen below decides which answers are shown, whenever they were given",
                   measured=False)
store = store_or_stop()
known = run("survey_waves")
if known.empty:
    empty_notice("survey answers")
    st.stop()
waves = [w for w in known["wave"] if w]
default = next((i for i, w in enumerate(waves) if known.loc[known["wave"] == w, "is_default"].iloc[0]), 0)
wave = choice("Survey wave", waves, "wave", index=default, widget=st.selectbox,
              help="Opens on the latest wave with enough people on both sides, so a small live session "
              "does not replace the organisation's score.") if waves else None
prefetch(*((name, {"wave": wave}) for name in ("alignment_maturity", "alignment_gap", "score_distribution",
                                                 "survey_comments", "importance_satisfaction", "wave_change")))
minimum = store.settings()["min_respondents"]
unit = filters()["business_unit"]
st.caption((f"{unit}'s business respondents against all of IT (IT serves every unit, so a unit filter keeps "
            "IT's people)." if unit else "All business units and IT.")
           + f" A side, unit or question with fewer than {minimum} respondents is not shown (Settings: fewest "
           "respondents shown), so nobody's answers can be singled out.")

maturity = run("alignment_maturity", wave=wave)
answers("alignment_maturity")
overall = maturity[maturity["dimension"] == "Overall"]
if not overall.empty:
    o = overall.iloc[0]
    a, b, c, d = st.columns(4)
    a.metric("Overall maturity", f"{number(o.maturity)} / 5",
             help="The mean of IT's and the business's views, each side counting once however many people "
                  f"answered. Luftman level: {o.luftman_level or 'not shown'}.")
    b.metric("IT's view", f"{number(o.it_maturity)} / 5", help=f"{int(o.it_respondents)} IT respondents.")
    c.metric("The business's view", f"{number(o.business_maturity)} / 5",
             help=f"{int(o.business_respondents)} business respondents.")
    d.metric("Relationship model", o.relationship_model or "–",  # the help says whose mapping: the label fits
             help="This product's own mapping of the overall score, not Luftman's: below 2 Passive, below 3 "
                  "Provider, below 4 Partner, 4 and above Peer.")
    st.caption(f"n = {int(o.it_respondents)} from IT, {int(o.business_respondents)} from the business.")
dims = maturity[(maturity["dimension"] != "Overall") & maturity["maturity"].notna()] if not maturity.empty \
    else maturity
if not dims.empty:
    chart(charts.maturity_by_dimension, dims, name="maturity")
hidden_note(hidden_groups(maturity[maturity["dimension"] != "Overall"]) if not maturity.empty else [])

st.header("Where IT and the business disagree")
answers("alignment_gap")
gap = run("alignment_gap", wave=wave)
if not gap.empty:
    compared = shown(gap)
    if not compared.empty:
        chart(charts.gap_dumbbell, compared, "IT view vs business view", name="alignment_gap")
    hidden_note(hidden_groups(gap))
    table(gap, "alignment_gap")

st.header("How each side answered")
answers("score_distribution")
spread = run("score_distribution", wave=wave)
if not spread.empty:
    visible = shown(spread)
    if not visible.empty:
        sides = set(visible["respondent_group"])
        title = ("Answers by dimension: IT (upper bar) and business (lower bar)" if len(sides) > 1 else
                 f"Answers by dimension: {'IT' if sides == {'IT'} else 'the business'} (the other side is not shown)")
        chart(charts.likert, visible, title, name="score_distribution")
        people = visible.groupby("respondent_group")["respondents"].max()
        st.caption("n = " + ", ".join(f"{int(n)} from {'IT' if side == 'IT' else 'the business'}"
                                      for side, n in people.sort_index(ascending=False).items())
                   + " (the most on any dimension; every count is in the Excel download).")
    hidden_note(grouped([(f"{r.respondent_group} on {r.dimension}", f"{int(r.respondents)} people")
                         for r in spread.itertuples() if r.suppressed]))

said = run("survey_comments", wave=wave)
if not said.empty:
    st.subheader("In their own words")
    answers("survey_comments")
    table(said, "survey_comments")
    st.caption(f"Comments of a side with fewer than {minimum} respondents are left out, and the unit and role are "
               "blank where the unit has fewer.")

st.header("What to fix first")
answers("importance_satisfaction")
quad = run("importance_satisfaction", wave=wave)
if quad.empty:
    st.info("This wave has no importance ratings from the business, so there is no importance–satisfaction view.")
else:
    plotted = shown(quad)
    if not plotted.empty:
        q = plotted.iloc[0]
        st.caption(f"Business respondents only, as Info-Tech's CIO Business Vision asks IT's customers. The lines "
                   f"are the means of the questions shown (importance {number(q.importance_mean)}, satisfaction "
                   f"{number(q.satisfaction_mean)}), not the scale's midpoint. n per question is in the table.")
        chart(charts.quadrant, plotted, "Importance vs satisfaction", name="importance_satisfaction")
    hidden_note(grouped([(f"'{r.question}'", f"{int(r.respondents)} business people")
                         for r in quad.itertuples() if r.suppressed]))
    table(quad, "importance_satisfaction")

st.header("Would the business recommend IT?")
answers("nps")
with st.expander("Response rate: how many people were invited?"):
    st.caption("Invitations are not in the survey file (it lists who answered), so the response rate is unknown "
               "unless you say how many were asked" + (f" in {unit}." if unit else "."))
    left, right = st.columns(2)
    invited_business = left.number_input("Business people invited", min_value=0, value=None, step=1,
                                         key="invited_business")
    invited_it = right.number_input("IT people invited", min_value=0, value=None, step=1, key="invited_it")
nps = run("nps", wave=wave, invited_business=invited_business, invited_it=invited_it)
if nps.empty:
    st.info("This wave has no Net Promoter question (0–10, 'how likely are you to recommend…', dimension NPS).")
else:
    for question, rows in nps.groupby("question", sort=False):
        st.markdown(f"**{question}**")
        columns = st.columns(len(rows))
        for column, r in zip(columns, rows.itertuples(), strict=True):
            rate = (f"{int(r.respondents)} of {int(r.invited)} invited answered ({pct(r.response_rate)})"
                    if not pd.isna(r.invited) else f"{int(r.respondents)} answered; response rate unknown")
            if r.suppressed:
                column.metric(f"{r.respondent_group} NPS", "–", help=rate)
                column.caption(f"Not shown: fewer than {minimum} {r.respondent_group} respondents ({rate}).")
            else:
                column.metric(f"{r.respondent_group} NPS", number(r.nps, 0, signed=True),
                              help=f"{int(r.promoters)} promoters (9–10), {int(r.passives)} passives (7–8), "
                                   f"{int(r.detractors)} detractors (0–6) of {int(r.responses)} answers: % promoters "
                                   "minus % detractors, Bain & Company's Net Promoter Score (−100 to +100).")
                column.caption(rate)
    table(nps, "nps")

st.header("Change since the previous wave")
answers("wave_change")
change = run("wave_change", wave=wave)
if change.empty or change["previous_wave"].isna().all():
    st.info("Only one wave so far: run the survey again to see change.")
else:
    compared = change[change["comparable"]]
    if not compared.empty:
        chart(charts.hbar, compared, "dimension", "change", "Change in mean score",
                          extra=("previous_score", "latest_score"), name="wave_change")
    hidden_note(grouped([(r.dimension, f"{r.previous_wave}: IT {r.previous_it_respondents}, business "
                          f"{r.previous_business_respondents}; {r.latest_wave}: IT {r.latest_it_respondents}, "
                          f"business {r.latest_business_respondents}") for r in change.itertuples()
                         if not r.comparable]))
    st.caption("A wave's score is the mean of IT's and the business's views; the change is shown only where both "
               "waves heard enough people on both sides.")
    table(change, "wave_change")
workbook_download({"Maturity": maturity, "Gap": gap, "Importance vs satisfaction": quad, "NPS": nps,
                   "Wave change": change, "Score distribution": spread, "Comments": said},
                  "alignment", "Alignment survey", applied={"business_unit": unit, "wave": wave})
