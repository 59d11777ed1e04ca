"""The Data page as finance uses it: columns matched by business name, the wrong dataset noticed,
the first screen of an empty app, the upload history in business words."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from alignment.mapping import better_dataset, dataset_fit
from tests.conftest import xlsx
from tests.test_app_pages import APP, SIGN_IN, demo_db, empty_db, open_page  # noqa: F401 - the fixtures

PROJECTS = ["Project ID", "Project name", "Business unit", "Status", "Health", "Budget", "Actual cost",
            "Start date", "End date"]
GL = ["Month", "Business Unit", "Supplier", "Actual (USD)", "Budget", "Business goal"]


# --- which dataset a file's headers fit -----------------------------------------------------

def test_a_project_register_chosen_as_spend_is_said_to_be_projects():
    # As spend, 4 headers map (Business unit, Budget, Actual cost, Project ID) and no month: incomplete.
    assert dataset_fit(PROJECTS, "spend") == (False, 4)
    assert dataset_fit(PROJECTS, "projects") == (True, 9)
    assert better_dataset(PROJECTS, "spend") == "projects"
    assert better_dataset(GL, "projects") == "spend"


def test_a_file_that_fits_the_chosen_dataset_is_never_second_guessed():
    # Projects fit the stage history too (ID, Status, Start date), but projects is complete as chosen.
    assert better_dataset(PROJECTS, "projects") is None
    assert better_dataset(GL, "spend") is None
    # A wide survey (a column per question) fits no dataset fully: nothing is suggested.
    wide = ["Respondent", "Group", "IT understands our business", "We measure IT value", "Governance works"]
    assert better_dataset(wide, "survey") is None
    # Close is not far better: one more header mapped than the chosen dataset is not enough.
    assert better_dataset(["Month", "Business unit", "Revenue"], "spend") is None


# --- the wizard ------------------------------------------------------------------------------

def _selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def test_the_mapping_step_lists_the_columns_by_business_name_required_first(empty_db):  # noqa: F811
    at = open_page("app_pages/data.py")
    workbook = xlsx([["When", "Unit", "Spent", "Plan"], ["2025-01", "Retail", 100.0, 90.5],
                     ["2025-02", "Retail", 50, 89.5]])
    at.file_uploader(key="upload").upload("gl.xlsx", workbook).run()
    mapping = [s for s in at.selectbox if s.key and s.key.startswith("map-")]
    labels = [s.label for s in mapping]
    assert labels[:2] == ["Month", "Business unit"]  # the required columns first
    assert {"Budget", "Actual spend", "Cost center", "Run, grow or transform", "Project ID"} <= set(labels)
    assert len(mapping) == 21  # every column of the spend dataset has its dropdown
    assert "Month of the cost; any date in the month." in [c.value for c in at.caption]
    # 'When' and 'Unit' are not words the app knows for them: the required columns are missing.
    assert at.selectbox(key="map-period").value == "(not in the file)"
    # each of the file's columns is offered with its first value, as a person would recognise it
    offered = set(at.selectbox(key="map-actual").options)
    assert {"Spent · e.g. 100", "Plan · e.g. 90.5", "— not in the file —"} <= offered
    assert at.error and not [b for b in at.button if b.key == "load"]
    at.selectbox(key="map-period").set_value("When").run()
    at.selectbox(key="map-business_unit").set_value("Unit").run()
    at.selectbox(key="map-actual").set_value("Spent").run()
    assert at.selectbox(key="map-period").value == "When" and at.selectbox(key="map-actual").value == "Spent"
    assert "2 rows ready to load" in at.success[0].value
    # a header picked for another column moves there: 'Spent' now loads as the forecast, not the actual
    at.selectbox(key="map-forecast").set_value("Spent").run()
    assert at.selectbox(key="map-actual").value == "(not in the file)"
    at.selectbox(key="map-actual").set_value("Spent").run()

    at.button(key="load").click().run()
    assert "Loaded 2 rows into IT spend as upload 1." in at.success[0].value
    links = at.get("page_link")
    assert links and links[0].proto.label == "See the dashboards"
    # the wizard starts again: no mapping step, and Load stays disabled until another file comes
    assert not [s for s in at.selectbox if s.key and s.key.startswith("map-")]
    assert at.button(key="load").disabled
    import app_pages.common as common

    spend = common.get_store().cursor().execute("SELECT sum(actual), sum(budget) FROM spend").fetchone()
    assert spend == (150.0, 180.0)  # 90.5 + 89.5
    at.file_uploader(key="upload").upload("gl-march.xlsx", xlsx([["Month", "Business unit", "Actual"],
                                                                 ["2025-03", "Retail", 10]])).run()
    assert not at.button(key="load").disabled
    # one row is said as one: "1 row", not "1 rows" or "1 row(s)"
    assert at.success[0].value.startswith("1 row ready to load;")
    at.button(key="load").click().run()
    assert "Loaded 1 row into IT spend as upload 2." in at.success[0].value


def test_a_register_loaded_as_spend_offers_to_load_it_as_projects(empty_db):  # noqa: F811
    at = open_page("app_pages/data.py")
    register = xlsx([PROJECTS, ["P-1", "Web shop", "Retail", "Active", "Green", 1000, 500, "2025-01-01",
                                "2025-12-31"]])
    at.file_uploader(key="upload").upload("register.xlsx", register).run()
    assert at.warning[0].value.startswith("This looks like a project register, not IT spend lines: load it as "
                                          "project register?")
    at.button(key="switch-dataset").click().run()
    assert at.selectbox(key="dataset").value == "projects"
    assert not [w for w in at.warning if w.value.startswith("This looks like")]
    assert "1 row ready to load" in at.success[0].value


def test_the_upload_history_says_who_loaded_what_when_in_business_words(demo_db):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in SIGN_IN.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "email": "cfo@example.com"}
    at.run()
    at.switch_page("app_pages/data.py")
    at.run()
    at.file_uploader(key="upload").upload("march.xlsx", xlsx([["Month", "Business unit", "Actual"],
                                                              ["2026-03", "Retail", 10]])).run()
    at.button(key="load").click().run()
    history = next(d.value for d in at.dataframe if "Who" in d.value.columns)
    assert list(history.columns) == ["Upload", "When", "Who", "What", "File", "Sheet", "Rows", "How", "Status"]
    latest = history.iloc[0]
    assert (latest["Upload"], latest["Who"], latest["What"], latest["File"], latest["Rows"], latest["How"],
            latest["Status"]) == (7, "cfo@example.com", "IT spend", "march.xlsx", 1, "Added", "In use")
    demo_projects = history.set_index("Upload").loc[2]  # the demo's uploads are 1-6, projects second
    assert (demo_projects["Who"], demo_projects["File"], demo_projects["What"]) == (
        "Demo company", "Demo company", "Project register")
    picker = at.selectbox(key="undo_id")
    assert picker.format_func(2) == "2: Demo company (Project register)"  # as the table says, not 'demo:projects'
    picker.set_value(7).run()  # choosing an upload enables Undo
    at.button(key="undo").click().run()
    history = next(d.value for d in at.dataframe if "Who" in d.value.columns)
    assert history.iloc[0]["Status"] == "Undone"


def _problems_listed(at: AppTest) -> list[str]:
    """The problems as the page lists them, one whole sentence a line, Markdown's escapes taken out."""
    import re

    listed = [m.value for m in at.markdown if m.value.startswith("- Sheet")]
    assert len(listed) == 1, listed
    return [re.sub(r"\\(.)", r"\1", line.removeprefix("- ")) for line in listed[0].split("\n")]


