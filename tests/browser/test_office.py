"""The establishment office in Chromium, as the README's first steps run it (issue 17).

The académie account comes from ``ts-admin staff add``; it activates, signs
in with TOTP, opens an établissement account for the demo collège (or lycée), which
activates from its mail, enrols, and works: the dashboard, a class's codes,
one code regenerated, one refusal, the class's letters.  Every page passes
``Journey.check`` (axe, HTML_CodeSniffer, layout) at both viewports.
"""

import re
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from .server import link_in

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).parents[1] / "data" / "siecle"
PASSWORD = "une phrase de passe pour la gestion"
#: Each viewport's journey works for its own demo establishment (the import
#: at its end makes that establishment's demo pupils leave).
ESTABLISHMENTS = {
    "phone": ("0541234Y", "Collège Jean Lamour"),
    "desktop": ("0542345F", "Lycée Henri Poincaré"),
}


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


def test_the_academie_opens_an_office_account_which_works_on_codes(journey, server, viewport):
    page = journey.page
    uai, name = ESTABLISHMENTS[viewport]
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
    page.locator("label").filter(has_text=f"{name} ({uai})").click()
    page.get_by_role("button", name="Créer le compte et envoyer le lien").click()
    expect(page.get_by_text(f"Compte « {login} » créé")).to_be_visible()
    journey.check("compte créé")
    sign_out(journey)

    mail = server.wait_for_mail(address, "Votre compte de gestion")
    activate_and_enrol(
        journey, server.path_of(link_in(mail, "/gestion/activer/")), login, "secrétariat"
    )
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
    with page.expect_download() as download:
        page.get_by_role("link", name="Lettres de la classe").click()
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
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("Import SIECLE enregistré")).to_be_visible()
    journey.check("import enregistré")
