"""The canteen's pages in the establishment office: the week's menus, and their import.

The shape every service's staff pages are tested with: the preview writes
nothing, the confirmation writes and the family reads it, a line of another
establishment refuses the file, the vie scolaire reads but does not import.
"""

from datetime import date

from ts_host.api import site_data
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, staff_app

from ts_cantine.models import SERVICE_ID, CantineSite

OFFICE = f"/gestion/{ESTABLISHMENT_A}/cantine"
MENUS = f"{OFFICE}/menus"
WEEK = {"semaine": "2027-02-22"}
HEADER = "uai;date;entree;plat;dessert;allergenes\n"


def menus_file(*lines: str) -> bytes:
    return (HEADER + "".join(f"{line}\n" for line in lines)).encode()


def upload(office, content: bytes):
    form = office.get(MENUS).forms["import-envoi"]
    form["menus"] = ("menus.csv", content)
    return form.submit()


def menu_of(site, tm, day: date):
    with tm:
        menus = site_data(site, SERVICE_ID, CantineSite).menus.get(ESTABLISHMENT_A)
        return menus.get(day) if menus else None


def test_menus_are_previewed_then_written_and_the_family_reads_them(
    family_app, family, testapp, site, tm
):
    office = staff_app(testapp, "intendance", "etablissement", [ESTABLISHMENT_A])
    preview = upload(office, menus_file(f"{ESTABLISHMENT_A};22/02/2027;;Hachis parmentier;Kiwi;"))
    assert "Ce que l'import va changer" in preview
    assert menu_of(site, tm, date(2027, 2, 22)) is None or (
        menu_of(site, tm, date(2027, 2, 22)).main != "Hachis parmentier"
    )
    done = preview.forms["import-confirmation"].submit("confirmer").follow()
    assert "Import enregistré" in done
    assert "Hachis parmentier" in office.get(OFFICE, params=WEEK)
    assert menu_of(site, tm, date(2027, 2, 22)).main == "Hachis parmentier"
    page = family_app.get(f"/eleve/{family.pupil_ids[0]}/cantine", params=WEEK)
    assert "Hachis parmentier" in page


def test_a_menu_of_another_establishment_refuses_the_file(testapp, site, tm):
    office = staff_app(testapp, "intendance", "etablissement", [ESTABLISHMENT_A])
    refused = upload(
        office,
        menus_file(
            f"{ESTABLISHMENT_A};23/02/2027;;Gratin de pâtes;;",
            f"{ESTABLISHMENT_B};23/02/2027;;Gratin de pâtes;;",
        ),
    )
    assert f"menus.csv, ligne 3 : établissement {ESTABLISHMENT_B}" in refused
    assert "import-confirmation" not in refused.forms
    menu = menu_of(site, tm, date(2027, 2, 23))
    assert menu is None or menu.main != "Gratin de pâtes"


def test_the_vie_scolaire_reads_the_menus_but_does_not_import(testapp):
    office = staff_app(testapp, "vie-scolaire", "vie_scolaire", [ESTABLISHMENT_A])
    assert "Voir et importer les menus" in office.get(f"/gestion/{ESTABLISHMENT_A}/")
    page = office.get(OFFICE, params=WEEK)
    assert "Les menus de la semaine" in page
    assert "Importer un fichier de menus" not in page
    office.get(MENUS, status=403)
