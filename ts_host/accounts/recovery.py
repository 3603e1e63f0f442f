"""Forgotten identifiant and password (guide, section 2.2.2).

Both pages answer the same whether or not the address or identifiant is
known, so they reveal nothing.  Each request is counted under its
address and its client (:func:`mail_allowed`), known or not, and its mail
leaves after the response (:func:`ts_host.mail.send_after_commit`), so
neither the answer nor its time tells a known address from another.  The
reset link is single-use, valid 30 minutes, built from the configured
public URL; it asks the three security questions (throttled) and only
then a new password.  It works while the account is locked, and unlocks it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from .. import throttle, tokens
from ..audit import audit
from ..forms import FormView
from ..i18n import _
from ..layout import flash
from ..mail import send_after_commit, send_mail
from ..models import email_key
from ..passwords import normalise_answer
from ..security import end_other_sessions
from .lockout import public_url, unlock
from .schemas import (
    AnswersSchema,
    ForgotLoginSchema,
    ForgotPasswordSchema,
    NewPasswordSchema,
)

RESET_TTL = timedelta(minutes=30)
#: Recovery mails an address may receive, and requests a client may make.
ADDRESS_LIMIT, ADDRESS_WINDOW = 3, timedelta(hours=1)
CLIENT_LIMIT, CLIENT_WINDOW = 10, timedelta(minutes=15)
ANSWER_LIMIT = 3
SENT = _(
    "Si ces informations correspondent à un compte, un courriel vient d'être envoyé à "
    "l'adresse enregistrée. Pensez à regarder dans les indésirables."
)


def mail_allowed(request, address: str) -> bool:
    """Count a recovery request under ``address`` and the client; whether a mail may go.

    Every request is counted, known address or not, refused or not: the
    work, the answer and the database writes are the same whatever the
    address, and a flood keeps its window full.
    """
    site = request.site
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]
    limits = (
        (f"recovery-address:{digest}", ADDRESS_LIMIT, ADDRESS_WINDOW),
        (f"recovery-ip:{request.client_addr}", CLIENT_LIMIT, CLIENT_WINDOW),
    )
    allowed = all(throttle.allowed(site, key, limit=n, window=w) for key, n, w in limits)
    for key, _limit, window in limits:
        throttle.record(site, key, window=window)
    return allowed


@view_config(route_name="forgot_login", renderer="ts_host:templates/accounts/recover.pt")
class ForgotLoginView(FormView):
    schema = ForgotLoginSchema
    form_id = "identifiant-oublie"

    def values(self):
        return {
            "title": _("Identifiant oublié"),
            "intro": _(
                "Indiquez l'adresse e-mail de votre compte : nous vous envoyons le "
                "ou les identifiants qui lui sont attachés."
            ),
        }

    def submit_success(self, appstruct):
        allowed = mail_allowed(self.request, appstruct["email"])
        accounts = self.request.site.accounts_by_email(appstruct["email"])
        send_after_commit(
            self.request,
            appstruct["email"],
            _("Vos identifiants scolarité services"),
            "ts_host:templates/mail/forgot_login.txt",
            {"logins": "\n".join(f"- {account.login}" for account in accounts)},
            deliver=bool(accounts) and allowed,
        )
        audit(self.request, "recovery.login_requested", known=bool(accounts), throttled=not allowed)
        flash(self.request, SENT, "info")
        return HTTPSeeOther(self.request.route_url("login"))


@view_config(route_name="forgot_password", renderer="ts_host:templates/accounts/recover.pt")
class ForgotPasswordView(FormView):
    schema = ForgotPasswordSchema
    form_id = "mot-de-passe-oublie"

    def values(self):
        return {
            "title": _("Mot de passe oublié"),
            "intro": _(
                "Indiquez votre identifiant et l'adresse e-mail de votre compte : "
                "vous recevrez un lien, valable 30 minutes, qui vous posera vos "
                "questions puis vous fera choisir un nouveau mot de passe."
            ),
        }

    def submit_success(self, appstruct):
        request, site = self.request, self.request.site
        allowed = mail_allowed(request, appstruct["email"])
        account = site.account_by_login(appstruct["login"])
        matches = account is not None and email_key(account.email) == email_key(appstruct["email"])
        if matches and allowed:
            token = tokens.issue(site, request.hasher, account, "reset", RESET_TTL)
            account.answer_failures = 0
        else:
            token = secrets.token_urlsafe(32)  # the same message, built and dropped
        send_after_commit(
            request,
            appstruct["email"],
            _("Réinitialiser votre mot de passe"),
            "ts_host:templates/mail/reset_password.txt",
            {
                "login": appstruct["login"],
                "url": public_url(request, "reset_password", token=token),
            },
            deliver=matches and allowed,
        )
        audit(request, "recovery.reset_requested", known=matches, throttled=not allowed)
        flash(request, SENT, "info")
        return HTTPSeeOther(request.route_url("login"))


@view_config(route_name="reset_password", renderer="ts_host:templates/accounts/reset.pt")
class ResetPasswordView(FormView):
    """Step 1: the three answers; step 2: the new password, on the keypad."""

    form_id = "reinitialiser"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.token = request.matchdict["token"]
        self.account = tokens.find(request.site, request.hasher, "reset", self.token)
        self.answered = self.account is not None and request.session.get(
            "ts.reset"
        ) == self.account.tokens.get("reset")
        self.schema = NewPasswordSchema if self.answered else AnswersSchema

    def __call__(self):
        self.request.response.headers["Referrer-Policy"] = "no-referrer"
        if self.account is None:
            return {"valid": False, "form": "", "questions": []}
        return super().__call__()

    def prepare_schema(self, schema):
        if not self.answered:
            for number, question in enumerate(self.account.questions, start=1):
                schema[f"answer{number}"].title = question.question

    def values(self):
        return {"valid": True, "answered": self.answered}

    def submit_success(self, appstruct):
        request, account = self.request, self.account
        if not self.answered:
            return self.check_answers(appstruct)
        refused = request.password_policy.problems(appstruct["password"], self.birth_dates())
        if refused:
            return self.invalid(appstruct, refused[0], password=refused[0])
        account.password_hash = request.hasher.hash(appstruct["password"])
        tokens.revoke(request.site, account, "reset")
        unlock(request.site, account)
        account.lockouts = 0
        end_other_sessions(request, account)
        request.session.pop("ts.reset", None)
        audit(request, "recovery.password_reset", target=account.id)
        send_mail(
            request,
            account.email,
            _("Votre mot de passe a été changé"),
            "ts_host:templates/mail/password_changed.txt",
            {"account": account},
        )
        flash(
            request,
            _("Votre mot de passe est changé : connectez-vous avec le nouveau."),
            "success",
        )
        return HTTPSeeOther(request.route_url("login"))

    def check_answers(self, appstruct):
        request, account = self.request, self.account
        given = [appstruct[f"answer{n}"] for n in (1, 2, 3)]
        correct = [
            request.hasher.verify(q.answer_hash, normalise_answer(answer))
            for q, answer in zip(account.questions, given, strict=True)
        ]
        if all(correct):
            request.session["ts.reset"] = account.tokens["reset"]
            return HTTPSeeOther(request.path_url)
        account.answer_failures += 1
        audit(
            request,
            "recovery.answers_failed",
            target=account.id,
            failures=account.answer_failures,
        )
        if account.answer_failures >= ANSWER_LIMIT:
            tokens.revoke(request.site, account, "reset")
            flash(
                request,
                _(
                    "Trop de réponses inexactes : ce lien est annulé. Demandez-en un "
                    "nouveau si besoin."
                ),
                "error",
            )
            return HTTPSeeOther(request.route_url("forgot_password"))
        return self.invalid(appstruct, _("Une ou plusieurs réponses sont inexactes."))

    def birth_dates(self):
        site = self.request.site
        return [site.pupils[pid].birth_date for pid in self.account.pupil_ids if pid in site.pupils]
