"""Families justify absences online; the vie scolaire decides (tests run on 15/02/2027)."""

import json
import logging
from datetime import date, datetime

import pytest
import webtest

import ts_absences
from ts_absences.importers import AbsencesImporter
from ts_absences.justifications import pending
from ts_absences.models import (
    ACCEPTED,
    PROCESSED,
    REFUSED,
    REPORTED,
    SENT,
    SERVICE_ID,
    Absence,
    PupilAbsences,
)
from ts_host.api import service_data
from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    PASSWORD,
    TestApp,
    assert_gdpr_export_covers,
    login,
    make_account,
    make_staff,
    open_site,
    staff_login,
)

OFFICE = f"/gestion/{ESTABLISHMENT_A}/absences"
UNEXPLAINED = Absence(datetime(2027, 2, 10, 8, 0), datetime(2027, 2, 10, 11, 55), REPORTED, False)
EXPLAINED = Absence(datetime(2027, 2, 3, 8, 0), datetime(2027, 2, 3, 17, 0), PROCESSED, True)
KEY = "2027-02-10T08:00"


@pytest.fixture
def pupil(site, tm, pupil_enabled):
    """The family's child in A, with one absence to justify and one with a legitimate reason."""
    with tm:
        data = service_data(site.pupils[pupil_enabled], SERVICE_ID, PupilAbsences)
        data.replace([UNEXPLAINED, EXPLAINED])
    return pupil_enabled


def justify(app, pupil_id, reason="Maladie", comment="Fièvre", status=303, **query):
    page = app.get(f"/eleve/{pupil_id}/absences/justifier", params=query)
    form = page.forms["justifier"]
    form["absence"] = KEY
    form["reason"] = reason
    form["comment"] = comment
    return form.submit("submit", status=status)


def justifications(site, tm, pupil_id):
    with tm:
        data = site.pupils[pupil_id].services[SERVICE_ID]
        return list(data.justifications.values())


def staff_app(testapp, login_name, role="vie_scolaire", uais=(ESTABLISHMENT_A,)):
    app = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    with open_site(testapp.app) as site:
        member = make_staff(site, testapp.app.registry.ts_hasher, login_name, role, uais)
    staff_login(app, member)
    return app


def decision_form(page):
    return next(form for form in page.forms.values() if form.action.endswith("/decision"))


def audit_events(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "ts_host.audit"]


def page_text(app, pupil_id) -> str:
    return " ".join(app.get(f"/eleve/{pupil_id}/absences").html.get_text().split())


def state_rows(app, pupil_id, caption="justifications-titre") -> list[list[str]]:
    """The cells of the page's table of justifications (or of announcements)."""
    page = app.get(f"/eleve/{pupil_id}/absences")
    table = page.html.find(id=caption).find_parent("table")
    return [
        [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]
        for row in table.tbody.find_all("tr")
    ]


def test_a_responsable_justifies_an_absence_and_it_is_audited(family_app, pupil, site, tm, caplog):
    caplog.set_level(logging.INFO, logger="ts_host.audit")
    # The absence with a legitimate reason on record is not listed.
    [before] = state_rows(family_app, pupil)
    assert before[:2] == [
        "mercredi 10/02/2027, 08:00 – 11:55",
        "à justifier Justifier mercredi 10/02/2027, 08:00 – 11:55",
    ]
    justify(family_app, pupil, absence=KEY).follow()
    [sent] = justifications(site, tm, pupil)
    assert (sent.reason, sent.comment, sent.state) == ("Maladie", "Fièvre", SENT)
    assert (sent.start, sent.end) == (UNEXPLAINED.start, UNEXPLAINED.end)
    assert sent.responsable_ids  # who spoke: the account's responsable
    [after] = state_rows(family_app, pupil)
    assert after[1].startswith("justification envoyée Modifier")
    assert after[2:] == ["Maladie : Fièvre", ""]
    [event] = [e for e in audit_events(caplog) if e["event"] == "absences.justification.sent"]
    assert (event["pupil"], event["target"]) == (pupil, sent.id)
    assert "Fièvre" not in json.dumps(event)  # the family's words stay out of the log


