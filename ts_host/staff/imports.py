"""The SIECLE import on the web: upload, preview what would change, confirm.

The same reader and importer as ``ts-admin import siecle``
(``admin.siecle.read_exports``, ``admin.importer.import_siecle``): the
preview runs the import inside a savepoint and rolls it back, so what it
announces is exactly what the confirmation writes.  The files wait in the
database between the two steps (any application process may serve the
confirmation) and are removed by it, or after an hour.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..admin import reference_day
from ..admin.importer import import_siecle
from ..admin.siecle import read_exports
from ..contract import ImportRejected
from ..i18n import _
from ..layout import flash
from ..models.staff import Upload
from .establishment import CODES

#: What one SIECLE upload may weigh: a large lycée's two zip exports are a few MB.
MAX_UPLOAD = 40 * 1024 * 1024
UPLOAD_TTL = timedelta(hours=1)
FIELDS = ("eleves", "responsables")


def safe_name(filename: str) -> str | None:
    """A file name to show and to give the reader: ``.xml`` or ``.zip``, no path."""
    name = re.sub(r"[^\w.-]", "_", Path(filename.replace("\\", "/")).name)[:100]
    return name if name.lower().endswith((".xml", ".zip")) else None


def read_upload(upload: Upload):
    """The exports of ``upload``'s files (an ``ImportRejected`` if they are refused)."""
    with tempfile.TemporaryDirectory(prefix="ts-siecle-") as folder:
        paths = []
        for name, content in upload.files.items():
            path = Path(folder) / name
            path.write_bytes(content)
            paths.append(path)
        exports = read_exports(paths)
    return exports


def forget_old_uploads(directory) -> None:
    limit = datetime.now() - UPLOAD_TTL
    for token, upload in list(directory.uploads.items()):
        if upload.created_at < limit:
            directory.uploads.pop(token)


def current_upload(request) -> tuple[str, Upload] | tuple[None, None]:
    token = request.params.get("envoi", "")[:64]
    upload = request.site.staff.uploads.get(token) if token else None
    if (
        upload is None
        or upload.staff_id != request.staff.id
        or upload.uai != request.context.uai
        or datetime.now() - upload.created_at > UPLOAD_TTL
    ):
        return None, None
    return token, upload


def rejection_lines(rejected: ImportRejected) -> list[str]:
    source = Path(rejected.path.split(" (", 1)[0]).name
    return [f"{source}, ligne {bad.line} : {bad.message}" for bad in rejected.bad_lines]


@view_config(
    route_name="office_siecle",
    permission=CODES,
    renderer="ts_host:templates/staff/siecle.pt",
)
def siecle_import(request):
    context = request.context
    page = {"config": context.config, "errors": [], "summary": None, "token": None, "names": []}
    if request.method != "POST":
        return page
    if "confirmer" in request.POST:
        return confirm(request, page)
    files = {}
    for field in FIELDS:
        sent = request.POST.get(field)
        if not hasattr(sent, "file"):
            continue
        name = safe_name(sent.filename or "")
        if name is None:
            page["errors"].append(
                _(
                    "« ${name} » : un export SIECLE est un fichier .xml ou .zip.",
                    mapping={"name": sent.filename},
                )
            )
            continue
        files[name] = sent.file.read(MAX_UPLOAD + 1)
    if not files and not page["errors"]:
        page["errors"].append(_("Choisissez au moins un fichier d'export SIECLE."))
    if page["errors"]:
        return page
    upload = Upload(request.staff.id, context.uai, files)
    try:
        exports = read_upload(upload)
        savepoint = request.tm.savepoint()
        summary = import_siecle(
            request.site,
            context.uai,
            context.config.name,
            exports,
            reference_day(request.registry.settings),
            audited=False,
        )
        savepoint.rollback()
    except ImportRejected as rejected:
        page["errors"] = rejection_lines(rejected)
        return page
    forget_old_uploads(request.site.staff)
    token = secrets.token_urlsafe(24)
    request.site.staff.uploads.add(token, upload)
    page.update(summary=summary, token=token, names=sorted(files))
    return page


def confirm(request, page):
    context = request.context
    token, upload = current_upload(request)
    if upload is None:
        flash(
            request,
            _("Cet envoi n'est plus disponible : envoyez de nouveau les fichiers."),
            "error",
        )
        return HTTPSeeOther(request.route_url("office_siecle", uai=context.uai))
    try:
        summary = import_siecle(
            request.site,
            context.uai,
            context.config.name,
            read_upload(upload),
            reference_day(request.registry.settings),
            request=request,
        )
    except ImportRejected as rejected:  # the database changed since the preview
        page["errors"] = rejection_lines(rejected)
        return page
    request.site.staff.uploads.pop(token)
    flash(
        request,
        _("Import SIECLE enregistré : ${summary}.", mapping={"summary": str(summary)}),
        "success",
    )
    return HTTPSeeOther(request.route_url("office", uai=context.uai))
