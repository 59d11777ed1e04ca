"""Streamlit entry point: navigation, the shared filters (kept in the URL), the database."""

import streamlit as st

from app_pages.common import filter_sidebar, store_or_stop

st.set_page_config(page_title="IT–Business Alignment", page_icon="📊", layout="wide")

presenting = st.query_params.get("present") == "1"
pages = {
    "Dashboards": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/home:", default=True),
        st.Page("app_pages/spend.py", title="Spend & value", icon=":material/payments:"),
        st.Page("app_pages/portfolio.py", title="Portfolio", icon=":material/folder_open:"),
        st.Page("app_pages/bottlenecks.py", title="Bottlenecks", icon=":material/hourglass_top:"),
        st.Page("app_pages/alignment.py", title="Alignment survey", icon=":material/handshake:"),
    ],
    "Work with data": [
        st.Page("app_pages/data.py", title="Data", icon=":material/upload_file:"),
        st.Page("app_pages/sql.py", title="SQL explorer", icon=":material/search:"),
    ],
}
navigation = st.navigation(pages, position="hidden" if presenting else "sidebar")
store_or_stop()
if not presenting:
    filter_sidebar()
navigation.run()
