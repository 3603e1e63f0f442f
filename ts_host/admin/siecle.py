"""Reading SIECLE's XML exports: pupils (``BEE_ELEVES``) and responsables
(``BEE_RESPONSABLES``), as ``.xml`` files or as the ``.zip`` the school
downloads.

The files are parsed with ``defusedxml.sax``: the standard library's expat
behind defusedxml's guards, rather than ElementTree or lxml, because

- a document type declaration is refused outright (``forbid_dtd``, on top of
  defusedxml's ban on entity declarations and external references), so no
  entity is ever declared, expanded or fetched: a billion-laughs bomb or an
  external entity stops at its ``<!DOCTYPE`` line, and SIECLE's exports have
  none;
- the SAX ``Locator`` gives the line of every element, which ElementTree's
  parsers do not keep and which the secretary needs to find a mistake
  (lxml keeps it, but is one more compiled dependency for nothing else);
- only the records an import reads are kept in memory, never the document.

The exports are encoded ISO-8859-15; expat decodes every single-byte
encoding Python knows, and characters outside latin-9 arrive as numeric
character references.  Nothing here writes: a file with a mistake raises
:class:`~ts_host.api.ImportRejected` naming the file, the line and the
element, before the importer touches the database.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import BinaryIO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException

from ..contract import BadLine, ImportRejected
from ..formatting import parse_french_date

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
#: A zip member bigger than this once inflated is refused (a zip bomb, not an export).
MAX_XML_BYTES = 256 * 1024 * 1024
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


class Element:
    """One XML element of a kept record, with the line where it starts."""

    __slots__ = ("attrib", "children", "first", "line", "parts", "tag", "text")

    def __init__(self, tag: str, attrib: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrib = attrib
        self.line = line
        self.children: list[Element] = []
        self.first: dict[str, Element] = {}  #: the first child of each tag
        self.parts: list[str] = []
        self.text = ""  #: set when the element ends

    def close(self) -> None:
        self.text = "".join(self.parts).strip()
        self.parts = []

    def append(self, child: Element) -> None:
        self.children.append(child)
        self.first.setdefault(child.tag, child)

    def find(self, tag: str) -> Element | None:
        return self.first.get(tag)

    def findall(self, tag: str) -> list[Element]:
        return [child for child in self.children if child.tag == tag]

    def get(self, *tags: str) -> str:
        """The text of the first of ``tags`` present and not empty, else ``""``."""
        for tag in tags:
            child = self.find(tag)
            if child is not None and child.text:
                return child.text
        return ""

    def label(self) -> str:
        """``<ELEVE ELEVE_ID="4200101">``: how messages name the element."""
        attributes = "".join(f' {name}="{value}"' for name, value in self.attrib.items())
        return f"<{self.tag}{attributes}>"


class _NotAnExport(Exception):
    """The root element is not one of the SIECLE exports read here."""


class _Collector(ContentHandler):
    """Keeps the records of :data:`RECORDS`, each element with its line."""

    def __init__(self) -> None:
        super().__init__()
        self.root = ""
        self.path: list[str] = []
        self.building: list[Element] = []
        self.records: dict[str, list[Element]] = {}

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    def startElement(self, name, attrs) -> None:
        if self.building:
            attributes = dict(attrs.items()) if len(attrs) else {}
            element = Element(name, attributes, self.locator.getLineNumber())
            self.building[-1].append(element)
            self.building.append(element)
            return
        if not self.path:
            if name not in RECORDS:
                raise _NotAnExport(name)
            self.root = name
        self.path.append(name)
        if tuple(self.path) in RECORDS[self.root]:
            element = Element(name, dict(attrs.items()), self.locator.getLineNumber())
            self.records.setdefault(name, []).append(element)
            self.building.append(element)

    def where(self) -> str:
        """The element open at a syntax error, for the message."""
        if self.building:
            inner, record = self.building[-1], self.building[0]
            inside = f" de {record.label()}" if inner is not record else ""
            return f" dans <{inner.tag}>{inside}"
        return f" dans <{self.path[-1]}>" if self.path else ""

    def endElement(self, name) -> None:
        if self.building:
            self.building.pop().close()
            if self.building:
                return
        self.path.pop()

    def characters(self, content) -> None:
        if self.building:
            self.building[-1].parts.append(content)


@dataclass(frozen=True)
class Document:
    """The records of one parsed export."""

    source: str
    root: str
    records: dict[str, list[Element]]

    def all(self, tag: str) -> list[Element]:
        return self.records.get(tag, [])


def parse(source: str, stream: BinaryIO) -> Document:
    """Parse one export safely; ``source`` names it in messages."""
    parser = defusedxml.sax.make_parser()
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    collector = _Collector()
    parser.setContentHandler(collector)
    try:
        parser.parse(stream)
    except SAXParseException as exc:
        where = collector.where()
        raise _rejected(
            source,
            exc.getLineNumber(),
            f"XML mal formé{where} ({exc.getMessage()}, colonne {exc.getColumnNumber() + 1}) : "
            f"le fichier est abîmé ou incomplet, téléchargez-le de nouveau depuis SIECLE",
        ) from None
    except DefusedXmlException:
        # forbid_dtd stops at the <!DOCTYPE>, before any entity is declared.
        raise _rejected(
            source,
            parser.getLineNumber(),
            "déclaration <!DOCTYPE> refusée : un export SIECLE n'en contient pas, "
            "ce fichier n'est pas sûr et n'a pas été lu",
        ) from None
    except LookupError:
        raise _rejected(
            source,
            1,
            "codage de caractères inconnu dans la déclaration XML : le fichier n'est pas "
            "un export SIECLE, téléchargez-le de nouveau",
        ) from None
    except _NotAnExport as exc:
        raise _rejected(
            source,
            parser.getLineNumber(),
            f"<{exc.args[0]}> : ce n'est pas un export SIECLE élèves ({PUPILS}) ni "
            f"responsables ({RESPONSABLES})",
        ) from None
    return Document(source, collector.root, collector.records)


def _rejected(source: str, line: int, message: str) -> ImportRejected:
    return ImportRejected(source, [BadLine(line, message)])


class _Bounded:
    """A zip member read with a ceiling: an archive may lie about its sizes."""

    def __init__(self, stream: BinaryIO, source: str) -> None:
        self.stream = stream
        self.source = source
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_so_far += len(data)
        if self.read_so_far > MAX_XML_BYTES:
            raise _rejected(self.source, 1, "fichier trop volumineux une fois décompressé")
        return data

    def close(self) -> None:
        self.stream.close()


def _documents(path: Path) -> Iterator[tuple[str, BinaryIO]]:
    """The XML documents of ``path``: the file itself, or each member of a zip."""
    if path.suffix.lower() != ".zip":
        with path.open("rb") as stream:
            yield str(path), stream
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _rejected(str(path), 1, "archive zip illisible") from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".xml")
            and not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
        ]
        if not members:
            raise _rejected(str(path), 1, "l'archive ne contient aucun fichier XML")
        for info in members:
            source = f"{path} ({info.filename})"
            if info.file_size > MAX_XML_BYTES:
                raise _rejected(source, 1, "fichier trop volumineux une fois décompressé")
            with archive.open(info) as member:
                yield source, _Bounded(member, source)


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


@dataclass
class _Problems:
    """The mistakes of one file, each at its element's line."""

    source: str
    lines: list[BadLine] = field(default_factory=list)

    def add(self, element: Element, message: str, line: int | None = None) -> None:
        """A mistake in ``element`` (at ``line``, one of its children's, if given)."""
        self.lines.append(BadLine(line or element.line, f"{element.label()} : {message}"))

    def required(self, element: Element, *tags: str) -> str:
        value = element.get(*tags)
        if not value:
            self.add(element, f"{tags[0]} manquant")
        return value

    def attribute(self, element: Element, name: str) -> str:
        value = element.attrib.get(name, "").strip()
        if not value:
            self.add(element, f"attribut {name} manquant")
        return value

    def day(self, element: Element, tag: str, *, required: bool) -> date | None:
        text = element.get(tag)
        if not text:
            if required:
                self.add(element, f"{tag} manquant")
            return None
        try:
            return parse_french_date(text)
        except ValueError as exc:
            self.add(element, f"{tag} : {exc}", element.find(tag).line)
            return None

    def check(self) -> None:
        if self.lines:
            raise ImportRejected(self.source, sorted(self.lines, key=lambda b: b.line))


