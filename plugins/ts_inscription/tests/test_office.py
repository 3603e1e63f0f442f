"""The establishment office: progress per class, a file returned then
accepted, the reminder by e-mail, the CSV export and the affectation upload."""

from ts_host.testing import ESTABLISHMENT_A, pupils_of
from ts_inscription.models import SERVICE_ID, find_registration

from .test_family import deposit, fill_all, url

OFFICE = f"/gestion/{ESTABLISHMENT_A}/inscription"


def test_the_office_tile_and_the_progress_per_class(office, site, tm):
    home = office.get(f"/gestion/{ESTABLISHMENT_A}/")
    assert OFFICE in home.text
    page = office.get(OFFICE)
    table = page.html.find("table")
    assert [th.get_text(strip=True) for th in table.thead.find_all("th")] == [
        "Classe",
        "non commencée",
        "en cours",
        "déposée",
        "renvoyée",
        "complète",
    ]
    with tm:
        pupils = pupils_of(site, ESTABLISHMENT_A)
        expected = len([p for p in pupils if p.division == "6A"])
        states = [find_registration(p) for p in pupils if p.division == "6A"]
        started = len([r for r in states if r is not None and r.state == "en_cours"])
    row = next(tr for tr in table.tbody.find_all("tr") if tr.th.get_text() == "6A")
    counts = [int(td.get_text()) for td in row.find_all("td")]
    assert sum(counts) == expected
    assert counts[1] == started


def test_staff_return_a_file_with_a_message_then_accept_it(family_app, office, site, tm, fresh):
    fill_all(family_app, fresh)
    deposit(family_app, fresh)
    file_page = office.get(OFFICE, params={"eleve": fresh})
    assert "déposée" in file_page.text
    form = file_page.forms[1]
    form["message"] = "Il manque la commune de naissance exacte."
    form.submit("decision", value="renvoyer", status=303)
    family_page = family_app.get(url(fresh))
    assert "Il manque la commune de naissance exacte." in family_page.text
    assert "renvoyée" in family_page.html.find(id="etat").get_text()
    # Returned, the file opens again to the family, who deposits it anew.
    assert "Modifier" in family_page.text
    deposit(family_app, fresh)
    office.get(OFFICE, params={"eleve": fresh}).forms[1].submit("decision", value="accepter")
    with tm:
        registration = find_registration(site.pupils[fresh])
        assert registration.state == "complete"
        assert [event.what for event in registration.history][-3:] == [
            "renvoyée",
            "déposée",
            "complète",
        ]
    assert "complète" in family_app.get(url(fresh)).html.find(id="etat").get_text()
    with tm:  # the family is told of both, without the message
        told = [e.text for e in site.notifications.events.values() if e.pupil_id == fresh]
    assert told == [
        "L'établissement vous renvoie le dossier d'inscription pour une correction.",
        "L'établissement a validé le dossier d'inscription.",
    ]


def test_returning_needs_a_message(family_app, office, site, tm, fresh):
    fill_all(family_app, fresh)
    deposit(family_app, fresh)
    office.get(OFFICE, params={"eleve": fresh}).forms[1].submit("decision", value="renvoyer")
    with tm:
        assert find_registration(site.pupils[fresh]).state == "deposee"


def test_a_file_in_progress_cannot_be_accepted(family_app, office, site, tm, fresh):
    fill_all(family_app, fresh)
    token = office.get(OFFICE).forms[0]["csrf_token"].value
    office.post(
        f"{OFFICE}/dossier/{fresh}/decision",
        {"csrf_token": token, "decision": "accepter"},
        status=303,
    )
    with tm:
        assert find_registration(site.pupils[fresh]).state == "en_cours"


def test_a_pupil_of_another_establishment_has_no_file_here(office, pupil_disabled):
    office.get(OFFICE, params={"eleve": pupil_disabled}, status=404)


def test_the_reminder_mails_the_families_who_have_not_started(office, site, tm, mailbox):
    with tm:
        waiting = [
            p
            for p in pupils_of(site, ESTABLISHMENT_A)
            if find_registration(p) is None or find_registration(p).state == "non_commencee"
        ]
        addresses = {
            site.responsables[link.responsable_id].email
            for p in waiting
            for link in p.responsables
            if site.responsables[link.responsable_id].email
        }
    page = office.get(OFFICE)
    page.forms["relance"].submit(status=303)
    sent = {message["To"] for message in mailbox.messages}
    assert sent == addresses
    assert "L'inscription de votre enfant est à compléter" in mailbox.last()["Subject"]


def test_the_export_lists_the_deposited_files_with_the_corrections(
    family_app, office, site, tm, fresh
):
    fill_all(family_app, fresh)
    form = family_app.get(url(fresh, "/etape/2")).forms["inscription"]
    form["email"] = "nouvelle.adresse@example.org"
    form.submit("submit", status=303)
    deposit(family_app, fresh)
    export = office.get(f"{OFFICE}/inscriptions.csv")
    assert export.content_type == "text/csv"
    text = export.body.decode("utf-8-sig")
    header, *lines = text.splitlines()
    assert header.startswith("niveau;division;eleve_ine;nom;prenom")
    with tm:
        pupil = site.pupils[fresh]
        line = next(line for line in lines if pupil.ine in line)
        responsable_id = find_registration(pupil).changes.popitem()[0]
    assert "déposée" in line
    assert f"{responsable_id} email=nouvelle.adresse@example.org" in line


def test_the_affectation_upload_adds_the_pupils_and_refuses_a_bad_file(office, site, tm):
    page = office.get(f"{OFFICE}/affectation")
    form = page.forms[1]
    form["fichier"] = (
        "affectation.csv",
        b"uai;ine;nom;prenom;date_naissance;etablissement_origine;niveau\n"
        b"0542345F;1;A;B;01/01/2015;X;6e\n"
        b"0541234Y;2;A;B;31/02/2015;X;6e\n",
    )
    refused = form.submit()
    assert "Fichier refusé, rien n'a été écrit." in refused.text
    assert "ligne 2" in refused.text and "ligne 3" in refused.text
    form = refused.forms[1]
    with open(__file__.replace("test_office.py", "data/affectation.csv"), "rb") as sample:
        form["fichier"] = ("affectation.csv", sample.read())
    loaded = form.submit()
    assert "Liste chargée : 2 créés" in loaded.text
    with tm:
        campaign = site.services[SERVICE_ID].campaigns[(ESTABLISHMENT_A, "6e")]
        assert campaign.affectations["1234567890A"].first_name == "Léa"
