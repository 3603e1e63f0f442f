"""The absences' pages in the establishment office.

The vie scolaire reads the justifications the families sent, the oldest
first, and accepts or refuses each with a note the family reads on its
absences page; and it imports its absences file on the web: upload, preview
of what would change, confirmation — the same importer as ``ts-admin import
absences``, limited to this establishment's lines.
"""

from __future__ import annotations

import secrets
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from ts_host.api import ImportRejected, Tile, audit, format_date

from . import justifications
from .i18n import _
from .importers import AbsencesImporter
from .models import KIND_LABELS, SERVICE_ID, Upload
from .schemas import MAX_NOTE
from .views import span_label

QUEUE_ROUTE = "ts_absences.office"
DECIDE_ROUTE = "ts_absences.office_decide"
IMPORT_ROUTE = "ts_absences.office_import"

#: What one absences file may weigh: a large lycée's year is a few MB.
MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_TTL = timedelta(hours=1)


def office_tile(request, establishment) -> Tile:
    count = len(justifications.pending(request.site, establishment.uai))
    return Tile(
        title=_("Absences"),
        text=_("Justifications en attente : ${count}.", mapping={"count": count}),
        link_label=_("Traiter les justifications d'absence"),
        url=request.route_url(QUEUE_ROUTE, uai=establishment.uai),
    )


def queue_view(context, request):
    return {
        "config": context.config,
        "pending": justifications.pending(request.site, context.uai),
        "kinds": KIND_LABELS,
        "span_label": span_label,
        "format_date": format_date,
        "max_note": MAX_NOTE,
        "import_route": IMPORT_ROUTE,
    }


def decide_view(context, request):
    """Accept or refuse one undecided justification of this establishment."""
    wanted = request.matchdict["justification_id"][:40]
    found = next(
        (
            (pupil, justification)
            for pupil, justification in justifications.pending(request.site, context.uai)
            if justification.id == wanted
        ),
        None,
    )
    if found is None:
        raise HTTPNotFound()
    pupil, justification = found
    accepted = request.POST.get("decision") == "accepter"
    note = " ".join(request.POST.get("note", "").split())[:MAX_NOTE]
    back = HTTPSeeOther(request.route_url(QUEUE_ROUTE, uai=context.uai))
    if not accepted and not note:
        request.session.flash(
            request.localizer.translate(_("Donnez le motif du refus : la famille le lira.")),
            "error",
        )
        return back
    justifications.decide(request, context.uai, pupil, justification, accepted, note)
    message = _("Justification acceptée.") if accepted else _("Justification refusée.")
    request.session.flash(request.localizer.translate(message), "success")
    return back


def run_import(request, upload: Upload):
    """Import ``upload`` with the command's importer, this establishment's lines only."""
    importer = AbsencesImporter(request.site, request.academy)
    importer.only_uai = upload.uai
    with tempfile.TemporaryDirectory(prefix="ts-absences-") as folder:
        path = Path(folder) / upload.name
        path.write_bytes(upload.content)
        return importer.load(path)


def import_view(context, request):
    page = {"config": context.config, "errors": [], "summary": None, "token": None, "name": ""}
    if request.method != "POST":
        return page
    if "confirmer" in request.POST:
        return confirm(context, request, page)
    sent = request.POST.get("fichier")
    if not hasattr(sent, "file"):
        page["errors"].append(_("Choisissez le fichier des absences (.csv)."))
        return page
    content = sent.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD or not (sent.filename or "").lower().endswith(".csv"):
        page["errors"].append(_("Le fichier des absences est un fichier .csv de 20 Mo au plus."))
        return page
    upload = Upload(request.staff.id, context.uai, "absences.csv", content, datetime.now())
    savepoint = request.tm.savepoint()
    try:
        summary = run_import(request, upload)
    except ImportRejected as rejected:
        page["errors"] = [f"ligne {bad.line} : {bad.message}" for bad in rejected.bad_lines]
        return page
    finally:
        savepoint.rollback()
    office = justifications.office_queue(request.site)
    limit = datetime.now() - UPLOAD_TTL
    for token, old in list(office.uploads.items()):
        if old.created_at < limit:
            del office.uploads[token]
    token = secrets.token_urlsafe(24)
    office.uploads[token] = upload
    page.update(summary=summary, token=token, name=sent.filename)
    return page


def confirm(context, request, page):
    office = request.site.services.get(SERVICE_ID)
    token = request.POST.get("envoi", "")[:64]
    upload = office.uploads.get(token) if office is not None and token else None
    if (
        upload is None
        or upload.staff_id != request.staff.id
        or upload.uai != context.uai
        or datetime.now() - upload.created_at > UPLOAD_TTL
    ):
        request.session.flash(
            request.localizer.translate(
                _("Cet envoi n'est plus disponible : envoyez de nouveau le fichier.")
            ),
            "error",
        )
        return HTTPSeeOther(request.route_url(IMPORT_ROUTE, uai=context.uai))
    try:
        summary = run_import(request, upload)
    except ImportRejected as rejected:  # the database changed since the preview
        page["errors"] = [f"ligne {bad.line} : {bad.message}" for bad in rejected.bad_lines]
        return page
    del office.uploads[token]
    audit(request, "absences.imported", uai=context.uai, summary=str(summary))
    request.session.flash(
        request.localizer.translate(
            _("Absences importées : ${summary}.", mapping={"summary": str(summary)})
        ),
        "success",
    )
    return HTTPSeeOther(request.route_url(QUEUE_ROUTE, uai=context.uai))
