"""« Gérer son compte » › notifications, and the one-click unsubscribe link:
the form (CSRF, audited), the link's GET (no change) and POST (no login, only
that preference), forged or damaged links (a French refusal, never a 500)."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from urllib.parse import urlsplit

import pytest

from ts_host.api import report_event
from ts_host.models.notifications import (
    DIGEST,
    IMMEDIATE,
    NONE,
    Mail,
    Preferences,
    Recipient,
    preferences,
    set_preferences,
)
from ts_host.notifications.sending import Builder
from ts_host.notifications.tokens import unsubscribe_token
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, TEST_SECRETS

SECRET = TEST_SECRETS["ts.auth_secret"]


@pytest.fixture(scope="session")
def ts_enabled_services():
    """The grades in A (the configuration of test_gdpr: one demo base for both)."""
    return {ESTABLISHMENT_A: ["notes"], ESTABLISHMENT_B: []}


def test_the_account_page_leads_to_the_notifications_form(family_app):
    page = family_app.get("/compte")
    form_page = page.click(href="/compte/notifications")
    assert "Vos notifications par courriel" in form_page.text
    assert "un résumé par jour" in form_page.text


def test_a_mail_s_link_opens_the_page_it_names(ts_app, family_app, family, site, tm):
    """The mail's « Voir la page » link is the service's page itself: a
    trailing slash after it (« /eleve/<id>/notes/ ») was a 404."""
    recipient = Recipient(family.account_id, "", "famille.test@example.org", "fr")
    with tm:
        pupil = site.pupils[family.pupil_ids[0]]
        event = report_event(site, pupil, "notes", "notes", "De nouvelles notes sont publiées.")
        message = Builder(ts_app.registry, site).build(Mail("m", recipient, (event,), False))
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/eleve/\S+", text)
    page = family_app.get(urlsplit(link).path)
    assert page.status_int == 200 and pupil.first_name in page.text


def test_choices_are_saved_and_audited(family_app, family, site, tm, caplog):
    form = family_app.get("/compte/notifications").forms["notifications"]
    assert form["h0-notes"].value == DIGEST  # the default, before any choice
    form["h0-notes"] = IMMEDIATE
    with caplog.at_level(logging.INFO, logger="ts_host.audit"):
        response = form.submit("submit")
    assert response.status_int == 303
    assert "account.notifications_changed" in caplog.text
    with tm:
        chosen = preferences(site.accounts[family.account_id])
        assert (chosen.mode("notes"), chosen.language) == (IMMEDIATE, "fr")


def test_a_choice_outside_the_three_is_refused(family_app, family, site, tm):
    form = family_app.get("/compte/notifications").forms["notifications"]
    form["h0-notes"].force_value("toutes-les-heures")
    response = form.submit("submit")
    assert response.status_int == 200 and "erreurs" in response.text
    with tm:
        assert site.accounts[family.account_id].notification_preferences is None


def test_the_form_needs_its_csrf_token(family_app):
    form = family_app.get("/compte/notifications").forms["notifications"]
    form["csrf_token"] = "forged"
    assert form.submit("submit", expect_errors=True).status_int == 400


def test_the_form_needs_a_login(testapp):
    response = testapp.get("/compte/notifications")
    assert response.status_int == 303 and "/connexion" in response.location


def test_the_link_shows_a_confirmation_and_changes_nothing(testapp, family, site, tm):
    token = unsubscribe_token(SECRET, family.account_id, "", ["notes"])
    page = testapp.get(f"/desabonnement/{token}")
    assert "Vous ne recevrez plus de courriel pour ces services" in page.text
    assert "Les notes" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    with tm:
        assert site.accounts[family.account_id].notification_preferences is None


def test_one_click_post_turns_off_that_service_only_without_login(
    testapp, family, site, tm, caplog
):
    with tm:
        chosen = Preferences(modes={"notes": IMMEDIATE, "absences": IMMEDIATE})
        set_preferences(site.accounts[family.account_id], "", chosen)
    token = unsubscribe_token(SECRET, family.account_id, "", ["notes"])
    # What a mail client sends (RFC 8058): no session, no CSRF token.
    with caplog.at_level(logging.INFO, logger="ts_host.audit"):
        response = testapp.post(
            f"/desabonnement/{token}",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_int == 200 and "C'est fait" in response.text
    assert "account.notifications_unsubscribed" in caplog.text
    assert token not in caplog.text
    with tm:
        chosen = preferences(site.accounts[family.account_id])
        assert (chosen.mode("notes"), chosen.mode("absences")) == (NONE, IMMEDIATE)


def test_forged_damaged_or_stale_links_are_refused_in_french(testapp, family, site, tm):
    other_secret = "another-secret-0123456789abcdef0123456789abcdef"
    tokens = [
        "nimporte-quoi",
        "e30",  # a signature-less "{}"
        unsubscribe_token(SECRET, family.account_id, "", ["notes"])[:-4] + "AAAA",
        unsubscribe_token(other_secret, family.account_id, "", ["notes"]),
        unsubscribe_token(SECRET, "acct-inconnu", "", ["notes"]),
    ]
    for token in tokens:
        for method in (testapp.get, testapp.post):
            response = method(f"/desabonnement/{token}", expect_errors=True)
            assert response.status_int == 400, (token, response.status)
            assert "Ce lien de désabonnement n'est pas valable" in response.text, (
                token,
                method,
                response.text[response.text.find("<main") :][:600],
            )
    # An address that is not UTF-8 is refused by the host before any view.
    assert testapp.post("/desabonnement/%ff%fe", expect_errors=True).status_int == 400
    with tm:
        assert site.accounts[family.account_id].notification_preferences is None
