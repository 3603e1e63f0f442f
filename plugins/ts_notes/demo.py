"""Demo grades: a class book per division and a year of grades per pupil.

Each division's subjects are those its teaching team teaches (the host's
demo structure, ``ts_host.api.teaching_team``): two to four evaluations a
month per subject from September to June, and grades drawn around each
pupil's own level; the class figures are then computed from those grades.

The demo is looked at on any day of the school year, whatever day it was
built: so every evaluation is published by its teacher one to a week after
it was taken, and what a family sees follows the day it looks (the last
few days' evaluations are not visible yet).  The school year opens with a
diagnostic evaluation in the division's first subjects, marked and
published on the first school day: from that day on, the current period
has something to show.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from ts_host.api import EstablishmentConfig, Pupil, Site, school_days, teaching_team

from .models import ABS, DIS, NNOT, SERVICE_ID, ClassBook, PupilNotes, encode_grade

GENERIC_LABELS = (
    "Interrogation écrite",
    "Devoir maison",
    "Devoir surveillé",
    "Participation orale",
    "Évaluation bilan",
)
LABELS = {
    "Français": ("Dictée", "Rédaction", "Lecture cursive", "Grammaire", "Récitation"),
    "Mathématiques": (
        "Fractions",
        "Géométrie",
        "Calcul littéral",
        "Équations",
        "Proportionnalité",
        "Statistiques",
    ),
    "Histoire-Géo. Ed. Civ.": (
        "HIST - Rome antique",
        "GEO - Habiter la ville",
        "EMC - Les droits",
        "HIST - Le Moyen Âge",
        "Croquis",
    ),
    "Hist.-Géo.": (
        "HIST - La Révolution",
        "GEO - Mondialisation",
        "Composition",
        "Étude de document",
    ),
    "LV1 - Anglais": ("Vocabulary", "Listening", "Irregular verbs", "Oral presentation"),
    "LV2 - Espagnol": ("Vocabulario", "Comprensión oral", "Expresión escrita"),
    "Sciences Vie Terre": ("La cellule", "Les volcans", "Respiration", "TP microscope"),
    "SVT": ("Génétique", "Géologie", "TP dissection", "Écosystèmes"),
    "Physique-Chimie": ("Circuits électriques", "Masse et volume", "TP mélanges"),
    "Phys.-Chimie": ("Mécanique", "Ondes", "TP titrage", "Cinétique"),
    "Technologie": ("Projet robot", "Objets techniques", "Programmation"),
    "Educ. Phys et Sport.": (
        "Badminton",
        "Volley",
        "Course d'orientation",
        "Natation",
        "Athlétisme",
    ),
    "Arts Plastiques": ("Carnet de croquis", "Dessin fresque", "Collage"),
    "Education Musicale": ("Chant", "Écoute", "Flûte"),
    "Philosophie": ("Dissertation", "Explication de texte"),
    "Sc. Eco. Sociales": ("Marché", "Socialisation", "Étude de document"),
    "Enseignement Scientifique": ("Le Soleil", "Climat", "Projet expérimental"),
}
COEFFICIENTS = (Decimal("1.0"), Decimal("1.0"), Decimal("1.0"), Decimal("0.5"), Decimal("2.0"))
#: Months evaluated, in school-year order (September to June).
MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6)
#: School breaks, roughly (first and last day as (month, day)): no evaluation then.
BREAKS = (((10, 17), (11, 1)), ((12, 19), (1, 3)), ((2, 20), (3, 7)), ((4, 17), (5, 2)))
#: Days between an evaluation and its publication by the teacher.
PUBLICATION_DELAY = (1, 7)
DIAGNOSTIC_LABEL = "Évaluation diagnostique"
#: How many of the division's subjects (in the book's order) open the year with one.
DIAGNOSTIC_SUBJECTS = 2
ABSENT_RATE = 0.03
EXEMPT_RATE = 0.005
EXEMPT_RATES = {"Educ. Phys et Sport.": 0.04}
NOT_GRADED_RATE = 0.005


def on_break(day: date) -> bool:
    when = (day.month, day.day)
    for first, last in BREAKS:
        if (first <= when <= last) if first <= last else (when >= first or when <= last):
            return True
    return False


def evaluation_days(establishment: EstablishmentConfig) -> dict[int, list[date]]:
    """The school days outside the breaks, by evaluated month."""
    days: dict[int, list[date]] = defaultdict(list)
    for day in school_days(establishment):
        if day.month in MONTHS and not on_break(day):
            days[day.month].append(day)
    return days


def fill(
    site: Site,
    establishment: EstablishmentConfig,
    pupils: Sequence[Pupil],
    rng: random.Random,
) -> None:
    """Give every division among ``pupils`` its class book and grades."""
    by_division: dict[str, list[Pupil]] = defaultdict(list)
    for pupil in pupils:
        by_division[pupil.division].append(pupil)
    days = evaluation_days(establishment)
    record = site.establishments[establishment.uai]
    for division in sorted(by_division):
        subjects = [team.subject for team in teaching_team(record, division)]
        fill_division(establishment, division, subjects, by_division[division], rng, days)


def fill_division(
    establishment: EstablishmentConfig,
    division: str,
    subjects: Sequence[str],
    pupils: list[Pupil],
    rng: random.Random,
    days: dict[int, list[date]],
) -> ClassBook:
    """The book of ``division``: evaluations in ``subjects``, grades for ``pupils``."""
    book = ClassBook(establishment.uai, division, pupils[0].level)
    first_day = min(min(month) for month in days.values() if month)
    for subject in subjects:
        if subject in subjects[:DIAGNOSTIC_SUBJECTS]:
            book.add_evaluation(subject, DIAGNOSTIC_LABEL, first_day, Decimal("1.0"), first_day)
        _evaluations(book, subject, rng, days)

    evaluations = list(book)
    absent, exempt, not_graded = (encode_grade(ABS), encode_grade(DIS), encode_grade(NNOT))
    numeric: dict[int, list[int]] = {e.id: [] for e in evaluations}
    # Per evaluation: its id, difficulty, the draw limits of DIS and N.NOT
    # (ABS below ABSENT_RATE) and the list collecting the class's grades.
    draws = []
    for evaluation in evaluations:
        exempt_limit = ABSENT_RATE + EXEMPT_RATES.get(evaluation.subject, EXEMPT_RATE)
        draws.append(
            (
                evaluation.id,
                rng.gauss(0, 1.5),
                exempt_limit,
                exempt_limit + NOT_GRADED_RATE,
                numeric[evaluation.id],
            )
        )
    uniform = rng.random
    for pupil in pupils:
        ability = min(max(rng.gauss(12, 3), 4.0), 18.5)
        grades = {}
        for eid, difficulty, exempt_limit, code_limit, class_grades in draws:
            draw = uniform()
            if draw < code_limit:
                grades[eid] = (
                    absent if draw < ABSENT_RATE else exempt if draw < exempt_limit else not_graded
                )
                continue
            # The sum of three uniform draws, centred and scaled: a cheap bell
            # curve of standard deviation 2.5 points.
            noise = (uniform() + uniform() + uniform() - 1.5) * 5
            half_points = int((ability + difficulty + noise) * 2 + 0.5)
            value = 0 if half_points < 0 else 2000 if half_points > 40 else half_points * 50
            grades[eid] = value
            class_grades.append(value)
        notes = PupilNotes(book)
        notes.update(grades)
        pupil.services.set(SERVICE_ID, notes)
        book.join(pupil.id, notes)
    for evaluation in evaluations:
        book.replace(evaluation.with_figures(numeric[evaluation.id]))
    return book


def _evaluations(
    book: ClassBook, subject: str, rng: random.Random, days: dict[int, list[date]]
) -> None:
    labels = LABELS.get(subject, ()) + GENERIC_LABELS
    for month in MONTHS:
        choices = days.get(month, [])
        count = min(rng.randint(2, 4), len(choices))
        for day in sorted(rng.sample(choices, count)):
            published_on = day + timedelta(days=rng.randint(*PUBLICATION_DELAY))
            book.add_evaluation(
                subject, rng.choice(labels), day, rng.choice(COEFFICIENTS), published_on
            )
