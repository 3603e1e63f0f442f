"""Error pages: in French, in the site's layout, and echoing nothing of the request.

Pyramid's own pages are English text that repeats the path or the reason a
check failed (``check_csrf_token(): Invalid token``), and an exception no view
handles reaches waitress, which answers a plain English « Internal Server
Error ».  Every error here is answered by :func:`error_page`, which other
parts of the host reuse for their own statuses (a storage fault's 503…).
What fails while rendering these pages is caught by :mod:`ts_host.guard`.
"""

from __future__ import annotations

import logging

from pyramid.csrf import BadCSRFToken
from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import exception_view_config, notfound_view_config
from pyramid_retry import (
    IRetryableError,
    RetryableException,
    is_last_attempt,
)
from transaction.interfaces import TransientError

from .i18n import _

log = logging.getLogger(__name__)

TEMPLATE = "ts_host:templates/error.pt"

BAD_REQUEST = (
    _("Requête invalide"),
    _("Le navigateur a envoyé une demande que le service ne comprend pas."),
)


def error_page(request, status: int, title: str, message: str) -> Response:
    """The DSFR error page for ``status``, with ``title`` and ``message`` (translation strings)."""
    response = render_to_response(TEMPLATE, {"title": title, "message": message}, request=request)
    response.status = status
    response.cache_control = "no-store"
    return response


@notfound_view_config()
def not_found_view(request):
    return error_page(
        request,
        404,
        _("Page introuvable"),
        _("Cette page n'existe pas, ou plus. Vérifiez l'adresse saisie."),
    )


@exception_view_config(BadCSRFToken)
def bad_token_view(request):
    return error_page(
        request,
        400,
        _("Formulaire expiré"),
        _(
            "Ce formulaire n'est plus valable (il a expiré ou a été ouvert dans une autre "
            "session) : revenez à la page précédente, rechargez-la et recommencez."
        ),
    )


@exception_view_config(HTTPBadRequest)
@exception_view_config(UnicodeDecodeError)
def bad_request_view(request):
    """Also what WebOb raises on a form body that is not UTF-8."""
    return error_page(request, 400, *BAD_REQUEST)


@exception_view_config(HTTPRequestEntityTooLarge)
def too_large_view(request):
    return error_page(
        request,
        413,
        _("Envoi trop volumineux"),
        _(
            "Les informations envoyées dépassent la taille acceptée par ce formulaire. "
            "Revenez à la page précédente et réduisez-les (par exemple un fichier joint "
            "plus petit)."
        ),
    )


def conflicting(exc) -> bool:
    """Whether ``exc`` is a conflict between writers, which another attempt
    may not meet (pyramid_retry's kinds, and the transaction's)."""
    return isinstance(exc, (TransientError, RetryableException)) or IRetryableError.providedBy(exc)


def retried(request, exc) -> bool:
    """Whether pyramid_retry will run the request again (a conflict between
    two writers): then the error is not answered, the next attempt is."""
    return not is_last_attempt(request) and conflicting(exc)


#: Seconds a client is asked to wait when every attempt met a conflict.
BUSY_RETRY_AFTER = 5


def busy_page(request) -> Response:
    """Every attempt met another writer: the service is busy, not broken.

    A 503 with ``Retry-After`` says so to the proxy and the monitoring, where
    a 500 would count as a bug; the family is told nothing was saved.
    """
    log.warning(
        "conflit d'écriture à chacun des %s essais sur %s %s",
        request.environ.get("retry.attempts", 1),
        request.method,
        request.path_info,
    )
    response = error_page(
        request,
        503,
        _("Service très sollicité"),
        _(
            "Beaucoup de demandes modifient les mêmes informations en ce moment : ce que "
            "vous venez d'envoyer n'a pas été enregistré. Réessayez dans quelques instants."
        ),
    )
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


@exception_view_config(Exception)
def internal_error_view(exc, request):
    if retried(request, exc):
        raise exc
    if conflicting(exc):
        return busy_page(request)
    log.error("erreur interne sur %s", request.path_info, exc_info=request.exc_info)
    return error_page(
        request,
        500,
        _("Erreur du service"),
        _(
            "Le service a rencontré une erreur et n'a rien enregistré de cette demande. "
            "Réessayez dans quelques instants ; si l'erreur persiste, contactez "
            "l'établissement."
        ),
    )


def includeme(config) -> None:
    config.scan(__name__)
