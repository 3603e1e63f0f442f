"""The dossier's page in the establishment office (``/gestion/<uai>/dossier``).

Staff send a zip of PDFs named by INE and period through the host's
:class:`~ts_host.api.ImportPage`: the zip is checked whole
(:func:`~.documents.check_zip`) and published inside a savepoint rolled
back, so the preview lists exactly what the confirmation publishes, all of
it; the zip waits between the two steps where every import of the office
waits, for that staff member and that establishment, an hour at most.

The same page lists the certificates issued to the establishment's pupils and
withdraws one (the verification page then says it was withdrawn, and when).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from ts_host.api import (
    BadLine,
    ImportPage,
    ImportRejected,
    ImportSummary,
    Tile,
    UploadField,
    audit,
    flash,
    format_date,
    today,
)

from .documents import MAX_ZIP, ZipRefused, check_zip, document_title, publish
from .i18n import _
from .models import dossier_site

OFFICE_ROUTE = "ts_dossier.office"
WITHDRAW_ROUTE = "ts_dossier.office_withdraw"
#: The office's uploads of this page (the host keeps them between preview and confirmation).
UPLOAD_KIND = "dossier-documents"


@dataclass
class Publication(ImportSummary):
    """What a zip publishes: the counts, and a row per document for the preview."""

    documents: list[dict[str, str]] = field(default_factory=list)


def publish_zip(request, paths: list[Path], preview: bool, report) -> Publication:
    """The ImportPage's ``run``: check the zip whole, then publish every PDF."""
    (path,) = paths
    config = request.context.config
    try:
        checked = check_zip(path, request.site, config)
    except ZipRefused as refused:
        # A zip has no lines: each problem already names its file.
        raise ImportRejected(path, [BadLine(0, problem) for problem in refused.problems]) from None
    rows = [
        {
            "pupil": f"{item.pupil.last_name} {item.pupil.first_name}",
            "division": item.pupil.division,
            "title": document_title(item.label, config),
            "file": f"{item.filename} ({max(1, round(len(item.data) / 1024))} Ko)",
        }
        for item in checked
    ]
    counts = publish(request.site, checked, today(request))
    summary = Publication(created=counts["created"], updated=counts["updated"], documents=rows)
    if not preview:
        audit(
            request,
            "service.imported",
            format=UPLOAD_KIND,
            uai=config.uai,
            file=path.name,
            summary=str(summary),
        )
    return summary


UPLOAD_PAGE = ImportPage(
    UPLOAD_KIND,
    (
        UploadField(
            "archive",
            _("Archive zip des documents"),
            _(
                "Un PDF par document, à la racine de l'archive, nommé INE_PERIODE.pdf : "
                "1234567890A_T1.pdf pour le bulletin du T1, ou un autre libellé "
                "(1234567890A_ASSR.pdf). 5 Mo au plus par document, 50 Mo pour l'archive. "
                "L'archive est vérifiée en entier, puis un aperçu est proposé avant la "
                "publication."
            ),
            (".zip",),
        ),
    ),
    publish_zip,
    OFFICE_ROUTE,
    max_file=MAX_ZIP,
    label=_("des documents"),
)


def office_tile(request, establishment) -> Tile:
    return Tile(
        title=_("Dossier scolaire"),
        text=_("Publier les bulletins et documents des élèves ; retirer un certificat."),
        link_label=_("Gérer les dossiers scolaires"),
        url=request.route_url(OFFICE_ROUTE, uai=establishment.uai),
    )


def office_view(context, request):
    """The upload, its preview and confirmation (the host's ImportPage), and the certificates."""
    values = UPLOAD_PAGE(request)
    if isinstance(values, HTTPSeeOther):
        return values
    site = request.site
    certificates = dossier_site(site).of_establishment(context.uai)
    return {
        **values,
        "format_date": format_date,
        "certificates": [{"certificate": c, "withdrawn": c.withdrawn(site)} for c in certificates],
    }


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
    flash(request, _("Certificat retiré : la page de vérification le dit désormais."), "success")
    return back
