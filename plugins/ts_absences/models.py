"""The absences the vie scolaire recorded for one pupil."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

from BTrees.OOBTree import OOBTree
from persistent import Persistent

SERVICE_ID = "absences"

#: Reported by a teacher, not yet classed by the vie scolaire.
REPORTED = "signalee"
#: Classed ("traitée") by the vie scolaire.
PROCESSED = "traitee"
STATE_LABELS = {REPORTED: "signalée", PROCESSED: "traitée"}


class Absence(NamedTuple):
    """One absence, from ``start`` to ``end`` (the end is excluded).

    ``legitimate`` is the CPE's « motif légitime » box, ticked when the
    absence is classed.  Stored inside the pupil's BTree buckets, so kept to
    a plain tuple.
    """

    start: datetime
    end: datetime
    state: str
    legitimate: bool

    #: For the kit's GDPR check: the export gives the state's label.
    gdpr_contract = {"labels": {"state": STATE_LABELS}}

    @property
    def counted(self) -> bool:
        """Whether the guide's page counts it (see :mod:`ts_absences.counting`)."""
        return self.state == PROCESSED and self.legitimate


class PupilAbsences(Persistent):
    """A pupil's absences keyed by their start: no two begin at the same minute."""

    def __init__(self) -> None:
        self.by_start = OOBTree()

    def __iter__(self) -> Iterator[Absence]:
        return iter(self.by_start.values())

    def __len__(self) -> int:
        # A pupil has at most a few hundred absences a year.
        return len(self.by_start)

    def add(self, absence: Absence) -> None:
        self.by_start[absence.start] = absence

    def replace(self, absences: Iterable[Absence]) -> tuple[int, int, int, int]:
        """Make ``absences`` the whole list.

        Return the numbers created, updated, unchanged and deleted.
        """
        wanted = {absence.start: absence for absence in absences}
        created = updated = unchanged = 0
        deleted = [start for start in self.by_start if start not in wanted]
        for start in deleted:
            del self.by_start[start]
        for start, absence in wanted.items():
            current = self.by_start.get(start)
            if current is None:
                created += 1
            elif current == absence:
                unchanged += 1
                continue
            else:
                updated += 1
            self.by_start[start] = absence
        return created, updated, unchanged, len(deleted)
