"""Justifications: who may give one, which absences they cover, the queue.

A justification is tied to the absences it covers by their half-days
(:func:`ts_absences.counting.half_days`): the import of absences replaces
their records, keyed by start, whenever the vie scolaire exports them again,
and a justification given online must survive that.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from ts_host.api import Pupil, audit, report_event, service_data, site_data

from .counting import half_days, parse_split
from .i18n import _
from .models import (
    ACCEPTED,
    ANNOUNCEMENT,
    REASON,
    SERVICE_ID,
    Absence,
    AbsencesOffice,
    Justification,
    PupilAbsences,
)

ADULT_AGE = 18


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def may_justify(context, day: date) -> bool:
    """Whether the account on this page may justify the pupil's absences.

    A responsable always; the pupil's own account (it speaks for no
    responsable) only when the pupil is of age on ``day`` and the
    establishment lets pupils of age justify their own absences.
    """
    if context.responsable_ids:
        return True
    return bool(context.settings.get("adult_pupils_justify")) and (
        age_on(context.pupil.birth_date, day) >= ADULT_AGE
    )


def covered(start: datetime, end: datetime, split: time) -> set[tuple[date, int]]:
    return set(half_days(start, end, split))


@dataclass(frozen=True)
class AbsenceLine:
    """A recorded absence on the family's page, with what was said about it."""

    absence: Absence
    justification: Justification | None

    @property
    def justifiable(self) -> bool:
        """No legitimate reason on record, and nothing decided about it yet."""
        return not self.absence.legitimate and (
            self.justification is None or not self.justification.decided
        )


def justification_of(
    absence: Absence, justifications: Iterable[Justification], split: time
) -> Justification | None:
    """The latest justification sharing a half-day with ``absence``."""
    return _latest_covering(
        absence, [(j, covered(j.start, j.end, split)) for j in justifications], split
    )


def _latest_covering(absence: Absence, coverage, split: time) -> Justification | None:
    if not coverage:
        return None
    wanted = covered(absence.start, absence.end, split)
    found = [j for j, half_days_of_j in coverage if wanted & half_days_of_j]
    return max(found, key=lambda j: j.sent_at) if found else None


def absence_lines(data: PupilAbsences | None, split: time) -> list[AbsenceLine]:
    """The pupil's recorded absences with no legitimate reason or with a
    justification, the most recent first."""
    if data is None:
        return []
    # Each justification's half-days once, not once per absence.
    coverage = [(j, covered(j.start, j.end, split)) for j in data.justifications.values()]
    lines = []
    for absence in reversed(list(data)):
        justification = _latest_covering(absence, coverage, split)
        if not absence.legitimate or justification is not None:
            lines.append(AbsenceLine(absence, justification))
    return lines


def announcements(data: PupilAbsences | None) -> list[Justification]:
    """The absences the family announced, the latest first."""
    if data is None:
        return []
    found = [j for j in data.justifications.values() if j.kind == ANNOUNCEMENT]
    return sorted(found, key=lambda j: j.start, reverse=True)


def office_queue(site) -> AbsencesOffice:
    return site_data(site, SERVICE_ID, AbsencesOffice)


def justify(
    request, pupil: Pupil, absence: Absence, reason: str, comment: str, at: datetime, split: time
) -> Justification:
    """Record the family's reason for ``absence``, or revise the one still undecided.

    The caller has checked that the absence is justifiable.
    """
    data = service_data(pupil, SERVICE_ID, PupilAbsences)
    current = justification_of(absence, data.justifications.values(), split)
    if current is not None and current.kind == REASON and not current.decided:
        current.revise(reason, comment)
        audit(request, "absences.justification.revised", pupil=pupil.id, target=current.id)
        return current
    return _send(request, pupil, data, REASON, absence.start, absence.end, reason, comment, at)


def announce(
    request, pupil: Pupil, start: datetime, end: datetime, reason: str, comment: str, at: datetime
) -> Justification:
    data = service_data(pupil, SERVICE_ID, PupilAbsences)
    return _send(request, pupil, data, ANNOUNCEMENT, start, end, reason, comment, at)


def _send(request, pupil, data, kind, start, end, reason, comment, at) -> Justification:
    responsables = getattr(request.context, "responsable_ids", ())
    justification = Justification(
        secrets.token_hex(8), kind, start, end, reason, comment, responsables, at
    )
    data.justifications[justification.id] = justification
    office_queue(request.site).add(pupil.uai, justification, pupil.id)
    audit(
        request,
        "absences.justification.sent",
        pupil=pupil.id,
        target=justification.id,
        kind=kind,
    )
    return justification


def pending(site, uai: str) -> list[tuple[Pupil, Justification]]:
    """The establishment's undecided justifications, the oldest first."""
    queue = site.services.get(SERVICE_ID)
    if queue is None:
        return []
    found = []
    for pupil_id, justification_id in queue.of(uai):
        pupil = site.pupils.get(pupil_id)
        data = pupil.services.get(SERVICE_ID) if pupil is not None else None
        justification = data.justifications.get(justification_id) if data is not None else None
        if justification is not None and not justification.decided and pupil.uai == uai:
            found.append((pupil, justification))
    return found


def decide(
    request, uai: str, pupil: Pupil, justification: Justification, accepted: bool, note: str
) -> None:
    justification.decide(accepted, note, datetime.now(), request.staff.login)
    office_queue(request.site).remove(uai, justification)
    report_decision(request, uai, pupil, justification)


def report_decision(request, uai: str, pupil: Pupil, justification: Justification) -> None:
    """The one place that reports a decided justification: in the audit log,
    and to the family (a notification that links to the absences page and
    says accepted or refused, never the reason or the note)."""
    if justification.state == ACCEPTED:
        text = _("La vie scolaire a accepté une justification d'absence.")
    else:
        text = _("La vie scolaire a refusé une justification d'absence.")
    report_event(request.site, pupil, SERVICE_ID, "justification", text)
    audit(
        request,
        "absences.justification.decided",
        uai=uai,
        pupil=pupil.id,
        target=justification.id,
        decision=justification.state,
    )


def erase(site, pupil: Pupil) -> None:
    """Take the pupil's justifications out of the office's queue (GDPR erasure)."""
    data = pupil.services.get(SERVICE_ID)
    if data is None or not len(data.justifications):
        return
    queue = site.services.get(SERVICE_ID)
    for justification in data.justifications.values():
        queue.remove(pupil.uai, justification)


def split_of(establishment) -> time:
    return parse_split(establishment.half_day_split)
