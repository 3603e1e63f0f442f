"""The school calendar services share (``ts_host.calendar``, through the API)."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from ts_host.api import (
    Week,
    date_ranges,
    day_label,
    find_week,
    format_date,
    monday_of,
    parse_french_date,
    school_days,
    school_days_by_month,
    school_weeks,
    today,
)
from ts_host.calendar import reference_day
from ts_host.testing import college_config

COLLEGE = college_config()  # 01/09/2026 to 02/07/2027


d = parse_french_date


def test_school_weeks_cover_the_year_monday_to_friday():
    weeks = school_weeks(COLLEGE)
    assert weeks[0] == Week(d("31/08/2026")) and weeks[-1] == Week(d("28/06/2027"))
    days = school_days(COLLEGE)
    assert days[0] == d("01/09/2026") and days[-1] == d("02/07/2027")
    assert all(day.weekday() < 5 for day in days)


def test_school_days_by_month_share_the_same_days_out_month_by_month():
    months = school_days_by_month(COLLEGE)
    assert [month[0] for month in months][:2] == [d("01/09/2026"), d("01/10/2026")]
    assert len(months) == 11  # September to July
    assert all(len({(day.year, day.month) for day in month}) == 1 for month in months)
    assert [day for month in months for day in month] == school_days(COLLEGE)


@pytest.mark.parametrize(
    ("today", "key", "monday"),
    [
        ("15/02/2027", None, "15/02/2027"),
        ("17/02/2027", None, "15/02/2027"),
        ("20/02/2027", None, "22/02/2027"),  # at the weekend, the week to come
        ("17/02/2027", "2027-01-04", "04/01/2027"),
        ("17/02/2027", "2027-01-05", "15/02/2027"),  # not a Monday of the year
        ("01/08/2026", None, "31/08/2026"),  # before the year: its first week
        ("14/07/2027", None, "28/06/2027"),  # after: its last week
    ],
)
def test_find_week(today, key, monday):
    assert find_week(COLLEGE, key, d(today)).monday == d(monday)


def test_a_week_is_labelled_from_monday_to_friday():
    week = Week(d("15/02/2027"))
    assert week.label == "du 15/02/2027 au 19/02/2027"
    assert week.key == "2027-02-15" and week.days[-1] == week.friday == d("19/02/2027")
    assert monday_of(d("21/02/2027")) == week.monday


def test_a_day_is_named_in_french():
    assert day_label(d("19/02/2027")) == "vendredi 19/02/2027"


def test_today_is_the_fixed_day_of_the_settings_when_there_is_one():
    request = SimpleNamespace(registry=SimpleNamespace(settings={"ts.today": "2027-02-15"}))
    assert today(request) == reference_day(request.registry.settings) == d("15/02/2027")
    assert reference_day({}) == date.today()


def test_dates_are_written_as_strftime_writes_jj_mm_aaaa():
    """Written from the date's fields (faster): the same text, every day of a
    leap year and beyond, for dates and datetimes; nothing for no date."""
    first = date(2027, 12, 25)
    for offset in range(-400, 40):
        day = first + timedelta(days=offset)
        assert format_date(day) == day.strftime("%d/%m/%Y")
    assert format_date(datetime(2027, 1, 5, 17, 30)) == "05/01/2027"
    assert format_date(None) == ""


def test_date_ranges_are_worked_out_once_per_calendar_and_cannot_be_changed():
    """Read twice a page: remembered by the periods, a tuple no caller can
    change under another."""
    ranges = date_ranges(COLLEGE)
    assert date_ranges(college_config()) is ranges and isinstance(ranges, tuple)
    assert [r.key for r in ranges][:4] == ["T1", "T2", "T3", "2026-09"]
    assert ranges[-1].key == "annee" and ranges[-1].end == COLLEGE.year_end
