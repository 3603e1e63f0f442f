"""The establishment office's accounts: activation, password, TOTP, roles (issue 17)."""

import re
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from pyramid.interfaces import ISecurityPolicy

from ts_host.staff import commands
from ts_host.testing import TestApp, login, open_site

PASSWORD = "une phrase de passe assez longue"
UAI = "0541234Y"


def open_account(ts_app, login_name="chef", role="academie", uais=()):
    with open_site(ts_app) as site:
        return commands.add_staff(
            site,
            ts_app.registry.ts_hasher,
            ts_app.registry.ts_academy,
            login_name,
            "Camille Chef",
            f"{login_name}@ac-exemple.fr",
            role,
            list(uais),
        )


def activate(app, link, password=PASSWORD):
    page = app.get(urlsplit(link).path)
    form = page.forms["activation-gestion"]
    form["password"] = password
    form["confirmation"] = password
    return form.submit("submit")


def sign_in(app, login_name="chef", password=PASSWORD):
    page = app.get("/gestion/connexion")
    form = page.forms["connexion-gestion"]
    form["login"] = login_name
    form["password"] = password
    return form.submit("submit")


def enrol(app):
    """Scan the QR code (read the key under it), answer the code: the recovery codes page."""
    page = app.get("/gestion/double-authentification")
    secret = page.html.select_one(".ts-secret").text.replace(" ", "")
    form = page.forms["enrolement"]
    form["code"] = pyotp.TOTP(secret).now()
    return secret, form.submit("submit")


def second_factor(app, code):
    page = app.get("/gestion/verification")
    form = page.forms["second-facteur"]
    form["code"] = code
    return form.submit("submit")


@pytest.fixture
def chef(testapp, ts_app):
    """An académie account, activated and enrolled: (app, totp secret, recovery codes)."""
    activate(testapp, open_account(ts_app))
    sign_in(testapp)
    secret, page = enrol(testapp)
    codes = [code.text for code in page.html.select(".ts-recovery-codes code")]
    return testapp, secret, codes


def test_the_first_account_comes_from_the_command_line_with_a_single_use_link(testapp, ts_app):
    link = open_account(ts_app)
    assert re.fullmatch(r"https?://[^/]+/gestion/activer/[\w-]{40,}", link)
    assert activate(testapp, link).location.endswith("/gestion/connexion")
    again = testapp.get(urlsplit(link).path, status=404)
    assert "plus valable" in again


def test_a_staff_password_follows_the_privileged_policy(testapp, ts_app):
    page = activate(testapp, open_account(ts_app), password="123456")
    assert "entre 12 et 128 caractères" in page
    page = activate(testapp, open_account(ts_app, "autre"), password="abcabcabcabcabc")
    assert "répétition" in page


def test_sign_in_asks_a_second_factor_enrolled_on_the_first_time(chef):
    app, _secret, codes = chef
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "Espace de gestion" in app.get("/gestion/")
    cookie = next(c for c in app.cookiejar if c.name == "ts_staff")
    assert cookie.path == "/gestion"


def test_the_enrolment_page_draws_its_qr_code_itself(testapp, ts_app):
    activate(testapp, open_account(ts_app))
    sign_in(testapp)
    page = testapp.get("/gestion/double-authentification")
    svg = page.html.select_one(".ts-qr svg")
    assert svg is not None and svg.find("path") is not None
    assert "http" not in str(svg).replace("http://www.w3.org", "")
    assert page.headers["Cache-Control"] == "no-store"


def test_a_code_serves_once_and_a_wrong_one_is_refused(chef):
    app, secret, _codes = chef
    token = app.get("/gestion/").html.select_one("input[name=csrf_token]")["value"]
    assert app.post("/gestion/deconnexion", {"csrf_token": token}).status_int == 303
    assert app.get("/gestion/").location.split("?")[0].endswith("/gestion/connexion")
    sign_in(app)
    used = pyotp.TOTP(secret).now()  # the enrolment used this step already
    assert "Code incorrect" in second_factor(app, used)
    assert "Code incorrect" in second_factor(app, "000000" if used != "000000" else "111111")
    later = pyotp.TOTP(secret).at(time.time() + 30)
    assert second_factor(app, later).location.endswith("/gestion/")


def test_a_recovery_code_serves_once(chef):
    app, _secret, codes = chef
    app.reset()
    sign_in(app)
    assert second_factor(app, codes[0].upper()).location.endswith("/gestion/")
    assert "il ne servira plus" in app.get("/gestion/")
    app.reset()
    sign_in(app)
    assert "Code incorrect" in second_factor(app, codes[0])


def test_the_second_factor_needs_the_password_first(testapp):
    response = testapp.get("/gestion/verification")
    assert response.location.endswith("/gestion/connexion")


def test_five_wrong_passwords_lock_the_account(testapp, ts_app, chef):
    app, _, _ = chef
    app.reset()
    for _ in range(5):
        assert "incorrect" in sign_in(app, password="mauvais mot de passe")
    assert "incorrect" in sign_in(app)  # the right one, during the lockout


def test_an_unknown_identifiant_gets_the_same_answer(testapp):
    page = sign_in(testapp, login_name="personne")
    assert page.status_int == 200 and "Identifiant ou mot de passe incorrect" in page


def test_a_family_login_does_not_open_the_office(testapp, family):
    login(testapp, family.login, family.password)
    assert testapp.get("/").status_int == 200
    assert testapp.get("/gestion/").location.split("?")[0].endswith("/gestion/connexion")


def test_a_staff_login_does_not_open_family_pages(chef):
    app, _, _ = chef
    assert app.get("/").location.split("?")[0].endswith("/connexion")


