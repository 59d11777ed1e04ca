"""Tables as people read them: the column_config built from the label table, without Streamlit."""


import pandas as pd
import pytest

from alignment.formatting import use_money_style
from alignment.tables import on_screen


@pytest.fixture
def euros():
    use_money_style("EUR")
    yield
    use_money_style("USD")


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "business_goal": ["Grow", None], "is_unmapped": pd.array([False, None], dtype="boolean"),
        "actual": [1234567.8, None], "share_of_spend": [0.25, 0.75], "projects": [3, 12],
        "period": pd.to_datetime(["2026-01-01", "2026-02-01"]), "planned_end": pd.to_datetime(["2026-03-31", None]),
        "maturity": [3.256, 2.0], "tower": ["Apps", "Infra"], "mystery_field": ["x", "y"]})


def test_headers_come_from_the_label_table_and_units_give_the_format(euros):
    shown, config = on_screen(frame())
    assert [config[c]["label"] for c in frame().columns] == [
        "Business goal", "Unmapped", "Actual spend (€)", "Share of spend", "Projects", "Month", "Planned end",
        "Maturity (1-5)", "Tower", "Mystery field"]
    assert config["is_unmapped"]["help"] == "No business goal"  # the row of such spend is 'Unmapped'
    fmt = {c: config[c].get("type_config", {}).get("format") for c in config}
    assert fmt["actual"] == "%,.0f"  # thousands separated, no cents; the currency is in the header
    assert fmt["share_of_spend"] == "%.1f%%" and fmt["projects"] == "%,d" and fmt["maturity"] == "%.2f"
    # shares as percentages with one decimal, like every share in the page's text (not 12.4% beside 33.43%)
    assert shown["share_of_spend"].tolist() == [v * 100 for v in frame()["share_of_spend"]]
    assert fmt["period"] == "MMM YYYY" and fmt["planned_end"] == "D MMM YYYY"  # no 00:00:00
    assert config["period"]["type_config"]["type"] == "date"


def test_booleans_read_as_words_and_blanks_stay_blank():
    shown, config = on_screen(frame())
    assert shown["is_unmapped"].tolist() == ["No", None] and config["is_unmapped"]["type_config"]["type"] == "text"
    assert shown["actual"].isna().tolist() == [False, True]  # the page shows a missing value as blank
    assert frame()["is_unmapped"].dtype == "boolean"  # the caller's frame is left alone


def test_a_header_that_depends_on_the_view_can_be_named():
    shown, config = on_screen(pd.DataFrame({"category": ["Apps"], "actual": [1.0]}), headers={"category": "Tower"})
    assert config["category"]["label"] == "Tower" and config["actual"]["label"] == "Actual spend ($)"


def test_a_query_that_repeats_a_column_name_still_shows():
    repeated = pd.DataFrame([[True, 1]], columns=["x", "x"])
    shown, config = on_screen(repeated)
    assert shown.iloc[0].tolist() == ["Yes", 1] and config["x"]["label"] == "X"


def test_a_chosen_display_unit_scales_money_on_screen_only():
    use_money_style("GBP", "m")
    try:
        raw = pd.DataFrame({"actual": [4_500_000.0, -250_000.0], "projects": [3, 4]})
        shown, config = on_screen(raw)
        assert shown["actual"].tolist() == [4.5, -0.25] and raw["actual"].tolist() == [4_500_000.0, -250_000.0]
        assert config["actual"]["type_config"]["format"] == "%,.2f" and config["actual"]["label"] == "Actual spend (£m)"
        assert shown["projects"].tolist() == [3, 4]  # counts are not money
    finally:
        use_money_style("USD")


def test_an_overrun_reads_with_its_minus_before_the_amount_and_the_currency_in_the_header():
    """sprintf-js, which the NumberColumn formats with, would write "$-6,494" for "$%,.0f"."""
    for currency, unit, header in (("USD", "auto", "Variance ($)"), ("SEK", "auto", "Variance (SEK)"),
                                   ("SEK", "k", "Variance (SEK k)"), ("EUR", "bn", "Variance (€bn)")):
        use_money_style(currency, unit)
        try:
            shown, config = on_screen(pd.DataFrame({"variance": [-6494.0]}))
            fmt = config["variance"]["type_config"]["format"]
            assert config["variance"]["label"] == header and fmt.startswith("%")  # no symbol before the sign
        finally:
            use_money_style("USD")


