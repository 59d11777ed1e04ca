"""Mapping rules (issue #9): a GL extract without business goals, tied to them by IT finance's rules
when the analyses run. Every figure below is worked out by hand from the GL in this file."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment import demo, rules
from alignment.ingest import ingest
from alignment.queries import run_query
from tests.conftest import xlsx

# One month (2026-01) of a Retail GL. No line says a goal except row 5.
#   row  cost centre  account  vendor     goal      actual  budget
#   2    CC-101       6210     Microsoft            1000    1200
#   3    CC-102       6230     AWS                   500     400
#   4    CC-201       6010                           300     300
#   5    CC-900       6210     Microsoft  Own goal   200     100
#   6    XX-1         6410     Vodafone              100     100
# Total actual 2100, budget 2100.
GL = xlsx([
    ["Month", "Business unit", "Cost centre", "Account", "Vendor", "Business goal", "Actual", "Budget"],
    ["2026-01", "Retail", "CC-101", "6210", "Microsoft", None, 1000, 1200],
    ["2026-01", "Retail", "CC-102", "6230", "AWS", None, 500, 400],
    ["2026-01", "Retail", "CC-201", "6010", None, None, 300, 300],
    ["2026-01", "Retail", "CC-900", "6210", "Microsoft", "Own goal", 200, 100],
    ["2026-01", "Retail", "XX-1", "6410", "Vodafone", None, 100, 100],
], sheet="GL")

HEADER = ["Match column", "Match value", "Sets column", "Sets value", "Weight"]
# Goals: CC-101 has an exact 60/40 split, which beats both wildcards; CC-102 matches CC-1* (4
# characters) and CC-* (3): the longer wins; CC-201 matches only CC-*; CC-900 keeps its own goal;
# XX-1 matches nothing. Tower: vendor 'microsoft' (any case) is Application. rgt: account 6230 is
# split 50/50 run/grow, on top of its goal. capex_opex: '*soft' (a suffix) is Opex.
RULES = [
    HEADER,
    ["cost_center", "CC-1*", "business_goal", "Grow", 1],
    ["Cost centre", "CC-101", "Business goal", "Sales", "60%"],
    ["cost_center", "cc-101", "business_goal", "Service", 0.4],
    ["cost_center", "CC-*", "business_goal", "Shared", None],
    ["vendor", "microsoft", "tower", "Application", 1],
    ["account", "6230", "rgt", "run", 0.5],
    ["account", "6230", "rgt", "Grow", 0.5],
    ["vendor", "*soft", "capex_opex", "opex", 1],
]


def load(store, rows=RULES, name="rules.xlsx", mode="append"):
    result = ingest(store, xlsx(rows, sheet="Rules"), name, "mapping_rules", mode=mode)
    assert result.status == "loaded", result.errors
    return result.batch_id


@pytest.fixture
def gl(store):
    assert ingest(store, GL, "gl.xlsx", "spend").status == "loaded"
    return store


def goals(store, **params) -> dict[str, float]:
    frame = run_query(store.cursor(), "spend_by_business_goal", params)
    return dict(zip(frame["business_goal"], frame["actual"], strict=True))


def grouped(store, column: str, amount: str = "actual") -> dict:
    rows = store.cursor().execute(f"SELECT coalesce({column}, '-'), sum({amount}) FROM spend GROUP BY 1").fetchall()
    return dict(rows)


def test_without_rules_the_gl_serves_no_goal_but_its_own(gl):
    assert goals(gl) == {"Own goal": 200, "Unmapped": 1900}  # 1000 + 500 + 300 + 100


def test_split_wildcards_exact_and_longer_patterns(gl):
    load(gl)
    # CC-101 1000 → Sales 600 (60%), Service 400 (40%); CC-102 500 → Grow (CC-1* beats CC-*);
    # CC-201 300 → Shared; CC-900 keeps Own goal 200; XX-1 100 unmapped. 600+400+500+300+200+100 = 2100.
    assert goals(gl) == {"Sales": 600, "Grow": 500, "Service": 400, "Shared": 300, "Own goal": 200, "Unmapped": 100}
    # Budget is split by the same weights: CC-101's 1200 → 720 and 480.
    assert grouped(gl, "business_goal", "budget") == {"Sales": 720, "Service": 480, "Grow": 400, "Shared": 300,
                                                     "Own goal": 100, "-": 100}
    totals = gl.cursor().execute("SELECT sum(actual), sum(budget) FROM spend").fetchone()
    assert totals == (2100, 2100)  # a split never changes a total


def test_a_value_in_the_line_wins_and_rules_on_other_columns_still_apply(gl):
    load(gl)
    row = gl.cursor().execute("SELECT business_goal, tower, capex_opex FROM spend WHERE cost_center = 'CC-900'")
    assert row.fetchall() == [("Own goal", "Application", "Opex")]  # its goal kept; vendor rules fill the rest


def test_case_insensitive_exact_and_suffix_wildcard(gl):
    load(gl)
    # vendor 'microsoft' matches 'Microsoft': CC-101 (1000, in two split lines) and CC-900 (200).
    assert grouped(gl, "tower") == {"Application": 1200, "-": 900}  # 500 + 300 + 100
    # '*soft' matches Microsoft only; parse_capex reads 'opex' as Opex.
    assert grouped(gl, "capex_opex") == {"Opex": 1200, "-": 900}


def test_splits_of_two_columns_multiply(gl):
    load(gl)
    # CC-102 (500, account 6230) → goal Grow and rgt Run 50% / Grow 50%: two lines of 250.
    lines = gl.cursor().execute("SELECT business_goal, rgt, actual, budget FROM spend WHERE cost_center = 'CC-102' "
                                "ORDER BY rgt").fetchall()
    assert lines == [("Grow", "Grow", 250, 200), ("Grow", "Run", 250, 200)]
    assert run_query(gl.cursor(), "spend_mix", {"mix": "rgt"}).set_index("category")["actual"].to_dict() == {
        "Unclassified": 1600, "Grow": 250, "Run": 250}  # 1600 = 2100 - 500


def test_analyses_grouping_by_a_mapped_column_read_the_rules(gl):
    load(gl)
    by_tower = run_query(gl.cursor(), "budget_vs_actual", {"group_by": "tower"})
    assert by_tower.set_index("category")["actual"].to_dict()["Application"] == 1200
    summary = run_query(gl.cursor(), "executive_summary").iloc[0]
    assert summary["unmapped_share"] == pytest.approx(100 / 2100, abs=1e-4)


def test_weights_that_do_not_sum_to_one_are_refused_naming_the_rows(gl):
    bad = [HEADER, ["cost_center", "CC-101", "business_goal", "Sales", "60%"],
           ["cost_center", "CC-101", "business_goal", "Service", "30%"],
           ["cost_center", "CC-102", "business_goal", "Grow", 1]]
    result = ingest(gl, xlsx(bad, sheet="Rules"), "rules.xlsx", "mapping_rules")
    assert result.status == "rejected"
    messages = [e["message"] for e in result.errors]
    assert len(messages) == 2  # rows 2 and 3; row 4 is fine
    assert messages[0].startswith("Sheet 'Rules', row 2, column E ('Weight'): the weights for cost_center 'CC-101' "
                                  "setting business_goal add up to 90.00%, not 100% (rows 2 and 3)")
    assert messages[1].startswith("Sheet 'Rules', row 3, column E ('Weight')")
    assert gl.uploads()["dataset"].tolist() == ["spend"]  # nothing written
    assert goals(gl) == {"Own goal": 200, "Unmapped": 1900}


@pytest.mark.parametrize(("row", "column", "says"), [
    (["region", "North", "business_goal", "X", 1], "A", "'region' is not a spend column a rule can match on"),
    (["cost_center", "CC*1", "business_goal", "X", 1], "B", "'CC*1' has a * inside it"),
    (["cost_center", "CC-1", "budget", "X", 1], "C", "'budget' is not a spend column a rule can set"),
    (["cost_center", "CC-1", "rgt", "Sometimes", 1], "D", "Sometimes"),
    (["tower", "Compute", "tower", "Cloud", 1], "C", "a rule cannot set the column it matches on"),
    (["cost_center", "CC-1", "tower", "Cloud", 0], "E", "a weight must be above 0%"),
])
def test_a_bad_rule_is_refused_naming_its_row_and_column(store, row, column, says):
    result = ingest(store, xlsx([HEADER, row], sheet="Rules"), "rules.xlsx", "mapping_rules")
    assert result.status == "rejected"
    message = result.errors[0]["message"]
    assert message.startswith(f"Sheet 'Rules', row 2, column {column} ("), message
    assert says in message
    assert store.is_empty()


def test_a_corrected_rule_remaps_history_and_undo_restores_the_old_mapping(gl):
    first = load(gl)
    corrected = [HEADER, ["cost_center", "CC-1*", "business_goal", "Growth", 1]]
    second = load(gl, corrected, "rules-v2.xlsx", mode="replace")
    # CC-101 1000 + CC-102 500 → Growth; the rest of the first file is gone.
    assert goals(gl) == {"Growth": 1500, "Own goal": 200, "Unmapped": 400}  # 300 + 100
    assert gl.undo(second) == [first]
    assert goals(gl)["Sales"] == 600 and goals(gl)["Grow"] == 500  # the old mapping, all of it
    gl.undo(first)
    assert goals(gl) == {"Own goal": 200, "Unmapped": 1900}


def test_a_later_upload_repeating_a_match_replaces_its_rows(gl):
    load(gl)
    load(gl, [HEADER, ["cost_center", "CC-101", "business_goal", "Sales", 1]], "fix.xlsx")  # appended
    # CC-101 is all Sales now (not 60/40, and never 160%): 1000.
    assert goals(gl)["Sales"] == 1000 and "Service" not in goals(gl)
    assert gl.cursor().execute("SELECT sum(actual) FROM spend").fetchone()[0] == 2100


def test_no_rules_leaves_the_spend_view_plain_and_rules_change_the_cache_version(gl):
    view = "SELECT sql FROM duckdb_views() WHERE view_name = 'spend' AND database_name = current_database()"
    assert "mapping_rules" not in gl.cursor().execute(view).fetchone()[0]  # no rule: no cost
    before = gl.data_version(("spend",))
    batch = load(gl)
    assert "mapping_rules" in gl.cursor().execute(view).fetchone()[0]
    assert gl.data_version(("spend",)) != before  # cached spend figures are dropped
    gl.undo(batch)
    assert "mapping_rules" not in gl.cursor().execute(view).fetchone()[0]


def test_mapping_coverage(gl):
    load(gl)
    frame = run_query(gl.cursor(), "mapping_coverage")
    total = frame.iloc[0]
    assert (total["dimension"], total["actual"], total["unmapped"], total["lines"]) == ("All spend", 2100, 100, 1)
    assert total["mapped_share"] == round(1 - 100 / 2100, 4)  # 0.9524
    largest = frame.iloc[1:].set_index("dimension")
    assert largest.loc["Cost centre", "value"] == "XX-1" and largest.loc["Account", "value"] == "6410"
    assert largest.loc["Vendor", "unmapped"] == 100 and largest.loc["Vendor", "share_of_unmapped"] == 1


def test_rules_edited_in_the_app_are_checked_like_a_file(gl):
    table = pd.DataFrame({"match_column": ["cost_center", "cost_center", None],
                          "match_value": ["CC-101", "CC-101", None], "sets_column": ["business_goal"] * 2 + [None],
                          "sets_value": ["Sales", "Service", None], "weight": [0.6, 0.3, None]})
    checked = rules.check_table(table)
    assert checked.errors[0].message.startswith("Sheet 'Rules table', row 1, column E ('weight'): the weights")
    table.loc[1, "weight"] = 0.4
    checked = rules.check_table(table)
    assert not checked.errors and len(checked.frame) == 2  # the blank third row is skipped
    gl.add_batch("mapping_rules", checked.frame, mode="replace", file_name=rules.EDITOR_SHEET)
    assert goals(gl)["Sales"] == 600
    assert rules.active_rules(gl.cursor())["sets_value"].tolist() == ["Sales", "Service"]


def demo_goals() -> dict[str, float]:
    """What the demo's GL means, worked out apart from the rules and the SQL: a line in its unit's own
    cost centres serves that unit's goal; one in the unit's clearing cost centre (CC-9…) serves none."""
    lines = demo.build_frames()["spend"]
    goal = [("Unmapped" if centre.startswith("CC-9") else demo.UNIT_GOALS[unit])
            for unit, centre in zip(lines["business_unit"], lines["cost_center"], strict=True)]
    return {g: round(v, 2) for g, v in lines.groupby(goal)["actual"].sum().items()}


def test_the_demo_gl_carries_no_goal_and_its_rules_give_each_unit_its_goal(store):
    demo.load_demo(store)
    assert store.cursor().execute("SELECT count(business_goal) FROM spend_lines").fetchone()[0] == 0
    got, want = goals(store), demo_goals()
    assert got.keys() == want.keys() == {*demo.GOALS, "Unmapped"}
    assert all(got[g] == pytest.approx(want[g], abs=0.01) for g in want)
    assert 0.08 < want["Unmapped"] / sum(want.values()) < 0.2  # "about 14%" the module promises


def test_the_data_page_shows_coverage_and_saves_the_edited_rules_as_an_undoable_upload(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    import app_pages.common as common
    from alignment.store import Store, close_shared_stores
    from tests.test_app_pages import APP

    path = tmp_path / "demo.duckdb"
    with Store(path) as s:
        demo.load_demo(s)
    monkeypatch.setenv("ALIGNMENT_DB", str(path))
    close_shared_stores()
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page("app_pages/data.py")
        at.run()
        want = demo_goals()
        mapped = 1 - want["Unmapped"] / sum(want.values())
        assert {m.label: m.value for m in at.metric}["Actual spend mapped to a business goal"] == f"{mapped:.1%}"
        at.toggle(key="edit_rules").set_value(True).run()
        at.button(key="save_rules").click().run()
        assert not at.exception, at.exception
        saved = at.success[0].value
        assert saved.startswith("Saved 6 rules as upload 7;"), saved  # demo uploads are 1-6
        store = common.get_store()
        assert store.uploads().set_index("id").loc[6, "status"] == "superseded"  # a replace: undo brings it back
        assert store.undo(7) == [6]
    finally:
        close_shared_stores()
