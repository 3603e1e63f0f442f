"""Signing in to the establishment office: password, then the second factor.

The password step only remembers, in the encrypted session, which account
passed it and when; the staff session starts after the second factor: a
TOTP code (enrolled on the first sign-in) or a single-use recovery code.
Failures of either step count towards the same lockout as families', with
the same message and work whether the identifiant exists or not.
"""

from __future__ import annotations

import time
from datetime import timedelta

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import throttle, tokens
from ..accounts.lockout import count_failure, is_locked, record_success
from ..audit import audit
from ..forms import FormView
from ..i18n import _
from ..layout import flash
from ..models import StaffAccount
from ..password_policy import PASSPHRASE, PasswordPolicy
from ..security import end_session, start_session
from . import second_factor
from .schemas import ActivateSchema, EnrolSchema, SecondFactorSchema, StaffLoginSchema

PENDING_KEY = "staff_pending"
#: Time to type the second factor once the password is right.
PENDING_TTL = timedelta(minutes=5)
CLIENT_LIMIT = 30
CLIENT_WINDOW = timedelta(minutes=15)
FAILED = _(
    "Identifiant ou mot de passe incorrect. Au bout de 5 erreurs, le compte est "
    "verrouillé pour quelques minutes."
)
CODE_FAILED = _("Code incorrect ou déjà utilisé : saisissez le code suivant de l'application.")
TOO_MANY = _("Trop de tentatives depuis cet appareil : réessayez dans quelques minutes.")
ACTIVATION_TTL = timedelta(days=7)
ACTIVATION_PATH = "/gestion/activer"
#: Staff passwords: typed, 12 to 128 characters, whatever the families' policy.
STAFF_POLICY = PasswordPolicy(PASSPHRASE)


