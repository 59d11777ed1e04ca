"""What a person sees, in a real browser: Debian's chromium, driven by Playwright, against a live server.

Every page is walked once in a light and once in a dark browser at 1440×1000, and the join form
on a 390×844 phone, saving a screenshot of each under tests/artifacts/; the tests below then
assert on what those pages showed: table cells as drawn (the grid's own display text, not the
data behind it), chart axes and legends as rendered (Vega's SVG), and the metrics."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from alignment import bench_browser, labels, loadtest
from alignment.demo import load_demo
from alignment.schema import LUFTMAN_DIMENSIONS
from alignment.store import Store
from tests.conftest import xlsx

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = bench_browser.CHROMIUM_ARGS
DESKTOP = {"width": 1440, "height": 1000}
PHONE = {"width": 390, "height": 844}
ROOM_SCREEN = {"width": 1920, "height": 1080}  # the room's big screen: the presentation and the live survey
THEMES = ("light", "dark")
ROOM = "ROOM42"
# name: (address, the page's heading or None for any, whether it shows charts)
PAGES = {"overview": ("", "What IT costs, and what the business gets for it", True),
         "spend": ("spend", "Spend & value", True), "portfolio": ("portfolio", "Portfolio", True),
         "bottlenecks": ("bottlenecks", "Bottlenecks", True), "alignment": ("alignment", "Alignment survey", True),
         "present": ("?present=1", None, True), "live": (f"live?session={ROOM}", "Live survey", False),
         "data": ("data", "Data", False), "settings": ("settings", "Settings", False),
         "sql": ("sql", "SQL explorer", False)}
WHOLE_PAGE = {"overview-light", "spend-light"}  # also saved whole, for the README
TABS = {"data": ("Upload history", "Mapping rules")}  # tabs with tables of their own, opened on the walk
CHART = "[data-testid='stVegaLiteChart'] svg"
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
MONTH_LABEL = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?( '?\d{2,4})?$")
# A bare number of five or more digits, or of four that is not a year: written without separators.
UNFORMATTED = re.compile(r"^[-−]?(\d{5,}|(?!19\d\d|20\d\d)\d{4})([.,]\d+)?$")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed "
                                "(make test installs it)")

# What one page shows, read in the page: each table's headers and each cell as the grid draws it
# (a missing value is drawn as the table's placeholder, "None" unless the page sets one), each
# chart's axis titles and labels and legend titles, and every metric's value.
SEEN_JS = """(root) => {
  const tables = [];
  for (const grid of root.querySelectorAll("[data-testid='stDataFrame']")) {
    if (!grid.checkVisibility()) continue;  // in a tab not open
    const canvas = grid.querySelector('canvas');
    if (!canvas) { tables.push(null); continue; }
    const key = Object.keys(canvas).find(k => k.startsWith('__reactFiber'));
    let fiber = canvas[key], editor = null, element = null;
    for (; fiber; fiber = fiber.return) {
      const p = fiber.memoizedProps;
      if (!p) continue;
      if (!editor && typeof p.getCellContent === 'function' && typeof p.rows === 'number' && p['data-testid'])
        editor = p;
      if (!element && p.element && 'placeholder' in p.element) element = p.element;
    }
    if (!editor) { tables.push(null); continue; }
    const placeholder = element && element.placeholder != null ? element.placeholder : 'None';
    const columns = editor.columns.map(c => c.title);
    const rows = [];
    for (let r = 0; r < Math.min(editor.rows, 100); r++)
      rows.push(columns.map((_, c) => {
        const cell = editor.getCellContent([c, r]);
        const shown = cell.isMissingValue ? placeholder
          : (cell.displayData ?? (cell.data && cell.data.displayDate) ?? String(cell.data ?? ''));
        return [cell.kind, String(shown), cell.data == null ? null : String(cell.data)];
      }));
    tables.push({columns, rows});
  }
  const charts = [...root.querySelectorAll("[data-testid='stVegaLiteChart']")].filter(c => c.checkVisibility())
    .map(chart => ({
    axes: [...chart.querySelectorAll('g.role-axis')].map(axis => ({
      title: [...axis.querySelectorAll('.role-axis-title text')].map(t => t.textContent).join(' '),
      labels: [...axis.querySelectorAll('.role-axis-label text')].map(t => t.textContent)})),
    legends: [...chart.querySelectorAll('.role-legend-title text')].map(t => t.textContent),
    inks: [...new Set([...chart.querySelectorAll('.role-axis text, .role-legend text, .role-title text')]
      .filter(t => t.textContent.trim())
      .map(t => getComputedStyle(t).fill))]}));
  const metrics = [...root.querySelectorAll("[data-testid='stMetricValue']")].map(m => m.innerText.trim());
  const errors = [...root.querySelectorAll("[data-testid='stException']")].map(e => e.innerText.slice(0, 200));
  const main = root.querySelector("[data-testid='stMain']") || root;
  const taps = [...main.querySelectorAll("[role='radiogroup'] label, button")]
    .filter(e => e.checkVisibility()).map(e => {
      const box = e.getBoundingClientRect();
      return [e.innerText.trim().slice(0, 30), box.height, box.width];
    });
  return {tables, charts, metrics, errors, taps, width: document.documentElement.scrollWidth};
}"""


@contextmanager
def _serving(db: Path, **settings: str) -> Iterator[str]:
    """A real Streamlit server started as `make run` starts it, on a free port, stopped afterwards;
    yields its address."""
    with loadtest.serve(db, env=settings) as server:
        yield server.url


def _demo_db(path: Path) -> Path:
    with Store(path) as store:
        load_demo(store)
    return path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


# True once the page has drawn the same number of elements, with no "Running…" sign, for 500 ms:
# Streamlit streams a page element by element, so a heading can show before the tables below it.
SETTLED_JS = """() => {
  const count = document.querySelectorAll("[data-testid='stElementContainer']").length
    + (document.querySelector("[data-testid='stStatusWidget']") ? 100000 : 0);
  const now = performance.now(), last = window.__settled;
  if (!last || last.count !== count) { window.__settled = {count, since: now}; return false; }
  return now - last.since > 500;
}"""


def _wait_for_app(page):
    page.wait_for_selector("[data-testid='stApp']", timeout=30_000)
    page.wait_for_function(SETTLED_JS, timeout=30_000, polling=100)


# Pairs of a chart's axis labels drawn over each other (a chart too short for its bars, say).
OVERLAPPING_LABELS = """svg => {
  const boxes = [...svg.querySelectorAll('.role-axis-label text')].map(t => [t.textContent, t.getBoundingClientRect()]);
  const over = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                      && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const found = [];
  boxes.forEach(([s, a], i) => boxes.slice(i + 1).forEach(([t, b]) => { if (over(a, b)) found.push([s, t]); }));
  return found;
}"""


def _look_at(page, name: str, has_charts: bool) -> dict:
    """Everything on the page brought into view (tables draw only when seen), read, screenshotted."""
    if has_charts:
        page.locator(CHART).first.wait_for(timeout=30_000)
    _wait_for_app(page)
    grids = page.locator("[data-testid='stDataFrame']").locator("visible=true")  # not those in a closed tab
    for i in range(grids.count()):
        grids.nth(i).scroll_into_view_if_needed()
        grids.nth(i).locator("canvas").first.wait_for(timeout=10_000)
    charts = page.locator(CHART).locator("visible=true")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
    seen = page.locator("[data-testid='stApp']").evaluate(SEEN_JS)
    # back to the top: the app scrolls inside its main area, not the window
    page.evaluate("window.scrollTo(0, 0); for (const e of document.querySelectorAll('*')) e.scrollTop = 0")
    page.wait_for_timeout(200)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if name in WHOLE_PAGE:  # the window made as tall as the page, which scrolls inside its main area
        size = page.viewport_size
        tall = page.locator("[data-testid='stMainBlockContainer']").evaluate("e => e.getBoundingClientRect().bottom")
        page.set_viewport_size({"width": size["width"], "height": min(int(tall), 6000)})
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / f"{name}-whole.png"))
        page.set_viewport_size(size)
    return seen


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> Iterator[str]:
    """One server on the demo company (with a room open) for the walk and the presentation."""
    db = _demo_db(tmp_path_factory.mktemp("walk") / "demo.duckdb")
    with Store(db) as store:
        store.open_live_session(ROOM, "Browser walk")
    with _serving(db) as url:
        yield url


@pytest.fixture(scope="module")
def seen(browser, demo_url) -> dict[str, dict]:
    """Every page in both themes and the join form on a phone, read once for the tests below."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    views: dict[str, dict] = {}
    # Both themes side by side, page by page: one browser draws while the other waits on the server.
    pages = {theme: browser.new_context(viewport=DESKTOP, color_scheme=theme).new_page() for theme in THEMES}
    for name, (path, heading, has_charts) in PAGES.items():
        started = time.monotonic()
        for page in pages.values():
            page.goto(f"{demo_url}/{path}")
        for theme, page in pages.items():
            title = page.get_by_role("heading", name=heading) if heading else page.locator("h1")
            title.first.wait_for(timeout=30_000)
            views[f"{name}-{theme}"] = _look_at(page, f"{name}-{theme}", has_charts)
            for tab in TABS.get(name, ()):
                page.get_by_role("tab", name=tab).click()
                view = f"{name}-{tab.split()[-1].lower()}-{theme}"
                views[view] = _look_at(page, view, False)
        print(f"{name}: {time.monotonic() - started:.1f}s")
    phones = {theme: browser.new_context(viewport=PHONE, color_scheme=theme, is_mobile=True, has_touch=True)
              .new_page() for theme in THEMES}
    for page in phones.values():
        page.goto(f"{demo_url}/?join={ROOM}")
    for theme, page in phones.items():
        page.get_by_role("radiogroup", name="I work in").wait_for(timeout=30_000)
        views[f"join-{theme}"] = _look_at(page, f"join-{theme}", False)
    for page in [*pages.values(), *phones.values()]:
        page.context.close()
    (ARTIFACTS / "seen.json").write_text(json.dumps(views, indent=1, ensure_ascii=False))  # to read a failure by
    return views


