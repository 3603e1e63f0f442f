"""What a request must be before the application reads it, and the last resort.

:class:`Guard` wraps the whole WSGI application (outside pyramid_retry, which
copies the body before anything else runs). It refuses, before any code of
the application sees them:

- a ``Host`` that is neither the academy's public URL nor listed in
  ``ts.allowed_hosts`` (redirects and links are built from the request's
  host: a forged one would come back in them);
- a path or query string that is not UTF-8 once percent-decoded (Pyramid
  and WebOb raise ``UnicodeDecodeError`` wherever they are first read);
- a body larger than its path's route accepts (``ts.max_body_size``, or
  more where a route declares it with ``config.allow_body``, matched here on
  the path), with or without ``Content-Length``.

A refused request is not answered here: it goes on into the application
emptied (``GET /``, no query, no body; the public host if the host was
refused) with the refusal in ``environ``, and :func:`raise_refusal` raises it
first thing, so the portal's own error views answer it, in French, in the
DSFR layout, with the security headers.  Which route was asked is only known
after routing: the per-route limit is checked by :func:`check_route_body` once the route matched.

Whatever escapes the application (an error in a tween, or while rendering the
error page itself) is logged here and answered by a standalone DSFR 500 page
rendered at start-up: never a traceback, never waitress's English text.
"""

from __future__ import annotations

import io
import logging
from fnmatch import fnmatchcase
from urllib.parse import unquote_to_bytes, urlsplit

from pyramid.events import BeforeTraversal, NewRequest
from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from pyramid.interfaces import IRoutesMapper
from pyramid.renderers import render
from pyramid.request import Request
from pyramid.settings import aslist
from pyramid.threadlocal import manager

from .headers import base_headers
from .mail import AFTER_RESPONSE, OUTBOX
from .storage_faults import HEALTH_PATH

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 64 * 1024
REFUSAL = "ts.refusal"
STANDALONE_500 = "ts_host:templates/error_standalone.pt"


def parse_size(value) -> int:
    """``65536``, ``64KiB``, ``1MiB``: a size in bytes."""
    text = str(value).strip().lower().removesuffix("b").removesuffix("i")
    factor = {"k": 1024, "m": 1024**2}.get(text[-1:], 1)
    return int(text.rstrip("km")) * factor


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _readable(environ) -> bool:
    """Whether the path (decoded by the server) and the query string (still
    percent-encoded) are UTF-8; WSGI gives both as latin-1 strings."""
    try:
        path = environ.get("PATH_INFO", "").encode("latin-1")
        query = unquote_to_bytes(environ.get("QUERY_STRING", "").encode("latin-1"))
    except UnicodeEncodeError:
        return False
    return _utf8(path) and _utf8(query)


def _without_default_port(host: str) -> str:
    """``example.fr:443`` and ``example.fr:80`` are ``example.fr``."""
    return host.removesuffix(":80").removesuffix(":443")


