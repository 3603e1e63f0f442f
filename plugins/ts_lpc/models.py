"""What the LPC keeps for one pupil, in ``pupil.services["lpc"]``.

An :class:`LpcRecord` per pupil holds the name of the *professeur principal*
and one :class:`PalierRecord` per palier the pupil has data for.  A palier
record is its own ZODB record, so informing a palier 3 item does not
rewrite the paliers 1 and 2 of primary school.

A pupil's livret holds a few hundred renseignements and an academy
100,000 pupils, so a palier record packs them: 6 bytes each (see
:data:`ENTRY`) instead of the hundred or so a tuple of a string and a date
costs in a pickle.  Nothing outside this module sees the packing.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import NamedTuple

from persistent import Persistent

from ts_host.api import Pupil, service_data

SERVICE_ID = "lpc"
#: Renseignement dates are stored as a number of days since this one (the LPC
#: dates from 2008; 16 bits reach 2179).
EPOCH = date(2000, 1, 1)
LAST_DAY = EPOCH + timedelta(days=0xFFFF)
#: One renseignement: the item's competence, domain and item ranks (the last
#: three parts of its code "P.C.D.I"), its day (days since EPOCH) and the
#: index of its discipline in the record's ``disciplines``.
ENTRY = struct.Struct(">BBBHB")


class Renseignement(NamedTuple):
    """An item informed by a discipline on a day."""

    discipline: str
    day: date


def pack_entry(code: str, discipline_index: int, day: date) -> bytes:
    """The packed form of one renseignement of item ``code`` (``"3.1.1.1"``)."""
    _palier, competence, domain, rank = (int(part) for part in code.split("."))
    return ENTRY.pack(competence, domain, rank, (day - EPOCH).days, discipline_index)


class PalierRecord(Persistent):
    """A pupil's livret at one palier.

    ``validations`` maps a validation key (see
    :func:`ts_lpc.livret.validation_keys`: ``"2"``, or ``"3.1"`` for the first
    part of a competence validated in parts) to its date; ``langue`` is the
    modern language validated in competence 2 as the attestation prints it
    ("ANGLAIS LV1"), or ``""``.  The renseignements are read and written
    through :meth:`renseignements_of` and :meth:`add_renseignement`; they are
    stored in ``packed`` (:data:`ENTRY` after :data:`ENTRY`, by item then
    day) with ``disciplines``, the names the entries refer to.
    """

    #: For the kit's GDPR check: ``packed`` and ``disciplines`` hold the
    #: renseignements (the items' codes are the referential's numbers).
    gdpr_contract = {"encoded": {("packed", "disciplines"): lambda record: record.renseignements}}

    def __init__(
        self,
        number: int,
        disciplines: tuple[str, ...] = (),
        packed: bytes = b"",
        validations: Mapping[str, date] | None = None,
        langue: str = "",
    ) -> None:
        self.number = number
        self.disciplines = tuple(disciplines)
        self.packed = packed
        self.validations = dict(validations or {})
        self.langue = langue

    @classmethod
    def from_renseignements(
        cls,
        number: int,
        renseignements: Mapping[str, Iterable[tuple[str, date]]],
        validations: Mapping[str, date] | None = None,
        langue: str = "",
    ) -> PalierRecord:
        record = cls(number, validations=validations, langue=langue)
        record._store(renseignements)
        return record

    def _store(self, renseignements: Mapping[str, Iterable[tuple[str, date]]]) -> None:
        marks = sorted(
            (_sort_key(code), code, day, discipline)
            for code, couples in renseignements.items()
            for discipline, day in couples
        )
        self.disciplines = tuple(sorted({discipline for *_k, discipline in marks}))
        index = {name: i for i, name in enumerate(self.disciplines)}
        self.packed = b"".join(
            pack_entry(code, index[discipline], day) for _key, code, day, discipline in marks
        )
        self._v_decoded = None

    def _decoded(self) -> dict[str, tuple[Renseignement, ...]]:
        decoded = getattr(self, "_v_decoded", None)
        if decoded is None:
            lists: dict[str, list[Renseignement]] = {}
            prefix = f"{self.number}."
            for competence, domain, rank, days, discipline in ENTRY.iter_unpack(self.packed):
                code = f"{prefix}{competence}.{domain}.{rank}"
                lists.setdefault(code, []).append(
                    Renseignement(self.disciplines[discipline], EPOCH + timedelta(days=days))
                )
            decoded = {code: tuple(marks) for code, marks in lists.items()}
            self._v_decoded = decoded
        return decoded

    @property
    def renseignements(self) -> dict[str, tuple[Renseignement, ...]]:
        """Every informed item's renseignements, by item code (a copy)."""
        return dict(self._decoded())

    def renseignements_of(self, code: str, until: date | None = None) -> tuple[Renseignement, ...]:
        """The item's renseignements in date order, those after ``until`` left out."""
        marks = self._decoded().get(code, ())
        if until is None:
            return marks
        return tuple(mark for mark in marks if mark.day <= until)

    def validated_on(self, key: str, until: date | None = None) -> date | None:
        """The date of the validation ``key``; ``None`` if none or after ``until``."""
        day = self.validations.get(key)
        return day if day is not None and (until is None or day <= until) else None

    def add_renseignement(self, code: str, discipline: str, day: date) -> bool:
        """Record that ``discipline`` informed the item on ``day``; ``False``: known."""
        if not code.startswith(f"{self.number}."):
            raise ValueError(f"l'item {code} n'est pas du palier {self.number}")
        marks = self._decoded()
        if Renseignement(discipline, day) in marks.get(code, ()):
            return False
        self._store({**marks, code: (*marks.get(code, ()), Renseignement(discipline, day))})
        return True

    def validate(self, key: str, day: date) -> str:
        """Set a validation date: ``"created"``, ``"updated"`` or ``"unchanged"``."""
        previous = self.validations.get(key)
        if previous == day:
            return "unchanged"
        self.validations[key] = day
        self._p_changed = True
        return "created" if previous is None else "updated"

    def set_langue(self, langue: str) -> bool:
        """Set the language of competence 2; ``False`` if it was already that one."""
        if langue == self.langue:
            return False
        self.langue = langue
        return True

    def as_json(self) -> dict:
        """A JSON-serialisable copy (GDPR access request)."""
        return {
            "langue": self.langue,
            "validations": {key: day.isoformat() for key, day in sorted(self.validations.items())},
            "renseignements": {
                code: [{"discipline": d, "date": day.isoformat()} for d, day in marks]
                for code, marks in self._decoded().items()
            },
        }


