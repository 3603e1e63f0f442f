"""``ts-admin import inscription-affectation INI FILE``: the affectation list.

The pupils a campaign expects, one a line, as the affectation service sends
them to the establishment.  The pupil need not be in the database yet: a
new pupil arrives with the SIECLE import, which gives the family its code,
and the campaign then finds it by INE.  The same importer serves the upload
of the staff page, held there to the staff member's establishment.
"""

from __future__ import annotations

from ts_host.api import Column, Importer, ImportSummary, Line, parse_french_date

from .models import SERVICE_ID, Affectation, inscription_site
from .schemas import offers


class AffectationImporter(Importer):
    name = "inscription-affectation"
    columns = (
        Column("uai", "l'établissement d'accueil (UAI)"),
        Column("ine", "INE de l'élève"),
        Column("nom", "nom de l'élève"),
        Column("prenom", "prénom de l'élève"),
        Column("date_naissance", "JJ/MM/AAAA", parse=parse_french_date),
        Column("etablissement_origine", "l'établissement fréquenté cette année"),
        Column("niveau", "le niveau d'entrée, celui d'une campagne (ex. 6e, 2nde)"),
    )
    description = (
        "Un élève déjà présent dans la liste de la campagne (même INE) est mis à jour ; "
        "les autres élèves de la liste y restent."
    )

    def __init__(self, site, academy, only_uai: str | None = None) -> None:
        super().__init__(site, academy)
        self.only_uai = only_uai
        self.seen: set[tuple[str, str]] = set()

    def check(self, line: Line):
        uai = line["uai"].strip().upper()
        if self.only_uai is not None and uai != self.only_uai:
            raise ValueError(f"l'établissement « {uai} » n'est pas celui de cette page")
        establishment = self.academy.establishment(uai)
        if establishment is None or not establishment.enables(SERVICE_ID):
            raise ValueError(f"l'établissement « {uai} » n'ouvre pas de téléinscription")
        level = line["niveau"].strip()
        if level not in {
            offer.level for offer in offers(uai, establishment.settings_for(SERVICE_ID))
        }:
            line.problem(f"aucune campagne pour le niveau « {level} » dans {uai}")
        ine = line["ine"].strip().upper()
        if (uai, ine) in self.seen:
            line.problem(f"INE « {ine} » en double dans le fichier")
        self.seen.add((uai, ine))
        affectation = Affectation(
            ine,
            " ".join(line["nom"].split()),
            " ".join(line["prenom"].split()),
            line["date_naissance"],
            " ".join(line["etablissement_origine"].split()),
            level,
        )
        return uai, affectation

    def write(self, checked) -> ImportSummary:
        store = inscription_site(self.site)
        summary = ImportSummary()
        for uai, affectation in checked:
            campaign = store.campaign(uai, affectation.level)
            known = campaign.affectations.get(affectation.ine)
            if known == affectation:
                summary.count("unchanged")
                continue
            summary.count("created" if known is None else "updated")
            campaign.affectations[affectation.ine] = affectation
        return summary


IMPORT_FORMAT = AffectationImporter.import_format()
