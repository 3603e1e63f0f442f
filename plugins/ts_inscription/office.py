"""The téléinscription in the establishment office (``/gestion/<uai>/inscription``).

The staff follow each campaign class by class (not started, in progress,
deposited), open a file, accept it (« complète ») or return it to the family
with a message, send a reminder by e-mail to the families who have not
started, export the deposited files for the school's management software,
and load the affectation list (the same importer as ``ts-admin import``).
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response

from ts_host.api import (
    ImportRejected,
    PupilFinder,
    Tile,
    flash,
    format_date,
    of_name,
    report_event,
    send_mail,
    today,
    write_csv,
)

from .i18n import _
from .importers import AffectationImporter
from .models import (
    COMPLETE,
    IN_PROGRESS,
    NOT_STARTED,
    RETURNED,
    SERVICE_ID,
    STATE_LABELS,
    STEPS,
    SUBMITTED,
    Frozen,
    find_registration,
    find_site,
)
from .schemas import REGIMES, RESPONSABLE_LABELS, STEP_TITLES, offers
from .views import STATE_BADGES, STATE_TITLES, summary_rows

OFFICE_ROUTE = "ts_inscription.office"
DECIDE_ROUTE = "ts_inscription.office_decide"
RELAUNCH_ROUTE = "ts_inscription.office_relaunch"
EXPORT_ROUTE = "ts_inscription.office_export"
IMPORT_ROUTE = "ts_inscription.office_import"
MAX_MESSAGE = 1000
#: An affectation list is a few hundred lines: 2 MB is far more than enough.
MAX_UPLOAD = 2 * 1024 * 1024


def files_of(site, uai: str, settings: dict) -> list[tuple]:
    """``(offer, pupil, registration or None)`` of every pupil a campaign of
    the establishment expects and the database holds, by class and name."""
    store = find_site(site)
    if store is None:
        return []
    found = []
    pupils = list(PupilFinder(site).pupils(uai))
    for offer in offers(uai, settings):
        campaign = store.campaigns.get((uai, offer.level))
        if campaign is None:
            continue
        for pupil in pupils:
            if campaign.expects(pupil):
                found.append((offer, pupil, find_registration(pupil)))
    found.sort(key=lambda row: (row[0].level, row[1].division, row[1].last_name, row[1].first_name))
    return found


def state_of(registration) -> str:
    return registration.state if registration is not None else NOT_STARTED


def office_tile(request, establishment) -> Tile | None:
    settings = establishment.settings_for("inscription")
    if not offers(establishment.uai, settings):
        return None
    files = files_of(request.site, establishment.uai, settings)
    deposited = sum(1 for row in files if state_of(row[2]) == SUBMITTED)
    return Tile(
        title=_("Téléinscription"),
        text=_(
            "Dossiers à examiner : ${count} sur ${total}.",
            mapping={"count": deposited, "total": len(files)},
        ),
        link_label=_("Suivre les inscriptions"),
        url=request.route_url(OFFICE_ROUTE, uai=establishment.uai),
    )


#: The columns of the progress table, in order.
PROGRESS_STATES = (NOT_STARTED, IN_PROGRESS, SUBMITTED, RETURNED, COMPLETE)


def progress_view(context, request):
    settings = context.config.settings_for("inscription")
    files = files_of(request.site, context.uai, settings)
    by_class: dict[str, Counter] = {}
    for _offer, pupil, registration in files:
        by_class.setdefault(pupil.division, Counter())[state_of(registration)] += 1
    return {
        "config": context.config,
        "offers": offers(context.uai, settings),
        "classes": sorted(by_class.items()),
        "files": [
            (pupil, state_of(registration), file_url(request, context.uai, pupil.id))
            for _o, pupil, registration in files
        ],
        "progress_states": PROGRESS_STATES,
        "state_titles": STATE_TITLES,
        "badges": STATE_BADGES,
        "format_date": format_date,
        "not_started": sum(1 for row in files if state_of(row[2]) == NOT_STARTED),
    }


def file_url(request, uai: str, pupil_id: str) -> str:
    """The office's page of one file: the progress page, opened on that pupil."""
    return request.route_url(OFFICE_ROUTE, uai=uai, _query={"eleve": pupil_id})