def read_exports(paths: Sequence[Path]) -> Exports:
    """Parse and check every file (``.xml`` or ``.zip``); write nothing."""
    exports = Exports()
    for path in paths:
        for source, stream in _documents(Path(path)):
            document = parse(source, stream)
            if document.root == PUPILS:
                if exports.pupils is not None:
                    raise _rejected(source, 1, _twice("élèves", exports.pupils.source))
                exports.pupils = _pupils(document)
            else:
                if exports.responsables is not None:
                    raise _rejected(source, 1, _twice("responsables", exports.responsables.source))
                exports.responsables = _responsables(document)
    return exports


def _twice(kind: str, first: str) -> str:
    return f"un deuxième export {kind} (le premier est {first}) : donnez-en un seul"


def _parameters(document: Document, problems: _Problems) -> Parameters:
    found = document.all("PARAMETRES")
    if not found:
        raise _rejected(document.source, 1, "section PARAMETRES manquante")
    element = found[0]
    uaj, year = element.find("UAJ"), element.find("ANNEE_SCOLAIRE")
    return Parameters(
        uaj=problems.required(element, "UAJ").upper(),
        year=element.get("ANNEE_SCOLAIRE"),
        uaj_line=uaj.line if uaj is not None else element.line,
        year_line=year.line if year is not None else element.line,
    )


def _pupils(document: Document) -> PupilsExport:
    problems = _Problems(document.source)
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
    problems = _Problems(document.source)
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
