"""Gérer son compte: each change needs the current password and is notified."""

from ts_host.models import CodeState
from ts_host.testing import attach_responsable, keypad_positions, login

from .accounts_helpers import fill_children, unused_codes

FORMS = {
    "identifiant": "changer-identifiant",
    "adresse": "changer-adresse",
    "mot-de-passe": "changer-mot-de-passe",
    "questions": "changer-questions",
    "supprimer": "supprimer",
}


def change(app, part, values, current="860357"):
    page = app.get(f"/compte/{part}")
    form = page.forms[FORMS[part]]
    for name, value in values.items():
        form[name] = (
            keypad_positions(page, value) if name in ("password", "confirmation") else value
        )
    if current is not None:
        form["current"] = keypad_positions(page, current)
    return form.submit("submit")


def test_the_account_page_lists_children_and_the_responsable_of_each_link(
    family_app, site, tm, family
):
    page = family_app.get("/compte")
    with tm:
        pupils = [site.pupils[p] for p in family.pupil_ids]
        responsable = site.responsables[pupils[0].responsables[0].responsable_id]
    assert all(p.first_name in page.text for p in pupils)
    assert responsable.first_name in page.text


def test_changing_the_email_needs_the_current_password_and_tells_both_addresses(
    family_app, mailbox, site, tm, family
):
    refused = change(family_app, "adresse", {"email": "nouveau@example.org"}, current="975310")
    assert "Mot de passe actuel incorrect" in refused.text
    assert change(family_app, "adresse", {"email": "nouveau@example.org"}).status_int == 303
    recipients = [m["To"] for m in mailbox.messages]
    assert {"famille.test@example.org", "nouveau@example.org"} <= set(recipients)
    with tm:
        assert site.accounts[family.account_id].email == "nouveau@example.org"
        assert family.account_id in site.emails["nouveau@example.org"]
        assert "famille.test@example.org" not in site.emails


def test_changing_the_password_ends_the_other_sessions(ts_app, family_app, family):
    import webtest

    other = webtest.TestApp(ts_app, extra_environ={"HTTP_HOST": "teleservices.test"})
    login(other, family.login, family.password)
    response = change(family_app, "mot-de-passe", {"password": "481937", "confirmation": "481937"})
    assert response.status_int == 303
    assert family_app.get("/").status_int == 200
    assert other.get("/").status_int == 303


def test_changing_the_identifiant_keeps_it_unique(family_app, site, tm, family):
    assert change(family_app, "identifiant", {"login": "nouvel.identifiant"}).status_int == 303
    with tm:
        assert site.logins["nouvel.identifiant"] == family.account_id
        assert "famille.test" not in site.logins


def test_changing_the_questions(family_app, site, tm, family):
    response = change(
        family_app,
        "questions",
        {
            "question1": "Quel est votre plat préféré ?",
            "answer1": "Pizza",
            "question2": "Mon lieu de naissance ?",
            "answer2": "Metz",
            "question3": "Mon film ?",
            "answer3": "Cyrano",
        },
    )
    assert response.status_int == 303
    with tm:
        assert site.accounts[family.account_id].questions[2].question == "Mon film ?"


def test_attaching_another_child_with_its_code(family_app, site, tm, family):
    ((code, first_name, birth_date),) = unused_codes(site, tm, count=1)
    page = family_app.get("/compte/rattacher")
    form = page.forms["rattacher"]
    fill_children(form, [(code, first_name, birth_date)])
    assert form.submit("submit").status_int == 303
    with tm:
        assert len(site.accounts[family.account_id].links) == 3


def test_deleting_the_account_gives_the_codes_back(family_app, site, tm, family):
    with tm:
        codes = [link.code for link in site.accounts[family.account_id].links]
    assert change(family_app, "supprimer", {}).status_int == 303
    with tm:
        assert family.account_id not in site.accounts
        assert all(site.codes[c].state is CodeState.UNUSED for c in codes)
        assert "famille.test" not in site.logins


def test_a_shared_account_speaks_for_each_responsable_of_its_own_codes(site, tm, family):
    with tm:
        account = site.accounts[family.account_id]
        pupil = site.pupils[family.pupil_ids[0]]
        first = pupil.responsables[0].responsable_id
        assert account.responsables_for(pupil.id) == [first]
        second = next((link.responsable_id for link in pupil.responsables[1:]), None)
        if second is None:
            return
        attach_responsable(site, account, pupil.id, second)
        assert account.responsables_for(pupil.id) == [first, second]
        assert f"responsable:{second}" in account.principals()
        tm.abort()
