"""The family's side: the tile, the registration's page and its steps.

A pupil is concerned by a campaign when the affectation list of an open
campaign of its establishment names its INE.  The form has four steps
(:data:`models.STEPS`), each saved on its own so that a family can stop and
go on later, on another device; the page of the service is the summary,
from which the file is deposited.  Every step carries the file's version:
see :mod:`models` for why a stale one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import colander
import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response

from ts_host.api import (
    FormView,
    Pupil,
    Tile,
    flash,
    format_date,
    of_name,
    submit_responsable_changes,
    today,
)

from . import receipt
from .i18n import _
from .models import (
    COMPLETE,
    RETURNED,
    SERVICE_ID,
    STEPS,
    SUBMITTED,
    Affectation,
    Campaign,
    Frozen,
    Registration,
    StaleVersion,
    find_registration,
    find_site,
    registration_of,
    responsable_values,
)
from .schemas import (
    REGIMES,
    RESPONSABLE_FIELDS,
    STEP_SCHEMAS,
    STEP_TITLES,
    CampaignOffer,
    offers,
)

PAGE_ROUTE = "ts_inscription.pupil"
STEP_ROUTE = "ts_inscription.step"
SUBMIT_ROUTE = "ts_inscription.submit"
RECEIPT_ROUTE = "ts_inscription.receipt"

STATE_BADGES = {
    "non_commencee": "info",
    "en_cours": "new",
    SUBMITTED: "success",
    RETURNED: "warning",
    COMPLETE: "success",
}
#: How the pages name each state (``models.STATE_LABELS`` are the exports').
STATE_TITLES = {
    "non_commencee": _("non commencée"),
    "en_cours": _("en cours"),
    SUBMITTED: _("déposée"),
    RETURNED: _("renvoyée"),
    COMPLETE: _("complète"),
}
STALE_MESSAGE = _(
    "Ce dossier a été modifié par un autre responsable pendant que vous le remplissiez : "
    "voici ses informations actuelles. Vérifiez-les, puis enregistrez de nouveau."
)


@dataclass
class Enrolment:
    """A pupil's place in a campaign: the offer, its record, the affectation."""

    offer: CampaignOffer
    campaign: Campaign
    affectation: Affectation

    def is_open(self, day: date) -> bool:
        return self.offer.is_open(day)


def enrolment_of(site, pupil: Pupil, settings: dict) -> Enrolment | None:
    """The campaign of ``pupil``'s establishment that expects it, if any."""
    store = find_site(site)
    if store is None or not pupil.ine:
        return None
    for offer in offers(pupil.uai, settings):
        campaign = store.campaigns.get((pupil.uai, offer.level))
        if campaign is not None and campaign.expects(pupil):
            return Enrolment(offer, campaign, campaign.affectations[pupil.ine])
    return None


def dashboard_tile(request, pupil: Pupil, settings: dict) -> Tile | None:
    """A tile while the campaign is open (and after, once the file is deposited)."""
    enrolment = enrolment_of(request.site, pupil, settings)
    if enrolment is None:
        return None
    registration = find_registration(pupil)
    deposited = registration is not None and not registration.editable
    if not enrolment.is_open(today(request)) and not deposited:
        return None
    mapping = {
        "of_first_name": of_name(request, pupil.first_name),
        "closes": format_date(enrolment.offer.closes),
    }
    return Tile(
        title=_("La téléinscription"),
        text=_(
            "L'inscription ${of_first_name} pour la rentrée, à compléter en ligne "
            "jusqu'au ${closes}.",
            mapping=mapping,
        ),
        link_label=_("Complétez l'inscription ${of_first_name}", mapping=mapping),
        url=request.route_url(PAGE_ROUTE, pupil=pupil.id),
    )


def request_time(request) -> datetime:
    """Now, on the day ``ts.today`` fixes (demo and tests) if it does."""
    return datetime.combine(today(request), datetime.now().time().replace(microsecond=0))


def who(request) -> str:
    """How the history names the account that acted."""
    return f"compte {request.account.id}"


def require_enrolment(context, request) -> Enrolment:
    enrolment = enrolment_of(request.site, context.pupil, context.settings)
    if enrolment is None:
        raise HTTPNotFound()
    return enrolment


