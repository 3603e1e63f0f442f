"""« Gérer son compte » › notifications, and the one-click unsubscribe link."""

from __future__ import annotations

import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.i18n import TranslationString
from pyramid.view import view_config

from ..accounts.manage import require_account
from ..audit import audit
from ..forms import CSRFSchema, FormView
from ..i18n import _
from ..layout import flash
from ..models.notifications import (
    ACCOUNT_HOLDER,
    DIGEST,
    IMMEDIATE,
    MODES,
    NONE,
    preferences,
    set_preferences,
)
from .queue import shared_responsables
from .tokens import read_unsubscribe_token

#: The choices as the form words them.
MODE_LABELS = (
    (NONE, _("rien")),
    (DIGEST, _("un résumé par jour")),
    (IMMEDIATE, _("tout de suite")),
)


def holders(request, account) -> list[tuple[str, str]]:
    """Who chooses in this account: (holder, address), the account's own
    address first, then, in an account shared by several responsables,
    each one who has an address of their own (as :func:`.queue.recipients`)."""
    found = [(ACCOUNT_HOLDER, account.email)]
    seen = {account.email.lower()}
    shared = dict.fromkeys(
        responsable_id
        for pupil_id in account.pupil_ids
        for responsable_id in shared_responsables(account, pupil_id)
    )
    for responsable_id in shared:
        responsable = request.site.responsables.get(responsable_id)
        address = getattr(responsable, "email", "") or ""
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append((responsable_id, address))
    return found


def services(request, account) -> list[tuple[str, str]]:
    """(service id, title) of the services the account's children's
    establishments enable, in the services' order."""
    enabled = set()
    for pupil_id in account.pupil_ids:
        pupil = request.site.pupils.get(pupil_id)
        establishment = request.academy.establishment(pupil.uai) if pupil else None
        if establishment is not None:
            enabled.update(establishment.services)
    described = request.registry.ts_plugins.services
    ordered = sorted((d.order, sid) for sid, d in described.items() if sid in enabled)
    return [(sid, described[sid].title) for _order, sid in ordered]


def service_title(request, service_id: str) -> str:
    description = request.registry.ts_plugins.services.get(service_id)
    if description is None:
        return service_id
    return request.localizer.translate(
        TranslationString(description.title, domain=description.translation_domain)
    )


@view_config(
    route_name="account_part",
    match_param="part=notifications",
    renderer="ts_host:templates/notifications/preferences.pt",
)
class PreferencesView(FormView):
    """Per holder and per service: nothing, a daily digest, or at once."""

    form_id = "notifications"
    buttons = (deform.Button("submit", _("Enregistrer vos choix")),)

    def __call__(self):
        self.account = require_account(self.request)
        self.holders = holders(self.request, self.account)
        self.services = services(self.request, self.account)
        return super().__call__()

    def schema(self):
        """Built per account: one group per holder, one choice per service."""
        schema = CSRFSchema()
        translate = self.request.localizer.translate
        for index, (_holder, address) in enumerate(self.holders):
            group = colander.MappingSchema(
                name=f"h{index}",
                title=translate(_("Courriels envoyés à ${address}", mapping={"address": address})),
            )
            for service_id, _title in self.services:
                group.add(
                    colander.SchemaNode(
                        colander.String(),
                        name=service_id,
                        oid=f"h{index}-{service_id}",
                        title=service_title(self.request, service_id),
                        widget=deform.widget.RadioChoiceWidget(values=MODE_LABELS, inline=True),
                        validator=colander.OneOf(MODES),
                    )
                )
            schema.add(group)
        return schema

    def appstruct(self):
        return {
            f"h{index}": {
                service_id: preferences(self.account, holder).mode(service_id)
                for service_id, _title in self.services
            }
            for index, (holder, _address) in enumerate(self.holders)
        }

    def values(self):
        return {
            "title": _("Vos notifications par courriel"),
            "has_services": bool(self.services),
            "shared": len(self.holders) > 1,
        }

    def submit_success(self, appstruct):
        language = self.request.locale_name
        changed = []
        for index, (holder, _address) in enumerate(self.holders):
            chosen = preferences(self.account, holder)
            before = dict(chosen.modes), chosen.language
            for service_id, mode in appstruct[f"h{index}"].items():
                chosen.modes[service_id] = mode
            chosen.language = language
            if (chosen.modes, chosen.language) != before:
                set_preferences(self.account, holder, chosen)
                changed.append(holder or "compte")
        if changed:
            audit(self.request, "account.notifications_changed", holders=",".join(changed))
            flash(self.request, _("Vos choix de notifications sont enregistrés."), "success")
        else:
            flash(self.request, _("Vos choix de notifications restent les mêmes."))
        return HTTPSeeOther(self.request.route_url("account"))


@view_config(
    route_name="unsubscribe",
    request_method=("GET", "HEAD"),
    renderer="ts_host:templates/notifications/unsubscribe.pt",
)
def unsubscribe_page(request):
    """The link followed from a mail: it says what the button will stop, and
    changes nothing (link checkers and mail scanners follow links)."""
    return _unsubscribe_values(request, done=False)


# CSRF-exempt by design: RFC 8058's one-click POST comes from the mail
# client, with no session and no page of ours before it, so it can carry no
# CSRF token.  The signed token in the address is what a CSRF token would
# prove (that the sender got it from us, for this account), and the POST can
# only turn off the mails the token names, which the family can turn on again.
@view_config(
    route_name="unsubscribe",
    request_method="POST",
    require_csrf=False,
    renderer="ts_host:templates/notifications/unsubscribe.pt",
)
def unsubscribe(request):
    """Turn off the services the token names, for its holder only; no login."""
    values = _unsubscribe_values(request, done=True)
    asked, account = values.pop("asked"), values.pop("account")
    if account is not None:
        chosen = preferences(account, asked.holder)
        if any(chosen.mode(service_id) != NONE for service_id in asked.services):
            for service_id in asked.services:
                chosen.modes[service_id] = NONE
            set_preferences(account, asked.holder, chosen)
            audit(
                request,
                "account.notifications_unsubscribed",
                target=account.id,
                holder=asked.holder,
                services=",".join(asked.services),
            )
    return values


def _unsubscribe_values(request, done: bool) -> dict:
    asked = read_unsubscribe_token(
        request.registry.settings["ts.auth_secret"], request.matchdict["token"]
    )
    account = request.site.accounts.get(asked.account_id) if asked else None
    if account is None:
        request.response.status = 400
        return {"valid": False, "done": False, "services": [], "asked": None, "account": None}
    titles = [service_title(request, service_id) for service_id in asked.services]
    return {"valid": True, "done": done, "services": titles, "asked": asked, "account": account}
