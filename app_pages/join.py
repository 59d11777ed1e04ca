"""The only page a participant sees: one form, their own confirmation, nothing else."""

import uuid

import streamlit as st

from alignment import live
from alignment.store import AlreadyAnswered, StoreError
from app_pages.common import store_or_stop

store = store_or_stop()
st.title("How aligned are IT and the business?")
code = live.normalise_code(st.query_params.get("join", ""))
if not code:
    code = live.normalise_code(st.text_input("Session code (on the facilitator's screen)", max_chars=12))
    if not code:
        st.stop()
session = store.live_session(code)
if session is None:
    st.error(f"There is no live session with the code {code}. Check the code on the screen.")
    st.stop()
if session["closed_at"] is not None or session["status"] != "active":
    st.info("This session has closed. Thank you for taking part.")
    st.stop()

# The respondent id rides in the address, so a reload or a second tap is the same person.
respondent = st.query_params.get("me") or uuid.uuid4().hex[:12]
st.query_params["me"] = respondent
done_key = f"answered-{code}-{respondent}"
if st.session_state.get(done_key):
    st.success("Thank you: your answers are in. Watch the big screen.", icon=":material/check_circle:")
    st.stop()

st.caption("Anonymous: only your answers and your side (IT or business) are recorded. "
           "1 = strongly disagree … 5 = strongly agree.")
with st.form("answers"):
    group = st.radio("I work in", live.GROUPS, index=None, horizontal=True, key="group",
                     format_func={"IT": "IT", "Business": "The business"}.get)
    scores, importance = {}, {}
    for dimension, statement in live.STATEMENTS.items():
        st.markdown(f"**{dimension}.** {statement}")
        scores[dimension] = st.radio(dimension, list(live.SCALE), index=None, horizontal=True,
                                     key=f"score-{dimension}", label_visibility="collapsed")
        if session["ask_importance"]:
            importance[dimension] = st.radio(f"How important is {dimension.lower()} to you?", list(live.SCALE),
                                             index=None, horizontal=True, key=f"importance-{dimension}")
    with st.expander("Optional: your unit, role and a comment"):
        unit = st.text_input("Business unit", key="unit", max_chars=80)
        role = st.text_input("Role", key="role", max_chars=80)
        comment = st.text_area("Anything to add?", key="comment", max_chars=1000)
    sent = st.form_submit_button("Send my answers", type="primary")

if sent:
    try:
        rows = live.answer_rows(respondent, session["wave"], group, scores, importance, unit, role, comment)
        store.add_live_answers(code, rows)
    except AlreadyAnswered:
        pass
    except (live.AnswerError, StoreError) as exc:
        st.error(str(exc))
        st.stop()
    st.session_state[done_key] = True
    st.rerun()
