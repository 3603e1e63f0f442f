"""Security headers on every response."""

from pyramid.settings import asbool

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def security_headers_tween_factory(handler, registry):
    hsts = asbool(registry.settings.get("ts.hsts", True))

    def tween(request):
        response = handler(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if "token" in (request.matchdict or {}):
            # A secret in the address (reset and unlock links) must not leave
            # in the Referer of the page's own requests.
            headers["Referrer-Policy"] = "no-referrer"
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if request.scheme == "https" and hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.authenticated_userid is not None or request.path.startswith("/eleve/"):
            headers["Cache-Control"] = "no-store"
        headers.pop("Server", None)
        return response

    return tween


def includeme(config) -> None:
    # Under pyramid_tm, so the identity may still be read inside the transaction.
    config.add_tween(
        "ts_host.headers.security_headers_tween_factory",
        under="pyramid_tm.tm_tween_factory",
    )
