"""Hostile requests (paths, query strings, headers, cookies, bodies): 4xx, never 5xx.

Every answer, error pages included, carries the security headers; a 500 is
the portal's DSFR page, never a traceback, whatever failed.  The form-field
side is in ``test_hostile_input.py``.
"""

from __future__ import annotations

import http.client
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import quote, urlencode, urlsplit

import crossplane
import pytest
import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyramid.interfaces import ILocalizer, IRoutesMapper
from webob import Request
from ZODB.POSException import ConflictError

from ts_host import tokens
from ts_host.accounts.login import LoginView
from ts_host.guard import Guard, parse_size
from ts_host.layout import Layout
from ts_host.security import SecurityPolicy
from ts_host.testing import PASSWORD, keypad_positions
from ts_host.testing.production import SHIPPED

from ..threaded_waitress import threaded_waitress
from .routes import requests
from .test_headers import csp_problems, ini_sections

PUBLIC = "http://teleservices.test"
EXAMPLES = 25
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def call(app, path: str = "/", query: str = "", method: str = "GET", **environ):
    """Send a raw WSGI request: ``path`` and ``query`` as the server passes them
    (bytes as latin-1, not percent-decoded for the query)."""
    request = Request.blank("/", method=method)
    request.environ.update(
        {
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": "teleservices.test",
            "REMOTE_ADDR": "192.0.2.30",
            **environ,
        }
    )
    return request.get_response(app)


def header_problems(response) -> list[str]:
    headers = response.headers
    problems = csp_problems(headers.get("Content-Security-Policy", ""))
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if headers.get("Referrer-Policy") not in ("no-referrer", "same-origin"):
        problems.append("Referrer-Policy")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options")
    return problems


def assert_french_error_page(response, status: int) -> None:
    assert response.status_code == status, response.text[:500]
    assert not header_problems(response), header_problems(response)
    assert response.content_type == "text/html"
    text = response.text
    assert '<html lang="fr"' in text and "fr-header" in text
    assert "Traceback" not in text and "Error" not in text


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/\xff", ""),
        ("/eleve/\xff/notes", ""),
        ("/static/\xc0\xae\xc0\xae/__init__.py", ""),
        ("/aide", "x=%ff"),
        ("/connexion", "came_from=%ff"),
        ("/connexion", "_LOCALE_=%ff"),
    ],
)
def test_invalid_utf8_in_the_path_or_the_query_string_is_a_400_page(ts_app, path, query):
    assert_french_error_page(call(ts_app, path, query), 400)


def test_a_refused_request_s_page_takes_its_styles_from_the_host_asked(ts_app):
    """The page names its assets by path: the browser asks the host it asked."""
    page = call(ts_app, "/\xff", HTTP_HOST="localhost:8080")
    assert page.status_code == 400
    assert 'href="/static/dsfr/dsfr.main.min.css?x=' in page.text


def test_a_form_body_that_is_not_utf8_is_a_400_page(client):
    app = client()
    page = app.get("/connexion")
    token = page.forms["connexion"]["csrf_token"].value
    body = f"csrf_token={token}&login=%ff%fe&password=1".encode()
    response = app.post(
        "/connexion", body, content_type="application/x-www-form-urlencoded", status="*"
    )
    assert response.status_int < 500
    assert not header_problems(response)


def test_not_found_carries_the_security_headers(ts_app):
    assert_french_error_page(call(ts_app, "/pas-de-page"), 404)


def test_a_failing_view_is_the_dsfr_500_page(ts_app, monkeypatch):
    def fail(self):
        raise RuntimeError("une erreur de programmation")

    monkeypatch.setattr(LoginView, "values", fail)
    response = call(ts_app, "/connexion")
    assert_french_error_page(response, 500)
    assert "une erreur de programmation" not in response.text
    assert "fr-footer" in response.text  # the full layout: the error view rendered it


