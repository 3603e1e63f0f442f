"""What the dossier scolaire stores.

Per pupil (``pupil.services["dossier"]``, a :class:`Dossier`): the schooling,
one :class:`SchoolYear` per school year, and the published documents, each a
:class:`Document` whose PDF is a ZODB blob: a file of the storage's blob
directory (FileStorage, ZEO) or of PostgreSQL (RelStorage), never part of a
record, so that neither a page listing the documents nor the object caches
ever hold their bytes (docs/deployment.md, "Files: ZODB blobs").

Site-wide (``site.services["dossier"]``, a :class:`DossierSite`): the
certificates de scolarité by the SHA-256 of their verification code (the code
itself is printed on the certificate and kept nowhere).  The staff's zip
uploads wait for their confirmation with the office's other uploads (the
host's ``ImportPage``).

Version 1.0 kept each PDF in its record (``Document.data``): evolve step 1
(:func:`move_documents_to_blobs`) moves them into blobs.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import NamedTuple

from BTrees.IOBTree import IOBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB.blob import Blob

from ts_host.api import Pupil, Site, service_data, site_data

from .i18n import _

SERVICE_ID = "dossier"
#: The largest PDF a document may be (a bulletin is 100 to 500 KB).
MAX_DOCUMENT = 5 * 1024 * 1024

PASSAGE, REDOUBLEMENT, ORIENTATION = "passage", "redoublement", "orientation"
DECISIONS = {
    PASSAGE: _("Passage"),
    REDOUBLEMENT: _("Redoublement"),
    ORIENTATION: _("Orientation"),
}
DECISION_LABELS = {PASSAGE: "passage", REDOUBLEMENT: "redoublement", ORIENTATION: "orientation"}


class SchoolYear(NamedTuple):
    """One school year of a pupil, as imported: ``year`` is « 2025-2026 »."""

    year: str
    uai: str
    establishment: str
    division: str
    level: str
    decision: str = ""
    detail: str = ""

    gdpr_contract = {"labels": {"decision": DECISION_LABELS}}

    def export(self) -> dict:
        return {
            "annee": self.year,
            "uai": self.uai,
            "etablissement": self.establishment,
            "classe": self.division,
            "niveau": self.level,
            "decision": self.decision,
            "detail": self.detail,
        }


class Document(Persistent):
    """A PDF the establishment published for one pupil, in a blob."""

    gdpr_contract = {"encoded": {"blob": lambda document: document.encoded()}}

    def __init__(self, number: int, period: str, filename: str, data: bytes, on: date) -> None:
        self.number = number
        self.period = period
        self.filename = filename
        self.blob = Blob()
        self.replace(data, on)

    def replace(self, data: bytes, on: date) -> None:
        """Publish ``data`` as the document (a new revision of its blob)."""
        with self.blob.open("w") as stream:
            stream.write(data)
        #: Kept in the record: listing the documents opens no blob.
        self.size = len(data)
        self.published_on = on

    def open(self):
        """The PDF, as a binary file to read (and close)."""
        return self.blob.open("r")

    def read(self) -> bytes:
        with self.open() as stream:
            return stream.read()

    def encoded(self) -> str:
        return base64.b64encode(self.read()).decode("ascii")

    def export(self) -> dict:
        return {
            "numero": self.number,
            "periode": self.period,
            "fichier": self.filename,
            "publie_le": self.published_on.isoformat(),
            "taille_octets": self.size,
            "contenu_pdf_base64": self.encoded(),
        }


class Dossier(Persistent):
    """A pupil's schooling (by year) and documents (by number, from 1)."""

    def __init__(self) -> None:
        self.years = OOBTree()
        self.documents = IOBTree()

    def set_year(self, year: SchoolYear) -> str:
        known = self.years.get(year.year)
        if known == year:
            return "unchanged"
        self.years[year.year] = year
        return "created" if known is None else "updated"

    def publish(self, period: str, filename: str, data: bytes, on: date) -> str:
        """Add a document; one of the same period and file name is replaced."""
        for document in self.documents.values():
            if document.period == period and document.filename == filename:
                document.replace(data, on)
                return "updated"
        number = (self.documents.maxKey() + 1) if self.documents else 1
        self.documents[number] = Document(number, period, filename, data, on)
        return "created"

    def export(self) -> dict:
        return {
            "scolarite": [year.export() for year in self.years.values()],
            "documents": [document.export() for document in self.documents.values()],
        }