def office_file(context, request, pupil_id: str):
    """The pupil's file, if a campaign of this establishment expects the pupil."""
    pupil = request.site.pupils.get(pupil_id[:40])
    if pupil is None or pupil.uai != context.uai:
        raise HTTPNotFound()
    settings = context.config.settings_for("inscription")
    store = find_site(request.site)
    for offer in offers(context.uai, settings):
        campaign = store.campaigns.get((context.uai, offer.level)) if store is not None else None
        if campaign is not None and campaign.expects(pupil):
            return offer, campaign, pupil
    raise HTTPNotFound()


def file_view(context, request):
    offer, campaign, pupil = office_file(context, request, request.params["eleve"])
    registration = find_registration(pupil)
    state = state_of(registration)
    responsables = [
        request.site.responsables.get(link.responsable_id) for link in pupil.responsables
    ]
    changes = registration.changes if registration is not None else {}
    return {
        "config": context.config,
        "offer": offer,
        "pupil": pupil,
        "affectation": campaign.affectations[pupil.ine],
        "registration": registration,
        "state": state,
        "state_title": STATE_TITLES[state],
        "badge": STATE_BADGES[state],
        "steps": [(step, STEP_TITLES[step]) for step in STEPS],
        "rows": summary_rows(registration, offer),
        "changes": [
            (
                responsable,
                [
                    (RESPONSABLE_LABELS[key], value)
                    for key, value in changes[responsable.id].items()
                ],
                registration.forwarded_as(responsable.id),
            )
            for responsable in responsables
            if responsable is not None and changes.get(responsable.id)
        ],
        "deposited": state in (SUBMITTED, COMPLETE),
        "format_date": format_date,
        "max_message": MAX_MESSAGE,
        "can_accept": state == SUBMITTED,
        "can_return": state in (SUBMITTED, COMPLETE),
    }


def decide_view(context, request):
    """Accept a deposited file, or return it to the family with a message."""
    _offer, _campaign, pupil = office_file(context, request, request.matchdict["pupil_id"])
    registration = find_registration(pupil)
    if registration is None:
        raise HTTPNotFound()
    back = HTTPSeeOther(file_url(request, context.uai, pupil.id))
    message = " ".join(request.POST.get("message", "").split())[:MAX_MESSAGE]
    staff = f"gestion {request.staff.login}"
    try:
        if request.POST.get("decision") == "accepter":
            registration.accept(datetime.now(), staff)
            text = _("L'établissement a validé le dossier d'inscription.")
            report_event(request.site, pupil, SERVICE_ID, "inscription", text)
            flash(request, _("Le dossier est complet."), "success")
        elif not message:
            flash(request, _("Écrivez à la famille ce qu'elle doit corriger."), "error")
        else:
            registration.give_back(message, datetime.now(), staff)
            text = _("L'établissement vous renvoie le dossier d'inscription pour une correction.")
            report_event(request.site, pupil, SERVICE_ID, "inscription", text)
            flash(request, _("Le dossier est renvoyé à la famille avec votre message."), "success")
    except Frozen:
        flash(request, _("Ce dossier n'est pas dans un état qui le permet."), "error")
    return back