def test_problems_read_down_the_sheet_in_business_words(empty_db):  # noqa: F811
    at = open_page("app_pages/data.py")
    workbook = xlsx([["Month", "Business unit", "Actual"], ["2025-01", "Retail", 1], ["2025-02", None, 2],
                     ["2025-03", "Retail", "abc"], ["2025-13", "Retail", 3]])
    at.file_uploader(key="upload").upload("gl.xlsx", workbook).run()
    assert at.error[0].value.startswith("3 problems found. Nothing will be loaded until they are fixed")
    problems = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert problems["row"].tolist() == [3, 4, 5]  # not 5, 3, 4: the order the columns were checked in
    assert _problems_listed(at)[0] == "Sheet 'Sheet1', row 3, column B ('Business unit'): 'Business unit' is " \
                                      "required but blank."
    at.file_uploader(key="upload").upload("gl2.xlsx", xlsx([["Month", "Actual"], ["2025-01", 1]])).run()
    assert at.error[0].value.startswith("1 problem found. Nothing will be loaded until it is fixed")
    assert "required column 'Business unit' was not found" in _problems_listed(at)[0]


def test_each_problem_is_shown_whole_not_cut_at_a_columns_width(empty_db):  # noqa: F811
    """In the table the sentence was cut ("'twelve hundred' is not an ar"), so its fix could not be read
    at 1440 px: each problem is listed as its whole sentence, wrapped, in the sheet's order; its value
    is shown as written, never read as Markdown, LaTeX or a colour directive."""
    at = open_page("app_pages/data.py")
    workbook = xlsx([["Month", "Business unit", "Actual"], ["2026-11-30", "Retail", "twelve hundred"],
                     ["2026-12-31", "Retail", "$5 and :red[x] *b*"]])
    at.file_uploader(key="upload").upload("gl.xlsx", workbook).run()
    checked = next(d.value for d in at.dataframe if "message" in d.value.columns)  # the table, closed below
    assert _problems_listed(at) == checked["message"].tolist() == [
        "Sheet 'Sheet1', row 2, column C ('Actual'): 'twelve hundred' is not an amount.",
        "Sheet 'Sheet1', row 3, column C ('Actual'): '$5 and :red[x] *b*' is not an amount."]
    listed = next(m.value for m in at.markdown if m.value.startswith("- Sheet"))
    assert "\\$5" in listed and "\\:red\\[x\\]" in listed and "\\*b\\*" in listed
    assert at.expander[0].label.startswith("As a table")
    many = xlsx([["Month", "Business unit", "Actual"], *[["2026-01", "Retail", f"n{i}"] for i in range(12)]])
    at.file_uploader(key="upload").upload("many.xlsx", many).run()
    assert len(_problems_listed(at)) == 12  # every one whole, in a box that scrolls


