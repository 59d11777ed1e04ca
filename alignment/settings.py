"""Organisation settings: the conventions one company chooses and another does not.

One table (name, type, default, help), like Datasette's settings, drives the Settings page, the
command line (`python -m alignment settings`), the README and the analyses: a query parameter
named like a setting takes the organisation's value unless the caller gives one. Values are
stored in the database (append-only, so every change is kept), never written into SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """A value a setting cannot take; the message is for the user."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: str  # INTEGER, DOUBLE, VARCHAR or DATE, as in query parameters
    default: Any
    label: str
    help: str
    choices: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float = 1.0  # the Settings page's +/- step for a number
    pattern: tuple[str, str] | None = None  # (regex, what it asks for): text must match it, upper-cased if ``upper``
    upper: bool = False
    names: tuple[tuple[Any, str], ...] = ()  # (value, what the Settings page calls it): months by name
    month: bool = False  # a DATE that names a month: 2026-10 (any day of it), kept as its first day

    def shown(self, value: Any) -> str:
        """A value as the Settings page writes it: its name if it has one (7 → July), else as it is."""
        if self.month and isinstance(value, dt.date):
            return value.strftime("%Y-%m")
        return dict(self.names).get(value, str(value))


# In English whatever the server's locale (calendar.month_name follows it).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SETTINGS: tuple[Setting, ...] = (
    Setting("fiscal_year_start_month", "INTEGER", 1, "Fiscal year starts in month",
            "1 = January … 12 = December. Year-to-date, year-end projections and bare fiscal years in files "
            "(FY2026) count from this month.", minimum=1, maximum=12,
            names=tuple(enumerate(MONTHS, start=1))),
    Setting("currency", "VARCHAR", "USD", "Currency",
            "The one currency of this database (ISO code). Amounts are shown in it; files in another are refused. "
            "Changing it relabels the amounts already loaded; it does not convert them.",
            pattern=(r"[A-Z]{3}", "a three-letter ISO code such as USD or EUR"), upper=True),
    Setting("display_unit", "VARCHAR", "auto", "Show amounts in",
            "auto picks k, m or bn per figure; or fix one unit for every figure.",
            choices=("auto", "units", "k", "m", "bn")),
    Setting("health_amber_pct", "DOUBLE", 10.0, "Amber from variance of (%)",
            "A project's cost or schedule variance at or above this share of plan, over or under, is amber. "
            "Default: the US federal IT Dashboard's 10%.", minimum=0, maximum=1000),
    Setting("health_red_pct", "DOUBLE", 30.0, "Red from variance of (%)",
            "A variance at or above this share of plan is red. Default: the US federal IT Dashboard's 30%.",
            minimum=0, maximum=1000),
    Setting("hhi_moderate", "INTEGER", 1000, "Vendors moderately concentrated above (HHI)",
            "Herfindahl-Hirschman index of vendor spend (0-10,000) above which it is moderately concentrated. "
            "Default: 1,000, the US DOJ/FTC Horizontal Merger Guidelines (1992); the 2010 ones used 1,500.",
            minimum=0, maximum=10000, step=50),
    Setting("hhi_high", "INTEGER", 1800, "Vendors highly concentrated above (HHI)",
            "Above this index vendor spend is highly concentrated. Default: 1,800, the US DOJ/FTC Merger "
            "Guidelines (2023); the 2010 ones used 2,500.", minimum=0, maximum=10000, step=50),
    Setting("min_respondents", "INTEGER", 5, "Fewest respondents shown",
            "A survey group (a side, a unit, a wave) with fewer respondents is not shown, so nobody's answers "
            "can be singled out and small samples don't mislead.", minimum=1, maximum=1000),
    Setting("active_stages", "VARCHAR", "", "Stages that are active work",
            "Comma-separated stage names counted as work in flow efficiency. Blank: every stage whose name does "
            "not say waiting (wait, queue, backlog, approval, on hold, blocked, ready for)."),
    Setting("shared_unit", "VARCHAR", "Shared", "Business unit holding shared cost",
            "The business unit your spend files book shared IT cost to (data centre, network, service desk…), "
            "written exactly as the files write it. Its spend is no unit's own: each unit's fully loaded cost "
            "takes a share of it by headcount or revenue. If no spend line names this unit, no cost is shared."),
    Setting("partial_month_pct", "DOUBLE", 50.0, "Newest month looks partly loaded under (% of budget)",
            "A business unit's newest month of actuals under this share of its budget for the month is "
            "said on the pages to look partly loaded: budget to date counts a month's whole budget once any "
            "of its actuals are in (Books closed through keeps a month out until it closes). 0 turns the check off.",
            minimum=0, maximum=100),
    Setting("books_closed_through", "DATE", None, "Books closed through (month)",
            "The last month your month-end close has finished, as 2026-10. Actuals of later months stay loaded "
            "but are not counted yet: not in spend, not against budget to date, and the year end takes their "
            "forecast. Move it on after each close. Blank: each business unit's months count as closed up to "
            "its newest month of actuals.", month=True),
    Setting("as_of", "DATE", None, "As-of date",
            "The day ages, overdue projects and open work are measured on. Blank: today."),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