def relaunch_view(context, request):
    """E-mail the responsables of every pupil whose file is not started."""
    settings = context.config.settings_for("inscription")
    day = today(request)
    sent = 0
    for offer, pupil, registration in files_of(request.site, context.uai, settings):
        if state_of(registration) != NOT_STARTED or not offer.is_open(day):
            continue
        for link in pupil.responsables:
            responsable = request.site.responsables.get(link.responsable_id)
            if responsable is None or not responsable.email:
                continue
            send_mail(
                request,
                responsable.email,
                _("L'inscription de votre enfant est à compléter"),
                "ts_inscription:templates/mail/relance.txt",
                {
                    "responsable": responsable.full_name,
                    "establishment": context.config.name,
                    "of_pupil": of_name(None, pupil.first_name),
                    "closes": format_date(offer.closes),
                    "url": request.academy.public_url,
                },
            )
            sent += 1
    flash(request, _("Relance envoyée : ${count} courriels.", mapping={"count": sent}), "success")
    return HTTPSeeOther(request.route_url(OFFICE_ROUTE, uai=context.uai))


EXPORT_HEADER = (
    "niveau",
    "division",
    "eleve_ine",
    "nom",
    "prenom",
    "date_naissance",
    "etat",
    "deposee_le",
    "langue",
    "options",
    "regime",
    "transport",
    "droit_image",
    "sorties",
    "sortie_absence_professeur",
    "modifications_responsables",
    "demandes_fiche",
)


def export_rows(site, uai: str, settings: dict) -> list[list[str]]:
    """One line per deposited or complete file, with the responsables' corrections
    and the change requests of the fiche that hold them (those the school's
    software takes from the fiche's own export: not to be typed twice)."""
    rows = []
    for offer, pupil, registration in files_of(site, uai, settings):
        if state_of(registration) not in (SUBMITTED, COMPLETE):
            continue
        choices = registration.data.get("choix", {})
        consent = registration.data.get("autorisations", {})
        changes = "; ".join(
            f"{responsable_id} {field}={value}"
            for responsable_id, fields in sorted(registration.changes.items())
            for field, value in sorted(fields.items())
        )
        rows.append(
            [
                offer.level,
                pupil.division,
                pupil.ine,
                pupil.last_name,
                pupil.first_name,
                format_date(pupil.birth_date),
                STATE_LABELS[registration.state],
                format_date(registration.submitted) if registration.submitted else "",
                choices.get("language", ""),
                ", ".join(choices.get("options", ())),
                REGIMES_TEXT.get(choices.get("regime", ""), ""),
                yes_no(choices.get("transport", False)),
                yes_no(consent.get("image", False)),
                yes_no(consent.get("outings", False)),
                yes_no(consent.get("leave", False)),
                changes,
                "; ".join(
                    f"{responsable_id} {reference}"
                    for responsable_id in sorted(registration.changes)
                    if (reference := registration.forwarded_as(responsable_id))
                ),
            ]
        )
    return rows


REGIMES_TEXT = {key: str(label) for key, label in REGIMES.items()}


def yes_no(value: bool) -> str:
    return "oui" if value else "non"


def export_view(context, request):
    output = io.StringIO()
    settings = context.config.settings_for("inscription")
    write_csv(output, EXPORT_HEADER, export_rows(request.site, context.uai, settings), bom=True)
    return Response(
        body=output.getvalue().encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        content_disposition=f'attachment; filename="inscriptions-{context.uai}.csv"',
    )


def import_view(context, request):
    """The affectation list's upload: checked whole, written whole or refused."""
    values = {"config": context.config, "bad_lines": [], "summary": None, "error": None}
    if request.method != "POST":
        return values
    upload = request.POST.get("fichier")
    if not hasattr(upload, "file"):
        values["error"] = _("Choisissez un fichier CSV.")
        return values
    with tempfile.TemporaryDirectory(prefix="ts-affectation-") as folder:
        path = Path(folder) / "affectation.csv"
        path.write_bytes(upload.file.read(MAX_UPLOAD + 1)[:MAX_UPLOAD])
        importer = AffectationImporter(request.site, request.academy, only_uai=context.uai)
        try:
            summary = importer.load(path)
        except ImportRejected as rejected:
            values["bad_lines"] = rejected.bad_lines
            values["error"] = _("Fichier refusé, rien n'a été écrit.")
            return values
    values["summary"] = str(summary)
    return values
