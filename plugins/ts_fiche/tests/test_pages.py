"""The fiche as families see it: who sees whose data, the form, the requests."""

import re

from ts_fiche.models import APPLIED, PENDING, find_store
from ts_host.api import of_name
from ts_host.testing import ServiceAccessTests

from .conftest import MESSAGE


def fiche_url(pupil_id):
    return f"/eleve/{pupil_id}/fiche"


def edit_url(pupil_id, responsable_id):
    return f"/eleve/{pupil_id}/fiche/responsable/{responsable_id}"


def main_text(page):
    """The page's own content, without the layout."""
    return page.text[page.text.index("<main") : page.text.index("</main>")]


def people(site, tm, pupil_id, *responsable_ids):
    with tm:
        pupil = site.pupils[pupil_id]
        return pupil, [site.responsables[rid] for rid in responsable_ids]


def csrf_token(page):
    return page.html.find("input", attrs={"name": "csrf_token"})["value"]


def badge(page, state):
    """The badges of ``state`` on the page."""
    return [b for b in page.html.select(".fr-badge") if b.text.strip() == state]


def personal_bits(responsable):
    """What only this responsable's own account may see of them."""
    return [
        responsable.first_name,
        responsable.phones["mobile"],
        *([responsable.email] if responsable.email else []),
    ]


# --- what each account sees -------------------------------------------------------


def test_page_shows_the_pupil_identity_and_schooling_but_not_the_ine(family_app, family, site, tm):
    with tm:
        pupil = site.pupils[family.pupil_ids[0]]
        expected = [
            pupil.last_name,
            pupil.first_name,
            pupil.division,
            pupil.birth_date.strftime("%d/%m/%Y"),
        ]
        ine = pupil.ine
    page = family_app.get(fiche_url(family.pupil_ids[0]))
    text = main_text(page)
    assert "<h1>Fiche de renseignements</h1>" in text
    assert "Identité et scolarité de l'élève" in text
    for value in expected:
        assert f"<td>{value}</td>" in text
    assert "<td>Collège A</td>" in text
    assert ine not in page.text
    assert "INE" not in text


def test_page_shows_the_establishment_message(family_app, family):
    page = family_app.get(fiche_url(family.pupil_ids[0]))
    assert MESSAGE in main_text(page)


def test_responsable_sees_every_item_of_their_own_data(family_app, family, site, tm):
    with tm:
        pupil = site.pupils[family.pupil_ids[0]]
        responsable = site.responsables[pupil.responsables[0].responsable_id]
        address = responsable.address
        expected = [
            responsable.civility,
            responsable.last_name,
            address["line1"],
            address["postcode"],
            address["city"],
            address["country"],
            responsable.phones["mobile"],
            responsable.profession,
        ]
        full_name = responsable.full_name
        sms = "oui" if responsable.sms_consent else "non"
    text = main_text(family_app.get(fiche_url(family.pupil_ids[0])))
    assert f"Responsable : {full_name}" in text
    for value in expected:
        assert f"<td>{value}</td>" in text
    for label in (
        "Téléphone personnel",
        "Téléphone portable",
        "Téléphone professionnel",
        "Adresse e-mail",
        "Profession",
        "Code postal",
        "Commune",
        "Pays",
    ):
        assert f'<th scope="row">{label}</th>' in text
    assert re.search(r"recevoir des SMS de l'établissement</th><td>" + sms, text)


def test_first_responsable_never_sees_the_other_parent(log_in_as, testapp, parents, site, tm):
    _pupil, (first, second) = people(site, tm, parents.pupil_id, parents.first, parents.second)
    log_in_as("parent.un", [parents.pupil_id])
    text = main_text(testapp.get(fiche_url(parents.pupil_id)))
    assert f"Responsable : {first.full_name}" in text
    assert first.phones["mobile"] in text
    for bit in personal_bits(second):
        assert bit not in text
    assert second.id not in text
    testapp.get(edit_url(parents.pupil_id, parents.second), status=404)


def test_second_responsable_sees_and_edits_only_their_own_data(
    log_in_as, testapp, parents, site, tm
):
    _pupil, (first, second) = people(site, tm, parents.pupil_id, parents.first, parents.second)
    log_in_as("parent.deux", [parents.pupil_id], responsable_index=1)
    page = testapp.get(fiche_url(parents.pupil_id))
    text = main_text(page)
    assert f"Responsable : {second.full_name}" in text
    assert text.count("Responsable : ") == 1
    for bit in personal_bits(first):
        assert bit not in text
    testapp.get(edit_url(parents.pupil_id, parents.second), status=200)
    testapp.get(edit_url(parents.pupil_id, parents.first), status=404)


