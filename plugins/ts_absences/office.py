"""The absences' pages in the establishment office.

The vie scolaire reads the justifications the families sent, the oldest
first, and accepts or refuses each with a note the family reads on its
absences page; and it imports its absences file on the web: upload, preview
of what would change, confirmation — the same importer as ``ts-admin import
absences``, limited to this establishment's lines.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from ts_host.api import Tile, UploadField, flash, format_date, importer_page

from . import justifications
from .i18n import _
from .importers import AbsencesImporter
from .models import KIND_LABELS
from .schemas import MAX_NOTE
from .views import span_label

QUEUE_ROUTE = "ts_absences.office"
DECIDE_ROUTE = "ts_absences.office_decide"
IMPORT_ROUTE = "ts_absences.office_import"

#: What one absences file may weigh: a large lycée's year is a few MB.
MAX_UPLOAD = 20 * 1024 * 1024


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
        flash(request, _("Donnez le motif du refus : la famille le lira."), "error")
        return back
    justifications.decide(request, context.uai, pupil, justification, accepted, note)
    message = _("Justification acceptée.") if accepted else _("Justification refusée.")
    flash(request, message, "success")
    return back


IMPORT_PAGE = importer_page(
    AbsencesImporter,
    UploadField("fichier", _("Fichier des absences"), _("Un fichier .csv de 20 Mo au plus")),
    QUEUE_ROUTE,
    max_file=MAX_UPLOAD,
)


def import_view(context, request):
    return IMPORT_PAGE(request)