def _tables(views: dict[str, dict]):
    for view, found in views.items():
        for table in found["tables"]:
            if table:
                yield view, table


def _axes(views: dict[str, dict]):
    for view, found in views.items():
        for index, chart in enumerate(found["charts"]):
            for axis in chart["axes"]:
                if axis["labels"] or axis["title"]:
                    yield f"{view} chart {index + 1}", axis


def _legends(views: dict[str, dict]):
    for view, found in views.items():
        for index, chart in enumerate(found["charts"]):
            for title in chart["legends"]:
                yield f"{view} chart {index + 1}", title


def none_cells(views: dict[str, dict]) -> list:
    """Table cells, metrics and axis labels that read None (or nan, NaT…) where a blank belongs."""
    blank = ("None", "nan", "NaN", "NaT", "<NA>", "null")
    cells = [(view, table["columns"][c], r) for view, table in _tables(views) for r, row in enumerate(table["rows"])
             for c, (_, shown, _) in enumerate(row) if shown.strip() in blank]
    metrics = [(view, m) for view, seen in views.items() for m in seen["metrics"] if m.strip() in blank]
    return cells + metrics + [(chart, label) for chart, axis in _axes(views) for label in axis["labels"]
                              if label.strip() in blank]


def snake_case_names(views: dict[str, dict]) -> set:
    headers = {(view, h) for view, table in _tables(views) for h in table["columns"] if SNAKE.match(h)}
    titles = {(chart, axis["title"]) for chart, axis in _axes(views) if SNAKE.match(axis["title"])}
    return headers | titles | {(chart, t) for chart, t in _legends(views) if SNAKE.match(t)}


