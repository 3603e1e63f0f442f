"""Invented absences for the demo: most pupils miss little, a few miss a lot."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from ts_host.api import EstablishmentConfig, Pupil, school_days_by_month, service_data

from .counting import parse_split
from .models import PROCESSED, REPORTED, SERVICE_ID, Absence, PupilAbsences

#: Weights of 0, 1, 2 and 3 absences a month, for 80 % of the pupils, then 15 %.
COUNTS = (0, 1, 2, 3)
RARELY = (70, 20, 7, 3)
SOMETIMES = (35, 35, 20, 10)
#: The last 5 % miss school often: between these many absences each month.
OFTEN = (3, 8)
MORNING_START = time(8, 0)
AFTERNOON_START = time(13, 30)
DAY_END = time(17, 0)
HOURS = (8, 9, 10, 14, 15, 16)


def fill(establishment: EstablishmentConfig, pupils: Sequence[Pupil], rng: random.Random) -> None:
    """Give each pupil the absences of a whole school year (cheap: a few per pupil)."""
    months = school_days_by_month(establishment)
    split = parse_split(establishment.half_day_split)
    for pupil in pupils:
        draw = rng.random()
        weights = RARELY if draw < 0.80 else SOMETIMES if draw < 0.95 else None
        absences: dict[datetime, Absence] = {}
        for days in months:
            count = rng.choices(COUNTS, weights)[0] if weights else rng.randint(*OFTEN)
            for _ in range(count):
                absence = _absence(rng, rng.choice(days), split)
                absences.setdefault(absence.start, absence)
        if absences:
            data = service_data(pupil, SERVICE_ID, PupilAbsences)
            for absence in absences.values():
                data.add(absence)


def _absence(rng: random.Random, day: date, split: time) -> Absence:
    kind = rng.random()
    afternoon = max(AFTERNOON_START, split)
    if kind < 0.35:
        start, end = datetime.combine(day, MORNING_START), datetime.combine(day, split)
    elif kind < 0.60:
        start, end = datetime.combine(day, afternoon), datetime.combine(day, DAY_END)
    elif kind < 0.80:
        start = datetime.combine(day, time(rng.choice(HOURS)))
        end = start + timedelta(hours=1)
    elif kind < 0.95 or day.weekday() > 2:
        start, end = (
            datetime.combine(day, MORNING_START),
            datetime.combine(day, DAY_END),
        )
    else:
        # Two or three days in a row, within the week.
        last = day + timedelta(days=rng.randint(1, 2))
        start, end = (
            datetime.combine(day, MORNING_START),
            datetime.combine(last, DAY_END),
        )
    if rng.random() < 0.10:
        return Absence(start, end, REPORTED, False)
    return Absence(start, end, PROCESSED, rng.random() < 0.80)