def own_responsables(context, request) -> list:
    found = (request.site.responsables.get(rid) for rid in context.responsable_ids)
    return [responsable for responsable in found if responsable is not None]


def can_edit(context, request, enrolment: Enrolment, registration: Registration | None) -> bool:
    """Whether this visitor may still change the file: a responsable, while the
    campaign is open and the file not deposited."""
    state_ok = registration is None or registration.editable
    return bool(context.responsable_ids) and state_ok and enrolment.is_open(today(request))


def summary_rows(
    registration: Registration | None, offer: CampaignOffer, responsable_ids=None
) -> dict[str, list]:
    """What each step holds, as (label, value) rows for the summary and the receipt.

    ``responsable_ids`` keeps the responsables' rows to those the family's
    account speaks for (another parent's contact data stays theirs); the
    office passes ``None`` and sees them all.
    """
    data = registration.data if registration is not None else {}
    yes, no = _("oui"), _("non")
    rows: dict[str, list] = {}
    if "eleve" in data:
        step = data["eleve"]
        rows["eleve"] = [
            (_("Commune de naissance"), step["birth_place"]),
            (_("Établissement fréquenté cette année"), step["previous_school"]),
            (_("Informations de santé"), step["health"] or "—"),
        ]
    if "responsables" in data:
        rows["responsables"] = [
            (row["name"], ", ".join(v for v in (row["email"], row["phone_mobile"]) if v) or "—")
            for row in data["responsables"]["responsables"]
            if responsable_ids is None or row["responsable_id"] in responsable_ids
        ]
    if "choix" in data:
        step = data["choix"]
        rows["choix"] = [
            (_("Langue vivante"), step["language"] or "—"),
            (_("Enseignements optionnels"), ", ".join(step["options"]) or _("aucun")),
            (_("Régime"), REGIMES.get(step["regime"], step["regime"])),
        ]
        if offer.transport:
            rows["choix"].append((_("Transport scolaire"), yes if step["transport"] else no))
    if "autorisations" in data:
        step = data["autorisations"]
        rows["autorisations"] = [
            (_("Droit à l'image"), yes if step["image"] else no),
            (_("Sorties pédagogiques"), yes if step["outings"] else no),
            (_("Sortie en l'absence d'un professeur"), yes if step["leave"] else no),
        ]
    return rows


def page_view(context, request):
    """The registration's page: where it stands, the steps, the summary."""
    enrolment = require_enrolment(context, request)
    registration = find_registration(context.pupil)
    editable = can_edit(context, request, enrolment, registration)
    state = registration.state if registration is not None else "non_commencee"
    return {
        "pupil": context.pupil,
        "offer": enrolment.offer,
        "affectation": enrolment.affectation,
        "registration": registration,
        "state": state,
        "state_title": STATE_TITLES[state],
        "badge": STATE_BADGES[state],
        "editable": editable,
        "closed": not enrolment.is_open(today(request)),
        "steps": [(number, step, STEP_TITLES[step]) for number, step in enumerate(STEPS, 1)],
        "done": set(registration.data) if registration is not None else set(),
        "rows": summary_rows(registration, enrolment.offer, context.responsable_ids),
        "ready": editable and registration is not None and registration.complete_steps(),
        "version": registration.version if registration is not None else 0,
        "format_date": format_date,
        "frozen": state in (SUBMITTED, COMPLETE),
    }


