"""The SIECLE and STS-web imports on the web: upload, preview what would change, confirm.

The same readers and importers as ``ts-admin import siecle|sts``
(``admin.siecle``, ``admin.importer``, ``admin.sts``), and one view for
both (an :class:`WebImport` says what differs): the preview runs the import
inside a savepoint and rolls it back, so what it announces is exactly what
the confirmation writes.  The files wait in the database between the two
steps (any application process may serve the confirmation) and are removed
by it, or after an hour.

A large export takes a while to read and compare: the preview reports how
far it is (:class:`ProgressReport`) where the upload page's script polls
it (``progression``); see docs/decisions.md.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import transaction
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config
from ZODB.POSException import ConflictError

from ..admin import reference_day
from ..admin.importer import import_siecle
from ..admin.siecle import read_exports
from ..admin.sts import import_sts, read_sts
from ..contract import ImportRejected
from ..forms import text_field
from ..i18n import _
from ..layout import flash
from ..models.containers import Container
from ..models.staff import ImportProgress, Upload
from ..root import appmaker
from ..storage import get_database
from .establishment import CODES

#: What one uploaded file may weigh: a large lycée's SIECLE exports are a
#: few MB zipped, up to about 80 MB as XML.
MAX_UPLOAD = 100 * 1024 * 1024
UPLOAD_TTL = timedelta(hours=1)
TRACKING = re.compile(r"[\w-]{16,64}")


@dataclass(frozen=True)
class WebImport:
    """What differs between the web's imports: the rest is one view."""

    name: str  #: ``Upload.kind``
    route: str
    fields: tuple[str, ...]  #: the upload form's file fields
    read: Callable  #: ``read(paths, report)``: the command line's reader
    records: Callable[[Any], int]  #: how many steps the write reports
    write: Callable  #: ``write(request, export, progress, audited)``: the importer
    done: Callable  #: ``done(summary)``: the flash after the confirmation


def write_siecle(request, exports, progress, audited):
    context = request.context
    return import_siecle(
        request.site,
        context.uai,
        context.config.name,
        exports,
        reference_day(request.registry.settings),
        progress,
        request=request,
        audited=audited,
    )


def write_sts(request, export, progress, audited):
    context = request.context
    return import_sts(
        request.site,
        context.uai,
        context.config.name,
        export,
        reference_day(request.registry.settings),
        progress,
        request=request,
        audited=audited,
    )


SIECLE = WebImport(
    name="siecle",
    route="office_siecle",
    fields=("eleves", "responsables"),
    read=read_exports,
    records=lambda exports: exports.records,
    write=write_siecle,
    done=lambda summary: _("Import SIECLE enregistré : ${summary}.", mapping={"summary": summary}),
)
STS = WebImport(
    name="sts",
    route="office_sts",
    fields=("structure",),
    read=read_sts,
    records=lambda export: len(export.divisions),
    write=write_sts,
    done=lambda summary: _("Import STS-web enregistré : ${summary}.", mapping={"summary": summary}),
)


def safe_name(filename: str) -> str | None:
    """A file name to show and to give the reader: ``.xml`` or ``.zip``, no path."""
    name = re.sub(r"[^\w.-]", "_", Path(filename.replace("\\", "/")).name)[:100]
    return name if name.lower().endswith((".xml", ".zip")) else None


def read_upload(kind: WebImport, upload: Upload, report=None):
    """The export of ``upload``'s files (an ``ImportRejected`` if they are refused)."""
    with tempfile.TemporaryDirectory(prefix="ts-import-") as folder:
        paths = []
        for name, content in upload.files.items():
            path = Path(folder) / name
            path.write_bytes(content)
            paths.append(path)
        return kind.read(paths, report)


def forget_old_uploads(directory) -> None:
    limit = datetime.now() - UPLOAD_TTL
    for token, upload in list(directory.uploads.items()):
        if upload.created_at < limit:
            directory.uploads.pop(token)


def current_upload(request, kind: WebImport) -> tuple[str, Upload] | tuple[None, None]:
    token = text_field(request.params, "envoi", 64)
    upload = request.site.staff.uploads.get(token) if token else None
    if (
        upload is None
        or upload.staff_id != request.staff.id
        or upload.uai != request.context.uai
        or upload.kind != kind.name
        or datetime.now() - upload.created_at > UPLOAD_TTL
    ):
        return None, None
    return token, upload


def rejection_lines(rejected: ImportRejected) -> list[str]:
    source = Path(rejected.path.split(" (", 1)[0]).name
    return [f"{source}, ligne {bad.line} : {bad.message}" for bad in rejected.bad_lines]


