"""``ts-admin import notes FILE``: grades from a CSV file (see the host's importer toolkit).

One line per grade of a pupil; the evaluation and its subject's teachers
are read from the same lines (see ``IMPORT.md``).  The professeur principal
is the establishment's (``ts-admin import sts``): a ``*`` after a name, which
older files carry, is read and ignored.  Every line is checked before anything is written.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from ts_host.api import (
    Column,
    Importer,
    ImportFormat,
    ImportSummary,
    Line,
    Pupil,
    PupilFinder,
    parse_french_date,
    report_event,
)

from .compute import release_date
from .i18n import _
from .models import (
    CODES,
    MAX_POINTS,
    SERVICE_ID,
    ClassBook,
    Grade,
    PupilNotes,
    encode_grade,
)

MAX_COEFFICIENT = Decimal(20)
#: How older files marked the professeur principal, now named by the structure.
PRINCIPAL_MARK = "*"
NUMBER_RE = re.compile(r"^\d{1,2}([.,]\d{1,2})?$")


@dataclass(frozen=True)
class GradeLine:
    """One checked line of the file."""

    line: int
    uai: str
    division: str
    subject: str
    teachers: tuple[str, ...]
    label: str
    day: date
    coefficient: Decimal
    published_on: date | None
    pupil_id: str
    grade: Grade

    @property
    def evaluation_key(self) -> tuple[str, str, str, str, date]:
        return (self.uai, self.division, self.subject, self.label, self.day)


def parse_grade(text: str) -> Grade:
    """``13,40`` / ``13.4`` / ``ABS`` … into a grade; ``ValueError`` in French."""
    code = text.strip().upper()
    if code in CODES:
        return code
    if not NUMBER_RE.match(text.strip()):
        raise ValueError(f"note invalide « {text} » (nombre sur 20 ou ABS, DIS, N.NOT)")
    value = Decimal(text.strip().replace(",", "."))
    if value > MAX_POINTS:
        raise ValueError(f"note invalide « {text} » (sur {MAX_POINTS})")
    return value.quantize(Decimal("0.01"))


def parse_coefficient(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if (
        not value.is_finite()
        or value <= 0
        or value > MAX_COEFFICIENT
        or (value.as_tuple().exponent < -2)
    ):
        raise ValueError(f"coefficient invalide « {text} » (nombre positif, ex. 1.0 ou 0.5)")
    return value


def parse_teachers(text: str) -> tuple[str, ...]:
    """The subject's teachers (a name's ``*`` mark dropped)."""
    teachers = []
    for part in text.split(","):
        name = " ".join(part.split()).removesuffix(PRINCIPAL_MARK).strip()
        if name:
            teachers.append(name)
    if not teachers:
        raise ValueError("professeur manquant")
    return tuple(teachers)


class NotesImporter(Importer):
    """Grades, one line per grade of a pupil; evaluations and teams from the same lines."""

    name = SERVICE_ID
    columns = (
        Column("uai", "l'établissement de l'élève (UAI)"),
        Column("division", "la classe de l'élève"),
        Column("matiere", "libellé de la matière (ex. « Mathématiques »)"),
        Column(
            "professeur",
            "le ou les professeurs de la matière dans la classe, séparés par des\n"
            "virgules (ex. « MME DURAND ») ; le professeur principal est celui de\n"
            "l'import STS-web (un « * » après un nom est ignoré)",
            parse=parse_teachers,
        ),
        Column("controle", "libellé du contrôle"),
        Column("date", "date du contrôle, JJ/MM/AAAA", parse=parse_french_date),
        Column("coefficient", "ex. 1.0, 0.5, 2", parse=parse_coefficient),
        Column(
            "publie_le",
            "date de publication par l'enseignant (JJ/MM/AAAA), vide si non publié",
            required=False,
            parse=parse_french_date,
        ),
        Column("eleve_ine", "INE de l'élève"),
        Column(
            "note",
            "sur 20 avec deux décimales au plus (13,40 ou 13.40), ou ABS\n"
            "(absent), DIS (dispensé), N.NOT (non noté)",
            parse=parse_grade,
        ),
    )
    description = """\
