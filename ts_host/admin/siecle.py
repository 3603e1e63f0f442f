"""Reading SIECLE's XML exports: pupils (``BEE_ELEVES``) and responsables
(``BEE_RESPONSABLES``), as ``.xml`` files or as the ``.zip`` the school
downloads.

They are read by :mod:`ts_host.admin.xmlexports` (safe XML, every element
with its line); nothing here writes: a file with a mistake raises
:class:`~ts_host.api.ImportRejected` naming the file, the line and the
element, before the importer touches the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .xmlexports import (
    Document,
    ExportFormat,
    Problems,
    ReadProgress,
    documents,
    parse,
    rejected,
)

PUPILS, RESPONSABLES = "BEE_ELEVES", "BEE_RESPONSABLES"
#: The elements kept, by root: everything else in an export is skipped.
RECORDS = {
    PUPILS: {
        (PUPILS, "PARAMETRES"),
        (PUPILS, "DONNEES", "ELEVES", "ELEVE"),
        (PUPILS, "DONNEES", "STRUCTURES", "STRUCTURES_ELEVE"),
    },
    RESPONSABLES: {
        (RESPONSABLES, "PARAMETRES"),
        (RESPONSABLES, "DONNEES", "PERSONNES", "PERSONNE"),
        (RESPONSABLES, "DONNEES", "RESPONSABLES", "RESPONSABLE_ELEVE"),
        (RESPONSABLES, "DONNEES", "ADRESSES", "ADRESSE"),
    },
}
SIECLE = ExportFormat(
    "SIECLE",
    RECORDS,
    f"un export SIECLE élèves ({PUPILS}) ni responsables ({RESPONSABLES})",
)
#: The class is the structure of type D ("division"); G structures are groups.
DIVISION = "D"
SEXES = {"1": "M", "2": "F"}
CIVILITIES = {"M": "M.", "M.": "M.", "MME": "Mme", "MLLE": "Mlle"}
#: SIECLE's CODE_PARENTE, for the ones this import names.
RELATIONSHIPS = {"10": "PERE", "20": "MERE", "50": "AUTRE MEMBRE DE LA FAMILLE"}
#: The first three digits of a CODE_MEF (the "dispositif de formation") give the level.
LEVELS = {
    "100": "6e",
    "101": "5e",
    "102": "4e",
    "103": "3e",
    "200": "2nde",
    "201": "1re",
    "202": "Terminale",
}
LEGAL_VALUES = {"0": 0, "1": 1, "2": 2}


# Typed records ---------------------------------------------------------------


@dataclass(frozen=True)
class Parameters:
    """``PARAMETRES``: the establishment and the school year of the export."""

    uaj: str
    year: str
    uaj_line: int
    year_line: int


@dataclass(frozen=True)
class SieclePupil:
    line: int
    eleve_id: str
    ine: str
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    leave_date: date | None
    level: str
    division: str = ""  #: "" when the pupil has no structure of type D


@dataclass(frozen=True)
class SiecleResponsable:
    line: int
    personne_id: str
    civility: str
    first_name: str
    last_name: str
    email: str
    phones: dict[str, str]
    address: dict[str, str]
    sms_consent: bool


@dataclass(frozen=True)
class Tie:
    """``RESPONSABLE_ELEVE``: one responsable of one pupil."""

    line: int
    eleve_id: str
    personne_id: str
    legal: int
    relationship: str


@dataclass
class PupilsExport:
    source: str
    parameters: Parameters
    pupils: dict[str, SieclePupil]


@dataclass
class ResponsablesExport:
    source: str
    parameters: Parameters
    responsables: dict[str, SiecleResponsable]
    ties: list[Tie]


@dataclass
class Exports:
    """What the files of one import hold: at most one export of each kind."""

    pupils: PupilsExport | None = None
    responsables: ResponsablesExport | None = None

    @property
    def sources(self) -> list[str]:
        return [export.source for export in (self.pupils, self.responsables) if export]

    @property
    def records(self) -> int:
        """How many records the import writes (its progress counts them)."""
        pupils = len(self.pupils.pupils) if self.pupils else 0
        return pupils + (len(self.responsables.responsables) if self.responsables else 0)


def read_exports(paths: Sequence[Path], report: ReadProgress | None = None) -> Exports:
    """Parse and check every file (``.xml`` or ``.zip``); write nothing."""
    exports = Exports()
    for path in paths:
        for source, stream in documents(Path(path), report):
            document = parse(source, stream, SIECLE)
            if document.root == PUPILS:
                if exports.pupils is not None:
                    raise rejected(source, 1, _twice("élèves", exports.pupils.source))
                exports.pupils = _pupils(document)
            else:
                if exports.responsables is not None:
                    raise rejected(source, 1, _twice("responsables", exports.responsables.source))
                exports.responsables = _responsables(document)
    return exports


def _twice(kind: str, first: str) -> str:
    return f"un deuxième export {kind} (le premier est {first}) : donnez-en un seul"


def _parameters(document: Document, problems: Problems) -> Parameters:
    found = document.all("PARAMETRES")
    if not found:
        raise rejected(document.source, 1, "section PARAMETRES manquante")
    element = found[0]
    uaj, year = element.find("UAJ"), element.find("ANNEE_SCOLAIRE")
    return Parameters(
        uaj=problems.required(element, "UAJ").upper(),
        year=element.get("ANNEE_SCOLAIRE"),
        uaj_line=uaj.line if uaj is not None else element.line,
        year_line=year.line if year is not None else element.line,
    )


def _pupils(document: Document) -> PupilsExport:
    problems = Problems(document.source)
    parameters = _parameters(document, problems)
    pupils: dict[str, SieclePupil] = {}
    for element in document.all("ELEVE"):
        eleve_id = problems.attribute(element, "ELEVE_ID")
        if eleve_id in pupils:
            problems.add(element, f"ELEVE_ID en double (déjà ligne {pupils[eleve_id].line})")
            continue
        birth_name = problems.required(element, "NOM_DE_FAMILLE", "NOM")
        first_name = problems.required(element, "PRENOM")
        birth_date = problems.day(element, "DATE_NAISS", required=True)
        leave_date = problems.day(element, "DATE_SORTIE", required=False)
        if not (eleve_id and birth_name and first_name and birth_date):
            continue
        pupils[eleve_id] = SieclePupil(
            line=element.line,
            eleve_id=eleve_id,
            ine=element.get("ID_NATIONAL"),
            first_name=first_name,
            last_name=element.get("NOM_USAGE") or birth_name,
            birth_date=birth_date,
            sex=SEXES.get(element.get("CODE_SEXE"), ""),
            leave_date=leave_date,
            level=LEVELS.get(element.get("CODE_MEF")[:3], ""),
        )
    for element in document.all("STRUCTURES_ELEVE"):
        eleve_id = problems.attribute(element, "ELEVE_ID")
        if eleve_id and eleve_id not in pupils:
            problems.add(element, f"ELEVE_ID {eleve_id} absent de la liste des élèves")
            continue
        divisions = [
            structure.get("CODE_STRUCTURE")
            for structure in element.findall("STRUCTURE")
            if structure.get("TYPE_STRUCTURE") == DIVISION
        ]
        if eleve_id and divisions and divisions[0]:
            pupils[eleve_id] = replace(pupils[eleve_id], division=divisions[0])
    problems.check()
    return PupilsExport(document.source, parameters, pupils)


def _responsables(document: Document) -> ResponsablesExport:
    problems = Problems(document.source)
    parameters = _parameters(document, problems)
    addresses = {}
    for element in document.all("ADRESSE"):
        address_id = problems.attribute(element, "ADRESSE_ID")
        lines = [element.get(f"LIGNE{n}_ADRESSE") for n in (1, 2, 3, 4)]
        address = {f"line{n}": text for n, text in enumerate(lines, start=1) if text}
        address["postcode"] = element.get("CODE_POSTAL")
        address["city"] = element.get("LIBELLE_POSTAL", "LL_COMMUNE_INSEE", "COMMUNE_ETRANGERE")
        address["country"] = element.get("LL_PAYS")
        addresses[address_id] = {key: value for key, value in address.items() if value}
    responsables: dict[str, SiecleResponsable] = {}
    for element in document.all("PERSONNE"):
        personne_id = problems.attribute(element, "PERSONNE_ID")
        if personne_id in responsables:
            problems.add(element, "PERSONNE_ID en double")
            continue
        birth_name = problems.required(element, "NOM_DE_FAMILLE", "NOM")
        first_name = problems.required(element, "PRENOM")
        address_id = element.get("ADRESSE_ID")
        if address_id and address_id not in addresses:
            problems.add(element, f"ADRESSE_ID {address_id} absent de la liste des adresses")
            continue
        if not (personne_id and birth_name and first_name):
            continue
        civility = element.get("LC_CIVILITE")
        phones = {
            "personal": element.get("TEL_PERSONNEL"),
            "mobile": element.get("TEL_PORTABLE"),
            "work": element.get("TEL_PROFESSIONNEL"),
        }
        responsables[personne_id] = SiecleResponsable(
            line=element.line,
            personne_id=personne_id,
            civility=CIVILITIES.get(civility.upper(), civility),
            first_name=first_name,
            last_name=element.get("NOM_USAGE") or birth_name,
            email=element.get("MEL"),
            phones={kind: number for kind, number in phones.items() if number},
            address=addresses.get(address_id, {}),
            sms_consent=element.get("ACCEPTE_SMS") == "1",
        )
    ties: list[Tie] = []
    seen: dict[tuple[str, str], int] = {}
    for element in document.all("RESPONSABLE_ELEVE"):
        eleve_id = problems.required(element, "ELEVE_ID")
        personne_id = problems.required(element, "PERSONNE_ID")
        legal = element.get("RESP_LEGAL")
        if legal not in LEGAL_VALUES:
            problems.add(element, f"RESP_LEGAL vaut 0, 1 ou 2 (trouvé « {legal} »)")
            continue
        if personne_id and personne_id not in responsables:
            problems.add(element, f"PERSONNE_ID {personne_id} absent de la liste des personnes")
            continue
        if (eleve_id, personne_id) in seen:
            problems.add(element, f"lien en double (déjà ligne {seen[eleve_id, personne_id]})")
            continue
        if eleve_id and personne_id:
            seen[eleve_id, personne_id] = element.line
            code = element.get("CODE_PARENTE")
            ties.append(
                Tie(
                    element.line,
                    eleve_id,
                    personne_id,
                    LEGAL_VALUES[legal],
                    RELATIONSHIPS.get(code, code),
                )
            )
    problems.check()
    return ResponsablesExport(document.source, parameters, responsables, ties)
