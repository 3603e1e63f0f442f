"""The fiche de renseignements: what the establishment knows, and the form
that asks it to change a responsable's data.

Only the responsables the account speaks for (``context.responsable_ids``)
are shown or editable: another parent of the same child stays invisible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther

from ts_host.api import (
    FormView,
    Pupil,
    Responsable,
    Tile,
    audit,
    flash,
    format_date,
    of_name,
    today,
)

from .i18n import _
from .models import (
    APPLIED,
    FIELDS,
    PENDING,
    REFUSED,
    SERVICE_ID,
    TRANSMITTED,
    ChangeRequest,
    current_values,
    fiche_store,
    find_store,
)
from .schemas import LABELS, FicheSchema, comparable, to_appstruct, to_values

#: DSFR badge of each state of a request.
BADGES = {PENDING: "new", TRANSMITTED: "info", APPLIED: "success", REFUSED: "error"}
STATE_LABELS = {
    PENDING: _("en attente de validation"),
    TRANSMITTED: _("transmise"),
    APPLIED: _("appliquée"),
    REFUSED: _("refusée"),
}


def display(key: str, value) -> str:
    if key == "sms_consent":
        return _("oui") if value else _("non")
    return value or "—"


@dataclass
class ResponsableSection:
    """One responsable's part of the page."""

    responsable: Responsable
    rows: list[tuple[str, str]]
    pending: ChangeRequest | None
    history: list[ChangeRequest]

    @property
    def open_request(self) -> ChangeRequest | None:
        """The request the establishment has not decided on yet, if any."""
        return next((r for r in self.history if r.open), None)


def own_responsables(context, request) -> list[Responsable]:
    """The responsables the account speaks for about this pupil, and no other."""
    found = (request.site.responsables.get(rid) for rid in context.responsable_ids)
    return [responsable for responsable in found if responsable is not None]


def section_for(responsable: Responsable, store) -> ResponsableSection:
    values = current_values(responsable)
    history = store.history(responsable.id) if store is not None else []
    return ResponsableSection(
        responsable=responsable,
        rows=[(LABELS[key], display(key, values[key])) for key in FIELDS],
        pending=next((r for r in history if r.state == PENDING), None),
        history=history,
    )


PAGE_ROUTE = "ts_fiche.pupil"
RESPONSABLE_ROUTE = "ts_fiche.responsable"
WITHDRAW_ROUTE = "ts_fiche.withdraw"


def dashboard_tile(request, pupil: Pupil) -> Tile:
    return Tile(
        title=_("La fiche de renseignements"),
        text=_(
            "Les informations que l'établissement connaît de l'élève et de "
            "ses responsables ; demandez leur mise à jour."
        ),
        link_label=_(
            "Consultez la fiche de renseignements ${of_first_name}",
            mapping={"of_first_name": of_name(request, pupil.first_name)},
        ),
        url=request.route_url(PAGE_ROUTE, pupil=pupil.id),
    )


def template_helpers() -> dict:
    return {
        "labels": LABELS,
        "show": display,
        "format_date": format_date,
        "badges": BADGES,
        "state_labels": STATE_LABELS,
    }


def fiche_view(context, request):
    store = find_store(request.site)
    return {
        "pupil": context.pupil,
        "message": context.settings.get("message", ""),
        "sections": [section_for(r, store) for r in own_responsables(context, request)],
        **template_helpers(),
    }


def own_responsable(context, request) -> Responsable:
    """The responsable named in the URL, if the account speaks for them; else 404."""
    responsable_id = request.matchdict["responsable"]
    if responsable_id not in context.responsable_ids:
        raise HTTPNotFound()
    responsable = request.site.responsables.get(responsable_id)
    if responsable is None:
        raise HTTPNotFound()
    return responsable


def request_time(request) -> datetime:
    """Now, on the day ``ts.today`` fixes (demo and tests) if it does."""
    return datetime.combine(today(request), datetime.now().time().replace(microsecond=0))


def record_request(
    request, responsable: Responsable, pupil: Pupil, wanted: dict, current: dict, origin: str
) -> ChangeRequest:
    """Store what ``responsable`` asks (or revise their pending request), and
    audit it: the one way a request is made, from the fiche's own form or from
    another service (``origin``, its id) through the host's hook."""
    change = fiche_store(request.site).submit(
        responsable.id, pupil.id, request.account.id, request_time(request), wanted, current
    )
    audit(request, "fiche.request.submitted", pupil=pupil.id, target=change.id, origin=origin)
    return change


def take_changes(request, pupil: Pupil, responsable: Responsable, changes, origin: str):
    """Another service's corrections of ``responsable`` (some of ``FIELDS``) as a
    request of the fiche; its id, or ``None`` when they ask for nothing new.

    They are laid over the responsable's pending request if there is one (a
    correction asked on the fiche is not lost), else over the school's data,
    and written as the fiche's form writes them, so that the office compares
    like with like.
    """
    current = comparable(current_values(responsable))
    store = find_store(request.site)
    pending = store.pending_for(responsable.id) if store is not None else None
    wanted = comparable({**(pending.values if pending is not None else current), **changes})
    if wanted == current:
        return None
    if pending is not None and wanted == pending.values:
        return pending.id
    return record_request(request, responsable, pupil, wanted, current, origin).id


class ChangeRequestView(FormView):
    """The "Demander une modification" form, filled with the pending
    request if there is one, else with the establishment's data."""

    schema = FicheSchema
    form_id = "fiche"

    def __init__(self, context, request) -> None:
        super().__init__(context, request)
        self.responsable = own_responsable(context, request)
        store = find_store(request.site)
        self.pending = store.pending_for(self.responsable.id) if store is not None else None
        self.back_url = request.route_url(PAGE_ROUTE, pupil=context.pupil.id)
        self.buttons = (
            deform.Button("submit", _("Envoyer la demande")),
            deform.Button("back", _("Annuler"), type="link", value=self.back_url),
        )

    def current(self) -> dict:
        return comparable(current_values(self.responsable))

    def appstruct(self) -> dict:
        values = self.pending.values if self.pending is not None else self.current()
        return to_appstruct(values)

    def values(self) -> dict:
        return {
            "responsable": self.responsable,
            "pending": self.pending,
            "back_url": self.back_url,
            **template_helpers(),
        }

    def submit_success(self, appstruct):
        wanted = to_values(appstruct)
        current = self.current()
        if wanted == current:
            return self.invalid(
                appstruct,
                _(
                    "Aucune modification : les informations saisies sont celles que "
                    "l'établissement connaît déjà."
                ),
            )
        if self.pending is not None and wanted == self.pending.values:
            return self.invalid(
                appstruct,
                _("Aucune modification : cette demande est déjà en attente de validation."),
            )
        record_request(
            self.request, self.responsable, self.context.pupil, wanted, current, SERVICE_ID
        )
        flash(
            self.request,
            _(
                "Votre demande de modification est enregistrée. Elle sera examinée par "
                "l'établissement ; en attendant, vos informations actuelles restent valables."
            ),
            "success",
        )
        return HTTPSeeOther(self.back_url)


def withdraw_view(context, request):
    """The "Retirer la demande" button: only while pending (not yet transmitted)."""
    responsable = own_responsable(context, request)
    store = find_store(request.site)
    pending = store.pending_for(responsable.id) if store is not None else None
    if pending is not None:
        store.withdraw(pending)
        flash(request, _("Votre demande de modification a été retirée."), "success")
    return HTTPSeeOther(request.route_url(PAGE_ROUTE, pupil=context.pupil.id))