def _sort_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


class LpcRecord(Persistent):
    """Everything the LPC holds for one pupil."""

    def __init__(self) -> None:
        self.paliers: dict[int, PalierRecord] = {}
        self.professeur_principal = ""

    def palier(self, number: int) -> PalierRecord | None:
        return self.paliers.get(number)

    def palier_for_update(self, number: int) -> PalierRecord:
        """The palier's record, created when missing."""
        record = self.paliers.get(number)
        if record is None:
            record = self.set_palier(PalierRecord(number))
        return record

    def set_palier(self, record: PalierRecord) -> PalierRecord:
        self.paliers[record.number] = record
        self._p_changed = True
        return record

    def set_professeur_principal(self, name: str) -> bool:
        if name == self.professeur_principal:
            return False
        self.professeur_principal = name
        return True

    def as_json(self) -> dict:
        return {
            "professeur_principal": self.professeur_principal,
            "paliers": {str(n): self.paliers[n].as_json() for n in sorted(self.paliers)},
        }


def get_record(pupil: Pupil) -> LpcRecord | None:
    """The pupil's record, or ``None``: reading a livret writes nothing."""
    return pupil.services.get(SERVICE_ID)


def record_for_update(pupil: Pupil) -> LpcRecord:
    """The pupil's record, created on first use (imports, demo)."""
    return service_data(pupil, SERVICE_ID, LpcRecord)
