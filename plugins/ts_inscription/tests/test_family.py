"""The family's side: the tile, the steps saved one by one, the deposit, the
receipt, the places, the closing date and the conflicts between two
responsables (tests run on 15/02/2027, campaigns open from 01/02 to 15/03)."""

import io
from datetime import date

import pytest
import webtest
from pypdf import PdfReader

import ts_inscription
from ts_host.testing import (
    ESTABLISHMENT_A,
    PASSWORD,
    ServiceAccessTests,
    assert_public_api_only,
    help_section,
    login,
    make_account,
    pupils_of,
    set_today,
)
from ts_inscription.models import SERVICE_ID, STEPS, find_registration

STEP_VALUES = {"eleve": {"birth_place": "Nancy", "previous_school": "École Jules Ferry"}}
#: The choices' radio buttons and checkboxes, by the value they send.
STEP_CHOICES = {"choix": ("Anglais", "externe")}


def choose(form, *values):
    """Tick the radio button or checkbox sending each of ``values`` (deform
    names choice fields by their widget's id, not by the schema)."""
    for value in values:
        for fields in form.fields.values():
            for field in fields:
                radio = isinstance(field, webtest.forms.Radio)
                if radio and value in [option[0] for option in field.options]:
                    field.value = value
                elif isinstance(field, webtest.forms.Checkbox) and field._value == value:
                    field.checked = True


def url(pupil_id: str, path: str = "") -> str:
    return f"/eleve/{pupil_id}/inscription{path}"


def fill_step(app, pupil_id, step, *choices, **values):
    form = app.get(url(pupil_id, f"/etape/{STEPS.index(step) + 1}")).forms["inscription"]
    for name, value in {**STEP_VALUES.get(step, {}), **values}.items():
        form[name] = value
    choose(form, *STEP_CHOICES.get(step, ()), *choices)
    return form.submit("submit")


def fill_all(app, pupil_id):
    for step in ("eleve", "responsables", "choix", "autorisations"):
        assert fill_step(app, pupil_id, step).status_int == 303


def deposit(app, pupil_id):
    return app.get(url(pupil_id)).forms["deposer"].submit()


class TestAccess(ServiceAccessTests):
    pupil_paths = ("", "/etape/1")
    page_text = "État du dossier"
    tile_text = "La téléinscription"


def test_each_step_is_saved_and_the_file_can_be_deposited(family_app, site, tm, fresh):
    first = fill_step(family_app, fresh, "eleve")
    assert first.location.endswith("/etape/2")
    page = family_app.get(url(fresh))
    assert "en cours" in page.html.find(id="etat").get_text()
    assert "Nancy" in page.text
    assert "Déposer le dossier" not in page.text  # three steps still to save
    for step in ("responsables", "choix", "autorisations"):
        fill_step(family_app, fresh, step)
    deposit(family_app, fresh).follow()
    with tm:
        registration = find_registration(site.pupils[fresh])
        assert registration.state == "deposee"
        assert registration.data["choix"]["language"] == "Anglais"


def test_a_deposited_file_is_frozen_and_has_a_receipt(family_app, site, tm, fresh):
    fill_all(family_app, fresh)
    token = family_app.get(url(fresh, "/etape/3")).forms["inscription"]["csrf_token"].value
    deposit(family_app, fresh)
    page = family_app.get(url(fresh))
    assert "Modifier" not in page.text
    assert family_app.get(url(fresh, "/etape/3")).status_int == 303
    form = family_app.get(url(fresh)).html  # no deposit form any more
    assert not form.find("button", string="Déposer le dossier")
    with tm:
        version = find_registration(site.pupils[fresh]).version
    # A step forged after the deposit changes nothing.
    family_app.post(
        url(fresh, "/etape/3"),
        {
            "csrf_token": token,
            "version": str(version),
            "regime": "demi-pensionnaire",
            "submit": "submit",
        },
        status=303,
    )
    with tm:
        assert find_registration(site.pupils[fresh]).data["choix"]["regime"] == "externe"
    receipt = family_app.get(url(fresh, "/recepisse.pdf"))
    assert receipt.content_type == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(receipt.body)).pages[0].extract_text().split())
    with tm:
        pupil = site.pupils[fresh]
        assert f"Élève : {pupil.first_name} {pupil.last_name}, né(e) le" in text
    assert "Anglais" in text


def test_no_receipt_before_the_deposit(family_app, fresh):
    fill_step(family_app, fresh, "eleve")
    response = family_app.get(url(fresh, "/recepisse.pdf"), status=303)
    assert response.location.endswith(url(fresh))


