"""What every page shares: the store, the global filters, and showing tables and charts alike."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import wait
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from alignment import access, charts, findings, handoff
from alignment.config import database_path
from alignment.exports import to_csv
from alignment.formatting import (  # noqa: F401
    currency_symbol,
    display_unit,
    money,
    number,
    pct,
    use_money_style,
    whole,
)
from alignment.queries import QueryError, datasets_read, get_query, parameters, run_query, shared_parts
from alignment.results import Results
from alignment.settings import BY_NAME as SETTINGS
from alignment.store import Store, StoreError, shared_store
from alignment.tables import on_screen

ALL_UNITS = "All business units"
# The Overview's analyses, the app's default page: it starts them before it draws, and so does warm().
OVERVIEW: tuple[str | tuple[str, dict[str, Any]], ...] = (
    "executive_summary", "survey_waves", "spend_by_business_goal", ("budget_vs_actual", {"group_by": "month"}),
    "alignment_gap", "partial_months", "actuals_after_close")
log = logging.getLogger(__name__)


def get_store() -> Store:
    """One connection for the whole server; every call takes its own cursor. The command line's
    loads wait in a folder beside an embedded database file: this process loads them (alignment.handoff)."""
    store = shared_store(database_path())
    handoff.watch(store)
    return store


def apply_settings() -> dict[str, Any]:
    """The organisation's settings for this run: money in its currency and display unit."""
    settings = store_or_stop().settings()
    use_money_style(settings["currency"], settings["display_unit"])
    return settings


def store_or_stop() -> Store:
    try:
        return get_store()
    except StoreError as exc:
        st.error(str(exc))
        st.stop()


def access_rules() -> access.Access:
    """The [access] section of secrets.toml; no secrets file means an open app."""
    try:
        return access.from_secrets(st.secrets.to_dict())
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return access.OPEN


