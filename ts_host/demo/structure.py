"""The demo establishments' structure: classes, invented teachers, the subjects
of each level with their teachers, and one professeur principal per class.

Built once per establishment, before the services' demo data, so that every
service reads the same teaching team (``ts_host.api.teaching_team``).  It
draws from a generator of its own, seeded by the demo's seed and the UAI,
so adding it changed none of the families, pupils or codes of a seed.
"""

from __future__ import annotations

import random
from datetime import datetime

from ..models import Division, Establishment, Teacher, TeachingService
from . import names

#: Collège subjects as (STS-web CODE_MATIERE, label as SIECLE's LIBELLE_EDITION
#: prints it, first level taught).
COLLEGE_SUBJECTS = (
    ("020700", "Français", "6e"),
    ("061300", "Mathématiques", "6e"),
    ("040600", "Histoire-Géo. Ed. Civ.", "6e"),
    ("030201", "LV1 - Anglais", "6e"),
    ("030602", "LV2 - Espagnol", "5e"),
    ("062900", "Sciences Vie Terre", "6e"),
    ("062000", "Physique-Chimie", "5e"),
    ("070100", "Technologie", "6e"),
    ("100100", "Educ. Phys et Sport.", "6e"),
    ("080100", "Arts Plastiques", "6e"),
    ("080200", "Education Musicale", "6e"),
)
COLLEGE_LEVELS = ("6e", "5e", "4e", "3e")
_LYCEE_COMMON = (
    ("061300", "Mathématiques"),
    ("040200", "Hist.-Géo."),
    ("030201", "LV1 - Anglais"),
    ("030602", "LV2 - Espagnol"),
    ("062000", "Phys.-Chimie"),
    ("062900", "SVT"),
    ("050000", "Sc. Eco. Sociales"),
    ("100100", "Educ. Phys et Sport."),
)
LYCEE_SUBJECTS = {
    "2nde": (("020700", "Français"), *_LYCEE_COMMON),
    "1re": (("020700", "Français"), *_LYCEE_COMMON, ("061500", "Enseignement Scientifique")),
    "Terminale": (
        ("010100", "Philosophie"),
        *_LYCEE_COMMON,
        ("061500", "Enseignement Scientifique"),
    ),
}
#: How many classes one teacher takes in their subject before another is needed.
CLASSES_PER_TEACHER = 5
#: Share of modern-language classes split into two groups, each with its teacher.
SPLIT_LANGUAGE_RATE = 0.2


def subjects_for(kind: str, level: str) -> tuple[tuple[str, str], ...]:
    """The (code, label) of the subjects taught at ``level``."""
    if kind == "lycee":
        return LYCEE_SUBJECTS.get(level, LYCEE_SUBJECTS["2nde"])
    rank = COLLEGE_LEVELS.index(level) if level in COLLEGE_LEVELS else 0
    return tuple(
        (code, label)
        for code, label, since in COLLEGE_SUBJECTS
        if COLLEGE_LEVELS.index(since) <= rank
    )


class _Staff:
    """The establishment's teachers, hired as the classes need them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.teachers: list[Teacher] = []
        self.surnames = [name.upper() for name in names.SURNAMES]
        rng.shuffle(self.surnames)
        self.load: dict[str, list[tuple[Teacher, int]]] = {}  # subject code -> (teacher, classes)

    def hire(self) -> Teacher:
        woman = self.rng.random() < 0.6
        first_name = self.rng.choice(names.ADULT_WOMEN if woman else names.ADULT_MEN)
        # Surnames run out only past a hundred-odd teachers: then they repeat.
        surname = self.surnames[len(self.teachers) % len(self.surnames)]
        teacher = Teacher(
            str(1000 + len(self.teachers)), "Mme" if woman else "M.", surname, first_name
        )
        self.teachers.append(teacher)
        return teacher

    def take(self, subject_code: str, count: int) -> tuple[str, ...]:
        """``count`` different teachers of the subject with a class to spare."""
        pool = self.load.setdefault(subject_code, [])
        chosen: list[str] = []
        for index, (teacher, classes) in enumerate(pool):
            if len(chosen) < count and classes < CLASSES_PER_TEACHER:
                pool[index] = (teacher, classes + 1)
                chosen.append(teacher.id)
        while len(chosen) < count:
            teacher = self.hire()
            pool.append((teacher, 1))
            chosen.append(teacher.id)
        return tuple(chosen)


def build_structure(
    establishment: Establishment,
    kind: str,
    levels: dict[str, str],
    seed: int,
    now: datetime,
) -> None:
    """Give ``establishment`` its classes (``levels``: division → level), teams
    and professeurs principaux, in place of any structure it had."""
    rng = random.Random(f"structure {seed} {establishment.uai}")
    staff = _Staff(rng)
    divisions = []
    principals_taken: set[str] = set()
    for code in sorted(levels):
        level = levels[code]
        services = []
        for subject_code, label in subjects_for(kind, level):
            split = label.startswith("LV") and rng.random() < SPLIT_LANGUAGE_RATE
            teachers = staff.take(subject_code, 2 if split else 1)
            services.append(TeachingService(subject_code, label, teachers))
        team = sorted({t for service in services for t in service.teacher_ids})
        free = [t for t in team if t not in principals_taken] or team
        principal = rng.choice(free)
        principals_taken.add(principal)
        divisions.append(Division(code, f"{level} {code}", level, tuple(services), (principal,)))
    establishment.structure.replace(divisions, staff.teachers, "démonstration", now)