def earned() -> pd.DataFrame:
    """earned_value's columns, in the analysis's order."""
    return pd.DataFrame({
        "project_id": ["P-015"], "name": ["Returns automation"], "business_unit": ["Retail"], "status": ["In progress"],
        "is_open": [True], "percent_complete": [0.45], "bac": [1.0e6], "pv": [1.0e6], "ev": [4.5e5], "ac": [4.7e5],
        "cv": [-2.0e4], "sv": [-5.5e5], "cpi": [0.96], "spi": [0.45], "eac_cpi": [1.04e6],
        "eac_ac_plus_remaining": [1.02e6], "tcpi": [1.04], "eac": [1.16e6], "eac_basis": ["CPI"],
        "cost_health": ["Amber"], "schedule_health": ["Red"], "overall_health": ["Red"],
        "as_of": pd.to_datetime(["2026-11-24"])})


def test_a_long_header_is_shortened_and_its_full_label_is_the_tooltip():
    """The grid cuts a header at its column's width ("Cost variance at comp…"): a long one shows its
    name, its explanation in brackets on hover, its unit kept."""
    frame = pd.DataFrame({"cpi": [0.96], "cost_variance": [96000.0], "cost_variance_pct": [0.05], "slip_days": [12.0],
                          "eac_ac_plus_remaining": [1.0], "risk": [3.0], "value_per_dollar": [1.4], "actual": [1.0]})
    _, config = on_screen(frame)
    assert {c: (config[c]["label"], config[c].get("help")) for c in frame.columns} == {
        "cpi": ("CPI", "CPI (EV ÷ AC, above 1 under cost)"),
        "cost_variance": ("Cost variance ($)", "Cost variance at completion (+ over) ($)"),
        "cost_variance_pct": ("Cost variance %", "Cost variance at completion (+ over budget)"),
        "slip_days": ("Schedule slip (days)", "Schedule slip (days, + late)"),  # the unit stays in the header
        "eac_ac_plus_remaining": ("EAC = AC + (BAC − EV) ($)", None),  # a formula's bracket is not an aside
        "risk": ("Risk (1-5)", None),
        "value_per_dollar": ("Benefit ÷ spend", "Benefit ÷ spend, to date"),
        "actual": ("Actual spend ($)", None)}


def test_columns_are_in_reading_order_the_name_pinned_then_the_answers_and_the_workings_last():
    shown, config = on_screen(earned())
    order = list(shown.columns)
    # beside the name on a phone: what it will cost against its budget, how it performs, its health
    assert order[:7] == ["name", "bac", "cpi", "spi", "eac", "overall_health", "project_id"]
    assert order[-6:] == ["pv", "ev", "ac", "eac_cpi", "eac_ac_plus_remaining", "as_of"]  # the workings
    assert sorted(order) == sorted(earned().columns) and list(config) == order
    assert [c for c in order if config[c].get("pinned")] == ["name"]
    # a ratio's inputs after its answer: cost per business unit's % of revenue beside its total
    units = pd.DataFrame({"business_unit": ["Retail"], "direct_cost": [1.0], "allocation_share": [0.5],
                          "allocated_shared": [1.0], "total_cost": [2.0], "ratio_months": [10], "revenue": [9.0],
                          "it_cost_pct_revenue": [0.1], "it_cost_per_employee": [5.0]})
    assert list(on_screen(units)[0].columns) == ["business_unit", "direct_cost", "allocated_shared", "total_cost",
                                                 "it_cost_pct_revenue", "it_cost_per_employee", "allocation_share",
                                                 "ratio_months", "revenue"]
    # the budget table: the outlook beside its variance, the year-end budget it is set against after them
    budget = pd.DataFrame({"category": ["2026-11"], "budget": [2.0], "budget_to_date": [None], "actual": [None],
                           "forecast": [2.1], "variance": [None], "variance_pct": [None], "year_end_budget": [2.0],
                           "outlook": [2.1], "outlook_variance": [0.1]})
    assert list(on_screen(budget)[0].columns)[-3:] == ["outlook", "outlook_variance", "year_end_budget"]


def test_a_first_column_of_long_text_or_numbers_is_not_pinned():
    question = "How well does IT understand what the business is trying to achieve this year?"
    assert "pinned" not in on_screen(pd.DataFrame({"question": [question], "answers": [3]}))[1]["question"]
    assert "pinned" not in on_screen(pd.DataFrame({"rank": [1], "vendor": ["Dell"]}))[1]["rank"]
    assert on_screen(pd.DataFrame({"period": pd.to_datetime(["2026-01-01"]), "actual": [1.0]}))[1]["period"]["pinned"]


