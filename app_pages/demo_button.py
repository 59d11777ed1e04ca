"""The 'Load the demo company' button, shared by the welcome screen and the Data page: it never
replaces anyone's data silently, but says what it would replace and asks first."""

from __future__ import annotations

import streamlit as st

from alignment.demo import load_demo
from alignment.formatting import lower_first
from alignment.schema import DATASETS
from alignment.store import Store


def would_replace(store: Store) -> list[str]:
    """The datasets with data in use that loading the demo would replace (undo brings them back)."""
    uploads = store.uploads()
    in_use = set(uploads.loc[uploads["status"] == "active", "dataset"])
    return [lower_first(DATASETS[name].title) for name in DATASETS if name in in_use]  # the demo loads them all


def _load(store: Store, then: str | None) -> None:
    """Load it, then open ``then`` or rerun this page with what was loaded said once."""
    counts = load_demo(store)
    st.session_state.pop("confirm_demo", None)
    if then:
        st.switch_page(then)
    st.session_state["last_result"] = "Loaded the demo company: " + ", ".join(
        f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()) + "."
    st.rerun()


def demo_button(store: Store, *, then: str | None = None, **button: object) -> None:
    """Load the demo at once into an empty database; otherwise name what it replaces and ask.
    ``then``: the page to open after loading (else this page reruns)."""
    if st.session_state.get("confirm_demo"):
        replaced = would_replace(store)
        st.warning(f"Loading the demo company replaces your {', '.join(replaced)}. Nothing is deleted: undo in "
                   "the upload history brings yours back." if replaced else "Nothing would be replaced.")
        left, right, _ = st.columns([2, 1, 3])
        if left.button("Replace with the demo company", type="primary", key="demo-confirm"):
            _load(store, then)
        if right.button("Cancel", key="demo-cancel"):
            st.session_state.pop("confirm_demo", None)
            st.rerun()
        return
    if st.button("Load the demo company", key="demo", **button):
        if would_replace(store):
            st.session_state["confirm_demo"] = True
            st.rerun()
        _load(store, then)
