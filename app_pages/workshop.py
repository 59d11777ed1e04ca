"""The facilitator's live survey: open a session, show the QR code, watch answers arrive."""

import datetime as dt
from urllib.parse import urlencode

import streamlit as st

from alignment import charts, live
from alignment.config import public_url
from alignment.findings import hidden_groups, too_few
from alignment.waves import date_read
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
                             help="Waves are ordered by the date in their name (then by name): keep the date.")
        ask_importance = st.checkbox("Also ask how important each dimension is (for the 'fix first' view)")
        practice = st.checkbox("Practice run: take the answers out of the dashboards when I close it",
                               help="For a rehearsal before the workshop: while it is open it shows like any "
                                    "session; when it closes, its answers are undone, so the executives' pages "
                                    "show the real survey again. Nothing is deleted: the Data page can restore it.")
        opened = st.form_submit_button("Open a session", type="primary", icon=":material/play_arrow:")
        # A new wave that sorts before the newest one stays out of the dashboards (survey_waves orders them by the
        # date in their name; one without a date comes first). A practice run leaves them anyway.
        name = wave.strip() or "Workshop"
        placed = run("survey_waves", proposed_wave=name) if opened and not practice else None
        newest = placed["wave"].iloc[0] if placed is not None and not placed.empty else name
        if newest != name and name not in set(run("survey_waves")["wave"]):
            st.error(f"'{name}' would be ordered before the wave '{newest}': waves are ordered by the date in their "
                     f"name, and this one {date_read(placed, name)}. The dashboards would go on showing '{newest}'. "
                     f"Put today's date in the name, like '{dt.date.today():%Y-%m-%d} {name}'.")
        elif opened:
            code = live.new_code()
            store.open_live_session(code, name, ask_importance=ask_importance,
                                    user=user_email() or "app", practice=practice)
            st.query_params["session"] = code
            st.rerun()
    st.stop()

st.query_params["session"] = code
base = public_url() or st.context.url or "http://localhost:8501"
link = live.join_url(base, code)

# For the room's screen (1920x1080, or a laptop's 1440x900): the code to type, the QR code and the
# chart with its axis all in the window, never below the fold: people who cannot scan type the code.
# The room's part of the page sits in one box as tall as the window below the title (the server cannot
# know the window's height; the browser sizes the box); in it the code and the QR code share the left
# column, the QR code taking the height the code leaves, and the chart takes what the counts leave.
st.html("""<style>
  [data-testid="stMainBlockContainer"] { padding-top: 2rem; padding-bottom: 1rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 2.25rem; line-height: 1.2; padding: 0 0 0.25rem 0; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-room) { height: calc(100dvh - 7rem) !important;
                                                        flex: 0 0 auto !important; }
  .st-key-room > [data-testid="stLayoutWrapper"]:has(> [data-testid="stHorizontalBlock"]),
  .st-key-room > [data-testid="stHorizontalBlock"] { flex: 1 1 0 !important; min-height: 0; }
  .st-key-room [data-testid="stHorizontalBlock"] { height: 100%; }
  .st-key-room [data-testid="stColumn"] > [data-testid="stVerticalBlock"] { height: 100%; }
  /* The QR code: as big as its column allows, width or height, square, never over the counts. */
  [data-testid="stLayoutWrapper"]:has(> .st-key-qr) { flex: 1 1 0 !important; min-height: 12rem; }
  .st-key-qr { height: 100%; }
  .st-key-qr div { width: 100% !important; }
  .st-key-qr div:not([data-testid="stElementToolbar"], [data-testid="stElementToolbar"] *) { height: 100%; }
  /* The image's hover toolbar (full screen) sits just above the image, outside it: room for it in the
     code's own box, so the pointer left on the code after "Open a session" never covers the link. */
  .st-key-qr { padding-top: 2.75rem; }
  .st-key-qr img { width: auto !important; height: 100% !important; max-width: 100%; object-fit: contain;
                   object-position: left top; }
  .st-key-join-link p { white-space: nowrap; font-size: clamp(1.2rem, 1.9vw, 2.2rem); margin: 0; }
  .st-key-join-link code { white-space: nowrap; }
  /* The code on one line, sized by its column: "Code" and the code never part. */
  .st-key-join-code { container-type: inline-size; }
  .st-key-join-code p { font-size: min(4.5rem, 11cqi); font-weight: 700; margin: 0; white-space: nowrap; }
  .st-key-join-code strong { letter-spacing: 0.15em; }  /* the code spaced out to be read aloud, not its label */
  .st-key-counts [data-testid="stMetricValue"] { font-size: 3.5rem; }
  .st-key-counts [data-testid="stMetricLabel"] p { font-size: 1.4rem; }
  /* The live results (a fragment: a box of their own) fill the column; in them the chart fills what is left. */
  .st-key-room [data-testid="stLayoutWrapper"]:has([data-testid="stVegaLiteChart"]) { flex: 1 1 0 !important;
                                                                                      min-height: 0; }
  .st-key-room [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) { flex: 1 1 0;
                                                                                         min-height: 16rem; }
</style>""")


