"""The Data page: load a file in three steps (match the columns, check the rows, load), the upload
history with undo and restore, the mapping rules, the templates and the demo company."""

import re
from collections.abc import Callable

import pandas as pd
import streamlit as st

from alignment import rules
from alignment.exports import template_workbook
from alignment.formatting import how_many, lower_first, naming
from alignment.ingest import load_preview, make_preview
from alignment.labels import field_label
from alignment.layouts import KEEP_CHOICES, SCENARIOS, LayoutOptions
from alignment.mapping import better_dataset
from alignment.reading import ReadError, open_source
from alignment.schema import DATASETS, DATE, MONEY, MONTH, NUMBER, PERCENT, Column, Dataset
from alignment.store import DuplicateUpload, StoreError
from alignment.tables import money_header
from alignment.validation import summarise_warnings
from app_pages.common import money, month_close_notice, pct, require, run, store_or_stop, user_email
from app_pages.demo_button import demo_button

NOT_IN_FILE = "(not in the file)"
# "As the file says" is an option of its own, not None: a selectbox whose value is None shows its
# placeholder ("Choose an option") after a rerun instead of the option's words.
SAID = "said"
UNITS = {SAID: "As the file says (e.g. '($000)' or 'Amounts in $K'; else as written)", 1: "As written (units)",
         1000: "Thousands", 1_000_000: "Millions"}
# Short enough to read whole in the half-width box at 1440 px; what 'as the sheet says' means is in the help.
SCENARIO_WORDS = {SAID: "As the sheet's name or title says"} | {s: s.capitalize() for s in SCENARIOS}
KEEP_WORDS = {"latest": "Keep its latest row (by a snapshot or as-of date, else the last in the file)",
              "first": "Keep its first row", "all": "Keep every row"}
STAGES = {"read": "Reading the file", "check": "Checking the rows", "store": "Storing the rows"}
LOOKS_LIKE = {"spend": "IT spend lines", "projects": "a project register", "stage_history": "a stage history",
              "survey": "survey answers", "business_metrics": "business metrics", "mapping_rules": "mapping rules"}
STATUS_WORDS = {"active": "In use", "undone": "Undone", "superseded": "Replaced"}
TABS = ("Load a file", "Upload history", "Mapping rules", "Templates & demo")
PROBLEMS_UNSCROLLED = 8  # more problems than this scroll in a box of their own
FIRST_WITH_HEADER = "The first sheet with a header row"
PROBLEM_COLUMNS = {"sheet": "Sheet", "row": "Row", "column": "Column", "value": "Value", "message": "Problem"}
MIDNIGHT = re.compile(r"\d{4}-\d{2}-\d{2}[ T]00:00(:00(\.0+)?)?")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~:=^&@])")


def column_groups(spec: Dataset) -> list[tuple[str, list[Column]]]:
    """The dataset's columns for the mapping step, required ones first, then 'one of' groups, the
    other columns it keeps, and last the columns only some layouts use (GL debit/credit, long)."""
    grouped = {c for group in spec.one_of for c in group}
    kept = [c for c in spec.columns if c.stored]
    return [("Required", [c for c in spec.columns if c.required]),
            ("At least one of", [c for c in spec.columns if c.name in grouped and not c.required]),
            ("Optional", [c for c in kept if not c.required and c.name not in grouped]),
            ("Other layouts (a GL's debit and credit, one amount column with a scenario)",
             [c for c in spec.columns if not c.stored and c.name not in grouped])]


