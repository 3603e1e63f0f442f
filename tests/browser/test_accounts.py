"""Accounts in Chromium, as families use them (guide, sections 2.1 and 2.2).

A responsable creates an account for two children by typing one code and
pasting the other, logs in with the keypad by mouse and again with the
keyboard only, recovers a forgotten password through the mail, and locks
the account with five wrong passwords.  Every journey runs on a phone-sized
viewport and on a desktop one, and every page and dialog it shows passes
``Journey.check`` (axe WCAG 2.1 A/AA, console without error, reflow).

Screenshots: each step is captured as ``test-artifacts/<test name>/NN-step.png``;
the folder is deleted when the test passes and kept when it fails, with the
browser console and the server's log.
"""

import re

import pytest
from playwright.sync_api import expect

from .pages import ANSWERS, digits_label
from .server import link_in, mail_text

pytestmark = pytest.mark.browser

PASSWORD = "48613972"
NEW_PASSWORD = "73916248"
WRONG_PASSWORD = "51847263"
FAILED = "Identifiant ou mot de passe incorrect"


def test_a_parent_creates_an_account_for_two_children_then_logs_in_by_mouse_and_by_keyboard(
    journey, server
):
    family = server.take_family()
    login = f"parent.{journey.viewport}"
    page = journey.page

    journey.visit("/connexion")
    journey.check("login page")
    page.get_by_role("link", name="Vous êtes un Parent").click()
    expect(journey.heading("Créez votre compte")).to_be_visible()
    journey.check("creation form")

    journey.fill_children(family, paste_second=True)
    journey.fill_credentials(login, PASSWORD, PASSWORD[:-1] + "0")
    journey.fill_questions(ANSWERS)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("alert").first).to_contain_text("Le formulaire contient des erreurs")
    journey.check("confirmation refused")
    journey.assert_errors_tied_to_fields()
    for number, child in enumerate(family.children, start=1):
        journey.assert_code_boxes(page.get_by_role("group", name=f"Enfant {number}"), child.code)
    expect(journey.keypad_announcement("votre mot de passe")).to_have_text(digits_label(0))

    journey.type_by_mouse("votre mot de passe", PASSWORD)
    journey.type_by_mouse("… confirmation du mot de passe", PASSWORD)
    page.get_by_role("button", name="Valider").click()
    expect(journey.heading("Confirmation de la création de votre compte")).to_be_visible()
    journey.check("account created")
    mail = mail_text(server.wait_for_mail(f"{login}@example.org", "Votre compte"))
    assert login in mail and PASSWORD not in mail
    assert all(child.first_name in mail for child in family.children)

    page.get_by_role("link", name="valider").click()
    journey.log_in_by_mouse(login, PASSWORD)
    expect(journey.heading("Bienvenue")).to_be_visible()
    expect(page.get_by_text("2 enfants sont rattachés à votre compte.")).to_be_visible()
    journey.check("dashboard after login by mouse")
    journey.log_out()

    journey.visit("/connexion")
    journey.tab_to(page.get_by_label("votre identifiant"))
    page.keyboard.type(login)
    journey.type_by_keyboard("votre mot de passe", PASSWORD + PASSWORD[0])
    erase = journey.keypad("votre mot de passe").get_by_role("button", name=re.compile("^Suppr"))
    journey.tab_to(erase)
    page.keyboard.press("Enter")
    expect(journey.keypad_announcement("votre mot de passe")).to_have_text(
        digits_label(len(PASSWORD))
    )
    journey.tab_to(page.get_by_role("button", name="Valider"))
    page.keyboard.press("Enter")
    expect(journey.heading("Bienvenue")).to_be_visible()
    journey.check("dashboard after login by keyboard")
    journey.log_out()
    journey.visit("/")
    expect(journey.heading("Accédez à votre compte")).to_be_visible()