def test_an_error_while_rendering_the_error_page_is_still_the_dsfr_500_page(ts_app, monkeypatch):
    def fail(self):
        raise RuntimeError("la page d'erreur aussi")

    monkeypatch.setattr(LoginView, "values", fail)
    monkeypatch.setattr(Layout, "academy_name", property(fail))
    assert_french_error_page(call(ts_app, "/connexion"), 500)


def test_an_error_in_a_tween_is_still_the_dsfr_500_page(ts_app, monkeypatch):
    def fail(self, request):
        raise RuntimeError("dans le tween des en-têtes")

    monkeypatch.setattr(SecurityPolicy, "authenticated_userid", fail)
    assert_french_error_page(call(ts_app, "/aide"), 500)


def conflicts(monkeypatch, owner, name: str, times: int) -> list[int]:
    """``owner.name`` raising ZODB's ``ConflictError`` at its first ``times``
    calls; the list returned counts every call."""
    original, calls = getattr(owner, name), []

    def conflicting(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise ConflictError("une écriture concurrente")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, conflicting)
    return calls


@pytest.mark.parametrize(
    ("owner", "name"),
    [(LoginView, "values"), (transaction.TransactionManager, "commit")],
    ids=["in-the-view", "at-commit"],
)
def test_a_conflict_at_every_attempt_is_a_503_not_a_bug(ts_app, monkeypatch, caplog, owner, name):
    calls = conflicts(monkeypatch, owner, name, times=99)
    response = call(ts_app, "/connexion")
    assert_french_error_page(response, 503)
    assert len(calls) == int(ts_app.registry.settings["retry.attempts"])
    assert response.headers["Retry-After"] == "5"
    assert "Service très sollicité" in response.text and "pas été enregistré" in response.text
    assert "écriture concurrente" not in response.text
    assert [r.levelname for r in caplog.records if r.name == "ts_host.errors"] == ["WARNING"]


@pytest.mark.parametrize(
    ("owner", "name"),
    [(LoginView, "values"), (transaction.TransactionManager, "commit")],
    ids=["in-the-view", "at-commit"],
)
def test_a_conflict_met_once_is_answered_by_the_next_attempt(ts_app, monkeypatch, owner, name):
    calls = conflicts(monkeypatch, owner, name, times=1)
    assert call(ts_app, "/connexion").status_code == 200
    assert len(calls) == 2


# --- came_from -------------------------------------------------------------


def login_with(app, came_from: str):
    page = app.get("/connexion", {"came_from": came_from})
    form = page.forms["connexion"]
    form["login"], form["password"] = "owner", keypad_positions(page, PASSWORD)
    return form.submit("submit", status="*")