def column_config(spec: Dataset, frame: pd.DataFrame) -> dict:
    """Business headers and formats for a frame of the dataset's columns: money with the currency
    and thousands separators, shares as %, months and dates without a time."""
    config = {}
    for name in frame.columns:
        kind = spec.column(name).kind if name in {c.name for c in spec.columns} else None
        label = field_label(name)
        if kind == MONEY:
            # the currency in the header, signed numbers in the cells (-1,234.50, not $-1,234.50)
            config[name] = st.column_config.NumberColumn(money_header(label, scaled=False), format="%,.2f")
        elif kind == NUMBER:
            config[name] = st.column_config.NumberColumn(label, format="localized")
        elif kind == PERCENT:
            config[name] = st.column_config.NumberColumn(label, format="percent")
        elif kind == MONTH:
            config[name] = st.column_config.DateColumn(label, format="MMM YYYY")
        elif kind == DATE:
            config[name] = st.column_config.DateColumn(label, format="D MMM YYYY")
        else:
            config[name] = st.column_config.Column(label)
    return config


def progress_bar():
    """A bar that says which stage a long load is at (reading, checking, storing); call .empty() after."""
    bar = st.empty()

    def tell(stage: str, fraction: float) -> None:
        bar.progress(fraction, text=f"{STAGES.get(stage, stage)}… {fraction:.0%}")
    return bar, tell


def remap(state_key: str, column: str, previous: str | None) -> None:
    """A column's dropdown changed: the chosen header now loads into it (and into nothing else)."""
    chosen = st.session_state[f"map-{column}"]
    overrides = {h: c for h, c in st.session_state.get(state_key, {}).items() if c != column}
    if chosen == NOT_IN_FILE:
        if previous is not None:
            overrides[previous] = None
    else:
        overrides[chosen] = column
    st.session_state[state_key] = overrides


def switch_dataset(name: str) -> None:
    st.session_state["dataset"] = name


def example(value: str) -> str:
    """A first value as a person recognises it: '1000.0' reads 1000, and a date read from a spreadsheet
    cell ('2026-11-30 00:00:00') reads as the date it is, 2026-11-30."""
    if MIDNIGHT.fullmatch(value):
        return value[:10]
    return value[:-2] if value.endswith(".0") and value[:-2].lstrip("-").isdigit() else value


def literal(text: str) -> str:
    """Text that st.markdown shows as written: a value in a problem ('$1,200', '*', ':red[x]') is
    neither Markdown, LaTeX nor an emoji or colour directive."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def show_problems(errors: list) -> None:
    """Each problem as the whole sentence, wrapped: it names the sheet, row and column and says what
    to fix. In a table the sentence was cut at the column's width ('is not an ar…'), so the fix could
    not be read at 1440 px; the list keeps the sheet's order, and a long one scrolls in a box of its
    own. The table is still there, closed, for sorting by column or downloading."""
    box = st.container(height=360) if len(errors) > PROBLEMS_UNSCROLLED else st.container()
    box.markdown("\n".join(f"- {literal(p.message)}" for p in errors))
    with st.expander("As a table (sort, or download for the file's owner)"):
        problems = pd.DataFrame([p.as_dict() for p in errors], columns=list(PROBLEM_COLUMNS))
        st.dataframe(problems, hide_index=True, width="stretch", placeholder="",
                     column_config={k: st.column_config.Column(v) for k, v in PROBLEM_COLUMNS.items()}
                     | {"row": st.column_config.NumberColumn("Row", format="%d", width="small")})


HISTORY_CONFIG = {
    "Upload": st.column_config.NumberColumn("Upload", format="%d"),
    "When": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm"),
    "Rows": st.column_config.NumberColumn("Rows", format="%,d"),
}


def file_names(files: pd.Series) -> pd.Series:
    """Uploaded files as people know them: the demo company's as one name, not 'demo:projects'."""
    files = files.fillna("")
    return files.where(~files.str.startswith("demo:"), "Demo company")