@pytest.mark.parametrize("locale", ["en-US"])
def test_in_an_english_browser_a_birth_date_is_typed_as_its_hint_says(journey, server):
    family = server.take_family()
    page = journey.page
    journey.visit("/creer-compte/responsable")
    journey.fill_children(family)
    journey.fill_credentials(f"anglais.{journey.viewport}", PASSWORD, PASSWORD[:-1] + "0")
    journey.fill_questions(ANSWERS)
    page.get_by_role("button", name="Valider").click()  # the confirmation differs: refused
    expect(page.get_by_role("alert").first).to_contain_text("Le formulaire contient des erreurs")
    for number, child in enumerate(family.children, start=1):
        row = page.get_by_role("group", name=f"Enfant {number}", exact=True)
        expect(row.get_by_label("Né(e) le")).to_have_value(child.birth_date.strftime("%d/%m/%Y"))
        expect(row.locator(".fr-error-text")).to_have_count(0)
    journey.check("dates read day first in an English browser")


def test_a_forgotten_identifiant_and_password_are_recovered_through_the_mail(journey, server):
    family = server.take_family()
    login = f"oubli.{journey.viewport}"
    address = f"{login}@example.org"
    page = journey.page
    journey.create_account(family, login, PASSWORD)

    journey.visit("/connexion")
    page.get_by_role("link", name="identifiant oublié ?").click()
    journey.check("forgotten identifiant")
    page.get_by_label("votre adresse e-mail").fill(address)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("un courriel vient d'être envoyé")).to_be_visible()
    journey.check("identifiant sent")
    assert f"- {login}" in mail_text(server.wait_for_mail(address, "Vos identifiants"))

    known = len(server.mails_to(address))
    page.get_by_role("link", name="mot de passe oublié ?").click()
    journey.check("forgotten password")
    page.get_by_label("votre identifiant").fill(login)
    page.get_by_label("votre adresse e-mail").fill(address)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("un courriel vient d'être envoyé")).to_be_visible()
    journey.check("reset link sent")
    mail = server.wait_for_mail(address, "Réinitialiser votre mot de passe", known)

    journey.visit(server.path_of(link_in(mail, "/mot-de-passe-oublie/")))
    journey.check("security questions")
    for question, answer in ANSWERS.items():
        page.get_by_label(question).fill(answer.upper())
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Choisissez votre nouveau mot de passe")).to_be_visible()
    journey.check("new password")
    journey.type_by_mouse("nouveau mot de passe", NEW_PASSWORD)
    journey.type_by_mouse("… confirmation du mot de passe", NEW_PASSWORD)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Votre mot de passe est changé")).to_be_visible()
    journey.check("password changed")
    server.wait_for_mail(address, "Votre mot de passe a été changé", known)

    journey.log_in_by_mouse(login, PASSWORD)
    expect(page.get_by_text(FAILED)).to_be_visible()
    journey.log_in_by_mouse(login, NEW_PASSWORD)
    expect(journey.heading("Bienvenue")).to_be_visible()
    journey.check("dashboard with the new password")
    journey.log_out()


def test_five_wrong_passwords_lock_the_account_until_the_mailed_link(journey, server):
    family = server.take_family()
    login = f"verrou.{journey.viewport}"
    address = f"{login}@example.org"
    page = journey.page
    journey.create_account(family, login, PASSWORD)

    for attempt in range(1, 6):
        journey.log_in_by_mouse(login, WRONG_PASSWORD)
        expect(page.get_by_text(FAILED)).to_be_visible()
        if attempt in (1, 5):
            journey.check(f"wrong password {attempt}")
            journey.assert_errors_tied_to_fields()
    mail = server.wait_for_mail(address, "est verrouillé")
    assert login in mail_text(mail)

    journey.log_in_by_mouse(login, PASSWORD)
    expect(page.get_by_text(FAILED)).to_be_visible()
    journey.check("locked: the right password is refused")

    journey.visit(server.path_of(link_in(mail, "/deverrouiller/")))
    journey.check("unlock page")
    page.get_by_role("button", name="Débloquer mon compte").click()
    expect(page.get_by_text("Votre compte est débloqué")).to_be_visible()
    journey.check("unlocked")
    journey.log_in_by_mouse(login, PASSWORD)
    expect(journey.heading("Bienvenue")).to_be_visible()
    journey.log_out()
