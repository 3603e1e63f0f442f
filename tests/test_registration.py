"""Creating an account from activation codes (guide 2.2 and 2.3)."""

from datetime import date

import pytest

from ts_host.models import CodeKind, CodeState

from .accounts_helpers import (
    create_responsable,
    fill_account,
    fill_children,
    unused_codes,
)

NO_MATCH = "code d'activation, prénom ou date de naissance incorrect"


def row_errors(page):
    """The error under each child's row of the form, « » for none."""
    return [
        " ".join(p.get_text(" ", strip=True) for p in row.find_all("p", class_="fr-error-text"))
        for row in page.html.select("fieldset.ts-children fieldset")
    ]


def test_a_responsable_creates_an_account_with_two_children(testapp, site, tm, mailbox):
    rows = unused_codes(site, tm, count=2)
    response = create_responsable(testapp, rows)
    assert response.status_int == 303
    assert "Votre compte a bien été créé" in response.follow().text
    tm.begin()
    account = site.accounts[site.logins["dupont.famille"]]
    assert len(account.links) == 2
    assert all(site.codes[link.code].state is CodeState.USED for link in account.links)
    message = mailbox.last()
    body = message.get_content()
    assert message["To"] == "parent@example.org"
    assert "dupont.famille" in body
    assert "860357" not in body
    tm.abort()


def test_the_form_shows_three_child_rows_and_adds_one_on_demand(testapp):
    page = testapp.get("/creer-compte/responsable")
    form = page.forms["creer-compte-responsable"]
    assert len(form.fields["first_name"]) == 3
    more = form.submit("add_child")
    assert len(more.forms["creer-compte-responsable"].fields["first_name"]) == 4


def test_a_whole_code_pasted_in_the_first_box_is_accepted(testapp, site, tm):
    ((code, first_name, birth_date),) = unused_codes(site, tm, count=1)
    page = testapp.get("/creer-compte/responsable")
    form = page.forms["creer-compte-responsable"]
    form.set("part1", code.lower().replace("-", " "), index=0)
    form.set("first_name", first_name, index=0)
    form.set("birth_date", birth_date.strftime("%d/%m/%Y"), index=0)
    fill_account(page, form)
    assert form.submit("submit").status_int == 303


@pytest.mark.parametrize("spoil", ["first_name", "birth_date", "code"])
def test_any_mismatch_gives_one_message_and_writes_nothing(testapp, site, tm, spoil):
    rows = unused_codes(site, tm, count=2)
    code, first_name, birth_date = rows[1]
    bad = {
        "first_name": (code, "Personne", birth_date),
        "birth_date": (code, first_name, date(2001, 2, 3)),
        "code": ("AAAA-AAA-AAA-AAA", first_name, birth_date),
    }[spoil]
    response = create_responsable(testapp, [rows[0], bad])
    assert response.status_int == 200
    said = f"Enfant 2 : {NO_MATCH}. Vérifiez le courrier reçu de l'établissement."
    # The same words whichever of the three is wrong: the row, never the reason.
    assert row_errors(response) == ["", said, ""]
    assert said in response.html.find("div", class_="fr-alert--error").text
    assert rows[0][1] in response.text  # what was typed is kept
    tm.begin()
    assert "dupont.famille" not in site.logins
    assert all(
        c.state is CodeState.UNUSED
        for c in site.codes.values()
        if c.account_id is None and c.state is not CodeState.REVOKED
    )
    tm.abort()


def test_a_refused_form_does_not_echo_the_password(testapp, site, tm):
    rows = unused_codes(site, tm, count=1)
    response = create_responsable(testapp, rows, confirmation="860358")
    assert "La confirmation ne correspond pas" in response.text
    assert 'name="password" id' in response.text
    assert 'value="" data-ts-keypad-value' in response.text


def test_an_identifiant_is_unique_whatever_its_case(testapp, site, tm, family):
    rows = unused_codes(site, tm, count=1)
    response = create_responsable(testapp, rows, login="FAMILLE.Test")
    assert "Cet identifiant est déjà pris" in response.text


@pytest.mark.parametrize(
    "password,reason",
    [
        ("123456", "suite ou une répétition"),
        ("111111", "suite ou une répétition"),
        ("147258", "plus courants"),
    ],
)
def test_weak_passwords_are_refused(testapp, site, tm, password, reason):
    rows = unused_codes(site, tm, count=1)
    response = create_responsable(testapp, rows, password=password)
    assert reason in response.text
    tm.begin()
    assert "dupont.famille" not in site.logins
    tm.abort()


def test_a_childs_birth_date_is_refused_as_password(testapp, site, tm):
    rows = unused_codes(site, tm, count=1)
    birth = rows[0][2]
    response = create_responsable(testapp, rows, password=birth.strftime("%d%m%Y"))
    assert "date de naissance d'un enfant" in response.text


def test_a_pupil_creates_an_account_with_a_cae_only(testapp, site, tm):
    (cae,) = unused_codes(site, tm, kind=CodeKind.CAE, count=1, same_responsable=False)
    (car,) = unused_codes(site, tm, kind=CodeKind.CAR, count=1)
    for row, expected in ((car, 200), (cae, 303)):
        page = testapp.get("/creer-compte/eleve")
        form = page.forms["creer-compte-eleve"]
        fill_children(form, [row])
        fill_account(page, form, login="eleve.test")
        assert form.submit("submit").status_int == expected
    tm.begin()
    assert site.accounts[site.logins["eleve.test"]].kind == "eleve"
    tm.abort()


