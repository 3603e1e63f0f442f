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


def erase_pupil(site: Site, plugins, pupil: Pupil) -> Erasure:
    """Forget the pupil, inside the caller's transaction: all of it or nothing.

    The services erase what they hold first: about the pupil
    (``ts_erase_pupil_data``), then about each responsable no other pupil
    has (``ts_erase_responsable_data``); then the site forgets the pupil,
    its codes, its accounts' links and those responsables, with every index
    entry (:meth:`~ts_host.models.Site.forget_pupil`).
    """
    services = list(pupil.services)
    for service_id in plugins.services:
        plugins.call_service(service_id, hookspecs.ts_erase_pupil_data, site=site, pupil=pupil)
    for responsable in site.sole_responsables(pupil):
        for service_id in plugins.services:
            plugins.call_service(
                service_id, hookspecs.ts_erase_responsable_data, site=site, responsable=responsable
            )
    forgotten = site.forget_pupil(pupil)
    return Erasure(
        services,
        forgotten.codes,
        forgotten.accounts_removed,
        forgotten.accounts_unlinked,
        forgotten.responsables,
    )
