"""Absence justification in Chromium (issue 19): a family announces an absence,
the vie scolaire accepts it in the office, the family sees it accepted.

The vie scolaire's account is opened by the académie on the web, as the
office's journey does (``test_office``).  One viewport, the phone's: the
narrow layout is where these pages' tables and forms could break; every
page passes ``Journey.check`` (axe, HTML_CodeSniffer, layout).
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .pages import PASSWORD, logged_in
from .server import link_in
from .test_office import NAMES, activate_and_enrol, sign_out
from .test_services import open_service

pytestmark = pytest.mark.browser

NOTE = "Bien noté, bon courage pour l'examen."


def next_school_day(after: date) -> date:
    day = after + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def open_vie_scolaire_account(journey, login: str, uai: str, name: str) -> str:
    """The académie, signed in, opens a vie scolaire account for the establishment
    ``uai`` named ``name``: the address its activation link is mailed to."""
    page = journey.page
    address = f"{login}@ac-exemple.fr"
    journey.follow(page.get_by_role("link", name="Comptes du personnel"))
    page.get_by_label("identifiant").fill(login)
    page.get_by_label("nom et prénom").fill("Claude Vie-Scolaire")
    page.get_by_label("adresse e-mail professionnelle").fill(address)
    page.locator("label").filter(has_text=re.compile(r"^Vie scolaire$")).click()
    page.locator("label").filter(has_text=f"{name} ({uai})").click()
    page.get_by_role("button", name="Créer le compte et envoyer le lien").click()
    expect(page.get_by_text(f"Compte « {login} » créé")).to_be_visible()
    return address


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_family_announces_an_absence_the_vie_scolaire_accepts_it(journey, server, viewport):
    page = journey.page
    family = logged_in(journey, server, "absences")
    child = open_service(journey, server, family, "absences")
    journey.follow(page.get_by_role("link", name="Annoncer une absence"))
    journey.check("annoncer une absence")
    day = next_school_day(date.today())
    page.get_by_label("Premier jour d'absence").fill(day.isoformat())
    page.get_by_label("Dernier jour d'absence").fill(day.isoformat())
    # The DSFR draws radios on their labels: a person clicks those.
    page.locator("fieldset").filter(has_text="À partir de").locator("label").filter(
        has_text="le matin"
    ).click()
    page.locator("fieldset").filter(has_text="Jusqu'à").locator("label").filter(
        has_text="l'après-midi"
    ).click()
    page.get_by_label("Motif").select_option(label="Rendez-vous médical")
    page.get_by_label("Commentaire").fill("Consultation chez l'orthodontiste.")
    page.locator("main form [type=submit]").first.click()
    expect(page.get_by_text("Votre absence annoncée est envoyée")).to_be_visible()
    announced = page.locator("table").filter(has_text="Absences annoncées")
    expect(announced.locator("tbody tr").first).to_contain_text("justification envoyée")
    journey.check("absence annoncée")
    journey.log_out()

    academie, link = server.take_academie_account()
    activate_and_enrol(journey, server.path_of(link), academie, "académie")
    login = f"vie-scolaire-{viewport}"
    address = open_vie_scolaire_account(journey, login, child.uai, NAMES[child.uai])
    sign_out(journey)

    mail = server.wait_for_mail(address, "Votre compte de gestion")
    activate_and_enrol(
        journey, server.path_of(link_in(mail, "/gestion/activer/")), login, "vie scolaire"
    )
    journey.follow(page.get_by_role("link", name=NAMES[child.uai]))
    expect(page.get_by_text("Justifications en attente : 1.")).to_be_visible()
    journey.follow(page.get_by_role("link", name="Traiter les justifications d'absence"))
    journey.check("justifications d'absence")
    item = page.locator("main section").filter(has_text="Consultation chez l'orthodontiste.")
    item.get_by_label("Note pour la famille").fill(NOTE)
    item.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("Justification acceptée.")).to_be_visible()
    expect(page.get_by_text("Aucune justification en attente.")).to_be_visible()
    journey.check("justification acceptée")
    journey.follow(page.get_by_role("link", name="Importer le fichier des absences"))
    journey.check("import des absences")
    sign_out(journey)

    journey.log_in_by_mouse(f"absences.{viewport}", PASSWORD)
    open_service(journey, server, family, "absences")
    row = page.locator("table").filter(has_text="Absences annoncées").locator("tbody tr").first
    expect(row).to_contain_text("acceptée")
    expect(row).to_contain_text(NOTE)
    journey.check("absence acceptée")