def test_matching_is_throttled_per_code(testapp, site, tm):
    ((code, first_name, birth_date),) = unused_codes(site, tm, count=1)
    for _ in range(5):
        create_responsable(testapp, [(code, "Personne", birth_date)])
    response = create_responsable(testapp, [(code, first_name, birth_date)])
    assert row_errors(response)[0].startswith(f"Enfant 1 : {NO_MATCH}")


def test_two_identical_questions_are_refused(testapp, site, tm):
    rows = unused_codes(site, tm, count=1)
    page = testapp.get("/creer-compte/responsable")
    form = page.forms["creer-compte-responsable"]
    fill_children(form, rows)
    fill_account(page, form)
    form["question2"] = form["question1"].value
    assert "Choisissez deux questions différentes" in form.submit("submit").text


def test_the_form_needs_its_csrf_token(testapp):
    testapp.post("/creer-compte/responsable", {"submit": "submit"}, status=400)


def test_a_pupil_s_single_row_is_refused_without_a_number(testapp, site, tm):
    (car,) = unused_codes(site, tm, kind=CodeKind.CAR, count=1)
    page = testapp.get("/creer-compte/eleve")
    form = page.forms["creer-compte-eleve"]
    fill_children(form, [car])
    fill_account(page, form, login="eleve.test")
    response = form.submit("submit")
    assert row_errors(response) == [
        "Code d'activation, prénom ou date de naissance incorrect. Vérifiez le courrier "
        "reçu de l'établissement."
    ]


@pytest.mark.parametrize("path", ["/creer-compte/responsable", "/creer-compte/eleve"])
def test_one_notice_of_required_fields_and_the_first_child_s_fields_marked(testapp, path):
    page = testapp.get(path, headers={"Accept-Language": "en-US,en"})
    notices = [p for p in page.html.find_all("p") if "obligatoires" in p.text]
    assert [" ".join(p.text.split()) for p in notices] == [
        "Les champs marqués d'un astérisque (*) sont obligatoires."
    ]
    first_row = page.html.select("fieldset.ts-children fieldset")[0]
    labels = [" ".join(label.text.split()) for label in first_row.find_all("label")]
    assert labels == [
        "Code Activation * 4 cases, comme sur le courrier",
        "Prénom *",
        "Né(e) le * Format attendu : jj/mm/aaaa",
    ]
    # Whatever the browser's language, the field is typed as the hint says.
    date_input = first_row.find("input", attrs={"name": "birth_date"})
    assert (date_input["type"], date_input["inputmode"]) == ("text", "numeric")


@pytest.mark.parametrize(
    "typed", ["02/01/2009", "2/1/2009", "02.01.2009", "02012009", " 02 / 01 / 2009 "]
)
def test_a_birth_date_is_read_day_first(typed):
    from ts_host.accounts.schemas import FrenchDate

    assert FrenchDate().deserialize(None, typed) == date(2009, 1, 2)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("2009-01-02", "Date invalide : écrivez-la jj/mm/aaaa, par exemple 02/01/2009."),
        ("01/02/09", "Date invalide : écrivez-la jj/mm/aaaa, par exemple 02/01/2009."),
        ("31/02/2010", "Cette date n'existe pas : vérifiez le jour et le mois"),
        ("13/13/2010", "Cette date n'existe pas : vérifiez le jour et le mois"),
    ],
)
def test_a_birth_date_in_another_form_is_refused_in_french(testapp, site, tm, typed, error):
    rows = unused_codes(site, tm, count=1)
    page = testapp.get("/creer-compte/responsable")
    form = page.forms["creer-compte-responsable"]
    fill_children(form, rows)
    form.set("birth_date", typed, index=0)
    fill_account(page, form)
    response = form.submit("submit")
    assert response.status_int == 200
    cell = response.html.find("input", attrs={"name": "birth_date"}).parent
    assert error in cell.find("p", class_="fr-error-text").text
    assert cell.find("input")["aria-invalid"] == "true"
    assert cell.find("input")["value"] == typed  # kept as typed, to be corrected


def test_the_identifiant_s_hint_is_its_error_and_its_rule(testapp, site, tm):
    page = testapp.get("/creer-compte/responsable")
    login_id = page.html.find("input", attrs={"name": "login"})["id"]
    hint = page.html.find(id=f"help-{login_id}").get_text(" ", strip=True)
    assert hint.startswith("De 3 à 64 caractères : lettres sans accent, chiffres, point, tiret,")
    assert "souligné (_) ou @" in hint
    for refused in ("ab", "élodie.d", "_dupont", "du pont", "a" * 65, "dupont!"):
        response = create_responsable(testapp, unused_codes(site, tm, count=1), login=refused)
        field = response.html.find("input", attrs={"name": "login"}).parent
        assert field.find("p", class_="fr-error-text").get_text(" ", strip=True) == hint, refused
    for accepted in ("abc", "D.upont-2_x@ecole", "a" * 64):
        response = create_responsable(testapp, unused_codes(site, tm, count=1), login=accepted)
        assert response.status_int == 303, accepted


def test_the_login_page_s_parent_tile_agrees_in_number(testapp):
    tiles = " ".join(testapp.get("/connexion").html.get_text(" ", strip=True).split())
    assert "un ou plusieurs Codes Activation Responsable par courrier" in tiles
