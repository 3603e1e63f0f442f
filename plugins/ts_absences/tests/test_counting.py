"""The counting rule, unit by unit: half-days, what counts, which weeks."""

from datetime import date, datetime, time

import pytest

from ts_absences.counting import (
    AFTERNOON,
    MORNING,
    WEEK,
    counted_half_days,
    current_week_day,
    half_days,
    week_mondays,
    weekly_rows,
)
from ts_absences.models import PROCESSED, REPORTED, Absence
from ts_host.api import DateRange, find_date_range
from ts_host.testing import college_config

SPLIT = time(11, 55)
YEAR_START = date(2026, 9, 1)  # a Tuesday


def at(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y %H:%M")


def touched(start: str, end: str, split: time = SPLIT) -> list[tuple[date, int]]:
    return list(half_days(at(start), at(end), split))


def absence(start: str, end: str, state=PROCESSED, legitimate=True) -> Absence:
    return Absence(at(start), at(end), state, legitimate)


def test_a_morning_absence_is_one_half_day():
    assert touched("15/02/2027 08:00", "15/02/2027 10:00") == [(date(2027, 2, 15), MORNING)]


def test_an_afternoon_absence_is_one_half_day():
    assert touched("15/02/2027 13:30", "15/02/2027 17:00") == [(date(2027, 2, 15), AFTERNOON)]


def test_ending_exactly_at_the_split_leaves_the_afternoon_alone():
    assert touched("15/02/2027 08:00", "15/02/2027 11:55") == [(date(2027, 2, 15), MORNING)]


def test_crossing_the_split_counts_both_half_days():
    assert touched("15/02/2027 11:00", "15/02/2027 12:00") == [
        (date(2027, 2, 15), MORNING),
        (date(2027, 2, 15), AFTERNOON),
    ]


def test_the_split_hour_is_the_establishments():
    assert touched("15/02/2027 11:00", "15/02/2027 12:00", time(12, 25)) == [
        (date(2027, 2, 15), MORNING)
    ]
    assert touched("15/02/2027 12:00", "15/02/2027 13:00", time(12, 25)) == [
        (date(2027, 2, 15), MORNING),
        (date(2027, 2, 15), AFTERNOON),
    ]


def test_an_absence_over_several_days_counts_each_half_day():
    # Wednesday afternoon to Friday evening: 1 + 2 + 2.
    assert len(touched("17/02/2027 13:30", "19/02/2027 17:00")) == 5


def test_saturday_counts_and_sunday_never_does():
    # Friday morning to Monday noon: Friday 2, Saturday 2, Sunday 0, Monday 1.
    days = touched("19/02/2027 08:00", "22/02/2027 11:00")
    assert days == [
        (date(2027, 2, 19), MORNING),
        (date(2027, 2, 19), AFTERNOON),
        (date(2027, 2, 20), MORNING),
        (date(2027, 2, 20), AFTERNOON),
        (date(2027, 2, 22), MORNING),
    ]
    assert touched("21/02/2027 08:00", "21/02/2027 17:00") == []


def test_ending_at_midnight_does_not_reach_the_next_day():
    assert touched("15/02/2027 13:30", "16/02/2027 00:00") == [(date(2027, 2, 15), AFTERNOON)]


def test_only_processed_absences_with_a_legitimate_reason_count():
    absences = [
        absence("15/02/2027 08:00", "15/02/2027 10:00"),
        absence("16/02/2027 08:00", "16/02/2027 10:00", legitimate=False),
        absence("17/02/2027 08:00", "17/02/2027 10:00", state=REPORTED, legitimate=False),
        absence("18/02/2027 08:00", "18/02/2027 10:00", state=REPORTED, legitimate=True),
    ]
    assert counted_half_days(absences, SPLIT) == {(date(2027, 2, 15), MORNING)}


def test_several_absences_in_one_half_day_make_one_half_day():
    absences = [
        absence("15/02/2027 08:00", "15/02/2027 09:00"),
        absence("15/02/2027 10:00", "15/02/2027 11:00"),
        absence("15/02/2027 08:30", "15/02/2027 14:00"),
    ]
    assert counted_half_days(absences, SPLIT) == {
        (date(2027, 2, 15), MORNING),
        (date(2027, 2, 15), AFTERNOON),
    }


def month(year: int, number: int, start: date | None = None, end: date | None = None):
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    last = date.fromordinal(following.toordinal() - 1)
    return DateRange(f"{year}-{number:02}", "", "month", start or first, end or last)


def test_weeks_of_the_current_month_stop_at_the_current_week_most_recent_first():
    mondays = week_mondays(month(2027, 2), YEAR_START, date(2027, 2, 15))
    assert mondays == [date(2027, 2, 15), date(2027, 2, 8), date(2027, 2, 1)]


def test_a_week_belongs_to_the_month_of_its_monday():
    # Week 53 of 2026 runs from Monday 28 December: December's, not January's.
    january = week_mondays(month(2027, 1), YEAR_START, date(2027, 6, 1))
    december = week_mondays(month(2026, 12), YEAR_START, date(2027, 6, 1))
    assert january == [
        date(2027, 1, 25),
        date(2027, 1, 18),
        date(2027, 1, 11),
        date(2027, 1, 4),
    ]
    assert december[0] == date(2026, 12, 28)
    assert december[-1] == date(2026, 12, 7)


def test_the_week_the_year_starts_in_belongs_to_the_first_month():
    september = month(2026, 9, start=YEAR_START)
    assert week_mondays(september, YEAR_START, date(2027, 6, 1))[-1] == date(2026, 8, 31)


def test_periods_share_the_weeks_out_without_overlap():
    t1 = DateRange("T1", "T1", "period", date(2026, 9, 1), date(2026, 11, 30))
    t2 = DateRange("T2", "T2", "period", date(2026, 12, 1), date(2027, 3, 7))
    today = date(2027, 6, 1)
    weeks_t1 = week_mondays(t1, YEAR_START, today)
    weeks_t2 = week_mondays(t2, YEAR_START, today)
    assert weeks_t1[0] == date(2026, 11, 30)
    assert weeks_t2[-1] == date(2026, 12, 7)
    assert weeks_t2[0] == date(2027, 3, 1)
    assert len(weeks_t1) == 14
    assert not set(weeks_t1) & set(weeks_t2)


def test_a_month_not_yet_begun_lists_no_week():
    assert week_mondays(month(2027, 3), YEAR_START, date(2027, 2, 15)) == []


@pytest.mark.parametrize("today", [date(2027, 2, 20), date(2027, 2, 21)])
def test_weekly_rows_count_half_days_per_week_including_empty_weeks(today):
    absences = [
        absence("01/02/2027 08:00", "01/02/2027 11:55"),  # week 5: 1
        absence("03/02/2027 13:30", "05/02/2027 17:00"),  # week 5: 5
        absence("09/02/2027 08:00", "09/02/2027 17:00", legitimate=False),  # week 6: 0
        absence("19/02/2027 13:30", "22/02/2027 11:00"),  # week 7: 3, week 8: 1
    ]
    rows = weekly_rows(absences, month(2027, 2), YEAR_START, today, SPLIT)
    assert [(r.number, r.monday, r.saturday, r.half_days) for r in rows] == [
        (7, date(2027, 2, 15), date(2027, 2, 20), 3),
        (6, date(2027, 2, 8), date(2027, 2, 13), 0),
        (5, date(2027, 2, 1), date(2027, 2, 6), 6),
    ]


@pytest.mark.parametrize(
    ("today", "opens_on"),
    [
        # The 1st a Thursday: the week under way began on Monday 28 September.
        (date(2026, 10, 1), "2026-09"),
        # The 1st a Sunday: the week of Monday 26 October is still the current one.
        (date(2026, 11, 1), "2026-10"),
        # The 1st a Monday: its own week begins.
        (date(2027, 2, 1), "2027-02"),
        (date(2027, 1, 14), "2027-01"),
        # Last days of a month: a Sunday, a Wednesday, a Friday.
        (date(2027, 1, 31), "2027-01"),
        (date(2026, 9, 30), "2026-09"),
        (date(2027, 4, 30), "2027-04"),
        # Christmas holidays: a Monday, then New Year's Day (a Friday) in that week.
        (date(2026, 12, 28), "2026-12"),
        (date(2027, 1, 1), "2026-12"),
        # First day of the school year, a Tuesday: its week is September's.
        (date(2026, 9, 1), "2026-09"),
        # Last day of the school year, a Saturday: no week begins in July.
        (date(2027, 7, 3), "2027-06"),
        # Outside the school year: the whole year.
        (date(2026, 8, 31), "annee"),
        (date(2027, 7, 14), "annee"),
    ],
)
def test_the_page_opens_on_the_month_holding_the_current_week(today, opens_on):
    college = college_config("absences")
    day = current_week_day(today, college.year_start, college.year_end)
    chosen = find_date_range(college, None, day, default_kind="month")
    assert chosen.key == opens_on
    weeks = week_mondays(chosen, college.year_start, today)
    if college.year_start <= today <= college.year_end:
        # The week under way is the first line.
        assert weeks[0] <= today < weeks[0] + WEEK