def test_shared_account_sees_both_responsables_it_holds_codes_for(
    log_in_as, testapp, parents, site, tm
):
    _pupil, (first, second) = people(site, tm, parents.pupil_id, parents.first, parents.second)
    log_in_as("parents.ensemble", [parents.pupil_id], also=[(parents.pupil_id, parents.second)])
    text = main_text(testapp.get(fiche_url(parents.pupil_id)))
    assert f"Responsable : {first.full_name}" in text
    assert f"Responsable : {second.full_name}" in text
    testapp.get(edit_url(parents.pupil_id, parents.first), status=200)
    testapp.get(edit_url(parents.pupil_id, parents.second), status=200)


def test_on_a_shared_account_each_form_changes_its_own_responsable(
    log_in_as, testapp, parents, site, tm
):
    account_id = log_in_as(
        "parents.partage", [parents.pupil_id], also=[(parents.pupil_id, parents.second)]
    )
    form = open_form(testapp, parents.pupil_id, parents.second)
    form["profession"] = "Boulanger"
    form.submit("submit", status=303)
    assert stored_requests(site, tm, parents.first) == []
    [change] = stored_requests(site, tm, parents.second)
    assert (change.responsable_id, change.account_id) == (parents.second, account_id)
    assert change.changes == {"profession": "Boulanger"}


def test_pupil_account_sees_the_pupil_part_only(log_in_as, testapp, parents, site, tm):
    pupil, responsables = people(site, tm, parents.pupil_id, parents.first, parents.second)
    log_in_as("eleve.seul", [parents.pupil_id], kind="eleve")
    page = testapp.get(fiche_url(parents.pupil_id))
    text = main_text(page)
    assert f"<td>{pupil.first_name}</td>" in text
    assert "Responsable : " not in text
    assert "Les coordonnées des responsables ne sont visibles que par eux-mêmes" in text
    for responsable in responsables:
        for bit in [*personal_bits(responsable), responsable.address["line1"]]:
            assert bit not in text
    testapp.get(edit_url(parents.pupil_id, parents.first), status=404)
    testapp.post(
        f"{edit_url(parents.pupil_id, parents.first)}/retirer",
        {"csrf_token": csrf_token(page)},
        status=404,
    )


# --- the tile and the 404s --------------------------------------------------------------


def test_tile_links_to_the_fiche_where_the_service_is_enabled_only(family_app, family, site, tm):
    enabled, disabled = family.pupil_ids
    with tm:
        first_name = site.pupils[enabled].first_name
    home = family_app.get("/", {"eleve": enabled})
    assert "La fiche de renseignements" in home.text
    link = home.html.find("a", href=f"http://teleservices.test{fiche_url(enabled)}")
    assert link is not None
    assert link.text.strip() == f"Consultez la fiche de renseignements {of_name(None, first_name)}"
    other = family_app.get("/", {"eleve": disabled})
    assert "La fiche de renseignements" not in other.text
    assert "/fiche" not in other.text


class TestAccess(ServiceAccessTests):
    """The host's access promises on the fiche and its form (the kit's test set)."""

    pupil_paths = ("", "/responsable/{responsable}")
    page_text = "Fiche de renseignements"


# --- the change request -----------------------------------------------------------------


def open_form(app, pupil_id, responsable_id):
    return app.get(edit_url(pupil_id, responsable_id)).forms["fiche"]


def own_responsable(site, tm, pupil_id):
    with tm:
        return site.pupils[pupil_id].responsables[0].responsable_id


def stored_requests(site, tm, responsable_id):
    with tm:
        store = find_store(site)
        return [] if store is None else store.history(responsable_id)


def test_change_request_is_recorded_as_pending_without_touching_the_school_data(
    family_app, family, site, tm
):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    with tm:
        old_mobile = site.responsables[rid].phones["mobile"]
        old_email = site.responsables[rid].email
    form = open_form(family_app, pupil_id, rid)
    form["phone_mobile"] = "07.11.22.33.44"
    form["phone_work"] = "+33 3 83 12 34 56"
    form["profession"] = "Infirmière"
    response = form.submit("submit", status=303)
    assert response.location.endswith(fiche_url(pupil_id))
    page = response.follow()
    text = main_text(page)
    assert "Votre demande de modification est enregistrée" in page.text
    assert "Demande de modification du 15/02/2027" in text
    assert len(badge(page, "en attente de validation")) == 2
    assert "<td>07 11 22 33 44</td>" in text
    assert "<td>03 83 12 34 56</td>" in text
    assert f"<td>{old_mobile}</td>" in text  # the known value, still shown
    [change] = stored_requests(site, tm, rid)
    assert change.state == PENDING
    assert change.account_id == family.account_id
    assert change.responsable_id == rid
    assert change.pupil_id == pupil_id
    assert change.created.date().isoformat() == "2027-02-15"
    assert change.changes == {
        "phone_mobile": "07 11 22 33 44",
        "phone_work": "03 83 12 34 56",
        "profession": "Infirmière",
    }
    with tm:
        assert site.responsables[rid].phones["mobile"] == old_mobile
        assert site.responsables[rid].email == old_email


