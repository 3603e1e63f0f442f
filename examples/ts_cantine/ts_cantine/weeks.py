"""School weeks: the canteen serves lunch from Monday to Friday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ts_host.api import EstablishmentConfig, format_date

SCHOOL_DAYS = 5
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def monday_of(day: date) -> date:
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
        return self.monday + timedelta(days=SCHOOL_DAYS - 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(SCHOOL_DAYS)]

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


def find_week(establishment: EstablishmentConfig, key: str | None, today: date) -> Week:
    """The week named ``key``, else this week (next week at the weekend).

    Outside the school year, the nearest school week.
    """
    weeks = school_weeks(establishment)
    chosen = next((week for week in weeks if week.key == key), None)
    if chosen is not None:
        return chosen
    if today.weekday() >= SCHOOL_DAYS:
        today += timedelta(days=7 - today.weekday())
    current = monday_of(today)
    if current < weeks[0].monday:
        return weeks[0]
    return next((week for week in weeks if week.monday == current), weeks[-1])


def day_label(day: date) -> str:
    """``lundi 15/02/2027``."""
    return f"{DAY_NAMES[day.weekday()]} {format_date(day)}"
