"""Staff accounts for tests: opened, activated and enrolled in one call."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import webtest

from ..models import Role
from ..staff import second_factor
from .data import open_site
from .web import TestApp

STAFF_PASSWORD = "une phrase de passe de test"


@dataclass(frozen=True)
class StaffMember:
    login: str
    password: str
    totp_secret: str


def make_staff(site, hasher, login: str, role: Role | str, uais=()) -> StaffMember:
    """A staff account ready to sign in (password set, TOTP enrolled)."""
    account = site.staff.add(login, f"Test {login}", f"{login}@ac-exemple.fr", Role(role), uais)
    account.password_hash = hasher.hash(STAFF_PASSWORD)
    account.totp_secret = second_factor.new_secret()
    return StaffMember(login, STAFF_PASSWORD, account.totp_secret)


def staff_login(app: webtest.TestApp, member: StaffMember) -> webtest.TestResponse:
    """Sign ``member`` in on ``app``: password, then the current TOTP code."""
    page = app.get("/gestion/connexion")
    form = page.forms["connexion-gestion"]
    form["login"] = member.login
    form["password"] = member.password
    form.submit("submit")
    page = app.get("/gestion/verification")
    form = page.forms["second-facteur"]
    form["code"] = pyotp.TOTP(member.totp_secret).at(time.time())
    return form.submit("submit")


def staff_app(testapp: webtest.TestApp, login: str, role: Role | str, uais=()) -> webtest.TestApp:
    """A client of its own on ``testapp``'s application and host, signed in as a
    new staff member (``role``, working for ``uais``): the family's ``testapp``
    keeps its own cookies, so one test can play both sides."""
    app = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    with open_site(testapp.app) as site:
        member = make_staff(site, testapp.app.registry.ts_hasher, login, role, uais)
    staff_login(app, member)
    return app
