"""The establishment's side: export the pending requests, apply the accepted ones.

``ts-admin`` has no plugin subcommand yet, so the two steps are functions:
:func:`export_pending` (for ``ts-admin fiche export``) and
:func:`apply_accepted` (for ``ts-admin fiche apply``, and today
``ts-admin import fiche FILE`` through the import format).  See IMPORT.md.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any

from ts_host.api import (
    Column,
    Importer,
    ImportFormat,
    ImportSummary,
    Line,
    Progress,
    Site,
    write_csv,
)

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
ACCEPT = {"", "acceptee", "acceptée", "oui"}
REFUSE = {"refusee", "refusée", "non"}


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
    return row


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
    write_csv(destination, EXPORT_COLUMNS, [row for _change, row in taken], bom=True)
    when = now or datetime.now()
    for change, _row in taken:
        store.mark_transmitted(change, when)
    return len(taken)


class DecisionsImporter(Importer):
    """The establishment's decisions about the transmitted requests."""

    name = "fiche"
    columns = (
        Column(
            ID_COLUMN,
            "l'identifiant de la demande donné par l'export",
            missing="identifiant de demande manquant",
        ),
        Column(
            "decision",
            "« acceptée » (par défaut) ou « refusée »",
            required=False,
            optional=True,
        ),
    )
    description = """\
Applique les demandes de modification de la fiche de renseignements acceptées
par l'établissement ; le fichier de l'export convient (ses autres colonnes sont
ignorées).  Seules des demandes transmises (exportées) sont acceptées ; un
identifiant inconnu, en double ou déjà traité fait refuser tout le fichier."""

    def __init__(self, site: Site, academy) -> None:
        super().__init__(site, academy)
        self.store = find_store(site)
        self.seen: dict[str, int] = {}

    def check(self, line: Line) -> tuple[ChangeRequest, bool]:
        request_id = line[ID_COLUMN]
        earlier = self.seen.setdefault(request_id, line.number)
        if earlier != line.number:
            raise ValueError(f"demande « {request_id} » déjà présente ligne {earlier}")
        change = self.store.get(request_id) if self.store is not None else None
        if change is None:
            raise ValueError(f"demande inconnue « {request_id} »")
        if change.state != TRANSMITTED:
            raise ValueError(
                f"demande « {request_id} » {change.state} : seules les "
                f"demandes transmises (exportées) peuvent être traitées"
            )
        if self.site.responsables.get(change.responsable_id) is None:
            raise ValueError(f"demande « {request_id} » : le responsable n'existe plus")
        decision = line["decision"].lower()
        if decision not in ACCEPT | REFUSE:
            raise ValueError(
                f"décision « {line['decision']} » inconnue (« acceptée » ou « refusée »)"
            )
        return change, decision in ACCEPT

    def write(self, checked: list[tuple[ChangeRequest, bool]]) -> ImportSummary:
        now = datetime.now()
        updated: set[str] = set()
        for change, accepted in checked:
            if accepted:
                write_values(self.site.responsables[change.responsable_id], change.changes)
                updated.add(change.responsable_id)
            self.store.decide(change, accepted, now)
        applied = sum(1 for _change, accepted in checked if accepted)
        return ImportSummary(
            updated=len(updated),
            extra={"demandes appliquées": applied, "demandes refusées": len(checked) - applied},
        )


def apply_accepted(
    site: Site, academy, path: str | Path, progress: Progress | None = None
) -> ImportSummary:
    """Apply (or refuse) the transmitted requests listed in ``path``.

    Every line is checked first; an unknown, repeated or already decided
    request refuses the whole file with :class:`ImportRejected`, and nothing
    is written.  An accepted request writes its changed fields into the
    responsable's data and becomes "appliquée"; a refused one "refusée".
    """
    return DecisionsImporter(site, academy).load(path, progress)


#: ``ts-admin import fiche FILE`` and ``ts-admin fiche apply FILE`` read the same file.
IMPORT_FORMAT = ImportFormat(
    name=DecisionsImporter.name,
    help=DecisionsImporter.help(),
    run=apply_accepted,
    reports_progress=True,
)
