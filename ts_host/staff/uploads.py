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

The host's SIECLE import and the services' imports (``importer_page``, for
an :class:`~ts_host.importing.Importer`, the very class ``ts-admin import``
runs) are all an :class:`ImportPage`.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import get_renderer

from ..audit import audit
from ..contract import ImportRejected
from ..i18n import _
from ..layout import flash
from ..models.staff import Upload

UPLOAD_TTL = timedelta(hours=1)
#: What one service's import file may weigh by default: a lycée's year of grades.
MAX_FILE = 16 * 1024 * 1024
#: The form around the files (token, button names) in a request's body.
FORM_OVERHEAD = 64 * 1024
MACROS = "ts_host:templates/staff/upload_macros.pt"
#: The parameter that carries an upload from its preview to its confirmation.
UPLOAD_PARAM = "envoi"


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
    """Each bad line, as « fichier, ligne N : motif »."""
    source = Path(str(rejected.path).split(" (", 1)[0]).name
    return [f"{source}, ligne {bad.line} : {bad.message}" for bad in rejected.bad_lines]


#: ``run(request, paths, preview)``: import the files at ``paths`` for
#: ``request.context.uai``, return the summary, or raise ``ImportRejected``.
#: ``preview`` is true when the transaction is rolled back after: nothing to audit.
Run = Callable[[Any, list[Path], bool], Any]


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
        savepoint = request.tm.savepoint()
        try:
            summary = self.run_upload(request, upload, preview=True)
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
            summary = self.run_upload(request, upload, preview=False)
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
        token = request.POST.get(UPLOAD_PARAM, "")[:64]
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

    def run_upload(self, request, upload: Upload, preview: bool):
        """``run`` on the upload's files, written to a folder of their own for the import."""
        with tempfile.TemporaryDirectory(prefix="ts-import-") as folder:
            paths = []
            for name, content in upload.files.items():
                path = Path(folder) / name
                path.write_bytes(content)
                paths.append(path)
            return self.run(request, paths, preview)


def forget_old_uploads(directory) -> None:
    limit = datetime.now() - UPLOAD_TTL
    for token, upload in list(directory.uploads.items()):
        if upload.created_at < limit:
            directory.uploads.pop(token)


def importer_page(importer, field: UploadField, done_route: str, **kw) -> ImportPage:
    """The office page of a service's import: ``importer`` (an ``Importer``
    subclass, the one ``ts-admin import`` runs) on one file, for the page's
    establishment only (``Importer.for_establishment``), in the journal once confirmed."""

    def run(request, paths: list[Path], preview: bool):
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