class Certificate(Persistent):
    """What a certificat de scolarité says, as the verification page shows it."""

    def __init__(
        self,
        pupil: Pupil,
        establishment: str,
        school_year: str,
        head: str,
        issued_on: date,
    ) -> None:
        #: The SHA-256 of its verification code: its key in ``DossierSite.certificates``.
        self.digest = ""
        self.pupil_id = pupil.id
        self.uai = pupil.uai
        self.establishment = establishment
        self.first_name = pupil.first_name
        self.last_name = pupil.last_name
        self.birth_date = pupil.birth_date
        self.division = pupil.division
        self.school_year = school_year
        self.head = head
        self.issued_on = issued_on
        self.withdrawn_on: date | None = None

    @property
    def id(self) -> str:
        """How the office names it (its code's digest, shortened)."""
        return self.digest[:16]

    def withdrawn(self, site: Site) -> date | None:
        """The day it stopped being valid: withdrawn by staff, or the pupil left."""
        if self.withdrawn_on is not None:
            return self.withdrawn_on
        pupil = site.pupils.get(self.pupil_id)
        if pupil is None or pupil.uai != self.uai:
            return self.issued_on
        return pupil.left_on

    def export(self) -> dict:
        return {
            "etablissement": self.establishment,
            "uai": self.uai,
            "prenom": self.first_name,
            "nom": self.last_name,
            "date_de_naissance": self.birth_date.isoformat(),
            "classe": self.division,
            "annee_scolaire": self.school_year,
            "chef_etablissement": self.head,
            "delivre_le": self.issued_on.isoformat(),
            "retire_le": self.withdrawn_on.isoformat() if self.withdrawn_on else None,
            "empreinte_du_code_sha256": self.digest,
        }


class DossierSite(Persistent):
    """Certificates by code digest; erased pupils' digests."""

    gdpr_contract = {"establishment": ("erased",)}

    def __init__(self) -> None:
        self.certificates = OOBTree()
        #: Digests of the certificates of erased pupils: still answered as withdrawn.
        self.erased = OOBTree()

    def add(self, code: str, certificate: Certificate) -> None:
        digest = code_digest(code)
        certificate.digest = digest
        self.certificates[digest] = certificate

    def of_pupil(self, pupil_id: str) -> list[Certificate]:
        return [c for c in self.certificates.values() if c.pupil_id == pupil_id]

    def of_establishment(self, uai: str) -> list[Certificate]:
        found = [c for c in self.certificates.values() if c.uai == uai]
        return sorted(found, key=lambda c: (c.issued_on, c.last_name), reverse=True)

    def erase_pupil(self, pupil_id: str, on: date) -> None:
        for digest, certificate in list(self.certificates.items()):
            if certificate.pupil_id == pupil_id:
                del self.certificates[digest]
                self.erased[digest] = on


def code_digest(code: str) -> str:
    """The key of a code: whatever was typed, well-formed or not, costs the same."""
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def dossier_of(pupil: Pupil) -> Dossier:
    return service_data(pupil, SERVICE_ID, Dossier)


def dossier_site(site: Site) -> DossierSite:
    return site_data(site, SERVICE_ID, DossierSite)


def export_pupil(site: Site, pupil: Pupil) -> dict | None:
    """Everything held about ``pupil``: the dossier and the certificates issued."""
    dossier = pupil.services.get(SERVICE_ID)
    store = site.services.get(SERVICE_ID)
    certificates = store.of_pupil(pupil.id) if store is not None else []
    if dossier is None and not certificates:
        return None
    exported = dossier.export() if dossier is not None else {}
    exported["certificats"] = [certificate.export() for certificate in certificates]
    return exported


def erase_pupil(site: Site, pupil: Pupil) -> None:
    """Forget the dossier and what the certificates said; their codes stay withdrawn."""
    pupil.services.pop(SERVICE_ID)
    store = site.services.get(SERVICE_ID)
    if store is not None:
        store.erase_pupil(pupil.id, date.today())
