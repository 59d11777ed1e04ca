"""One finding per screen for the room: a sentence, its context, its chart; arrow keys step through."""

import streamlit as st

from alignment import charts, findings
from app_pages.common import empty_notice, run

# Large type for the back of the room; only this page's text is enlarged.
st.html("""<style>
  [data-testid="stMainBlockContainer"] h1 { font-size: 3rem; line-height: 1.2; }
  [data-testid="stMainBlockContainer"] p { font-size: 1.6rem; }
</style>""")

slides = findings.build(run, st.query_params.get("wave"))
if not slides:
    empty_notice("data to present")
    st.stop()

try:
    index = min(max(int(st.query_params.get("slide", 1)), 1), len(slides))
except ValueError:
    index = 1


def go(to: int) -> None:
    st.query_params["slide"] = str(to)


finding = slides[index - 1]
st.caption(f"{finding.title} · {index} of {len(slides)}")
st.title(finding.headline, anchor=False)
st.write(finding.detail)
if finding.chart is not None:
    dark = st.context.theme.type == "dark"
    st.altair_chart(charts.localised(charts.for_the_room(finding.chart, dark=dark)), width="stretch", theme=None)

back, _, forward = st.columns([1, 4, 1])
back.button("Previous", on_click=go, args=(index - 1,), disabled=index == 1, icon=":material/arrow_back:",
            shortcut="ArrowLeft", key="previous", width="stretch")
forward.button("Next", on_click=go, args=(index + 1,), disabled=index == len(slides),
               icon=":material/arrow_forward:", shortcut="ArrowRight", key="next", width="stretch")
if st.query_params.get("present") != "1":
    st.caption("For the room's screen, open this page with ?present=1 in the address: the navigation is hidden.")
