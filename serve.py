"""The server: `streamlit run serve.py` (make run) serves app.py, warmed at start.

While the first browser loads Streamlit's scripts, the server would sit idle and then make that
visit wait for the imports, the store and the Overview's analyses; a thread does them at start
instead (app_pages.common.warm), and the server answers from its first moment meanwhile.
"""

import threading
from contextlib import asynccontextmanager

import streamlit as st
from streamlit.logger import get_logger

log = get_logger(__name__)
get_logger("app_pages.common")  # warming's lines in the server's log, as Streamlit writes its own


def _warm() -> None:
    try:
        from app_pages.common import warm  # here, not above: these imports are most of the warming

        warm()
    except Exception:  # never the server's start: the first visit does what warming did not
        log.exception("Warming the server failed")


@asynccontextmanager
async def _lifespan(_app: st.App):
    threading.Thread(target=_warm, name="warm", daemon=True).start()
    yield


app = st.App("app.py", lifespan=_lifespan)