def repeated_headers(views: dict[str, dict]) -> list:
    return [(view, table["columns"]) for view, table in _tables(views)
            if len(set(table["columns"])) != len(table["columns"])]


def repeated_months(views: dict[str, dict]) -> dict:
    """Axes that name a month twice. 'May' after 'Feb 2025' is May 2025 (a time axis writes the year
    where it changes), so each label is read with the year last written before it."""
    repeated = {}
    for chart, axis in _axes(views):
        months, year = [], ""
        for label in axis["labels"]:
            if MONTH_LABEL.match(label):
                year = re.search(r"\d{2,4}$", label)[0] if re.search(r"\d{2,4}$", label) else year
                months.append(f"{label.split()[0][:3]} {year}")
        if len(months) != len(set(months)):
            repeated[chart] = axis["labels"]
    return repeated


def titled_category(views: dict[str, dict]) -> list:
    return [chart for chart, title in [*((c, a["title"]) for c, a in _axes(views)), *_legends(views)]
            if title.strip().casefold() == "category"]


def _unit_of(header: str) -> str | None:
    """The unit the one label table gives a header, when every column it names agrees (a money
    header carries its currency: "Actual spend ($)")."""
    units = {unit for label, unit in labels.COLUMNS.values() if label == header}
    if not units and (money := re.match(r"^(.*) \([^)]+\)$", header)):
        units = {unit for label, unit in labels.COLUMNS.values() if label == money[1]} & {labels.MONEY}
    return units.pop() if len(units) == 1 else None


