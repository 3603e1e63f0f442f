"""The list of grades (guide, section 2.4.1)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from ts_host.api import (
    DateRange,
    Pupil,
    PupilContext,
    Site,
    Tile,
    date_ranges,
    find_date_range,
    format_date,
    format_decimal,
    of_name,
    principals,
    teaching_team,
    today,
)

from .chart import build_chart
from .compute import grades_by_subject, visible_evaluations
from .i18n import _
from .models import SERVICE_ID, ClassBook, PupilNotes, subject_sort_key
from .table import GradeCells, SummaryRow, subject_table

PAGE_ROUTE = "ts_notes.pupil"
TEAM_ROUTE = "ts_notes.team"
PERIOD_PARAM = "periode"
SUBJECT_PARAM = "matiere"


def dashboard_tile(request, pupil: Pupil) -> Tile:
    return Tile(
        title=_("Les notes"),
        text=_("La liste exhaustive des notes pour chaque contrôle, tout au long de l'année."),
        link_label=_(
            "Consultez la liste des notes ${of_first_name}",
            mapping={"of_first_name": of_name(request, pupil.first_name)},
        ),
        url=request.route_url(PAGE_ROUTE, pupil=pupil.id),
    )


@dataclass(frozen=True)
class TeamRow:
    subject: str
    teachers: tuple[str, ...]
    principals: tuple[str, ...]

    def marked(self, teacher: str) -> bool:
        return teacher in self.principals


@dataclass(frozen=True)
class Team:
    """The class's "équipe pédagogique": each subject's teachers, and the
    professeur(s) principal(aux), as the establishment's structure names them.

    A division the structure does not know (STS-web not imported yet) shows
    the teachers of the grades file; its professeur principal, only the
    establishment's structure names.
    """

    teachers: Mapping[str, tuple[str, ...]]
    principals: tuple[str, ...]

    def rows(self) -> list[TeamRow]:
        return [
            TeamRow(subject, names, self.principals)
            for subject, names in sorted(
                self.teachers.items(), key=lambda entry: subject_sort_key(entry[0])
            )
            if names
        ]


def team_of(site: Site, uai: str, book: ClassBook) -> Team:
    establishment = site.establishments[uai]
    structure = teaching_team(establishment, book.division)
    teachers = {
        team.subject: tuple(teacher.display_name for teacher in team.teachers) for team in structure
    }
    return Team(
        teachers or dict(book.teams),
        tuple(teacher.display_name for teacher in principals(establishment, book.division)),
    )


def latest_period_with_grades(
    periods: list[DateRange], before: DateRange, has_grades: Callable[[DateRange], bool]
) -> DateRange | None:
    """The last period ending before ``before`` begins that ``has_grades``, if any."""
    earlier = [p for p in periods if p.end < before.start]
    return next((p for p in reversed(earlier) if has_grades(p)), None)


def year_charts(notes, visible, year, chosen, subject, groups) -> dict:
    """The chart of the year of the chosen subject, or a link to each subject's.

    ``groups`` are the table's, the year's own when the table shows the year.
    Charts come on demand: eleven charts, each with its data table, made
    most of the page's weight (120 KB for a year of grades), on a phone
    too.  Without a subject, the page lists the subjects with grades this
    year, each linking to the same page filtered on it, which draws its chart.
    """
    subjects = (
        groups if chosen.key == year.key else grades_by_subject(notes, visible, year, subject)
    )
    if subject:
        return {"charts": [build_chart(grades, year.start, year.end) for grades in subjects]}
    return {
        "chart_links": [
            (
                grades.subject,
                # Relative to the page itself: eleven links, on a 40 KB budget.
                "?"
                + urlencode({PERIOD_PARAM: chosen.key, SUBJECT_PARAM: grades.subject})
                + "#notes-graphiques",
            )
            for grades in subjects
        ]
    }


def notes_view(context: PupilContext, request) -> dict:
    """The grades of the chosen range, by default of the current period.

    At the start of a period, or all period long where grades are published
    at its end, the current period has no grade yet: opening on it would say
    « Aucune note publiée » above a chart of the year full of grades.  So,
    when no range was asked for and the current period shows nothing, the
    page opens on the latest earlier period that does, and says so
    (``empty_current``); the selector then names the period the table
    shows.  When a period was asked for and shows nothing, the page offers
    that earlier period in one click (``earlier``).
    """
    establishment = context.establishment
    day = today(request)
    key = request.params.get(PERIOD_PARAM)
    chosen = find_date_range(establishment, key, day, "period")
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
        "chart_links": [],
        "team_url": None,
        "empty_current": None,
        "earlier": None,
        "selected_teachers": (),
        "period_param": PERIOD_PARAM,
        "subject_param": SUBJECT_PARAM,
        "format_date": format_date,
        "format_decimal": format_decimal,
    }
    if notes is None:
        return page
    grade_cell = GradeCells(request.localizer.translate)
    of_first_name = of_name(request, context.pupil.first_name)
    summary_row = SummaryRow(request.localizer.translate, of_first_name)
    book = notes.book
    team = team_of(request.site, context.pupil.uai, book)
    subjects = book.subjects()
    subject = request.params.get(SUBJECT_PARAM, "")
    subject = subject if subject in subjects else ""
    visible = visible_evaluations(book, establishment, context.settings, day)
    year = next(r for r in ranges if r.kind == "year")
    groups = grades_by_subject(notes, visible, chosen, subject)
    if not groups and chosen.kind == "period":
        earlier = latest_period_with_grades(
            page["periods"],
            chosen,
            lambda period: bool(grades_by_subject(notes, visible, period, subject)),
        )
        if earlier is not None and chosen.key != key:
            page.update(empty_current=chosen, chosen=earlier)
            chosen = earlier
            groups = grades_by_subject(notes, visible, chosen, subject)
        elif earlier is not None:
            query = {PERIOD_PARAM: earlier.key, **({SUBJECT_PARAM: subject} if subject else {})}
            page["earlier"] = earlier
            page["earlier_url"] = request.route_url(
                PAGE_ROUTE, pupil=context.pupil.id, _query=query
            )
    page.update(
        subjects=subjects,
        subject=subject,
        grade_cell=grade_cell,
        groups=[subject_table(grades, grade_cell, summary_row) for grades in groups],
        **year_charts(notes, visible, year, chosen, subject, groups),
        team_url=request.route_url(TEAM_ROUTE, pupil=context.pupil.id) if team.rows() else None,
        selected_teachers=team.teachers.get(subject, ()) if subject else (),
    )
    return page


def team_view(context: PupilContext, request) -> dict:
    """The class's teaching team (the guide's « équipe pédagogique »).

    A page of its own, which the notes page links to: in a dialog it weighed
    on every view of the notes (2 KB of a year's 40), and it needed the
    DSFR's script to open.
    """
    notes: PupilNotes | None = context.pupil.services.get(SERVICE_ID)
    team = team_of(request.site, context.pupil.uai, notes.book).rows() if notes else []
    return {
        "pupil": context.pupil,
        "team": team,
        "notes_url": request.route_url(PAGE_ROUTE, pupil=context.pupil.id),
    }
