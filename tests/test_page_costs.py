"""Pages do no needless work: each one is paid for at the evening peak.

The benchmark (bench/) measures the pages; these hold the savings it led to.
"""

import webtest
from pyramid.authentication import AuthTktCookieHelper
from pyramid.request import Request

from ts_host.layout import Layout
from ts_host.models import Role
from ts_host.testing import ESTABLISHMENT_A, make_staff, staff_login

SENT_START = "Si ces informations correspondent à un compte"


def test_a_page_without_messages_does_not_send_the_session_again(family_app):
    family_app.get("/")
    again = family_app.get("/")
    assert not [c for c in again.headers.getall("Set-Cookie") if c.startswith("ts_session=")]


def test_a_message_is_still_shown_once(testapp, family):
    form = testapp.get("/mot-de-passe-oublie").forms["mot-de-passe-oublie"]
    form["login"] = family.login
    form["email"] = "famille.test@example.org"
    shown = form.submit("submit").follow()
    assert SENT_START in shown.text
    assert SENT_START not in testapp.get("/connexion").text


def test_the_identity_is_looked_up_once_a_request(family_app, monkeypatch):
    calls = []
    identify = AuthTktCookieHelper.identify

    def counting(self, request):
        calls.append(request)
        return identify(self, request)

    monkeypatch.setattr(AuthTktCookieHelper, "identify", counting)
    family_app.get("/")
    assert len(calls) == 1


def test_asset_urls_are_pyramids_whatever_the_host_and_prefix(ts_app):
    for base_url in ("http://teleservices.test", "https://ac-exemple.fr/portail"):
        request = Request.blank("/", base_url=base_url)
        request.registry = ts_app.registry
        for path in ("dsfr/icons.css", "ts/app.css", "dsfr/icons.css"):
            expected = request.static_url(f"ts_host:static/{path}")
            assert Layout(request).static_url(path) == expected


def test_the_cached_header_and_footer_change_no_page(testapp, family_app, site, tm, ts_app):
    """Anonymous, family (with its CSRF token), English and staff pages, each
    rendered anew and then from one cache shared by all of them."""
    with tm:
        hasher = ts_app.registry.ts_hasher
        member = make_staff(site, hasher, "chef", Role.ETABLISSEMENT, [ESTABLISHMENT_A])
    staff_app = webtest.TestApp(ts_app, extra_environ=testapp.extra_environ)
    staff_login(staff_app, member)
    pages = [
        (testapp, "/aide"),
        (testapp, "/aide?_LOCALE_=en"),
        (family_app, "/"),
        (family_app, "/?_LOCALE_=en"),
        (family_app, "/compte"),
        (staff_app, "/gestion/"),
    ]
    ts_app.registry.ts_chrome = None
    rendered = [app.get(path).body for app, path in pages]
    ts_app.registry.ts_chrome = {}
    for _round in range(2):
        assert [app.get(path).body for app, path in pages] == rendered
    token = family_app.get("/").html.find("input", attrs={"name": "csrf_token"})["value"]
    assert len(token) > 20 and token in family_app.get("/compte").text
