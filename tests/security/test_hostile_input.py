"""Hostile input on every form: never a 500, never a partial write, always French.

The forms are found by visiting every route, anonymous and logged in, so a
service's forms (the fiche…) are covered as soon as it is installed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import webtest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ts_host import tokens
from ts_host.activation import display
from ts_host.models import CodeKind, Role
from ts_host.testing import (
    ESTABLISHMENT_A,
    TEST_ENVIRON,
    TestApp,
    make_account,
    make_staff,
    staff_login,
)

from .hostile import Filler, buttons_of, submissions
from .routes import requests

EXAMPLES = 12
ENGLISH = re.compile(
    r"\b(Required|Invalid|is not|must be|Shorter than|Longer than|not a number|Incomplete|"
    r"One or more|is too|Not a valid|There was a problem|characters|Bad Request|Not Found)\b"
)
ERRORS = ".fr-error-text, .fr-alert, .fr-message--error, main"


def english_messages(page) -> list[str]:
    if "html" not in page.content_type:
        return [f"{page.status}: {page.content_type}, not a page"]
    if page.html.html.get("lang") != "fr":
        return ["the page is not in French"]
    texts = [e.get_text(" ", strip=True) for e in page.html.select(ERRORS)]
    return [t[:200] for t in texts if ENGLISH.search(t)]


@dataclass(frozen=True)
class Target:
    """A form to attack: ``prepare(app)`` gives the path showing it, ready."""

    label: str
    form_id: str
    logged_in: bool
    prepare: Callable


class Attack:
    """One application, a fresh account per form, and what must not change."""

    def __init__(self, ts_app, site, tm, client):
        self.app, self.site, self.tm, self.client = ts_app, site, tm, client
        self.hasher = ts_app.registry.ts_hasher
        self.accounts = 0

    def new_account(self, pupil_id: str) -> str:
        self.accounts += 1
        login = f"cible{self.accounts}"
        with self.tm:
            make_account(self.site, self.hasher, [pupil_id], login)
        return login

    def token(self, login: str, purpose: str) -> str:
        """A live e-mailed token (reset or unlock link) of the account ``login``."""
        with self.tm:
            account = self.site.accounts[self.site.logins[login]]
            return tokens.issue(self.site, self.hasher, account, purpose, timedelta(hours=1))

    def codes(self, form_id: str) -> list[tuple[str, str, str]]:
        kind = CodeKind.CAE if "eleve" in form_id else CodeKind.CAR
        with self.tm:
            by_owner: dict[str, list] = {}
            for code in self.site.codes.values():
                if code.kind is kind and code.usable:
                    by_owner.setdefault(code.responsable_id or code.pupil_id, []).append(code)
            group = max(by_owner.values(), key=len)[:2]
            return [
                (
                    display(c.code),
                    self.site.pupils[c.pupil_id].first_name,
                    self.site.pupils[c.pupil_id].birth_date.strftime("%d/%m/%Y"),
                )
                for c in group
            ]

    def snapshot(self, pupil_ids) -> tuple:
        """What a refused submission must leave as it was."""
        plugins = self.app.registry.ts_plugins
        with self.tm:
            site = self.site
            accounts = {
                account_id: (
                    a.kind,
                    a.login,
                    a.email,
                    a.password_hash,
                    tuple(a.questions),
                    tuple(a.links),
                )
                for account_id, a in site.accounts.items()
            }
            return (
                accounts,
                dict(site.logins.items()),
                {k: tuple(v) for k, v in site.emails.items()},
                {c.code: (c.state, c.account_id) for c in site.codes.values()},
                [
                    plugins.pm.hook.ts_pupil_data(site=site, pupil=site.pupils[pid])
                    for pid in pupil_ids
                ],
            )


def targets(attack: Attack, pupil_id: str) -> list[Target]:
    """Every POST form of every page, anonymous then logged in, and the reset's step 2.

    A route carrying a ``{token}`` is visited with a live e-mailed token of
    each purpose (reset, unlock): one of them shows its form.
    """
    found, seen = [], set()
    login = attack.new_account(pupil_id)
    with attack.tm:
        responsable = attack.site.pupils[pupil_id].responsables[0].responsable_id
    for logged_in in (False, True):
        app = attack.client(login if logged_in else None)
        for route, match in requests(attack.app.registry, "GET"):
            if route.name.startswith("__") or (route.about_a_pupil and not logged_in):
                continue
            values = {"pupil": pupil_id, "responsable": responsable, **match}
            purposes = ("reset", "unlock") if "token" in route.placeholders else (None,)
            for purpose in purposes:

                def prepare(app, route=route, values=values, purpose=purpose):
                    if purpose is None:
                        return route.path(**values)
                    return route.path(**values, token=attack.token(login, purpose))

                page = app.get(prepare(app), status="*")
                if "html" not in page.content_type:
                    continue
                for form_id, form in page.forms.items():
                    if not isinstance(form_id, str):  # webtest also keys forms by index
                        continue
                    if form.method.upper() == "POST" and (form_id, logged_in) not in seen:
                        seen.add((form_id, logged_in))
                        label = f"{route.pattern} #{form_id}"
                        found.append(Target(label, form_id, logged_in, prepare))

    def answered(app):
        path = f"/mot-de-passe-oublie/{attack.token(login, 'reset')}"
        form = app.get(path).forms["reinitialiser"]
        form["answer1"], form["answer2"], form["answer3"] = "Nancy", "Marie", "Bleu"
        assert form.submit("submit").status_int == 303
        return path

    found.append(Target("réinitialisation, étape 2", "reinitialiser", False, answered))
    return found


def attack_form(attack: Attack, target: Target, pupil_id: str, address: str) -> None:
    """Run the examples; a submission that succeeded gets a new account for the next."""

    def new_client():
        login = attack.new_account(pupil_id) if target.logged_in else None
        return attack.client(login, address)

    hostile_submissions(
        target,
        Filler(attack.codes(target.form_id)),
        new_client,
        lambda: attack.snapshot([pupil_id]),
        EXAMPLES,
    )


def hostile_submissions(
    target, filler, new_client, snapshot, examples, renew=lambda response: True
) -> None:
    """Send ``examples`` hostile variations of ``target``'s form: never a 500; a
    submission refused (any answer but a redirection or a download) changes
    nothing of ``snapshot()`` and speaks French.  A client whose submission
    was redirected is replaced by ``new_client()`` for the next one when
    ``renew(response)`` says so (a family's new account, a staff session ended)."""
    state = {"app": new_client()}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def attempt(data):
        app = state["app"]
        path = target.prepare(app)
        page = app.get(path)
        form = page.forms[target.form_id]
        submission = data.draw(submissions(filler.fill(page, form), buttons_of(form)))
        # A file field (an import) gets a file of hostile bytes.
        fields = [(n, v) for n, v in submission.fields if not isinstance(v, webtest.forms.File)]
        uploads = submission.uploads + [
            (name, "export.xml", data.draw(st.binary(max_size=256)))
            for name, value in submission.fields
            if isinstance(value, webtest.forms.File)
        ]
        before = snapshot()
        response = app.post(
            form.action or path, params=fields, upload_files=uploads or None, status="*"
        )
        assert response.status_int < 500, target.label
        if response.status_int in (302, 303):
            if renew(response):
                state["app"] = new_client()
        elif response.content_type == "application/pdf":
            pass  # letters printed: a success
        else:
            assert snapshot() == before, f"{target.label}: partial write"
            assert not english_messages(response), (target.label, english_messages(response))

    attempt()


def test_hostile_input_on_every_form(ts_app, site, tm, client, cast):
    attack = Attack(ts_app, site, tm, client)
    found = targets(attack, cast.own)
    ids = {t.form_id for t in found}
    assert {"connexion", "creer-compte-responsable", "creer-compte-eleve"} <= ids
    assert {"identifiant-oublie", "mot-de-passe-oublie", "reinitialiser"} <= ids
    assert {"changer-identifiant", "changer-adresse", "changer-mot-de-passe"} <= ids
    for number, target in enumerate(found, start=1):
        attack_form(attack, target, cast.own, f"198.51.100.{number}")


def test_a_body_that_is_not_utf8_is_refused_in_french(ts_app, client, cast):
    anonymous, owner = client(), client("owner")
    for app, path in (
        (anonymous, "/connexion"),
        (anonymous, "/creer-compte/responsable"),
        (owner, "/compte/adresse"),
    ):
        token = app.get(path).html.select_one("input[name=csrf_token]")["value"]
        response = app.post(
            path,
            params=f"csrf_token={token}&login=%FF%FE%00&submit=x".encode(),
            content_type="application/x-www-form-urlencoded",
            status="*",
        )
        assert response.status_int < 500
        assert not english_messages(response)


def test_error_pages_are_french_and_echo_nothing(client):
    app = client()
    missing = app.get("/nulle-part/%3Cb%3E%C3%A9cho%3C/b%3E", status=404)
    assert (
        not english_messages(missing) and "écho" not in missing.text and "<b>" not in missing.text
    )
    refused = app.post("/connexion", {"login": "x"}, status=400)
    assert not english_messages(refused) and "check_csrf_token" not in refused.text


def test_deform_markers_out_of_place_are_refused_not_a_500(client, cast):
    """A sequence closed as a mapping: deform itself would end in a TypeError."""
    owner = client("owner")
    token = owner.get("/compte/rattacher").html.select_one("input[name=csrf_token]")["value"]
    markers = [
        ("csrf_token", token),
        ("__start__", "child:mapping"),
        ("__end__", "child:mapping"),
        ("code", "A"),
        ("__start__", "children:sequence"),
        ("code", "B"),
        ("first_name", "x"),
        ("__end__", "children:sequence"),
        ("submit", "submit"),
    ]
    refused = owner.post("/compte/rattacher", markers, status=400)
    assert not english_messages(refused)


def test_a_file_sent_in_a_text_field_of_a_form_is_refused_not_a_500(client, cast):
    """Pyramid's CSRF check and deform's widgets ask a file whether it is
    empty, which it cannot say: a 400, in French, for either field."""
    owner = client("owner")
    token = owner.get("/compte/adresse").html.select_one("input[name=csrf_token]")["value"]
    for fields, upload in (
        ([("submit", "submit")], ("csrf_token", "jeton.txt", b"A")),
        ([("csrf_token", token), ("submit", "submit")], ("email", "adresse.txt", b"A")),
    ):
        refused = owner.post("/compte/adresse", fields, upload_files=[upload], status=400)
        assert not english_messages(refused)


# Behind a staff session ---------------------------------------------------------------

STAFF_EXAMPLES = 3


def staff_snapshot(site, tm) -> tuple:
    """What a refused staff submission must leave as it was."""
    with tm:
        return (
            {
                a.id: (a.login, a.role, a.uais, a.disabled, a.password_hash, a.totp_secret)
                for a in site.staff
            },
            {
                c.code: (c.state, c.account_id, c.printed_at, c.mailed_at)
                for c in site.codes.values()
            },
            {uai: dict(e.pupil_ids.items()) for uai, e in site.establishments.items()},
            len(site.staff.uploads),
        )


def staff_targets(ts_app, app, other_staff_id: str) -> list[Target]:
    """Every POST form of every staff page of establishment A, seen by the
    académie (who sees them all); the many forms of a list (one per code,
    per account) are attacked once per action."""
    found, seen = [], set()
    for route, match in requests(ts_app.registry, "GET"):
        if not route.for_staff or "token" in route.placeholders:
            continue
        path = route.path(uai=ESTABLISHMENT_A, id=other_staff_id, **match)
        page = app.get(path, status="*")
        if page.status_int != 200 or "html" not in page.content_type:
            continue
        for key, form in page.forms.items():
            if isinstance(key, int) and form.method.upper() == "POST" and form.action not in seen:
                seen.add(form.action)
                label = f"{route.pattern} → {form.action or path}"
                found.append(Target(label, key, True, lambda app, path=path: path))
    return found


def test_hostile_input_on_every_staff_form(ts_app, site, tm):
    """The family crawler's staff mode: signed in as the académie (with a second
    staff account to act on), every form of every staff page, malformed."""
    hasher, number = ts_app.registry.ts_hasher, itertools.count()

    def new_client():
        with tm:
            member = make_staff(site, hasher, f"assaut{next(number)}", Role.ACADEMIE)
        app = TestApp(ts_app, extra_environ=TEST_ENVIRON)
        staff_login(app, member)
        return app

    with tm:
        other = make_staff(site, hasher, "cible", Role.ETABLISSEMENT, [ESTABLISHMENT_A])
        other_id = site.staff.by_login(other.login).id
    found = staff_targets(ts_app, new_client(), other_id)
    actions = {target.label.rsplit("/", 1)[-1] for target in found}
    assert {"regenerer", "refus", "envoi", "lettres.pdf", "import-siecle", "import-sts"} <= actions
    assert {"personnel", "desactiver", "reinitialiser-double-authentification"} <= actions
    for target in found:
        hostile_submissions(
            target,
            Filler([]),
            new_client,
            lambda: staff_snapshot(site, tm),
            STAFF_EXAMPLES,
            renew=lambda response: response.location.endswith("/gestion/connexion"),
        )
