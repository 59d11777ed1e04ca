"""The first screen of an empty app: two ways in, the demo company or your own first file."""

import streamlit as st

from app_pages.common import store_or_stop
from app_pages.demo_button import demo_button

store = store_or_stop()
st.title("IT–Business Alignment")
st.write("Nothing is loaded yet. Explore with a demo company first, or start with your own spreadsheet: "
         "a GL extract, a budget, a project register or survey answers.")
left, right, _ = st.columns([1, 1, 2])
with left:
    demo_button(store, then="app_pages/overview.py", type="primary", icon=":material/storefront:",
                width="stretch")
if right.button("Load your first file", key="first-file", icon=":material/upload_file:", width="stretch"):
    st.switch_page("app_pages/data.py")
st.caption("The demo is Northwind Retail Group: a year of GL spend, 34 projects, 60 requests and two survey waves. "
           "Undo in the Data page's upload history takes it out again.")