class StepView(FormView):
    """One step of the form: shown with what was saved (or the school's data),
    saved if the file has not changed since it was shown."""

    form_id = "inscription"

    def __init__(self, context, request) -> None:
        super().__init__(context, request)
        number = int(request.matchdict["number"])
        if not 1 <= number <= len(STEPS):
            raise HTTPNotFound()
        self.step = STEPS[number - 1]
        self.enrolment = require_enrolment(context, request)
        self.registration = find_registration(context.pupil)
        self.page_url = request.route_url(PAGE_ROUTE, pupil=context.pupil.id)
        self.schema = STEP_SCHEMAS[self.step]
        position = STEPS.index(self.step)
        self.next_step = STEPS[position + 1] if position + 1 < len(STEPS) else None
        self.buttons = (
            deform.Button("submit", _("Enregistrer et continuer")),
            deform.Button("back", _("Revenir au dossier"), type="link", value=self.page_url),
        )
        self.responsables = own_responsables(context, request)

    def __call__(self):
        if not can_edit(self.context, self.request, self.enrolment, self.registration):
            return HTTPSeeOther(self.page_url)
        return super().__call__()

    def prepare_schema(self, schema) -> None:
        if self.step == "choix":
            self._prepare_choices(schema)
        elif self.step == "responsables":
            count = len(self.responsables)
            schema["responsables"].widget = deform.widget.SequenceWidget(
                min_len=count, max_len=count, orderable=False
            )

    def _prepare_choices(self, schema) -> None:
        offer, campaign = self.enrolment.offer, self.enrolment.campaign
        translate = self.request.localizer.translate
        if offer.languages:
            schema["language"].widget = deform.widget.RadioChoiceWidget(
                values=[(name, name) for name in offer.languages]
            )
            schema["language"].validator = colander.OneOf(offer.languages)
            schema["language"].missing = colander.required
        else:
            del schema["language"]
        if offer.options:
            values = []
            for name, places in offer.options:
                if places:
                    left = max(places - campaign.taken(name), 0)
                    note = (
                        _(
                            "${places} places, ${left} restantes",
                            mapping={"places": places, "left": left},
                        )
                        if left
                        else _("${places} places, complet", mapping={"places": places})
                    )
                    values.append((name, f"{name} ({translate(note)})"))
                else:
                    values.append((name, name))
            schema["options"].widget = deform.widget.CheckboxChoiceWidget(values=values)
            schema["options"].validator = colander.ContainsOnly(
                [name for name, _p in offer.options]
            )
        else:
            del schema["options"]
        schema["regime"].widget = deform.widget.RadioChoiceWidget(
            values=[(key, translate(REGIMES[key])) for key in offer.regimes]
        )
        schema["regime"].validator = colander.OneOf(list(offer.regimes))
        if not offer.transport:
            del schema["transport"]

    def current_appstruct(self) -> dict:
        registration = self.registration
        saved = registration.data.get(self.step) if registration is not None else None
        version = registration.version if registration is not None else 0
        if saved is not None:
            values = dict(saved)
            if self.step == "responsables":
                values["responsables"] = self.own_rows(saved["responsables"])
            if self.step == "choix":
                values["options"] = set(saved["options"])
        else:
            values = self.defaults()
        return {**values, "version": version}

    def defaults(self) -> dict:
        if self.step == "eleve":
            return {"previous_school": self.enrolment.affectation.origin}
        if self.step == "responsables":
            return {"responsables": self.own_rows([])}
        return {}

    def own_rows(self, saved: list[dict]) -> list[dict]:
        """The form's rows: this account's responsables only, as saved, else as
        the school knows them."""
        by_id = {row["responsable_id"]: row for row in saved}
        rows = []
        for responsable in self.responsables:
            row = by_id.get(responsable.id) or responsable_values(responsable)
            fields = {key: row[key] for key in RESPONSABLE_FIELDS}
            rows.append({"responsable_id": responsable.id, **fields})
        return rows

    def appstruct(self) -> dict:
        return self.current_appstruct()

    def values(self) -> dict:
        return {
            "pupil": self.context.pupil,
            "step": self.step,
            "step_title": STEP_TITLES[self.step],
            "position": STEPS.index(self.step) + 1,
            "count": len(STEPS) + 1,
            "next_title": STEP_TITLES[self.next_step or "recapitulatif"],
            "responsables": self.responsables,
            "affectation": self.enrolment.affectation,
            "format_date": format_date,
        }

    def submit_success(self, appstruct):
        version = appstruct.pop("version")
        appstruct.pop("csrf_token", None)
        registration = self.registration
        current = registration.version if registration is not None else 0
        if version != current:
            return self.stale()
        pupil = self.context.pupil
        if self.step == "responsables":
            self._responsables(appstruct)
        elif self.step == "choix":
            appstruct["options"] = sorted(appstruct.get("options", ()))
            appstruct.setdefault("language", "")
            appstruct.setdefault("transport", False)
            full = self.enrolment.campaign.reserve(
                pupil.id, set(appstruct["options"]), self.enrolment.offer.limits
            )
            if full:
                return self.invalid(
                    {**appstruct, "version": version},
                    _(
                        "Il ne reste plus de place en : ${options}.",
                        mapping={"options": ", ".join(full)},
                    ),
                )
        registration = registration_of(pupil)
        try:
            registration.save_step(
                self.step, appstruct, version, request_time(self.request), who(self.request)
            )
        except StaleVersion:
            return self.stale()
        except Frozen:
            return HTTPSeeOther(self.page_url)
        if self.step == "responsables":
            registration.record_changes(self.changes)
        target = (
            self.request.route_url(STEP_ROUTE, pupil=pupil.id, number=STEPS.index(self.step) + 2)
            if self.next_step
            else self.page_url
        )
        flash(self.request, _("Étape enregistrée."), "success")
        return HTTPSeeOther(target)

    def _responsables(self, appstruct) -> None:
        """Keep the rows of the responsables this account speaks for, and what
        differs from the school's data (sent with the file as change requests)."""
        own = {r.id: r for r in self.responsables}
        rows = appstruct["responsables"]
        if sorted(row["responsable_id"] for row in rows) != sorted(own):
            raise HTTPNotFound()
        self.changes = {}
        saved = self.registration.data.get("responsables") if self.registration else None
        others = [
            row for row in (saved or {}).get("responsables", ()) if row["responsable_id"] not in own
        ]
        for row in rows:
            responsable = own[row["responsable_id"]]
            known = responsable_values(responsable)
            self.changes[responsable.id] = {
                key: row[key] for key in RESPONSABLE_FIELDS if row[key] != known[key]
            }
            row["name"] = responsable.full_name
        appstruct["responsables"] = others + rows

    def stale(self):
        """Show the current data with the message: another responsable saved."""
        self.registration = find_registration(self.context.pupil)
        return self.invalid(self.current_appstruct(), STALE_MESSAGE)