Un contrôle est identifié par la classe, la matière, son libellé et sa date.
Un contrôle ou une note déjà présents sont mis à jour."""

    def __init__(self, site, academy) -> None:
        super().__init__(site, academy)
        self.evaluations: dict[tuple, tuple[int, Decimal, date | None]] = {}
        self.seen: dict[tuple, int] = {}

    def check(self, line: Line) -> GradeLine | None:
        """One line's values, then what it must agree on with the lines before it."""
        uai, division = line["uai"].upper(), line["division"]
        pupil = line.attempt(self._pupil_of, uai, line["eleve_ine"], division)
        day, published_on = line["date"], line["publie_le"]
        if published_on and published_on < day:
            line.problem("date de publication antérieure à la date du contrôle")
        teachers = line["professeur"]
        grade = GradeLine(
            line.number,
            uai,
            division,
            " ".join(line["matiere"].split()),
            teachers,
            line["controle"],
            day,
            line["coefficient"],
            published_on,
            pupil.id if pupil else "",
            line["note"],
        )
        if line.problems:
            return None
        key = grade.evaluation_key
        first = self.evaluations.setdefault(key, (line.number, grade.coefficient, published_on))
        if first[1:] != (grade.coefficient, published_on):
            raise ValueError(
                f"même contrôle qu'à la ligne {first[0]} avec un autre "
                f"coefficient ou une autre date de publication"
            )
        earlier = self.seen.setdefault((key, grade.pupil_id), line.number)
        if earlier != line.number:
            raise ValueError(f"note de cet élève pour ce contrôle déjà donnée ligne {earlier}")
        return grade

    def _pupil_of(self, uai: str, ine: str, division: str) -> Pupil:
        pupil = self.pupils.by_ine(uai, ine)
        if not pupil.active:
            raise ValueError(f"l'élève d'INE « {ine} » a quitté l'établissement")
        if pupil.division != division:
            raise ValueError(f"l'élève d'INE « {ine} » est en {pupil.division}, pas en {division}")
        notes = pupil.services.get(SERVICE_ID)
        if notes is not None and notes.book.division != division:
            raise ValueError(
                f"l'élève d'INE « {ine} » a des notes dans la classe {notes.book.division}"
            )
        return pupil

    def write(self, checked: list[GradeLine]) -> ImportSummary:
        return write(self.site, self.pupils, checked, self.academy)


#: The header of the file, as IMPORT.md documents it.
COLUMNS = tuple(column.name for column in NotesImporter.columns)


def class_book(pupils: PupilFinder, uai: str, division: str) -> ClassBook:
    """The division's book, created and given to every pupil of the division if needed."""
    members = pupils.of_class(uai, division)
    book = next(
        (
            notes.book
            for notes in (p.services.get(SERVICE_ID) for p in members)
            if notes is not None and notes.book.division == division
        ),
        None,
    )
    if book is None:
        book = ClassBook(uai, division, members[0].level if members else "")
    for pupil in members:
        notes = pupil.services.get(SERVICE_ID)
        if notes is None:
            notes = PupilNotes(book)
            pupil.services.add(SERVICE_ID, notes)
        if notes.book is book and pupil.id not in book.members:
            book.join(pupil.id, notes)
    return book


def write(site, pupils: PupilFinder, lines: list[GradeLine], academy) -> ImportSummary:
    """Write the checked lines, division by division, and tell the families
    (:func:`announce`) of the grades that are new or changed."""
    summary = ImportSummary()
    news: set[tuple[str, date]] = set()
    created_evaluations = 0
    by_division: dict[tuple[str, str], list[GradeLine]] = {}
    for line in lines:
        by_division.setdefault((line.uai, line.division), []).append(line)
    for (uai, division), group in by_division.items():
        book = class_book(pupils, uai, division)
        teams: dict[str, list[str]] = {}
        for line in group:
            names = teams.setdefault(line.subject, [])
            names += [t for t in line.teachers if t not in names]
        for subject, names in teams.items():
            book.teams[subject] = tuple(names)
        existing = {e.key: e for e in book}
        touched = set()
        changes: dict[PupilNotes, dict[int, int]] = {}
        for line in group:
            key = (line.subject, line.label, line.day)
            evaluation = existing.get(key)
            if evaluation is None:
                evaluation = book.add_evaluation(
                    line.subject, line.label, line.day, line.coefficient, line.published_on
                )
                existing[key] = evaluation
                created_evaluations += 1
            elif (evaluation.coefficient, evaluation.published_on) != (
                line.coefficient,
                line.published_on,
            ):
                evaluation = dataclasses.replace(
                    evaluation, coefficient=line.coefficient, published_on=line.published_on
                )
                book.replace(evaluation)
                existing[key] = evaluation
            notes = site.pupils[line.pupil_id].services[SERVICE_ID]
            before = notes.grades.get(evaluation.id)
            value = encode_grade(line.grade)
            if before is None:
                summary.created += 1
            elif before != value:
                summary.updated += 1
            else:
                summary.unchanged += 1
            changes.setdefault(notes, {})[evaluation.id] = value
            touched.add(evaluation.id)
            release = release_day(academy, uai, evaluation)
            if before != value and release is not None:
                news.add((line.pupil_id, release))
        for notes, values in changes.items():
            notes.update(values)
        book.compute_figures(touched)
        book.imported_at = datetime.now()
    summary.extra["contrôles créés"] = created_evaluations
    announce(site, news)
    return summary


def release_day(academy, uai: str, evaluation) -> date | None:
    """The day families may see the evaluation (``None``: not published).

    Without the academy (a script that gives none) the settings are the
    defaults: an evaluation is seen from its publication date.
    """
    establishment = academy.establishment(uai) if academy is not None else None
    if establishment is None:
        return evaluation.published_on
    return release_date(evaluation, establishment, establishment.settings_for(SERVICE_ID))


def announce(site, news: set[tuple[str, date]]) -> None:
    """One event per pupil and release day: « new grades », never the grades,
    sent from the day the family may see them."""
    for pupil_id, day in sorted(news):
        report_event(
            site,
            site.pupils[pupil_id],
            SERVICE_ID,
            "notes",
            _("De nouvelles notes sont publiées."),
            not_before=datetime.combine(day, time()),
        )


def import_formats() -> list[ImportFormat]:
    return [NotesImporter.import_format()]