def pending_account(request) -> StaffAccount | None:
    """The account whose password was given in this session less than 5 minutes ago."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), (int, float)):
        return None
    if time.time() - pending["at"] > PENDING_TTL.total_seconds():
        return None
    account = request.site.staff.get(str(pending.get("id", "")))
    if account is None or account.disabled or is_locked(account):
        return None
    return account


def client_allowed(request) -> bool:
    return throttle.allowed(
        request.site, f"staff-ip:{request.client_addr}", limit=CLIENT_LIMIT, window=CLIENT_WINDOW
    )


def count_client_failure(request) -> None:
    throttle.record(request.site, f"staff-ip:{request.client_addr}", window=CLIENT_WINDOW)


def record_failure(request, account: StaffAccount | None, event: str) -> None:
    count_client_failure(request)
    delay = count_failure(account) if account is not None else None
    audit(request, event, target=account.id if account else None, locked=delay is not None)


@view_config(route_name="staff_login", renderer="ts_host:templates/staff/login.pt")
class StaffLoginView(FormView):
    schema = StaffLoginSchema
    form_id = "connexion-gestion"

    def __call__(self):
        if self.request.staff is not None and self.request.method == "GET":
            return HTTPSeeOther(self.request.route_url("staff_home"))
        return super().__call__()

    def submit_success(self, appstruct):
        request = self.request
        if not client_allowed(request):
            audit(request, "staff.login.throttled")
            return self.invalid(appstruct, TOO_MANY)
        account = request.site.staff.by_login(appstruct["login"])
        verified = request.hasher.verify(
            account.password_hash if account and account.activated else None,
            appstruct["password"],
        )
        if account is not None and verified and not account.disabled and not is_locked(account):
            request.session[PENDING_KEY] = {"id": account.id, "at": time.time()}
            target = "staff_second_factor" if account.enrolled else "staff_enrol"
            return HTTPSeeOther(request.route_url(target))
        record_failure(request, account, "staff.login.failed")
        return self.invalid({"login": appstruct["login"]}, FAILED)


class PendingView(FormView):
    """A step taken after the password: without it, back to the sign-in page."""

    def __call__(self):
        self.account = pending_account(self.request)
        if self.account is None:
            flash(self.request, _("Saisissez d'abord votre identifiant et votre mot de passe."))
            return HTTPSeeOther(self.request.route_url("staff_login"))
        elsewhere = self.elsewhere()
        if elsewhere is not None:
            return HTTPSeeOther(self.request.route_url(elsewhere))
        return super().__call__()

    def elsewhere(self) -> str | None:
        """The route this account should be on instead of this one, if any."""
        return None

    def finish(self, event: str):
        """Open the staff session: the second factor was right."""
        request, account = self.request, self.account
        request.session.pop(PENDING_KEY, None)
        record_success(request.site, account)
        headers = start_session(request, account)
        audit(request, event, target=account.id)
        return headers


@view_config(route_name="staff_second_factor", renderer="ts_host:templates/staff/second_factor.pt")
class SecondFactorView(PendingView):
    schema = SecondFactorSchema
    form_id = "second-facteur"

    def elsewhere(self):
        return None if self.account.enrolled else "staff_enrol"

    def submit_success(self, appstruct):
        request, account = self.request, self.account
        if not client_allowed(request):
            return self.invalid(appstruct, TOO_MANY)
        code = appstruct["code"]
        step = second_factor.accepted_step(account.totp_secret, code, account.totp_last_step)
        if step is not None:
            account.totp_last_step = step
            headers = self.finish("staff.login.succeeded")
            return HTTPSeeOther(request.route_url("staff_home"), headers=headers)
        digest = second_factor.recovery_digest(request.hasher, code)
        if digest in account.recovery_digests:
            account.recovery_digests.remove(digest)
            headers = self.finish("staff.login.recovery_code")
            flash(
                request,
                _(
                    "Vous vous êtes connecté avec un code de secours : il ne servira plus. "
                    "Il vous en reste ${count}.",
                    mapping={"count": len(account.recovery_digests)},
                ),
                "warning",
            )
            return HTTPSeeOther(request.route_url("staff_home"), headers=headers)
        record_failure(request, account, "staff.second_factor.failed")
        if is_locked(account):
            request.session.pop(PENDING_KEY, None)
        return self.invalid({}, CODE_FAILED)


@view_config(route_name="staff_enrol", renderer="ts_host:templates/staff/enrol.pt")
class EnrolView(PendingView):
    """First sign-in: the QR code to scan, the code it then shows, and the
    recovery codes, shown once on the page that answers the right code."""

    schema = EnrolSchema
    form_id = "enrolement"
    ENROLMENT_KEY = "staff_enrolment"

    def elsewhere(self):
        return "staff_second_factor" if self.account.enrolled else None

    def secret(self) -> str:
        """One secret for the whole enrolment, kept in the encrypted session."""
        session = self.request.session
        secret = session.get(self.ENROLMENT_KEY)
        if not isinstance(secret, str) or len(secret) != 32:
            secret = session[self.ENROLMENT_KEY] = second_factor.new_secret()
        return secret

    def values(self):
        secret = self.secret()
        uri = second_factor.provisioning_uri(secret, self.account.login, self.request.academy.name)
        return {
            "qr_svg": second_factor.qr_svg(uri),
            "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        }

    def submit_success(self, appstruct):
        request, account = self.request, self.account
        if not client_allowed(request):
            return self.invalid(appstruct, TOO_MANY)
        secret = self.secret()
        step = second_factor.accepted_step(secret, appstruct["code"], 0)
        if step is None:
            record_failure(request, account, "staff.enrol.failed")
            return self.invalid({}, CODE_FAILED)
        account.totp_secret = secret
        account.totp_last_step = step
        codes = second_factor.new_recovery_codes()
        account.recovery_digests[:] = [
            second_factor.recovery_digest(request.hasher, code) for code in codes
        ]
        request.session.pop(self.ENROLMENT_KEY, None)
        headers = self.finish("staff.second_factor.enrolled")
        request.response.headerlist.extend(headers)
        request.override_renderer = "ts_host:templates/staff/recovery_codes.pt"
        return {"codes": codes}


@view_config(route_name="staff_activate", renderer="ts_host:templates/staff/activate.pt")
class ActivateView(FormView):
    """The mailed single-use link: choose a password, then sign in."""

    schema = ActivateSchema
    form_id = "activation-gestion"

    def __call__(self):
        request = self.request
        self.account = tokens.find(
            request.site,
            request.hasher,
            "staff-activation",
            request.matchdict["token"],
            accounts=request.site.staff.accounts,
        )
        if self.account is None or self.account.disabled:
            request.response.status = 404
            return {"valid": False, "form": ""}
        return super().__call__()

    def values(self):
        return {"valid": True, "login": self.account.login}

    def submit_success(self, appstruct):
        request, account = self.request, self.account
        problems = STAFF_POLICY.problems(appstruct["password"])
        if problems:
            return self.invalid({}, problems[0], password=problems[0])
        account.password_hash = request.hasher.hash(appstruct["password"])
        account.sessions.clear()
        tokens.revoke(request.site, account, "staff-activation")
        audit(request, "staff.activated", target=account.id)
        flash(
            request,
            _(
                "Votre mot de passe est enregistré : connectez-vous pour activer la "
                "double authentification."
            ),
            "success",
        )
        return HTTPSeeOther(request.route_url("staff_login"))


@view_config(route_name="staff_logout", request_method="POST")
def staff_logout(request):
    audit(request, "staff.logout")
    headers = end_session(request)
    return HTTPSeeOther(request.route_url("staff_login"), headers=headers)


def activation_link(site, hasher, account: StaffAccount, public_url: str) -> str:
    """A new single-use activation link for ``account`` (the previous one dies).

    Built from the academy's public URL, never a request's Host, so that
    ``ts-admin staff add`` and the web give the same link.
    """
    token = tokens.issue(site, hasher, account, "staff-activation", ACTIVATION_TTL)
    return f"{public_url}{ACTIVATION_PATH}/{token}"