def upload_history(uploads: pd.DataFrame) -> pd.DataFrame:
    """The uploads table in business words: who loaded which file into what, when, how many rows,
    and whether it is in use, undone or replaced (and by which upload)."""
    status = [STATUS_WORDS.get(s, s) + (f" by upload {int(by)}" if s == "superseded" and pd.notna(by) else "")
              for s, by in zip(uploads["status"], uploads["superseded_by"], strict=True)]
    who = uploads["uploaded_by"].fillna("").map(lambda u: {"": "—", "app": "— (no sign-in)",
                                                             "demo": "Demo company"}.get(u, u))
    return pd.DataFrame({
        "Upload": uploads["id"],
        "When": uploads["uploaded_at"],
        "Who": who,
        "What": uploads["dataset"].map(lambda d: DATASETS[d].title if d in DATASETS else d),
        "File": file_names(uploads["file_name"]),
        "Sheet": uploads["sheet"].fillna(""),
        "Rows": uploads["row_count"],
        "How": uploads["mode"].map({"append": "Added", "replace": "Replaced the dataset"}).fillna(""),
        "Status": status,
    })


def _act_on_choice(key: str, act: Callable[[int], list[int]]) -> tuple[int, list[int]] | None:
    """The upload a picker chose, and what acting on it gave. The picker is emptied, so it never moves on
    to another upload; None when nothing was chosen or the store refused (its sentence is kept to show)."""
    chosen = st.session_state.get(key)
    st.session_state[key] = None
    if chosen is None:
        return None
    try:
        return chosen, act(int(chosen))
    except StoreError as exc:
        st.session_state["last_error"] = str(exc)
        return None


def undo(called: dict[int, str]) -> None:
    """Undo the chosen upload and say what it did and how to take it back. No dialog asks first: nothing
    is deleted and Restore reverses it, so the sentence after it serves better than a question before
    it; choosing the upload (no picker chooses one) and pressing Undo is the deliberate step."""
    if (done := _act_on_choice("undo_id", store.undo)) is None:
        return
    chosen, restored = done
    back = (f", and {naming('upload', restored, shown=None)}, which it replaced, "
            f"{'is' if len(restored) == 1 else 'are'} in use again" if restored else "")
    st.session_state["last_result"] = (f"Undid {called[chosen]}: its rows are out of the dashboards{back}. Nothing "
                                       "was deleted: to bring it back, choose it under 'Undone upload to restore' "
                                       "and press Restore.")


def restore(called: dict[int, str]) -> None:
    """Restore the chosen undone upload and say so; the picker stays empty, as after an undo."""
    if (done := _act_on_choice("redo_id", store.redo)) is None:
        return
    chosen, replaced = done
    instead = f", in place of {naming('upload', replaced, shown=None)} again" if replaced else ""
    st.session_state["last_result"] = f"Restored {called[chosen]}: its rows are back in the dashboards{instead}."