def test_resending_before_the_decision_revises_the_same_justification(family_app, pupil, site, tm):
    justify(family_app, pupil)
    justify(family_app, pupil, reason="Rendez-vous médical", comment="")
    [sent] = justifications(site, tm, pupil)
    assert (sent.reason, sent.comment) == ("Rendez-vous médical", "")


@pytest.mark.parametrize(
    ("reason", "comment", "message"),
    [
        ("", "", "Requis"),
        ("Vacances au ski", "", "Choisissez un motif de la liste."),
        ("Maladie", "x" * 501, "500 caractères au plus"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_stored(
    family_app, pupil, site, tm, reason, comment, message
):
    form = family_app.get(f"/eleve/{pupil}/absences/justifier").forms["justifier"]
    form["absence"] = KEY
    form["reason"].force_value(reason)
    form["comment"] = comment
    page = form.submit("submit", status=200)
    assert message in page.html.get_text()
    assert justifications(site, tm, pupil) == []


def test_an_absence_that_is_not_to_be_justified_is_refused(family_app, pupil, site, tm):
    form = family_app.get(f"/eleve/{pupil}/absences/justifier").forms["justifier"]
    form["absence"].force_value("2027-02-03T08:00")  # legitimate already
    form["reason"] = "Maladie"
    page = form.submit("submit", status=200)
    assert "Choisissez une absence de la liste." in page.html.get_text()
    assert justifications(site, tm, pupil) == []


def test_a_decided_justification_cannot_be_changed(family_app, testapp, pupil, site, tm):
    justify(family_app, pupil)
    office = staff_app(testapp, "cpe")
    decision_form(office.get(OFFICE)).submit("decision", value="accepter").follow()
    page = family_app.get(f"/eleve/{pupil}/absences/justifier")
    assert "Aucune absence n'attend de justification." in page.html.get_text()
    # A forged post for it changes nothing either.
    family_app.post(
        f"/eleve/{pupil}/absences/justifier",
        {
            "csrf_token": page.html.select_one("input[name=csrf_token]")["value"],
            "absence": KEY,
            "reason": "Autre",
            "comment": "",
            "submit": "submit",
        },
        status=200,
    )
    [decided] = justifications(site, tm, pupil)
    assert (decided.state, decided.reason) == (ACCEPTED, "Maladie")


def test_another_family_s_pupil_answers_404(testapp, family, site, tm, ts_app):
    with tm:
        other = next(
            p.id
            for p in site.pupils.values()
            if p.uai == ESTABLISHMENT_A and p.id not in family.pupil_ids
        )
    for path in ("justifier", "annoncer"):
        testapp_family = TestApp(ts_app, extra_environ=testapp.extra_environ)
        login(testapp_family, family.login, family.password)
        testapp_family.get(f"/eleve/{other}/absences/{path}", status=404)


def pupil_account(site, tm, testapp, pupil_id, birth_date, login_name="eleve.majeur"):
    ts_app = testapp.app
    with tm:
        site.pupils[pupil_id].birth_date = birth_date
        make_account(site, ts_app.registry.ts_hasher, [pupil_id], login_name, kind="eleve")
    app = TestApp(ts_app, extra_environ=testapp.extra_environ)
    login(app, login_name, PASSWORD)
    return app


def test_the_pupil_s_own_account_is_refused(testapp, pupil, site, tm):
    app = pupil_account(site, tm, testapp, pupil, date(2008, 1, 1))  # 19, but not allowed here
    assert "Justifier une absence" not in page_text(app, pupil)
    for path in ("justifier", "annoncer"):
        app.get(f"/eleve/{pupil}/absences/{path}", status=404)


ADULTS_ALLOWED = {ESTABLISHMENT_A: {SERVICE_ID: {"adult_pupils_justify": True}}}


@pytest.mark.parametrize("ts_service_settings", [ADULTS_ALLOWED])
@pytest.mark.parametrize(
    ("birth_date", "status"), [(date(2009, 2, 15), 200), (date(2009, 2, 16), 404)]
)
def test_a_pupil_of_age_justifies_where_the_establishment_allows_it(
    testapp, pupil, site, tm, birth_date, status
):
    """18 on the day (15/02/2027) may; 18 tomorrow may not."""
    app = pupil_account(site, tm, testapp, pupil, birth_date)
    app.get(f"/eleve/{pupil}/absences/justifier", status=status)
    if status == 200:
        justify(app, pupil)
        [sent] = justifications(site, tm, pupil)
        assert sent.responsable_ids == ()


def announce(app, pupil_id, first, last, first_half="matin", last_half="apres-midi", status=303):
    form = app.get(f"/eleve/{pupil_id}/absences/annoncer").forms["annoncer"]
    # deform names both date inputs "date", each inside its own mapping.
    form.fields["date"][0].value = first
    form.fields["date"][1].value = last
    # Radio groups are named by deform's field ids, in the order of the form.
    first_radios, last_radios = (name for name in form.fields if name.startswith("deformField"))
    form[first_radios] = first_half
    form[last_radios] = last_half
    form["reason"] = "Convocation officielle (examen, administration, justice)"
    return form.submit("submit", status=status)


def test_a_responsable_announces_a_future_absence(family_app, pupil, site, tm):
    announce(family_app, pupil, "2027-02-18", "2027-02-19", last_half="matin")
    [announced] = justifications(site, tm, pupil)
    assert announced.start == datetime(2027, 2, 18)
    assert announced.end == datetime(2027, 2, 19, 11, 55)  # the collège's half-day split
    assert state_rows(family_app, pupil, "annonces-titre") == [
        [
            "du jeudi 18/02/2027 00:00 au vendredi 19/02/2027 11:55",
            "justification envoyée",
            "Convocation officielle (examen, administration, justice)",
            "",
        ]
    ]


@pytest.mark.parametrize(
    ("first", "last", "first_half", "last_half", "message"),
    [
        ("2027-02-12", "2027-02-12", "matin", "apres-midi", "Le premier jour est passé"),
        ("2027-02-18", "2027-02-17", "matin", "apres-midi", "Choisissez un dernier jour"),
        ("2027-02-18", "2027-02-18", "apres-midi", "matin", "Choisissez un dernier jour"),
        ("2027-06-30", "2027-09-02", "matin", "apres-midi", "L'année scolaire finit le"),
        ("18/02/2027", "2027-02-19", "matin", "apres-midi", "Date invalide"),
    ],
)
def test_an_impossible_announcement_is_refused_in_french(
    family_app, pupil, site, tm, first, last, first_half, last_half, message
):
    page = announce(family_app, pupil, first, last, first_half, last_half, status=200)
    assert message in page.html.get_text()
    assert justifications(site, tm, pupil) == []


def decisions_reported(site, tm, pupil_id) -> list[str]:
    """What the family is told of the decisions (the notifications' texts)."""
    with tm:
        events = site.notifications.events.values()
        return [e.text for e in events if e.pupil_id == pupil_id and e.kind == "justification"]


def test_the_vie_scolaire_accepts_and_the_family_sees_it(
    family_app, testapp, pupil, site, tm, caplog
):
    caplog.set_level(logging.INFO, logger="ts_host.audit")
    justify(family_app, pupil)
    office = staff_app(testapp, "vie.scolaire")
    dashboard = office.get(f"/gestion/{ESTABLISHMENT_A}/")
    assert "Justifications en attente : 1." in dashboard
    queue = office.get(OFFICE)
    assert "Maladie" in queue and "Fièvre" in queue
    form = decision_form(queue)
    form["note"] = "Merci, certificat reçu."
    form.submit("decision", value="accepter").follow()
    [decided] = justifications(site, tm, pupil)
    assert (decided.state, decided.decided_by) == (ACCEPTED, "vie.scolaire")
    [row] = state_rows(family_app, pupil)
    assert row[1:] == ["acceptée", "Maladie : Fièvre", "Merci, certificat reçu."]
    assert "Justifications en attente : 0." in office.get(f"/gestion/{ESTABLISHMENT_A}/")
    assert decisions_reported(site, tm, pupil) == [
        "La vie scolaire a accepté une justification d'absence."
    ]
    [event] = [e for e in audit_events(caplog) if e["event"] == "absences.justification.decided"]
    assert (event["pupil"], event["decision"]) == (pupil, ACCEPTED)
    with open_site(testapp.app) as fresh:
        [entry] = [e for e in fresh.journal.newest_first() if e.event.startswith("absences.")]
        assert (entry.who, entry.uai) == ("vie.scolaire", ESTABLISHMENT_A)


def test_a_refusal_needs_a_note_which_the_family_reads(family_app, testapp, pupil, site, tm):
    justify(family_app, pupil)
    office = staff_app(testapp, "cpe")
    decision_form(office.get(OFFICE)).submit("decision", value="refuser").follow()
    [still] = justifications(site, tm, pupil)
    assert still.state == SENT
    form = decision_form(office.get(OFFICE))
    form["note"] = "Un certificat médical est nécessaire."
    form.submit("decision", value="refuser")
    [row] = state_rows(family_app, pupil)
    assert row[1:] == ["refusée", "Maladie : Fièvre", "Un certificat médical est nécessaire."]
    # Decided once: the same decision posted again is a 404.
    office.post(
        form.action, {"csrf_token": form["csrf_token"].value, "decision": "accepter"}, status=404
    )
    assert justifications(site, tm, pupil)[0].state == REFUSED
    assert decisions_reported(site, tm, pupil) == [
        "La vie scolaire a refusé une justification d'absence."
    ]


def test_staff_of_another_establishment_get_404(family_app, testapp, pupil, site, tm):
    justify(family_app, pupil)
    [sent] = justifications(site, tm, pupil)
    other = staff_app(testapp, "cpe.lycee", uais=(ESTABLISHMENT_B,))
    other.get(OFFICE, status=404)
    token = other.get("/gestion/").html.select_one("input[name=csrf_token]")["value"]
    other.post(
        f"{OFFICE}/{sent.id}/decision", {"csrf_token": token, "decision": "accepter"}, status=404
    )
    # Nor through their own office: the justification is not in B's queue.
    other.post(
        f"/gestion/{ESTABLISHMENT_B}/absences/{sent.id}/decision",
        {"csrf_token": token, "decision": "accepter"},
        status=404,
    )
    assert justifications(site, tm, pupil)[0].state == SENT


def absences_file(tmp_path, ine, *lines, uai=ESTABLISHMENT_A):
    path = tmp_path / "absences.csv"
    rows = [f"{uai};{ine};{line}" for line in lines]
    path.write_text("uai;eleve_ine;debut;fin;etat;motif_legitime\n" + "\n".join(rows) + "\n")
    return path


def test_re_importing_the_absences_keeps_the_justifications(
    family_app, ts_app, pupil, site, tm, tmp_path
):
    justify(family_app, pupil)
    with tm:
        ine = site.pupils[pupil].ine
        # The vie scolaire's software moved the start by five minutes and classed it.
        path = absences_file(tmp_path, ine, "10/02/2027 08:05;10/02/2027 11:55;traitée;non")
        AbsencesImporter.run(site, ts_app.registry.ts_academy, path)
    [kept] = justifications(site, tm, pupil)
    assert kept.reason == "Maladie"
    [row] = state_rows(family_app, pupil)
    assert row[0] == "mercredi 10/02/2027, 08:05 – 11:55"
    assert row[1].startswith("justification envoyée")
    with tm:  # a file that no longer lists the pupil's absences keeps them too
        other = next(p for p in site.pupils.values() if p.uai == ESTABLISHMENT_A and p.id != pupil)
        path = absences_file(tmp_path, other.ine, "11/02/2027 08:00;11/02/2027 11:55;traitée;oui")
        AbsencesImporter.run(site, ts_app.registry.ts_academy, path)
        assert not len(site.pupils[pupil].services[SERVICE_ID].by_start)
    assert justifications(site, tm, pupil)[0].reason == "Maladie"


def test_the_import_on_the_web_previews_then_confirms(testapp, pupil, site, tm):
    with tm:
        ine = site.pupils[pupil].ine
    office = staff_app(testapp, "cpe")
    content = (
        "uai;eleve_ine;debut;fin;etat;motif_legitime\n"
        f"{ESTABLISHMENT_A};{ine};10/02/2027 08:00;10/02/2027 11:55;traitée;oui\n"
    ).encode()
    form = office.get(f"{OFFICE}/import").forms["import-envoi"]
    form["fichier"] = webtest.Upload("absences.csv", content)
    preview = form.submit()
    assert "Absences mises à jour : 1" in " ".join(preview.html.get_text(" ").split())
    with tm:  # nothing written by the preview
        assert list(site.pupils[pupil].services[SERVICE_ID]) == [EXPLAINED, UNEXPLAINED]
    preview.forms["import-confirmation"].submit("confirmer").follow()
    with tm:
        assert site.pupils[pupil].services[SERVICE_ID].by_start[UNEXPLAINED.start].legitimate


def test_the_import_on_the_web_refuses_another_establishment_s_lines(testapp, site, tm):
    with tm:
        other = next(p for p in site.pupils.values() if p.uai == ESTABLISHMENT_B)
    office = staff_app(testapp, "cpe")
    content = (
        "uai;eleve_ine;debut;fin;etat;motif_legitime\n"
        f"{ESTABLISHMENT_B};{other.ine};10/02/2027 08:00;10/02/2027 11:55;traitée;oui\n"
    ).encode()
    form = office.get(f"{OFFICE}/import").forms["import-envoi"]
    form["fichier"] = webtest.Upload("absences.csv", content)
    page = form.submit(status=200)
    assert (
        f"ligne 2 : établissement {ESTABLISHMENT_B} : ce fichier ne peut concerner que"
        in page.html.get_text()
    )
    with tm:
        assert other.services.get(SERVICE_ID) is None


def test_erasing_a_pupil_takes_its_justifications_out_of_the_queue(family_app, pupil, site, tm):
    justify(family_app, pupil)
    with tm:
        assert len(pending(site, ESTABLISHMENT_A)) == 1
        ts_absences.ts_erase_pupil_data(site=site, pupil=site.pupils[pupil])
        assert pending(site, ESTABLISHMENT_A) == []
        assert len(site.services[SERVICE_ID].pending) == 0


def test_every_justification_is_in_its_pupil_s_gdpr_export(
    family_app, testapp, pupil, site, tm, ts_app
):
    justify(family_app, pupil)
    announce(family_app, pupil, "2027-02-18", "2027-02-18")
    office = staff_app(testapp, "cpe")
    form = decision_form(office.get(OFFICE))
    form["note"] = "Vu."
    form.submit("decision", value="accepter")
    with tm:
        assert_gdpr_export_covers(site, ts_app.registry.ts_plugins, SERVICE_ID)


def test_ts_admin_evolve_gives_1_0_absences_their_justifications(ts_admin):
    with ts_admin.site() as site:
        data = next(p for p in site.pupils.values() if p.services.get(SERVICE_ID)).services[
            SERVICE_ID
        ]
        del data.justifications
        site.generations[SERVICE_ID] = 0
    run = ts_admin("evolve")
    assert run.out.startswith("absences : étape 1 appliquée"), run.out
    with ts_admin.site() as site:
        assert all(
            len(p.services[SERVICE_ID].justifications) == 0
            for p in site.pupils.values()
            if p.services.get(SERVICE_ID) is not None
        )


OWN_REASONS = {ESTABLISHMENT_A: {SERVICE_ID: {"reasons": ["Maladie", "Sortie pédagogique"]}}}


@pytest.mark.parametrize("ts_service_settings", [OWN_REASONS])
def test_the_reasons_are_the_establishment_s_list(family_app, pupil, site, tm):
    form = family_app.get(f"/eleve/{pupil}/absences/justifier").forms["justifier"]
    offered = [value for value, _selected, _label in form["reason"].options if value]
    assert offered == ["Maladie", "Sortie pédagogique"]
    page = justify(family_app, pupil, reason="Sortie pédagogique", status=303)
    assert page.status_int == 303
    form = family_app.get(f"/eleve/{pupil}/absences/justifier").forms["justifier"]
    form["absence"] = KEY
    form["reason"].force_value("Raison familiale")  # in the default list, not in this one
    assert "Choisissez un motif de la liste." in form.submit("submit").html.get_text()
