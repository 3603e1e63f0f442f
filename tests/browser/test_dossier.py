"""The dossier scolaire in Chromium (issue 18).

A family downloads its child's bulletin and a certificat de scolarité; a
visitor without an account opens the certificate's verification address (read
from the PDF, as the QR code gives it) and sees what it says; the
establishment's office withdraws it, and the same address then says so.
Every page passes ``Journey.check`` (axe, HTML_CodeSniffer, layout) at both
viewports.
"""

import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .pages import logged_in
from .test_office import NAMES, activate_and_enrol, sign_out
from .test_services import open_service

pytestmark = pytest.mark.browser


def download(journey, trigger) -> str:
    """Click ``trigger``; the downloaded file must be a PDF: its text."""
    with journey.page.expect_download() as started:
        trigger.click()
    path = started.value.path()
    assert path.read_bytes().startswith(b"%PDF-")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_a_family_s_certificate_is_verified_then_withdrawn(journey, server):
    page = journey.page
    family = logged_in(journey, server, "dossier")
    child = open_service(journey, server, family, "dossier")
    expect(page.locator("main table")).to_contain_text("année en cours")

    bulletin = page.locator("main a.fr-link--download").first
    expect(bulletin).to_contain_text("Bulletin")
    download(journey, bulletin)
    journey.check("après le bulletin")
    text = download(
        journey, page.get_by_role("button", name="Télécharger un certificat de scolarité")
    )
    assert child.first_name in text and "CERTIFICAT DE SCOLARITÉ" in text
    address = re.search(r"vérifié à l'adresse (\S+)", text)[1]
    journey.check("après le certificat")
    sign_out_family(journey)

    journey.visit(server.path_of(address))
    expect(journey.heading("Certificat authentique")).to_be_visible()
    expect(page.locator("main dl")).to_contain_text(child.first_name)
    journey.check("vérification : authentique")

    academie, link = server.take_academie_account()
    activate_and_enrol(journey, server.path_of(link), academie, "académie")
    journey.follow(page.get_by_role("link", name=NAMES[child.uai]))
    journey.follow(page.get_by_role("link", name="Gérer les dossiers scolaires"))
    journey.check("dossier scolaire au secrétariat")
    row = page.locator("main tbody tr").filter(has_text=child.first_name).first
    row.get_by_role("button", name="Retirer").click()
    expect(page.get_by_text("Certificat retiré").first).to_be_visible()
    journey.check("certificat retiré")
    sign_out(journey)

    journey.visit(server.path_of(address))
    expect(journey.heading("Certificat retiré")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(child.first_name)
    journey.check("vérification : retiré")


def sign_out_family(journey) -> None:
    page = journey.page
    menu = page.locator("header").get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    buttons = page.get_by_role("button", name="se déconnecter").all()
    next(button for button in buttons if button.is_visible()).click()
    page.wait_for_load_state("load")