def unformatted_numbers(views: dict[str, dict]) -> set:
    """Numbers as a person should not read them: long ones without separators, raw decimals, and
    money or shares (by the label table's unit of the header) without their currency (in the cell
    or the header) or %, and a minus after a currency symbol ("$-6,494")."""
    found = {(view, m) for view, seen in views.items() for m in seen["metrics"] if UNFORMATTED.match(m)}
    found |= {(chart, label) for chart, axis in _axes(views) for label in axis["labels"]
              if UNFORMATTED.match(label.replace("$", ""))}
    for view, table in _tables(views):
        for c, header in enumerate(table["columns"]):
            unit = _unit_of(header)
            for kind, shown, raw in (row[c] for row in table["rows"]):
                if kind != "number" or raw is None:
                    continue
                if (UNFORMATTED.match(shown) or re.search(r"\.\d{3,}", shown)
                        or unit == labels.SHARE and not shown.endswith("%")
                        or re.search(r"[$€£¥][-−]", shown)
                        or unit == labels.MONEY and not re.search(r"[$€£¥]|[A-Z]{3}", shown + header)):
                    found.add((view, header, shown))
    return found


def _lightness(colour: str) -> float:
    """0 for black, 1 for white: 'rgb(49, 51, 63)' → its relative luminance."""
    channels = [int(v) / 255 for v in re.findall(r"\d+", colour)[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def unreadable_chart_text(views: dict[str, dict]) -> set:
    """Axis, legend and title text drawn in a colour close to the page's: dark ink on a dark page,
    light on a light one (text on the bars themselves sits on the bar's colour, so it is left out)."""
    found = set()
    for view, seen in views.items():
        dark = view.endswith("-dark")
        for index, chart in enumerate(seen["charts"]):
            for ink in chart["inks"]:
                if ink.startswith("rgb") and (_lightness(ink) < 0.2 if dark else _lightness(ink) > 0.6):
                    found.add((f"{view} chart {index + 1}", ink))
    return found


def test_every_page_was_seen_without_an_error(seen):
    tabs = [f"{name}-{tab.split()[-1].lower()}" for name, names in TABS.items() for tab in names]
    assert set(seen) == {f"{name}-{theme}" for name in [*PAGES, *tabs, "join"] for theme in THEMES}
    assert {view: found["errors"] for view, found in seen.items() if found["errors"]} == {}
    assert [view for view, found in seen.items() if None in found["tables"]] == []  # every table was read
    # the dashboards show tables, charts and metrics; the walk read them (not an empty page)
    assert all(seen[f"{name}-light"]["charts"] for name in ("overview", "spend", "portfolio", "bottlenecks"))
    assert sum(len(found["tables"]) for found in seen.values()) >= 10
    assert seen["overview-dark"]["metrics"]


def test_no_table_cell_reads_none(seen):
    assert none_cells(seen) == []


def test_no_header_or_axis_title_is_snake_case(seen):
    assert snake_case_names(seen) == set()


def test_no_table_repeats_a_header(seen):
    assert repeated_headers(seen) == []


def test_no_month_label_repeats_on_an_axis(seen):
    assert repeated_months(seen) == {}


def test_no_axis_or_legend_is_titled_category(seen):
    assert titled_category(seen) == []


def test_chart_text_reads_against_the_page_in_both_themes(seen):
    assert unreadable_chart_text(seen) == set()


def test_numbers_are_formatted_with_separators_currency_and_percent(seen):
    assert unformatted_numbers(seen) == set()
    # the walk does see overruns and underruns: a money column whose header names the currency, with
    # a cell that starts with its minus
    negatives = {shown for _, table in _tables(seen) for c, header in enumerate(table["columns"])
                 if header.endswith("($)") for kind, shown, _ in (row[c] for row in table["rows"])
                 if kind == "number" and re.match(r"^-\d", shown)}
    assert negatives


def test_the_join_form_fits_a_phone(seen):
    for theme in THEMES:
        assert seen[f"join-{theme}"]["width"] <= PHONE["width"], theme  # nothing scrolls sideways


def test_every_tap_target_on_the_phone_is_at_least_44_px(seen):
    taps = seen["join-light"]["taps"]
    assert len(taps) >= 6 * 5 + 2  # six questions of five choices, the two sides (and the send button)
    assert [tap for tap in taps if tap[1] < 44] == []


def test_an_empty_app_then_a_first_upload_then_the_dashboards(tmp_path, browser):
    """The main path: the first screen's 'Load your first file', an upload, Load, the link to the dashboards."""
    with _serving(tmp_path / "browser.duckdb") as url:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(url)
        _wait_for_app(page)
        page.get_by_role("button", name="Load the demo company").wait_for(timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "empty-app.png"))
        page.get_by_role("button", name="Load your first file").click()
        page.get_by_role("heading", name="Data").first.wait_for(timeout=30_000)
        workbook = tmp_path / "gl.xlsx"
        workbook.write_bytes(xlsx([["Acme IT spend"], [], ["Month", "Business Unit", "Supplier", "Actual (USD)",
                                                             "Budget", "Business goal"],
                                   ["Jan-2025", "Retail", "AWS", "$1,200.00", 1000, "Grow online sales"],
                                   ["Feb-2025", "Retail", "AWS", "$900.00", 1000, None]], sheet="GL"))
        page.set_input_files("input[type=file]", str(workbook))
        page.get_by_text("2 rows ready to load").wait_for(timeout=30_000)
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30_000)
        wizard = {"upload-wizard": _look_at(page, "upload-wizard", False)}
        mapping = page.locator("[data-testid='stSelectbox']").filter(has_text="Business unit")
        assert mapping.first.is_visible()  # a dropdown per column, by its business name
        assert (none_cells(wizard), snake_case_names(wizard), unformatted_numbers(wizard)) == ([], set(), set())
        assert wizard["upload-wizard"]["tables"][0]["columns"][:2] == ["Month", "Business unit"]
        page.get_by_role("button", name="Load", exact=True).click()
        page.get_by_text("Loaded 2 rows into IT spend").wait_for(timeout=30_000)
        assert page.get_by_role("button", name="Load", exact=True).is_disabled()
        page.get_by_role("link", name="See the dashboards").click()
        page.get_by_text("Spend by business goal").first.wait_for(timeout=30_000)
        page.locator(CHART).first.wait_for(timeout=30_000)
        _wait_for_app(page)
        page.screenshot(path=str(ARTIFACTS / "upload-then-overview.png"))
        assert page.get_by_text("$2.1k").count() >= 1  # IT spend: 1,200 + 900
        assert page.locator(CHART).first.evaluate(OVERLAPPING_LABELS) == []  # two goals: each label readable
        # The sidebar's filters change the figures, and the address keeps them from page to page.
        # The browser's own select, reached by its label as a keyboard or screen reader would.
        page.locator("[data-testid='stSidebar']").get_by_label("From month", exact=True).select_option("2025-02")
        page.get_by_text("$900").first.wait_for(timeout=30_000)  # IT spend: February only
        page.wait_for_url("**from=2025-02**", timeout=30_000)
        page.locator("[data-testid='stSidebarNavLink']").filter(has_text="Spend & value").click()
        page.get_by_role("heading", name="Spend & value").first.wait_for(timeout=30_000)
        page.wait_for_url("**/spend?*from=2025-02*", timeout=30_000)  # a link copied here reproduces the view