def _width(header: str, cells: list[str]) -> int:
    """About what the grid gives a column (the browser's own, measured at 1440: 6.3 px a character and
    16 of padding, at least 50): its header's or its longest cell's width, whichever is wider."""
    return max(50, round(6.3 * max([len(header), *(len(c) for c in cells)]) + 16))


def _cell(fmt: str | None, value) -> str:
    """A cell as the grid writes it with the column's printf format ('%,.0f' → 1,234)."""
    if not fmt or not isinstance(value, int | float) or fmt.startswith("D") or fmt.startswith("M"):
        return str(value)
    python = fmt.replace("%%", "%").replace("%,", "{:,").replace("%.", "{:.").replace("%d", "{:d")
    python = python.replace("f", "f}", 1).replace("d", "d}", 1) if "{" in python else python
    return python.format(int(value) if python.endswith("d}") else value)


@pytest.mark.parametrize(("name", "params", "answers", "room"), [
    ("spend_by_business_goal", {}, ["value_per_dollar"], 980),
    ("cost_by_business_unit", {"driver": "headcount"}, ["it_cost_pct_revenue", "it_cost_per_employee"], 980),
    ("earned_value", {}, ["cpi", "spi", "eac"], 980),
    ("portfolio_by_sponsor", {}, ["cost_variance"], 480)])  # half the page, beside the health mix
def test_each_analysis_answer_is_on_screen_at_1440_without_scrolling(store, name, params, answers, room):
    """At 1440 px the main column holds 980 px of table (480 in half the page): the answer columns
    end within it, headed in full (a cut header hides what the column is)."""
    from alignment.queries import run_query
    from tests import fixtures

    fixtures.load(store)
    frame = run_query(store.cursor(), name, params, settings=store.settings())
    shown, config = on_screen(frame)
    right = 0
    for field in shown.columns:
        fmt = config[field].get("type_config", {}).get("format")
        cells = [_cell(fmt, v) for v in shown[field].dropna()]
        right += _width(config[field]["label"], cells)
        if field in answers:
            assert right <= room, (name, field, right)


def test_no_table_shows_two_columns_under_one_header(store):
    """Shortened headers stay distinct ("Cost variance ($)" beside "Cost variance %")."""
    from alignment.queries import public_queries, run_query

    repeated = {}
    for name in public_queries():
        _, config = on_screen(run_query(store.cursor(), name, {}, settings=store.settings()))
        headers = [c["label"] for c in config.values()]
        if len(set(headers)) < len(headers):
            repeated[name] = sorted({h for h in headers if headers.count(h) > 1})
    assert repeated == {}


def test_what_a_row_says_in_words_is_beside_its_name():
    """A phone shows the first two columns or so: a comment (or a file's problem) was off to the right."""
    comments = pd.DataFrame({"respondent_group": ["IT", "Business"], "dimension": ["Governance", "Skills"],
                             "business_unit": ["IT", None], "role": ["IT staff", None],
                             "comment": ["Too many priorities are 'urgent'; the board rarely says no.",
                                         "My team would use the data tools more with some training."]})
    assert list(on_screen(comments)[0].columns) == ["respondent_group", "comment", "dimension", "business_unit", "role"]
    problems = pd.DataFrame({"sheet": ["GL"], "row": [12], "column": ["Actual"], "value": ["12,5k"],
                             "message": ["'12,5k' is not an amount: write it as a number, like 12500."]})
    assert list(on_screen(problems)[0].columns)[:2] == ["sheet", "message"]
    # a reason given for a few rows only is not what the table says: the figures stay first
    units = pd.DataFrame({"business_unit": ["Retail", "Shared"], "total_cost": [1.0, 2.0],
                          "unallocated_reason": [None, "No business metrics are loaded for the chosen months."],
                          "revenue": [5.0, None]})
    assert list(on_screen(units)[0].columns)[:2] == ["business_unit", "total_cost"]


def test_the_mapping_coverage_fits_a_third_of_the_page():
    """Data → Mapping rules shows three tables side by side (about 316 px each at 1440): 'Share of unma…'."""
    rows = pd.DataFrame({"value": ["Amazon Web Services"], "unmapped": [469411.0], "share_of_unmapped": [0.209]})
    shown, config = on_screen(rows, headers={"value": "Vendor"})
    assert [config[c]["label"] for c in shown.columns] == ["Vendor", "Unmapped ($)", "Share"]
    assert config["share_of_unmapped"]["help"] == "Share of unmapped spend"
    width = sum(_width(config[c]["label"], [_cell(config[c].get("type_config", {}).get("format"), v)
                                            for v in shown[c]]) for c in shown.columns)
    assert width <= 316
