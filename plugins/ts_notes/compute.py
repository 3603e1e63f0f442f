"""What a family may see of the grades, and the averages shown beside them."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from ts_host.api import DateRange, EstablishmentConfig

from .models import ClassBook, Evaluation, Grade, PupilNotes, round_hundredths, subject_sort_key
from .schemas import IMMEDIATE, MONTH_END


def release_date(
    evaluation: Evaluation, establishment: EstablishmentConfig, settings: Mapping[str, Any]
) -> date | None:
    """The first day a family may see the evaluation, or ``None`` if never yet.

    An evaluation the teacher has not published stays hidden.  Once it is
    published, ``immediate`` shows it from its publication date;
    ``month_end`` / ``period_end`` from the day after the end of the
    evaluation's month / period (the whole year when outside the periods)
    plus ``publication_delay_days``, and never before its publication date.
    """
    if evaluation.published_on is None:
        return None
    mode = settings.get("publication", IMMEDIATE)
    if mode == IMMEDIATE:
        return evaluation.published_on
    day = evaluation.day
    if mode == MONTH_END:
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    else:
        period = establishment.period_of(day)
        end = period.end if period else establishment.year_end
    delay = int(settings.get("publication_delay_days", 0))
    return max(evaluation.published_on, end + timedelta(days=1 + delay))


def visible_evaluations(
    book: ClassBook, establishment: EstablishmentConfig, settings: Mapping[str, Any], today: date
) -> list[Evaluation]:
    """The book's evaluations a family may see today, by date then label."""
    visible = []
    for evaluation in book:
        release = release_date(evaluation, establishment, settings)
        if release is not None and release <= today:
            visible.append(evaluation)
    visible.sort(key=lambda e: (e.day, e.label, e.id))
    return visible


def weighted_average(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Σ(value × coefficient) / Σ coefficient, to the hundredth; ``None`` without weight."""
    total = Decimal(0)
    weight = Decimal(0)
    for value, coefficient in pairs:
        total += value * coefficient
        weight += coefficient
    if not weight:
        return None
    return round_hundredths(total / weight)


@dataclass(frozen=True)
class Line:
    """One row of the table: an evaluation and the pupil's grade (``None``: no grade)."""

    evaluation: Evaluation
    grade: Grade | None

    @property
    def counts(self) -> bool:
        """Whether the grade enters the averages (codes and missing grades do not)."""
        return isinstance(self.grade, Decimal)


@dataclass(frozen=True)
class SubjectGrades:
    """A subject's rows of the table, with its two averages.

    Both averages are weighted by the coefficients and taken over the same
    evaluations: those where the pupil has a numeric grade.
    """

    subject: str
    teachers: tuple[str, ...]
    lines: tuple[Line, ...]

    # Remembered once worked out: the table's summary row and the chart's
    # description read them, each of a whole year's subjects.
    @cached_property
    def counted(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.counts)

    @cached_property
    def pupil_average(self) -> Decimal | None:
        return weighted_average((line.grade, line.evaluation.coefficient) for line in self.counted)

    @cached_property
    def class_average(self) -> Decimal | None:
        return weighted_average(
            (average, line.evaluation.coefficient)
            for line in self.counted
            if (average := line.evaluation.average) is not None
        )

    @cached_property
    def coefficient_total(self) -> Decimal:
        return sum((line.evaluation.coefficient for line in self.counted), Decimal(0))


def grades_by_subject(
    notes: PupilNotes,
    evaluations: Iterable[Evaluation],
    date_range: DateRange | None = None,
    subject: str | None = None,
) -> list[SubjectGrades]:
    """Group the evaluations within ``date_range`` (and of ``subject``) by subject.

    Subjects come in the book's order; a subject without any evaluation in
    the range is left out.
    """
    by_subject: dict[str, list[Line]] = {}
    for evaluation in evaluations:
        if subject and evaluation.subject != subject:
            continue
        if date_range is not None and evaluation.day not in date_range:
            continue
        by_subject.setdefault(evaluation.subject, []).append(
            Line(evaluation, notes.grade(evaluation.id))
        )
    teams = notes.book.teams
    # The book's order (ClassBook.subjects) without going through all its evaluations.
    return [
        SubjectGrades(name, tuple(teams.get(name, ())), tuple(by_subject[name]))
        for name in sorted(by_subject, key=subject_sort_key)
    ]


@lru_cache(maxsize=256)
def format_coefficient(coefficient: Decimal) -> str:
    """As the guide prints coefficients: ``1.0``, ``0.5``, ``2.0``, ``0.25``.

    Remembered: a class uses a handful, on every row of its table.  Equal
    values share an entry, and their text is the same (``normalize``)."""
    text = f"{coefficient.normalize():f}"
    return text if "." in text else f"{text}.0"
