"""The board pack: the presentation's findings as a deck (PowerPoint) or a document (PDF), so a
facilitator leaves the room with slides and finance can schedule a monthly pack with cron.

One title slide (what, the filters, the as-of date), then one slide per finding: its sentence as the
title, its chart (vl-convert), its context and a source line. Built from alignment.findings with
the same analyses as the dashboards, so the pack never disagrees with the screen. Pure builders:
a Pack in, bytes out.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from alignment import charts, findings
from alignment.exports import describe_filters
from alignment.formatting import upper_first
from alignment.labels import label
from alignment.queries import get_query, parameters, run_query
from alignment.waves import default_wave

TITLE = "What IT costs, and what the business gets for it"
FORMATS = ("pptx", "pdf")
# The analysis behind each finding, named (by its title) on its slide's source line.
SOURCES = {"budget": "year_end_projection", "unmapped": "spend_by_business_goal", "portfolio": "portfolio_summary",
           "bottleneck": "bottleneck_stages", "gap": "alignment_gap", "maturity": "alignment_maturity"}
# Every analysis a finding reads (alignment.findings): a filter is named on its source line only if one
# of them takes it. The portfolio, the flow and the survey take no months, so their lines name none.
READS = {"budget": ("year_end_projection", "budget_vs_actual", "partial_months", "actuals_after_close"),
         "unmapped": ("spend_by_business_goal",), "portfolio": ("portfolio_summary",),
         "bottleneck": ("bottleneck_stages", "flow_efficiency"), "gap": ("alignment_gap",),
         "maturity": ("alignment_maturity",)}
SURVEY = ("gap", "maturity")
CHART_SIZE = (760, 300)  # pixels before vl-convert's 2× scale: wide, as a 16:9 slide is


@dataclass(frozen=True)
class Slide:
    title: str
    detail: str
    source: str
    image: bytes | None = None  # PNG


@dataclass(frozen=True)
class Pack:
    title: str
    filters: str
    as_of: dt.date
    slides: list[Slide] = field(default_factory=list)

    @property
    def subtitle(self) -> str:
        return f"{self.filters} · as of {self.as_of.day} {self.as_of:%B %Y}"


def _sized(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart at slide size; a chart whose parts size themselves (concat, facet) is left as it is."""
    try:
        return chart.properties(width=CHART_SIZE[0], height=CHART_SIZE[1])
    except (ValueError, TypeError, AttributeError):
        return chart


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    """A finding's chart as a PNG, in the organisation's currency, on white (slides are printed)."""
    chart = (charts.localised(_sized(chart)).configure(background="white")
             .configure_axis(labelFontSize=13, titleFontSize=14).configure_legend(labelFontSize=13, titleFontSize=13)
             .configure_title(fontSize=16))
    return charts.to_image(chart, "png")


def build(run: findings.Run, filters: dict[str, Any], as_of: dt.date, wave: str | None = None,
          images: bool = True) -> Pack:
    """The pack of the findings under these filters (the values the analyses were run with)."""
    shown = {"period_from": None, "period_to": None, **filters, **({"wave": wave} if wave else {})}
    slides = []
    for f in findings.build(run, wave, filters.get("business_unit")):
        image = chart_png(f.chart) if images and f.chart is not None else None
        slides.append(Slide(f.headline, f.detail, source_line(f.key, run, shown, as_of), image))
    return Pack(TITLE, describe_filters(shown), as_of, slides)


def source_line(key: str, run: findings.Run, filters: dict[str, Any], as_of: dt.date) -> str:
    """Where a finding comes from, in a reader's words: the analysis by its title, then only the
    filters its analyses take (months for spend, never for projects, flow or survey; the as-of date
    where it judges by one). Internal query names stay out: a board reads 'Portfolio summary'."""
    names = READS.get(key, ())
    taken = {p.name for name in names for p in parameters(name)}
    title = f"Source: {get_query(SOURCES[key]).title}. " if key in SOURCES else "Source: "
    scope = []
    if key == "budget":
        scope.append(_fiscal_year(run, filters))
    elif "period_from" in taken:
        months = describe_filters({k: filters.get(k) for k in ("period_from", "period_to")})
        scope.append(months.removesuffix(", all business units"))  # the unit is said below, in its own words
    unit = filters.get("business_unit")
    if key in SURVEY:
        scope.append(f"{unit}'s business people against all of IT" if unit else "all respondents")
        scope.append(_wave(run, filters.get("wave")))
    elif "business_unit" in taken or not names:
        scope.append(f"{unit} business unit" if unit else "all business units")
    # Analysis settings given as filters (check_params lets them through), where this analysis takes them.
    scope += [f"{label(k).lower()} {v}" for k, v in filters.items()
              if k in taken and k not in ("period_from", "period_to", "business_unit", "wave", "as_of")
              and v not in (None, "")]
    text = ", ".join(s for s in scope if s)
    when = f"; as of {as_of:%Y-%m-%d}" if "as_of" in taken or not names else ""
    return f"{title}{upper_first(text)}{when}."


def _fiscal_year(run: findings.Run, filters: dict[str, Any]) -> str:
    """The budget finding's months: the whole fiscal year, whatever months were chosen (they only pick it)."""
    try:
        p = run("year_end_projection").iloc[0]
        year = f"the whole of FY{int(p.fiscal_year)} ({p.fiscal_year_from} to {p.fiscal_year_to})"
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        year = "the whole fiscal year"
    chosen = filters.get("period_from") or filters.get("period_to")
    return year.replace(")", ": the chosen months pick the year)") if chosen else year


