import pandas as pd
import streamlit as st

from alignment import rules
from alignment.demo import load_demo
from alignment.exports import template_workbook
from alignment.ingest import load_preview, make_preview
from alignment.layouts import KEEP_CHOICES, SCENARIOS, LayoutOptions
from alignment.reading import ReadError, open_source
from alignment.schema import DATASETS, MONEY
from alignment.store import StoreError
from alignment.validation import summarise_warnings
from app_pages.common import money, pct, require, run, store_or_stop, user_email

IGNORE = "(don't load)"
UNITS = {None: "As the file says (e.g. '($000)' or 'Amounts in $K'; else as written)", 1: "As written (units)",
         1000: "Thousands", 1_000_000: "Millions"}
SCENARIO_WORDS = {None: "Said by the sheet (its name or title, e.g. 'Budget 2026'); a GL's lines are actual",
                  "budget": "Budget", "actual": "Actual", "forecast": "Forecast"}
KEEP_WORDS = {"latest": "Keep its latest row (by a snapshot or as-of date, else the last in the file)",
              "first": "Keep its first row", "all": "Keep every row"}
store = store_or_stop()
st.title("Data")
require("edit", "load or change data")
for key, show in (("last_result", st.success), ("last_error", st.error)):
    if key in st.session_state:  # set before a rerun, shown once after it
        show(st.session_state.pop(key))
load_tab, history_tab, rules_tab, templates_tab = st.tabs(["Load a file", "Upload history", "Mapping rules",
                                                           "Templates & demo"])

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
        layout = LayoutOptions()
        if dataset == "spend":
            left, right = st.columns(2)
            scenario = left.selectbox("These amounts are", [None, *SCENARIOS], format_func=SCENARIO_WORDS.get,
                                      key="scenario", help="For a sheet with a column per month or quarter, or "
                                      "a GL's debit and credit, when the file does not say it.")
            year = right.number_input("Year of the month columns", min_value=1990, max_value=2100, value=None,
                                      step=1, key="year", help="The fiscal year, when the month or quarter "
                                      "columns say only Jan, Feb… or Q1, Q2… and the title does not say it either.")
            layout = LayoutOptions(scenario, None if year is None else int(year))
        elif dataset == "projects":
            keep = st.radio("When a project appears more than once", KEEP_CHOICES, format_func=KEEP_WORDS.get,
                            key="keep")
            layout = LayoutOptions(keep=keep)
        state_key = f"overrides-{upload.file_id}-{dataset}-{sheet}"
        overrides = st.session_state.setdefault(state_key, {})
        try:
            preview = make_preview(data, upload.name, dataset, sheet, overrides, store, unit=unit,
                                   layout=layout)
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

with rules_tab:
    st.caption("GL lines rarely say which business goal they serve: IT finance's mapping rules tie them to it "
               "(where a cost centre, account or vendor has a value, set the goal, tower…; a weight splits a "
               "line). The dashboards apply the rules in force to all history; a value in the line itself wins.")
    coverage = run("mapping_coverage")
    if not coverage.empty and pd.notna(coverage["actual"].iloc[0]):  # blank: no actual spend yet
        total = coverage.iloc[0]
        st.metric("Actual spend mapped to a business goal", pct(total["mapped_share"]),
                  help=f"{money(total['unmapped'])} of {money(total['actual'])} serves no goal "
                       f"({int(total['lines']):,} line(s)); it reads as Unmapped on the dashboards.")
        largest = coverage.iloc[1:]
        for column, dimension in zip(st.columns(3), ("Cost centre", "Account", "Vendor"), strict=True):
            rows = largest.loc[largest["dimension"] == dimension, ["value", "unmapped", "share_of_unmapped"]]
            column.markdown(f"**Largest unmapped by {dimension.lower()}**")
            if rows.empty:
                column.caption("None.")
            else:
                column.dataframe(rows.rename(columns={"value": dimension, "unmapped": "Unmapped",
                                                      "share_of_unmapped": "Share"}),
                                 hide_index=True, width="stretch")
    st.subheader("Rules in force")
    in_force = rules.active_rules(store.cursor())
    st.caption(f"{len(in_force):,} rule(s) in force. Add, correct or delete rules in the table; saving replaces "
               "the rules in force with it as a new upload, so undo in the upload history brings the earlier back.")
    if st.toggle("Show and edit the rules", key="edit_rules"):
        version = store.data_version(("mapping_rules",))
        edited_rules = st.data_editor(
            in_force, num_rows="dynamic", hide_index=True, width="stretch",
            key=f"rules-{version}",
            column_config={
                "match_column": st.column_config.SelectboxColumn("Where this column",
                                                                 options=list(rules.MATCH_COLUMNS)),
                "match_value": st.column_config.TextColumn("has this value", help="Any case; * at either end is a "
                                                           "wildcard: CC-1*, *cloud*"),
                "sets_column": st.column_config.SelectboxColumn("set this column", options=list(rules.SETS_COLUMNS)),
                "sets_value": st.column_config.TextColumn("to this value"),
                "weight": st.column_config.NumberColumn("for this share", min_value=0.0, max_value=1.0, step=0.01,
                                                        format="percent", help="Blank is 100%; the shares of one "
                                                        "match and column add up to 100%"),
            })
        if st.button("Save the rules", key="save_rules"):
            checked = rules.check_table(edited_rules)
            if checked.errors:
                st.error(f"{checked.error_count} problem(s) in the rules table; nothing was saved.")
                for problem in checked.errors:
                    st.error(problem.message)
            else:
                batch = store.add_batch("mapping_rules", checked.frame, mode="replace", file_name=rules.EDITOR_SHEET,
                                        user=user_email() or "app", source_rows=checked.source_rows)
                st.session_state["last_result"] = (f"Saved {len(checked.frame):,} rule(s) as upload {batch}; the "
                                                   "dashboards use them now. Undo it in the upload history.")
                st.rerun()

with templates_tab:
    st.subheader("Templates")
    st.caption("An Excel sheet per dataset with the expected headers, drop-downs for coded columns and a guide.")
    columns = st.columns(len(DATASETS))
    for column, (name, ds) in zip(columns, DATASETS.items(), strict=True):
        column.download_button(ds.title, data=lambda n=name: template_workbook(n), file_name=f"{name}-template.xlsx",
                               key=f"template-{name}", on_click="ignore", icon=":material/description:")
    st.subheader("Demo company")
    st.caption("Northwind Retail Group: a year of GL spend with its mapping rules, 34 projects, 60 requests, "
               "two survey waves. "
               "Loading it replaces each dataset (undo brings yours back).")
    if st.button("Load the demo company", key="demo"):
        counts = load_demo(store)
        st.session_state["last_result"] = "Loaded the demo company: " + ", ".join(
            f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()) + "."
        st.rerun()
