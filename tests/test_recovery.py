"""Forgotten identifiant and password: no enumeration, single-use links."""

import re
from datetime import datetime, timedelta

from ts_host.testing import TestApp, keypad_positions, login

SENT = "Si ces informations correspondent à un compte"


def reset_link(mailbox):
    body = mailbox.last().get_content()
    return re.search(r"http://teleservices\.test(/mot-de-passe-oublie/\S+)", body).group(1)


def ask_reset(testapp, login_name, email):
    form = testapp.get("/mot-de-passe-oublie").forms["mot-de-passe-oublie"]
    form["login"] = login_name
    form["email"] = email
    return form.submit("submit")


def answer(testapp, link, answers=("nancy", "MARIE", " bleu ")):
    form = testapp.get(link).forms["reinitialiser"]
    for number, value in enumerate(answers, start=1):
        form[f"answer{number}"] = value
    return form.submit("submit")


def choose_password(testapp, link, password):
    page = testapp.get(link)
    form = page.forms["reinitialiser"]
    form["password"] = keypad_positions(page, password)
    form["confirmation"] = keypad_positions(page, password)
    return form.submit("submit")


def test_forgotten_identifiant_answers_the_same_for_unknown_addresses(testapp, family, mailbox):
    responses = []
    for address in ("famille.test@example.org", "inconnu@example.org"):
        form = testapp.get("/identifiant-oublie").forms["identifiant-oublie"]
        form["email"] = address
        response = form.submit("submit")
        responses.append((response.status_int, response.location))
        assert SENT in response.follow().text
    assert responses[0] == responses[1]
    assert len(mailbox.messages) == 1
    assert "famille.test" in mailbox.last().get_content()


def test_forgotten_password_answers_the_same_for_unknown_identifiants(testapp, family, mailbox):
    known = ask_reset(testapp, family.login, "famille.test@example.org")
    unknown = ask_reset(testapp, "inconnu", "famille.test@example.org")
    wrong_address = ask_reset(testapp, family.login, "autre@example.org")
    assert {(r.status_int, r.location) for r in (known, unknown, wrong_address)} == {
        (known.status_int, known.location)
    }
    assert len(mailbox.messages) == 1


def test_the_reset_link_comes_from_the_public_url_not_the_host_header(testapp, family, mailbox):
    # Another host the portal answers to (an unknown one is refused: test_hostile_requests).
    testapp.extra_environ["HTTP_HOST"] = "localhost:8080"
    ask_reset(testapp, family.login, "famille.test@example.org")
    assert "localhost" not in mailbox.last().get_content()
    assert reset_link(mailbox).startswith("/mot-de-passe-oublie/")


def test_a_reset_asks_the_questions_then_a_new_password(testapp, family, mailbox, site, tm):
    ask_reset(testapp, family.login, "famille.test@example.org")
    link = reset_link(mailbox)
    page = testapp.get(link)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Mon lieu de naissance ?" in page.text
    assert answer(testapp, link).status_int == 303
    assert choose_password(testapp, link, "481937").status_int == 303
    assert "mot de passe" in mailbox.last()["Subject"]
    assert login(testapp, family.login, "481937").status_int == 303
    testapp.reset()
    assert testapp.get(link).text.count("plus valable") == 1


def test_a_reset_works_while_locked_and_unlocks(testapp, family, mailbox, site, tm):
    with tm:
        site.accounts[family.account_id].locked_until = datetime.now() + timedelta(hours=1)
    ask_reset(testapp, family.login, "famille.test@example.org")
    link = reset_link(mailbox)
    answer(testapp, link)
    choose_password(testapp, link, "481937")
    assert login(testapp, family.login, "481937").status_int == 303


def test_wrong_answers_are_throttled_and_kill_the_link(testapp, family, mailbox):
    ask_reset(testapp, family.login, "famille.test@example.org")
    link = reset_link(mailbox)
    for _ in range(2):
        assert "inexactes" in answer(testapp, link, ("x", "y", "z")).text
    answer(testapp, link, ("x", "y", "z"))
    assert "plus valable" in testapp.get(link).text


def test_the_new_password_follows_the_rules(testapp, family, mailbox):
    ask_reset(testapp, family.login, "famille.test@example.org")
    link = reset_link(mailbox)
    answer(testapp, link)
    assert "suite ou une répétition" in choose_password(testapp, link, "123456").text


def test_a_reset_ends_the_accounts_other_sessions(ts_app, testapp, family, mailbox):

    other = TestApp(ts_app, extra_environ={"HTTP_HOST": "teleservices.test"})
    login(other, family.login, family.password)
    assert other.get("/").status_int == 200
    ask_reset(testapp, family.login, "famille.test@example.org")
    link = reset_link(mailbox)
    answer(testapp, link)
    choose_password(testapp, link, "481937")
    assert other.get("/").status_int == 303