def test_undo_leaves_its_picker_empty_and_says_how_to_restore(demo_db):  # noqa: F811
    at = open_page("app_pages/data.py")
    undo, restore = at.selectbox(key="undo_id"), at.selectbox(key="redo_id")
    assert undo.value is None and restore.value is None  # nothing is chosen for the user
    assert at.button(key="undo").disabled and at.button(key="redo").disabled
    undo.set_value(2).run()
    assert not at.button(key="undo").disabled
    at.button(key="undo").click().run()
    assert at.success[0].value == (
        "Undid upload 2 (Demo company, Project register): its rows are out of the dashboards. Nothing was "
        "deleted: to bring it back, choose it under 'Undone upload to restore' and press Restore.")
    # the picker does not jump to the next upload in use, so a second press cannot undo that one
    assert at.selectbox(key="undo_id").value is None and at.button(key="undo").disabled
    assert at.selectbox(key="redo_id").options == ["2: Demo company (Project register)"]
    at.selectbox(key="redo_id").set_value(2).run()
    at.button(key="redo").click().run()
    assert at.success[0].value == ("Restored upload 2 (Demo company, Project register): its rows are back in the "
                                   "dashboards.")
    assert at.selectbox(key="redo_id").value is None and at.selectbox(key="undo_id").value is None