def test_only_the_academie_manages_staff_accounts(chef, ts_app, mailbox):
    app, _, _ = chef
    page = app.get("/gestion/personnel")
    form = page.forms["nouveau-compte"]
    form["login"] = "secretariat"
    form["name"] = "Dominique Office"
    form["email"] = "ce.0541234y@ac-exemple.fr"
    radio = page.html.select_one("input[type=radio][value=etablissement]")
    form[radio["name"]] = "etablissement"
    box = page.html.select_one(f"input[type=checkbox][value='{UAI}']")
    next(f for f in form.fields[box["name"]] if f._value == UAI).checked = True
    assert form.submit("submit").location.endswith("/gestion/personnel")
    message = mailbox.last()
    assert message["To"] == "ce.0541234y@ac-exemple.fr"
    link = re.search(r"https?://\S+/gestion/activer/\S+", message.get_content()).group(0)
    app.reset()
    activate(app, link)
    sign_in(app, "secretariat")
    enrol(app)
    assert app.get("/gestion/").status_int == 200
    app.get("/gestion/personnel", status=403)


def test_a_disabled_account_loses_its_sessions(chef, ts_app):
    app, _, _ = chef
    open_account(ts_app, "vs", "vie_scolaire", [UAI])
    page = app.get("/gestion/personnel")
    with open_site(ts_app) as site:
        target = site.staff.by_login("vs").id
    form = next(f for f in page.forms.values() if f.action.endswith(f"/{target}/desactiver"))
    form.submit()
    with open_site(ts_app) as site:
        assert site.staff.by_login("vs").disabled


def test_staff_sessions_are_short(chef):
    app, _, _ = chef
    policy = app.app.registry.queryUtility(ISecurityPolicy)
    assert policy.staff.helper.timeout == 15 * 60


def test_the_command_line_opens_lists_and_disables(ts_admin):
    added = ts_admin(
        "staff add", "--login", "support", "--name", "Sam Support", "--email", "s@ac-exemple.fr"
    )
    assert added.status == 0 and "/gestion/activer/" in added.out
    assert "support" in ts_admin("staff list").out
    assert ts_admin("staff disable", "--login", "support").status == 0
    assert "désactivé" in ts_admin("staff list").out
    refused = ts_admin(
        "staff add", "--login", "x", "--name", "X", "--email", "x@a.fr", "--role", "etablissement"
    )
    assert refused.status == 2 and "--uai est obligatoire" in refused.err


def test_commands_that_change_data_write_the_journal_as_their_operator(ts_admin):
    """``ts-admin`` events go in the journal as ``cli:<unix user>``; a command
    that writes nothing (``staff list``) leaves none."""
    import getpass

    ts_admin(
        "staff add", "--login", "support", "--name", "Sam Support", "--email", "s@ac-exemple.fr"
    )
    assert ts_admin("staff disable", "--login", "support").status == 0
    ts_admin("staff list")
    with ts_admin.site() as site:
        entries = list(site.journal.newest_first())
    assert [(e.event, e.who) for e in entries] == [
        ("staff.disabled", f"cli:{getpass.getuser()}"),
        ("staff.created", f"cli:{getpass.getuser()}"),
    ]
    assert entries[0].target == entries[1].target != ""


def test_the_journal_filters_the_command_line_s_entries(chef, ts_app):
    from ts_host.audit import audit, command_journal

    app, _, _ = chef
    with open_site(ts_app) as site, command_journal(lambda: site):
        audit(None, "code.revoked", uai=UAI, pupil="p1", kind="CAR")
    rows = app.get("/gestion/journal", {"compte": "cli:"}).html.select("tbody tr")
    assert len(rows) == 1 and "code.revoked" in rows[0].text and "p1" in rows[0].text


@pytest.fixture
def enrolled_member(chef, ts_app):
    """An établissement member, activated and enrolled, signed in on a client of its own."""

    member = TestApp(ts_app, extra_environ=chef[0].extra_environ)
    activate(member, open_account(ts_app, "secretaire", "etablissement", [UAI]))
    sign_in(member, "secretaire")
    enrol(member)
    assert member.get("/gestion/").status_int == 200
    return member


def account_form(app, login_name, action):
    with open_site(app.app) as site:
        target = site.staff.by_login(login_name).id
    page = app.get("/gestion/personnel")
    return next(f for f in page.forms.values() if f.action.endswith(f"/{target}/{action}"))


def test_the_academie_resets_a_lost_second_factor(chef, enrolled_member):
    app, _, _ = chef
    done = account_form(app, "secretaire", "reinitialiser-double-authentification").submit()
    assert "réinitialisée" in done.follow()
    with open_site(app.app) as site:
        account = site.staff.by_login("secretaire")
        assert account.totp_secret is None and not len(account.recovery_digests)
        assert "staff.second_factor.reset" in [e.event for e in site.journal.newest_first()]
    assert enrolled_member.get("/gestion/").status_int == 303  # the session ended
    assert sign_in(enrolled_member, "secretaire").location.endswith(
        "/gestion/double-authentification"
    )


def test_a_disabled_account_is_enabled_again(chef, enrolled_member):
    app, _, _ = chef
    account_form(app, "secretaire", "desactiver").submit()
    assert sign_in(enrolled_member, "secretaire").status_int == 200  # refused: the form again
    assert "réactivé" in account_form(app, "secretaire", "reactiver").submit().follow()
    assert sign_in(enrolled_member, "secretaire").location.endswith("/gestion/verification")
    with open_site(app.app) as site:
        assert "staff.enabled" in [e.event for e in site.journal.newest_first()]
