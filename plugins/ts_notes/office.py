"""The grades' pages in the establishment office: import a grades file, see what is published.

The import is the host's upload → preview → confirm page around
``NotesImporter``, the very importer of ``ts-admin import notes``, held to
the page's establishment.  The établissement's staff import; the vie
scolaire reads what is published: for a period, each class's evaluations,
those the families see today, the grades given, and the class's last import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ts_host.api import (
    STAFF_EDIT_PERMISSION,
    EstablishmentConfig,
    PupilFinder,
    Tile,
    UploadField,
    date_ranges,
    find_date_range,
    format_date,
    format_decimal,
    importer_page,
    today,
)

from .compute import format_coefficient, release_date
from .i18n import _
from .importers import NotesImporter
from .models import SERVICE_ID, ClassBook, Evaluation

PUBLISHED_ROUTE = "ts_notes.office"
IMPORT_ROUTE = "ts_notes.office_import"
PERIOD_PARAM = "periode"
CLASS_PARAM = "classe"

IMPORT_PAGE = importer_page(
    NotesImporter,
    UploadField(
        "notes",
        _("Fichier des notes"),
        _("CSV, une ligne par note d'un élève (voir le format ci-dessous)"),
    ),
    PUBLISHED_ROUTE,
)


def office_tile(request, establishment: EstablishmentConfig) -> Tile:
    return Tile(
        title=_("Les notes"),
        text=_("Importer un fichier de notes et voir ce que les familles voient."),
        link_label=_("Voir les notes publiées"),
        url=request.route_url(PUBLISHED_ROUTE, uai=establishment.uai),
    )


def import_view(context, request):
    return IMPORT_PAGE(request)


@dataclass(frozen=True)
class EvaluationRow:
    evaluation: Evaluation
    grades: int
    release: date | None

    def visible(self, day: date) -> bool:
        return self.release is not None and self.release <= day


@dataclass(frozen=True)
class ClassRow:
    """One class's evaluations of the chosen period."""

    book: ClassBook
    evaluations: list[EvaluationRow]
    visible: int
    grades: int

    @property
    def imported_at(self) -> datetime | None:
        return self.book.imported_at


def class_books(site, uai: str) -> list[ClassBook]:
    """The establishment's class books, by class name."""
    books = {}
    for pupil in PupilFinder(site).pupils(uai):
        notes = pupil.services.get(SERVICE_ID)
        if notes is not None and notes.book.uai == uai:
            books.setdefault(notes.book.division, notes.book)
    return [books[division] for division in sorted(books)]


def class_row(book: ClassBook, period, config, settings, day: date) -> ClassRow:
    rows = []
    for evaluation in sorted(book, key=lambda e: (e.day, e.subject, e.label)):
        if evaluation.day not in period:
            continue
        given = sum(1 for notes in book.members.values() if evaluation.id in notes.grades)
        rows.append(EvaluationRow(evaluation, given, release_date(evaluation, config, settings)))
    return ClassRow(
        book,
        rows,
        visible=sum(1 for row in rows if row.visible(day)),
        grades=sum(row.grades for row in rows),
    )


def published_view(context, request):
    """Per class, the chosen period's evaluations; one class's in detail on demand."""
    config = context.config
    day = today(request)
    period = find_date_range(config, request.params.get(PERIOD_PARAM), day, "period")
    settings = config.settings_for(SERVICE_ID)
    classes = [
        class_row(book, period, config, settings, day)
        for book in class_books(request.site, context.uai)
    ]
    wanted = request.params.get(CLASS_PARAM, "")
    return {
        "config": config,
        "day": day,
        "period": period,
        "periods": [r for r in date_ranges(config) if r.kind in ("period", "year")],
        "year_label": request.localizer.translate(_("Toute l'année")),
        "classes": classes,
        "detail": next((row for row in classes if row.book.division == wanted), None),
        "period_param": PERIOD_PARAM,
        "class_param": CLASS_PARAM,
        "may_import": request.has_permission(STAFF_EDIT_PERMISSION),
        "format_date": format_date,
        "format_decimal": format_decimal,
        "format_coefficient": format_coefficient,
    }
