"""The guide's figure: per week, the half-days with at least one counted absence.

What is counted (guide, section 2.4.2).  The page's title says « au moins
une absence a été signalée et traitée »; its text says « les absences
constatées, classées et pour lesquelles le CPE a coché « motif légitime » ».
Both hold: an absence counts when the vie scolaire has processed (classed)
it *and* the CPE ticked « motif légitime ».  An absence only reported by a
teacher, or classed without a legitimate reason, is not counted.

A day splits into a morning and an afternoon at the establishment's
``half_day_split``.  An absence counts every half-day it overlaps, however
briefly, over as many days as it spans; its end is excluded, so an absence
ending exactly at the split leaves the afternoon alone.  School days run
from Monday to Saturday: a Sunday never counts.  Several absences in one
half-day make one half-day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ts_host.api import DateRange, monday_of

from .models import Absence

MORNING = 0
AFTERNOON = 1
SUNDAY = 6
DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def parse_split(text: str) -> time:
    """The establishment's ``half_day_split`` (``HH:MM``, checked by the host)."""
    return time.fromisoformat(text)


def half_days(start: datetime, end: datetime, split: time) -> Iterator[tuple[date, int]]:
    """The (day, MORNING or AFTERNOON) half-days that ``[start, end)`` overlaps."""
    day = start.date()
    while day <= end.date():
        if day.weekday() != SUNDAY:
            midnight = datetime.combine(day, time.min)
            noon = datetime.combine(day, split)
            if start < noon and end > midnight:
                yield day, MORNING
            if start < midnight + DAY and end > noon:
                yield day, AFTERNOON
        day += DAY


def counted_half_days(absences: Iterable[Absence], split: time) -> set[tuple[date, int]]:
    """Every half-day touched by at least one counted absence."""
    touched: set[tuple[date, int]] = set()
    for absence in absences:
        if absence.counted:
            touched.update(half_days(absence.start, absence.end, split))
    return touched


def week_anchor(monday: date, year_start: date) -> date:
    """The day that decides which month or period the week of ``monday`` belongs to.

    Its Monday, or the first day of the school year for the week the year
    starts in (a year starting on a Tuesday puts its first week in September,
    not August).
    """
    return max(monday, year_start)


def current_week_day(today: date, year_start: date, year_end: date) -> date:
    """The day that picks the range the page opens on: the current week's anchor.

    A parent opening the page wants the absences of the week under way first,
    then the weeks just before.  Opening on the month holding ``today`` shows
    nothing from the 1st to the first Monday of a month (no week of that
    month has begun) while the current week, begun in the previous month,
    may hold absences.  Opening instead on "the weeks overlapping this month"
    would list weeks that the month's own choice in the selector does not
    list, so the table would no longer match the selected filter.  The page
    therefore opens on the month (or period) that holds the current week
    under the page's own rule (:func:`week_anchor`): on Thursday 1 October
    it is September, whose last line is the week begun on Monday 28
    September.  Holidays change nothing: their weeks are listed, at 0.
    Outside the school year ``today`` itself is returned, and the page opens
    on the whole year.
    """
    if not year_start <= today <= year_end:
        return today
    return week_anchor(monday_of(today), year_start)


def week_mondays(date_range: DateRange, year_start: date, today: date) -> list[date]:
    """The Mondays of the weeks listed for ``date_range``, most recent first.

    A week belongs to the range holding its Monday (or the first day of the
    school year, for the week the year starts in), so months and periods
    share the weeks out without overlap: the guide's February 2011 lists
    weeks 6 to 8, not week 5 that starts on 31 January.  Weeks that have not
    begun by ``today`` are not listed.
    """

    monday = monday_of(date_range.start)
    if week_anchor(monday, year_start) < date_range.start:
        monday += WEEK
    mondays = []
    while week_anchor(monday, year_start) <= date_range.end and monday <= today:
        mondays.append(monday)
        monday += WEEK
    return mondays[::-1]


@dataclass(frozen=True)
class WeekRow:
    """One line of the page: the ISO week, its Monday and Saturday, the count."""

    number: int
    monday: date
    saturday: date
    half_days: int


def weekly_rows(
    absences: Iterable[Absence],
    date_range: DateRange,
    year_start: date,
    today: date,
    split: time,
) -> list[WeekRow]:
    """The page's table for ``date_range``, weeks with no absence included."""
    per_week = Counter(monday_of(day) for day, _half in counted_half_days(absences, split))
    return [
        WeekRow(
            monday.isocalendar().week,
            monday,
            monday + timedelta(days=5),
            per_week[monday],
        )
        for monday in week_mondays(date_range, year_start, today)
    ]
