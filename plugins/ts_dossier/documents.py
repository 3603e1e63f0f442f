"""A zip of PDFs named by INE and period, checked whole before anything is published.

The same check serves ``ts-admin dossier-documents`` and the staff upload:
every file of the zip is looked at, every problem is reported, and the zip is
published whole or not at all.  Nothing is ever extracted to disk; the sizes
the zip declares are checked before any file is read, and each file is then
read with a bound, so a zip bomb (a small zip declaring small files that
inflate to gigabytes, or declaring false sizes) costs at most
:data:`~.models.MAX_DOCUMENT` bytes a file.

A file is a PDF when it starts with ``%PDF-`` and pypdf reads its page tree
in strict mode (at least one page, not encrypted): a renamed image or a
truncated file is refused by name.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from pypdf import PdfReader

from ts_host.api import EstablishmentConfig, NotFound, Pupil, PupilFinder, Site, report_event

from .i18n import _
from .models import MAX_DOCUMENT, SERVICE_ID, dossier_of

#: The largest zip accepted, and what its files may weigh together once inflated.
MAX_ZIP = 50 * 1024 * 1024
MAX_INFLATED = 200 * 1024 * 1024
MAX_FILES = 2000
#: ``<INE>_<période>.pdf``: the period a name of the establishment's periods
#: (``T1``, ``S2``) for a bulletin, or another label (``ASSR``, ``attestation-stage``).
NAME = re.compile(r"(?P<ine>[0-9A-Za-z]{11})_(?P<label>[0-9A-Za-z-]{1,40})\.pdf", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedFile:
    pupil: Pupil
    label: str
    filename: str
    data: bytes


class ZipRefused(ValueError):
    """The zip is refused: ``problems`` lists every reason, in French."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def is_pdf(data: bytes) -> bool:
    """Whether ``data`` is a readable, unencrypted PDF of at least one page."""
    if not data.startswith(b"%PDF-"):
        return False
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        return not reader.is_encrypted and len(reader.pages) > 0
    except Exception:  # pypdf raises many kinds of errors on a damaged file
        return False


def document_title(label: str, establishment: EstablishmentConfig) -> str:
    """« Bulletin du T1 » for a period of the establishment, else the label itself."""
    periods = {period.name.upper(): period.name for period in establishment.periods}
    if label.upper() in periods:
        return f"Bulletin — {periods[label.upper()]}"
    return label.replace("-", " ")


def check_zip(source, site: Site, establishment: EstablishmentConfig) -> list[CheckedFile]:
    """Every PDF of the zip ``source`` (a path or a binary file), checked; else ``ZipRefused``."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ZipRefused(["le fichier envoyé n'est pas une archive zip lisible"]) from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        problems = _declared_problems(entries)
        if problems:
            raise ZipRefused(problems)
        finder = PupilFinder(site)
        checked, seen = [], set()
        for info in entries:
            found = _check_entry(archive, info, finder, establishment, seen, problems)
            if found is not None:
                checked.append(found)
    if problems:
        raise ZipRefused(problems)
    if not checked:
        raise ZipRefused(["l'archive ne contient aucun document"])
    return checked


def _declared_problems(entries: list[zipfile.ZipInfo]) -> list[str]:
    """What the zip's directory alone shows: too many files, too large once inflated."""
    if len(entries) > MAX_FILES:
        return [f"l'archive contient {len(entries)} fichiers, {MAX_FILES} au plus"]
    problems = [
        f"{info.filename} : {info.file_size} octets une fois décompressé, {MAX_DOCUMENT} au plus"
        for info in entries
        if info.file_size > MAX_DOCUMENT
    ]
    total = sum(info.file_size for info in entries)
    if total > MAX_INFLATED:
        problems.append(f"l'archive ferait {total} octets une fois décompressée, trop")
    return problems


def _check_entry(archive, info, finder, establishment, seen, problems) -> CheckedFile | None:
    name = info.filename
    if "/" in name or "\\" in name or name.startswith("."):
        problems.append(f"{name} : les fichiers doivent être à la racine de l'archive")
        return None
    match = NAME.fullmatch(name)
    if match is None:
        problems.append(f"{name} : nom attendu INE_PERIODE.pdf, par exemple 1234567890A_T1.pdf")
        return None
    ine, label = match["ine"].upper(), match["label"]
    key = (ine, label.upper())
    if key in seen:
        problems.append(f"{name} : un autre fichier porte déjà cet INE et cette période")
        return None
    seen.add(key)
    try:
        pupil = finder.by_ine(establishment.uai, ine)
    except NotFound as missing:
        problems.append(f"{name} : {missing}")
        return None
    if info.flag_bits & 0x1:
        problems.append(f"{name} : fichier chiffré")
        return None
    try:
        with archive.open(info) as stream:
            data = stream.read(MAX_DOCUMENT + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
        problems.append(f"{name} : fichier illisible dans l'archive")
        return None
    if len(data) > MAX_DOCUMENT:
        problems.append(f"{name} : plus de {MAX_DOCUMENT} octets")
        return None
    if not is_pdf(data):
        problems.append(f"{name} : ce n'est pas un document PDF lisible")
        return None
    return CheckedFile(pupil, label, f"{ine}_{label}.pdf", data)


def publish(site: Site, checked: list[CheckedFile], on: date) -> dict[str, int]:
    """Store every checked file in its pupil's dossier; count what was created,
    updated; tell each pupil's families once that a document is published."""
    counts = {"created": 0, "updated": 0}
    told = set()
    for item in checked:
        counts[dossier_of(item.pupil).publish(item.label, item.filename, item.data, on)] += 1
        if item.pupil.id not in told:
            told.add(item.pupil.id)
            text = _("Un document est publié dans le dossier scolaire.")
            report_event(site, item.pupil, SERVICE_ID, "document", text)
    return counts
