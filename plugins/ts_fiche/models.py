"""The fiche's persistent data: the change requests of responsables.

A responsable's personal data belongs to the responsable, not to one
pupil: brothers and sisters share it, possibly across establishments.  So
requests are not kept in a pupil's ``services`` namespace but in one
:class:`FicheStore` for the whole site, keyed by request id and indexed by
responsable.  The store is the service's site-wide data
(``ts_host.api.site_data``), reached only through :func:`find_store`
(reading: never creates it) and :func:`fiche_store` (writing: creates it
on the first request).

A request never changes the school's data by itself: the establishment
exports the pending ones (state :data:`TRANSMITTED`), takes them in its own
software, then applies the accepted ones (:data:`APPLIED`) or refuses them
(:data:`REFUSED`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from BTrees.OOBTree import OOTreeSet
from persistent import Persistent
from persistent.list import PersistentList

from ts_host.api import RESPONSABLE_FIELDS, Container, Responsable, site_data

SERVICE_ID = "fiche"

PENDING = "en attente de validation"
TRANSMITTED = "transmise"
APPLIED = "appliquée"
REFUSED = "refusée"
STATES = (PENDING, TRANSMITTED, APPLIED, REFUSED)

ADDRESS_FIELDS = ("line1", "line2", "line3", "postcode", "city", "country")
PHONE_FIELDS = {"phone_personal": "personal", "phone_mobile": "mobile", "phone_work": "work"}
#: Every field a responsable may ask to change, in the order of the form: the
#: host's names, those other services' corrections come with.
FIELDS = RESPONSABLE_FIELDS


def current_values(responsable: Responsable) -> dict[str, Any]:
    """The school's data of ``responsable``, flattened to the keys of :data:`FIELDS`."""
    address = responsable.address or {}
    phones = responsable.phones or {}
    values: dict[str, Any] = {key: address.get(key, "") or "" for key in ADDRESS_FIELDS}
    values.update({key: phones.get(kind, "") or "" for key, kind in PHONE_FIELDS.items()})
    values["email"] = responsable.email or ""
    values["sms_consent"] = bool(responsable.sms_consent)
    values["profession"] = responsable.profession or ""
    return values


def write_values(responsable: Responsable, changes: Mapping[str, Any]) -> None:
    """Write ``changes`` (some keys of :data:`FIELDS`) into the school's data.

    The address and phones are plain dicts inside the responsable's record,
    so they are replaced, not mutated, for the change to be persisted.
    """
    address = dict(responsable.address or {})
    phones = dict(responsable.phones or {})
    for key, value in changes.items():
        if key in ADDRESS_FIELDS:
            address[key] = value
        elif key in PHONE_FIELDS:
            phones[PHONE_FIELDS[key]] = value
        elif key in ("email", "sms_consent", "profession"):
            setattr(responsable, key, value)
        else:
            raise KeyError(key)
    responsable.address = address
    responsable.phones = phones


