"""``ts-admin import lpc FICHIER``: renseignements, validations, professeurs principaux.

The format is documented in ``IMPORT.md`` (and in :data:`HELP`, which
``ts-admin`` prints).  Every line is checked before anything is written: a
file with a bad line is refused whole, with the numbers of its bad lines.
Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ts_host.api import (
    BadLine,
    ImportFormat,
    ImportRejected,
    ImportSummary,
    Pupil,
    Site,
    parse_french_date,
    read_csv,
)

from .livret import validation_keys
from .models import EPOCH, LAST_DAY, SERVICE_ID, record_for_update
from .referential import LANGUE_PLACEHOLDER, item, load_referential

COLUMNS = ("uai", "eleve_ine", "palier", "type", "code", "libelle", "date")
ITEM, VALIDATION, PROFESSEUR = "item", "validation", "professeur_principal"

HELP = """\
Fichier CSV (UTF-8, séparateur « ; », une ligne d'en-tête) aux colonnes
uai;eleve_ine;palier;type;code;libelle;date.  Une ligne par fait :
  item                 un item renseigné : palier (1, 2 ou 3), code de l'item
                       (« P.C.D.I », ex. 3.1.1.1), libelle = la discipline, date ;
  validation           une compétence validée : palier, code = numéro de la
                       compétence (au palier 2, 3.1 ou 3.2 pour une seule des deux
                       parties de la compétence 3), date ; pour la compétence 2,
                       libelle = la langue validée (ex. ANGLAIS LV1), sinon vide ;
  professeur_principal libelle = le nom du professeur principal (ex. M. DUPONT),
                       palier, code et date vides.
Dates JJ/MM/AAAA.  L'élève est désigné par l'UAI de son établissement et son INE.
Un fichier dont une ligne est fausse est refusé en entier.  Voir IMPORT.md."""


class LineError(ValueError):
    """A line that cannot be imported; the message is shown to the administrator."""


@dataclass(frozen=True)
class Line:
    pupil: Pupil
    kind: str
    palier: int
    keys: tuple[str, ...]  # item code, or validation keys
    label: str
    day: date | None


def run(site: Site, academy, path: Path) -> ImportSummary:
    """Check every line, then write them all (see :data:`HELP`)."""
    find_pupil = _pupil_finder(site)
    lines: list[Line] = []
    bad: list[BadLine] = []
    for number, row in read_csv(path, COLUMNS):
        try:
            lines.append(_parse(row, find_pupil))
        except LineError as exc:
            bad.append(BadLine(number, str(exc)))
    if bad:
        raise ImportRejected(path, bad)
    summary = ImportSummary()
    for line in lines:
        for outcome in _apply(line):
            setattr(summary, outcome, getattr(summary, outcome) + 1)
    summary.extra["élève(s)"] = len({line.pupil.id for line in lines})
    return summary


def _pupil_finder(site: Site) -> Callable[[str, str], Pupil]:
    """Find a pupil by UAI and INE; an establishment's INE index is built on first use."""
    by_uai: dict[str, dict[str, Pupil]] = {}

    def find(uai: str, ine: str) -> Pupil:
        if uai not in by_uai:
            establishment = site.establishments.get(uai)
            if establishment is None:
                raise LineError(f"établissement inconnu : « {uai} »")
            pupils = (site.pupils.get(pupil_id) for pupil_id in establishment.pupil_ids)
            by_uai[uai] = {p.ine.upper(): p for p in pupils if p is not None and p.ine}
        pupil = by_uai[uai].get(ine.upper())
        if pupil is None:
            raise LineError(f"aucun élève d'INE « {ine} » dans l'établissement {uai}")
        return pupil

    return find


def _parse(row: dict[str, str], find_pupil: Callable[[str, str], Pupil]) -> Line:
    kind = row["type"].lower()
    if kind not in (ITEM, VALIDATION, PROFESSEUR):
        raise LineError(
            f"type « {row['type']} » inconnu (item, validation ou professeur_principal)"
        )
    if not row["uai"] or not row["eleve_ine"]:
        raise LineError("l'UAI et l'INE de l'élève sont obligatoires")
    label = row["libelle"]
    if kind == PROFESSEUR:
        if not label:
            raise LineError("le nom du professeur principal (libelle) est vide")
        if row["palier"] or row["code"] or row["date"]:
            raise LineError("palier, code et date doivent être vides pour un professeur principal")
        return Line(find_pupil(row["uai"], row["eleve_ine"]), kind, 0, (), label, None)
    palier = _palier(row["palier"])
    day = _date(row["date"])
    if kind == ITEM:
        code = _item_code(row["code"], palier)
        if not label:
            raise LineError("la discipline (libelle) est obligatoire pour un item")
        keys = (code,)
    else:
        keys, names_language = _validation_keys(row["code"], palier)
        if label and not names_language:
            raise LineError(
                "libelle doit être vide : seule la compétence 2 s'accompagne d'une langue"
            )
    return Line(find_pupil(row["uai"], row["eleve_ine"]), kind, palier, keys, label, day)


def _palier(text: str) -> int:
    if text not in ("1", "2", "3"):
        raise LineError(f"palier « {text} » invalide (1, 2 ou 3)")
    return int(text)


def _date(text: str) -> date:
    try:
        day = parse_french_date(text)
    except ValueError as exc:
        raise LineError(str(exc)) from None
    if not EPOCH <= day <= LAST_DAY:
        raise LineError(f"date « {text} » hors des années du livret ({EPOCH:%Y} et après)")
    return day


def _item_code(code: str, palier: int) -> str:
    try:
        item(code)
    except KeyError:
        raise LineError(f"item inconnu : « {code} »") from None
    if not code.startswith(f"{palier}."):
        raise LineError(f"l'item {code} n'est pas un item du palier {palier}")
    return code


def _validation_keys(code: str, palier: int) -> tuple[tuple[str, ...], bool]:
    """The record keys a validation code stands for, and whether it names a language."""
    for comp in load_referential()[palier].competences:
        keys = validation_keys(comp)
        names_language = any(LANGUE_PLACEHOLDER in v.text for v in comp.validations)
        if code == str(comp.number):
            return keys, names_language
        if len(keys) > 1 and code in keys:
            return (code,), names_language
    raise LineError(f"la compétence « {code} » n'existe pas au palier {palier}")


def _apply(line: Line) -> list[str]:
    """Write one line; the outcomes (created, updated, unchanged) of what it holds."""
    record = record_for_update(line.pupil)
    if line.kind == PROFESSEUR:
        previous = record.professeur_principal
        if not record.set_professeur_principal(line.label):
            return ["unchanged"]
        return ["updated" if previous else "created"]
    palier = record.palier_for_update(line.palier)
    if line.kind == ITEM:
        (code,) = line.keys
        added = palier.add_renseignement(code, line.label, line.day)
        return ["created" if added else "unchanged"]
    outcomes = [palier.validate(key, line.day) for key in line.keys]
    if line.label and palier.set_langue(line.label) and outcomes == ["unchanged"]:
        outcomes = ["updated"]
    return outcomes


IMPORT_FORMAT = ImportFormat(name=SERVICE_ID, help=HELP, run=run)
