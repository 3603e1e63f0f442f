"""The téléinscription in Chromium (issue 18): a family fills the registration
over two sessions, correcting its e-mail address, and downloads its receipt;
the establishment finds the correction among the fiche's change requests,
returns the file with a message, the family corrects and deposits it again,
the establishment accepts it.  Every page passes ``Journey.check`` (axe,
HTML_CodeSniffer, layout).

The family's journey runs once, on the phone, where forms and tables in the
DSFR's grid can break; its key pages (the summary, the responsables' and the
choices' steps) are then checked again at desktop width in a second browser
sharing the session, a few page loads instead of a second journey.
"""

import io
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .pages import PASSWORD, VIEWPORTS, Journey, choose_child
from .test_office import activate_and_enrol

pytestmark = pytest.mark.browser

#: The demo's campaigns (etc/establishments.toml): the 6e of the collège, the
#: 2nde of the lycée; the demo's pupils are born 11 years (6e) or 15 years
#: (2nde) before the school year begins.
CAMPAIGN_BIRTH_YEAR = {"0541234Y": 2015, "0542345F": 2011}
MESSAGE = "Précisez la commune de naissance : Nancy ou Laxou ?"
NEW_EMAIL = "nouvelle.adresse@example.org"


def expected_by_a_campaign(child) -> bool:
    return CAMPAIGN_BIRTH_YEAR.get(child.uai) == child.birth_date.year


def log_in(journey, login: str) -> None:
    journey.log_in_by_mouse(login, PASSWORD)
    expect(journey.heading("Bienvenue")).to_be_visible()


def open_registration(journey, child) -> None:
    choose_child(journey, child)
    journey.follow(journey.page.get_by_role("link", name=re.compile("Complétez l'inscription")))
    expect(journey.heading("La téléinscription")).to_be_visible()
    journey.check(f"téléinscription of {child.first_name}")


def family_with_a_file_to_fill(journey, server, viewport):
    """A family logged in on the registration page of a child whose file the
    demo left open (it deposits some files), in an establishment that offers
    the fiche de renseignements: ``(child, login)``."""

    def wanted(child) -> bool:  # the fiche too: the corrections become its requests
        return expected_by_a_campaign(child) and server.offers(child, "fiche")

    for attempt in range(3):
        family = server.take_family("inscription", wanted)
        child = next(c for c in family.children if wanted(c))
        login = f"inscription{attempt}.{viewport}"
        journey.create_account(family, login, PASSWORD)
        log_in(journey, login)
        open_registration(journey, child)
        if journey.page.locator("main ol a").count():
            return child, login
        journey.log_out()
    raise AssertionError("the demo left no open file in three families")