def differences(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``wanted`` that differ from ``current``, with their new value."""
    return {key: wanted[key] for key in FIELDS if wanted[key] != current.get(key)}


class ChangeRequest(Persistent):
    """One request to change a responsable's data.

    ``reason`` is what the establishment tells the family with its decision
    (a class default: requests stored before the office had none).

    ``values`` holds every field as the responsable wants it, ``changes``
    the fields that differ from the school's data at the time of the
    request, and ``previous`` their former values.  The author is the
    account that sent it, speaking for ``responsable_id``; ``pupil_id`` is
    the child whose page it was sent from.
    """

    def __init__(
        self,
        id: str,
        responsable_id: str,
        pupil_id: str,
        account_id: str,
        created: datetime,
        values: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        self.id = id
        self.responsable_id = responsable_id
        self.state = PENDING
        self.transmitted: datetime | None = None
        self.decided: datetime | None = None
        self.revise(pupil_id, account_id, created, values, previous)

    def revise(
        self,
        pupil_id: str,
        account_id: str,
        created: datetime,
        values: dict[str, Any],
        previous: dict[str, Any],
    ) -> None:
        """Replace what a pending request asks (the responsable changed their mind)."""
        if self.state != PENDING:
            raise ValueError(f"request {self.id} is {self.state}: it cannot change any more")
        self.pupil_id = pupil_id
        self.account_id = account_id
        self.created = created
        self.values = dict(values)
        self.changes = differences(previous, values)
        self.previous = {key: previous.get(key) for key in self.changes}

    reason = ""

    @property
    def open(self) -> bool:
        """Pending or transmitted: the establishment has not decided yet."""
        return self.state in (PENDING, TRANSMITTED)

    def export(self) -> dict[str, Any]:
        """Everything the request holds, for a GDPR access request (JSON)."""
        return {
            "identifiant": self.id,
            "responsable": self.responsable_id,
            "eleve": self.pupil_id,
            "compte": self.account_id,
            "etat": self.state,
            "envoyee_le": self.created.isoformat(),
            "transmise_le": _when(self.transmitted),
            "decidee_le": _when(self.decided),
            "motif": self.reason,
            "valeurs": dict(self.values),
            "modifications": dict(self.changes),
            "valeurs_precedentes": dict(self.previous),
        }


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class FicheStore(Persistent):
    """Every change request of the site, by id, with an index by responsable
    and the set of the pending ones (what the next export takes)."""

    def __init__(self) -> None:
        self.requests = Container()  # request id -> ChangeRequest
        self.by_responsable = Container()  # responsable id -> PersistentList of ids
        self.pending = OOTreeSet()  # ids of the requests in state PENDING

    def get(self, request_id: str) -> ChangeRequest | None:
        return self.requests.get(request_id)

    def history(self, responsable_id: str) -> list[ChangeRequest]:
        """The responsable's requests, the most recent first."""
        ids = self.by_responsable.get(responsable_id, ())
        found = [self.requests[request_id] for request_id in ids if request_id in self.requests]
        return sorted(found, key=lambda r: r.created, reverse=True)

    def pending_for(self, responsable_id: str) -> ChangeRequest | None:
        """The responsable's request not yet transmitted, if any (at most one)."""
        return next((r for r in self.history(responsable_id) if r.state == PENDING), None)

    def submit(
        self,
        responsable_id: str,
        pupil_id: str,
        account_id: str,
        created: datetime,
        values: dict[str, Any],
        previous: dict[str, Any],
    ) -> ChangeRequest:
        """Record a request, or revise the responsable's pending one.

        While nothing has been transmitted the establishment needs only the
        latest wish, so a responsable has at most one pending request.
        """
        pending = self.pending_for(responsable_id)
        if pending is not None:
            pending.revise(pupil_id, account_id, created, values, previous)
            return pending
        request_id = self._new_id()
        change = ChangeRequest(
            request_id, responsable_id, pupil_id, account_id, created, values, previous
        )
        self.requests.add(request_id, change)
        ids = self.by_responsable.get(responsable_id)
        if ids is None:
            ids = PersistentList()
            self.by_responsable.add(responsable_id, ids)
        ids.append(request_id)
        self.pending.add(request_id)
        return change

    def withdraw(self, change: ChangeRequest) -> None:
        """Forget a pending request: the establishment never saw it."""
        if change.state != PENDING:
            raise ValueError(f"request {change.id} is {change.state}: it cannot be withdrawn")
        self.erase(change)

    def iter_pending(self) -> Iterator[ChangeRequest]:
        for request_id in list(self.pending):
            yield self.requests[request_id]

    def mark_transmitted(self, change: ChangeRequest, when: datetime) -> None:
        change.state = TRANSMITTED
        change.transmitted = when
        self.pending.remove(change.id)

    def decide(self, change: ChangeRequest, accepted: bool, when: datetime) -> None:
        """Record the establishment's decision on a transmitted request."""
        if change.state != TRANSMITTED:
            raise ValueError(f"request {change.id} is {change.state}, not transmitted")
        change.state = APPLIED if accepted else REFUSED
        change.decided = when

    def decide_in_office(
        self, change: ChangeRequest, accepted: bool, when: datetime, reason: str = ""
    ) -> None:
        """The establishment's decision from its office, on an open request.

        A pending request is decided without being transmitted first: the
        office reads it where the export would have sent it.
        """
        if not change.open:
            raise ValueError(f"request {change.id} is {change.state}: already decided")
        if change.state == PENDING:
            self.mark_transmitted(change, when)
        self.decide(change, accepted, when)
        change.reason = reason

    def iter_open(self) -> Iterator[ChangeRequest]:
        """Every request not decided yet, the oldest first."""
        found = [change for change in self.requests.values() if change.open]
        return iter(sorted(found, key=lambda change: change.created))

    def erase_responsable(self, responsable_id: str) -> int:
        """Remove every request about the responsable (GDPR erasure); how many."""
        changes = self.history(responsable_id)
        for change in changes:
            self.erase(change)
        self.by_responsable.pop(responsable_id)
        return len(changes)

    def erase(self, change: ChangeRequest) -> None:
        """Remove a request whatever its state (GDPR erasure)."""
        self.requests.pop(change.id)
        if change.id in self.pending:
            self.pending.remove(change.id)
        ids = self.by_responsable.get(change.responsable_id)
        if ids is not None and change.id in ids:
            ids.remove(change.id)

    def _new_id(self) -> str:
        while True:
            request_id = secrets.token_hex(6)
            if request_id not in self.requests:
                return request_id


def find_store(site) -> FicheStore | None:
    """The site's store, or ``None`` before the first request ever (no write)."""
    return site.services.get(SERVICE_ID)


def fiche_store(site) -> FicheStore:
    """The site's store, created on first use."""
    return site_data(site, SERVICE_ID, FicheStore)
