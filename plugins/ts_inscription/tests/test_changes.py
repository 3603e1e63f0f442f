"""The responsables' corrections become change requests of the fiche de
renseignements when the file is deposited (through the host's
``submit_responsable_changes``), once; without the fiche they stay in the file."""

import pytest

from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B
from ts_inscription.models import SERVICE_ID, find_registration

from .test_family import deposit, fill_all, fill_step, url

OFFICE = f"/gestion/{ESTABLISHMENT_A}"
NEW_EMAIL = "nouvelle.adresse@example.org"


def correct_and_deposit(family_app, pupil_id):
    fill_all(family_app, pupil_id)
    assert fill_step(family_app, pupil_id, "responsables", email=NEW_EMAIL).status_int == 303


def fiche_queue(office):
    return office.get(f"{OFFICE}/fiche").html.get_text(" ", strip=True)


def test_the_deposit_makes_one_change_request_that_the_fiche_queue_shows(
    family_app, office, site, tm, fresh
):
    correct_and_deposit(family_app, fresh)
    assert NEW_EMAIL not in fiche_queue(office)  # saving a step asks nothing yet
    deposit(family_app, fresh)
    with tm:
        registration = find_registration(site.pupils[fresh])
        [(responsable_id, sent)] = registration.forwarded.items()
        name = site.responsables[responsable_id].full_name
    assert sent["champs"] == {"email": NEW_EMAIL}
    queue = fiche_queue(office)
    assert queue.count(NEW_EMAIL) == 1 and name in queue
    assert "en attente de validation" in family_app.get(f"/eleve/{fresh}/fiche")
    file_page = office.get(f"{OFFICE}/inscription", params={"eleve": fresh})
    assert "Transmises à la fiche de renseignements" in file_page.text
    assert sent["demande"] in file_page.text
    export = office.get(f"{OFFICE}/inscription/inscriptions.csv").body.decode("utf-8-sig")
    assert f"{responsable_id} {sent['demande']}" in export

    # Returned and deposited again as it was: no second request.
    form = file_page.forms[1]
    form["message"] = "Précisez la commune de naissance."
    form.submit("decision", value="renvoyer", status=303)
    fill_step(family_app, fresh, "eleve", birth_place="Nancy (54)")
    deposit(family_app, fresh)
    assert fiche_queue(office).count(NEW_EMAIL) == 1


@pytest.mark.parametrize(
    "ts_enabled_services", [{ESTABLISHMENT_A: [SERVICE_ID], ESTABLISHMENT_B: []}]
)
def test_without_the_fiche_the_corrections_stay_in_the_file(family_app, office, site, tm, fresh):
    correct_and_deposit(family_app, fresh)
    deposit(family_app, fresh)
    with tm:
        registration = find_registration(site.pupils[fresh])
        assert registration.state == "deposee"
        assert dict(registration.forwarded) == {}
        assert [dict(fields) for fields in registration.changes.values()] == [{"email": NEW_EMAIL}]
    file_page = office.get(f"{OFFICE}/inscription", params={"eleve": fresh})
    assert "Aucune demande de modification n'a été créée" in file_page.text
    assert NEW_EMAIL in file_page.text
    office.get(f"{OFFICE}/fiche", status=404)
    assert "État du dossier" in family_app.get(url(fresh))
