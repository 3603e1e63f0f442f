"""The dossier's page in the establishment office (``/gestion/<uai>/dossier``).

Staff send a zip of PDFs named by INE and period: it is checked whole
(:func:`~.documents.check_zip`), the preview lists what would be published,
and only the confirmation publishes it, all of it.  The checked files wait in
the database between the two steps (any application process may serve the
confirmation), for an hour at most, for the staff member who sent them.

The same page lists the certificates issued to the establishment's pupils and
withdraws one (the verification page then says it was withdrawn, and when).
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime, timedelta

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from ts_host.api import Tile, format_date, today

from .documents import MAX_ZIP, CheckedFile, ZipRefused, check_zip, document_title, publish
from .i18n import _
from .models import PendingUpload, dossier_site

OFFICE_ROUTE = "ts_dossier.office"
PUBLISH_ROUTE = "ts_dossier.office_publish"
WITHDRAW_ROUTE = "ts_dossier.office_withdraw"
PENDING_TTL = timedelta(hours=1)


def office_tile(request, establishment) -> Tile:
    return Tile(
        title=_("Dossier scolaire"),
        text=_("Publier les bulletins et documents des élèves ; retirer un certificat."),
        link_label=_("Gérer les dossiers scolaires"),
        url=request.route_url(OFFICE_ROUTE, uai=establishment.uai),
    )


def _flash(request, message, kind: str) -> None:
    request.session.flash(request.localizer.translate(message), kind)


def _page(context, request, **values) -> dict:
    certificates = dossier_site(request.site).of_establishment(context.uai)
    site = request.site
    return {
        "config": context.config,
        "format_date": format_date,
        "problems": [],
        "preview": None,
        "token": None,
        "certificates": [{"certificate": c, "withdrawn": c.withdrawn(site)} for c in certificates],
        **values,
    }


def office_view(context, request) -> dict:
    """GET: the page; POST: a zip to check and preview."""
    if request.method != "POST":
        return _page(context, request)
    sent = request.POST.get("archive")
    if not hasattr(sent, "file"):
        return _page(context, request, problems=[_("Choisissez une archive zip.")])
    payload = sent.file.read(MAX_ZIP + 1)
    if len(payload) > MAX_ZIP:
        return _page(context, request, problems=[_("L'archive dépasse 50 Mo.")])
    try:
        checked = check_zip(io.BytesIO(payload), request.site, context.config)
    except ZipRefused as refused:
        return _page(context, request, problems=refused.problems)
    store = dossier_site(request.site)
    _forget_old(store)
    token = secrets.token_urlsafe(24)
    store.pending[token] = PendingUpload(
        request.staff.id,
        context.uai,
        datetime.now(),
        [(item.pupil.id, item.label, item.filename, item.data) for item in checked],
    )
    preview = [
        {
            "pupil": item.pupil,
            "title": document_title(item.label, context.config),
            "filename": item.filename,
            "size": f"{max(1, round(len(item.data) / 1024))} Ko",
        }
        for item in checked
    ]
    return _page(context, request, preview=preview, token=token)


def _forget_old(store) -> None:
    limit = datetime.now() - PENDING_TTL
    for token, upload in list(store.pending.items()):
        if upload.created < limit:
            del store.pending[token]


def publish_view(context, request):
    """Publish a previewed zip, whole, if it is still waiting for this staff member."""
    back = HTTPSeeOther(request.route_url(OFFICE_ROUTE, uai=context.uai))
    store = dossier_site(request.site)
    token = request.POST.get("envoi", "")[:64]
    upload = store.pending.get(token) if token else None
    if (
        upload is None
        or upload.staff_id != request.staff.id
        or upload.uai != context.uai
        or datetime.now() - upload.created > PENDING_TTL
    ):
        message = _("Cet envoi n'est plus disponible : envoyez de nouveau l'archive.")
        _flash(request, message, "error")
        return back
    del store.pending[token]
    pupils = request.site.pupils
    checked = [
        CheckedFile(pupils[pupil_id], label, filename, data)
        for pupil_id, label, filename, data in upload.documents
        if pupil_id in pupils
    ]
    counts = publish(request.site, checked, today(request))
    _flash(
        request,
        _(
            "Documents publiés : ${created} nouveaux, ${updated} remplacés.",
            mapping=counts,
        ),
        "success",
    )
    return back


def withdraw_view(context, request):
    back = HTTPSeeOther(request.route_url(OFFICE_ROUTE, uai=context.uai))
    wanted = request.matchdict["certificate"][:16]
    found = next(
        (c for c in dossier_site(request.site).of_establishment(context.uai) if c.id == wanted),
        None,
    )
    if found is None:
        raise HTTPNotFound()
    if found.withdrawn_on is None:
        found.withdrawn_on = today(request)
    _flash(request, _("Certificat retiré : la page de vérification le dit désormais."), "success")
    return back
