"""The list of grades (guide, section 2.4.1)."""

from __future__ import annotations

from dataclasses import dataclass

from ts_host.api import (
    PupilContext,
    date_ranges,
    find_date_range,
    format_date,
    format_decimal,
    today,
)

from .chart import build_chart
from .compute import format_coefficient, grades_by_subject, visible_evaluations
from .i18n import _
from .models import SERVICE_ID, ClassBook, PupilNotes

PERIOD_PARAM = "periode"
SUBJECT_PARAM = "matiere"


@dataclass(frozen=True)
class TeamRow:
    subject: str
    teachers: tuple[str, ...]
    principal: str

    def marked(self, teacher: str) -> bool:
        return bool(self.principal) and teacher == self.principal


def team_of(book: ClassBook) -> list[TeamRow]:
    """The "équipe pédagogique": each subject's teachers, the principal among them."""
    return [
        TeamRow(subject, tuple(book.teams.get(subject, ())), book.principal)
        for subject in book.subjects()
        if book.teams.get(subject)
    ]


def notes_view(context: PupilContext, request) -> dict:
    establishment = context.establishment
    day = today(request)
    chosen = find_date_range(establishment, request.params.get(PERIOD_PARAM), day, "period")
    notes: PupilNotes | None = context.pupil.services.get(SERVICE_ID)
    ranges = date_ranges(establishment)
    page = {
        "pupil": context.pupil,
        "chosen": chosen,
        "periods": [r for r in ranges if r.kind == "period"],
        "months": [r for r in ranges if r.kind == "month"],
        "years": [r for r in ranges if r.kind == "year"],
        "subjects": [],
        "subject": "",
        "groups": [],
        "charts": [],
        "team": [],
        "team_title": request.localizer.translate(_("L'équipe pédagogique")),
        "selected_teachers": (),
        "period_param": PERIOD_PARAM,
        "subject_param": SUBJECT_PARAM,
        "format_date": format_date,
        "format_decimal": format_decimal,
        "format_coefficient": format_coefficient,
    }
    if notes is None:
        return page
    book = notes.book
    subjects = book.subjects()
    subject = request.params.get(SUBJECT_PARAM, "")
    subject = subject if subject in subjects else ""
    visible = visible_evaluations(book, establishment, context.settings, day)
    year = next(r for r in ranges if r.kind == "year")
    page.update(
        subjects=subjects,
        subject=subject,
        groups=grades_by_subject(notes, visible, chosen, subject),
        charts=[
            build_chart(grades, year.start, year.end)
            for grades in grades_by_subject(notes, visible, year, subject)
        ],
        team=team_of(book),
        selected_teachers=tuple(book.teams.get(subject, ())) if subject else (),
    )
    return page
