"""Security headers on every response."""

from pyramid.settings import asbool

from .security import is_staff_path

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def base_headers() -> dict[str, str]:
    """The headers every response carries, whatever the request (error pages too)."""
    return {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


def security_headers_tween_factory(handler, registry):
    hsts = asbool(registry.settings.get("ts.hsts", True))

    def tween(request):
        response = handler(request)
        headers = response.headers
        if "token" in (request.matchdict or {}):
            # A secret in the address (reset and unlock links) must not leave
            # in the Referer of the page's own requests, nor stay in a cache.
            headers["Referrer-Policy"] = "no-referrer"
            headers["Cache-Control"] = "no-store"
        for name, value in base_headers().items():
            headers.setdefault(name, value)
        if request.scheme == "https" and hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if (
            request.authenticated_userid is not None
            or request.path.startswith("/eleve/")
            or is_staff_path(request.path)
        ):
            headers["Cache-Control"] = "no-store"
        headers.pop("Server", None)
        return response

    return tween


def transaction_errors_tween_factory(handler, registry):
    """The base headers on what pyramid_tm answers itself.

    A commit that fails (a full disk, a storage gone at the vote) is
    answered by pyramid_tm with the exception view, above the tween that
    gives pages their headers.
    """

    def tween(request):
        response = handler(request)
        for name, value in base_headers().items():
            response.headers.setdefault(name, value)
        return response

    return tween


def includeme(config) -> None:
    # Under pyramid_tm, so the identity may still be read inside the transaction.
    config.add_tween(
        "ts_host.headers.security_headers_tween_factory",
        under="pyramid_tm.tm_tween_factory",
    )
    config.add_tween(
        "ts_host.headers.transaction_errors_tween_factory",
        over="pyramid_tm.tm_tween_factory",
    )
