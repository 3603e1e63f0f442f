"""The family's pages, and the public verification of a certificate.

``/eleve/{pupil}/dossier``                 the schooling, the documents, the certificate
``/eleve/{pupil}/dossier/document/{n}``    a document, as an attachment
``/eleve/{pupil}/dossier/certificat``      POST: a new certificat de scolarité (PDF)
``/verifier`` and ``/verifier/{code}``     anyone: what a certificate says, or that it
                                           was withdrawn
"""

from __future__ import annotations

from datetime import timedelta

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import FileIter, Response

from ts_host.api import (
    Pupil,
    PupilContext,
    Tile,
    flash,
    format_date,
    of_name,
    throttle_allowed,
    throttle_record,
    today,
)

from . import certificate as certificates
from .documents import document_title
from .i18n import _
from .models import DECISIONS, SERVICE_ID, Certificate, code_digest, dossier_site

PAGE_ROUTE = "ts_dossier.pupil"
DOCUMENT_ROUTE = "ts_dossier.document"
CERTIFICATE_ROUTE = "ts_dossier.certificate"
VERIFY_ROUTE = "ts_dossier.verify"
VERIFY_CODE_ROUTE = "ts_dossier.verify_code"

#: Lookups on the public page per client address and window: enough for a
#: school office checking a pile of certificates, far too few to enumerate.
VERIFY_LIMIT = 30
VERIFY_WINDOW = timedelta(minutes=10)
#: What the form reads of a typed code (a real one is 32 characters).
MAX_CODE = 64


def dashboard_tile(request, pupil: Pupil) -> Tile:
    mapping = {"of_first_name": of_name(request, pupil.first_name)}
    return Tile(
        title=_("Le dossier scolaire"),
        text=_(
            "La scolarité, les bulletins et le certificat de scolarité ${of_first_name}.",
            mapping=mapping,
        ),
        link_label=_("Consultez le dossier scolaire ${of_first_name}", mapping=mapping),
        url=request.route_url(PAGE_ROUTE, pupil=pupil.id),
    )


def page_view(context: PupilContext, request) -> dict:
    dossier = context.pupil.services.get(SERVICE_ID)
    years = list(dossier.years.values())[::-1] if dossier else []
    documents = list(dossier.documents.values())[::-1] if dossier else []
    return {
        "years": years,
        "decisions": DECISIONS,
        "documents": [
            {
                "title": document_title(document.period, context.establishment),
                "published": format_date(document.published_on),
                "size": _size(document.size),
                "url": request.route_url(
                    DOCUMENT_ROUTE, pupil=context.pupil.id, number=document.number
                ),
            }
            for document in documents
        ],
        "can_certify": bool(context.settings["head_name"]) and bool(context.pupil.division),
        "certificate_url": request.route_url(CERTIFICATE_ROUTE, pupil=context.pupil.id),
        "verify_url": request.route_url(VERIFY_ROUTE),
    }


def _size(size: int) -> str:
    return f"{max(1, round(size / 1024))} Ko"


def document_view(context: PupilContext, request) -> Response:
    dossier = context.pupil.services.get(SERVICE_ID)
    document = dossier.documents.get(int(request.matchdict["number"])) if dossier else None
    if document is None:
        raise HTTPNotFound()
    # Streamed from the blob's file (a file of the storage or of its blob
    # cache), never read whole into memory; the file stays readable once the
    # request's transaction is over.
    return Response(
        app_iter=FileIter(document.open()),
        content_length=document.size,
        content_type="application/pdf",
        content_disposition=f'attachment; filename="{document.filename}"',
    )


def certificate_view(context: PupilContext, request) -> Response:
    """A new certificate: recorded under its code's digest, then sent as a PDF."""
    establishment = context.establishment
    head = context.settings["head_name"]
    if not head or not context.pupil.division:
        message = _("L'établissement ne délivre pas de certificat de scolarité en ligne.")
        flash(request, message, "error")
        return HTTPSeeOther(request.route_url(PAGE_ROUTE, pupil=context.pupil.id))
    record = Certificate(
        context.pupil,
        establishment.name,
        certificates.school_year(establishment),
        head,
        today(request),
    )
    code = certificates.new_code()
    dossier_site(request.site).add(code, record)
    pdf = certificates.render(
        record, establishment, code, verify_address(request, code), request.localizer.translate
    )
    return Response(
        body=pdf,
        content_type="application/pdf",
        content_disposition='attachment; filename="certificat-de-scolarite.pdf"',
    )


def verify_address(request, code: str) -> str:
    """Built from the academy's public address, never from the request's Host."""
    path = request.route_path(VERIFY_CODE_ROUTE, token=code)
    return request.academy.public_url.rstrip("/") + path


def verify_view(request) -> dict | Response:
    """The public check: the form, or the answer for the code in the path or the form.

    A malformed code takes the same path as an unknown one (its digest is
    looked up), so neither the answer nor its timing tells them apart.
    """
    # Named ``token`` in the route: the host then sends the page with
    # ``Referrer-Policy: no-referrer`` and ``no-store``, as for a reset link.
    code = request.matchdict.get("token") if request.matchdict else None
    if code is None and request.method == "POST":
        code = request.POST.get("code", "").strip()[:MAX_CODE]
    page = {"state": "form", "certificate": None, "withdrawn_on": None, "format_date": format_date}
    if code is None:
        return page
    key = f"dossier-verifier:{request.client_addr}"
    site = request.site
    if not throttle_allowed(site, key, limit=VERIFY_LIMIT, window=VERIFY_WINDOW):
        request.response.status = 429
        page["state"] = "throttled"
        return page
    throttle_record(site, key, window=VERIFY_WINDOW)
    page["state"] = "unknown"
    store = site.services.get(SERVICE_ID)
    if store is None:
        return page
    digest = code_digest(code)
    found = store.certificates.get(digest)
    if found is not None:
        withdrawn = found.withdrawn(site)
        page.update(state="withdrawn" if withdrawn else "valid", certificate=found)
        page["withdrawn_on"] = format_date(withdrawn) if withdrawn else None
    elif digest in store.erased:
        page.update(state="withdrawn", withdrawn_on=format_date(store.erased[digest]))
    return page