def test_a_business_unit_named_like_markup_is_text_in_the_filters(tmp_path, browser):
    """The sidebar's filters are our own script (app_pages/assets/filters.js): a name from an
    uploaded file must reach the page as the option's text, never as markup that runs."""
    from alignment.ingest import ingest

    hostile = '<img src=x onerror="window.__pwned = 1">'
    db = tmp_path / "hostile.duckdb"
    with Store(db) as store:
        text = f'Month,Business unit,Actual\n2025-01,"{hostile.replace(chr(34), chr(34) * 2)}",100\n2025-02,Retail,50\n'
        assert ingest(store, text.encode(), "spend.csv", "spend").status == "loaded"
    with _serving(db) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url)
        page.locator(CHART).first.wait_for(timeout=60_000)
        _wait_for_app(page)
        units = page.locator("[data-testid='stSidebar']").get_by_label("Business unit", exact=True)
        assert hostile in units.locator("option").all_inner_texts()
        units.select_option(hostile)
        page.get_by_text(f"Showing {hostile}").first.wait_for(timeout=30_000)
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("[data-testid='stSidebar'] img").count() == 0
        page.close()


def _answer_on_a_phone(browser, url: str, code: str, side: str, score: str, screenshot: Path | None = None):
    phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{url}/?join={code}")
    phone.get_by_role("heading", name="How aligned are IT and the business?").wait_for(timeout=30_000)
    assert phone.locator("[data-testid='stSidebar']").count() == 0
    phone.get_by_role("radiogroup", name="I work in").get_by_text(side, exact=True).click()
    for dimension in ("Communications", "Value measurement", "Governance", "Partnership",
                      "Scope & architecture", "Skills"):
        phone.get_by_role("radiogroup", name=dimension).get_by_text(score, exact=True).click()
    if screenshot:
        phone.screenshot(path=str(screenshot), full_page=True)
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_text("your answers are in").wait_for(timeout=30_000)
    phone.close()