def save_step(journey, title: str) -> None:
    journey.page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(journey.page.get_by_text("Étape enregistrée.")).to_be_visible()
    journey.check(f"saved {title}")


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_family_registers_over_two_sessions_and_the_office_returns_then_accepts(
    journey, server, viewport
):
    page = journey.page
    child, login = family_with_a_file_to_fill(journey, server, viewport)

    # First session: the pupil and the responsables, then the family leaves.
    journey.follow(page.locator("main ol a").first)
    expect(journey.heading(re.compile("L'élève"))).to_be_visible()
    journey.check("step 1")
    page.get_by_label("Commune de naissance").fill("Nancy")
    save_step(journey, "step 1")
    expect(journey.heading(re.compile("Les responsables"))).to_be_visible()
    page.get_by_label("Courriel").fill(NEW_EMAIL)
    save_step(journey, "step 2")
    journey.log_out()

    # Second session: what was saved is there; the choices, the
    # authorisations, the summary, the deposit and the receipt.
    log_in(journey, login)
    open_registration(journey, child)
    expect(page.locator("main ol li").nth(0)).to_contain_text("enregistrée")
    expect(page.locator("main ol li").nth(1)).to_contain_text("enregistrée")
    expect(page.locator("main")).to_contain_text("Nancy")
    journey.follow(page.locator("main ol li").nth(2).get_by_role("link"))
    journey.check("step 3")
    main = page.locator("main form")
    main.get_by_text("Anglais", exact=True).click()
    main.get_by_text("Externe", exact=True).click()
    save_step(journey, "step 3")
    page.get_by_text("Droit à l'image", exact=True).click()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(journey.heading("La téléinscription")).to_be_visible()
    expect(page.locator("main")).to_contain_text(NEW_EMAIL)
    journey.check("summary")
    summary = urlsplit(page.url).path
    on_the_desktop(
        journey,
        [(summary, "summary"), *((f"{summary}/etape/{n}", f"step {n}") for n in (1, 2, 3, 4))],
    )
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.locator("#etat")).to_have_text("déposée")
    journey.check("deposited")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le récépissé (PDF)").click()
    receipt = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(receipt.pages[0].extract_text().split())
    assert "Récépissé de téléinscription" in text
    assert child.first_name in text
    journey.log_out()

    # The office, in a browser of its own, returns the file with a message.
    office = office_journey(journey)
    academie, link = server.take_academie_account()
    activate_and_enrol(office, server.path_of(link), academie, "académie")
    office.visit(f"/gestion/{child.uai}/inscription")
    expect(office.heading("Téléinscription")).to_be_visible()
    office.check("office progress")
    office.follow(office.page.locator("main table a", has_text=child.first_name).first)
    expect(office.page.locator("main")).to_contain_text("Transmises à la fiche de renseignements")
    office.check("office file")
    file_url = office.page.url
    office.visit(f"/gestion/{child.uai}/fiche")
    expect(office.page.locator("main")).to_contain_text(NEW_EMAIL)
    office.check("fiche queue")
    office.page.goto(file_url)
    office.page.get_by_label("Message à la famille").fill(MESSAGE)
    office.page.get_by_role("button", name="Renvoyer à la famille").click()
    expect(office.page.locator("main")).to_contain_text(MESSAGE)
    office.check("office returned")

    # The family reads the message, corrects, deposits again.
    log_in(journey, login)
    open_registration(journey, child)
    expect(page.locator("#message-etablissement")).to_have_text(MESSAGE)
    journey.follow(page.locator("main ol li").nth(0).get_by_role("link"))
    page.get_by_label("Commune de naissance").fill("Laxou")
    save_step(journey, "step 1 corrected")
    journey.visit(urlsplit(page.url).path.rsplit("/etape/", 1)[0])
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.locator("#etat")).to_have_text("déposée")

    # The office accepts it; the family sees it complete.
    office.page.reload()
    office.page.get_by_role("button", name="Déclarer le dossier complet").click()
    expect(office.page.get_by_text("Le dossier est complet.")).to_be_visible()
    office.check("office accepted")
    # Staff work on a desktop: the office's pages at its width too.
    on_the_desktop(
        office,
        [
            (f"/gestion/{child.uai}/inscription", "office progress"),
            (urlsplit(file_url).path + "?" + urlsplit(file_url).query, "office file"),
        ],
    )
    office.context.close()
    page.reload()
    expect(page.locator("#etat")).to_have_text("complète")
    journey.check("complete")


def second_browser(journey, name: str, viewport: str, **options) -> Journey:
    """Another browser context beside the family's, at ``viewport``."""
    context = journey.context.browser.new_context(
        **VIEWPORTS[viewport], locale="fr-FR", timezone_id="Europe/Paris", **options
    )
    folder = journey.folder / name
    folder.mkdir()
    return Journey(context, journey.server, folder, viewport)


def office_journey(journey) -> Journey:
    """The establishment's staff, at the journey's viewport."""
    return second_browser(journey, "office", journey.viewport)


def on_the_desktop(journey, pages) -> None:
    """Check ``pages`` (``(path, name)``) at desktop width, in ``journey``'s session
    (the family's or the office's)."""
    desktop = second_browser(
        journey, "desktop", "desktop", storage_state=journey.context.storage_state()
    )
    for path, name in pages:
        desktop.visit(path)
        desktop.check(f"desktop {name}")
    desktop.context.close()
