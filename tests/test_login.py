"""Logging in on the randomized keypad, lockout, sessions (guide 2.1)."""

import re
import threading
from datetime import datetime, timedelta

from ts_host.testing import (
    PASSWORD,
    TEST_SECRETS,
    TestApp,
    keypad_positions,
    login,
    make_account,
    open_site,
)

TEST_PEPPER = TEST_SECRETS["ts.password_pepper"]
FAILED = "Identifiant ou mot de passe incorrect"


def digits_on(page):
    return re.findall(r'data-ts-key="\d">(\d)</button>', page.text)


def test_each_login_form_deals_a_new_order_of_the_ten_digits(testapp):
    orders = {tuple(digits_on(testapp.get("/connexion"))) for _ in range(6)}
    assert all(sorted(order) == list("0123456789") for order in orders)
    assert len(orders) > 1


def test_the_keypad_keys_are_buttons_with_names(testapp):
    page = testapp.get("/connexion")
    keys = page.html.select("button[data-ts-key]")
    assert len(keys) == 10
    assert all(key.get("type") == "button" and key.text.strip().isdigit() for key in keys)
    assert page.html.select_one("button[data-ts-erase]")["aria-label"]
    assert page.html.select_one("[aria-live]")


def test_the_academys_login_message_is_shown(testapp):
    assert "Message de l'académie pour la page de connexion." in testapp.get("/connexion")


def test_a_family_logs_in_with_the_positions_of_its_digits(testapp, family):
    response = login(testapp, family.login, family.password)
    assert response.status_int == 303
    assert response.location.endswith("/")


def test_digits_sent_as_such_do_not_log_in(testapp, family):
    page = testapp.get("/connexion")
    form = page.forms["connexion"]
    form["login"] = family.login
    form["password"] = family.password  # the digits, not their positions
    if keypad_positions(page, family.password) != family.password:
        assert FAILED in form.submit("submit").text


def test_a_dealt_layout_serves_one_submission_only(testapp, family):
    page = testapp.get("/connexion")
    form = page.forms["connexion"]
    form["login"] = family.login
    form["password"] = keypad_positions(page, family.password)
    fields = dict(form.submit_fields("submit"))
    testapp.post("/connexion", {**fields, "password": "99"})  # a first, failed try
    replay = testapp.post("/connexion", fields)
    assert replay.status_int == 200
    assert FAILED in replay.text


def test_every_failure_looks_the_same(testapp, family, site, tm):
    unknown = login(testapp, "personne.inconnue", family.password)
    wrong = login(testapp, family.login, "975310")
    with tm:
        account = site.accounts[family.account_id]
        account.locked_until = datetime.now() + timedelta(minutes=5)
    locked = login(testapp, family.login, family.password)
    for response in (unknown, wrong, locked):
        assert response.status_int == 200
        assert FAILED in response.text


def test_five_failures_lock_the_account_and_mail_an_unlock_link(testapp, family, site, tm, mailbox):
    for _ in range(5):
        login(testapp, family.login, "975310")
    assert FAILED in login(testapp, family.login, family.password).text
    with tm:
        account = site.accounts[family.account_id]
        assert account.failures >= 5
        assert account.locked_until > datetime.now()
    body = mailbox.last().get_content()
    link = re.search(r"http://teleservices\.test(/deverrouiller/\S+)", body).group(1)
    page = testapp.get(link)
    page.forms[0].submit().follow()
    assert login(testapp, family.login, family.password).status_int == 303


def test_the_lock_ends_by_itself_after_its_delay_which_doubles(testapp, family, site, tm):
    for _ in range(5):
        login(testapp, family.login, "975310")
    with tm:
        account = site.accounts[family.account_id]
        first = account.locked_until - datetime.now()
        account.locked_until = datetime.now() - timedelta(seconds=1)
    assert timedelta(seconds=50) < first <= timedelta(minutes=1)
    login(testapp, family.login, "975310")
    with tm:
        second = site.accounts[family.account_id].locked_until - datetime.now()
        site.accounts[family.account_id].locked_until = datetime.now() - timedelta(seconds=1)
    assert timedelta(seconds=110) < second <= timedelta(minutes=2)
    assert login(testapp, family.login, family.password).status_int == 303