def identity_provider_configured() -> bool:
    """Whether secrets.toml has an [auth] section; only its presence is read, never its values."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def user_email() -> str | None:
    return st.user.get("email") if st.user.get("is_logged_in") else None


def current_role() -> str | None:
    return access.role_for(user_email(), access_rules())


def require(action: str, what: str) -> None:
    """Stop the page for someone whose role does not allow it (the navigation hides it too)."""
    if not access.can(current_role(), action):
        st.warning(f"Your sign-in lets you see the dashboards but not {what}. Ask an editor.")
        st.stop()


def _choices(store: Store) -> tuple[list[str], list[str]]:
    """Months and business units for the filters, once per data version (not live answers) for every
    session, kept with the analyses (RESULTS), from the spend summed on write (alignment.aggregates:
    thousands of rows, never a scan of the lines)."""
    return RESULTS.get(("choices", store.path, store.data_version(("spend", "projects"))), store.filter_choices)


ASSETS = Path(__file__).parent / "assets"
# The browser's own <select>s in one element (assets/filters.js): the page draws sooner than with
# three st.selectbox, whose script the browser must fetch and run first (#14, README Benchmarks).
_filter_picker = st.components.v2.component(
    "alignment.filters", html='<div class="filters"></div>',
    css=(ASSETS / "filters.css").read_text(encoding="utf-8"), js=(ASSETS / "filters.js").read_text(encoding="utf-8"))


def _picked(key: str) -> None:
    """A filter changed in the browser: the session and the address bar take it before the rerun."""
    value = st.session_state["sidebar-filters"][key]
    st.session_state[key] = value
    st.query_params[key] = value


def chosen_filter(asked: str | None, held: str | None, allowed: list[str], default: str | None
                  ) -> tuple[str | None, bool]:
    """A filter's value: the address bar's (a link, or the last choice, which is written there),
    else the session's (the address bar loses it on some page changes), else the default; and
    whether the address asked for a value that is not allowed (it is then left out)."""
    if asked is not None:
        return (asked, False) if asked in allowed else (held if held in allowed else default, True)
    return (held if held in allowed else default), False


def filter_sidebar() -> None:
    """Period and business unit, kept in the URL so a link reproduces the view."""
    store = store_or_stop()
    months, units = _choices(store)
    fields = []
    for key, label, allowed, default in (("from", "From month", months, months[0] if months else None),
                                         ("to", "To month", months, months[-1] if months else None),
                                         ("bu", "Business unit", [ALL_UNITS, *units], ALL_UNITS)):
        value, refused = chosen_filter(st.query_params.get(key), st.session_state.get(key), allowed, default)
        if refused:
            asked = st.query_params[key][:40]
            st.warning(f"The address asks for {label.lower()} '{asked}', which is not a month like 2026-01 or has "
                       "no data here; that filter is left out." if key != "bu" else
                       f"The address asks for business unit '{asked}', which has no data here; showing all units.")
        st.session_state[key] = value
        if value is None or value == default:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value
        if allowed:
            fields.append({"key": key, "label": label, "options": allowed, "value": value})
    with st.sidebar:
        st.subheader("Filters")
        _filter_picker(key="sidebar-filters", data={"fields": fields},
                       **{f"on_{f['key']}_change": (lambda k=f["key"]: _picked(k)) for f in fields})
        st.caption("The address bar keeps these filters: copy it to share this view.")
    # Said on the page too: on a phone the sidebar is closed, and a shared link's figures are a part.
    if scope := current_scope():
        st.caption(f"Showing {scope} (the filters in the sidebar).")


def months_chosen() -> bool:
    """Whether the filters narrow the months (not only the unit)."""
    start, end, _, _ = _asked()
    months = _choices(store_or_stop())[0]
    return bool(months) and view_scope(start, end, None, months=months) is not None


def current_scope() -> str | None:
    """The part of the data this view's filters show, in words (None: all of it); presenting, from
    the address bar, as the figures take them."""
    start, end, unit, _ = _asked()
    return view_scope(start, end, unit, months=_choices(store_or_stop())[0])


def view_scope(start: str | None, end: str | None, unit: str | None, *, months: list[str]) -> str | None:
    """The part of the data the filters show, in words; None when they show all of it."""
    start, end = sorted((start or months[0], end or months[-1])) if months else (None, None)
    parts = []
    if months and (start, end) != (months[0], months[-1]):
        parts.append(start if start == end else f"{start} to {end}")
    if unit and unit != ALL_UNITS:
        parts.append(unit)
    return " · ".join(parts) or None


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _asked() -> tuple[str | None, str | None, str | None, list[str]]:
    """From month, to month and unit as the widgets (or, when presenting, the address bar) hold them,
    a value that is not a month left out and a reversed period put in order, with what was wrong."""
    state = st.session_state
    # The sidebar is not drawn when presenting; the address bar still carries the filters.
    unit, start, end = (state.get(k, st.query_params.get(k)) for k in ("bu", "from", "to"))
    problems = []
    for key, label, value in (("from", "From month", start), ("to", "To month", end)):
        if value and not MONTH.match(str(value)):
            problems.append(f"The address asks for {label.lower()} '{str(value)[:20]}', which is not a month like "
                            "2026-01; that filter is left out.")
            start, end = (None, end) if key == "from" else (start, None)
    if start and end and start > end:
        problems.append("The 'From month' is after the 'To month'; showing the months between them.")
        start, end = end, start
    return start, end, unit, problems


def filter_problems() -> None:
    """What is wrong with the filters, said once a run (app.py calls this for the pages that take them,
    after the sidebar's widgets have taken their values). The address bar is typed by people, and by
    anyone: a wrong value is a sentence, never an error page."""
    for problem in _asked()[3]:
        st.warning(problem)


def filters() -> dict[str, Any]:
    """The global filters as the analyses' parameters (pages call this once per analysis)."""
    start, end, unit, _ = _asked()
    return _filter_values(start, end, unit)


def _filter_values(start: str | None, end: str | None, unit: str | None) -> dict[str, Any]:
    """The analyses' parameters for months (2026-01) and a business unit as the sidebar holds them."""
    return {
        "period_from": dt.date.fromisoformat(f"{start}-01") if start else None,
        "period_to": _month_end(end) if end else None,
        "business_unit": None if unit in (None, ALL_UNITS) else unit,
    }


def default_filters(store: Store) -> dict[str, Any]:
    """The filters a first visit has, as filter_sidebar sets them: every month, all units."""
    months, _ = _choices(store)
    return _filter_values(months[0] if months else None, months[-1] if months else None, ALL_UNITS)


def _month_end(month: str) -> dt.date:
    first = dt.date.fromisoformat(f"{month}-01")
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


# Every analysis result of this server (alignment.results), and the filters' options: shared by all
# sessions, keyed by database, data version, analysis and parameters, so an upload, undo, restore, live
# answer or setting shows new figures and nothing stale. This module is imported once per process, so
# one pool serves every page.
RESULTS: Results[Any] = Results()


def _values(name: str, asked: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The parameters an analysis takes, from the page's filters and choices. One given as its
    default is left out, so run("x") and run("x", item_type=None) share one result; not one named
    like a setting, where None means "not the setting's value"."""
    declared = {p.name: p for p in parameters(name)}
    return tuple(sorted((k, v) for k, v in asked.items()
                        if k in declared and not (v is None and declared[k].default is None and k not in SETTINGS)))


def _computation(store: Store, settings: dict[str, Any], name: str, asked: dict[str, Any], part: bool = False
                 ) -> tuple[tuple, Callable[[], Any]]:
    """An analysis's key and how to compute it. Its shared parts (alignment.queries) are computed
    once per view, kept as Arrow rows and handed to every analysis that includes them."""
    values = _values(name, asked)
    key = ("part" if part else "analysis", store.path, store.data_version(datasets_read(name)), name, values)

    def compute() -> Any:
        if not part and get_query(name).shared:  # also some analysis's part: its rows, computed once, as a frame
            return store.cursor().from_arrow(RESULTS.here(*_computation(store, settings, name, asked, part=True))).df()
        given = {included: RESULTS.here(*_computation(store, settings, included, asked, part=True))
                 for included in shared_parts(name)}
        return run_query(store.cursor(), name, dict(values), settings=settings, given=given, arrow=part)

    return key, compute


def _call(name: str, params: dict[str, Any]) -> tuple[tuple, Callable[[], pd.DataFrame]]:
    store = store_or_stop()
    return _computation(store, store.settings(), name, {**filters(), **params})


def _named(call: str | tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    return (call, {}) if isinstance(call, str) else call


def prefetch(*calls: str | tuple[str, dict[str, Any]]) -> None:
    """Start a page's analyses at once, before it draws: they run in the background while the page
    renders, so a page waits for its slowest analysis rather than for all of them in turn."""
    for name, params in map(_named, calls):
        RESULTS.start(*_call(name, params))


def warm() -> None:
    """At server start (serve.py, on a thread), what the first visit would otherwise wait for: the
    Overview's modules imported, the store opened, the filters' options and the Overview's analyses
    under the default filters computed into RESULTS under the keys that visit asks for. Never
    raises: a missing, empty or broken database is the first page's to report."""
    started = time.perf_counter()
    try:
        for module in _imports(Path(__file__).with_name("overview.py")):
            importlib.import_module(module)
        store = get_store()
        if store.is_empty():
            log.info("Warmed without analyses (the database is empty) in %.2f s", time.perf_counter() - started)
            return
        settings, asked = store.settings(), default_filters(store)
        futures = [RESULTS.start(*_computation(store, settings, name, {**asked, **params}))
                   for name, params in map(_named, OVERVIEW)]
        wait(futures)
        failed = [f.exception() for f in futures if f.exception() is not None]
        if failed:  # not kept: the page computes it again and shows its error
            log.warning("Warming: %d of the Overview's analyses failed: %s", len(failed), failed[0])
    except Exception:
        log.exception("Warming the server failed; the first visit computes what it needs")
        return
    log.info("Warmed the Overview in %.2f s", time.perf_counter() - started)


def _imports(page: Path) -> list[str]:
    """The modules a page imports, read from its source (running it would draw it)."""
    names: list[str] = []
    for node in ast.parse(page.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def run(name: str, **params: Any) -> pd.DataFrame:
    """Run an analysis with the page's filters (only those it takes) plus any extra parameters."""
    try:
        # The kept frame itself, not a pickled copy: pandas' copy-on-write keeps it safe from a page's
        # changes, and unpickling every result on every rerun cost more than the analyses' own reads.
        return RESULTS.get(*_call(name, params)).copy(deep=False)
    except QueryError as exc:
        st.error(str(exc))
        return pd.DataFrame()


def months_not_applied(what: str, *, measured: bool = True) -> None:
    """Say so where the month filter does not apply, rather than let it look like it does; with the
    as-of date the page is measured on, unless nothing on it is (a survey wave is read whole)."""
    as_of = store_or_stop().settings()["as_of"] or dt.date.today()
    on = f", as of {as_of:%Y-%m-%d} (Settings: as-of date)" if measured else ""
    st.caption(f"The month filter does not apply here: {what}{on}. The business unit filter does.")


def month_close_notice() -> None:
    """Where budget figures show, say what the month close does to them: a unit's newest month that
    looks partly loaded (partial_months: its whole budget counts to date against the few actuals in)
    and actuals loaded after the books' close (actuals_after_close: kept, not counted yet)."""
    said = findings.partly_loaded(run("partial_months"))
    if said:
        st.warning(said, icon=":material/hourglass_top:")
    waiting = findings.after_close(run("actuals_after_close"))
    if waiting:
        st.info(waiting, icon=":material/event_available:")


def answers(name: str) -> None:
    st.caption(get_query(name).answers)


def table(frame: pd.DataFrame, name: str, headers: dict[str, str] | None = None, **kwargs: Any) -> None:
    """A table as people read it (business headers, money in the organisation's currency, % for
    shares, dates without a time, blanks blank, yes/no: alignment.tables), with its CSV download
    (the columns as stored, formula-safe), laid out to be read (the tooltip of a shortened header, the
    answers first, the name pinned). ``column_config`` entries given override the label table's, key
    by key: a page's progress bar keeps the column's pin and tooltip."""
    shown, config = on_screen(frame, headers)
    for field, given in (kwargs.pop("column_config", None) or {}).items():
        config[field] = {**config.get(field, {}), **given} if isinstance(given, dict) else given
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, placeholder="", **kwargs)
    st.download_button("Download CSV", data=lambda: to_csv(frame), file_name=f"{name}.csv", mime="text/csv",
                       key=f"csv-{name}", on_click="ignore", icon=":material/download:")


def choice(label: str, options: list[Any], key: str, *, index: int = 0, format_func: Callable[[Any], Any] = str,
           widget: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """A page-level choice (By, Split by, Allocate by, survey wave…) kept in the address bar as ?key=,
    so a link reproduces the whole view. Streamlit drops a value that is not a choice without a
    word; the page says so instead, naming what it shows (the default, or what the session held: a
    link followed or the address edited after a choice was made)."""
    widget = widget or st.radio
    asked = st.query_params.get(key)
    names = [str(format_func(o)) for o in options]
    notice = st.empty()  # above the widget, as before: said where the choice is
    if widget is st.radio:
        kwargs.setdefault("horizontal", True)
    value = widget(label, options, index=index, format_func=format_func, key=key, bind="query-params", **kwargs)
    if asked is not None and asked not in names and names:
        shown = str(format_func(value)) if value is not None else names[index]
        notice.warning(not_a_choice(label, asked, names, names.index(shown) if shown in names else index))
    return value


def not_a_choice(label: str, asked: str, names: list[str], index: int = 0) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:6]) + (" …" if len(names) > 6 else "")
    return (f"The link sets '{label}' to '{asked[:40]}', which is not one of its choices here ({shown}); "
            f"showing '{names[index]}'.")


def _fingerprint(value: Any) -> Any:
    """A cheap, exact key for a chart's inputs (Streamlit's own hashing of frames cost a tenth of a
    rerun): a frame's columns, types and a hash of every value and index entry."""
    if isinstance(value, pd.DataFrame | pd.Series):
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        return ("frame", tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)),
                pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    if isinstance(value, list | tuple):
        return tuple(_fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _fingerprint(v)) for k, v in sorted(value.items()))
    return value


