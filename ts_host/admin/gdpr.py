"""A pupil's data for the GDPR: the access request's export, and erasure.

The academy answers a family's access request (RGPD, article 15) with a
JSON document: the pupil as SIECLE gave it, the responsables linked to
them, the Internet accounts that follow them, the activation codes issued
for them, and what each installed service holds about the pupil (its
``ts_pupil_data`` hook) and about each responsable (``ts_responsable_data``).
Secrets stay out, because the document leaves the academy by mail: no
password or answer hash, no activation code's text (an unused one would
open an account), no session or token.

Erasure (article 17) forgets a pupil who has left the establishment: while
the pupil is at school, the next SIECLE import would bring them back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .. import hookspecs
from ..accounts.registration import remove_account
from ..models import Account, Pupil, Site

#: The version of this document's layout, for whoever reads it later.
FORMAT_VERSION = 1


def _when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def pupil_part(pupil: Pupil) -> dict[str, Any]:
    return {
        "identifiant": pupil.id,
        "uai": pupil.uai,
        "eleve_id_siecle": pupil.siecle_id,
        "ine": pupil.ine,
        "nom": pupil.last_name,
        "prenom": pupil.first_name,
        "date_naissance": _when(pupil.birth_date),
        "sexe": pupil.sex,
        "niveau": pupil.level,
        "classe": pupil.division,
        "date_sortie": _when(pupil.left_on),
    }


def services_data(plugins, hook: Callable, **kwargs) -> dict[str, Any]:
    """What each installed service returns from a GDPR export hook, by service id."""
    found = {}
    for service_id in plugins.services:
        data = plugins.call_service(service_id, hook, **kwargs)
        if data is not None:
            found[service_id] = data
    return found


def responsables_part(site: Site, plugins, pupil: Pupil) -> list[dict[str, Any]]:
    found = []
    for link in pupil.responsables:
        responsable = site.responsables.get(link.responsable_id)
        if responsable is None:
            continue
        found.append(
            {
                "identifiant": responsable.id,
                "responsable_legal": link.legal,
                "lien": link.relationship,
                "civilite": responsable.civility,
                "nom": responsable.last_name,
                "prenom": responsable.first_name,
                "courriel": responsable.email,
                "adresse": dict(responsable.address),
                "telephones": dict(responsable.phones),
                "profession": responsable.profession,
                "accord_sms": responsable.sms_consent,
                "services": services_data(
                    plugins, hookspecs.ts_responsable_data, site=site, responsable=responsable
                ),
            }
        )
    return found


def account_part(account: Account, pupil_id: str) -> dict[str, Any]:
    return {
        "identifiant": account.login,
        "type": account.kind,
        "courriel": account.email,
        "cree_le": _when(account.created_at),
        "derniere_connexion": _when(account.last_login),
        "questions_de_securite": [question.question for question in account.questions],
        "responsables": account.responsables_for(pupil_id),
    }


def accounts_part(site: Site, pupil: Pupil) -> list[dict[str, Any]]:
    """The accounts that follow the pupil: one pass over the accounts (no index by pupil)."""
    return [
        account_part(account, pupil.id)
        for account in site.accounts.values()
        if pupil.id in account.pupil_ids
    ]


def codes_part(codes) -> list[dict[str, Any]]:
    return [
        {
            "type": str(code.kind),
            "responsable": code.responsable_id,
            "etat": str(code.state),
            "emis_le": _when(code.issued_at),
        }
        for code in codes
    ]


def pupil_export(site: Site, plugins, pupil: Pupil, codes) -> dict[str, Any]:
    """The whole document; ``codes`` are the pupil's activation codes."""
    return {
        "format": FORMAT_VERSION,
        "exporte_le": datetime.now().isoformat(timespec="seconds"),
        "eleve": pupil_part(pupil),
        "responsables": responsables_part(site, plugins, pupil),
        "comptes": accounts_part(site, pupil),
        "codes_activation": codes_part(codes),
        "services": services_data(plugins, hookspecs.ts_pupil_data, site=site, pupil=pupil),
    }


@dataclass(frozen=True)
class Erasure:
    """What erasing a pupil removed besides the pupil."""

    #: The services that kept data under the pupil (``pupil.services``).
    services: list[str]
    codes: int
    #: Accounts that followed only this pupil, removed with it.
    accounts_removed: int
    #: Accounts that follow other children too: they only lose this one.
    accounts_unlinked: int
    #: Responsables of no other pupil, removed with it.
    responsables: int


def _shared_responsables(site: Site, pupil: Pupil, establishment) -> set[str]:
    """The pupil's responsables that another pupil of the establishment has too.

    One pass over the establishment's pupils, whatever the number of
    responsables.
    """
    own = {link.responsable_id for link in pupil.responsables}
    return {
        link.responsable_id
        for pupil_id in establishment.pupil_ids
        if pupil_id != pupil.id
        for link in site.pupils[pupil_id].responsables
        if link.responsable_id in own
    }


def erase_pupil(site: Site, plugins, pupil: Pupil, codes) -> Erasure:
    """Forget the pupil, inside the caller's transaction: all of it or nothing.

    The services erase what they hold first (``ts_erase_pupil_data``), then
    the host: the pupil's codes, the accounts' links to the pupil (an
    account left without any is removed), the responsables no other pupil
    has (the services erase what they hold about them first,
    ``ts_erase_responsable_data``), and the pupil with its establishment's
    indexes.
    """
    services = list(pupil.services)
    for service_id in plugins.services:
        plugins.call_service(service_id, hookspecs.ts_erase_pupil_data, site=site, pupil=pupil)
    for code in codes:
        site.codes.pop(code.code)
    removed = unlinked = 0
    for account in [a for a in site.accounts.values() if pupil.id in a.pupil_ids]:
        kept = [link for link in account.links if link.pupil_id != pupil.id]
        if kept:
            account.links[:] = kept
            unlinked += 1
        else:
            remove_account(site, account)
            removed += 1
    establishment = site.establishments[pupil.uai]
    responsables = 0
    shared = _shared_responsables(site, pupil, establishment)
    for link in pupil.responsables:
        if link.responsable_id in shared:
            continue
        responsable = site.responsables.get(link.responsable_id)
        if responsable is not None:
            for service_id in plugins.services:
                plugins.call_service(
                    service_id,
                    hookspecs.ts_erase_responsable_data,
                    site=site,
                    responsable=responsable,
                )
            site.responsables.pop(link.responsable_id)
            establishment.by_personne_id.pop(responsable.siecle_id)
            responsables += 1
    establishment.pupil_ids.pop(pupil.id)
    establishment.by_eleve_id.pop(pupil.siecle_id)
    site.pupils.pop(pupil.id)
    return Erasure(services, len(codes), removed, unlinked, responsables)