def wizard(upload, dataset: str, spec: Dataset) -> None:
    """The three steps for one uploaded file; returns early where a step cannot go on."""
    data = upload.getvalue()
    sheet = None
    try:
        sheets = open_source(data, upload.name).sheets
    except ReadError as exc:
        st.error(str(exc))
        return
    if len(sheets) > 1:  # unchosen, the first sheet with a header row is read (a ReadMe first is passed over)
        picked = st.selectbox("Sheet", [FIRST_WITH_HEADER, *sheets], key="sheet",
                              help="Which sheet of the workbook to load. Left as it is, the first sheet with a "
                                   "header row is read, and the page says which.")
        sheet = None if picked == FIRST_WITH_HEADER else picked
    this_load = (upload.file_id, dataset, sheet)
    if st.session_state.get("loaded") == this_load:
        # The wizard starts again: this file is in; a new file, sheet or dataset opens the steps.
        st.info(f"'{upload.name}' is loaded. Choose another file (or another sheet or dataset) to load more.")
        st.button("Load", type="primary", key="load", disabled=True)
        return
    unit = None
    if any(c.kind == MONEY for c in spec.columns):
        chosen_unit = st.selectbox("Amounts in the file are in", list(UNITS), format_func=UNITS.get, key="unit")
        unit = None if chosen_unit == SAID else chosen_unit
    layout = LayoutOptions()
    if dataset == "spend":
        left, right = st.columns(2)
        scenario = left.selectbox("These amounts are", list(SCENARIO_WORDS), format_func=SCENARIO_WORDS.get,
                                  key="scenario", help="For a sheet with a column per month or quarter, or "
                                  "a GL's debit and credit, when the file does not say it. As the sheet says: "
                                  "its name or title decides (e.g. 'Budget 2026'), and a GL's lines are actual.")
        year = right.number_input("Year of the month columns", min_value=1990, max_value=2100, value=None,
                                  step=1, key="year", help="The fiscal year, when the month or quarter "
                                  "columns say only Jan, Feb… or Q1, Q2… and the title does not say it either.")
        layout = LayoutOptions(None if scenario == SAID else scenario, None if year is None else int(year))
    elif dataset == "projects":
        keep = st.radio("When a project appears more than once", KEEP_CHOICES, format_func=KEEP_WORDS.get,
                        key="keep")
        layout = LayoutOptions(keep=keep)
    state_key = f"overrides-{upload.file_id}-{dataset}-{sheet}"
    overrides = st.session_state.setdefault(state_key, {})
    # The checked file is kept for this session while nothing it depends on changes: choosing Replace
    # or pressing Load reran the whole read and check (8-28 s on a million rows) before this.
    key = (upload.file_id, dataset, sheet, tuple(sorted(overrides.items())), unit, layout,
           store.data_version((dataset,)))
    kept = st.session_state.get("preview")
    if kept and kept[0] == key:
        preview = kept[1]
    else:
        st.session_state.pop("preview", None)  # the last file's rows go before this one is read
        bar, tell = progress_bar()
        try:
            preview = make_preview(data, upload.name, dataset, sheet, overrides, store, unit=unit,
                                   layout=layout, progress=tell)
        except (ReadError, ValueError) as exc:
            bar.empty()
            st.error(str(exc))
            return
        bar.empty()
        st.session_state["preview"] = (key, preview)

    other = better_dataset(preview.raw.headers, dataset)
    if other:
        st.warning(f"This looks like {LOOKS_LIKE[other]}, not {LOOKS_LIKE[dataset]}: load it as "
                   f"{lower_first(DATASETS[other].title)}?")
        st.button(f"Load it as {lower_first(DATASETS[other].title)}", key="switch-dataset",
                  on_click=switch_dataset, args=(other,), icon=":material/swap_horiz:")

    st.subheader("1. Match the columns")
    note = " (remembered from your last upload of this layout)" if preview.remembered else ""
    st.caption(f"Header found on row {preview.raw.header_row} of sheet '{preview.raw.sheet}'{note}. "
               "For each column below, pick the file's column that holds it where the guess is wrong.")
    examples = {h: example(v) for h, v in preview.raw.first_values().items()}
    header_of = {c: h for h, c in preview.mapping.items()}
    options = [NOT_IN_FILE, *preview.raw.headers]

    def shown(header: str) -> str:
        return "— not in the file —" if header == NOT_IN_FILE else (
            f"{header} · e.g. {examples[header]}" if examples.get(header) else header)

    for title, columns in column_groups(spec):
        if not columns:
            continue
        st.markdown(f"**{title}**")
        for start in range(0, len(columns), 3):
            for cell, column in zip(st.columns(3), columns[start:start + 3], strict=False):
                key = f"map-{column.name}"
                st.session_state[key] = header_of.get(column.name, NOT_IN_FILE)  # the file's current guess
                cell.selectbox(field_label(column.name), options, key=key, format_func=shown,
                               on_change=remap, args=(state_key, column.name, header_of.get(column.name)))
                cell.caption(column.help)
    unused = [h for h in preview.raw.headers if h not in preview.mapping]
    if unused:
        st.caption(f"Not loaded from the file: {', '.join(unused)}.")

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
        one = checked.error_count == 1
        st.error(f"{how_many(checked.error_count, 'problem')} found. Nothing will be loaded until "
                 f"{'it is' if one else 'they are'} fixed in the file (or the column mapping is corrected).")
        show_problems(checked.errors)
    elif checked.frame.empty:
        st.error(f"Sheet '{preview.raw.sheet}' has a header row but no data rows.")
    else:
        st.success(f"{how_many(len(checked.frame), 'row')} ready to load; {checked.skipped} skipped.")
        try:  # said before Load, not only after it: adding the same file again is refused
            store.raise_if_duplicate(dataset, preview.sha256, preview.raw.sheet)
        except DuplicateUpload as exc:
            st.warning(f"{exc} Adding it is refused; Replace loads it in place of what is loaded.")
        first = checked.frame.head(20)
        st.dataframe(first, hide_index=True, width="stretch", column_config=column_config(spec, first),
                     placeholder="")

        st.subheader("3. Load")
        mode = st.radio("How", ["append", "replace"], horizontal=True, key="mode",
                        format_func={"append": "Add to what is loaded",
                                     "replace": f"Replace all current {lower_first(spec.title)} "
                                                "(can be undone)"}.get)
        if st.button("Load", type="primary", key="load"):
            st.session_state.pop("preview", None)  # loaded or refused, the next run checks the file afresh
            bar, tell = progress_bar()
            result = load_preview(store, preview, dataset, mode=mode, user=user_email() or "app",
                                  progress=tell)
            bar.empty()
            if result.status == "loaded":
                st.session_state["last_result"] = (f"Loaded {how_many(result.rows_loaded, 'row')} into "
                                                   f"{lower_first(spec.title)} as upload {result.batch_id}.")
                st.session_state["show_dashboards"] = True
                st.session_state["check_months"] = dataset == "spend"
                st.session_state["loaded"] = this_load
                st.session_state.pop(state_key, None)
                st.rerun()
            for error in result.errors:
                st.error(error["message"])