@st.fragment(run_every=2)
def live_results(code: str) -> None:
    """Redrawn every two seconds on its own, so the room sees answers within seconds."""
    now = store.live_session(code)
    if now is None:  # undone on the Data page meanwhile
        st.info("This session is no longer there: it was undone on the Data page.")
        return
    it, business = live.side_counts(run("survey_waves"), now["wave"])
    with st.container(key="counts", horizontal=True):
        st.metric("People who have answered", now["respondents"])
        st.metric("From IT", it)
        st.metric("From the business", business)
    gap = run("alignment_gap", wave=now["wave"], business_unit=None)  # the whole room, whatever the filter
    if gap.empty or now["respondents"] == 0:
        st.info("Waiting for the first answers…")
        return
    compared = gap[~gap["suppressed"].astype(bool)]
    if compared.empty:
        # Each side's view appears once enough of its people have answered: nobody can be singled out.
        st.info(f"Each side's view appears once {store.settings()['min_respondents']} of its people have "
                "answered, so nobody's answers can be singled out.")
        return
    if hidden := hidden_groups(gap):
        st.caption(too_few(hidden, store.settings()["min_respondents"]))
    # The chart takes the height the counts leave (six rows in the room's type), its axis in the window.
    st.altair_chart(charts.for_the_room(charts.gap_dumbbell(compared, f"IT view vs business view: {now['wave']}")),
                    width="stretch", height="stretch")


# The height given here is only the box's before the page's style sizes it to the window.
with st.container(key="room", height=760, border=False):
    if store.live_session(code)["practice"]:
        st.info("Practice run: when you close it, its answers leave the dashboards (the Data page can restore "
                "them).", icon=":material/science:")
    if live.only_this_machine(link):
        st.warning("This link names this computer (localhost), so phones cannot open it. Open this page "
                   "through the network address Streamlit printed, or set ALIGNMENT_PUBLIC_URL.")
    with st.container(key="join-link"):
        st.markdown(f"Scan the code or open `{link}`")
    left, right = st.columns([2, 3], gap="large")
    with left:
        with st.container(key="join-code"):
            st.markdown(f"Code **{code}**")
        with st.container(key="qr"):
            st.image(live.qr_svg(link), width=560)
    with right:
        live_results(code)

with st.expander("Tips for the room"):
    st.caption("For the room's screen, add &present=1 to this page's address to hide the navigation. "
               "The link uses the address this browser shows. If phones reach the app another way "
               "(the laptop's network address, or a public name behind a proxy), set "
               "ALIGNMENT_PUBLIC_URL before starting the app.")

st.divider()
wave = store.live_session(code)["wave"]
a, b, c, _ = st.columns([1, 1, 1, 2])
if a.button("Close the session", icon=":material/stop:", key="close"):
    practised = store.close_live_session(code)
    del st.query_params["session"]
    final = store.live_session(code)
    people = final["respondents"]
    whose = "1 person's" if people == 1 else f"{people:,} people's"
    if not people:
        st.session_state["closed"] = (f"The practice run {code} is closed; nobody had answered." if practised else
                                      f"Session {code} is closed; nobody had answered, so the dashboards are "
                                      "as they were.")
    elif practised:
        st.session_state["closed"] = (
            f"Practice session {code} is closed: {whose} answers are out of the dashboards (undone; the Data "
            "page's upload history keeps them, and Restore brings them back).")
    else:
        st.session_state["closed"] = (
            f"Session {code} is closed: {whose} answers are kept as the survey wave '{final['wave']}'. A "
            "rehearsal? Undo it on the Data page and the dashboards show the real survey again.")
    st.rerun()
# The presentation opens on the app's root with present=1 (there it is the home page): a link to its
# own path would land on "page not found" first.
b.link_button("Present the findings", f"./?{urlencode({'present': '1', 'wave': wave})}",
              icon=":material/slideshow:")
c.page_link("app_pages/alignment.py", label="Full survey results", icon=":material/handshake:",
            query_params={"wave": wave})

room = {"wave": wave, "business_unit": None}
workbook_download({"IT vs business": run("alignment_gap", **room), "Maturity": run("alignment_maturity", **room),
                   "Score distribution": run("score_distribution", **room),
                   "Fix first": run("importance_satisfaction", **room), "NPS": run("nps", **room),
                   "Comments": run("survey_comments", **room)}, f"workshop-{code}")
