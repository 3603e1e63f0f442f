"""The establishment office's home and the académie's staff administration.

Every page here is for staff only: the context's ACL names roles, and the
security policy gives an identity under ``/gestion/`` to staff accounts
alone.  An anonymous visitor (or a family, whose cookie means nothing here)
is sent to the staff sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import deform
from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from translationstring import TranslationString

from ..audit import audit
from ..contract import STAFF_PERMISSION
from ..forms import FormView
from ..i18n import _
from ..layout import flash
from ..mail import send_mail
from ..models import Role
from ..models.staff import ROLE_LABELS, StaffAccount, StaffDirectory
from .schemas import NewStaffSchema
from .signin import activation_link

#: Any staff member; the académie alone manages staff accounts.
STAFF, ACADEMY = STAFF_PERMISSION, "gestion:academie"


class StaffRoot:
    __acl__ = [
        (Allow, f"role:{Role.ACADEMIE}", (STAFF, ACADEMY)),
        (Allow, f"role:{Role.ETABLISSEMENT}", STAFF),
        (Allow, f"role:{Role.VIE_SCOLAIRE}", STAFF),
    ]

    def __init__(self, request) -> None:
        self.request = request


def visible_establishments(request) -> list:
    """The establishments the staff member works for, in the configuration's order."""
    staff = request.staff
    return [config for uai, config in request.academy.establishments.items() if staff.sees(uai)]


@view_config(
    route_name="staff_home",
    permission=STAFF,
    renderer="ts_host:templates/staff/home.pt",
)
def staff_home(request):
    site = request.site
    rows = []
    for config in visible_establishments(request):
        record = site.establishments.get(config.uai)
        rows.append({"config": config, "pupils": len(record.pupil_ids) if record else 0})
    return {
        "staff": request.staff,
        "role_label": ROLE_LABELS[request.staff.role],
        "establishments": rows,
        "manages_staff": request.staff.role is Role.ACADEMIE,
    }


@view_config(
    route_name="staff_accounts",
    permission=ACADEMY,
    renderer="ts_host:templates/staff/accounts.pt",
)
class StaffAccountsView(FormView):
    """The académie's list of staff accounts, and the form that opens one."""

    schema = NewStaffSchema
    form_id = "nouveau-compte"
    buttons = (deform.Button("submit", _("Créer le compte et envoyer le lien")),)

    def values(self):
        accounts = sorted(self.request.site.staff, key=lambda account: account.login.lower())
        return {"accounts": accounts, "role_labels": ROLE_LABELS}

    def submit_success(self, appstruct):
        request, directory = self.request, self.request.site.staff
        try:
            account = directory.add(
                appstruct["login"],
                appstruct["name"],
                appstruct["email"],
                Role(appstruct["role"]),
                () if appstruct["role"] == Role.ACADEMIE else appstruct["uais"],
            )
        except KeyError:
            message = _("Cet identifiant est déjà pris : choisissez-en un autre.")
            return self.invalid(appstruct, message, login=message)
        account.created_by = request.staff.id
        url = activation_link(request.site, request.hasher, account, request.academy.public_url)
        send_mail(
            request,
            account.email,
            _("Votre compte de gestion scolarité services"),
            "ts_host:templates/mail/staff_activation.txt",
            {
                "account": account,
                "url": url,
                "role": request.localizer.translate(ROLE_LABELS[account.role]),
            },
        )
        audit(request, "staff.created", target=account.id, role=str(account.role))
        flash(
            request,
            _(
                "Compte « ${login} » créé : le lien d'activation est envoyé à ${email}.",
                mapping={"login": account.login, "email": account.email},
            ),
            "success",
        )
        return HTTPSeeOther(request.route_url("staff_accounts"))


def target_account(request):
    """The account a staff administration form names (404 if none); never the
    académie member's own, which they cannot lock themselves out of."""
    account = request.site.staff.get(request.matchdict["id"])
    if account is None:
        raise HTTPNotFound()
    if account is request.staff:
        flash(request, _("Vous ne pouvez pas modifier ainsi votre propre compte."), "error")
        return None
    return account


@dataclass(frozen=True)
class AccountAction:
    """One of the académie's buttons on a staff account."""

    #: Whether the account is in a state the action changes (else nothing happens).
    applies: Callable[[StaffAccount], bool]
    #: The ``StaffDirectory`` method that does it.
    change: Callable[[StaffDirectory, StaffAccount], None]
    #: The audit event.
    event: str
    #: The message shown once done (``${login}`` names the account).
    done: TranslationString


ACCOUNT_ACTIONS = {
    "staff_account_disable": AccountAction(
        applies=lambda account: not account.disabled,
        change=StaffDirectory.disable,
        event="staff.disabled",
        done=_("Le compte « ${login} » est désactivé."),
    ),
    "staff_account_enable": AccountAction(
        applies=lambda account: account.disabled,
        change=StaffDirectory.enable,
        event="staff.enabled",
        done=_("Le compte « ${login} » est réactivé."),
    ),
    # The member lost their phone: they enrol a new one at their next sign-in.
    "staff_account_reset_second_factor": AccountAction(
        applies=lambda account: account.enrolled,
        change=StaffDirectory.reset_second_factor,
        event="staff.second_factor.reset",
        done=_(
            "Double authentification de « ${login} » réinitialisée : la personne "
            "l'activera de nouveau à sa prochaine connexion."
        ),
    ),
}


@view_config(route_name="staff_account_disable", permission=ACADEMY, request_method="POST")
@view_config(route_name="staff_account_enable", permission=ACADEMY, request_method="POST")
@view_config(
    route_name="staff_account_reset_second_factor", permission=ACADEMY, request_method="POST"
)
def change_staff_account(request):
    """Apply the route's action to the account it names, once: a second click
    (or a stale page) on an account already in that state changes nothing."""
    action = ACCOUNT_ACTIONS[request.matched_route.name]
    account = target_account(request)
    if account is not None and action.applies(account):
        action.change(request.site.staff, account)
        audit(request, action.event, target=account.id)
        flash(request, _(action.done, mapping={"login": account.login}), "success")
    return HTTPSeeOther(request.route_url("staff_accounts"))
