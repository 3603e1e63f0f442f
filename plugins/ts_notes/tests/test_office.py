"""The grades' office pages: import a grades file on the web, see what is published."""

import pytest

from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of, staff_app
from ts_notes.models import SERVICE_ID

OFFICE = f"/gestion/{ESTABLISHMENT_A}/notes"
IMPORT = f"{OFFICE}/import"
LABEL = "Contrôle envoyé du web"
HEADER = "uai;division;matiere;professeur;controle;date;coefficient;publie_le;eleve_ine;note\n"


def grades_file(*lines: tuple[str, str, str, str, str]) -> bytes:
    """``(uai, division, ine, label, grade)`` lines, published the 13/01/2027."""
    body = "".join(
        f"{uai};{division};Maths;M. MARTIN;{label};11/01/2027;2.0;13/01/2027;{ine};{grade}\n"
        for uai, division, ine, label, grade in lines
    )
    return (HEADER + body).encode()


@pytest.fixture
def family_pupil(family, site, tm):
    """The family's child in A, given an INE: (id, division)."""
    with tm:
        pupil = site.pupils[family.pupil_ids[0]]
        pupil.ine = "1234567890A"
        return pupil.id, pupil.division


def upload(office, content: bytes, name="notes.csv"):
    form = office.get(IMPORT).forms["import-envoi"]
    form["notes"] = (name, content)
    return form.submit()


def test_an_imported_file_is_previewed_then_written_and_the_family_sees_the_grade(
    family_app, family_pupil, testapp, site, tm
):
    pupil_id, division = family_pupil
    office = staff_app(testapp, "secretariat", "etablissement", [ESTABLISHMENT_A])
    preview = upload(
        office, grades_file((ESTABLISHMENT_A, division, "1234567890A", LABEL, "14,50"))
    )
    assert "Ce que l'import va changer" in preview
    assert "contrôles créés : <strong>1</strong>" in preview
    tm.begin()
    assert LABEL not in [e.label for e in _book_of(site, pupil_id)]
    tm.abort()
    done = preview.forms["import-confirmation"].submit("confirmer").follow()
    assert "Import enregistré : 1 créés" in done
    assert division in done.html.select_one("table").text
    with tm:
        assert LABEL in [e.label for e in _book_of(site, pupil_id)]
        [entry] = [e for e in site.journal.newest_first() if e.event == "service.imported"]
        assert (entry.who, entry.uai) == ("secretariat", ESTABLISHMENT_A)
    page = family_app.get(f"/eleve/{pupil_id}/notes", params={"periode": "T2"})
    assert LABEL in page and "14,50" in page


def _book_of(site, pupil_id):
    notes = site.pupils[pupil_id].services.get(SERVICE_ID)
    return list(notes.book) if notes is not None else []


def test_a_line_of_another_establishment_refuses_the_whole_file(family_pupil, testapp, site, tm):
    pupil_id, division = family_pupil
    with tm:
        other = pupils_of(site, ESTABLISHMENT_B)[0]
        other.ine = "9999999999Z"
        other_division = other.division
    office = staff_app(testapp, "secretariat", "etablissement", [ESTABLISHMENT_A])
    refused = upload(
        office,
        grades_file(
            (ESTABLISHMENT_A, division, "1234567890A", LABEL, "14"),
            (ESTABLISHMENT_B, other_division, "9999999999Z", LABEL, "12"),
        ),
    )
    assert "Fichier refusé : rien n'a été importé" in refused
    assert f"notes.csv, ligne 3 : établissement {ESTABLISHMENT_B}" in refused
    assert "import-confirmation" not in refused.forms
    with tm:
        assert LABEL not in [e.label for e in _book_of(site, pupil_id)]


def test_an_upload_is_confirmed_only_by_whoever_sent_it(family_pupil, testapp, site, tm):
    _, division = family_pupil
    sender = staff_app(testapp, "secretariat", "etablissement", [ESTABLISHMENT_A])
    preview = upload(sender, grades_file((ESTABLISHMENT_A, division, "1234567890A", "F", "9")))
    token = preview.forms["import-confirmation"]["envoi"].value
    colleague = staff_app(testapp, "collegue", "etablissement", [ESTABLISHMENT_A])
    form = colleague.get(IMPORT).forms["import-envoi"]
    answer = colleague.post(
        IMPORT, {"csrf_token": form["csrf_token"].value, "envoi": token, "confirmer": "1"}
    ).follow()
    assert "Cet envoi n'est plus disponible" in answer
    with tm:
        assert not any(e.event == "service.imported" for e in site.journal.newest_first())


def test_a_file_that_is_not_csv_is_refused_by_its_name(testapp):
    office = staff_app(testapp, "secretariat", "etablissement", [ESTABLISHMENT_A])
    refused = upload(office, b"PK\x03\x04", name="notes.xlsx")
    assert "le fichier attendu est un fichier .csv" in refused


def test_the_vie_scolaire_reads_what_is_published_but_does_not_import(testapp):
    office = staff_app(testapp, "vie-scolaire", "vie_scolaire", [ESTABLISHMENT_A])
    dashboard = office.get(f"/gestion/{ESTABLISHMENT_A}/")
    assert "Voir les notes publiées" in dashboard
    page = office.get(OFFICE)
    assert "Les contrôles par classe" in page
    assert "Importer un fichier de notes" not in page
    office.get(IMPORT, status=403)


def test_the_published_page_details_a_class_s_evaluations(testapp, site, tm):
    with tm:
        division = next(
            p.services[SERVICE_ID].book.division
            for p in pupils_of(site, ESTABLISHMENT_A)
            if SERVICE_ID in p.services
        )
    office = staff_app(testapp, "secretariat", "etablissement", [ESTABLISHMENT_A])
    page = office.get(OFFICE, params={"periode": "T2", "classe": division})
    assert f"Classe {division} : les contrôles" in page
    assert "Importer un fichier de notes" in page
