"""The only page a participant sees: one form, their own confirmation, nothing else.

Who is answering comes from the browser, never from the address bar: the token in Streamlit's
XSRF cookie (the same in every tab of one browser), hashed with the session code. A reload or a
second tap in the same browser is the same participant; a shared link makes no one else that
participant. A client that sends no such cookie is one participant per connection."""

import secrets

import streamlit as st

from alignment import live
from alignment.store import AlreadyAnswered, StoreError
from app_pages.common import store_or_stop

# The importance questions' own key: the agreement key (live.SCALE_KEY) does not fit "how important".
IMPORTANCE_KEY = "1 not important · 3 somewhat · 5 very important"


def _mark_sent() -> None:
    """Runs before the page whenever the form was sent, even when the page then shows no form
    (session closed, answered in another tab): so the page can say that this send was not recorded."""
    st.session_state["just-sent"] = True


# A phone (390 px wide): a compact header, every choice a 44 px tap target, the send button full width.
st.html("""<style>
  [data-testid="stMainBlockContainer"] { padding-top: 1rem; }
  [data-testid="stMainBlockContainer"] h4 { font-size: 1.2rem; padding: 0 0 0.25rem 0; }
  [data-testid="stRadioGroup"] { gap: 0.3rem; }
  [data-testid="stRadioGroup"] > div { margin-right: 0 !important; }
  [data-testid="stRadioOption"] { display: flex; align-items: center; min-height: 44px; min-width: 44px;
      padding: 0 0.45rem; margin: 0 !important; border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem; }
  [data-testid="stFormSubmitButton"] button, .st-key-use-code button { min-height: 48px; width: 100%; }
  [data-testid="stTextInput"] input { min-height: 44px; font-size: 1.1rem; }
  /* A key sits close above the choices it explains. */
  [data-testid="stForm"] [data-testid="stElementContainer"]:has(> [data-testid="stCaptionContainer"]) {
      margin-bottom: -0.5rem; }
</style>""")


def _type_the_code(problem: str | None = None) -> None:
    """A box for the code, never the dashboards: a mistyped or missing code is fixed on the phone."""
    if problem:
        st.error(problem)
    with st.form("code"):
        typed = st.text_input("Session code (on the facilitator's screen)", max_chars=12, key="typed-code")
        if st.form_submit_button("Join", type="primary", key="use-code") and live.normalise_code(typed):
            st.query_params["join"] = live.normalise_code(typed)
            st.rerun()
    st.stop()


store = store_or_stop()
just_sent = st.session_state.pop("just-sent", False)
st.markdown("#### How aligned are IT and the business?")
code = live.normalise_code(st.query_params.get("join", ""))
if "me" in st.query_params:  # links from before ids came from the browser: the id in them means nothing now
    del st.query_params["me"]
if not code:
    _type_the_code()
session = store.live_session(code)
if session is None:
    _type_the_code(f"There is no live session with the code {code}. Check the code on the screen and type it here.")
if session["closed_at"] is not None or session["status"] != "active":
    st.info("This session closed before your answers arrived, so they were not recorded. Thank you for taking part."
            if just_sent else "This session has closed, so no more answers are recorded. Thank you for taking part.")
    st.stop()

browser = live.browser_secret(st.context.cookies) or st.session_state.setdefault("browser", secrets.token_hex(16))
respondent = live.participant_id(code, browser)
address = st.context.ip_address if isinstance(st.context.ip_address, str) else None
if st.session_state.get(f"stored-{code}") and not just_sent:
    st.success("Thank you: your answers are in. Watch the big screen.", icon=":material/check_circle:")
    st.stop()
if store.live_answered(code, respondent) or st.session_state.get(f"stored-{code}"):
    # A second send from this phone (another tab, a reload, a double tap) is never thanked as if it counted.
    st.info(live.ALREADY_ANSWERED if just_sent else "You already answered in this session from this phone: "
            "your answers are in. Watch the big screen.", icon=":material/check_circle:")
    st.stop()

st.caption("Anonymous: only your answers and your side (IT or business) are recorded.")
with st.form("answers"):
    group = st.radio("I work in", live.GROUPS, index=None, horizontal=True, key="group",
                     format_func={"IT": "IT", "Business": "The business"}.get)
    scores, importance = {}, {}
    for dimension, statement in live.STATEMENTS.items():
        # Each row of choices has its own key right above it, under its question: the agreement key
        # once sat below the agreement choices, directly above the importance question, and read as its key.
        st.markdown(f"**{dimension}.** {statement}")
        st.caption(live.SCALE_KEY)
        scores[dimension] = st.radio(dimension, list(live.SCALE), index=None, horizontal=True,
                                     key=f"score-{dimension}", label_visibility="collapsed")
        if session["ask_importance"]:
            question = f"How important is {dimension.lower()} to you?"
            with st.container(key=f"asks-importance-{dimension}"):
                st.markdown(question)
                st.caption(IMPORTANCE_KEY)
                importance[dimension] = st.radio(question, list(live.SCALE), index=None, horizontal=True,
                                                 key=f"importance-{dimension}", label_visibility="collapsed")
    with st.expander("Optional: your unit, role and a comment"):
        unit = st.text_input("Business unit", key="unit", max_chars=80)
        role = st.text_input("Role", key="role", max_chars=80)
        comment = st.text_area("Anything to add?", key="comment", max_chars=1000)
    sent = st.form_submit_button("Send my answers", type="primary", on_click=_mark_sent, width="stretch")

if sent:
    refusal = live.may_send(live.participant_id("browser", browser))
    if refusal:
        st.warning(refusal)
        st.stop()
    try:
        rows = live.answer_rows(respondent, session["wave"], group, scores, importance, unit, role, comment)
    except live.AnswerError as exc:
        st.error(str(exc))
        st.stop()
    if store.live_answered(code, respondent):  # answered meanwhile, in another tab
        st.info(live.ALREADY_ANSWERED)
        st.stop()
    refusal = live.may_join(code, address)
    if refusal:
        st.warning(refusal)
        st.stop()
    try:
        store.add_live_answers(code, rows)
    except AlreadyAnswered:
        st.info(live.ALREADY_ANSWERED)
        st.stop()
    except StoreError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state[f"stored-{code}"] = True
    st.rerun()
