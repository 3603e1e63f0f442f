"""The grades' persistent data: one class book per division, packed grades per pupil.

A division's evaluations (subject, label, date, coefficient, publication
date and the class figures) are held once, in a :class:`ClassBook` that
every pupil of the division refers to; each pupil's own grades live in a
:class:`PupilNotes` under ``pupil.services["notes"]``, keyed by evaluation id.

A grade is stored as an integer: hundredths of a point out of 20 (``1340``
is 13,40), or a negative code for ABS, DIS and N.NOT, so that a pupil's
whole year is a few hundred pairs of integers in one record.
"""

from __future__ import annotations

import dataclasses
import sys
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from types import MappingProxyType

from BTrees.IOBTree import IOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from persistent.mapping import PersistentMapping

from ts_host.api import prefetch_tree

SERVICE_ID = "notes"

ABS = "ABS"
DIS = "DIS"
NNOT = "N.NOT"
#: The special marks (absent, dispensé, non noté): they count in no average.
CODES = (ABS, DIS, NNOT)
_CODE_TO_INT = {ABS: -1, DIS: -2, NNOT: -3}
_INT_TO_CODE = {v: k for k, v in _CODE_TO_INT.items()}

MAX_POINTS = 20
#: Grades are packed as signed 16-bit integers (see :class:`PupilNotes`),
#: so a class book numbers at most this many evaluations.
PACKED_TYPE = "h"
MAX_EVALUATIONS = 2**15 - 1
HUNDREDTH = Decimal("0.01")

#: A grade as the rest of the plugin sees it: points out of 20, or a code.
Grade = Decimal | str


def encode_grade(grade: Grade) -> int:
    """The stored integer of a grade (``Decimal("13.40")`` → 1340, ``"ABS"`` → -1)."""
    if isinstance(grade, str):
        return _CODE_TO_INT[grade]
    return int((grade * 100).to_integral_value(ROUND_HALF_UP))


def decode_grade(value: int) -> Grade:
    """The grade of a stored integer."""
    if value < 0:
        return _INT_TO_CODE[value]
    return Decimal(value).scaleb(-2)


