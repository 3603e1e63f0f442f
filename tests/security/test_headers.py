"""Headers and cookies on every response of every route, logged in or not."""

from __future__ import annotations

import configparser
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from ts_host import main, tokens
from ts_host.testing import PASSWORD, TestApp, keypad_positions, make_account, open_site

from ..threaded_waitress import threaded_waitress
from .routes import requests

ETC = Path(__file__).resolve().parents[2] / "etc"


def every_page(app, registry, **values):
    """GET each route (each ``match_param`` value apart): ``(path, response)``."""
    for route, match in requests(registry, "GET"):
        path = route.path(**values, **match)
        yield path, app.get(path, status="*")


@pytest.fixture
def values(cast, site, tm, ts_app) -> dict:
    """Placeholder values that reach real pages: the owner's pupil, a live reset link."""
    with tm:
        account = site.accounts[site.logins["owner"]]
        reset = tokens.issue(site, ts_app.registry.ts_hasher, account, "reset", timedelta(hours=1))
        responsable = site.pupils[cast.own].responsables[0].responsable_id
    return {"pupil": cast.own, "responsable": responsable, "token": reset}


def csp_problems(csp: str) -> list[str]:
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    sources = {source for values in directives.values() for source in values}
    problems = [word for word in ("'unsafe-inline'", "'unsafe-eval'", "*") if word in sources]
    for name in ("object-src", "base-uri", "frame-ancestors"):
        if directives.get(name) != ["'none'"]:
            problems.append(f"{name} {directives.get(name)}")
    if "default-src" not in directives:
        problems.append("no default-src")
    return problems


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonyme", "connecté"])
def test_every_response_carries_the_security_headers(ts_app, client, values, logged_in):
    app = client("owner" if logged_in else None)
    checked, problems = 0, []
    for path, response in every_page(app, ts_app.registry, **values):
        headers = response.headers
        found = csp_problems(headers.get("Content-Security-Policy", ""))
        if headers.get("X-Content-Type-Options") != "nosniff":
            found.append("nosniff")
        if headers.get("Referrer-Policy") not in ("no-referrer", "same-origin"):
            found.append(f"Referrer-Policy {headers.get('Referrer-Policy')}")
        if {"Server", "X-Powered-By"} & set(headers.keys()):
            found.append("version banner")
        if "Strict-Transport-Security" in headers:
            found.append("HSTS over plain HTTP")
        behind_login = logged_in or path.startswith("/eleve/")
        if behind_login and "no-store" not in headers.get("Cache-Control", ""):
            found.append(f"Cache-Control {headers.get('Cache-Control')}")
        problems += [f"{path} ({response.status_int}): {f}" for f in found]
        checked += 1
    assert checked > 20
    assert not problems


def test_pages_whose_address_carries_a_token_send_no_referrer(client, values, cast):
    app = client()
    for path in (
        f"/mot-de-passe-oublie/{values['token']}",
        "/mot-de-passe-oublie/lien-faux",
        "/deverrouiller/lien-faux",
    ):
        assert app.get(path).headers["Referrer-Policy"] == "no-referrer", path


def test_hsts_is_sent_over_https(client):
    app = client()
    assert (
        "max-age="
        in app.get("https://teleservices.test/connexion").headers["Strict-Transport-Security"]
    )


def cookie_problems(set_cookie: str, secure: bool) -> list[str]:
    attributes = [part.strip().lower() for part in set_cookie.split(";")[1:]]
    names = {a.split("=")[0] for a in attributes}
    problems = []
    if "httponly" not in names:
        problems.append("HttpOnly")
    if "samesite=lax" not in attributes and "samesite=strict" not in attributes:
        problems.append("SameSite")
    if secure and "secure" not in names:
        problems.append("Secure")
    if "domain" in names:
        problems.append("Domain")
    return problems


@pytest.mark.parametrize("development", [True, False], ids=["développement", "production"])
def test_every_cookie_is_httponly_samesite_hostonly_and_secure_outside_development(
    ts_settings, pupil_enabled, development
):
    settings = {**ts_settings, "ts.development": str(development).lower()}
    wsgi = main({}, **settings)
    with open_site(wsgi) as site:
        make_account(site, wsgi.registry.ts_hasher, [pupil_enabled], "owner")
        responsable = site.pupils[pupil_enabled].responsables[0].responsable_id
    values = {"pupil": pupil_enabled, "responsable": responsable, "token": "x" * 43}
    base = "http://teleservices.test" if development else "https://teleservices.test"
    app = TestApp(wsgi, extra_environ={"HTTP_HOST": "teleservices.test"})
    page = app.get(f"{base}/connexion")
    form = page.forms["connexion"]
    form["login"], form["password"] = "owner", keypad_positions(page, PASSWORD)
    responses = [page, form.submit("submit", status=303)]
    responses += [
        app.get(f"{base}{path}", status="*") for path, _ in every_page(app, wsgi.registry, **values)
    ]
    cookies = [c for r in responses for c in r.headers.getall("Set-Cookie")]
    assert {c.split("=")[0] for c in cookies} >= {"ts_session", "ts_auth"}
    problems = {c.split("=")[0]: cookie_problems(c, secure=not development) for c in cookies}
    assert not any(problems.values()), problems


def ini_sections(section: str) -> dict[str, dict]:
    """``section`` of each ini file of etc/ that has one, by file name."""
    found = {}
    for path in sorted(ETC.glob("*.ini")):
        ini = configparser.ConfigParser(interpolation=None)
        ini.read(path, encoding="utf-8")
        if ini.has_section(section):
            found[path.name] = dict(ini[section])
    return found


def test_every_ini_file_silences_waitress_banner_and_tracebacks():
    sections = ini_sections("server:main")
    assert "production.ini" in sections and "development.ini" in sections
    for name, server in sections.items():
        assert server["use"] == "egg:waitress#main", name
        assert "ident" in server and server["ident"] == "", name
        assert server.get("expose_tracebacks", "false").lower() in ("false", "0", "no"), name


def test_no_debug_toolbar_or_debug_setting_outside_development():
    for name, app in ini_sections("app:main").items():
        development = app.get("ts.development", "false").lower() == "true"
        assert "debugtoolbar" not in app.get("pyramid.includes", ""), name
        if not development:
            debug = [k for k, v in app.items() if k.startswith("pyramid.debug") and v != "false"]
            assert not debug, name
            assert app.get("pyramid.reload_templates", "false") == "false", name
            assert app.get("ts.secure_cookies", "true") != "false", name


def test_waitress_as_configured_sends_no_server_header(ts_app):
    """A real waitress, with the ``[server:main]`` of production.ini."""
    options = ini_sections("server:main")["production.ini"]
    with threaded_waitress(
        ts_app, ident=options["ident"], threads=1, clear_untrusted_proxy_headers=True
    ) as port:
        for path in ("/connexion", "/eleve/x/rien", "/static/ts/forms.js", "/nulle-part"):
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}")
            except urllib.error.HTTPError as error:
                response = error
            assert response.headers.get("Server") is None, path
            assert b"waitress" not in response.read().lower(), path