def _wave(run: findings.Run, wave: str | None) -> str:
    """The survey wave the figures are of: the one chosen, else the one the analyses default to."""
    if wave:
        return f"{label('wave').lower()} {wave}"
    try:
        default = default_wave(run("survey_waves"))
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        default = None
    return (f"{label('wave').lower()} {default} (the latest with enough answers)" if default is not None
            else "the latest survey wave")


def store_runner(cursor: Any, params: dict[str, Any], settings: dict[str, Any]) -> findings.Run:
    """A findings Run over a database: each analysis gets the parameters it takes, plus its own."""
    def run(name: str, **extra: Any) -> pd.DataFrame:
        taken = {p.name for p in parameters(name)}
        values = {k: v for k, v in {**params, **extra}.items() if k in taken and v is not None}
        return run_query(cursor, name, values, settings=settings)
    return run


def check_params(params: dict[str, Any]) -> None:
    """A typed filter name that no finding's analysis takes would be ignored silently: say so."""
    known = {p.name for names in READS.values() for name in names for p in parameters(name)}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"The board pack's filters are period_from, period_to, business_unit and wave (the "
                         f"analyses' settings may be given too); not {', '.join(unknown)}.")


# --- PowerPoint ----------------------------------------------------------------------------------

def to_pptx(pack: Pack) -> bytes:
    """A 16:9 deck: a title slide, then a slide per finding (title, chart, context, source)."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = pack.title
    cover.placeholders[1].text = pack.subtitle
    width = deck.slide_width - Inches(1)
    for s in pack.slides:
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # title only
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.3), width, Inches(1.3)
        title.text = s.title
        for paragraph in title.text_frame.paragraphs:
            paragraph.font.size = Pt(28 if len(s.title) < 110 else 24)
        top = Inches(1.7)
        if s.image:
            picture = slide.shapes.add_picture(io.BytesIO(s.image), Inches(0.5), top, height=Inches(4.0))
            if picture.width > width:  # keep it on the slide: scale down to the width
                ratio = width / picture.width
                picture.width, picture.height = Emu(int(picture.width * ratio)), Emu(int(picture.height * ratio))
            picture.left = int((deck.slide_width - picture.width) / 2)
            top = picture.top + picture.height + Inches(0.1)
        _text(slide, s.detail, Inches(0.5), top, width, Inches(1.0), Pt(14))
        _text(slide, s.source, Inches(0.5), deck.slide_height - Inches(0.55), width, Inches(0.4), Pt(10))
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _text(slide: Any, text: str, left: int, top: int, width: int, height: int, size: Any) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    box.text_frame.word_wrap = True
    box.text_frame.text = text
    for paragraph in box.text_frame.paragraphs:
        paragraph.font.size = size


# --- PDF -----------------------------------------------------------------------------------------

FONT_PATHS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
              Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
              Path("/Library/Fonts/Arial Unicode.ttf"), Path("C:/Windows/Fonts/arial.ttf")]
# Without a Unicode font, the PDF's built-in Helvetica has Latin-1 only: these read the same.
LATIN1 = str.maketrans({"−": "-", "–": "-", "—": "-", "÷": "/", "×": "x", "’": "'", "‘": "'", "“": '"',
                        "”": '"', "…": "...", "€": "EUR ", "₹": "INR ", "₩": "KRW ", "·": "-"})


def _font(pdf: Any) -> tuple[str, Callable[[str], str]]:
    """A Unicode font of this machine if there is one, else Helvetica with text folded to Latin-1."""
    for path in FONT_PATHS:
        if path.is_file():
            pdf.add_font("body", "", str(path))
            return "body", str
    return "helvetica", lambda text: text.translate(LATIN1).encode("latin-1", "replace").decode("latin-1")


def to_pdf(pack: Pack) -> bytes:
    """A landscape 16:9 document, a page per slide, the same content as the deck."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", unit="mm", format=(190.5, 338.7))
    pdf.set_auto_page_break(False)
    pdf.set_margins(14, 12, 14)
    family, clean = _font(pdf)
    usable = pdf.w - 28
    pdf.add_page()
    pdf.set_font(family, size=30)
    pdf.set_y(60)
    pdf.multi_cell(usable, 13, clean(pack.title), align="C")
    pdf.ln(6)
    pdf.set_font(family, size=15)
    pdf.multi_cell(usable, 8, clean(pack.subtitle), align="C")
    for s in pack.slides:
        pdf.add_page()
        pdf.set_font(family, size=20 if len(s.title) < 110 else 17)
        pdf.multi_cell(usable, 9, clean(s.title), align="L")
        y = pdf.get_y() + 3
        if s.image:
            height = min(112.0, pdf.h - y - 34)
            info = pdf.image(io.BytesIO(s.image), x=14, y=y, h=height, keep_aspect_ratio=True, w=usable)
            y += float(getattr(info, "rendered_height", height)) + 3
        pdf.set_xy(14, y)
        pdf.set_font(family, size=11)
        pdf.multi_cell(usable, 5.5, clean(s.detail), align="L")
        pdf.set_xy(14, pdf.h - 14)
        pdf.set_font(family, size=8)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(usable, 4, clean(s.source), align="L")
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def render(pack: Pack, fmt: str) -> bytes:
    if fmt == "pptx":
        return to_pptx(pack)
    if fmt == "pdf":
        return to_pdf(pack)
    raise ValueError(f"The board pack is made as pptx or pdf, not {fmt}.")
