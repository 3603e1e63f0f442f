"""Everything the portal holds about one pupil, for a GDPR access request.

The academy answers a family's request (RGPD, article 15) with this JSON
document: the pupil as SIECLE gave it, the responsables linked to them, the
Internet accounts that follow them, the activation codes issued for them,
and what each installed service holds (its ``ts_pupil_data`` hook).

Secrets stay out, because the document leaves the academy by mail: no
password or answer hash, no activation code's text (an unused one would
open an account), no session or token.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
    }


def responsables_part(site: Site, pupil: Pupil) -> list[dict[str, Any]]:
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
    services = {}
    for service_id in plugins.services:
        data = plugins.call_service(service_id, "ts_pupil_data", site=site, pupil=pupil)
        if data is not None:
            services[service_id] = data
    return {
        "format": FORMAT_VERSION,
        "exporte_le": datetime.now().isoformat(timespec="seconds"),
        "eleve": pupil_part(pupil),
        "responsables": responsables_part(site, pupil),
        "comptes": accounts_part(site, pupil),
        "codes_activation": codes_part(codes),
        "services": services,
    }
