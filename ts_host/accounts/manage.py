"""Gérer son compte: identifiant, e-mail, password, questions, children.

Each change needs the current password and is confirmed by e-mail to the
address on file (the old one too when the address changes).
"""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from ..audit import audit
from ..forms import FormView
from ..i18n import _
from ..layout import flash
from ..mail import send_mail
from ..models import CodeKind, LoginTaken
from ..models.accounts import SecurityQuestion
from ..passwords import normalise_answer
from ..security import end_other_sessions, end_session
from .lockout import record_failure
from .registration import CodesRefused, match_codes, refuse_row
from .schemas import (
    AttachSchema,
    ChangeEmailSchema,
    ChangeLoginSchema,
    ChangePasswordSchema,
    ChangeQuestionsSchema,
    DeleteSchema,
)

WRONG_PASSWORD = _("Mot de passe actuel incorrect.")


def notify(request, account, notice, to: list[str] | None = None) -> None:
    """Tell the address on file (and any other given) what changed."""
    for address in to or [account.email]:
        send_mail(
            request,
            address,
            _("Votre compte scolarité services a changé"),
            "ts_host:templates/mail/account_changed.txt",
            {"account": account, "change": request.localizer.translate(notice)},
        )


def require_account(request):
    if request.account is None:
        raise HTTPForbidden()
    return request.account


@view_config(route_name="account", renderer="ts_host:templates/accounts/manage.pt")
def account_view(request):
    account = require_account(request)
    site = request.site
    rows = []
    for link in account.links:
        pupil = site.pupils.get(link.pupil_id)
        responsable = site.responsables.get(link.responsable_id) if link.responsable_id else None
        establishment = request.academy.establishment(pupil.uai) if pupil else None
        rows.append(
            {
                "pupil": pupil,
                "responsable": responsable,
                "establishment": establishment.name if establishment else "",
            }
        )
    return {"account": account, "rows": rows}


class AccountFormView(FormView):
    """A change to the logged-in account, confirmed by its current password."""

    title: str
    notice: str

    def __call__(self):
        self.account = require_account(self.request)
        return super().__call__()

    def values(self):
        return {"title": self.title}

    def submit_success(self, appstruct):
        if not self.request.hasher.verify(self.account.password_hash, appstruct["current"]):
            record_failure(self.request, self.account)
            audit(self.request, "account.reauth_failed")
            return self.invalid(appstruct, WRONG_PASSWORD, current=WRONG_PASSWORD)
        return self.change(appstruct)

    def done(self, event: str, notice: str, to: list[str] | None = None):
        audit(self.request, event)
        notify(self.request, self.account, notice, to)
        flash(self.request, notice, "success")
        return HTTPSeeOther(self.request.route_url("account"))


RENDERER = "ts_host:templates/accounts/change.pt"


@view_config(route_name="account_part", match_param="part=identifiant", renderer=RENDERER)
class ChangeLoginView(AccountFormView):
    schema = ChangeLoginSchema
    form_id = "changer-identifiant"
    title = _("Changer d'identifiant")

    def change(self, appstruct):
        try:
            self.request.site.rename(self.account, appstruct["login"])
        except LoginTaken:
            return self.invalid(
                appstruct,
                _("Cet identifiant est déjà pris."),
                login=_("Cet identifiant est déjà pris : choisissez-en un autre."),
            )
        return self.done("account.login_changed", _("Votre identifiant a été changé."))


@view_config(route_name="account_part", match_param="part=adresse", renderer=RENDERER)
class ChangeEmailView(AccountFormView):
    schema = ChangeEmailSchema
    form_id = "changer-adresse"
    title = _("Changer d'adresse e-mail")

    def change(self, appstruct):
        old = self.account.email
        self.request.site.readdress(self.account, appstruct["email"])
        return self.done(
            "account.email_changed",
            _("Votre adresse e-mail a été changée."),
            to=[old, self.account.email],
        )


