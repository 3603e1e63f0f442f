"""Error pages: in French, in the site's layout, and echoing nothing of the request.

Pyramid's own pages are English text that repeats the path or the reason a
check failed (``check_csrf_token(): Invalid token``).
"""

from pyramid.csrf import BadCSRFToken
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import notfound_view_config, view_config

from .i18n import _

TEMPLATE = "ts_host:templates/error.pt"


@notfound_view_config(renderer=TEMPLATE)
def not_found_view(request):
    request.response.status = 404
    return {
        "title": _("Page introuvable"),
        "message": _("Cette page n'existe pas, ou plus. Vérifiez l'adresse saisie."),
    }


@view_config(context=BadCSRFToken, renderer=TEMPLATE)
def bad_token_view(request):
    request.response.status = 400
    return {
        "title": _("Formulaire expiré"),
        "message": _(
            "Ce formulaire n'est plus valable (il a expiré ou a été ouvert dans une autre "
            "session) : revenez à la page précédente, rechargez-la et recommencez."
        ),
    }


@view_config(context=HTTPBadRequest, renderer=TEMPLATE)
def bad_request_view(request):
    request.response.status = 400
    return {
        "title": _("Requête invalide"),
        "message": _("Le navigateur a envoyé une demande que le service ne comprend pas."),
    }


def includeme(config) -> None:
    config.scan(__name__)