_specs: dict[Any, dict] = {}
_specs_lock = threading.Lock()


def _spec(builder: Callable[..., alt.TopLevelMixin], args: tuple, kwargs: dict) -> dict:
    """A chart's Vega-Lite spec, built once per (builder, data, options, currency) for every
    session: building and converting a chart cost more than the cached analysis behind it."""
    key = (builder.__name__, currency_symbol(), display_unit(), _fingerprint(args), _fingerprint(kwargs))
    spec = _specs.get(key)
    if spec is None:
        spec = charts.on_page(charts.localised(builder(*args, **kwargs))).to_dict(validate=False)
        with _specs_lock:
            if len(_specs) > 500:  # a bound, not an LRU: old views are rebuilt when asked for again
                _specs.clear()
            _specs[key] = spec
    return spec


def chart(builder: Callable[..., alt.TopLevelMixin] | alt.TopLevelMixin, *args: Any, name: str,
          **kwargs: Any) -> None:
    """A chart from one of alignment.charts' builders (or a chart already built), with PNG and SVG
    downloads rendered only when clicked. Drawn from its Vega-Lite spec without Altair's schema
    validation: st.altair_chart validates every chart under one process-wide lock, which made
    concurrent sessions queue behind each other; our builders are tested, so it adds nothing."""
    if isinstance(builder, alt.TopLevelMixin):
        spec = charts.on_page(charts.localised(builder)).to_dict(validate=False)
    else:
        spec = _spec(builder, args, kwargs)
    st.vega_lite_chart(spec, width="stretch")
    # One row under every chart, labelled, the same place each time (columns squeezed the labels away).
    with st.container(horizontal=True, gap="small", key=f"downloads-{name}"):
        st.download_button("PNG", data=lambda: charts.to_image(spec, "png"), file_name=f"{name}.png",
                           mime="image/png", key=f"png-{name}", on_click="ignore", icon=":material/download:",
                           help="Download this chart as a picture, for a slide or a document", width="content")
        st.download_button("SVG", data=lambda: charts.to_image(spec, "svg"), file_name=f"{name}.svg",
                           mime="image/svg+xml", key=f"svg-{name}", on_click="ignore", icon=":material/download:",
                           help="Download this chart as a scalable drawing, for print", width="content")