def test_live_survey_answers_from_a_phone_reach_the_big_screen(tmp_path, browser):
    db = _demo_db(tmp_path / "live.duckdb")
    # Two phones: below the default minimum of 5 a side a room's results stay hidden, so this room
    # has set its minimum to one (a facilitator's choice on the Settings page).
    with Store(db) as store:
        store.save_settings({"min_respondents": 1})
    # The address phones use differs from the one the facilitator's browser shows.
    with _serving(db, ALIGNMENT_PUBLIC_URL="http://alignment.example.test:8501") as url:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screen = browser.new_page(viewport=ROOM_SCREEN)
        screen.goto(f"{url}/live")
        _wait_for_app(screen)
        screen.get_by_role("button", name="Open a session").click()
        screen.get_by_text("Waiting for the first answers").wait_for(timeout=30_000)
        code = screen.url.split("session=")[1][:6]
        screen.get_by_text(f"http://alignment.example.test:8501/?join={code}").wait_for(timeout=10_000)
        screen.screenshot(path=str(ARTIFACTS / "live-waiting.png"))
        for viewport in (DESKTOP, ROOM_SCREEN):  # the QR code never runs over the counts beside it
            screen.set_viewport_size(viewport)
            screen.wait_for_timeout(300)
            qr = screen.locator(".st-key-qr img").bounding_box()
            count = screen.locator("[data-testid='stMetric']").first.bounding_box()
            assert qr["x"] + qr["width"] <= count["x"], (viewport, qr, count)
        assert qr["height"] >= ROOM_SCREEN["height"] / 2  # on the room's screen: half its height

        _answer_on_a_phone(browser, url, code, "IT", "4", ARTIFACTS / "live-phone.png")
        # No reload: the big screen's fragment redraws itself every two seconds.
        screen.locator("[data-testid='stMetricValue']", has_text="1").first.wait_for(timeout=15_000)
        _answer_on_a_phone(browser, url, code, "The business", "2")
        screen.locator("[data-testid='stMetricValue']", has_text="2").first.wait_for(timeout=15_000)
        screen.locator(CHART).first.wait_for(timeout=15_000)
        screen.wait_for_timeout(1000)
        screen.screenshot(path=str(ARTIFACTS / "live-answers.png"))
        # Every dimension named on the big screen: in the room's type Vega once dropped three of six labels.
        drawn = set(screen.locator(f"{CHART} text").evaluate_all(  # a label Vega hides stays, at opacity 0
            "els => els.filter(e => getComputedStyle(e).opacity !== '0').map(e => e.textContent)"))
        assert set(LUFTMAN_DIMENSIONS) <= drawn, set(LUFTMAN_DIMENSIONS) - drawn