class ProgressReport:
    """How far a preview is, written where every application process can read it.

    The preview runs in the request's transaction, which is rolled back (or
    committed) only at its end; the progress is therefore written from a
    connection of its own, in small transactions of its own, at most every
    ``INTERVAL`` seconds.  It writes only the progress record: the import
    stays all or nothing.  A report without a valid tracking id (a form
    sent without its script, a test) does nothing.
    """

    INTERVAL = 0.5

    def __init__(self, request, tracking: str) -> None:
        self.tracking = tracking if TRACKING.fullmatch(tracking) else ""
        self.staff_id, self.uai = request.staff.id, request.context.uai
        self.localizer = request.localizer
        self.last = 0.0
        self.manager = self.connection = None
        if self.tracking:
            self.manager = transaction.TransactionManager(explicit=True)
            self.connection = get_database(request.registry).open(transaction_manager=self.manager)

    def __enter__(self) -> ProgressReport:
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            self.connection.close()

    def write(self, stage, done: int, total: int, force: bool = False) -> None:
        now = time.monotonic()
        if self.connection is None or (not force and now - self.last < self.INTERVAL):
            return
        self.last = now
        try:
            with self.manager:
                directory = appmaker(self.connection.root()).staff
                if directory.progress is None:
                    directory.progress = Container()
                record = directory.progress.get(self.tracking)
                if record is None:
                    record = ImportProgress(self.staff_id, self.uai)
                    forget_old_progress(directory.progress)
                    directory.progress.add(self.tracking, record)
                if record.staff_id != self.staff_id:
                    return
                record.stage = self.localizer.translate(stage)
                record.done, record.total = done, total
                record.updated_at = datetime.now()
        except ConflictError:
            pass  # another import's report at the same moment: the next one writes

    def reading(self, name: str, done: int, size: int) -> None:
        """``ReadProgress`` of the readers: bytes of each file read."""
        self.write(_("Lecture de ${name}", mapping={"name": name}), done, size, done >= size)

    def counting(self, total: int) -> Callable[[int], None]:
        """The importers' ``progress(n)``: records compared with the database."""
        done = 0
        self.write(_("Comparaison avec les données enregistrées"), 0, total, force=True)

        def step(count: int) -> None:
            nonlocal done
            done += count
            self.write(_("Comparaison avec les données enregistrées"), done, total, done >= total)

        return step


def forget_old_progress(records) -> None:
    limit = datetime.now() - UPLOAD_TTL
    for key, record in list(records.items()):
        if record.updated_at < limit:
            records.pop(key)


def import_page(request, kind: WebImport):
    context = request.context
    page = {
        "config": context.config,
        "kind": kind.name,
        "errors": [],
        "summary": None,
        "token": None,
        "names": [],
        "tracking": secrets.token_urlsafe(18),
        "action": request.route_url(kind.route, uai=context.uai),
        "progress_url": request.route_url("office_import_progress", uai=context.uai),
    }
    if request.method != "POST":
        return page
    if "confirmer" in request.POST:
        return confirm(request, kind, page)
    files = {}
    for field in kind.fields:
        sent = request.POST.get(field)
        if not hasattr(sent, "file"):
            continue
        name = safe_name(sent.filename or "")
        if name is None:
            page["errors"].append(
                _(
                    "« ${name} » : un export est un fichier .xml ou .zip.",
                    mapping={"name": sent.filename},
                )
            )
            continue
        files[name] = sent.file.read(MAX_UPLOAD + 1)
        if len(files[name]) > MAX_UPLOAD:
            page["errors"].append(
                _("« ${name} » : fichier trop volumineux (100 Mo au plus).", mapping={"name": name})
            )
    if not files and not page["errors"]:
        page["errors"].append(_("Choisissez au moins un fichier d'export."))
    if page["errors"]:
        return page
    upload = Upload(request.staff.id, context.uai, files, kind.name)
    tracking = text_field(request.POST, "suivi", 64)
    with ProgressReport(request, tracking) as report:
        try:
            export = read_upload(kind, upload, report.reading)
            savepoint = request.tm.savepoint()
            summary = kind.write(request, export, report.counting(kind.records(export)), False)
            savepoint.rollback()
        except ImportRejected as rejected:
            page["errors"] = rejection_lines(rejected)
            return page
    forget_old_uploads(request.site.staff)
    token = secrets.token_urlsafe(24)
    request.site.staff.uploads.add(token, upload)
    page.update(summary=summary, token=token, names=sorted(files))
    return page


def confirm(request, kind: WebImport, page):
    context = request.context
    token, upload = current_upload(request, kind)
    if upload is None:
        flash(
            request,
            _("Cet envoi n'est plus disponible : envoyez de nouveau les fichiers."),
            "error",
        )
        return HTTPSeeOther(request.route_url(kind.route, uai=context.uai))
    try:
        summary = kind.write(request, read_upload(kind, upload), lambda n: None, True)
    except ImportRejected as rejected:  # the database changed since the preview
        page["errors"] = rejection_lines(rejected)
        return page
    request.site.staff.uploads.pop(token)
    flash(request, kind.done(str(summary)), "success")
    return HTTPSeeOther(request.route_url("office", uai=context.uai))


@view_config(
    route_name="office_siecle",
    permission=CODES,
    renderer="ts_host:templates/staff/import.pt",
)
def siecle_import(request):
    return import_page(request, SIECLE)


@view_config(
    route_name="office_sts",
    permission=CODES,
    renderer="ts_host:templates/staff/import.pt",
)
def sts_import(request):
    return import_page(request, STS)


@view_config(route_name="office_import_progress", permission=CODES, renderer="json")
def import_progress(request):
    """How far the staff member's preview is (``suivi``: the id its form sent);
    an unknown id, or someone else's, reads as not started."""
    directory = request.site.staff
    tracking = text_field(request.GET, "suivi", 64)
    record = directory.progress.get(tracking) if directory.progress is not None else None
    if record is None or record.staff_id != request.staff.id or record.uai != request.context.uai:
        return {"etape": "", "fait": 0, "total": 0, "pourcent": 0}
    return {
        "etape": record.stage,
        "fait": record.done,
        "total": record.total,
        "pourcent": record.percent,
    }
