"""Organisation settings: the conventions every figure follows, changed by editors only."""

import streamlit as st

from alignment.settings import SETTINGS, SettingError
from app_pages.common import require, store_or_stop, user_email

require("edit", "change the organisation's settings")
store = store_or_stop()
st.title("Settings")
st.caption("The conventions this organisation chose. Every dashboard, the presentation and the command line "
           "follow them; each change is kept with who made it and when.")
current = store.settings()

# The fields are keyed by a generation that a save moves on: the browser keeps what was typed in a
# field whose key it knows, so after a save (or putting back the defaults) new fields show what is
# now in force.
generation = st.session_state.get("settings-generation", 0)
with st.form("settings"):
    values = {}
    for s in SETTINGS:
        key = f"setting-{s.name}-{generation}"
        default = s.shown(s.default) if s.default not in (None, "") else "blank"
        help_text = s.help if "Default" in s.help else f"{s.help} Default: {default}."  # said once
        if s.names:  # a value people know by its name (the fiscal year's first month): the name shown, the value kept
            named = [value for value, _ in s.names]
            values[s.name] = st.selectbox(s.label, named, index=named.index(current[s.name]), key=key,
                                          format_func=s.shown, help=help_text)
        elif s.choices:
            values[s.name] = st.selectbox(s.label, s.choices, index=s.choices.index(current[s.name]), key=key,
                                          help=help_text)
        elif s.type == "INTEGER":
            values[s.name] = st.number_input(s.label, value=int(current[s.name]), step=int(s.step), key=key,
                                             help=help_text,
                                             min_value=int(s.minimum) if s.minimum is not None else None,
                                             max_value=int(s.maximum) if s.maximum is not None else None)
        elif s.type == "DOUBLE":
            values[s.name] = st.number_input(s.label, value=float(current[s.name]), step=float(s.step), key=key,
                                             help=help_text, format="%.1f",
                                             min_value=float(s.minimum) if s.minimum is not None else None,
                                             max_value=float(s.maximum) if s.maximum is not None else None)
        elif s.type == "DATE":  # as text: a date field cannot be emptied, and blank has a meaning (today)
            values[s.name] = st.text_input(s.label, value=s.shown(current[s.name]) if current[s.name] else "",
                                           key=key, help=help_text,
                                           placeholder="YYYY-MM, or blank" if s.month else "YYYY-MM-DD, or blank")
        else:
            values[s.name] = st.text_input(s.label, value=current[s.name], key=key, help=help_text)
    left, right = st.columns([1, 3])
    saved = left.form_submit_button("Save settings", type="primary")
    reset = right.form_submit_button("Put back every default",
                                     help="Each setting goes back to its default (shown in its help); the "
                                          "change is kept in the history like any other.")

if saved or reset:
    try:
        store.save_settings(dict.fromkeys(values) if reset else values, user_email() or "")
    except SettingError as exc:
        st.error(str(exc))
    else:
        st.session_state["settings-generation"] = generation + 1
        st.session_state["settings-saved"] = "Defaults put back" if reset else "Saved"
        st.session_state["settings-notes"] = store.setting_notes()
        st.rerun()
if said := st.session_state.pop("settings-saved", None):
    st.success(f"{said}. Every dashboard now follows these settings.")
for note in st.session_state.pop("settings-notes", []):  # saved, but maybe not what was meant
    st.warning(note)
