"""The livret's pages (guide, § 2.4.3) and its PDF.

``/eleve/{pupil}/competences``          the competences of a palier, their status
``/eleve/{pupil}/competences/competence/{n}`` one competence: domains, items, validation
``/eleve/{pupil}/competences/livret.pdf``       the "bilan détaillé" of a palier

Each takes ``?palier=1|2|3`` (default 3).  The livret is shown as it
stands on :func:`ts_host.api.today`.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import get_renderer
from pyramid.response import Response

from ts_host.api import Pupil, PupilContext, Tile, format_date, of_name, principals, today

from .i18n import _
from .livret import PALIER_ORDER, Livret, build_livret, selected_palier
from .models import get_record
from .pdf import render_livret
from .referential import load_referential, note_aux_parents

LIST_ROUTE = "ts_lpc.pupil"
COMPETENCE_ROUTE = "ts_lpc.competence"
PDF_ROUTE = "ts_lpc.pdf"
MACROS = "ts_lpc:templates/macros.pt"


def dashboard_tile(request, pupil: Pupil) -> Tile:
    return Tile(
        title=_("Le livret de compétences"),
        text=_("La liste exhaustive des compétences, tout au long de la scolarité."),
        link_label=_(
            "Consultez le livret de compétences ${of_first_name}",
            mapping={"of_first_name": of_name(request, pupil.first_name)},
        ),
        url=request.route_url(LIST_ROUTE, pupil=pupil.id),
    )


def _livret(context: PupilContext, request) -> Livret:
    palier = selected_palier(request.GET.get("palier"))
    pupil = context.pupil
    named = principals(request.site.establishments[pupil.uai], pupil.division)
    return build_livret(
        get_record(pupil),
        palier,
        today(request),
        [teacher.display_name for teacher in named],
    )


def _page(context: PupilContext, request, livret: Livret, current: int | None) -> dict:
    """What both pages need: the livret and the band of the palier."""
    pupil_id = context.pupil.id
    query = {"palier": livret.palier.number}
    return {
        "livret": livret,
        "current": current,
        "paliers": [load_referential()[n] for n in PALIER_ORDER],
        "note_aux_parents": note_aux_parents(),
        "format_date": format_date,
        "list_url": request.route_url(LIST_ROUTE, pupil=pupil_id, _query=query),
        "competence_url": lambda number: request.route_url(
            COMPETENCE_ROUTE, pupil=pupil_id, number=number, _query=query
        ),
        "pdf_url": (
            request.route_url(PDF_ROUTE, pupil=pupil_id, _query=query)
            if context.settings.get("pdf", True)
            else None
        ),
        "lpc_macros": get_renderer(MACROS).implementation().macros,
    }


def livret_view(context: PupilContext, request) -> dict:
    livret = _livret(context, request)
    page = _page(context, request, livret, None)
    page["selector_action"] = request.route_url(LIST_ROUTE, pupil=context.pupil.id)
    return page


def competence_view(context: PupilContext, request):
    number = int(request.matchdict["number"])
    if not 1 <= number <= 7:
        raise HTTPNotFound()
    livret = _livret(context, request)
    try:
        competence = livret.competence(number)
    except KeyError:
        # Competence 2, 4, 5 or 7 asked at palier 1, typically after choosing palier 1
        # in the selector of one of those competences: show what palier 1 has.
        raise HTTPSeeOther(
            request.route_url(
                LIST_ROUTE,
                pupil=context.pupil.id,
                _query={"palier": livret.palier.number},
            )
        ) from None
    page = _page(context, request, livret, number)
    page["competence"] = competence
    page["item_dialog_title"] = request.localizer.translate(_("Renseignements de l'item"))
    page["selector_action"] = request.route_url(
        COMPETENCE_ROUTE, pupil=context.pupil.id, number=number
    )
    return page


def pdf_view(context: PupilContext, request) -> Response:
    if not context.settings.get("pdf", True):
        raise HTTPNotFound()
    livret = _livret(context, request)
    body = render_livret(livret, context.pupil, request.localizer.translate)
    filename = f"livret-competences-palier-{livret.palier.number}.pdf"
    return Response(
        body=body,
        content_type="application/pdf",
        content_disposition=f'attachment; filename="{filename}"',
    )
