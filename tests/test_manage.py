"""Gérer son compte: each change needs the current password and is notified."""

from ts_host.models import CodeState
from ts_host.testing import TestApp, attach_responsable, keypad_positions, login

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

    other = TestApp(ts_app, extra_environ={"HTTP_HOST": "teleservices.test"})
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


def stored_questions(site, tm, family):
    with tm:
        return [(q.question, q.answer_hash) for q in site.accounts[family.account_id].questions]


def test_the_questions_page_shows_the_current_questions(family_app):
    form = family_app.get("/compte/questions").forms["changer-questions"]
    assert form["question1"].value == "Mon lieu de naissance ?"
    assert form["question2"].value == "Mon deuxième prénom ?"
    assert form["question3"].value == "Ma couleur ?"
    assert (form["answer1"].value, form["answer2"].value, form["answer3"].value) == ("", "", "")


def test_only_a_changed_question_needs_a_new_answer(family_app, site, tm, family, mailbox):
    before = stored_questions(site, tm, family)
    response = change(family_app, "questions", {"question3": "Mon film ?", "answer3": "Cyrano"})
    assert response.status_int == 303
    after = stored_questions(site, tm, family)
    assert after[:2] == before[:2]  # unchanged questions keep their answers' hashes
    assert after[2][0] == "Mon film ?" and after[2][1] != before[2][1]
    assert "Vos questions ont été changées" in mailbox.last().get_content()


def test_a_changed_question_without_its_answer_is_refused(family_app, site, tm, family):
    before = stored_questions(site, tm, family)
    response = change(family_app, "questions", {"question1": "Quel est votre plat préféré ?"})
    assert response.status_int == 200
    answer1 = response.html.find("input", attrs={"name": "answer1"}).parent
    assert "Cette question change : donnez sa réponse." in answer1.text
    answer2 = response.html.find("input", attrs={"name": "answer2"}).parent
    assert answer2.find("p", class_="fr-error-text") is None
    assert stored_questions(site, tm, family) == before


def test_a_new_answer_to_the_same_question_replaces_the_old_one(family_app, site, tm, family):
    before = stored_questions(site, tm, family)
    assert change(family_app, "questions", {"answer2": "Louise"}).status_int == 303
    after = stored_questions(site, tm, family)
    assert after[1][0] == before[1][0] and after[1][1] != before[1][1]
    assert (after[0], after[2]) == (before[0], before[2])


def test_nothing_changed_writes_and_notifies_nothing(family_app, site, tm, family, mailbox):
    before, sent = stored_questions(site, tm, family), len(mailbox.messages)
    response = change(family_app, "questions", {})
    assert response.status_int == 303
    assert "restent les mêmes" in response.follow().text
    assert stored_questions(site, tm, family) == before
    assert len(mailbox.messages) == sent


def test_changing_the_questions_still_needs_the_password(family_app, site, tm, family):
    before = stored_questions(site, tm, family)
    response = change(family_app, "questions", {"answer2": "Louise"}, current="111111")
    assert response.status_int == 200
    assert stored_questions(site, tm, family) == before


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
