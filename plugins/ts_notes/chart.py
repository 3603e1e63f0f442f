"""The geometry of a subject's chart: the pupil's grades against the class average.

The template draws it as inline SVG from these numbers (no script, no
style attribute); the same figures are listed in a table for screen
readers.  x is the date across the school year, y the points out of 20.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .compute import SubjectGrades
from .i18n import _
from .models import MAX_POINTS

WIDTH = 320
HEIGHT = 180
LEFT = 30
RIGHT = WIDTH - 10
TOP = 12
BOTTOM = HEIGHT - 26
MONTH_ABBREVIATIONS = (
    _("janv."), _("févr."), _("mars"), _("avr."), _("mai"), _("juin"),
    _("juil."), _("août"), _("sept."), _("oct."), _("nov."), _("déc."),
)  # fmt: skip


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A subject's chart; ``subject_grades`` also feeds its data table."""

    subject_grades: SubjectGrades
    pupil_points: tuple[Point, ...]
    class_points: tuple[Point, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]

    width = WIDTH
    height = HEIGHT
    left = LEFT
    right = RIGHT
    top = TOP
    bottom = BOTTOM

    @property
    def view_box(self) -> str:
        return f"0 0 {WIDTH} {HEIGHT}"

    @property
    def pupil_line(self) -> str:
        return _polyline(self.pupil_points)

    @property
    def class_line(self) -> str:
        return _polyline(self.class_points)


def _polyline(points: tuple[Point, ...]) -> str:
    return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)


def x_of(day: date, start: date, end: date) -> float:
    span = max((end - start).days, 1)
    offset = min(max((day - start).days, 0), span)
    return round(LEFT + (RIGHT - LEFT) * offset / span, 1)


def y_of(points) -> float:
    return round(BOTTOM - (BOTTOM - TOP) * float(points) / MAX_POINTS, 1)


def build_chart(subject_grades: SubjectGrades, start: date, end: date) -> Chart:
    """The chart of one subject's year, from ``start`` to ``end``."""
    pupil_points = []
    class_points = []
    for line in subject_grades.lines:
        x = x_of(line.evaluation.day, start, end)
        if line.counts:
            pupil_points.append(Point(x, y_of(line.grade)))
        if line.evaluation.average is not None:
            class_points.append(Point(x, y_of(line.evaluation.average)))
    y_ticks = tuple(Tick(y_of(value), str(value)) for value in range(0, MAX_POINTS + 1, 5))
    x_ticks = []
    month = start.replace(day=1)
    while month <= end:
        x_ticks.append(
            Tick(x_of(max(month, start), start, end), MONTH_ABBREVIATIONS[month.month - 1])
        )
        month = (
            month.replace(year=month.year + 1, month=1)
            if month.month == 12
            else month.replace(month=month.month + 1)
        )
    return Chart(
        subject_grades, tuple(pupil_points), tuple(class_points), y_ticks, tuple(x_ticks[::2])
    )
