"""One finding per screen for the room: a sentence, its context, its chart; arrow keys step through.

Each slide fits the screen it is shown on, 1920×1080 or a laptop's 1440×900: the headline, its
context and the chart sit in a box as tall as the window below the buttons, and the chart takes
what the text leaves (the server cannot know the window's height; the browser sizes the box). The
chart's text takes its colours from the browser's theme (charts.for_the_room), so a dark room
screen is right on the first render, not only after the first key press."""

import streamlit as st

from alignment import charts, findings
from app_pages.common import board_pack_download, current_scope, empty_notice, filters, months_chosen, run

# Large type for the back of the room; only this page's text is enlarged. The buttons keep their
# arrow icon; the shortcut's own key hint would be a second arrow, so it is hidden (the keys still work).
st.html("""<style>
  [data-testid="stMainBlockContainer"] { padding-top: 2rem; padding-bottom: 1rem; max-width: 100%; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 3rem; line-height: 1.2; padding-top: 0.25rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p { font-size: 1.6rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p { font-size: 1.3rem; }
  .st-key-previous button, .st-key-next button { min-height: 3.5rem; }
  .st-key-previous button p, .st-key-next button p { font-size: 1.5rem; white-space: nowrap; }
  .st-key-previous kbd, .st-key-next kbd { display: none; }
  [data-testid="stLayoutWrapper"]:has(> .st-key-slide) { height: calc(100dvh - 7.5rem) !important;
                                                         flex: 0 0 auto !important; }
  .st-key-slide [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) { min-height: 16rem; }
  /* The label, then the two buttons a sixth of the line each, as columns 4:1:1 had them. */
  .st-key-deck-nav > .st-key-previous, .st-key-deck-nav > .st-key-next { flex: 0 0 calc((100% - 2rem) / 6) !important; }
  .st-key-deck-nav > [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) {
      flex: 1 1 0 !important; }
  /* A phone (390x844): the header bar (with the sidebar's button, when there is one) covered the slide's
     label, and the stacked buttons and the room's type pushed the chart below the fold. The label
     gets its own line under the header bar, the buttons share the next one, the type is a phone's. */
  @media (max-width: 640px) {
    [data-testid="stMainBlockContainer"] { padding-top: 4rem; }
    [data-testid="stMainBlockContainer"] h1 { font-size: 1.6rem; padding-top: 0; }
    [data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p { font-size: 1.05rem; }
    [data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p { font-size: 1rem; }
    .st-key-deck-nav > [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) {
        flex: 1 0 100% !important; }
    .st-key-deck-nav > .st-key-previous, .st-key-deck-nav > .st-key-next { flex: 1 1 0 !important; }
    .st-key-previous button, .st-key-next button { min-height: 2.75rem; }
    .st-key-previous button p, .st-key-next button p { font-size: 1.1rem; }
    [data-testid="stLayoutWrapper"]:has(> .st-key-slide) { height: calc(100dvh - 12.5rem) !important; }
    .st-key-slide [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) { min-height: 14rem; }
  }
</style>""")

slides = findings.build(run, st.query_params.get("wave"), filters()["business_unit"])
if not slides:
    empty_notice("data to present")
    st.stop()

try:
    index = min(max(int(st.query_params.get("slide", 1)), 1), len(slides))
except ValueError:
    index = 1


def go(to: int) -> None:
    st.query_params["slide"] = str(to)


def slide_scope(key: str, unit: str | None) -> str | None:
    """What this slide's figure covers under the filters, in words (None: all of it). The months
    apply only to the spend-by-goal slide: the budget slide's figure is its fiscal year's (the months
    only pick the year), so its header names that year, never months its headline does not speak of;
    the portfolio, flow and survey slides take the unit alone (as of a date, or a survey wave)."""
    if key == "unmapped":
        return current_scope()
    parts = []
    if key == "budget" and months_chosen():
        p = run("year_end_projection")  # the budget finding's own call, so its year
        if not p.empty:
            year = p.iloc[0]
            parts.append(f"FY{int(year.fiscal_year)} ({year.fiscal_year_from} to {year.fiscal_year_to})")
    if unit:
        parts.append(unit)
    return " · ".join(parts) or None


finding = slides[index - 1]
# The room sees no sidebar: a filtered deck says which part of the data each slide shows.
scope = slide_scope(finding.key, filters()["business_unit"])
# The buttons sit on the first line, beside where the deck is: on a laptop's screen a long headline
# and its chart pushed them below the fold (the arrow keys work anywhere). On a phone the label takes
# the first line and the buttons share the second.
with st.container(key="deck-nav", horizontal=True, vertical_alignment="center", gap="medium"):
    st.caption(f"{finding.title} · {index} of {len(slides)}" + (f" · showing {scope}" if scope else ""))
    st.button("Previous", on_click=go, args=(index - 1,), disabled=index == 1, icon=":material/arrow_back:",
              shortcut="ArrowLeft", key="previous", width="stretch")
    st.button("Next", on_click=go, args=(index + 1,), disabled=index == len(slides),
              icon=":material/arrow_forward:", icon_position="right", shortcut="ArrowRight", key="next",
              width="stretch")  # no tooltip: after a click it lay over the headline
# The height given here is only the box's before the page's style sizes it to the window; a slide
# whose text leaves the chart less than 16rem scrolls inside the box, with its axis still drawn.
with st.container(key="slide", height=640, border=False):
    st.title(finding.headline, anchor=False)
    st.write(finding.detail)
    if finding.chart is not None:
        st.altair_chart(charts.localised(charts.for_the_room(finding.chart)), width="stretch", height="stretch")

if st.query_params.get("present") != "1":
    st.caption("For the room's screen, open this page with ?present=1 in the address: the navigation is hidden. "
               "The ← and → keys step through.")
board_pack_download(st.query_params.get("wave"))
