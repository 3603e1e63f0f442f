"""The application: secrets, mail through the transaction, headers, evolution."""

import socket
import time

import pytest
import transaction
from pyramid_mailer.mailer import Mailer
from pyramid_mailer.message import Message

from ts_host import main
from ts_host.mail import DirectoryMailer
from ts_host.settings import MissingSecret


@pytest.mark.parametrize("name", ["ts.session_secret", "ts.auth_secret", "ts.password_pepper"])
def test_the_app_refuses_to_start_without_a_secret_and_names_it(ts_settings, name, monkeypatch):
    for variable in ("TS_SESSION_SECRET", "TS_AUTH_SECRET", "TS_PASSWORD_PEPPER"):
        monkeypatch.delenv(variable, raising=False)
    settings = {k: v for k, v in ts_settings.items() if k != name}
    with pytest.raises(MissingSecret, match=name):
        main({}, **settings)


def test_secrets_may_come_from_the_environment(ts_settings, monkeypatch):
    monkeypatch.setenv("TS_PASSWORD_PEPPER", "pepper-from-the-environment-0123456789")
    settings = {k: v for k, v in ts_settings.items() if k != "ts.password_pepper"}
    assert main({}, **settings).registry.settings["ts.password_pepper"].startswith("pepper")


def test_a_short_or_reused_secret_is_refused(ts_settings):
    with pytest.raises(MissingSecret, match="trop court"):
        main({}, **{**ts_settings, "ts.auth_secret": "court"})
    with pytest.raises(MissingSecret, match="différent"):
        main({}, **{**ts_settings, "ts.auth_secret": ts_settings["ts.session_secret"]})


def test_production_ini_carries_no_secret():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "etc" / "production.ini").read_text()
    assert "ts.session_secret" not in text and "ts.password_pepper" not in text


def test_a_mail_leaves_only_when_the_transaction_commits(tmp_path):
    manager = transaction.TransactionManager(explicit=True)
    mailer = Mailer(smtp_mailer=DirectoryMailer(tmp_path), transaction_manager=manager)
    message = Message(
        subject="Essai", sender="a@example.org", recipients=["b@example.org"], body="Corps"
    )
    with manager:
        mailer.send(message)
        manager.abort()
        manager.begin()
    assert list(tmp_path.glob("*.eml")) == []
    with manager:
        mailer.send(message)
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_in_production_mail_goes_through_a_real_smtp_server(ts_settings):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Inbox(Sink):
        received: list = []

        async def handle_DATA(self, server, session, envelope):
            self.received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = {k: v for k, v in ts_settings.items() if k != "mail.directory"}
        app = main({}, **{**settings, "mail.host": "127.0.0.1", "mail.port": str(port)})
        from pyramid.scripting import prepare
        from pyramid_mailer import get_mailer

        env = prepare(registry=app.registry)
        manager = transaction.TransactionManager(explicit=True)
        mailer = get_mailer(env["request"]).bind(transaction_manager=manager)
        with manager:
            mailer.send(
                Message(
                    subject="Compte créé",
                    recipients=["parent@example.org"],
                    body="Votre identifiant : dupont",
                )
            )
        env["closer"]()
        deadline = time.monotonic() + 5
        while not handler.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert handler.received[0].rcpt_tos == ["parent@example.org"]
        assert b"dupont" in handler.received[0].content
    finally:
        controller.stop()


def test_responses_carry_the_security_headers(testapp):
    response = testapp.get("/connexion")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in response.headers
    assert "Server" not in response.headers


def test_pages_behind_login_are_not_cached(family_app):
    assert family_app.get("/").headers["Cache-Control"] == "no-store"


def test_the_login_page_renders_in_the_dsfr_layout(testapp):
    page = testapp.get("/connexion")
    assert page.html.select_one("header.fr-header")
    assert page.html.select_one("footer.fr-footer")
    assert "scolarité services" in page.html.select_one(".fr-header__service-title").text
    assert "académie de test" in page.text
    assert page.html.select_one("link[href*='dsfr.main.min.css?x=']")
    assert not [s for s in page.html.select("script") if not s.get("src")]


def test_static_files_are_served(testapp):
    assert testapp.get("/static/dsfr/dsfr.main.min.css").content_type == "text/css"
    assert testapp.get("/static/ts/forms.js").status_int == 200


def test_evolve_stamps_a_new_database_and_runs_later_steps(ts_app, site, tm):
    from ts_host import evolve
    from ts_host.api import EvolveStep

    applied = []
    steps = (
        EvolveStep(1, "première étape", lambda s: applied.append(1)),
        EvolveStep(2, "deuxième étape", lambda s: applied.append(2)),
    )
    with tm:
        site.generations[evolve.HOST] = 0
    original = evolve.HOST_STEPS
    evolve.HOST_STEPS = steps
    try:
        lines = evolve.evolve(lambda: site, ts_app.registry.ts_plugins, tm)
    finally:
        evolve.HOST_STEPS = original
    assert applied == [1, 2]
    assert len(lines) == 2
    with tm:
        assert site.generations[evolve.HOST] == 2


def test_the_log_says_when_the_database_needs_evolving(ts_app, ts_settings, caplog):
    import logging

    from ts_host import evolve
    from ts_host.testing import open_site

    with open_site(ts_app) as site:
        site.generations[evolve.HOST] = 0
    with caplog.at_level(logging.WARNING, logger="ts_host.evolve"):
        evolve.warn_when_behind(type("Event", (), {"app": ts_app}))
    assert "ts-admin evolve" in caplog.text
