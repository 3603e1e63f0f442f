"""The establishment's structure: its classes, who teaches what in each, and
the professeur principal of each, as STS-web knows them.

Services read it through :mod:`ts_host.api` (``divisions``,
``teaching_team``, ``principals``) so that every page names the same people:
no service keeps its own copy of who teaches whom.  It is written whole by
the STS-web import (``ts-admin import sts``) or by the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from persistent import Persistent

from .containers import Container


@dataclass(frozen=True)
class Teacher:
    """An ``INDIVIDU`` of STS-web: ``id`` is STS-web's own, ``civility`` "M." or "Mme"."""

    id: str
    civility: str
    last_name: str
    first_name: str = ""

    @property
    def display_name(self) -> str:
        """How pages and booklets name a teacher: « Mme FRANÇOIS »."""
        return f"{self.civility} {self.last_name.upper()}".strip()


@dataclass(frozen=True)
class TeachingService:
    """One subject taught in a division (``SERVICE``) and its teachers' ids."""

    subject_code: str
    subject: str
    teacher_ids: tuple[str, ...]


@dataclass(frozen=True)
class Division:
    """A class (``DIVISION``): its code (« 4C »), level (« 4e »), subjects
    taught in the class or in its groups, and its professeur(s) principal(aux)."""

    code: str
    label: str = ""
    level: str = ""
    services: tuple[TeachingService, ...] = ()
    principal_ids: tuple[str, ...] = ()


class Structure(Persistent):
    """Divisions by code and teachers by id, replaced whole by each import.

    A school has tens of divisions and at most a few hundred teachers: two
    containers, each entry an immutable record.
    """

    def __init__(self) -> None:
        self.divisions = Container()
        self.teachers = Container()
        self.source = ""  #: the file it came from, or "démonstration"
        self.updated_at: datetime | None = None

    def replace(
        self,
        divisions: list[Division],
        teachers: list[Teacher],
        source: str,
        updated_at: datetime,
    ) -> None:
        """Put ``divisions`` and ``teachers`` in place of what was there."""
        self.divisions = Container()
        self.teachers = Container()
        for teacher in teachers:
            self.teachers.add(teacher.id, teacher)
        for division in divisions:
            self.divisions.add(division.code, division)
        self.source = source
        self.updated_at = updated_at


@dataclass(frozen=True)
class SubjectTeam:
    """A subject of a division and the teachers who teach it there."""

    subject: str
    teachers: tuple[Teacher, ...]


def divisions(establishment) -> list[Division]:
    """The establishment's classes, by code (empty before a structure is imported)."""
    return list(establishment.structure.divisions.values())


def teaching_team(establishment, division: str) -> list[SubjectTeam]:
    """The équipe pédagogique of ``division``: each subject and its teachers,
    in the order of the import; empty for a division the structure does not know."""
    structure = establishment.structure
    found = structure.divisions.get(division)
    if found is None:
        return []
    return [
        SubjectTeam(
            service.subject,
            tuple(structure.teachers[teacher_id] for teacher_id in service.teacher_ids),
        )
        for service in found.services
    ]


def principals(establishment, division: str) -> tuple[Teacher, ...]:
    """The professeur(s) principal(aux) of ``division``: usually one, none when
    the structure names nobody (STS-web allows two, e.g. in some lycées)."""
    structure = establishment.structure
    found = structure.divisions.get(division)
    if found is None:
        return ()
    return tuple(structure.teachers[teacher_id] for teacher_id in found.principal_ids)
