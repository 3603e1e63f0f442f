"""Helpers shared by the account tests: codes from the demo database, forms."""

from ts_host.activation import display
from ts_host.models import CodeKind
from ts_host.testing import ESTABLISHMENT_A, keypad_positions, pupils_of


def unused_codes(site, tm, kind=CodeKind.CAR, count=2, same_responsable=True):
    """Unused codes with their pupil's first name and birth date."""
    with tm:
        by_responsable = {}
        for code in site.codes.values():
            if code.kind is kind and code.usable:
                by_responsable.setdefault(code.responsable_id or code.pupil_id, []).append(code)
        groups = [
            g for g in by_responsable.values() if len(g) >= (count if same_responsable else 1)
        ]
        chosen = groups[0][:count] if same_responsable else [g[0] for g in groups[:count]]
        return [
            (
                display(c.code),
                site.pupils[c.pupil_id].first_name,
                site.pupils[c.pupil_id].birth_date,
            )
            for c in chosen
        ]


def fill_children(form, rows):
    """Type each (code, first name, birth date) in the rows of "Vos enfants"."""
    code_boxes = [f for f in form.fields if f and f.startswith("part")]
    assert code_boxes, "no code boxes on the form"
    for index, (code, first_name, birth_date) in enumerate(rows):
        for part, value in zip(("part1", "part2", "part3", "part4"), code.split("-"), strict=True):
            form.set(part, value, index=index)
        form.set("first_name", first_name, index=index)
        form.set("birth_date", birth_date.strftime("%d/%m/%Y"), index=index)


def fill_account(
    page,
    form,
    login="dupont.famille",
    password="860357",
    confirmation=None,
    email="parent@example.org",
):
    form["login"] = login
    form.set("password", keypad_positions(page, password))
    form.set("confirmation", keypad_positions(page, confirmation or password))
    form["email"] = email
    form["question1"] = "Mon lieu de naissance ?"
    form["answer1"] = "Épinal"
    form["question2"] = "Mon deuxième prénom ?"
    form["answer2"] = "Marie"
    form["question3"] = "Le nom de mon premier chat ?"
    form["answer3"] = "Félix"


def create_responsable(testapp, rows, **account):
    page = testapp.get("/creer-compte/responsable")
    form = page.forms["creer-compte-responsable"]
    fill_children(form, rows)
    fill_account(page, form, **account)
    return form.submit("submit")


def pupil_of_a(site, tm):
    with tm:
        return pupils_of(site, ESTABLISHMENT_A)[0]