def test_a_step_saved_on_a_stale_version_shows_the_other_responsables_data(
    family_app, site, tm, fresh
):
    """Two responsables open the same step; the second to save is told, and
    sees what the first saved, instead of overwriting it."""
    first = family_app.get(url(fresh, "/etape/1")).forms["inscription"]
    second = family_app.get(url(fresh, "/etape/1")).forms["inscription"]
    first["birth_place"] = "Metz"
    first["previous_school"] = "École A"
    first.submit("submit", status=303)
    second["birth_place"] = "Toul"
    second["previous_school"] = "École B"
    page = second.submit("submit", status=200)
    assert "modifié par un autre responsable" in page.text
    assert page.forms["inscription"]["birth_place"].value == "Metz"
    with tm:
        assert find_registration(site.pupils[fresh]).data["eleve"]["birth_place"] == "Metz"
    # Saved again on the version it was shown, it goes through.
    form = page.forms["inscription"]
    form["birth_place"] = "Toul"
    form.submit("submit", status=303)
    with tm:
        assert find_registration(site.pupils[fresh]).data["eleve"]["birth_place"] == "Toul"


def test_a_deposit_on_a_stale_version_is_refused(family_app, site, tm, fresh):
    fill_all(family_app, fresh)
    stale = family_app.get(url(fresh)).forms["deposer"]
    fill_step(family_app, fresh, "autorisations", image=True)
    stale.submit().follow()
    with tm:
        assert find_registration(site.pupils[fresh]).state == "en_cours"


def test_a_limited_option_says_how_many_places_are_left_and_refuses_when_full(
    family_app, site, tm, fresh, pupil_enabled
):
    with tm:
        campaign = next(
            c for c in site.services[SERVICE_ID].campaigns.values() if c.expects(site.pupils[fresh])
        )
        campaign.places.clear()
        for number in range(19):
            campaign.reserve(f"autre{number}", {"Latin"}, {"Latin": 20})
    page = family_app.get(url(fresh, "/etape/3"))
    assert "Latin (20 places, 1 restantes)" in page.text
    with tm:
        campaign.reserve("autre19", {"Latin"}, {"Latin": 20})
    form = page.forms["inscription"]
    choose(form, "Anglais", "externe", "Latin")
    refused = form.submit("submit", status=200)
    assert "Il ne reste plus de place en : Latin." in refused.text
    assert "Latin (20 places, complet)" in family_app.get(url(fresh, "/etape/3")).text


def test_after_the_closing_date_the_file_is_read_only_and_the_tile_gone(family_app, ts_app, fresh):
    fill_step(family_app, fresh, "eleve")
    set_today(ts_app, date(2027, 3, 16))
    page = family_app.get(url(fresh))
    assert "La campagne d'inscription est close" in page.text
    assert "Compléter" not in page.text
    assert family_app.get(url(fresh, "/etape/3")).status_int == 303
    home = family_app.get("/", params={"eleve": fresh})
    assert url(fresh) not in home.text


def test_a_pupil_no_campaign_expects_has_no_tile_and_no_page(family_app, site, tm, fresh):
    with tm:
        pupil = site.pupils[fresh]
        for campaign in site.services[SERVICE_ID].campaigns.values():
            campaign.affectations.pop(pupil.ine, None)
    assert url(fresh) not in family_app.get("/", params={"eleve": fresh}).text
    family_app.get(url(fresh), status=404)


def test_the_help_page_explains_the_registration(family_app):
    assert help_section(family_app, SERVICE_ID).startswith("La téléinscription")


def test_the_service_imports_only_the_public_api_of_the_host():
    assert_public_api_only(ts_inscription)


@pytest.mark.parametrize("number", ["0", "5"])
def test_an_unknown_step_answers_404(family_app, fresh, number):
    family_app.get(url(fresh, f"/etape/{number}"), status=404)


def test_each_responsable_sees_and_corrects_only_their_own_contact_data(testapp, ts_app, site, tm):
    """Two parents, two accounts, one file: each step 2 shows and records the
    account's own responsable, and keeps the other's corrections."""
    with tm:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if len(p.responsables) == 2)
        pupil.services.pop(SERVICE_ID)
        first, second = (link.responsable_id for link in pupil.responsables)
        for index, name in enumerate(("parent.un", "parent.deux")):
            make_account(site, ts_app.registry.ts_hasher, [pupil.id], name, responsable_index=index)
        pupil_id = pupil.id
    assert login(testapp, "parent.un", PASSWORD).status_int == 303
    fill_step(testapp, pupil_id, "responsables", email="un@example.org")
    testapp.reset()
    assert login(testapp, "parent.deux", PASSWORD).status_int == 303
    form = testapp.get(url(pupil_id, "/etape/2")).forms["inscription"]
    assert form["responsable_id"].value == second
    assert "un@example.org" not in form.text
    form["email"] = "deux@example.org"
    form.submit("submit", status=303)
    assert "un@example.org" not in testapp.get(url(pupil_id)).text
    with tm:
        registration = find_registration(site.pupils[pupil_id])
        rows = registration.data["responsables"]["responsables"]
        assert {row["responsable_id"]: row["email"] for row in rows} == {
            first: "un@example.org",
            second: "deux@example.org",
        }
        assert registration.changes[first]["email"] == "un@example.org"
        assert registration.changes[second]["email"] == "deux@example.org"
