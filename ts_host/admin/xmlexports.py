"""Reading the XML exports of the ministry's applications (SIECLE, STS-web)
safely, as ``.xml`` files or as the ``.zip`` a school downloads.

The files are parsed with ``defusedxml.sax``: the standard library's expat
behind defusedxml's guards, rather than ElementTree or lxml, because

- a document type declaration is refused outright (``forbid_dtd``, on top of
  defusedxml's ban on entity declarations and external references), so no
  entity is ever declared, expanded or fetched: a billion-laughs bomb or an
  external entity stops at its ``<!DOCTYPE`` line, and the ministry's
  exports have none;
- the SAX ``Locator`` gives the line of every element, which ElementTree's
  parsers do not keep and which the secretary needs to find a mistake
  (lxml keeps it, but is one more compiled dependency for nothing else);
- only the records an import reads are kept in memory, never the document.

The exports are encoded ISO-8859-15 (or as their declaration says); expat
decodes every single-byte encoding Python knows, and characters outside
latin-9 arrive as numeric character references.  Nothing here writes: a
file with a mistake raises :class:`~ts_host.api.ImportRejected` naming the
file, the line and the element, before an importer touches the database.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import BinaryIO
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException

from ..contract import BadLine, ImportRejected
from ..formatting import parse_french_date

#: A zip member bigger than this once inflated is refused (a zip bomb, not an export).
MAX_XML_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ExportFormat:
    """What one application exports, for the reader and its messages.

    ``records`` maps each root element the application exports to the
    element paths kept (everything else in the file is skipped);
    ``expected`` names those exports in a refusal, after « ce n'est pas ».
    """

    application: str
    records: dict[str, set[tuple[str, ...]]]
    expected: str


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
    """The root element is not one of the exports read here."""


class _Collector(ContentHandler):
    """Keeps the records of an :class:`ExportFormat`, each element with its line."""

    def __init__(self, records: dict[str, set[tuple[str, ...]]]) -> None:
        super().__init__()
        self.kept = records
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
            if name not in self.kept:
                raise _NotAnExport(name)
            self.root = name
        self.path.append(name)
        if tuple(self.path) in self.kept[self.root]:
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


def parse(source: str, stream: BinaryIO, export: ExportFormat) -> Document:
    """Parse one export of ``export``'s application safely; ``source`` names it."""
    parser = defusedxml.sax.make_parser()
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    collector = _Collector(export.records)
    parser.setContentHandler(collector)
    try:
        parser.parse(stream)
    except SAXParseException as exc:
        where = collector.where()
        raise rejected(
            source,
            exc.getLineNumber(),
            f"XML mal formé{where} ({exc.getMessage()}, colonne {exc.getColumnNumber() + 1}) : "
            f"le fichier est abîmé ou incomplet, téléchargez-le de nouveau depuis "
            f"{export.application}",
        ) from None
    except DefusedXmlException:
        # forbid_dtd stops at the <!DOCTYPE>, before any entity is declared.
        raise rejected(
            source,
            parser.getLineNumber(),
            f"déclaration <!DOCTYPE> refusée : un export {export.application} n'en contient "
            "pas, ce fichier n'est pas sûr et n'a pas été lu",
        ) from None
    except LookupError:
        raise rejected(
            source,
            1,
            "codage de caractères inconnu dans la déclaration XML : le fichier n'est pas "
            f"un export {export.application}, téléchargez-le de nouveau",
        ) from None
    except _NotAnExport as exc:
        raise rejected(
            source,
            parser.getLineNumber(),
            f"<{exc.args[0]}> : ce n'est pas {export.expected}",
        ) from None
    return Document(source, collector.root, collector.records)


def rejected(source: str, line: int, message: str) -> ImportRejected:
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
            raise rejected(self.source, 1, "fichier trop volumineux une fois décompressé")
        return data

    def close(self) -> None:
        self.stream.close()


#: ``report(document, bytes read, its size)``: how far the reading of an export is.
ReadProgress = Callable[[str, int, int], None]


class _Reported:
    """A document's stream telling ``report`` how much of it was read."""

    def __init__(self, stream: BinaryIO, name: str, size: int, report: ReadProgress) -> None:
        self.stream, self.label, self.size, self.report = stream, name, size, report
        self.read_so_far = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_so_far += len(data)
        self.report(self.label, self.read_so_far, self.size)
        return data

    def close(self) -> None:
        self.stream.close()


def documents(path: Path, report: ReadProgress | None = None) -> Iterator[tuple[str, BinaryIO]]:
    """The XML documents of ``path``: the file itself, or each member of a zip
    (each read telling ``report`` how far it is, when given)."""
    if path.suffix.lower() != ".zip":
        with path.open("rb") as stream:
            if report is None:
                yield str(path), stream
            else:
                yield str(path), _Reported(stream, path.name, path.stat().st_size, report)
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise rejected(str(path), 1, "archive zip illisible") from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith(".xml")
            and not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
        ]
        if not members:
            raise rejected(str(path), 1, "l'archive ne contient aucun fichier XML")
        for info in members:
            source = f"{path} ({info.filename})"
            if info.file_size > MAX_XML_BYTES:
                raise rejected(source, 1, "fichier trop volumineux une fois décompressé")
            with archive.open(info) as member:
                stream = _Bounded(member, source)
                if report is None:
                    yield source, stream
                else:
                    name = Path(info.filename).name
                    yield source, _Reported(stream, name, info.file_size, report)


@dataclass
class Problems:
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
