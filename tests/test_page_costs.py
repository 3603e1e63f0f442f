"""Pages do no needless work: each one is paid for at the evening peak.

The benchmark (bench/) measures the pages; these hold the savings it led to.
"""

from pyramid.authentication import AuthTktCookieHelper
from pyramid.request import Request

from ts_host.layout import Layout

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