class Guard:
    """WSGI middleware: refuse malformed requests, and catch what escapes."""

    def __init__(self, app, registry) -> None:
        self.app = app
        #: The router's, so that ``main(...).registry`` still reaches it.
        self.registry = registry
        settings = registry.settings
        public = urlsplit(registry.ts_academy.public_url)
        self.public_host = public.netloc
        self.allowed_hosts = [
            _without_default_port(host.lower())
            for host in (public.netloc, *aslist(settings.get("ts.allowed_hosts", "")))
        ]
        self.default_body = registry.ts_default_body_limit
        # The routes that accept more (an upload form), matched on the path
        # here: pyramid_retry copies a body before Pyramid routes it, so a
        # larger limit for every path would let anyone send that much anywhere.
        mapper = registry.queryUtility(IRoutesMapper)
        self.larger_bodies = [
            (route, size)
            for name, size in registry.ts_body_limits.items()
            if size > self.default_body and (route := mapper.get_route(name)) is not None
        ]
        # A request of its own, only for the translations (the default language).
        blank = Request.blank("/")
        blank.registry = registry
        values = {"academy_name": registry.ts_academy.name}
        manager.push({"request": blank, "registry": registry})
        try:
            self.error_page = render(STANDALONE_500, values, request=blank).encode("utf-8")
        finally:
            manager.pop()

    def body_limit(self, path: str) -> int:
        """The largest body a request for ``path`` may carry."""
        for route, size in self.larger_bodies:
            if route.match(path) is not None:
                return size
        return self.default_body

    def host_allowed(self, host: str) -> bool:
        host = _without_default_port(host.lower())
        return any(fnmatchcase(host, pattern) for pattern in self.allowed_hosts)

    def refusal(self, environ):
        """The 4xx this request deserves before it is read, or ``None``."""
        # The health probe is asked on each process's own address
        # (http://127.0.0.1:8001/health) and builds no URL from the host.
        health = environ.get("PATH_INFO") == HEALTH_PATH
        if not health and not self.host_allowed(environ.get("HTTP_HOST", "")):
            return HTTPBadRequest()
        if not _readable(environ):
            return HTTPBadRequest()
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            return HTTPBadRequest()
        limit = self.body_limit(environ.get("PATH_INFO", ""))
        if length > limit:
            return HTTPRequestEntityTooLarge()
        if length < 0 and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            # No length announced: read at most one byte more than allowed.
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return HTTPRequestEntityTooLarge()
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return None

    def emptied(self, environ, refusal) -> dict:
        host = environ.get("HTTP_HOST", "")
        return {
            **environ,
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/",
            "QUERY_STRING": "",
            "CONTENT_LENGTH": "0",
            "wsgi.input": io.BytesIO(b""),
            # The page's links and styles on the host asked, unless it is the refused part.
            "HTTP_HOST": host if self.host_allowed(host) else self.public_host,
            REFUSAL: refusal,
        }

    def __call__(self, environ, start_response):
        try:
            refusal = self.refusal(environ)
            if refusal is not None:
                environ = self.emptied(environ, refusal)
            environ[AFTER_RESPONSE] = []
            return AfterResponse(self.app(environ, start_response), environ[AFTER_RESPONSE])
        except Exception:
            log.exception("erreur non rattrapée par l'application : %s", environ.get("PATH_INFO"))
            headers = [
                *base_headers().items(),
                ("Content-Type", "text/html; charset=UTF-8"),
                ("Content-Length", str(len(self.error_page))),
                ("Cache-Control", "no-store"),
            ]
            start_response("500 Internal Server Error", headers)
            return [self.error_page]


class AfterResponse:
    """The application's body; once the server closes it, the request's
    deferred jobs (its mails) go to the outbox."""

    def __init__(self, body, jobs: list) -> None:
        self.body, self.jobs = body, jobs

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            for job in self.jobs:
                OUTBOX.put(job)


def raise_refusal(event) -> None:
    """A request the guard refused is answered by the error view of its refusal."""
    refusal = event.request.environ.get(REFUSAL)
    if refusal is not None:
        raise refusal


def check_route_body(event) -> None:
    """Once the route is known: its own body limit (the default unless it declared one)."""
    request = event.request
    registry = request.registry
    route = getattr(request, "matched_route", None)
    limit = registry.ts_body_limits.get(route.name if route else None)
    if limit is None:
        limit = registry.ts_default_body_limit
    if (request.content_length or 0) > limit:
        raise HTTPRequestEntityTooLarge()


def allow_body(config, route_name: str, size: int) -> None:
    """Let ``route_name`` receive bodies up to ``size`` bytes (an upload form)."""
    config.registry.ts_body_limits[route_name] = size


def includeme(config) -> None:
    settings = config.registry.settings
    config.registry.ts_default_body_limit = parse_size(
        settings.get("ts.max_body_size", DEFAULT_MAX_BODY)
    )
    config.registry.ts_body_limits = {}
    config.add_directive("allow_body", allow_body)
    config.add_subscriber(raise_refusal, NewRequest)
    config.add_subscriber(check_route_body, BeforeTraversal)
