"""The school calendar: today, the school year's periods, months and weeks,
its school days, and the « Filtre par » choices pages offer.

A school week runs from Monday to Friday here: lunch, evaluations and the
demo's absences fall on those days.  (The absences' half-day count also
counts Saturday mornings, a rule of its own: see ``ts_absences.counting``.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from .formatting import format_date

if TYPE_CHECKING:
    from .establishments import EstablishmentConfig, Period

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
YEAR_KEY = "annee"
#: Monday to Friday.
SCHOOL_DAYS_PER_WEEK = 5


def reference_day(settings: dict) -> date:
    """Today, or the fixed date of the ``ts.today`` setting (demo and tests).

    For the command line; pages use :func:`today`.
    """
    fixed = settings.get("ts.today")
    return date.fromisoformat(fixed) if fixed else date.today()


def today(request) -> date:
    """Today, or the fixed date of the ``ts.today`` setting (demo and tests)."""
    return reference_day(request.registry.settings)


@dataclass(frozen=True)
class DateRange:
    """One choice of the "Filtre par" selectors: a period, a month or the year.

    ``key`` is what the page's query string carries (``T2``, ``2027-02``,
    ``annee``); ``kind`` is ``period``, ``month`` or ``year``.
    """

    key: str
    label: str
    kind: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def date_ranges(establishment: EstablishmentConfig) -> tuple[DateRange, ...]:
    """The periods, then the months of the school year, then the whole year."""
    return _date_ranges(establishment.periods)


@lru_cache(maxsize=1024)
def _date_ranges(periods: tuple[Period, ...]) -> tuple[DateRange, ...]:
    """Worked out once per calendar (an academy's establishments share a few):
    pages with a « Filtre par » read them twice a request."""
    year_start, year_end = periods[0].start, periods[-1].end
    ranges = [DateRange(p.name, p.name, "period", p.start, p.end) for p in periods]
    month = year_start.replace(day=1)
    while month <= year_end:
        following = (
            month.replace(year=month.year + 1, month=1)
            if month.month == 12
            else month.replace(month=month.month + 1)
        )
        ranges.append(
            DateRange(
                f"{month:%Y-%m}",
                f"{MONTHS[month.month - 1]} {month.year}",
                "month",
                max(month, year_start),
                min(following - timedelta(days=1), year_end),
            )
        )
        month = following
    ranges.append(DateRange(YEAR_KEY, "Toute l'année", "year", year_start, year_end))
    return tuple(ranges)


def find_date_range(
    establishment: EstablishmentConfig,
    key: str | None,
    today: date,
    default_kind: str = "period",
) -> DateRange:
    """The range named ``key``, else the current period (or month) by default.

    Outside the school year the default is the whole year.
    """
    ranges = date_ranges(establishment)
    chosen = next((r for r in ranges if r.key == key), None)
    if chosen is not None:
        return chosen
    current = next((r for r in ranges if r.kind == default_kind and today in r), None)
    return current or ranges[-1]


def monday_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    """A school week, named in query strings by its Monday (``2027-02-15``)."""

    monday: date

    @property
    def key(self) -> str:
        return self.monday.isoformat()

    @property
    def friday(self) -> date:
        return self.monday + timedelta(days=SCHOOL_DAYS_PER_WEEK - 1)

    @property
    def days(self) -> list[date]:
        """Monday to Friday."""
        return [self.monday + timedelta(days=n) for n in range(SCHOOL_DAYS_PER_WEEK)]

    @property
    def label(self) -> str:
        return f"du {format_date(self.monday)} au {format_date(self.friday)}"


def school_weeks(establishment: EstablishmentConfig) -> list[Week]:
    """Every week with a school day in the establishment's year, in order."""
    monday = monday_of(establishment.year_start)
    weeks = []
    while monday <= establishment.year_end:
        weeks.append(Week(monday))
        monday += timedelta(days=7)
    return weeks


def school_days(establishment: EstablishmentConfig) -> list[date]:
    """Monday to Friday from the first to the last day of the school year."""
    return [
        day
        for week in school_weeks(establishment)
        for day in week.days
        if establishment.year_start <= day <= establishment.year_end
    ]


def school_days_by_month(establishment: EstablishmentConfig) -> list[list[date]]:
    """The school days grouped by month, in the order of the school year."""
    months: dict[tuple[int, int], list[date]] = {}
    for day in school_days(establishment):
        months.setdefault((day.year, day.month), []).append(day)
    return list(months.values())


def find_week(establishment: EstablishmentConfig, key: str | None, today: date) -> Week:
    """The week named ``key``, else this week (next week at the weekend).

    Outside the school year, the nearest school week.
    """
    weeks = school_weeks(establishment)
    chosen = next((week for week in weeks if week.key == key), None)
    if chosen is not None:
        return chosen
    if today.weekday() >= SCHOOL_DAYS_PER_WEEK:
        today += timedelta(days=7 - today.weekday())
    current = monday_of(today)
    if current < weeks[0].monday:
        return weeks[0]
    return next((week for week in weeks if week.monday == current), weeks[-1])


def day_label(day: date) -> str:
    """``lundi 15/02/2027``."""
    return f"{DAY_NAMES[day.weekday()]} {format_date(day)}"