def empty_notice(what: str) -> None:
    st.info(f"No {what} loaded yet. Load a file on the Data page, or load the demo company there.")


def workbook_download(frames: dict[str, pd.DataFrame], name: str, title: str | None = None,
                      applied: dict[str, Any] | None = None) -> None:
    """The dashboard's tables as an Excel workbook that reads like the screen: its title, the filters
    applied (the sidebar's, or ``applied`` where the page takes others) and the date above each sheet
    (alignment.exports.to_xlsx)."""
    from alignment.exports import heading, to_xlsx

    applied = filters() if applied is None else applied
    as_of = store_or_stop().settings()["as_of"] or dt.date.today()
    title = title or name[:1].upper() + name[1:].replace("-", " ")  # workshop-ABC234 → Workshop ABC234
    top = heading(title, applied, as_of)
    st.download_button("Download this dashboard as Excel", data=lambda: to_xlsx(frames, title=top),
                       file_name=f"{name}.xlsx", key=f"xlsx-{name}", on_click="ignore", icon=":material/table_view:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def board_pack_download(wave: str | None = None) -> None:
    """The presentation's findings under this view's filters, as a deck or a document to take away
    (alignment.report), built only when clicked. Built from the store directly, with values read
    now: the click is served outside this script run, where the page's filters are not known."""
    from alignment import report

    store = store_or_stop()
    settings = store.settings()
    params = {k: v for k, v in filters().items() if v is not None}
    as_of = settings["as_of"] or dt.date.today()

    def pack(fmt: str) -> bytes:
        use_money_style(settings["currency"], settings["display_unit"])
        run_ = report.store_runner(store.cursor(), params, settings)
        return report.render(report.build(run_, params, as_of, wave), fmt)

    row = st.container(horizontal=True)  # each button as wide as its words: never "Board pack (PowerP…"
    row.download_button("Board pack (PowerPoint)", data=lambda: pack("pptx"), file_name="board-pack.pptx",
                         mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                         key="pack-pptx", on_click="ignore", icon=":material/slideshow:",
                         help="The findings as slides, a chart each, with these filters")
    row.download_button("Board pack (PDF)", data=lambda: pack("pdf"), file_name="board-pack.pdf",
                          mime="application/pdf", key="pack-pdf", on_click="ignore", icon=":material/picture_as_pdf:",
                          help="The findings as pages, a chart each, with these filters")
