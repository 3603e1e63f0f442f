"""``ts-admin import notes FILE``: grades from a ``;``-separated CSV file.

One line per grade of a pupil; the evaluation and its subject's teachers
are read from the same lines (see ``IMPORT.md``).  The professeur principal
is the establishment's (``ts-admin import sts``): a ``*`` after a name, which
older files carry, is read and ignored.  Every line is checked before anything is written.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ts_host.api import (
    BadLine,
    ImportFormat,
    ImportRejected,
    ImportSummary,
    Pupil,
    Site,
    parse_french_date,
    read_csv,
)

from .models import (
    CODES,
    MAX_POINTS,
    SERVICE_ID,
    ClassBook,
    Grade,
    PupilNotes,
    encode_grade,
)

COLUMNS = (
    "uai",
    "division",
    "matiere",
    "professeur",
    "controle",
    "date",
    "coefficient",
    "publie_le",
    "eleve_ine",
    "note",
)
MAX_COEFFICIENT = Decimal(20)
#: How older files marked the professeur principal, now named by the structure.
PRINCIPAL_MARK = "*"
NUMBER_RE = re.compile(r"^\d{1,2}([.,]\d{1,2})?$")

HELP = """\
Fichier CSV UTF-8 séparé par des points-virgules, une ligne par note d'un élève, avec
l'en-tête : uai;division;matiere;professeur;controle;date;coefficient;publie_le;eleve_ine;note
- uai, division : l'établissement et la classe de l'élève ;
- matiere : libellé de la matière (ex. « Mathématiques ») ;
- professeur : le ou les professeurs de la matière dans la classe, séparés par des
  virgules (ex. « MME DURAND ») ; le professeur principal est celui de l'import STS-web
  (un « * » après un nom est ignoré) ;
- controle, date (JJ/MM/AAAA), coefficient (ex. 1.0, 0.5, 2) : le contrôle, identifié
  par la classe, la matière, son libellé et sa date ;
- publie_le : date de publication par l'enseignant (JJ/MM/AAAA), vide si non publié ;
- eleve_ine : INE de l'élève ; note : sur 20 avec deux décimales au plus (13,40 ou
  13.40), ou ABS (absent), DIS (dispensé), N.NOT (non noté).
Un contrôle ou une note déjà présents sont mis à jour. Le fichier est refusé en entier,
avec les numéros de ligne, si une seule ligne est fausse."""


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


class _Pupils:
    """Pupils of an establishment by INE, indexed on first use."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.by_uai: dict[str, dict[str, str]] = {}

    def find(self, uai: str, ine: str) -> Pupil | None:
        if uai not in self.by_uai:
            index = {}
            for pupil_id in self.site.establishments[uai].pupil_ids:
                pupil = self.site.pupils.get(pupil_id)
                if pupil is not None and pupil.ine:
                    index[pupil.ine.upper()] = pupil_id
            self.by_uai[uai] = index
        pupil_id = self.by_uai[uai].get(ine.upper())
        return self.site.pupils.get(pupil_id) if pupil_id else None


def check(site: Site, path: Path) -> list[GradeLine]:
    """Read and check every line; raise :class:`ImportRejected` listing the bad ones."""
    pupils = _Pupils(site)
    bad: list[BadLine] = []
    lines: list[GradeLine] = []
    evaluations: dict[tuple, tuple[int, Decimal, date | None]] = {}
    seen: dict[tuple, int] = {}
    for number, row in read_csv(path, COLUMNS):
        try:
            line = _check_line(site, pupils, number, row)
            key = line.evaluation_key
            first = evaluations.setdefault(key, (number, line.coefficient, line.published_on))
            if first[1:] != (line.coefficient, line.published_on):
                raise ValueError(
                    f"même contrôle qu'à la ligne {first[0]} avec un autre "
                    f"coefficient ou une autre date de publication"
                )
            earlier = seen.setdefault((key, line.pupil_id), number)
            if earlier != number:
                raise ValueError(f"note de cet élève pour ce contrôle déjà donnée ligne {earlier}")
        except ValueError as exc:
            bad.append(BadLine(number, str(exc)))
            continue
        lines.append(line)
    if bad:
        raise ImportRejected(path, bad)
    return lines


def _check_line(site: Site, pupils: _Pupils, number: int, row: dict[str, str]) -> GradeLine:
    """One line's values; every problem of the line in one ``ValueError``."""
    missing = [c for c in COLUMNS if c != "publie_le" and not row.get(c)]
    if missing:
        raise ValueError(f"valeur manquante : {', '.join(missing)}")
    problems: list[str] = []

    def read(parse, text):
        try:
            return parse(text)
        except ValueError as exc:
            problems.append(str(exc))
            return None

    teachers = read(parse_teachers, row["professeur"]) or ()
    day = read(parse_french_date, row["date"])
    published_on = read(parse_french_date, row["publie_le"]) if row.get("publie_le") else None
    if day and published_on and published_on < day:
        problems.append("date de publication antérieure à la date du contrôle")
    coefficient = read(parse_coefficient, row["coefficient"])
    grade = read(parse_grade, row["note"])
    uai = row["uai"].upper()
    pupil = None
    if uai in site.establishments:
        pupil = read(lambda ine: _pupil_of(pupils, uai, ine, row["division"]), row["eleve_ine"])
    else:
        problems.append(f"établissement inconnu « {row['uai']} »")
    if problems:
        raise ValueError(" ; ".join(problems))
    return GradeLine(
        number,
        uai,
        row["division"],
        " ".join(row["matiere"].split()),
        teachers,
        row["controle"],
        day,
        coefficient,
        published_on,
        pupil.id,
        grade,
    )


def _pupil_of(pupils: _Pupils, uai: str, ine: str, division: str) -> Pupil:
    pupil = pupils.find(uai, ine)
    if pupil is None:
        raise ValueError(f"aucun élève d'INE « {ine} » dans l'établissement {uai}")
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


def division_pupils(site: Site, uai: str, division: str) -> Iterator[Pupil]:
    for pupil_id, pupil_division in site.establishments[uai].pupil_ids.items():
        pupil = site.pupils.get(pupil_id)
        if pupil_division == division and pupil is not None and pupil.active:
            yield pupil


def class_book(site: Site, uai: str, division: str) -> ClassBook:
    """The division's book, created and given to every pupil of the division if needed."""
    members = list(division_pupils(site, uai, division))
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


def write(site: Site, lines: list[GradeLine]) -> ImportSummary:
    summary = ImportSummary()
    created_evaluations = 0
    by_division: dict[tuple[str, str], list[GradeLine]] = {}
    for line in lines:
        by_division.setdefault((line.uai, line.division), []).append(line)
    for (uai, division), group in by_division.items():
        book = class_book(site, uai, division)
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
        for notes, values in changes.items():
            notes.update(values)
        book.compute_figures(touched)
    summary.extra["contrôles créés"] = created_evaluations
    return summary


def run(site: Site, academy: Any, path: Path) -> ImportSummary:
    """Check the whole file, then write it (``ts-admin`` holds the transaction)."""
    return write(site, check(site, Path(path)))


def import_formats() -> list[ImportFormat]:
    return [ImportFormat(name=SERVICE_ID, help=HELP, run=run)]