def test_parallel_failed_logins_are_all_counted(ts_app, family, site, tm):
    """Each thread is a client of its own; conflicts are retried, none lost."""
    count = 12
    barrier = threading.Barrier(count, timeout=60)
    statuses = []

    def attempt(index):
        app = TestApp(
            ts_app,
            extra_environ={
                "HTTP_HOST": "teleservices.test",
                "REMOTE_ADDR": f"192.0.2.{index + 20}",
            },
        )
        page = app.get("/connexion")
        form = page.forms["connexion"]
        form["login"] = family.login
        form["password"] = keypad_positions(page, "975310")
        barrier.wait()
        statuses.append(form.submit("submit").status_int)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * count
    with tm:
        assert site.accounts[family.account_id].failures == count


def test_failures_are_throttled_per_client(testapp, family):
    for _ in range(30):
        login(testapp, "inconnu", "975310")
    response = login(testapp, family.login, family.password)
    assert "Trop de tentatives" in response.text


def test_login_rotates_the_session_and_its_csrf_token(testapp, family):
    page = testapp.get("/connexion")
    before_cookie = testapp.cookies["ts_session"]
    before_token = page.forms["connexion"]["csrf_token"].value
    login(testapp, family.login, family.password)
    after_token = testapp.get("/compte").html.select_one("input[name=csrf_token]")["value"]
    assert testapp.cookies["ts_session"] != before_cookie
    assert after_token != before_token


def test_cookies_are_httponly_samesite_and_secure_outside_development(ts_settings, pupil_enabled):
    from ts_host import main

    wsgi = main({}, **{**ts_settings, "ts.development": "false"})
    with open_site(wsgi) as site:
        make_account(site, wsgi.registry.ts_hasher, [pupil_enabled], "famille.https")
    app = TestApp(wsgi)
    page = app.get("https://teleservices.test/connexion")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "secure" in cookie.lower()
    assert "Domain" not in cookie
    form = page.forms["connexion"]
    form["login"] = "famille.https"
    form["password"] = keypad_positions(page, PASSWORD)
    response = form.submit("submit")
    assert response.status_int == 303
    assert response.headers["Strict-Transport-Security"]
    auth = [c for c in response.headers.getall("Set-Cookie") if c.startswith("ts_auth=")]
    assert auth and all("HttpOnly" in c and "secure" in c.lower() for c in auth)


def test_logout_ends_the_session_on_the_server(family_app):
    cookies = dict(family_app.cookies)
    token = family_app.get("/").html.select_one("input[name=csrf_token]")["value"]
    family_app.post("/deconnexion", {"csrf_token": token}, status=303)
    family_app.reset()
    for name, value in cookies.items():
        family_app.set_cookie(name, value)
    assert family_app.get("/").status_int == 303


def test_logout_needs_the_csrf_token(family_app):
    family_app.post("/deconnexion", {}, status=400)


def test_a_session_ends_after_twelve_hours_whatever_the_activity(family_app, family, site, tm):
    with tm:
        sessions = site.accounts[family.account_id].sessions
        for session_id in list(sessions.keys()):
            sessions[session_id] = datetime.now() - timedelta(hours=12, minutes=1)
    assert family_app.get("/").status_int == 303


def test_the_login_form_refuses_a_post_without_csrf_token(testapp, family):
    testapp.post("/connexion", {"login": family.login, "password": "1", "submit": "s"}, status=400)


def test_an_anonymous_visitor_is_sent_to_the_login_page(testapp):
    response = testapp.get("/", status=303)
    assert "/connexion" in response.location


def test_a_session_idle_for_thirty_minutes_ends(family_app, monkeypatch):
    import time

    import pyramid.authentication

    later = time.time() + 31 * 60
    monkeypatch.setattr(pyramid.authentication.time_mod, "time", lambda: later)
    assert family_app.get("/").status_int == 303


def test_a_hash_made_with_older_parameters_is_upgraded_at_login(testapp, family, site, tm):
    from ts_host.passwords import Hasher

    with tm:
        account = site.accounts[family.account_id]
        older = Hasher(TEST_PEPPER, memory_cost=19456, time_cost=3, parallelism=1)
        account.password_hash = older.hash(family.password)
    assert login(testapp, family.login, family.password).status_int == 303
    with tm:
        assert "t=2" in site.accounts[family.account_id].password_hash


def test_an_unknown_identifiant_costs_an_argon2_verification_too(monkeypatch):
    import argon2

    from ts_host.passwords import Hasher

    hasher = Hasher(TEST_PEPPER, memory_cost=19456, time_cost=2, parallelism=1)
    calls = []
    original = argon2.PasswordHasher.verify
    monkeypatch.setattr(
        argon2.PasswordHasher, "verify", lambda self, *a: calls.append(a) or original(self, *a)
    )
    assert hasher.verify(None, "860357") is False
    assert len(calls) == 1