store = store_or_stop()
st.title("Data")
require("edit", "load or change data")
for key, show in (("last_result", st.success), ("last_error", st.error)):
    if key in st.session_state:  # set before a rerun, shown once after it
        show(st.session_state.pop(key))
if st.session_state.pop("check_months", False):  # a month's first lines, loaded before its books close
    month_close_notice()
if st.session_state.pop("show_dashboards", False):
    st.page_link("app_pages/overview.py", label="See the dashboards", icon=":material/dashboard:")
# The tabs keep the one open across reruns (key, on_change): pressing Undo or Restore, or saving the rules,
# reruns the page with a message above the tabs, and untracked tabs went back to 'Load a file', away from
# the history the message points to. Every tab's content still runs: a hidden load tab must keep its file.
load_tab, history_tab, rules_tab, templates_tab = st.tabs(list(TABS), key="data_tab", on_change="rerun")

with load_tab:
    dataset = st.selectbox("What does the file hold?", list(DATASETS), key="dataset",
                           format_func=lambda d: f"{DATASETS[d].title} — {DATASETS[d].description}")
    spec = DATASETS[dataset]
    upload = st.file_uploader("Spreadsheet (xlsx, xls, ods) or CSV", key="upload",
                              type=["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "txt", "tsv"])
    if upload is None:
        st.caption("Choose a file: the next steps match its columns, check its rows and load it. "
                   "Templates with the expected headers are under 'Templates & demo'.")
    else:
        wizard(upload, dataset, spec)

with history_tab:
    uploads = store.uploads()
    if uploads.empty:
        st.info("Nothing loaded yet.")
    else:
        st.caption("Undo takes an upload out of the dashboards and brings back what it replaced. "
                   "Nothing is deleted: an undone upload can be restored.")
        st.dataframe(upload_history(uploads), hide_index=True, width="stretch", column_config=HISTORY_CONFIG,
                     placeholder="")
        left, right = st.columns(2)
        active = uploads.loc[uploads["status"] == "active", "id"].tolist()
        undone = uploads.loc[uploads["status"] == "undone", "id"].tolist()
        named = uploads.set_index("id")
        shown = file_names(named["file_name"])  # as the history table names them
        label = lambda i: f"{i}: {shown.loc[i]} ({DATASETS[named.loc[i, 'dataset']].title})"  # noqa: E731
        called = {i: f"upload {i} ({shown.loc[i]}, {DATASETS[named.loc[i, 'dataset']].title})" for i in named.index}
        # Neither picker chooses for the user: after an undo or a restore the upload is gone from its list,
        # and a picker that moved to the next one on its own would have the next press undo that.
        with left:
            target = st.selectbox("Upload to undo", active, index=None, key="undo_id", format_func=label,
                                  placeholder="Choose an upload in use" if active else "No upload is in use")
            st.button("Undo", disabled=target is None, key="undo", on_click=undo, args=(called,))
        with right:
            again = st.selectbox("Undone upload to restore", undone, index=None, key="redo_id", format_func=label,
                                 placeholder="Choose an undone upload" if undone else "No upload is undone")
            st.button("Restore", disabled=again is None, key="redo", on_click=restore, args=(called,))

with rules_tab:
    st.caption("GL lines rarely say which business goal they serve: IT finance's mapping rules tie them to it "
               "(where a cost centre, account or vendor has a value, set the goal, tower…; a weight splits a "
               "line). The dashboards apply the rules in force to all history; a value in the line itself wins.")
    coverage = run("mapping_coverage")
    if not coverage.empty and pd.notna(coverage["actual"].iloc[0]):  # blank: no actual spend yet
        total = coverage.iloc[0]
        st.metric("Actual spend mapped to a business goal", pct(total["mapped_share"]),
                  help=f"{money(total['unmapped'])} of {money(total['actual'])} serves no goal "
                       f"({how_many(total['lines'], 'line')}); it reads as Unmapped on the dashboards.")
        largest = coverage.iloc[1:]
        for column, dimension in zip(st.columns(3), ("Cost centre", "Account", "Vendor"), strict=True):
            rows = largest.loc[largest["dimension"] == dimension, ["value", "unmapped", "share_of_unmapped"]]
            rows = rows.assign(share_of_unmapped=rows["share_of_unmapped"] * 100)  # one decimal, as every table
            column.markdown(f"**Largest unmapped by {dimension.lower()}**")
            if rows.empty:
                column.caption("Nothing unmapped.")
            else:
                column.dataframe(rows, hide_index=True, width="stretch", placeholder="", column_config={
                    "value": st.column_config.Column(dimension),
                    "unmapped": st.column_config.NumberColumn(money_header("Unmapped", scaled=False),
                                                              help="Actual spend with no business goal mapped",
                                                              format="%,.0f"),
                    "share_of_unmapped": st.column_config.NumberColumn(
                        "Share", format="%.1f%%", help="Its share of all unmapped spend")})
    st.subheader("Rules in force")
    in_force = rules.active_rules(store.cursor())
    st.caption(f"{how_many(len(in_force), 'rule')} in force. Add, correct or delete rules in the table; saving "
               "replaces the rules in force with it as a new upload, so undo in the upload history brings the "
               "earlier back.")
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
                st.error(f"{how_many(checked.error_count, 'problem')} in the rules table; nothing was saved.")
                for problem in checked.errors:
                    st.error(problem.message)
            else:
                batch = store.add_batch("mapping_rules", checked.frame, mode="replace", file_name=rules.EDITOR_SHEET,
                                        user=user_email() or "app", source_rows=checked.source_rows)
                st.session_state["last_result"] = (f"Saved {how_many(len(checked.frame), 'rule')} as upload {batch}; "
                                                   "the dashboards use them now. Undo it in the upload history.")
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
               "two survey waves. Loading it replaces each dataset: it asks first when you have data, and undo "
               "brings yours back.")
    demo_button(store)
