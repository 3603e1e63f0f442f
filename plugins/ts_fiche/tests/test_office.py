"""The fiche's queue in the establishment office: accept, or refuse with a reason."""

from ts_fiche.models import APPLIED, REFUSED, find_store
from ts_host.testing import ESTABLISHMENT_A, TestApp, make_staff, open_site, staff_login

OFFICE = f"/gestion/{ESTABLISHMENT_A}/fiche"


def request_change(app, pupil_id, responsable_id, mobile):
    form = app.get(f"/eleve/{pupil_id}/fiche/responsable/{responsable_id}").forms["fiche"]
    form["phone_mobile"] = mobile
    form.submit("submit", status=303)


def office_of(testapp, login):
    app = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    with open_site(testapp.app) as site:
        member = make_staff(
            site, testapp.app.registry.ts_hasher, login, "etablissement", [ESTABLISHMENT_A]
        )
    staff_login(app, member)
    return app


def decision_form(page):
    return next(form for form in page.forms.values() if form.action.endswith("/decision"))


def responsable_of(site, tm, pupil_id):
    with tm:
        return site.pupils[pupil_id].responsables[0].responsable_id


def test_an_accepted_request_writes_the_fiche_and_the_family_sees_it(
    family_app, family, testapp, site, tm
):
    pupil_id = family.pupil_ids[0]
    rid = responsable_of(site, tm, pupil_id)
    request_change(family_app, pupil_id, rid, "07.11.22.33.44")
    office = office_of(testapp, "secretariat")
    dashboard = office.get(f"/gestion/{ESTABLISHMENT_A}/")
    assert "Demandes de modification en attente : 1." in dashboard
    queue = office.get(OFFICE)
    assert "07 11 22 33 44" in queue
    decision_form(queue).submit("decision", value="accepter").follow()
    with tm:
        assert site.responsables[rid].phones["mobile"] == "07 11 22 33 44"
        [change] = find_store(site).history(rid)
        assert change.state == APPLIED
    assert "appliquée" in family_app.get(f"/eleve/{pupil_id}/fiche")


def test_a_refusal_needs_a_reason_which_the_family_reads(family_app, family, testapp, site, tm):
    pupil_id = family.pupil_ids[0]
    rid = responsable_of(site, tm, pupil_id)
    with tm:
        before = site.responsables[rid].phones["mobile"]
    request_change(family_app, pupil_id, rid, "07.99.88.77.66")
    office = office_of(testapp, "vie-scolaire")
    form = decision_form(office.get(OFFICE))
    assert "Donnez le motif" in form.submit("decision", value="refuser").follow()
    form = decision_form(office.get(OFFICE))
    form["motif"] = "Numéro incomplet : rappelez le secrétariat."
    form.submit("decision", value="refuser").follow()
    with tm:
        [change] = find_store(site).history(rid)
        assert change.state == REFUSED
        assert site.responsables[rid].phones["mobile"] == before
    page = family_app.get(f"/eleve/{pupil_id}/fiche")
    assert "Numéro incomplet : rappelez le secrétariat." in page
    assert "Aucune demande en attente." in office.get(OFFICE)


def test_a_decided_request_cannot_be_decided_again(family_app, family, testapp, site, tm):
    pupil_id = family.pupil_ids[0]
    rid = responsable_of(site, tm, pupil_id)
    request_change(family_app, pupil_id, rid, "07.11.22.33.55")
    office = office_of(testapp, "secretariat2")
    form = decision_form(office.get(OFFICE))
    action, token = form.action, form["csrf_token"].value
    form.submit("decision", value="accepter")
    office.post(action, {"csrf_token": token, "decision": "refuser", "motif": "x"}, status=404)