def test_form_starts_from_the_pending_request_and_a_new_one_revises_it(
    family_app, family, site, tm
):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["line2"] = "Bâtiment B"
    form.submit("submit", status=303)
    form = open_form(family_app, pupil_id, rid)
    assert form["line2"].value == "Bâtiment B"
    form["line3"] = "Appartement 12"
    form.submit("submit", status=303)
    [change] = stored_requests(site, tm, rid)
    assert change.changes == {"line2": "Bâtiment B", "line3": "Appartement 12"}


def test_submitting_the_pending_request_again_is_refused(family_app, family, site, tm):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["line2"] = "Bâtiment B"
    form.submit("submit", status=303)
    page = open_form(family_app, pupil_id, rid).submit("submit", status=200)
    assert "cette demande est déjà en attente de validation" in page.text


def test_a_form_without_any_change_is_refused(family_app, family, site, tm):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["city"] = form["city"].value.lower()  # the same commune, as typed by hand
    page = form.submit("submit", status=200)
    assert "Aucune modification : les informations saisies sont celles que" in page.text
    assert stored_requests(site, tm, rid) == []


def test_invalid_postcode_phone_and_email_are_refused_keeping_what_was_typed(
    family_app, family, site, tm
):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["line1"] = "12 rue des Tilleuls"
    form["postcode"] = "00123"
    form["phone_personal"] = "12 34"
    form["phone_mobile"] = "06 12 34 56 7"
    form["email"] = "pas-une-adresse"
    page = form.submit("submit", status=200)
    assert "Le formulaire contient des erreurs" in page.text
    assert stored_requests(site, tm, rid) == []
    refused = page.forms["fiche"]
    assert refused["line1"].value == "12 rue des Tilleuls"
    assert refused["postcode"].value == "00123"
    assert refused["phone_personal"].value == "12 34"
    assert refused["phone_mobile"].value == "06 12 34 56 7"
    assert refused["email"].value == "pas-une-adresse"
    html = page.html
    for name, message in [
        ("postcode", "Code postal invalide"),
        ("phone_personal", "Numéro invalide"),
        ("phone_mobile", "Numéro invalide"),
        ("email", "Adresse e-mail invalide"),
    ]:
        field = html.find("input", attrs={"name": name})
        assert field["aria-invalid"] == "true"
        error = html.find(id=field["aria-describedby"].split()[-1])
        assert message in error.text


def test_sms_consent_needs_a_mobile_phone(family_app, family, site, tm):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["phone_mobile"] = ""
    form["sms_consent"] = True
    page = form.submit("submit", status=200)
    assert "Indiquez un téléphone portable pour recevoir des SMS." in page.text
    assert stored_requests(site, tm, rid) == []


def test_post_without_the_csrf_token_is_refused(family_app, family, site, tm):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["line2"] = "Bâtiment B"
    params = [(name, value) for name, value in form.submit_fields("submit") if name != "csrf_token"]
    family_app.post(edit_url(pupil_id, rid), params, status=400)
    family_app.post(f"{edit_url(pupil_id, rid)}/retirer", {}, status=400)
    assert stored_requests(site, tm, rid) == []


def test_a_pending_request_can_be_withdrawn(family_app, family, site, tm):
    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["line2"] = "Bâtiment B"
    page = form.submit("submit").follow()
    page = page.forms["retirer-1"].submit(status=303).follow()
    assert "Votre demande de modification a été retirée." in page.text
    assert "en attente de validation" not in main_text(page)
    assert stored_requests(site, tm, rid) == []


def test_page_follows_the_request_through_export_and_apply(family_app, family, site, tm, tmp_path):
    from ts_fiche.exports import apply_accepted, export_pending

    pupil_id = family.pupil_ids[0]
    rid = own_responsable(site, tm, pupil_id)
    form = open_form(family_app, pupil_id, rid)
    form["phone_personal"] = "03 83 99 88 77"
    form.submit("submit", status=303)
    with tm:
        assert export_pending(site, None, tmp_path / "export.csv") == 1
    page = family_app.get(fiche_url(pupil_id))
    assert len(badge(page, "transmise")) == 2  # the open request, and the history
    assert "Retirer la demande" not in page.text
    [change] = stored_requests(site, tm, rid)
    accepted = tmp_path / "acceptees.csv"
    accepted.write_text(f"id_demande\n{change.id}\n", encoding="utf-8")
    with tm:
        apply_accepted(site, None, accepted)
    page = family_app.get(fiche_url(pupil_id))
    text = main_text(page)
    assert '<th scope="row">Téléphone personnel</th><td>03 83 99 88 77</td>' in text
    assert "Demande de modification du" not in text  # no open request any more
    assert len(badge(page, "appliquée")) == 1
    [change] = stored_requests(site, tm, rid)
    assert change.state == APPLIED
