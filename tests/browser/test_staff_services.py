"""A service's pages in the establishment office, in Chromium: grades imported on the web.

The académie account (``ts-admin staff add``) activates and enrols, opens
the notes' tile of the family's establishment, sends a grades file — the
teacher's export, for the family's child — sees what it would change,
confirms, and reads the class's evaluations on the page of what is
published.  The family then signs in and finds the grade on its child's
notes page.  The example service's (ts_cantine) staff pages are visited on
the way.  Every page passes ``Journey.check`` (axe, HTML_CodeSniffer,
layout) at both viewports.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from ZODB import DB
from ZODB.FileStorage import FileStorage

from ts_host.root import appmaker

from .pages import PASSWORD
from .test_office import activate_and_enrol, sign_out
from .test_services import open_service

pytestmark = pytest.mark.browser

#: The demo's establishment that offers the example's canteen.
CANTINE = "0541234Y"
LABEL = "Contrôle importé par le secrétariat"
HEADER = "uai;division;matiere;professeur;controle;date;coefficient;publie_le;eleve_ine;note"


def ine_and_division(server, child) -> tuple[str, str]:
    """The child's INE and class, as the teacher's software knows them: read
    from the demo's database (read-only, which takes no lock from the server)."""
    db = DB(FileStorage(str(server.folder / "Data.fs"), read_only=True))
    try:
        connection = db.open()
        site = appmaker(connection.root())
        for pupil_id in site.establishments[child.uai].pupil_ids:
            pupil = site.pupils[pupil_id]
            if (pupil.first_name, pupil.birth_date) == (child.first_name, child.birth_date):
                return pupil.ine, pupil.division
        raise AssertionError(f"no pupil {child} in the demo")
    finally:
        db.close()


def test_the_office_imports_grades_which_the_family_then_reads(journey, server, viewport):
    page = journey.page
    family = server.take_family("notes")
    child = next(c for c in family.children if server.offers(c, "notes"))
    ine, division = ine_and_division(server, child)
    line = f"{child.uai};{division};Mathématiques;M. MARTIN;{LABEL};01/12/2026;1;01/12/2026"
    grades = f"{HEADER}\n{line};{ine};17,25\n"

    academie, link = server.take_academie_account()
    activate_and_enrol(journey, server.path_of(link), academie, "académie")
    journey.visit(f"/gestion/{child.uai}/")
    journey.follow(page.get_by_role("link", name="Voir les notes publiées"))
    expect(journey.heading("Les notes publiées")).to_be_visible()
    journey.check("notes publiées")
    journey.follow(page.get_by_role("link", name="Importer un fichier de notes"))
    journey.check("import des notes")
    page.get_by_label("Fichier des notes").set_input_files(
        {"name": "notes.csv", "mimeType": "text/csv", "buffer": grades.encode()}
    )
    page.get_by_role("button", name="Voir ce qui changera").click()
    expect(journey.heading("Ce que l'import va changer")).to_be_visible()
    journey.check("aperçu de l'import des notes")
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("Import enregistré")).to_be_visible()
    journey.check("notes importées")
    page.get_by_label("Période").select_option("annee")
    page.get_by_role("button", name="Afficher").click()
    # The class's link leads to its table (#detail): a link within the page for Journey.follow.
    page.get_by_role("link", name=division, exact=True).click()
    expect(page.locator("#detail")).to_contain_text(LABEL)
    journey.check("contrôles d'une classe")
    # The example service's staff pages, which third parties copy, pass the same checks.
    journey.visit(f"/gestion/{CANTINE}/cantine")
    journey.check("menus de la cantine")
    journey.follow(page.get_by_role("link", name="Importer un fichier de menus"))
    journey.check("import des menus")
    sign_out(journey)

    login = f"notes-import.{viewport}"
    journey.create_account(family, login, PASSWORD)
    journey.log_in_by_mouse(login, PASSWORD)
    open_service(journey, server, family, "notes")
    page.get_by_label("Filtre par").select_option("annee")
    page.locator("#notes-filtres").get_by_role("button", name="Valider").click()
    row = page.locator("#notes-table tbody tr").filter(has_text=LABEL)
    expect(row).to_contain_text("17,25")
    journey.check("la note importée, côté famille")