def round_hundredths(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One evaluation (contrôle) of a division.

    ``average``, ``minimum`` and ``maximum`` are the class figures, in
    hundredths, computed from the numeric grades of the division's pupils
    (``None`` while nobody has one); ``published_on`` is ``None`` until the
    teacher publishes it.

    Without a ``__dict__`` (slots): a process serving an academy's evening
    holds the evaluations of hundreds of class books, and an instance is a
    fifth smaller (565 → 454 bytes unpickled).  Pickled as before slots, a
    dict of its fields (:meth:`__getstate__`): the records already in the
    database load, and new ones are the same bytes.
    """

    id: int
    subject: str
    label: str
    day: date
    coefficient: Decimal
    published_on: date | None = None
    average_hundredths: int | None = None
    minimum_hundredths: int | None = None
    maximum_hundredths: int | None = None

    def __getstate__(self) -> dict[str, object]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    @property
    def average(self) -> Decimal | None:
        return _points(self.average_hundredths)

    @property
    def minimum(self) -> Decimal | None:
        return _points(self.minimum_hundredths)

    @property
    def maximum(self) -> Decimal | None:
        return _points(self.maximum_hundredths)

    @property
    def key(self) -> tuple[str, str, date]:
        """What identifies an evaluation in an import file."""
        return (self.subject, self.label, self.day)

    def with_figures(self, numeric: Iterable[int]) -> Evaluation:
        """A copy whose class figures are those of ``numeric`` (hundredths)."""
        values = list(numeric)
        if not values:
            return dataclasses.replace(
                self, average_hundredths=None, minimum_hundredths=None, maximum_hundredths=None
            )
        mean = (Decimal(sum(values)) / len(values)).to_integral_value(ROUND_HALF_UP)
        return dataclasses.replace(
            self,
            average_hundredths=int(mean),
            minimum_hundredths=min(values),
            maximum_hundredths=max(values),
        )


def _points(hundredths: int | None) -> Decimal | None:
    return None if hundredths is None else Decimal(hundredths).scaleb(-2)


class ClassBook(Persistent):
    """The evaluations of one division, and the teachers the grades file names.

    ``teams`` maps each subject to its teachers' names (``"MME DURAND"``) as
    the grades file gives them; the page shows the establishment's teaching
    team and professeur principal (``ts_host.api.teaching_team``) and these
    only for a division the establishment's structure does not know.
    ``members`` maps the id of each pupil whose grades make the class
    figures to their record.
    All of it is the class's data: a pupil's export gives, with each of
    their grades, its evaluation's subject, label, date and coefficient.
    """

    #: For the kit's GDPR check (docs/plugins.md § GDPR).
    gdpr_contract = {
        "establishment": (
            "uai",
            "division",
            "level",
            "evaluations",
            "teams",
            "members",
            "next_id",
            "imported_at",
        )
    }
    #: When an import last wrote the class's grades (the books older than it: never said).
    imported_at: datetime | None = None

    def __init__(self, uai: str, division: str, level: str = "") -> None:
        self.uai = uai
        self.division = division
        self.level = level
        self.evaluations = IOBTree()
        self.teams = PersistentMapping()
        self.members = OOBTree()
        self.next_id = 1

    def add_evaluation(
        self,
        subject: str,
        label: str,
        day: date,
        coefficient: Decimal,
        published_on: date | None = None,
    ) -> Evaluation:
        if self.next_id > MAX_EVALUATIONS:
            raise ValueError(f"la classe {self.division} a déjà {MAX_EVALUATIONS} contrôles")
        evaluation = Evaluation(self.next_id, subject, label, day, coefficient, published_on)
        self.evaluations[evaluation.id] = evaluation
        self.next_id += 1
        return evaluation

    def replace(self, evaluation: Evaluation) -> None:
        """Store a changed copy of one of the book's evaluations."""
        self.evaluations[evaluation.id] = evaluation

    def join(self, pupil_id: str, notes: PupilNotes) -> None:
        self.members[pupil_id] = notes

    def leave(self, pupil_id: str) -> None:
        if pupil_id in self.members:
            del self.members[pupil_id]

    def compute_figures(self, evaluation_ids: Iterable[int] | None = None) -> None:
        """Recompute the class figures from the members' grades.

        ``evaluation_ids`` restricts the work to the evaluations that changed.
        """
        wanted = list(self.evaluations.keys()) if evaluation_ids is None else list(evaluation_ids)
        numeric: dict[int, list[int]] = {eid: [] for eid in wanted}
        for notes in self.members.values():
            for eid in wanted:
                value = notes.grades.get(eid)
                if value is not None and value >= 0:
                    numeric[eid].append(value)
        for eid in wanted:
            evaluation = self.evaluations.get(eid)
            if evaluation is not None:
                self.replace(evaluation.with_figures(numeric[eid]))

    def subjects(self) -> list[str]:
        """Every subject of the book (taught or evaluated), in the page's order."""
        names = set(self.teams) | {e.subject for e in self}
        return sorted(names, key=subject_sort_key)

    def __iter__(self) -> Iterator[Evaluation]:
        """The evaluations by id, their buckets asked of the storage at once
        (a page reads them all)."""
        prefetch_tree(self.evaluations)
        return iter(self.evaluations.values())


class PupilNotes(Persistent):
    """What the service holds for one pupil: their class book and grades.

    The grades (evaluation id → stored grade) are kept packed in one byte
    string of little-endian 16-bit pairs sorted by id: a pupil's year is a
    few hundred grades, read together on every page and written once per
    import, and a byte string is pickled in one go where a tree of integers
    costs the pickler a callback per number (the 100,000-pupil demo).
    """

    #: For the kit's GDPR check: the class book is the class's; the pupil's
    #: data is their grades, packed.
    gdpr_contract = {
        "establishment": ("book",),
        "encoded": {"_packed": lambda notes: [decode_grade(v) for v in notes.grades.values()]},
    }

    def __init__(self, book: ClassBook) -> None:
        self.book = book
        self._packed = b""

    @property
    def grades(self) -> Mapping[int, int]:
        """The stored grades by evaluation id (read-only; see :meth:`update`)."""
        grades = getattr(self, "_v_grades", None)
        if grades is None:
            grades = self._v_grades = MappingProxyType(_unpack(self._packed))
        return grades

    def grade(self, evaluation_id: int) -> Grade | None:
        value = self.grades.get(evaluation_id)
        return None if value is None else decode_grade(value)

    def update(self, values: Mapping[int, int]) -> None:
        """Add or replace stored grades (already encoded)."""
        grades = dict(self.grades)
        grades.update(values)
        self._packed = _pack(grades)
        self._v_grades = MappingProxyType(grades)

    def set_grade(self, evaluation_id: int, grade: Grade) -> None:
        self.update({evaluation_id: encode_grade(grade)})


def _pack(grades: Mapping[int, int]) -> bytes:
    values = array(PACKED_TYPE, chain.from_iterable(sorted(grades.items())))
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def _unpack(packed: bytes) -> dict[int, int]:
    values = array(PACKED_TYPE)
    values.frombytes(packed)
    if sys.byteorder == "big":
        values.byteswap()
    return dict(zip(values[0::2], values[1::2], strict=True))


def subject_sort_key(subject: str) -> str:
    """Alphabetical order regardless of accents and case ("Éducation" near "Educ.")."""
    decomposed = unicodedata.normalize("NFKD", subject)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
