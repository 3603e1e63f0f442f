"""Staff accounts for tests: opened, activated and enrolled in one call."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
import webtest

from ..models import Role
from ..staff import second_factor

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
