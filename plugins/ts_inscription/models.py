"""The téléinscription's persistent data: campaigns, affectations, registrations.

A **campaign** is what an establishment opens for one level (the 6e of a
collège, the 2nde of a lycée): its dates and the choices it offers come from
the establishment's settings (``schemas.settings_schema``); what it stores is
the affectation list (who is expected, by INE) and the places taken in the
options that have a limited number of places.  The campaigns of the site
live in one :class:`InscriptionSite` (the service's site-wide data), keyed
by ``(uai, level)``.

A **registration** is one pupil's file, in the pupil's namespace.  Every
save of a step raises its ``version``: a step posted on an older version
(another responsable saved in between) is refused and shown again with the
current data, so two parents never overwrite each other silently.  Once
deposited (``SUBMITTED``) a file is frozen for the family: only the
establishment returns it (``RETURNED``, with a message) or accepts it
(``COMPLETE``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent
from persistent.list import PersistentList

from ts_host.api import Pupil, format_date, service_data, site_data

SERVICE_ID = "inscription"

NOT_STARTED = "non_commencee"
IN_PROGRESS = "en_cours"
SUBMITTED = "deposee"
RETURNED = "renvoyee"
COMPLETE = "complete"
STATES = (NOT_STARTED, IN_PROGRESS, SUBMITTED, RETURNED, COMPLETE)
STATE_LABELS = {
    NOT_STARTED: "non commencée",
    IN_PROGRESS: "en cours",
    SUBMITTED: "déposée",
    RETURNED: "renvoyée",
    COMPLETE: "complète",
}
#: The states in which the family may still change the file.
EDITABLE = (NOT_STARTED, IN_PROGRESS, RETURNED)

#: The steps of the form, in order; each stores a dict under its name.
STEPS = ("eleve", "responsables", "choix", "autorisations")


class StaleVersion(Exception):
    """A step was posted on a version of the file that is no longer current."""


class Frozen(Exception):
    """The file can no longer be changed by the family (deposited, complete)."""


class Affectation(NamedTuple):
    """One line of the affectation list: a pupil expected in the campaign."""

    ine: str
    last_name: str
    first_name: str
    birth_date: date
    origin: str
    level: str

    def export(self) -> dict[str, str]:
        return {
            "ine": self.ine,
            "nom": self.last_name,
            "prenom": self.first_name,
            "date_de_naissance": format_date(self.birth_date),
            "etablissement_origine": self.origin,
            "niveau": self.level,
        }


class Campaign(Persistent):
    """What one campaign stores: its expected pupils and the places taken.

    ``places`` maps an option's name to the set of the pupil ids holding a
    place in it; a place is taken when a step saves the option, and given
    back when a later save drops it.
    """

    def __init__(self, uai: str, level: str) -> None:
        self.uai = uai
        self.level = level
        self.affectations = OOBTree()  # INE -> Affectation
        self.places = OOBTree()  # option name -> OOTreeSet of pupil ids

    def expects(self, pupil: Pupil) -> bool:
        return bool(pupil.ine) and pupil.ine in self.affectations

    def taken(self, option: str) -> int:
        holders = self.places.get(option)
        return len(holders) if holders is not None else 0

    def holds(self, option: str, pupil_id: str) -> bool:
        holders = self.places.get(option)
        return holders is not None and pupil_id in holders

    def reserve(self, pupil_id: str, options: set[str], limits: dict[str, int]) -> list[str]:
        """Give ``pupil_id`` a place in each of ``options`` and none elsewhere.

        Returns the options refused for want of places (nothing is changed
        then).  ``limits`` gives the places of the limited options.
        """
        full = [
            option
            for option in sorted(options)
            if option in limits
            and not self.holds(option, pupil_id)
            and self.taken(option) >= limits[option]
        ]
        if full:
            return full
        for option, holders in self.places.items():
            if option not in options and pupil_id in holders:
                holders.remove(pupil_id)
        for option in options:
            holders = self.places.get(option)
            if holders is None:
                holders = self.places[option] = OOTreeSet()
            holders.add(pupil_id)
        return []

    def release(self, pupil_id: str) -> None:
        for holders in self.places.values():
            if pupil_id in holders:
                holders.remove(pupil_id)


class InscriptionSite(Persistent):
    """Every campaign of the site, by ``(uai, level)``."""

    gdpr_contract = {"establishment": ("campaigns",)}

    def __init__(self) -> None:
        self.campaigns = OOBTree()

    def campaign(self, uai: str, level: str) -> Campaign:
        """The campaign's record, created on first use."""
        found = self.campaigns.get((uai, level))
        if found is None:
            found = self.campaigns[(uai, level)] = Campaign(uai, level)
        return found


def find_site(site) -> InscriptionSite | None:
    """The service's site-wide data, or ``None`` before any (no write)."""
    return site.services.get(SERVICE_ID)


def inscription_site(site) -> InscriptionSite:
    return site_data(site, SERVICE_ID, InscriptionSite)