def _open_tab(at: AppTest) -> str:
    """The Data page's tab that is open, as the page last sent it to the browser."""
    def blocks(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from blocks(child)

    container = next(b for b in blocks(at._tree) if getattr(b, "type", None) == "tab_container")
    return list(container.children.values())[container.proto.tab_container.default_tab_index].label


def test_undo_and_restore_keep_the_upload_history_open_and_show_it_updated(demo_db):  # noqa: F811
    """Undo reran the page with the first tab open, away from the history its message points to."""
    at = open_page("app_pages/data.py")
    assert _open_tab(at) == "Load a file"
    at.session_state["data_tab"] = "Upload history"  # the user opens the history (the tabs' own key)
    at.run()
    assert _open_tab(at) == "Upload history"
    at.selectbox(key="undo_id").set_value(2).run()
    at.button(key="undo").click().run()
    assert at.success[0].value.startswith("Undid upload 2") and _open_tab(at) == "Upload history"
    history = next(d.value for d in at.dataframe if "Who" in d.value.columns).set_index("Upload")
    assert history.loc[2, "Status"] == "Undone"
    at.selectbox(key="redo_id").set_value(2).run()
    at.button(key="redo").click().run()
    assert at.success[0].value.startswith("Restored upload 2") and _open_tab(at) == "Upload history"
    history = next(d.value for d in at.dataframe if "Who" in d.value.columns).set_index("Upload")
    assert history.loc[2, "Status"] == "In use"


def test_a_date_reads_as_a_date_and_the_layout_choices_read_whole(empty_db):  # noqa: F811
    import datetime as dt

    from app_pages.data import SCENARIO_WORDS, UNITS, example

    at = open_page("app_pages/data.py")
    gl = xlsx([["Month", "Business unit", "Actual"], [dt.datetime(2026, 11, 30), "Retail", 10],
               [dt.datetime(2026, 12, 31), "Retail", 20]])
    at.file_uploader(key="upload").upload("gl.xlsx", gl).run()
    assert at.selectbox(key="map-period").format_func("Month") == "Month · e.g. 2026-11-30"  # not 00:00:00
    assert example("2026-11-30 14:30:00") == "2026-11-30 14:30:00" and example("1000.0") == "1000"
    # the scenario's default was cut in its half-width box ("…a GL's lines are actu"): each option fits
    scenario = at.selectbox(key="scenario")
    assert scenario.options[0] == "As the sheet's name or title says" and "Budget 2026" in scenario.help
    assert max(len(o) for o in SCENARIO_WORDS.values()) <= 40
    # "as the file says" is an option, not None, so after a rerun the box still says it (not "Choose an option")
    at.radio(key="mode").set_value("replace").run()
    assert at.selectbox(key="scenario").value in SCENARIO_WORDS and at.selectbox(key="unit").value in UNITS
    assert at.selectbox(key="scenario").value is not None and at.selectbox(key="unit").value is not None
    assert "2 rows ready to load" in at.success[0].value


# --- the first screen and the demo company -------------------------------------------------

def test_an_empty_app_opens_on_two_buttons_and_the_demo_loads_at_once(empty_db):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.text_input and not at.info
    assert [b.label for b in at.button] == ["Load the demo company", "Load your first file"]
    at.button(key="demo").click().run()
    assert not at.exception
    import app_pages.common as common

    assert not common.get_store().is_empty()
    assert at.title[0].value == "What IT costs, and what the business gets for it"  # the Overview


def test_your_first_file_opens_the_data_page(empty_db):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.button(key="first-file").click().run()
    assert at.title[0].value == "Data" and at.file_uploader


def test_loading_the_demo_over_your_data_asks_first(empty_db):  # noqa: F811
    import app_pages.common as common

    at = open_page("app_pages/data.py")
    at.file_uploader(key="upload").upload("mine.xlsx", xlsx([["Month", "Business unit", "Actual"],
                                                             ["2026-03", "Retail", 10]])).run()
    at.button(key="load").click().run()
    at.button(key="demo").click().run()
    assert "replaces your IT spend. Nothing is deleted" in at.warning[0].value
    count = lambda: common.get_store().cursor().execute("SELECT count(*) FROM uploads").fetchone()[0]  # noqa: E731
    assert count() == 1  # nothing replaced yet
    at.button(key="demo-cancel").click().run()
    assert count() == 1 and not [b for b in at.button if b.key == "demo-confirm"]
    at.button(key="demo").click().run()
    at.button(key="demo-confirm").click().run()
    assert count() == 7 and at.success[0].value.startswith("Loaded the demo company: ")
    assert common.get_store().uploads().set_index("id").loc[1, "status"] == "superseded"  # undo brings it back


# --- tests leave data/ alone -----------------------------------------------------------------

def test_a_test_that_names_no_database_gets_a_scratch_one_not_data():
    from alignment.config import DEFAULT_DB, database_path

    assert database_path() != DEFAULT_DB and DEFAULT_DB.parent not in database_path().parents


def test_make_run_loads_the_demo_into_a_missing_or_empty_database_only(tmp_path, capsys):
    from alignment.cli import main
    from alignment.store import Store

    missing, empty, mine = tmp_path / "missing.duckdb", tmp_path / "empty.duckdb", tmp_path / "mine.duckdb"
    Store(empty).close()  # what an app opened on a fresh path leaves: the tables, no upload
    with Store(mine) as store:
        store.add_batch("business_metrics", _one_metric(), file_name="mine.xlsx")
    for path in (missing, empty, mine):
        assert main(["demo", "--db", str(path), "--if-empty"]) == 0  # the Makefile's `run` target
    uploads = {}
    for path in (missing, empty, mine):
        with Store(path) as store:
            uploads[path] = store.uploads()
    assert len(uploads[missing]) == 6 and len(uploads[empty]) == 6  # the demo's six datasets
    assert uploads[mine]["file_name"].tolist() == ["mine.xlsx"]
    assert "already holds data; left as it is" in capsys.readouterr().out


def _one_metric():
    import datetime as dt

    import pandas as pd

    return pd.DataFrame({"period": [dt.date(2026, 1, 1)], "business_unit": ["Retail"], "revenue": [1.0],
                         "headcount": [None]})


def test_the_file_is_read_and_checked_once_while_the_user_chooses_and_loads(empty_db, monkeypatch):  # noqa: F811
    """Choosing Replace or pressing Load reran the whole read and check (8-28 s for a million rows);
    the checked file is kept for the session until a choice it depends on changes."""
    from alignment import ingest

    reads = []
    real = ingest.make_preview
    monkeypatch.setattr(ingest, "make_preview", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    at = open_page("app_pages/data.py")
    gl = xlsx([GL, ["2025-01", "Retail", "Acme", 100.0, 90.0, "Grow"], ["2025-02", "Retail", "Acme", 50, 60, None]])
    at.file_uploader(key="upload").upload("gl.xlsx", gl).run()
    assert "2 rows ready to load" in at.success[0].value and len(reads) == 1
    at.radio(key="mode").set_value("replace").run()
    assert len(reads) == 1
    at.selectbox(key="map-vendor").set_value("(not in the file)").run()  # a mapping change: read again
    assert len(reads) == 2
    at.button(key="load").click().run()
    assert len(reads) == 2 and "Loaded 2 rows into IT spend" in at.success[0].value
    import app_pages.common as common

    cur = common.get_store().cursor()
    assert cur.execute("SELECT sum(actual), count(vendor) FROM spend").fetchone() == (150.0, 0)


def test_the_rows_to_load_name_the_currency_in_the_header_and_sign_the_numbers(empty_db):  # noqa: F811
    import json

    at = open_page("app_pages/data.py")
    workbook = xlsx([["Month", "Business unit", "Actual"], ["2025-01", "Retail", -1234.5], ["2025-02", "Retail", 50]])
    at.file_uploader(key="upload").upload("gl.xlsx", workbook).run()
    configs = [json.loads(d.proto.columns) for d in at.dataframe]
    actual = next(c["actual"] for c in configs if "actual" in c)
    # sprintf-js would write "$-1,234.50" for "$%,.2f"
    assert actual["label"] == "Actual spend ($)" and actual["type_config"]["format"] == "%,.2f"


def _load_two_november_lines() -> AppTest:
    """November's first lines for Retail and Digital, loaded on the Data page of the demo."""
    at = open_page("app_pages/data.py")
    early = xlsx([["Month", "Business Unit", "Supplier", "Actual (USD)"], ["2026-11", "Retail", "Acme", 10_000],
                  ["2026-11", "Digital", "Acme", 20_000]])
    at.file_uploader(key="upload").upload("november.xlsx", early).run()
    at.button(key="load").click().run()
    assert not at.exception and "Loaded 2 rows into IT spend" in at.success[0].value
    return at


def test_a_months_first_lines_loaded_before_its_close_are_said_to_look_partly_loaded(demo_db):  # noqa: F811
    """A review loaded three November lines for three units: the company went from 2.7% over budget
    to 1.8% under with no word said. The Data page now says so as the load lands."""
    at = _load_two_november_lines()
    said = [w.value for w in at.warning if "looks partly loaded" in w.value]
    assert len(said) == 1 and said[0].startswith("The newest month of actuals looks partly loaded for Digital "
                                                 "(2026-11: ") and ") and Retail (2026-11: " in said[0], said
    for page in ("app_pages/overview.py", "app_pages/spend.py"):  # where the budget figures are read
        at.switch_page(page).run()
        assert not at.exception and [w.value for w in at.warning if "looks partly loaded" in w.value] == said, page
    at.query_params["bu"] = "Wholesale"  # a unit whose books are whole: nothing to say
    at.switch_page("app_pages/overview.py").run()
    assert not [w for w in at.warning if "looks partly loaded" in w.value]


def test_lines_loaded_after_the_books_close_are_said_to_wait_not_to_look_partly_loaded(demo_db):  # noqa: F811
    """With the books closed through October, November's first lines are expected to be preliminary:
    the load lands, no figure counts them yet, and the page says so instead of a partly-loaded warning."""
    import app_pages.common as common

    common.get_store().save_settings({"books_closed_through": "2026-10"}, "finance@example.com")
    at = _load_two_november_lines()
    assert [i.value for i in at.info if i.value.startswith("Actuals of")] == [
        "Actuals of 2026-11 ($30.0k in 2 lines) are loaded but not counted yet: the books are closed through "
        "2026-10 (Settings); move it on as each month closes."]
    assert not [w for w in at.warning if "looks partly loaded" in w.value]


def test_a_workbook_opening_on_a_readme_sheet_loads_its_first_sheet_with_a_header(empty_db):  # noqa: F811
    """A review's workbook (ReadMe, GL Nov, GL Dec) was refused as having no header row: the page read
    the ReadMe. Unchosen, the first sheet with a header row is read and the page says which."""
    gl = [["Month", "Business Unit", "Actual"], ["2025-11", "Retail", 100]]
    workbook = xlsx([["How to fill in this workbook: one sheet per month."]], sheet="ReadMe",
                    extra={"GL Nov": gl, "GL Dec": [gl[0], ["2025-12", "Retail", 90]]})
    at = open_page("app_pages/data.py")
    at.file_uploader(key="upload").upload("gl.xlsx", workbook).run()
    picker = at.selectbox(key="sheet")
    assert picker.value == "The first sheet with a header row" and picker.options[1:] == ["ReadMe", "GL Nov", "GL Dec"]
    assert not at.exception and "1 row ready to load" in at.success[0].value
    assert any(w.value.startswith("Read sheet 'GL Nov', the workbook's first sheet with a header row")
               for w in at.warning)
    picker.set_value("ReadMe").run()  # chosen, it is never swapped for another
    assert "Sheet 'ReadMe' has no header row" in at.error[0].value


def test_the_same_file_again_is_said_before_load_is_pressed(demo_db):  # noqa: F811
    at = open_page("app_pages/data.py")
    early = xlsx([["Month", "Business Unit", "Supplier", "Actual (USD)"], ["2026-11", "Retail", "Acme", 10_000]])
    at.file_uploader(key="upload").upload("november.xlsx", early).run()
    at.button(key="load").click().run()
    assert "Loaded 1 row into IT spend" in at.success[0].value
    at.file_uploader(key="upload").upload("november-again.xlsx", early).run()
    said = [w.value for w in at.warning if "already loaded as upload" in w.value]
    assert len(said) == 1 and said[0].endswith("Adding it is refused; Replace loads it in place of what is loaded.")