def test_presentation_mode_steps_with_the_arrow_keys(browser, demo_url):
    page = browser.new_page(viewport=ROOM_SCREEN)
    page.goto(f"{demo_url}/?present=1")
    page.get_by_role("heading", name="IT has spent").wait_for(timeout=30_000)
    page.locator(CHART).first.wait_for(timeout=30_000)
    assert page.locator("[data-testid='stSidebar']").count() == 0
    page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "present-1.png"))
    page.keyboard.press("ArrowRight")
    page.get_by_role("heading", name="serves no named business goal").wait_for(timeout=30_000)
    assert "slide=2" in page.url


@pytest.mark.parametrize("screen", [ROOM_SCREEN, {"width": 1440, "height": 900}, {"width": 1280, "height": 720}],
                         ids=lambda s: f"{s['width']}x{s['height']}")
def test_every_slide_fits_the_screen_with_its_chart_axis_in_view(browser, demo_url, screen):
    """At a laptop's 1440x900 the chart's axis once fell below the window on three of six slides."""
    page = browser.new_page(viewport=screen)
    try:
        page.goto(f"{demo_url}/?present=1")
        page.locator(CHART).first.wait_for(timeout=30_000)
        total = int(page.locator("[data-testid='stCaptionContainer']").first.inner_text().split(" of ")[1].split()[0])
        for n in range(1, total + 1):
            page.goto(f"{demo_url}/?present=1&slide={n}")
            page.locator(CHART).first.wait_for(timeout=30_000)
            page.wait_for_timeout(500)  # the chart takes the box's height once the box is sized
            chart = page.locator("[data-testid='stVegaLiteChart']").first.bounding_box()
            drawn = page.locator(CHART).first.bounding_box()
            tall = page.evaluate("document.documentElement.scrollHeight")
            assert tall <= screen["height"], f"slide {n}: the page is {tall} px tall in a {screen['height']} px window"
            assert chart["y"] + chart["height"] <= screen["height"], f"slide {n}: the chart ends below the window"
            assert drawn["height"] >= 250, f"slide {n}: the chart is squeezed to {drawn['height']} px"
    finally:
        page.close()


def test_the_overviews_side_by_side_charts_have_their_downloads_on_one_line(browser, demo_url):
    """The goal chart is shorter than the budget chart: its PNG/SVG row sat 124 px higher beside it."""
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(demo_url)
        page.locator(CHART).nth(1).wait_for(timeout=30_000)
        rows = [page.locator(f".st-key-downloads-{name}").bounding_box()
                for name in ("spend_by_business_goal", "budget_vs_actual")]
        assert rows[0]["x"] < rows[1]["x"] and abs(rows[0]["y"] - rows[1]["y"]) < 2, rows
    finally:
        page.close()


@pytest.mark.parametrize("by", ["Month", "Business unit", "Tower", "Cost pool"])
def test_every_table_on_the_spend_page_fits_a_laptop_without_scrolling_sideways(browser, demo_url, by):
    """At 1440 px the cost-per-unit table ran 680 px past its box (all 13 columns, two said above it
    already) and the budget table by tower 43 px: a reader scrolled sideways for the last columns."""
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(f"{demo_url}/spend?by={by.replace(' ', '%20')}")
        page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=30_000)
        page.locator("[data-testid='stDataFrame'] .dvn-scroller").nth(3).wait_for(timeout=30_000)
        page.wait_for_timeout(1000)  # the grid sizes its columns after it first draws
        widths = page.evaluate("""() => Array.from(document.querySelectorAll(
            "[data-testid='stDataFrame'] .dvn-scroller")).map(s => s.scrollWidth - s.clientWidth)""")
        assert len(widths) >= 4 and max(widths) <= 0, f"by {by}: tables run {widths} px past their boxes"
    finally:
        page.close()
