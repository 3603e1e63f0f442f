"""The establishment office in Chromium, as the README's first steps run it (issue 17).

A family asks, from its fiche, to change a phone number.  The académie
account comes from ``ts-admin staff add``; it activates, signs in with TOTP,
opens an établissement account for a demo establishment and the family's,
which activates from its mail, enrols, and works: the family's request
accepted, the dashboard, a class's codes, one code regenerated, one
refusal, one code e-mailed, the class's letters, and a SIECLE import
(previewed on the phone, confirmed on the desktop: it makes the demo's
pupils of that establishment leave).  Every page passes
``Journey.check`` (axe, HTML_CodeSniffer, layout) at both viewports.
"""

import re
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from .pages import logged_in
from .server import link_in
from .test_services import open_service

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).parents[1] / "data" / "siecle"
NEW_MOBILE = "07 12 34 56 78"
PASSWORD = "une phrase de passe pour la gestion"
#: Each viewport's journey works for its own demo establishment (the import
#: at its end makes that establishment's demo pupils leave).
ESTABLISHMENTS = {
    "phone": ("0541234Y", "Collège Jean Lamour"),
    "desktop": ("0542345F", "Lycée Henri Poincaré"),
}
NAMES = dict(ESTABLISHMENTS.values())


def activate_and_enrol(journey, path: str, login: str, who: str) -> None:
    page = journey.page
    journey.visit(path)
    journey.check(f"{who}: activation")
    page.get_by_label("mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Valider").click()
    expect(journey.heading("Espace de gestion")).to_be_visible()
    journey.check(f"{who}: connexion")
    page.get_by_label("identifiant").fill(login)
    page.get_by_label("mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Valider").click()
    expect(journey.heading("Activer la double authentification")).to_be_visible()
    journey.check(f"{who}: double authentification")
    secret = page.locator(".ts-secret").inner_text().replace(" ", "")
    page.get_by_label("code affiché par l'application").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Valider").click()
    expect(journey.heading("Vos codes de secours")).to_be_visible()
    assert page.locator(".ts-recovery-codes li").count() == 10
    journey.check(f"{who}: codes de secours")
    journey.follow(page.get_by_role("link", name="J'ai noté mes codes : continuer"))
    expect(journey.heading("Espace de gestion")).to_be_visible()
    journey.check(f"{who}: accueil")


def export_for(uai: str, name: str) -> bytes:
    """A sample SIECLE export, as if ``uai`` had produced it (ISO-8859-15)."""
    text = (SAMPLES / name).read_bytes().decode("iso-8859-15")
    return text.replace("0545432L", uai).encode("iso-8859-15")


def sign_out(journey) -> None:
    """« se déconnecter » in the header, or in its menu on a phone."""
    page = journey.page
    menu = page.locator("header").get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    buttons = page.get_by_role("button", name="se déconnecter").all()
    next(button for button in buttons if button.is_visible()).click()
    expect(journey.heading("Espace de gestion")).to_be_visible()


def family_asks_a_change(journey, server) -> str:
    """A family asks, from the fiche, to change a phone number: the child's UAI."""
    page = journey.page
    family = logged_in(journey, server, "fiche")
    child = open_service(journey, server, family, "fiche")
    journey.follow(page.get_by_role("link", name="Demander une modification").first)
    page.get_by_role("textbox", name=re.compile(r"^Téléphone portable")).fill(NEW_MOBILE)
    page.locator("main form [type=submit]").first.click()
    expect(page.get_by_text("en attente de validation").first).to_be_visible()
    menu = page.locator("header").get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    buttons = page.get_by_role("button", name="se déconnecter").all()
    next(button for button in buttons if button.is_visible()).click()
    return child.uai


def test_the_academie_opens_an_office_account_which_works_on_codes(journey, server, viewport):
    page = journey.page
    uai, name = ESTABLISHMENTS[viewport]
    family_uai = family_asks_a_change(journey, server)
    academie, link = server.take_academie_account()
    activate_and_enrol(journey, server.path_of(link), academie, "académie")

    journey.follow(page.get_by_role("link", name="Comptes du personnel"))
    journey.check("comptes du personnel")
    login = f"secretariat-{viewport}"
    address = f"ce.{viewport}@ac-exemple.fr"
    page.get_by_label("identifiant").fill(login)
    page.get_by_label("nom et prénom").fill("Dominique Secrétariat")
    page.get_by_label("adresse e-mail professionnelle").fill(address)
    # The DSFR draws radios and checkboxes on their labels: a person clicks those.
    page.locator("label").filter(has_text=re.compile(r"^Établissement$")).click()
    for office in {uai, family_uai}:
        page.locator("label").filter(has_text=f"{NAMES[office]} ({office})").click()
    page.get_by_role("button", name="Créer le compte et envoyer le lien").click()
    expect(page.get_by_text(f"Compte « {login} » créé")).to_be_visible()
    journey.check("compte créé")
    sign_out(journey)

    mail = server.wait_for_mail(address, "Votre compte de gestion")
    activate_and_enrol(
        journey, server.path_of(link_in(mail, "/gestion/activer/")), login, "secrétariat"
    )
    journey.follow(page.get_by_role("link", name=NAMES[family_uai]))
    journey.check("tableau de bord de l'établissement de la famille")
    journey.follow(page.get_by_role("link", name="Traiter les demandes de modification"))
    journey.check("demandes de modification")
    request = page.locator("main section").filter(has_text=NEW_MOBILE).first
    request.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("Demande acceptée")).to_be_visible()
    journey.check("demande acceptée")

    journey.follow(page.get_by_role("link", name="Espace de gestion"))
    journey.follow(page.get_by_role("link", name=name))
    expect(page.locator("h1")).to_contain_text(name)
    journey.check("tableau de bord")

    journey.follow(page.get_by_role("link", name="Codes d'activation et lettres"))
    journey.check("codes d'une classe")
    rows = page.locator("tbody tr")
    first = rows.filter(has=page.get_by_role("button", name="régénérer")).first
    first.get_by_role("button", name="régénérer").click()
    expect(page.get_by_text("Nouveau code")).to_be_visible()
    journey.check("code régénéré")
    second = rows.filter(has=page.get_by_role("button", name="régénérer")).first
    second.get_by_role("button", name="refus").click()
    expect(page.get_by_text("Refus enregistré")).to_be_visible()
    journey.check("refus enregistré")
    mailable = rows.filter(has=page.get_by_role("button", name="envoyer par e-mail")).first
    mailable.get_by_role("button", name="envoyer par e-mail").click()
    expect(page.get_by_text("Code envoyé à")).to_be_visible()
    journey.check("code envoyé par e-mail")
    with page.expect_download() as download:
        page.get_by_role("button", name="Lettres de la classe").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Last, as in September: the new year's export (the demo's pupils are not in it).
    journey.follow(page.get_by_role("link", name=name))
    journey.follow(page.get_by_role("link", name="Import SIECLE"))
    journey.check("import SIECLE")
    for label, file in (
        ("Export des élèves", "ElevesSansAdresses.xml"),
        ("Export des responsables", "ResponsablesAvecAdresses.xml"),
    ):
        page.get_by_label(label).set_input_files(
            {"name": file, "mimeType": "text/xml", "buffer": export_for(uai, file)}
        )
    page.get_by_role("button", name="Voir ce qui changera").click()
    expect(journey.heading("Ce que l'import va changer")).to_be_visible()
    journey.check("aperçu de l'import")
    if viewport != "desktop":
        # The demo's pupils would leave: the journeys after this one need them.
        return
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("Import SIECLE enregistré")).to_be_visible()
    journey.check("import enregistré")
