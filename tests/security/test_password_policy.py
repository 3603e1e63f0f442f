"""``ts.password_policy``: the guide's keypad by default, long passwords when chosen.

In ``passphrase`` mode every password form (login, both creations, change,
reset) is a normal password field that password managers fill in, and new
passwords have 12 to 128 characters of any kind.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest

from ts_host import main, tokens
from ts_host.activation import display
from ts_host.establishments import ConfigurationError
from ts_host.models import CodeKind
from ts_host.password_policy import PasswordPolicy
from ts_host.testing import PASSWORD, TestApp, make_account, open_site

PHRASE = "Trois chats gris dorment au soleil d'été ☀"
#: The same phrase as a Mac keyboard may send it: accents decomposed (NFD).
PHRASE_NFD = unicodedata.normalize("NFD", PHRASE)


@pytest.fixture
def passphrase_app(ts_settings):
    wsgi = main({}, **{**ts_settings, "ts.password_policy": "passphrase"})
    return TestApp(wsgi, extra_environ={"HTTP_HOST": "teleservices.test"})


def password_inputs(page, form_id: str) -> dict[str, str]:
    """name -> autocomplete of the form's password inputs."""
    form = page.html.select_one(f"form#{form_id}")
    return {i["name"]: i.get("autocomplete") for i in form.select("input[type=password]")}


def unused_cae(wsgi) -> tuple[str, str, str]:
    with open_site(wsgi) as site:
        code = next(c for c in site.codes.values() if c.kind is CodeKind.CAE and c.usable)
        pupil = site.pupils[code.pupil_id]
        return display(code.code), pupil.first_name, pupil.birth_date.strftime("%d/%m/%Y")


def create_pupil_account(app, password, confirmation=None, login="eleve.phrase"):
    code, first_name, birth_date = unused_cae(app.app)
    form = app.get("/creer-compte/eleve").forms["creer-compte-eleve"]
    for part, value in zip(("part1", "part2", "part3", "part4"), code.split("-"), strict=True):
        form.set(part, value, index=0)
    form.set("first_name", first_name, index=0)
    form.set("birth_date", birth_date, index=0)
    form["login"], form["email"] = login, "eleve@example.org"
    form["password"], form["confirmation"] = password, confirmation or password
    form["question1"], form["answer1"] = "Mon lieu de naissance ?", "Épinal"
    form["question2"], form["answer2"] = "Mon deuxième prénom ?", "Marie"
    form["question3"], form["answer3"] = "Ma couleur ?", "Bleu"
    return form.submit("submit")


def typed_login(app, login_name, password):
    form = app.get("/connexion").forms["connexion"]
    form["login"], form["password"] = login_name, password
    return form.submit("submit")


def test_the_keypad_stays_the_default(testapp):
    page = testapp.get("/connexion")
    assert page.html.select("[data-ts-keypad]")
    assert password_inputs(page, "connexion") == {}


def test_an_unknown_policy_stops_the_start_naming_the_setting(ts_settings):
    with pytest.raises(ConfigurationError, match=r"ts\.password_policy"):
        main({}, **{**ts_settings, "ts.password_policy": "emoji"})


def test_every_password_form_is_a_normal_field_that_managers_fill(passphrase_app, pupil_enabled):
    app = passphrase_app
    login_page = app.get("/connexion")
    assert password_inputs(login_page, "connexion") == {"password": "current-password"}
    for path, form_id in (
        ("/creer-compte/responsable", "creer-compte-responsable"),
        ("/creer-compte/eleve", "creer-compte-eleve"),
    ):
        page = app.get(path)
        assert password_inputs(page, form_id) == {
            "password": "new-password",
            "confirmation": "new-password",
        }
        assert not page.html.select("[data-ts-keypad]")
        assert "12 à 128 caractères" in page.text
    with open_site(app.app) as site:
        account = make_account(site, app.app.registry.ts_hasher, [pupil_enabled], "parent", PHRASE)
        reset = tokens.issue(site, app.app.registry.ts_hasher, account, "reset", timedelta(1))
    assert typed_login(app, "parent", PHRASE).status_int == 303
    change = app.get("/compte/mot-de-passe")
    assert password_inputs(change, "changer-mot-de-passe") == {
        "password": "new-password",
        "confirmation": "new-password",
        "current": "current-password",
    }
    assert password_inputs(app.get("/compte/adresse"), "changer-adresse") == {
        "current": "current-password"
    }
    app.reset()
    form = app.get(f"/mot-de-passe-oublie/{reset}").forms["reinitialiser"]
    form["answer1"], form["answer2"], form["answer3"] = "Nancy", "Marie", "Bleu"
    page = form.submit("submit").follow()
    assert password_inputs(page, "reinitialiser") == {
        "password": "new-password",
        "confirmation": "new-password",
    }
    assert "12 à 128 caractères" in page.text


def test_a_long_password_of_any_characters_creates_an_account_and_logs_in(passphrase_app):
    assert create_pupil_account(passphrase_app, PHRASE).status_int == 303
    passphrase_app.reset()
    assert typed_login(passphrase_app, "eleve.phrase", PHRASE).status_int == 303


def test_the_same_phrase_typed_decomposed_logs_in_too(passphrase_app):
    create_pupil_account(passphrase_app, PHRASE_NFD)
    passphrase_app.reset()
    assert typed_login(passphrase_app, "eleve.phrase", PHRASE).status_int == 303


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("trop court!", "12 caractères au moins"),
        ("x" * 129, "128 caractères au plus"),
        ("azerty123" * 3, "répétition d'un même motif"),
        ("            ", "répétition d'un même motif"),
        ("123456789012", "suite ou une répétition de chiffres"),
    ],
)
def test_weak_long_passwords_are_refused_in_french_and_nothing_is_written(
    passphrase_app, password, message
):
    page = create_pupil_account(passphrase_app, password)
    assert page.status_int == 200
    assert message in page.text
    with open_site(passphrase_app.app) as site:
        assert "eleve.phrase" not in site.logins


def test_an_older_digit_password_still_logs_in_then_is_asked_to_change(
    passphrase_app, pupil_enabled
):
    with open_site(passphrase_app.app) as site:
        make_account(site, passphrase_app.app.registry.ts_hasher, [pupil_enabled], "ancien")
    response = typed_login(passphrase_app, "ancien", PASSWORD)
    assert response.location.endswith("/compte/mot-de-passe")
    page = response.follow()
    assert "ne suit plus les règles" in page.text
    form = page.forms["changer-mot-de-passe"]
    form["password"] = form["confirmation"] = PHRASE
    form["current"] = PASSWORD
    assert form.submit("submit").status_int == 303
    passphrase_app.reset()
    assert typed_login(passphrase_app, "ancien", PHRASE).location.endswith("/")


def test_the_policy_rules_in_isolation():
    keypad, phrase = PasswordPolicy("keypad"), PasswordPolicy("passphrase")
    assert keypad.problems("860357") == [] and keypad.problems(PHRASE)
    assert phrase.problems(PHRASE) == [] and phrase.problems("860357")
    assert (phrase.min_length, phrase.max_length) == (12, 128)
    assert "date de naissance" in str(phrase.problems("140320159876", [date(2015, 3, 14)]))
