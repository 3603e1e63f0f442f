"""Upload, preview what would change, confirm: every import of the establishment office.

The staff member sends the file(s); the page runs the import inside a
savepoint and rolls it back, and shows what it would change, or every bad
line with nothing written; the confirmation runs the same import for good.
What the preview announces is therefore exactly what the confirmation
writes (unless the database changed in between: the confirmation then
checks again and may refuse).  The files wait in the database between the
two steps, so that any application process may serve the confirmation,
for that staff member, that establishment and that import only; the
confirmation removes them, and they are forgotten after an hour.

The host's SIECLE and STS-web imports and the services' imports
(``importer_page``, for an :class:`~ts_host.importing.Importer`, the very
class ``ts-admin import`` runs) are all an :class:`ImportPage`.

A large export takes a while to read and compare: the preview reports how
far it is (:class:`ProgressReport`) where the upload form's script polls it
(the ``office_import_progress`` route); without the script the form works
the same.  See docs/decisions.md.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import transaction
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import get_renderer
from pyramid.view import view_config
from ZODB.POSException import ConflictError

from ..audit import audit
from ..contract import STAFF_PERMISSION, ImportRejected
from ..forms import text_field
from ..i18n import _
from ..layout import flash
from ..models.containers import Container
from ..models.staff import ImportProgress, Upload
from ..root import appmaker
from ..storage import get_database

UPLOAD_TTL = timedelta(hours=1)
#: What one service's import file may weigh by default: a lycée's year of grades.
MAX_FILE = 16 * 1024 * 1024
#: The form around the files (token, button names) in a request's body.
FORM_OVERHEAD = 64 * 1024
MACROS = "ts_host:templates/staff/upload_macros.pt"
#: The parameter that carries an upload from its preview to its confirmation.
UPLOAD_PARAM = "envoi"
#: The parameter that names a preview's progress record (made by the page).
TRACKING_PARAM = "suivi"
TRACKING = re.compile(r"[\w-]{16,64}")


@dataclass(frozen=True)
class UploadField:
    """A file input of an import form: its name, its label and hint, what it accepts."""

    name: str
    label: str
    hint: str = ""
    extensions: tuple[str, ...] = (".csv",)


def safe_name(filename: str, extensions: Sequence[str]) -> str | None:
    """A file name to show and to give the reader, without path, if its extension is allowed."""
    name = re.sub(r"[^\w.-]", "_", Path(filename.replace("\\", "/")).name)[:100]
    return name if name.lower().endswith(tuple(extensions)) else None


def rejection_lines(rejected: ImportRejected) -> list[str]:
    """Each bad line, as « fichier, ligne N : motif »; « fichier : motif » for a
    problem of no line (line 0: a file of a zip, the whole file)."""
    source = Path(str(rejected.path).split(" (", 1)[0]).name
    return [
        f"{source}, ligne {bad.line} : {bad.message}" if bad.line else f"{source} : {bad.message}"
        for bad in rejected.bad_lines
    ]


#: ``run(request, paths, preview, report)``: import the files at ``paths``
#: for ``request.context.uai``, return the summary, or raise
#: ``ImportRejected``.  ``preview`` is true when the transaction is rolled
#: back after: nothing to audit.  ``report`` (a :class:`ProgressReport`)
#: takes the readers' and importers' progress, if the import gives any.
Run = Callable[[Any, list[Path], bool, "ProgressReport"], Any]


@dataclass(frozen=True)
class ImportPage:
    """The upload → preview → confirm view of one import of the office.

    ``kind`` names the import (an upload sent to one is not confirmed by
    another); ``fields`` are the form's file inputs (at least one is needed);
    ``done_route`` is the page, of the same establishment, shown after the
    confirmation; ``max_file`` the size of one file.  Call it from the view:
    it returns the template's values (``page``, ``errors``, ``summary``,
    ``token``, ``names``, ``upload_macros``), or the redirection that
    follows the confirmation.
    """

    kind: str
    fields: tuple[UploadField, ...]
    run: Run
    done_route: str
    max_file: int = MAX_FILE
    #: What the confirmation's message calls the import (« Import SIECLE enregistré »).
    label: str = ""

    @property
    def body_limit(self) -> int:
        """The request size to allow on the page's route (``config.allow_body``)."""
        return len(self.fields) * self.max_file + FORM_OVERHEAD

    def __call__(self, request) -> dict | HTTPSeeOther:
        values = {
            "config": request.context.config,
            "page": self,
            "errors": [],
            "summary": None,
            "token": None,
            "names": [],
            "upload_macros": get_renderer(MACROS).implementation().macros,
            "tracking": secrets.token_urlsafe(18),
            "progress_url": request.route_url("office_import_progress", uai=request.context.uai),
        }
        if request.method != "POST":
            return values
        if "confirmer" in request.POST:
            return self.confirm(request, values)
        return self.preview(request, values)

    def preview(self, request, values: dict) -> dict:
        files, errors = {}, values["errors"]
        for field in self.fields:
            sent = request.POST.get(field.name)
            if not hasattr(sent, "file"):
                continue
            name = safe_name(sent.filename or "", field.extensions)
            if name is None:
                errors.append(
                    _(
                        "« ${name} » : le fichier attendu est un fichier ${extensions}.",
                        mapping={
                            "name": sent.filename,
                            "extensions": " ou ".join(field.extensions),
                        },
                    )
                )
                continue
            content = sent.file.read(self.max_file + 1)
            if len(content) > self.max_file:
                errors.append(
                    _(
                        "« ${name} » dépasse ${size} Mo.",
                        mapping={"name": name, "size": self.max_file // (1024 * 1024)},
                    )
                )
                continue
            files[name] = content
        if not files and not errors:
            errors.append(_("Choisissez un fichier à importer."))
        if errors:
            return values
        upload = Upload(request.staff.id, request.context.uai, files, kind=self.kind)
        tracking = text_field(request.POST, TRACKING_PARAM, 64)
        with ProgressReport(request, tracking) as report:
            savepoint = request.tm.savepoint()
            try:
                summary = self.run_upload(request, upload, True, report)
            except ImportRejected as rejected:
                values["errors"] = rejection_lines(rejected)
                return values
            finally:
                savepoint.rollback()
        forget_old_uploads(request.site.staff)
        token = secrets.token_urlsafe(24)
        request.site.staff.uploads.add(token, upload)
        values.update(summary=summary, token=token, names=sorted(files))
        return values

    def confirm(self, request, values: dict) -> dict | HTTPSeeOther:
        uai = request.context.uai
        token, upload = self.current_upload(request)
        if upload is None:
            flash(
                request,
                _("Cet envoi n'est plus disponible : envoyez de nouveau le fichier."),
                "error",
            )
            return HTTPSeeOther(request.path_url)
        try:
            summary = self.run_upload(request, upload, False, ProgressReport(request, ""))
        except ImportRejected as rejected:  # the database changed since the preview
            values["errors"] = rejection_lines(rejected)
            return values
        request.site.staff.uploads.pop(token)
        mapping = {"label": self.label, "summary": str(summary)}
        if self.label:
            message = _("Import ${label} enregistré : ${summary}.", mapping=mapping)
        else:
            message = _("Import enregistré : ${summary}.", mapping=mapping)
        flash(request, message, "success")
        return HTTPSeeOther(request.route_url(self.done_route, uai=uai))

    def current_upload(self, request) -> tuple[str, Upload] | tuple[None, None]:
        """The upload the confirmation names, if it is this staff member's, here, still fresh."""
        token = text_field(request.POST, UPLOAD_PARAM, 64)
        upload = request.site.staff.uploads.get(token) if token else None
        if (
            upload is None
            or upload.staff_id != request.staff.id
            or upload.uai != request.context.uai
            or upload.kind != self.kind
            or datetime.now() - upload.created_at > UPLOAD_TTL
        ):
            return None, None
        return token, upload

    def run_upload(self, request, upload: Upload, preview: bool, report: ProgressReport):
        """``run`` on the upload's files, written to a folder of their own for the import."""
        with tempfile.TemporaryDirectory(prefix="ts-import-") as folder:
            paths = []
            for name, content in upload.files.items():
                path = Path(folder) / name
                if isinstance(content, bytes):
                    path.write_bytes(content)
                else:
                    with content.open("r") as source, path.open("wb") as target:
                        shutil.copyfileobj(source, target)
                paths.append(path)
            return self.run(request, paths, preview, report)


def forget_old_uploads(directory) -> None:
    limit = datetime.now() - UPLOAD_TTL
    for token, upload in list(directory.uploads.items()):
        if upload.created_at < limit:
            directory.uploads.pop(token)


def importer_page(importer, field: UploadField, done_route: str, **kw) -> ImportPage:
    """The office page of a service's import: ``importer`` (an ``Importer``
    subclass, the one ``ts-admin import`` runs) on one file, for the page's
    establishment only (``Importer.for_establishment``), in the journal once confirmed."""

    def run(request, paths: list[Path], preview: bool, report: ProgressReport):
        (path,) = paths
        uai = request.context.uai
        summary = importer.for_establishment(request.site, request.academy, uai).load(path)
        if not preview:
            audit(
                request,
                "service.imported",
                format=importer.name,
                uai=uai,
                file=path.name,
                summary=str(summary),
            )
        return summary

    return ImportPage(importer.name, (field,), run, done_route, **kw)


class ProgressReport:
    """How far a preview is, written where every application process can read it.

    The preview runs in the request's transaction, which is rolled back (or
    committed) only at its end; the progress is therefore written from a
    connection of its own, in small transactions of its own, at most every
    ``INTERVAL`` seconds.  It writes only the progress record: the import
    stays all or nothing.  A report without a valid tracking id (a form
    sent without its script, a confirmation, a test) does nothing.
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
        """``ReadProgress`` of the XML readers: bytes of each file read."""
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


@view_config(route_name="office_import_progress", permission=STAFF_PERMISSION, renderer="json")
def import_progress(request):
    """How far the staff member's preview is (``suivi``: the id its form sent);
    an unknown id, or someone else's, reads as not started."""
    directory = request.site.staff
    tracking = text_field(request.GET, TRACKING_PARAM, 64)
    record = directory.progress.get(tracking) if directory.progress is not None else None
    if record is None or record.staff_id != request.staff.id or record.uai != request.context.uai:
        return {"etape": "", "fait": 0, "total": 0, "pourcent": 0}
    return {
        "etape": record.stage,
        "fait": record.done,
        "total": record.total,
        "pourcent": record.percent,
    }
