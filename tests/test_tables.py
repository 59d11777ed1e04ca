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
        "Business goal", "No business goal", "Actual spend (€)", "Share of spend", "Projects", "Month", "Planned end",
        "Maturity (1-5)", "Tower", "Mystery field"]
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
