"""Fixtures of the grades' tests: a class book whose figures are known by heart."""

from datetime import date
from decimal import Decimal

import pytest

from ts_host.testing import set_teaching_team
from ts_notes.models import SERVICE_ID, ClassBook, PupilNotes


@pytest.fixture(scope="session")
def ts_service_under_test():
    return "notes"


def d(text: str) -> date:
    return date.fromisoformat(text)


#: subject, label, date, coefficient, published on, the pupil's grade, a classmate's.
#: The kit's today is 15/02/2027, in T2 (01/12/2026 - 07/03/2027) of establishment A.
EVALUATIONS = [
    ("Mathématiques", "Statistiques", "2026-10-05", "1.0", "2026-10-07", "11.00", "9.00"),
    ("Mathématiques", "Fractions", "2027-01-10", "2.0", "2027-01-12", "14.00", "10.00"),
    ("Mathématiques", "Géométrie", "2027-01-20", "1.0", "2027-01-22", "8.50", "13.50"),
    ("Mathématiques", "Calcul mental", "2027-02-01", "0.5", "2027-02-03", "ABS", "16.00"),
    ("Mathématiques", "Équations", "2027-02-10", "1.0", None, "20.00", "20.00"),
    ("Mathématiques", "Proportionnalité", "2027-02-12", "1.0", "2027-02-20", "5.00", "6.00"),
    ("Français", "Lecture cursive", "2027-01-05", "1.0", "2027-01-06", None, "11.00"),
    ("Français", "Dictée", "2027-01-15", "1.0", "2027-01-16", "13.40", "12.00"),
    ("Français", "Rédaction", "2027-01-25", "1.0", "2027-01-26", "DIS", "15.00"),
    ("Français", "Récitation", "2027-02-05", "1.0", "2027-02-06", "N.NOT", "10.00"),
]
TEAMS = {
    "Mathématiques": ("M. MARTIN",),
    "Français": ("MME DURAND",),
    "Educ. Phys et Sport.": ("M. PETIT", "MME ROUX"),
}
PRINCIPAL = "MME DURAND"


def grade(text):
    if text is None or text in ("ABS", "DIS", "N.NOT"):
        return text
    return Decimal(text)


def build_book(pupil, classmate_id="camarade") -> ClassBook:
    """Give ``pupil`` a class book of its own holding :data:`EVALUATIONS`."""
    book = ClassBook(pupil.uai, pupil.division, pupil.level)
    for subject, teachers in TEAMS.items():
        book.teams[subject] = teachers
    notes = PupilNotes(book)
    classmate = PupilNotes(book)
    for subject, label, day, coefficient, published, mine, theirs in EVALUATIONS:
        evaluation = book.add_evaluation(
            subject, label, d(day), Decimal(coefficient), d(published) if published else None
        )
        if mine is not None:
            notes.set_grade(evaluation.id, grade(mine))
        classmate.set_grade(evaluation.id, grade(theirs))
    pupil.services.pop(SERVICE_ID)
    pupil.services.add(SERVICE_ID, notes)
    book.join(pupil.id, notes)
    book.join(classmate_id, classmate)
    book.compute_figures()
    return book


@pytest.fixture
def known_book(site, tm, pupil_enabled):
    """The family's child in A gets the book of :data:`EVALUATIONS`, and
    its class the teaching team :data:`TEAMS` led by :data:`PRINCIPAL`."""
    with tm:
        pupil = site.pupils[pupil_enabled]
        build_book(pupil)
        set_teaching_team(site, pupil.uai, pupil.division, TEAMS, PRINCIPAL)
    return pupil_enabled


@pytest.fixture
def notes_page(family_app, known_book):
    """``notes_page(**params)``: the child's list of grades."""

    def get(**params):
        return family_app.get(f"/eleve/{known_book}/notes", params=params)

    return get
