"""The audit log: one JSON line per security event; who, what, when, from where;
never a password, an answer, a code or a token."""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path

from ts_host.activation import normalise
from ts_host.admin import codes as admin_codes
from ts_host.admin.importer import import_siecle
from ts_host.admin.siecle import read_exports
from ts_host.models import CodeKind
from ts_host.testing import ESTABLISHMENT_A, keypad_positions, login

from ..accounts_helpers import create_responsable, unused_codes

SIECLE = Path(__file__).resolve().parents[1] / "data" / "siecle"
FIRST, SECOND, THIRD = "482916", "593027", "614830"
ANSWERS = ("Épinal", "Marie", "Félix")
LINK = re.compile(r"http://teleservices\.test(/\S+)")


def records(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "ts_host.audit"]


def link_in(mailbox) -> str:
    return LINK.findall(mailbox.last().get_content())[-1]


FORMS = {"identifiant": "changer-identifiant", "adresse": "changer-adresse"}
FORMS |= {"questions": "changer-questions", "supprimer": "supprimer"}


def change(app, part, values, current):
    page = app.get(f"/compte/{part}")
    form = page.forms[FORMS[part]]
    for name, value in values.items():
        form[name] = value
    form["current"] = keypad_positions(page, current)
    return form.submit("submit")


def new_password(app, path, password, form_id, current=None):
    page = app.get(path)
    form = page.forms[form_id]
    form["password"] = keypad_positions(page, password)
    form["confirmation"] = keypad_positions(page, password)
    if current:
        form["current"] = keypad_positions(page, current)
    return form.submit("submit")


def test_every_security_event_is_one_json_line_without_any_secret(
    testapp, site, tm, mailbox, caplog, ts_app
):
    secrets: set[str] = {FIRST, SECOND, THIRD, *ANSWERS}
    caplog.set_level(logging.INFO, logger="ts_host.audit")
    rows = unused_codes(site, tm, count=2)
    secrets |= {code for code, *_ in rows} | {normalise(code) for code, *_ in rows}
    create_responsable(testapp, rows[:1], password=FIRST)
    create_responsable(testapp, [(rows[1][0], "Personne", rows[1][2])], login="autre.famille")
    assert login(testapp, "dupont.famille", FIRST).status_int == 303
    with tm:
        account = site.accounts[site.logins["dupont.famille"]]
        secrets |= set(account.sessions.keys()) | {account.password_hash}
    secrets.add(testapp.get("/compte").html.select_one("input[name=csrf_token]")["value"])
    change(testapp, "identifiant", {"login": "nouveau.nom"}, current=SECOND)
    assert change(testapp, "adresse", {"email": "nouvelle@example.org"}, FIRST).status_int == 303
    questions = {"answer1": "Toul", "answer2": "Marie", "answer3": "Noiraud"}
    questions |= {"question1": "Mon lieu de naissance ?", "question2": "Mon deuxième prénom ?"}
    questions["question3"] = "Ma couleur ?"
    assert change(testapp, "questions", questions, current=FIRST).status_int == 303
    secrets |= {"Toul", "Noiraud"}
    changed = new_password(testapp, "/compte/mot-de-passe", SECOND, "changer-mot-de-passe", FIRST)
    assert changed.status_int == 303
    form = testapp.get("/compte/rattacher").forms["rattacher"]
    code, first_name, birth_date = rows[1]
    for part, value in zip(("part1", "part2", "part3", "part4"), code.split("-"), strict=True):
        form.set(part, value, index=0)
    form.set("first_name", first_name, index=0)
    form.set("birth_date", birth_date.strftime("%d/%m/%Y"), index=0)
    assert form.submit("submit").status_int == 303
    token = testapp.get("/compte").html.select_one("input[name=csrf_token]")["value"]
    testapp.post("/deconnexion", {"csrf_token": token})

    for _ in range(5):
        login(testapp, "dupont.famille", THIRD)
    unlock = link_in(mailbox)
    secrets.add(unlock.rsplit("/", 1)[1])
    [unlock_form] = [f for i, f in testapp.get(unlock).forms.items() if isinstance(i, int)]
    unlock_form.submit()

    form = testapp.get("/identifiant-oublie").forms["identifiant-oublie"]
    form["email"] = "nouvelle@example.org"
    form.submit("submit")
    form = testapp.get("/mot-de-passe-oublie").forms["mot-de-passe-oublie"]
    form["login"], form["email"] = "dupont.famille", "nouvelle@example.org"
    form.submit("submit")
    reset = link_in(mailbox)
    secrets.add(reset.rsplit("/", 1)[1])
    form = testapp.get(reset).forms["reinitialiser"]
    form["answer1"], form["answer2"], form["answer3"] = "Nancy", "Marie", "Faux"
    form.submit("submit")
    form = testapp.get(reset).forms["reinitialiser"]
    form["answer1"], form["answer2"], form["answer3"] = "Toul", "Marie", "Noiraud"
    form.submit("submit")
    new_password(testapp, reset, THIRD, "reinitialiser")
    assert login(testapp, "dupont.famille", THIRD).status_int == 303
    change(testapp, "supprimer", {}, current=THIRD)

    with tm:
        first, second = list(site.establishments[ESTABLISHMENT_A].pupil_ids.keys())[:2]
        scope = admin_codes.Scope(ESTABLISHMENT_A, pupil=first)
        regeneration = admin_codes.regenerate(site, admin_codes.select(site, scope))
        scope = admin_codes.Scope(ESTABLISHMENT_A, pupil=second, kinds=(CodeKind.CAE,))
        admin_codes.revoke(site, admin_codes.select(site, scope))
        exports = read_exports(
            [SIECLE / "ElevesSansAdresses.xml", SIECLE / "ResponsablesAvecAdresses.xml"]
        )
        import_siecle(site, "0545432L", "Collège importé", exports, date(2027, 2, 15))
    secrets |= {c.code for c in regeneration.issued}

    found = records(caplog)
    events = {r["event"] for r in found}
    assert events >= {
        "account.created",
        "activation.failed",
        "login.succeeded",
        "login.failed",
        "account.locked",
        "account.unlocked",
        "account.reauth_failed",
        "account.email_changed",
        "account.questions_changed",
        "account.password_changed",
        "account.code_attached",
        "logout",
        "recovery.login_requested",
        "recovery.reset_requested",
        "recovery.answers_failed",
        "recovery.password_reset",
        "account.deleted",
        "code.regenerated",
        "code.revoked",
        "siecle.imported",
    }, events
    for record in found:
        assert {"at", "event", "account", "client"} <= set(record), record
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record["at"])
        assert record["client"] == "192.0.2.10" or (
            record["client"] == "ts-admin" and "@" in record["operator"]
        ), record
    logged_in = [r for r in found if r["event"] in ("account.email_changed", "logout")]
    assert all(r["account"] for r in logged_in)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert not [secret for secret in secrets if secret and secret in text]