def responsable_values(responsable) -> dict[str, str]:
    """A responsable's contact data as the school knows it, by form field."""
    address = responsable.address or {}
    phones = responsable.phones or {}
    return {
        "email": responsable.email or "",
        "phone_mobile": phones.get("mobile", "") or "",
        "line1": address.get("line1", "") or "",
        "postcode": address.get("postcode", "") or "",
        "city": address.get("city", "") or "",
    }


class Event(NamedTuple):
    """One line of a registration's history."""

    when: datetime
    what: str
    who: str
    message: str = ""

    def export(self) -> dict[str, str]:
        return {
            "date": self.when.isoformat(),
            "evenement": self.what,
            "par": self.who,
            "message": self.message,
        }


class Registration(Persistent):
    """One pupil's registration file.

    ``data`` holds each step's answers under the step's name; ``changes``
    the responsables' data the family corrected (responsable id → field →
    new value), sent to the establishment with the file.  ``forwarded``
    records, per responsable, the corrections handed over at a deposit as a
    change request of another service (the fiche de renseignements) and
    that request's reference: ``{"demande": reference, "champs": fields}``.
    """

    #: Files deposited before corrections were handed over hold none.
    forwarded: Mapping[str, dict[str, Any]] = MappingProxyType({})

    gdpr_contract = {"labels": {"state": STATE_LABELS}}

    def __init__(self) -> None:
        self.state = NOT_STARTED
        self.version = 0
        self.data: dict[str, dict[str, Any]] = {}
        self.changes: dict[str, dict[str, Any]] = {}
        self.message = ""
        self.submitted: datetime | None = None
        self.history = PersistentList()

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE

    def save_step(
        self, step: str, values: dict[str, Any], version: int, when: datetime, who: str
    ) -> None:
        """Store a step's answers, if ``version`` is still the current one."""
        self._check(version)
        data = dict(self.data)
        data[step] = dict(values)
        self.data = data
        if self.state == NOT_STARTED:
            self.state = IN_PROGRESS
            self.history.append(Event(when, "commencée", who))
        self.version += 1

    def record_changes(self, changes: dict[str, dict[str, Any]]) -> None:
        """Replace the corrections of the responsables in ``changes`` (each
        account corrects its own), keeping the other responsables'."""
        merged = dict(self.changes)
        for responsable_id, fields in changes.items():
            if fields:
                merged[responsable_id] = dict(fields)
            else:
                merged.pop(responsable_id, None)
        self.changes = merged

    def record_forwarded(self, responsable_id: str, reference: str) -> None:
        """The responsable's current corrections became the request ``reference``."""
        fields = dict(self.changes[responsable_id])
        self.forwarded = {
            **self.forwarded,
            responsable_id: {"demande": reference, "champs": fields},
        }

    def to_forward(self) -> dict[str, dict[str, Any]]:
        """The corrections not yet handed over as they stand, by responsable."""
        return {
            responsable_id: fields
            for responsable_id, fields in self.changes.items()
            if fields and self.forwarded_as(responsable_id) is None
        }

    def forwarded_as(self, responsable_id: str) -> str | None:
        """The reference of the request holding the responsable's corrections
        as they stand, or ``None`` (not handed over, or changed since)."""
        sent = self.forwarded.get(responsable_id)
        if sent is None or sent["champs"] != self.changes.get(responsable_id):
            return None
        return sent["demande"]

    def submit(self, version: int, when: datetime, who: str) -> None:
        self._check(version)
        self.state = SUBMITTED
        self.submitted = when
        self.message = ""
        self.version += 1
        self.history.append(Event(when, "déposée", who))

    def give_back(self, message: str, when: datetime, who: str) -> None:
        """The establishment returns the file to the family, saying why."""
        if self.state not in (SUBMITTED, COMPLETE):
            raise Frozen(self.state)
        self.state = RETURNED
        self.message = message
        self.version += 1
        self.history.append(Event(when, "renvoyée", who, message))

    def accept(self, when: datetime, who: str) -> None:
        if self.state != SUBMITTED:
            raise Frozen(self.state)
        self.state = COMPLETE
        self.message = ""
        self.version += 1
        self.history.append(Event(when, "complète", who))

    def complete_steps(self) -> bool:
        return all(step in self.data for step in STEPS)

    def _check(self, version: int) -> None:
        if not self.editable:
            raise Frozen(self.state)
        if version != self.version:
            raise StaleVersion(self.version)

    def export(self) -> dict[str, Any]:
        return {
            "etat": STATE_LABELS[self.state],
            "version": self.version,
            "reponses": {step: dict(values) for step, values in self.data.items()},
            "modifications_responsables": {k: dict(v) for k, v in self.changes.items()},
            "demandes_transmises": {k: dict(v) for k, v in self.forwarded.items()},
            "message": self.message,
            "deposee_le": self.submitted.isoformat() if self.submitted else None,
            "historique": [event.export() for event in self.history],
        }


def find_registration(pupil: Pupil) -> Registration | None:
    return pupil.services.get(SERVICE_ID)


def registration_of(pupil: Pupil) -> Registration:
    return service_data(pupil, SERVICE_ID, Registration)