def submit_view(context, request):
    """« Déposer le dossier »: freeze the file, if every step is saved."""
    enrolment = require_enrolment(context, request)
    registration = find_registration(context.pupil)
    page = HTTPSeeOther(request.route_url(PAGE_ROUTE, pupil=context.pupil.id))
    if registration is None or not can_edit(context, request, enrolment, registration):
        return page
    if not registration.complete_steps():
        flash(request, _("Complétez chaque étape avant de déposer."), "error")
        return page
    try:
        version = int(request.POST.get("version", ""))
        registration.submit(version, request_time(request), who(request))
    except (ValueError, StaleVersion):
        flash(request, STALE_MESSAGE, "error")
        return page
    forward_changes(request, context.pupil, registration)
    flash(
        request,
        _(
            "Le dossier est déposé. L'établissement va l'examiner ; "
            "téléchargez le récépissé pour le garder."
        ),
        "success",
    )
    return page


def forward_changes(request, pupil: Pupil, registration: Registration) -> None:
    """Hand the responsables' corrections over as change requests, at the deposit.

    Not at each step: a family may correct and correct again before
    depositing, and the establishment reviews what was deposited.  The
    service that takes them (the fiche de renseignements, when the
    establishment offers it) is reached through the host; what nobody
    takes stays in the file, which the office shows.  A file returned and
    deposited again hands over only the corrections changed since.  The
    account that deposits is the requests' author, for every responsable.
    """
    for responsable_id, fields in sorted(registration.to_forward().items()):
        responsable = request.site.responsables.get(responsable_id)
        if responsable is None:
            continue
        reference = submit_responsable_changes(
            request, pupil, responsable, fields, origin=SERVICE_ID
        )
        if reference is not None:
            registration.record_forwarded(responsable_id, reference)


def receipt_view(context, request):
    """The PDF receipt of a deposited file (before the deposit: the file's page)."""
    enrolment = require_enrolment(context, request)
    registration = find_registration(context.pupil)
    if registration is None or registration.state not in (SUBMITTED, COMPLETE):
        return HTTPSeeOther(request.route_url(PAGE_ROUTE, pupil=context.pupil.id))
    body = receipt.render(
        request.localizer.translate,
        context.establishment,
        context.pupil,
        enrolment.offer,
        registration,
        summary_rows(registration, enrolment.offer, context.responsable_ids),
    )
    return Response(
        body=body,
        content_type="application/pdf",
        content_disposition='attachment; filename="recepisse-inscription.pdf"',
    )
