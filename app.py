"""Streamlit entry point: who sees which pages, the shared filters (kept in the URL), the database.

Three ways in: a join link (?join=CODE) shows only the survey form; ?present=1 hides the
navigation and opens on the findings, for the room's screen; anything else is the full app,
trimmed to what the signed-in person's role allows when sign-in is configured.
"""

import streamlit as st

from alignment.access import can
from app_pages.common import (
    access_rules,
    apply_settings,
    current_role,
    filter_problems,
    filter_sidebar,
    identity_provider_configured,
    store_or_stop,
    user_email,
)

st.set_page_config(page_title="IT–Business Alignment", page_icon="📊", layout="wide")

rules = access_rules()
role = current_role()
join = "join" in st.query_params  # ?join= with no code or a wrong one still gets the form's code box
join_page = st.Page("app_pages/join.py", title="Answer the survey", icon=":material/how_to_vote:", url_path="join")

if join and (can(role, "answer") or rules.anonymous_answers):
    st.navigation([join_page], position="hidden").run()
    st.stop()

if rules.enabled and not st.user.get("is_logged_in"):
    st.title("IT–Business Alignment")
    if not identity_provider_configured():  # never evaluate a secret as a bare expression: Streamlit shows it
        st.error("Sign-in is switched on ([access] in .streamlit/secrets.toml) but no identity provider is set "
                 "up: add an [auth] section (see the README's 'Configuration').")
        st.stop()
    st.write("Sign in to see the dashboards. Joining a live survey? Open the link or QR code the facilitator shows.")
    st.button("Sign in", type="primary", on_click=st.login, icon=":material/login:")
    st.stop()

if role is None:
    st.title("IT–Business Alignment")
    st.warning(f"You are signed in as {user_email()}, which has no access to this app. Ask an editor to add you.")
    st.button("Sign out", on_click=st.logout)
    st.stop()

if not can(role, "read"):  # participants only answer
    st.navigation([join_page], position="hidden").run()
    st.stop()

presenting = st.query_params.get("present") == "1"
# An empty app opens on two buttons (the demo company, your first file) for whoever may load data.
# (getattr: run bare, as a spawned benchmark process may re-run this file, st.stop does not stop.)
starting = not presenting and can(role, "edit") and bool(getattr(store_or_stop(), "is_empty", bool)())
present = st.Page("app_pages/present.py", title="Present findings", icon=":material/slideshow:",
                  url_path="present", default=presenting)
pages = {
    "Dashboards": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/home:",
                default=not presenting and not starting),
        st.Page("app_pages/spend.py", title="Spend & value", icon=":material/payments:"),
        st.Page("app_pages/portfolio.py", title="Portfolio", icon=":material/folder_open:"),
        st.Page("app_pages/bottlenecks.py", title="Bottlenecks", icon=":material/hourglass_top:"),
        st.Page("app_pages/alignment.py", title="Alignment survey", icon=":material/handshake:"),
    ],
    "Workshop": [present],
    "Work with data": [],
}
if starting:
    pages["Dashboards"].insert(0, st.Page("app_pages/start.py", title="Get started", icon=":material/rocket_launch:",
                                          url_path="start", default=True))
if can(role, "facilitate"):
    pages["Workshop"].append(st.Page("app_pages/workshop.py", title="Live survey", icon=":material/groups:",
                                     url_path="live"))
if can(role, "edit"):
    pages["Work with data"].append(st.Page("app_pages/data.py", title="Data", icon=":material/upload_file:"))
    pages["Work with data"].append(st.Page("app_pages/settings.py", title="Settings", icon=":material/tune:"))
pages["Work with data"].append(st.Page("app_pages/sql.py", title="SQL explorer", icon=":material/search:"))

navigation = st.navigation(pages, position="hidden" if presenting else "sidebar")
apply_settings()
FILTERED = {"Overview", "Spend & value", "Portfolio", "Bottlenecks", "Alignment survey", "Present findings"}
# The other pages ignore the filters, so they don't show them. (getattr: run bare, outside a
# Streamlit server, as a spawned process may re-run this script, the page has no title.)
if getattr(navigation, "title", None) in FILTERED:
    if not presenting:
        filter_sidebar()
    filter_problems()
if not presenting and rules.enabled:
    with st.sidebar:
        st.caption(f"Signed in as {user_email()} ({role}).")
        st.button("Sign out", on_click=st.logout, key="sign-out")
navigation.run()
