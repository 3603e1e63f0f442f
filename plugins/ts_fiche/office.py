"""The fiche's pages in the establishment office: the queue of change requests.

A staff member of the establishment reads each open request (what changes,
from what to what), accepts it (the responsable's data is written, as an
accepted line of the SIECLE decisions file writes it) or refuses it with a
reason the family then reads on its fiche.
"""

from __future__ import annotations

from datetime import datetime

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from ts_host.api import Tile, flash, format_date

from .i18n import _
from .models import fiche_store, find_store, write_values
from .schemas import LABELS
from .views import display

OFFICE_ROUTE = "ts_fiche.office"
DECIDE_ROUTE = "ts_fiche.office_decide"
MAX_REASON = 500


def open_requests(request) -> list:
    """The establishment's open requests, the oldest first."""
    site = request.site
    found = []
    for change in open_requests_for(request, request.context.uai):
        pupil = site.pupils[change.pupil_id]
        responsable = site.responsables.get(change.responsable_id)
        if responsable is None:
            continue
        rows = [
            (LABELS[key], display(key, change.previous.get(key)), display(key, value))
            for key, value in change.changes.items()
        ]
        found.append({"change": change, "pupil": pupil, "responsable": responsable, "rows": rows})
    return found


def office_tile(request, establishment) -> Tile:
    count = len(open_requests_for(request, establishment.uai))
    return Tile(
        title=_("Fiches de renseignements"),
        text=_("Demandes de modification en attente : ${count}.", mapping={"count": count}),
        link_label=_("Traiter les demandes de modification"),
        url=request.route_url(OFFICE_ROUTE, uai=establishment.uai),
    )


def open_requests_for(request, uai: str) -> list:
    store = find_store(request.site)
    if store is None:
        return []
    pupils = request.site.pupils
    return [
        change
        for change in store.iter_open()
        if (pupil := pupils.get(change.pupil_id)) is not None and pupil.uai == uai
    ]


def queue_view(context, request):
    return {
        "config": context.config,
        "requests": open_requests(request),
        "format_date": format_date,
        "max_reason": MAX_REASON,
    }


def decide_view(context, request):
    """Accept or refuse one open request of this establishment."""
    store = fiche_store(request.site)
    change = store.get(request.matchdict["request_id"][:40])
    pupil = request.site.pupils.get(change.pupil_id) if change is not None else None
    if change is None or not change.open or pupil is None or pupil.uai != context.uai:
        raise HTTPNotFound()
    accepted = request.POST.get("decision") == "accepter"
    reason = " ".join(request.POST.get("motif", "").split())[:MAX_REASON]
    back = HTTPSeeOther(request.route_url(OFFICE_ROUTE, uai=context.uai))
    if not accepted and not reason:
        flash(request, _("Donnez le motif du refus : la famille le lira."), "error")
        return back
    if accepted:
        write_values(request.site.responsables[change.responsable_id], change.changes)
    store.decide_in_office(change, accepted, datetime.now(), reason)
    message = _("Demande acceptée : la fiche est à jour.") if accepted else _("Demande refusée.")
    flash(request, message, "success")
    return back
