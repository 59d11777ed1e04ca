import pandas as pd
import streamlit as st

from alignment.demo import load_demo
from alignment.exports import template_workbook
from alignment.ingest import load_preview, make_preview
from alignment.reading import ReadError, open_source
from alignment.schema import DATASETS, MONEY
from alignment.store import StoreError
from alignment.validation import summarise_warnings
from app_pages.common import require, store_or_stop, user_email

IGNORE = "(don't load)"
UNITS = {None: "As the file says (e.g. '($000)' or 'Amounts in $K'; else as written)", 1: "As written (units)",
         1000: "Thousands", 1_000_000: "Millions"}
store = store_or_stop()
st.title("Data")
require("edit", "load or change data")
for key, show in (("last_result", st.success), ("last_error", st.error)):
    if key in st.session_state:  # set before a rerun, shown once after it
        show(st.session_state.pop(key))
load_tab, history_tab, templates_tab = st.tabs(["Load a file", "Upload history", "Templates & demo"])

with load_tab:
    dataset = st.selectbox("What does the file hold?", list(DATASETS), key="dataset",
                           format_func=lambda d: f"{DATASETS[d].title} — {DATASETS[d].description}")
    upload = st.file_uploader("Spreadsheet (xlsx, xls, ods) or CSV", key="upload",
                              type=["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt", "tsv"])
    if upload is not None:
        data = upload.getvalue()
        sheet = None
        try:
            sheets = open_source(data, upload.name).sheets
        except ReadError as exc:
            st.error(str(exc))
            st.stop()
        if len(sheets) > 1:
            sheet = st.selectbox("Sheet", sheets, key="sheet")
        unit = None
        if any(c.kind == MONEY for c in DATASETS[dataset].columns):
            unit = st.selectbox("Amounts in the file are in", list(UNITS), format_func=UNITS.get, key="unit")
        state_key = f"overrides-{upload.file_id}-{dataset}-{sheet}"
        overrides = st.session_state.setdefault(state_key, {})
        try:
            preview = make_preview(data, upload.name, dataset, sheet, overrides, store, unit=unit)
        except (ReadError, ValueError) as exc:
            st.error(str(exc))
            st.stop()

        st.subheader("1. Check the columns")
        note = " (remembered from your last upload of this layout)" if preview.remembered else ""
        st.caption(f"Header found on row {preview.raw.header_row} of sheet '{preview.raw.sheet}'{note}. "
                   "Change 'Loads into' where the guess is wrong.")
        fields = [c.name for c in DATASETS[dataset].columns]
        mapping_frame = pd.DataFrame({
            "Your column": preview.raw.headers,
            "Loads into": [preview.mapping.get(h, IGNORE) for h in preview.raw.headers],
            "First value": [str(preview.raw.frame[h].dropna().iloc[0]) if preview.raw.frame[h].notna().any()
                            else "" for h in preview.raw.headers],
        })
        edited = st.data_editor(
            mapping_frame, hide_index=True, width="stretch",
            key=f"editor-{state_key}-{hash(tuple(sorted(preview.mapping.items())))}",
            disabled=["Your column", "First value"],
            column_config={"Loads into": st.column_config.SelectboxColumn(options=[IGNORE, *fields],
                                                                         required=True)})
        chosen = {row["Your column"]: (None if row["Loads into"] == IGNORE else row["Loads into"])
                  for _, row in edited.iterrows()}
        changed = {h: c for h, c in chosen.items() if c != preview.mapping.get(h)}
        if changed:
            st.session_state[state_key] = {**overrides, **changed}
            st.rerun()

        st.subheader("2. Check the rows")
        checked = preview.validated
        if checked.amount_scales:
            scale = checked.amount_scale
            st.caption("Amounts are loaded as written." if scale == 1 else
                       f"Amounts are multiplied by {scale:,.0f} as they load." if scale else
                       "Amounts are multiplied by different units per column (see the notes below).")
        for warning in summarise_warnings(checked.warnings):
            st.warning(warning)
        if checked.errors:
            st.error(f"{checked.error_count} problem(s) found. Nothing will be loaded until they are fixed "
                     "in the file (or the column mapping is corrected).")
            st.dataframe(pd.DataFrame([p.as_dict() for p in checked.errors]), hide_index=True, width="stretch")
        elif checked.frame.empty:
            st.error(f"Sheet '{preview.raw.sheet}' has a header row but no data rows.")
        else:
            st.success(f"{len(checked.frame):,} row(s) ready to load; {checked.skipped} skipped.")
            st.dataframe(checked.frame.head(20), hide_index=True, width="stretch")

            st.subheader("3. Load")
            mode = st.radio("How", ["append", "replace"], horizontal=True, key="mode",
                            format_func={"append": "Add to what is loaded",
                                         "replace": f"Replace all current {dataset} (can be undone)"}.get)
            if st.button("Load", type="primary", key="load"):
                result = load_preview(store, preview, dataset, mode=mode, user=user_email() or "app")
                if result.status == "loaded":
                    st.session_state["last_result"] = (f"Loaded {result.rows_loaded:,} row(s) into {dataset} "
                                                       f"as upload {result.batch_id}.")
                    st.session_state.pop(state_key, None)
                    st.rerun()
                for error in result.errors:
                    st.error(error["message"])

with history_tab:
    uploads = store.uploads()
    if uploads.empty:
        st.info("Nothing loaded yet.")
    else:
        st.caption("Undo takes an upload out of the dashboards and brings back what it replaced. "
                   "Nothing is deleted: an undone upload can be restored.")
        st.dataframe(uploads, hide_index=True, width="stretch")
        left, right = st.columns(2)
        active = uploads.loc[uploads["status"] == "active", "id"].tolist()
        undone = uploads.loc[uploads["status"] == "undone", "id"].tolist()
        with left:
            target = st.selectbox("Upload to undo", active, key="undo_id",
                                  format_func=lambda i: f"{i}: {uploads.set_index('id').loc[i, 'file_name']}")
            if st.button("Undo", disabled=not active, key="undo"):
                try:
                    restored = store.undo(int(target))
                    st.session_state["last_result"] = (f"Undid upload {target}" + (
                        f"; restored {', '.join(map(str, restored))}." if restored else "."))
                except StoreError as exc:
                    st.session_state["last_error"] = str(exc)
                st.rerun()
        with right:
            again = st.selectbox("Undone upload to restore", undone, key="redo_id")
            if st.button("Restore", disabled=not undone, key="redo"):
                try:
                    store.redo(int(again))
                    st.session_state["last_result"] = f"Restored upload {again}."
                except StoreError as exc:
                    st.session_state["last_error"] = str(exc)
                st.rerun()

with templates_tab:
    st.subheader("Templates")
    st.caption("An Excel sheet per dataset with the expected headers, drop-downs for coded columns and a guide.")
    columns = st.columns(len(DATASETS))
    for column, (name, ds) in zip(columns, DATASETS.items(), strict=True):
        column.download_button(ds.title, data=lambda n=name: template_workbook(n), file_name=f"{name}-template.xlsx",
                               key=f"template-{name}", on_click="ignore", icon=":material/description:")
    st.subheader("Demo company")
    st.caption("Northwind Retail Group: a year of spend, 34 projects, 60 requests, two survey waves. "
               "Loading it replaces each dataset (undo brings yours back).")
    if st.button("Load the demo company", key="demo"):
        counts = load_demo(store)
        st.session_state["last_result"] = "Loaded the demo company: " + ", ".join(
            f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()) + "."
        st.rerun()
