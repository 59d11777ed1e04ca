"""The facilitator's live survey: open a session, show the QR code, watch answers arrive."""

import datetime as dt

import streamlit as st

from alignment import charts, live
from alignment.config import public_url
from alignment.findings import hidden_groups, too_few
from app_pages.common import require, run, store_or_stop, user_email, workbook_download

store = store_or_stop()
st.title("Live survey")
require("facilitate", "run a live survey")

if "closed" in st.session_state:
    st.success(st.session_state.pop("closed"), icon=":material/check_circle:")
open_codes = store.open_live_sessions()
code = st.query_params.get("session")
if code not in open_codes:
    code = open_codes[0] if open_codes else None
if len(open_codes) > 1:  # several rooms at once, each facilitator on their own session
    code = st.selectbox("Open sessions", open_codes, index=open_codes.index(code), key="pick-session",
                        format_func=lambda c: f"{c} · {store.live_session(c)['wave']}")

if code is None:
    st.write("Open a session, show its QR code on the room's screen, and watch IT and the business "
             "answer Luftman's six alignment questions on their phones. The answers are stored as a survey "
             "wave, like an upload: they appear on every dashboard and can be undone on the Data page.")
    with st.form("open"):
        wave = st.text_input("Survey wave name", value=f"{dt.date.today():%Y-%m-%d} workshop", max_chars=80,
                             help="Waves are ordered by name; starting with the date keeps the newest last.")
        ask_importance = st.checkbox("Also ask how important each dimension is (for the 'fix first' view)")
        if st.form_submit_button("Open a session", type="primary", icon=":material/play_arrow:"):
            code = live.new_code()
            store.open_live_session(code, wave.strip() or "Workshop", ask_importance=ask_importance,
                                    user=user_email() or "app")
            st.query_params["session"] = code
            st.rerun()
    st.stop()

st.query_params["session"] = code
base = public_url() or st.context.url or "http://localhost:8501"
link = live.join_url(base, code)

left, right = st.columns([2, 3], gap="large")
with left:
    if live.only_this_machine(link):
        st.warning("This link names this computer (localhost), so phones cannot open it. Open this page "
                   "through the network address Streamlit printed, or set ALIGNMENT_PUBLIC_URL.")
    st.image(live.qr_svg(link), width=320)
    st.markdown(f"### Join at `{link}`")
    st.markdown(f"## Code **{code}**")
    with st.expander("Tips for the room"):
        st.caption("For the room's screen, add &present=1 to this page's address to hide the navigation. "
                   "The link uses the address this browser shows. If phones reach the app another way "
                   "(the laptop's network address, or a public name behind a proxy), set "
                   "ALIGNMENT_PUBLIC_URL before starting the app.")


@st.fragment(run_every=2)
def live_results(code: str) -> None:
    """Redrawn every two seconds on its own, so the room sees answers within seconds."""
    now = store.live_session(code)
    st.metric("People who have answered", now["respondents"])
    gap = run("alignment_gap", wave=now["wave"], business_unit=None)  # the whole room, whatever the filter
    if gap.empty or now["respondents"] == 0:
        st.info("Waiting for the first answers…")
        return
    compared = gap[~gap["suppressed"].astype(bool)]
    if compared.empty:
        # Each side's view appears once enough of its people have answered: nobody can be singled out.
        st.info(f"So far {int(gap['it_respondents'].max())} from IT and {int(gap['business_respondents'].max())} "
                f"from the business. Each side's view appears once {store.settings()['min_respondents']} of its "
                "people have answered, so nobody's answers can be singled out.")
        return
    st.altair_chart(charts.gap_dumbbell(compared, f"IT view vs business view: {now['wave']}"), width="stretch")
    if hidden := hidden_groups(gap):
        st.caption(too_few(hidden, store.settings()["min_respondents"]))


with right:
    live_results(code)

st.divider()
wave = store.live_session(code)["wave"]
a, b, c, _ = st.columns([1, 1, 1, 2])
if a.button("Close the session", icon=":material/stop:", key="close"):
    store.close_live_session(code)
    del st.query_params["session"]
    final = store.live_session(code)
    st.session_state["closed"] = (f"Session {code} is closed: {final['respondents']} people's answers are kept "
                                  f"as the survey wave '{final['wave']}'.")
    st.rerun()
b.page_link("app_pages/present.py", label="Present the findings", icon=":material/slideshow:",
            query_params={"wave": wave, "present": "1"})
c.page_link("app_pages/alignment.py", label="Full survey results", icon=":material/handshake:",
            query_params={"wave": wave})

room = {"wave": wave, "business_unit": None}
workbook_download({"IT vs business": run("alignment_gap", **room), "Maturity": run("alignment_maturity", **room),
                   "Score distribution": run("score_distribution", **room),
                   "Fix first": run("importance_satisfaction", **room), "NPS": run("nps", **room),
                   "Comments": run("survey_comments", **room)}, f"workshop-{code}")