@pytest.mark.parametrize(
    ("came_from", "location"),
    [
        ("/\u2044\u2044evil.example", f"{PUBLIC}/%E2%81%84%E2%81%84evil.example"),
        ("/\r\nSet-Cookie: pris=1", None),
        ("//evil.example/connexion", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("/aide?x=1&y=é", f"{PUBLIC}/aide?x=1&y=%C3%A9"),
    ],
)
def test_came_from_is_a_path_of_this_site_and_the_login_still_succeeds(
    client, cast, came_from, location
):
    app = client()
    response = login_with(app, came_from)
    assert response.status_int == 303
    assert response.headers["Location"] == (location or f"{PUBLIC}/")
    assert "pris" not in app.cookies and "ts_auth" in app.cookies


# --- Host ------------------------------------------------------------------


def test_a_forged_host_is_refused_on_every_page_and_never_echoed(ts_app, client, cast):
    app = client("owner")
    checked = 0
    for route, match in requests(ts_app.registry, "GET"):
        if route.name == "health":
            continue  # asked on each process's own address, builds no URL (test_storage_faults)
        path = route.path(pupil=cast.own, token="x" * 43, **match)
        response = app.get(path, headers={"Host": "evil.example"}, status="*")
        assert response.status_int == 400, path
        assert "evil.example" not in response.text + str(response.headers), path
        assert not header_problems(response), path
        checked += 1
    assert checked > 20


def test_redirects_and_absolute_urls_use_the_public_address(ts_app, client, cast):
    app = client()
    redirect = app.get("/compte", status=303)
    assert redirect.headers["Location"].startswith(f"{PUBLIC}/connexion")
    logged = client("owner")
    external = {"www.education.gouv.fr", "www.info.gouv.fr", "www.service-public.fr"}
    external |= {"www.legifrance.gouv.fr", "www.cnil.fr"}
    # The accessibility statement's means of redress (the RGAA's model).
    external |= {"formulaire.defenseurdesdroits.fr", "www.defenseurdesdroits.fr"}
    for route, match in requests(ts_app.registry, "GET"):
        page = logged.get(route.path(pupil=cast.own, token="x" * 43, **match), status="*")
        if "html" not in page.content_type:
            continue
        for url in re.findall(r'(?:href|src|action)="(https?://[^"]*)"', page.text):
            assert urlsplit(url).netloc in {"teleservices.test", *external}, url


# --- _LOCALE_ --------------------------------------------------------------


def test_only_the_shipped_languages_are_kept_as_translations(ts_app):
    def localizers() -> int:
        return len(list(ts_app.registry.getUtilitiesFor(ILocalizer)))

    call(ts_app, "/aide", "_LOCALE_=en")
    before = localizers()
    for number in range(60):
        response = call(ts_app, "/aide", f"_LOCALE_=xx-{number}{'a' * number}")
        assert response.status_code == 200
        assert '<html lang="fr"' in response.text
    assert localizers() == before
    english = call(ts_app, "/aide", "_LOCALE_=en")
    assert "help" in english.text.lower() or "Help" in english.text


# --- token pages -----------------------------------------------------------


def test_pages_with_a_token_in_their_address_are_never_stored(client, cast, site, tm, ts_app):
    with tm:
        account = site.accounts[site.logins["owner"]]
        reset = tokens.issue(site, ts_app.registry.ts_hasher, account, "reset", timedelta(hours=1))
    app = client()
    for path in (
        f"/mot-de-passe-oublie/{reset}",
        "/mot-de-passe-oublie/lien-faux",
        "/deverrouiller/lien-faux",
    ):
        headers = app.get(path).headers
        assert headers["Cache-Control"] == "no-store", path
        assert headers["Referrer-Policy"] == "no-referrer", path


# --- bodies ----------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_page_and_is_never_read(ts_app):
    body = io.BytesIO(b"a=" + b"x" * (70 * 1024))
    response = call(
        ts_app,
        "/connexion",
        method="POST",
        CONTENT_LENGTH=str(len(body.getvalue())),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        **{"wsgi.input": body},
    )
    assert_french_error_page(response, 413)
    assert "volumineux" in response.text
    assert body.tell() == 0, "refused, yet read (pyramid_retry copies bodies first)"


def test_a_chunked_body_without_length_over_the_limit_is_a_413_page(ts_app):
    body = io.BytesIO(b"a=" + b"x" * (2 * 1024 * 1024))
    response = call(
        ts_app,
        "/connexion",
        method="POST",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        **{"wsgi.input": body},
    )
    assert_french_error_page(response, 413)
    assert body.tell() <= 64 * 1024 + 1, "the guard read more than the limit"


def test_only_an_upload_form_s_path_takes_a_larger_body(ts_app):
    """The SIECLE upload declares a larger limit: for its path only, so that a
    large body sent anywhere else is still refused before anything reads it."""
    sizes = {}
    for path in ("/gestion/0541234Y/import-siecle", "/gestion/0541234Y/codes/refus"):
        body = io.BytesIO(b"a=" + b"x" * (200 * 1024))
        response = call(
            ts_app,
            path,
            method="POST",
            CONTENT_LENGTH=str(len(body.getvalue())),
            CONTENT_TYPE="application/x-www-form-urlencoded",
            **{"wsgi.input": body},
        )
        sizes[path] = response.status_int
    assert sizes == {
        "/gestion/0541234Y/import-siecle": 303,  # past the guard: the sign-in page
        "/gestion/0541234Y/codes/refus": 413,
    }


def test_a_chunked_body_under_the_limit_reaches_the_form(ts_app, client):
    app = client()
    page = app.get("/connexion")
    form = page.forms["connexion"]
    form["login"], form["password"] = "inconnu", keypad_positions(page, PASSWORD)
    body = urlencode(form.submit_fields("submit"))
    response = call(
        ts_app,
        "/connexion",
        method="POST",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_COOKIE="; ".join(f"{name}={value}" for name, value in app.cookies.items()),
        REMOTE_ADDR="192.0.2.20",
        **{"wsgi.input": io.BytesIO(body.encode())},
    )
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in response.text


# --- hypothesis over every part of a request -------------------------------

ROUGH_TEXT = st.text(st.characters(codec="latin-1"), max_size=40)
PERCENT = st.lists(
    st.one_of(
        st.sampled_from(
            ["%ff", "%c0%ae", "%00", "%0d%0a", "%2f", "%", "%e2%81%84", "/", "..", "?"]
        ),
        st.text(st.characters(codec="ascii"), max_size=5),
    ),
    max_size=8,
).map("".join)


def assert_held(response) -> None:
    assert response.status_code < 500, response.text[:300]
    assert not header_problems(response), header_problems(response)


@HYPOTHESIS
@given(path=st.one_of(ROUGH_TEXT, PERCENT), prefix=st.sampled_from(["/", "/eleve/", "/static/"]))
def test_any_path_is_answered_below_500_with_the_headers(ts_app, path, prefix):
    assert_held(call(ts_app, prefix + path))


@HYPOTHESIS
@given(
    query=st.one_of(PERCENT, ROUGH_TEXT),
    name=st.sampled_from(["_LOCALE_", "came_from", "x"]),
    path=st.sampled_from(["/aide", "/connexion", "/", "/identifiant-oublie"]),
)
def test_any_query_string_is_answered_below_500_with_the_headers(ts_app, query, name, path):
    assert_held(call(ts_app, path, f"{name}={query}"))
    assert_held(call(ts_app, path, query))


HEADER_NAMES = st.sampled_from(
    [
        "HTTP_HOST",
        "HTTP_ACCEPT_LANGUAGE",
        "HTTP_COOKIE",
        "HTTP_X_FORWARDED_FOR",
        "HTTP_X_FORWARDED_HOST",
        "HTTP_REFERER",
        "HTTP_USER_AGENT",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "HTTP_TRANSFER_ENCODING",
    ]
)


@HYPOTHESIS
@given(name=HEADER_NAMES, value=st.one_of(ROUGH_TEXT, PERCENT))
def test_any_header_is_answered_below_500_with_the_headers(ts_app, name, value):
    assert_held(call(ts_app, "/connexion", **{name: value}))


@HYPOTHESIS
@given(
    cookie=st.sampled_from(["ts_session", "ts_auth", "_LOCALE_", "x"]),
    value=st.one_of(ROUGH_TEXT, PERCENT),
)
def test_any_cookie_is_answered_below_500_with_the_headers(client, cast, cookie, value):
    app = client("owner")
    app.set_cookie(cookie, quote(value, safe=""))
    assert_held(app.get("/", status="*"))
    assert_held(app.get("/connexion", status="*"))


# --- bodies in the deployment: the application, nginx and waitress agree ----
#
# The application refuses, per route, a body larger than the route declared
# (``config.allow_body``; 64 KiB otherwise).  In front of it, nginx lets 1 MiB
# through everywhere but on the establishment office's pages, where the
# uploads are, and waitress takes at most the largest declared upload.  These
# tests fail when a route, the nginx site or an ini file drifts from the others.

ONE_MIB = 1024 * 1024
#: A value for each placeholder of a route's pattern, to build a URL of it.
SAMPLE_VALUES = {"uai": "0541234Y"}


def nginx_size(value: str) -> int:
    """nginx's ``1m``, ``512k``, ``2g`` or plain bytes."""
    factor = {"k": 1024, "m": ONE_MIB, "g": 1024 * ONE_MIB}.get(value[-1:].lower(), 1)
    return int(value.rstrip("kKmMgG")) * factor


def nginx_blocks(directives: list[dict], name: str) -> Iterator[dict]:
    """Every ``name`` directive among ``directives`` and their blocks, nested or not."""
    for directive in directives:
        if directive["directive"] == name:
            yield directive
        yield from nginx_blocks(directive.get("block", []), name)


def shipped_site() -> list[dict]:
    """The shipped nginx site, parsed by nginx's own parser for Python (crossplane)."""
    parsed = crossplane.parse(
        str(SHIPPED / "nginx-teleservices.conf"), single=True, check_ctx=False, comments=False
    )
    assert parsed["status"] == "ok", parsed["errors"]
    return parsed["config"][0]["parsed"]


def body_sizes(directives: list[dict]) -> list[str]:
    """The ``client_max_body_size`` given directly in ``directives`` (not nested)."""
    return [d["args"][0] for d in directives if d["directive"] == "client_max_body_size"]


def upload_location(site: list[dict]) -> tuple[re.Pattern, int]:
    """The one location of the site that takes more than the default: its
    regular expression and its body size."""
    larger = [
        location for location in nginx_blocks(site, "location") if body_sizes(location["block"])
    ]
    assert len(larger) == 1, [location["args"] for location in larger]
    modifier, expression = larger[0]["args"]
    assert modifier == "~", "a case-sensitive regular expression, as the routes are"
    return re.compile(expression), nginx_size(body_sizes(larger[0]["block"])[0])


def sample_path(route) -> str:
    """A URL path of ``route``: its placeholders filled in."""
    names = re.findall(r"[{*](\w+)", route.pattern)
    return route.generate({name: SAMPLE_VALUES.get(name, "x1") for name in names})


def upload_routes(ts_app) -> dict:
    """The routes that declared a body larger than the default, with their limit."""
    registry = ts_app.registry
    mapper = registry.getUtility(IRoutesMapper)
    return {
        mapper.get_route(name): size
        for name, size in registry.ts_body_limits.items()
        if size > registry.ts_default_body_limit
    }


def test_nginx_takes_large_bodies_on_the_office_s_pages_only(ts_app):
    """Every upload route is under the site's upload location, and that
    location holds the establishment office's pages and nothing else: not the
    families' pages, not the staff's sign-in."""
    pattern, _size = upload_location(shipped_site())
    uploads = upload_routes(ts_app)
    assert {route.name for route in uploads} >= {"office_siecle", "office_sts"}
    for route in uploads:
        path = sample_path(route)
        assert route.match(path) is not None, (route.name, path)
        assert pattern.search(path), f"{route.name} ({path}) gets nginx's 1 MiB"
        assert route.pattern.startswith("/gestion/{uai:"), route.name
    mapper = ts_app.registry.getUtility(IRoutesMapper)
    under = {route.name for route in mapper.get_routes() if pattern.search(sample_path(route))}
    office = {
        route.name for route in mapper.get_routes() if route.pattern.startswith("/gestion/{uai:")
    }
    assert under == office
    for path in ("/connexion", "/gestion/connexion", "/gestion/personnel", "/eleve/x1/notes"):
        assert not pattern.search(path), path


def test_nginx_and_waitress_take_the_largest_upload_and_little_more(ts_app):
    largest = max(upload_routes(ts_app).values())
    site = shipped_site()
    _pattern, office = upload_location(site)
    assert largest <= office <= largest + ONE_MIB
    # Everything else keeps 1 MiB: the HTTPS server's, nginx's default on
    # port 80 (it only redirects), and no other location sets one.
    servers = [d["block"] for d in site if d["directive"] == "server"]
    assert [body_sizes(server) for server in servers] == [[], ["1m"]]
    assert body_sizes(site) == []
    assert len(list(nginx_blocks(site, "client_max_body_size"))) == 2
    apps, servers = ini_sections("app:main"), ini_sections("server:main")
    assert {"production.ini", "development.ini"} <= set(servers)
    for name, server in servers.items():
        assert parse_size(apps[name]["ts.max_body_size"]) <= 64 * 1024, name
        # At least nginx's, so that what nginx lets through gets the portal's 413 page.
        assert office <= int(server["max_request_body_size"]) <= largest + ONE_MIB, name
        assert "inbuf_overflow" not in server, "waitress's 512 KiB, then a temporary file"


def test_the_application_refuses_a_body_over_each_upload_route_s_own_limit(ts_app):
    for route, size in upload_routes(ts_app).items():
        body = io.BytesIO(b"a=x")
        response = call(
            ts_app,
            sample_path(route),
            method="POST",
            CONTENT_LENGTH=str(size + 1),
            CONTENT_TYPE="multipart/form-data; boundary=x",
            **{"wsgi.input": body},
        )
        assert_french_error_page(response, 413)
        assert body.tell() == 0, route.name


def report_body(environ, start_response):
    """What the server gave the application: the body's size, and whether it
    is a file on disk (a ``fileno``) rather than bytes in memory."""
    body = environ["wsgi.input"]
    try:
        on_disk = body.fileno() >= 0
    except (AttributeError, OSError):  # io.UnsupportedOperation is an OSError
        on_disk = False
    size = len(body.read())
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{size} {on_disk}".encode()]


def waitress_options(ini: str) -> dict:
    """``[server:main]`` of ``ini`` as waitress takes it, but for the address."""
    options = ini_sections("server:main")[ini]
    return {k: v for k, v in options.items() if k not in {"use", "listen"}}


@pytest.mark.parametrize("ini", ["production.ini", "development.ini"])
def test_waitress_as_configured_refuses_more_and_keeps_a_large_body_on_disk(ini):
    """The backstop: a real waitress, with the ini's ``[server:main]``, before
    an application that takes anything.  A body announced over its limit is
    refused before it is sent (a chunked one once the limit is passed:
    waitress's own rule); a large upload waits in a temporary file, not in
    the process's memory."""
    options = waitress_options(ini)
    limit = int(options["max_request_body_size"])
    with threaded_waitress(report_body, **options) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("POST", "/gestion/0541234Y/import-siecle")
        connection.putheader("Content-Length", str(limit + 1))
        connection.endheaders()
        assert connection.getresponse().status == 413
        connection.close()

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/gestion/0541234Y/import-siecle", body=b"x" * (2 * ONE_MIB))
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, f"{2 * ONE_MIB} True".encode())
        connection.close()


def test_a_route_may_declare_a_larger_body(ts_app):
    """``config.allow_body(route, size)``: an upload form's route takes more."""
    registry = ts_app.registry
    body = b"a=" + b"x" * (100 * 1024)
    environ = {
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    refused = call(ts_app, "/aide", method="POST", **environ, **{"wsgi.input": io.BytesIO(body)})
    assert refused.status_code == 413
    registry.ts_body_limits["help"] = 256 * 1024
    guard = Guard(ts_app.app, registry)
    accepted = call(guard, "/aide", method="POST", **environ, **{"wsgi.input": io.BytesIO(body)})
    assert accepted.status_code == 400  # past the size check, the CSRF check answers
    other = call(guard, "/connexion", method="POST", **environ, **{"wsgi.input": io.BytesIO(body)})
    assert other.status_code == 413  # the other routes keep the default