# Bands whose upper start may not fall below the lower one: (lower, upper, what saving such a pair says).
ORDERED: tuple[tuple[str, str, str], ...] = (
    ("health_amber_pct", "health_red_pct", "Red must start at or above amber (health bands)."),
    ("hhi_moderate", "hhi_high", "Highly concentrated must start at or above moderately concentrated (HHI)."),
)


def convert(setting: Setting, value: Any) -> Any:
    """Text from a form or the command line → the setting's type, or SettingError saying why not."""
    if is_blank(value):  # blank goes back to the default (the command line's NAME=)
        return setting.default
    text = str(value).strip()
    try:
        if setting.type == "INTEGER":
            converted: Any = int(float(text)) if float(text).is_integer() else None
            if converted is None:
                raise ValueError
        elif setting.type == "DOUBLE":
            converted = float(text)
        elif setting.type == "DATE" and setting.month:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(
                f"{text}-01" if re.fullmatch(r"\d{4}-\d{2}", text) else text)
            converted = day.replace(day=1)
        elif setting.type == "DATE":
            converted = value if isinstance(value, dt.date) else dt.date.fromisoformat(text)
        else:
            converted = text.upper() if setting.upper else text
    except ValueError:
        kind = {"INTEGER": "a whole number", "DOUBLE": "a number", "DATE": "a date like 2026-06-30"}[setting.type]
        kind = "a month like 2026-10" if setting.month else kind
        raise SettingError(f"{setting.label} must be {kind}, not '{text[:40]}'.") from None
    if setting.pattern and not re.fullmatch(setting.pattern[0], converted):
        raise SettingError(f"{setting.label} must be {setting.pattern[1]}, not '{text[:40]}'.")
    if setting.choices and converted not in setting.choices:
        raise SettingError(f"{setting.label} must be one of {', '.join(map(str, setting.choices))}.")
    if setting.minimum is not None and converted < setting.minimum:
        raise SettingError(f"{setting.label} must be at least {setting.minimum:g}.")
    if setting.maximum is not None and converted > setting.maximum:
        raise SettingError(f"{setting.label} must be at most {setting.maximum:g}.")
    return converted


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def defaults() -> dict[str, Any]:
    return {s.name: s.default for s in SETTINGS}


def resolve(stored: Mapping[str, str | None]) -> dict[str, Any]:
    """Stored text values over the defaults; a stored value that no longer converts falls back."""
    values = defaults()
    for name, text in stored.items():
        if name in BY_NAME:
            try:
                values[name] = convert(BY_NAME[name], text) if text is not None else BY_NAME[name].default
            except SettingError:
                pass
    for lower, upper, _ in ORDERED:  # stored before the pair was checked: the upper band starts at the lower
        values[upper] = max(values[upper], values[lower])
    return values


def check_order(values: Mapping[str, Any]) -> None:
    """SettingError naming the first band pair whose upper start is below its lower one."""
    for lower, upper, message in ORDERED:
        if values[upper] < values[lower]:
            raise SettingError(message)


def unknown_stages(text: str | None, stages: Iterable[str]) -> list[str]:
    """The names in an active_stages value that no loaded stage is called (case and spaces aside, as
    the flow analyses compare them): a typo there turns a working stage into waiting, silently."""
    known = {str(stage).strip().lower() for stage in stages}
    return [name.strip() for name in (text or "").split(",") if name.strip() and name.strip().lower() not in known]


def shared_unit_notes(unit: str, spend_units: Iterable[str], metric_units: Iterable[str]) -> list[str]:
    """What a shared_unit value does that its editor may not mean, in sentences: naming a unit no spend
    line uses shares nothing, and naming one with revenue or headcount of its own spreads its spend."""
    spend, metrics = sorted(set(spend_units)), set(metric_units)
    notes = []
    if spend and unit not in spend:
        notes.append(f"No spend line is booked to business unit '{unit}', so no cost is shared out. The units in "
                     f"the spend are: {', '.join(spend)}.")
    if unit in metrics:
        notes.append(f"{unit} has revenue or headcount of its own in the business metrics. As the unit holding "
                     "shared cost, its spend is spread over the other units by their share, and it has no ratio of "
                     "its own: check it is the unit your files book shared IT cost to.")
    return notes
