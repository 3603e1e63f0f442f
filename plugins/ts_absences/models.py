"""The absences the vie scolaire recorded for one pupil, and the family's
justifications of them (given online, decided by the vie scolaire)."""

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

#: A justification's kinds: the reason of a recorded absence, or an absence
#: announced before it happens.
REASON = "motif"
ANNOUNCEMENT = "annonce"
KIND_LABELS = {REASON: "motif d'une absence constatée", ANNOUNCEMENT: "absence annoncée"}
#: A justification's states: sent by the family, then decided once.
SENT = "envoyee"
ACCEPTED = "acceptee"
REFUSED = "refusee"
DECISION_LABELS = {SENT: "justification envoyée", ACCEPTED: "acceptée", REFUSED: "refusée"}


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


class Justification(Persistent):
    """What a family said about an absence, from ``start`` to ``end``.

    For a recorded absence (``REASON``) the times are that absence's when it
    was justified; an ``ANNOUNCEMENT`` covers the half-days the family
    announced.  It is tied to the pupil's absences by the half-days it
    covers, not by the absence's record, so that a new import of the
    absences (which replaces them all) leaves it in place.
    ``responsable_ids`` are those the account spoke for (empty when the
    pupil of age wrote it).  Decided once: ``state`` goes from ``SENT`` to
    ``ACCEPTED`` or ``REFUSED`` with the vie scolaire's ``note``, never back.
    """

    #: For the kit's GDPR check: codes exported as labels; who decided is
    #: the establishment's staff, not the family's data.
    gdpr_contract = {
        "labels": {"kind": KIND_LABELS, "state": DECISION_LABELS},
        "establishment": ("decided_by",),
    }

    def __init__(
        self,
        id: str,
        kind: str,
        start: datetime,
        end: datetime,
        reason: str,
        comment: str,
        responsable_ids: Iterable[str],
        sent_at: datetime,
    ) -> None:
        self.id = id
        self.kind = kind
        self.start = start
        self.end = end
        self.reason = reason
        self.comment = comment
        self.responsable_ids = tuple(responsable_ids)
        self.sent_at = sent_at
        self.state = SENT
        self.note = ""
        self.decided_at: datetime | None = None
        self.decided_by = ""

    @property
    def decided(self) -> bool:
        return self.state != SENT

    def revise(self, reason: str, comment: str) -> None:
        """The family changes what it sent, before the vie scolaire decides
        (it keeps its place in the queue)."""
        if self.decided:
            raise ValueError("justification already decided")
        self.reason, self.comment = reason, comment

    def decide(self, accepted: bool, note: str, at: datetime, by: str) -> None:
        if self.decided:
            raise ValueError("justification already decided")
        self.state = ACCEPTED if accepted else REFUSED
        self.note, self.decided_at, self.decided_by = note, at, by

    def export(self) -> dict:
        """The justification as a GDPR access request gives it."""
        return {
            "reference": self.id,
            "nature": KIND_LABELS[self.kind],
            "debut": self.start.isoformat(),
            "fin": self.end.isoformat(),
            "motif": self.reason,
            "commentaire": self.comment,
            "responsables": list(self.responsable_ids),
            "envoyee_le": self.sent_at.isoformat(),
            "etat": DECISION_LABELS[self.state],
            "note_de_la_vie_scolaire": self.note,
            "decidee_le": self.decided_at.isoformat() if self.decided_at else None,
        }


class PupilAbsences(Persistent):
    """A pupil's absences keyed by their start: no two begin at the same minute;
    and the family's justifications, keyed by their id."""

    def __init__(self) -> None:
        self.by_start = OOBTree()
        self.justifications = OOBTree()

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

    @property
    def empty(self) -> bool:
        """Nothing recorded and nothing justified: the pupil's namespace may go."""
        return not len(self.by_start) and not len(self.justifications)


class AbsencesOffice(Persistent):
    """The service's site-wide part: the establishments' offices' work.

    ``pending`` is the justifications waiting for the vie scolaire, an index
    only: ``(uai, sent_at, id) -> pupil id``, so that an office lists its
    queue (and its dashboard counts it) without walking its pupils; the
    justifications themselves live with their pupil.
    """

    #: The establishments' work lists; what the queue points at is exported
    #: with each pupil.
    gdpr_contract = {"establishment": ("pending",)}

    def __init__(self) -> None:
        self.pending = OOBTree()

    def add(self, uai: str, justification: Justification, pupil_id: str) -> None:
        self.pending[(uai, justification.sent_at, justification.id)] = pupil_id

    def remove(self, uai: str, justification: Justification) -> None:
        self.pending.pop((uai, justification.sent_at, justification.id), None)

    def of(self, uai: str) -> list[tuple[str, str]]:
        """``(pupil id, justification id)`` of ``uai``'s queue, the oldest first."""
        found = self.pending.items(min=(uai,), max=(uai, datetime.max), excludemax=False)
        return [(pupil_id, key[2]) for key, pupil_id in found]
