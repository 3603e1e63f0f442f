"""The establishment's side: export the pending requests, apply the accepted ones.

``ts-admin`` has no plugin subcommand yet, so the two steps are functions:
:func:`export_pending` (for ``ts-admin fiche export``) and
:func:`apply_accepted` (for ``ts-admin fiche apply``, and today
``ts-admin import fiche FILE`` through the import format).  See IMPORT.md.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ts_host.api import BadLine, ImportRejected, ImportSummary, Site, read_csv

from .models import FIELDS, TRANSMITTED, ChangeRequest, find_store, write_values

#: The CSV column of each field.
COLUMNS = {
    "line1": "adresse_ligne1",
    "line2": "adresse_ligne2",
    "line3": "adresse_ligne3",
    "postcode": "code_postal",
    "city": "commune",
    "country": "pays",
    "phone_personal": "telephone_personnel",
    "phone_mobile": "telephone_portable",
    "phone_work": "telephone_professionnel",
    "email": "email",
    "sms_consent": "accord_sms",
    "profession": "profession",
}
ID_COLUMN = "id_demande"
EXPORT_COLUMNS = [
    ID_COLUMN,
    "uai",
    "id_responsable",
    "personne_id",
    "civilite",
    "nom",
    "prenom",
    *(COLUMNS[key] for key in FIELDS),
    "champs_modifies",
    "date_demande",
    "auteur_compte",
    "auteur_responsable",
]
#: A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ACCEPT = {"", "acceptee", "acceptée", "oui"}
REFUSE = {"refusee", "refusée", "non"}

APPLY_HELP = """\
Applique les demandes de modification de la fiche de renseignements acceptées
par l'établissement (fichier CSV UTF-8, séparateur « ; »).
Colonne obligatoire : id_demande (l'identifiant donné par l'export).
Colonne facultative : decision (« acceptée », par défaut, ou « refusée »).
Seules des demandes transmises (exportées) sont acceptées ; un identifiant
inconnu, en double ou déjà traité fait refuser tout le fichier."""


def neutralise(cell: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _cell(key: str, value: Any) -> str:
    if key == "sms_consent":
        return "oui" if value else "non"
    return str(value or "")


def export_row(site: Site, change: ChangeRequest) -> list[str] | None:
    responsable = site.responsables.get(change.responsable_id)
    if responsable is None:
        return None
    row = [
        change.id,
        responsable.uai,
        responsable.id,
        responsable.siecle_id,
        responsable.civility,
        responsable.last_name,
        responsable.first_name,
        *(_cell(key, change.values[key]) for key in FIELDS),
        ",".join(COLUMNS[key] for key in FIELDS if key in change.changes),
        change.created.strftime("%d/%m/%Y %H:%M"),
        change.account_id,
        change.responsable_id,
    ]
    return [neutralise(cell) for cell in row]


def export_pending(
    site: Site,
    academy,
    destination: str | Path | IO[str],
    *,
    uai: str | None = None,
    now: datetime | None = None,
) -> int:
    """Write the pending requests as CSV and mark them "transmise"; return their count.

    One row per request, every field with its wanted value and
    ``champs_modifies`` naming the changed ones; ``;``-separated UTF-8 with
    a BOM (what a spreadsheet needs to read the accents).  ``destination``
    is a path or a text stream; ``uai`` keeps the requests about the
    responsables of one establishment.  A request whose responsable is gone
    stays pending.
    """
    if uai is not None and academy.establishment(uai) is None:
        raise ValueError(f"établissement inconnu : {uai}")
    store = find_store(site)
    taken: list[tuple[ChangeRequest, list[str]]] = []
    for change in store.iter_pending() if store is not None else ():
        row = export_row(site, change)
        if row is not None and (uai is None or row[1] == uai):
            taken.append((change, row))
    taken.sort(key=lambda item: (item[1][1], item[0].created, item[0].id))
    _write_csv(destination, [row for _change, row in taken])
    when = now or datetime.now()
    for change, _row in taken:
        store.mark_transmitted(change, when)
    return len(taken)


def _write_csv(destination: str | Path | IO[str], rows: Iterable[list[str]]) -> None:
    def write(stream: IO[str]) -> None:
        stream.write("\ufeff")
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)

    if hasattr(destination, "write"):
        write(destination)
    else:
        with Path(destination).open("w", encoding="utf-8", newline="") as stream:
            write(stream)


def apply_accepted(site: Site, academy, path: str | Path) -> ImportSummary:
    """Apply (or refuse) the transmitted requests listed in ``path``.

    Every line is checked first; an unknown, repeated or already decided
    request refuses the whole file with :class:`ImportRejected`, and nothing
    is written.  An accepted request writes its changed fields into the
    responsable's data and becomes "appliquée"; a refused one "refusée".
    """
    store = find_store(site)
    decisions: list[tuple[ChangeRequest, bool]] = []
    bad: list[BadLine] = []
    seen: dict[str, int] = {}
    for line, row in read_csv(path, [ID_COLUMN]):
        request_id = row[ID_COLUMN]
        decision = row.get("decision", "").lower()
        change = store.get(request_id) if store is not None else None
        if not request_id:
            bad.append(BadLine(line, "identifiant de demande manquant"))
        elif request_id in seen:
            bad.append(
                BadLine(line, f"demande « {request_id} » déjà présente ligne {seen[request_id]}")
            )
        elif change is None:
            bad.append(BadLine(line, f"demande inconnue « {request_id} »"))
        elif change.state != TRANSMITTED:
            bad.append(
                BadLine(
                    line,
                    f"demande « {request_id} » {change.state} : seules les "
                    f"demandes transmises (exportées) peuvent être traitées",
                )
            )
        elif site.responsables.get(change.responsable_id) is None:
            bad.append(BadLine(line, f"demande « {request_id} » : le responsable n'existe plus"))
        elif decision not in ACCEPT | REFUSE:
            bad.append(
                BadLine(
                    line, f"décision « {row['decision']} » inconnue (« acceptée » ou « refusée »)"
                )
            )
        else:
            decisions.append((change, decision in ACCEPT))
        seen.setdefault(request_id, line)
    if bad:
        raise ImportRejected(path, bad)
    now = datetime.now()
    updated: set[str] = set()
    for change, accepted in decisions:
        if accepted:
            write_values(site.responsables[change.responsable_id], change.changes)
            updated.add(change.responsable_id)
        store.decide(change, accepted, now)
    applied = sum(1 for _change, accepted in decisions if accepted)
    return ImportSummary(
        updated=len(updated),
        extra={"demandes appliquées": applied, "demandes refusées": len(decisions) - applied},
    )
