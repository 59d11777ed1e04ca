"""The board pack: the presentation's findings as slides and pages, read back the way a person would
(python-pptx for the deck, pdftotext for the document), on the tiny company of tests/fixtures.py."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from alignment import findings, report
from alignment.cli import main as cli_main
from alignment.formatting import use_money_style
from alignment.store import Store
from tests import fixtures

# Worked out by hand from fixtures.spend(): actuals in Jan and Feb 2025 only (March is forecast).
# All units: 110 + 180 + 130 + 80 = 500 against those months' budget 300 + 150 = 450, 11.1% over.
# Sales alone: 110 + 130 = 240 against 100 + 100 = 200, 20.0% over.
ALL_UNITS = "IT has spent $500 in FY2025 to 2025-02: 11.1% over budget to date."
SALES = "IT for Sales has spent $240 in FY2025 to 2025-02: 20.0% over budget to date."


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "pack.duckdb"
    with Store(path) as store:
        fixtures.load(store)
        store.save_settings({"as_of": fixtures.AS_OF})
    use_money_style("USD")
    return path


def computed(path, **params) -> list[findings.Finding]:
    with Store(path, read_only=True) as store:
        run = report.store_runner(store.cursor(), params, store.settings())
        return findings.build(run, params.get("wave"), params.get("business_unit"))


def headlines(path, **params) -> list[str]:
    return [f.headline for f in computed(path, **params)]


def test_the_deck_has_a_slide_per_finding_titled_by_its_sentence_with_its_chart(db, tmp_path):
    out = tmp_path / "pack.pptx"
    assert cli_main(["report", "--db", str(db), "-o", str(out)]) == 0
    deck = Presentation(str(out))
    cover, *slides = deck.slides
    assert cover.shapes.title.text == report.TITLE
    assert cover.placeholders[1].text == "All months, all business units · as of 31 March 2025"
    expected = headlines(db)
    assert [s.shapes.title.text for s in slides] == expected and expected[0] == ALL_UNITS
    pictures = [[sh for sh in s.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE] for s in slides]
    charted = [f.chart is not None for f in computed(db)]
    assert [len(p) for p in pictures] == [int(c) for c in charted] and sum(charted) >= 4
    assert all(p.left >= 0 and p.left + p.width <= deck.slide_width for ps in pictures for p in ps)
    sources = [sh.text_frame.text for s in slides for sh in s.shapes if sh.has_text_frame
               and sh.text_frame.text.startswith("Source: ")]
    assert sources[0] == ("Source: Year-end projection. The whole of FY2025 (2025-01 to 2025-12), all business "
                          "units; as of 2025-03-31.")


def test_a_filtered_pack_shows_the_filtered_figures(db, tmp_path):
    out = tmp_path / "sales.pptx"
    assert cli_main(["report", "--db", str(db), "--param", "business_unit=Sales", "--format", "pptx",
                     "-o", str(out)]) == 0
    cover, first, *_ = Presentation(str(out)).slides
    assert "Sales" in cover.placeholders[1].text
    assert first.shapes.title.text == SALES


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) reads the PDF back")
def test_the_pdf_has_the_same_findings_as_pages_with_their_charts(db, tmp_path):
    out = tmp_path / "sales.pdf"
    assert cli_main(["report", "--db", str(db), "--param", "business_unit=Sales", "-o", str(out)]) == 0
    data = out.read_bytes()
    pages = [" ".join(p.split()) for p in subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True,
                                                         capture_output=True, text=True).stdout.split("\f")[:-1]]
    expected = headlines(db, business_unit="Sales")
    assert pages[0].startswith(report.TITLE) and "Sales" in pages[0]
    assert [p.startswith(h) for p, h in zip(pages[1:], expected, strict=True)] == [True] * len(expected)
    assert pages[1].startswith(SALES)
    charts = sum(f.chart is not None for f in computed(db, business_unit="Sales"))
    assert len(re.findall(rb"/Subtype /Image", data)) == charts


def test_a_pack_without_data_has_its_title_page_and_says_so(tmp_path, capsys):
    Store(tmp_path / "empty.duckdb").close()
    out = tmp_path / "empty.pptx"
    assert cli_main(["report", "--db", str(tmp_path / "empty.duckdb"), "-o", str(out)]) == 0
    assert len(Presentation(str(out)).slides) == 1
    assert "no finding has data" in capsys.readouterr().err


def test_a_wrong_filter_name_or_format_is_said_in_words(db, tmp_path, capsys):
    assert cli_main(["report", "--db", str(db), "--param", "busines_unit=Sales", "-o", str(tmp_path / "a.pdf")]) == 1
    assert "not busines_unit" in capsys.readouterr().err and not (tmp_path / "a.pdf").exists()
    assert cli_main(["report", "--db", str(db), "-o", str(tmp_path / "a.doc")]) == 2
    assert "--format pdf" in capsys.readouterr().err


def test_without_a_unicode_font_the_pdf_still_reads(monkeypatch):
    monkeypatch.setattr(report, "FONT_PATHS", [])
    pack = report.Pack("Costs − budget ÷ 2 → €", "All months", dt.date(2025, 3, 31),
                       [report.Slide("Spend is €5 − 3 over", "detail", "Source: x")])
    assert report.to_pdf(pack).startswith(b"%PDF")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) reads the PDF back")
def test_source_lines_name_only_the_filters_their_analysis_takes_in_business_words(db, tmp_path):
    """The portfolio, bottleneck and survey pages said 'Months 2025-01 to 2025-02' though those analyses
    ignore the months, and every source line showed a query's internal name, '(year_end_projection)'."""
    out = tmp_path / "months.pdf"
    assert cli_main(["report", "--db", str(db), "--param", "period_from=2025-01-01", "--param",
                     "period_to=2025-02-28", "-o", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    lines = [" ".join(p.split()) for p in text.split("\f")[1:-1]]
    found = computed(db, period_from="2025-01-01", period_to="2025-02-28")
    sources = {f.key: p[p.index("Source: "):] for f, p in zip(found, lines, strict=True)}
    assert {"budget", "unmapped", "portfolio", "bottleneck", "gap", "maturity"} <= set(sources)
    for line in sources.values():
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", line), line  # no internal name, in brackets or not
    assert sources["unmapped"] == "Source: Spend by business goal. Months 2025-01 to 2025-02, all business units."
    # The year end is the whole fiscal year's, whatever months are chosen: the months only pick it.
    assert sources["budget"] == ("Source: Year-end projection. The whole of FY2025 (2025-01 to 2025-12: the chosen "
                                 "months pick the year), all business units; as of 2025-03-31.")
    assert sources["portfolio"] == "Source: Portfolio summary. All business units; as of 2025-03-31."
    assert sources["bottleneck"] == "Source: Bottleneck stages. All business units; as of 2025-03-31."
    for key in ("gap", "maturity", "portfolio", "bottleneck"):
        assert "Months" not in sources[key] and "2025-01" not in sources[key], sources[key]
    assert sources["gap"].startswith("Source: IT vs business perception gap. All respondents, survey wave ")
    assert "as of" not in sources["gap"]  # a survey wave is not judged on the as-of date


def test_a_unit_and_a_wave_are_named_where_they_apply(db):
    as_of = dt.date.fromisoformat(str(fixtures.AS_OF))
    with Store(db, read_only=True) as store:
        params = {"business_unit": "Sales"}
        run = report.store_runner(store.cursor(), params, store.settings())
        wave = run("survey_waves")["wave"].iloc[-1]
        line = report.source_line("gap", run, {**params, "wave": wave}, as_of)
        assert line == f"Source: IT vs business perception gap. Sales's business people against all of IT, " \
                       f"survey wave {wave}."
        assert report.source_line("portfolio", run, {**params, "period_from": "2025-01-01"}, as_of) == \
            f"Source: Portfolio summary. Sales business unit; as of {as_of:%Y-%m-%d}."
