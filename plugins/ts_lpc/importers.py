"""``ts-admin import lpc FICHIER``: renseignements, validations, professeurs principaux.

The format is documented in ``IMPORT.md`` (and in the help the host builds
from :class:`LpcImporter`'s columns).  Every line is checked before anything is written: a
file with a bad line is refused whole, with the numbers of its bad lines.
Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ts_host.api import Column, Importer, ImportSummary, Line, Pupil, parse_french_date

from .livret import validation_keys
from .models import EPOCH, LAST_DAY, SERVICE_ID, record_for_update
from .referential import LANGUE_PLACEHOLDER, item, load_referential

ITEM, VALIDATION, PROFESSEUR = "item", "validation", "professeur_principal"


class LineError(ValueError):
    """A line that cannot be imported; the message is shown to the administrator."""


@dataclass(frozen=True)
class Fact:
    """One checked line: a fact about a pupil."""

    pupil: Pupil
    kind: str
    palier: int
    keys: tuple[str, ...]  # item code, or validation keys
    label: str
    day: date | None


class LpcImporter(Importer):
    """Renseignements, validations and professeurs principaux, one fact per line."""

    name = SERVICE_ID
    columns = (
        Column("uai", "UAI de l'établissement de l'élève"),
        Column("eleve_ine", "INE de l'élève"),
        Column("palier", "1, 2 ou 3 ; vide pour un professeur principal", required=False),
        Column("type", "item, validation ou professeur_principal"),
        Column(
            "code",
            "item : code « P.C.D.I » (ex. 3.1.1.1) ; validation : numéro de la\n"
            "compétence (au palier 2, 3.1 ou 3.2 pour une seule des deux parties\n"
            "de la compétence 3) ; vide pour un professeur principal",
            required=False,
        ),
        Column(
            "libelle",
            "item : la discipline ; validation de la compétence 2 : la langue\n"
            "validée (ex. ANGLAIS LV1), sinon vide ; professeur_principal : son\n"
            "nom (ex. M. DUPONT)",
            required=False,
        ),
        Column("date", "JJ/MM/AAAA ; vide pour un professeur principal", required=False),
    )
    description = "Importer deux fois le même fichier ne change rien.  Voir IMPORT.md."

    def check(self, line: Line) -> Fact:
        uai, ine = line["uai"], line["eleve_ine"]
        return _parse(line.raw, lambda: self.pupils.by_ine(uai, ine))

    def write(self, checked: list[Fact]) -> ImportSummary:
        summary = ImportSummary()
        for line in checked:
            for outcome in _apply(line):
                summary.count(outcome)
        summary.extra["élève(s)"] = len({line.pupil.id for line in checked})
        return summary


def _parse(row: dict[str, str], find_pupil: Callable[[], Pupil]) -> Fact:
    kind = row["type"].lower()
    if kind not in (ITEM, VALIDATION, PROFESSEUR):
        raise LineError(
            f"type « {row['type']} » inconnu (item, validation ou professeur_principal)"
        )
    label = row["libelle"]
    if kind == PROFESSEUR:
        if not label:
            raise LineError("le nom du professeur principal (libelle) est vide")
        if row["palier"] or row["code"] or row["date"]:
            raise LineError("palier, code et date doivent être vides pour un professeur principal")
        return Fact(find_pupil(), kind, 0, (), label, None)
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
    return Fact(find_pupil(), kind, palier, keys, label, day)


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


def _apply(line: Fact) -> list[str]:
    """Write one fact; the outcomes (created, updated, unchanged) of what it holds."""
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


IMPORT_FORMAT = LpcImporter.import_format()