@view_config(route_name="account_part", match_param="part=mot-de-passe", renderer=RENDERER)
class ChangePasswordView(AccountFormView):
    schema = ChangePasswordSchema
    form_id = "changer-mot-de-passe"
    title = _("Changer de mot de passe")

    def change(self, appstruct):
        site = self.request.site
        births = [site.pupils[p].birth_date for p in self.account.pupil_ids if p in site.pupils]
        refused = self.request.password_policy.problems(appstruct["password"], births)
        if refused:
            return self.invalid(appstruct, refused[0], password=refused[0])
        self.account.password_hash = self.request.hasher.hash(appstruct["password"])
        end_other_sessions(self.request, self.account)
        return self.done(
            "account.password_changed",
            _("Votre mot de passe a été changé ; vos autres connexions sont fermées."),
        )


@view_config(route_name="account_part", match_param="part=questions", renderer=RENDERER)
class ChangeQuestionsView(AccountFormView):
    schema = ChangeQuestionsSchema
    form_id = "changer-questions"
    title = _("Changer vos questions")

    def appstruct(self):
        """The current questions, in their fields; the answers stay empty."""
        return {
            "questions": {
                f"question{n}": stored.question
                for n, stored in enumerate(self.account.questions[:3], start=1)
            }
        }

    def change(self, appstruct):
        """Each question keeps its stored answer unless a new one is typed; a
        changed question needs its answer."""
        typed = appstruct["questions"]
        stored = list(self.account.questions) + [None] * 3
        hasher = self.request.hasher
        questions, unanswered = [], {}
        for n, before in zip((1, 2, 3), stored, strict=False):
            question, answer = typed[f"question{n}"], typed[f"answer{n}"]
            if answer:
                questions.append(SecurityQuestion(question, hasher.hash(normalise_answer(answer))))
            elif before is not None and before.question == question:
                questions.append(before)
            else:
                unanswered[f"answer{n}"] = _("Cette question change : donnez sa réponse.")
        if unanswered:
            return self.invalid(
                appstruct,
                _("Donnez la réponse de chaque question que vous changez."),
                questions=unanswered,
            )
        if questions == stored[:3]:
            flash(self.request, _("Vos questions et leurs réponses restent les mêmes."))
            return HTTPSeeOther(self.request.route_url("account"))
        self.account.questions[:] = questions
        return self.done("account.questions_changed", _("Vos questions ont été changées."))


@view_config(route_name="account_part", match_param="part=rattacher", renderer=RENDERER)
class AttachView(FormView):
    """ "rattacher un enfant": another child's CAR, or a second responsable's."""

    schema = AttachSchema
    form_id = "rattacher"

    def __call__(self):
        self.account = require_account(self.request)
        if self.account.kind != "responsable":
            raise HTTPForbidden()
        return super().__call__()

    def appstruct(self):
        return {"children": [colander.null]}

    def values(self):
        return {"title": _("Rattacher un enfant")}

    def submit_success(self, appstruct):
        try:
            codes = match_codes(self.request, appstruct["children"], CodeKind.CAR)
        except CodesRefused as refused:
            return refuse_row(self, appstruct, refused.row)
        for code in codes:
            self.request.site.link(self.account, code)
        audit(self.request, "account.code_attached", codes=len(codes))
        notify(self.request, self.account, _("Un enfant a été rattaché à votre compte."))
        flash(self.request, _("L'enfant est rattaché à votre compte."), "success")
        return HTTPSeeOther(self.request.route_url("account"))


@view_config(route_name="account_part", match_param="part=supprimer", renderer=RENDERER)
class DeleteView(AccountFormView):
    schema = DeleteSchema
    form_id = "supprimer"
    title = _("Supprimer votre compte")

    def change(self, appstruct):
        request, account = self.request, self.account
        audit(request, "account.deleted", target=account.id)
        notify(
            request,
            account,
            _(
                "Votre compte a été supprimé. Vos codes d'activation "
                "peuvent resservir à créer un nouveau compte."
            ),
        )
        headers = end_session(request)
        request.site.forget_account(account)
        return HTTPSeeOther(request.route_url("login"), headers=headers)
