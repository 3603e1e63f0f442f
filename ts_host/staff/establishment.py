"""One establishment's office: its dashboard, its activation codes and letters.

Every rule is the command line's (``ts_host.admin``): the same selection,
regeneration, refusal and letters, so the web and ``ts-admin`` never differ.
A staff member who does not work for the establishment gets the answer an
unknown UAI gets: 404.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime

from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from .. import hookspecs
from ..activation import display, normalise
from ..admin import codes as admin_codes
from ..admin import reference_day, stats
from ..audit import audit
from ..contract import STAFF_EDIT_PERMISSION, CommandError
from ..forms import text_field
from ..i18n import _, of_name
from ..layout import flash
from ..mail import send_mail
from ..models import CodeKind, CodeState, Role
from .office import STAFF

log = logging.getLogger(__name__)

#: Changing codes (regenerate, record a refusal, print): not the vie scolaire.
CODES = "gestion:codes"
MAX_SEARCH = 100
#: A UAI: seven digits and a letter.
UAI_PATTERN = "[0-9]{7}[A-Z]"
NOTHING_TO_PRINT = _("Aucun code inutilisé dans cette sélection : aucune lettre à imprimer.")


class EstablishmentOffice:
    """``/gestion/{uai}/…``: the establishment, for the staff who work for it."""

    __acl__ = [
        (Allow, f"role:{Role.ACADEMIE}", (STAFF, CODES, STAFF_EDIT_PERMISSION)),
        (Allow, f"role:{Role.ETABLISSEMENT}", (STAFF, CODES, STAFF_EDIT_PERMISSION)),
        (Allow, f"role:{Role.VIE_SCOLAIRE}", STAFF),
    ]

    def __init__(self, request) -> None:
        self.uai = request.matchdict["uai"]
        self.config = request.academy.establishment(self.uai)
        staff = request.staff
        # Anonymous visitors are refused by the ACL (sent to the sign-in page)
        # before they can learn whether a UAI exists.
        if staff is not None and (self.config is None or not staff.sees(self.uai)):
            raise HTTPNotFound()


def codes_url(request, **query) -> str:
    wanted = {key: value for key, value in query.items() if value}
    return request.route_url("office_codes", uai=request.context.uai, _query=wanted)


def staff_tiles(request, establishment) -> list:
    """The tiles the establishment's services show on its office's dashboard."""
    plugins = request.registry.ts_plugins
    tiles = []
    for service_id in plugins.services:
        if not establishment.enables(service_id):
            continue
        try:
            tile = plugins.call_service(
                service_id, hookspecs.ts_staff_tile, request=request, establishment=establishment
            )
        except Exception:
            log.exception("service %s: ts_staff_tile failed", service_id)
            continue
        if tile is not None:
            tiles.append(tile)
    return tiles


@view_config(route_name="office", permission=STAFF, renderer="ts_host:templates/staff/office.pt")
def office_dashboard(request):
    context, site = request.context, request.site
    names = {context.uai: context.config.name}
    summary = stats.compute(site, names, datetime.now(), context.uai)[0]
    classes = []
    for division, counts in summary.classes.items():
        issued = sum(counts.values())
        used = sum(counts[kind, CodeState.USED] for kind in CodeKind)
        revoked = sum(counts[kind, CodeState.REVOKED] for kind in CodeKind)
        classes.append(
            {
                "division": division,
                "issued": issued,
                "used": used,
                "revoked": revoked,
                "unused": issued - used - revoked,
                "url": codes_url(request, classe=division),
            }
        )
    return {
        "config": context.config,
        "summary": summary,
        "classes": classes,
        "states": CodeState,
        "tiles": staff_tiles(request, context.config),
        "kinds": CodeKind,
    }


@view_config(
    route_name="office_codes",
    permission=STAFF,
    renderer="ts_host:templates/staff/codes.pt",
)
def office_codes(request):
    """The codes of one class, or those matching a name, with what can be done to each."""
    context, site = request.context, request.site
    division = text_field(request.GET, "classe", 20)
    search = " ".join(text_field(request.GET, "recherche", MAX_SEARCH).split())
    establishment = site.establishments.get(context.uai)
    divisions = sorted(set(establishment.pupil_ids.values()) - {""}) if establishment else []
    if not division and not search and divisions:
        division = divisions[0]
    found, error = [], None
    try:
        selection = admin_codes.select(site, admin_codes.Scope(context.uai, division=division))
        found = admin_codes.rows(site, selection)
    except CommandError as exc:
        error = str(exc)
    if search:
        words = search.casefold().split()
        found = [row for row in found if all(word in searchable(row) for word in words)]
    return {
        "config": context.config,
        "divisions": divisions,
        "division": division,
        "search": search,
        "rows": found,
        "error": error,
        "display": display,
        "can_change": request.has_permission(CODES),
        "letters_url": request.route_url("office_letters", uai=context.uai),
    }


def searchable(row: admin_codes.CodeRow) -> str:
    """What a search matches: the pupil's and the responsable's names, the code."""
    parts = [row.pupil.first_name, row.pupil.last_name, row.code.code]
    if row.responsable is not None:
        parts.append(row.responsable.full_name)
    return " ".join(parts).casefold()


def back(request) -> HTTPSeeOther:
    return HTTPSeeOther(
        codes_url(
            request,
            classe=text_field(request.POST, "classe", 20),
            recherche=text_field(request.POST, "recherche", MAX_SEARCH),
        )
    )


def code_of_request(request):
    """The code a POST names, if it belongs to this establishment."""
    code = request.site.codes.get(normalise(text_field(request.POST, "code", 40)))
    if code is None:
        return None
    pupil = request.site.pupils.get(code.pupil_id)
    return code if pupil is not None and pupil.uai == request.context.uai else None


@view_config(route_name="office_regenerate", permission=CODES, request_method="POST")
def regenerate_code(request):
    """A lost letter: a new code for that pupil and responsable, the old one revoked."""
    code = code_of_request(request)
    if code is None:
        raise HTTPNotFound()
    scope = admin_codes.Scope(
        request.context.uai,
        pupil=code.pupil_id,
        responsable=code.responsable_id or "",
        kinds=(code.kind,),
    )
    try:
        result = admin_codes.regenerate(request.site, admin_codes.select(request.site, scope))
    except CommandError as exc:
        flash(request, str(exc), "error")
        return back(request)
    if result.issued:
        new = result.issued[0]
        audit(
            request,
            "staff.code.regenerated",
            uai=request.context.uai,
            target=new.pupil_id,
            kind=str(new.kind),
        )
        flash(
            request,
            _(
                "Nouveau code ${kind} : ${code}. L'ancien ne sert plus ; "
                "imprimez la nouvelle lettre.",
                mapping={"kind": str(new.kind), "code": display(new.code)},
            ),
            "success",
        )
    elif result.used:
        flash(request, _("Ce code a déjà servi : le compte existe, rien à régénérer."), "info")
    else:
        flash(
            request,
            _("Rien à régénérer : l'élève a quitté l'établissement, ou ce code a été refusé."),
            "info",
        )
    return back(request)


@view_config(route_name="office_refusal", permission=CODES, request_method="POST")
def record_refusal(request):
    """The reply coupon came back: the code is revoked, and its link if it was used."""
    code = code_of_request(request)
    if code is None:
        raise HTTPNotFound()
    selection = admin_codes.select(request.site, admin_codes.Scope(request.context.uai))
    try:
        (revocation,) = admin_codes.revoke(request.site, selection, code.code)
    except CommandError as exc:
        flash(request, str(exc), "error")
        return back(request)
    audit(
        request,
        "staff.code.refused",
        uai=request.context.uai,
        target=code.pupil_id,
        kind=str(code.kind),
    )
    message = (
        _("Ce code était déjà révoqué.")
        if revocation.already
        else _(
            "Refus enregistré : le code ${code} ne sert plus.", mapping={"code": display(code.code)}
        )
    )
    flash(request, message, "info" if revocation.already else "success")
    return back(request)


@view_config(route_name="office_mail_code", permission=CODES, request_method="POST")
def mail_code(request):
    """Send a CAR to the responsable's address from SIECLE (« courrier ou courriel »).

    A code already mailed is sent again only when the form says so
    (``renvoyer``): a double click or a reloaded page sends nothing twice.
    """
    code = code_of_request(request)
    if code is None or code.kind is not CodeKind.CAR:
        raise HTTPNotFound()
    site = request.site
    responsable = site.responsables.get(code.responsable_id or "")
    if code.state is not CodeState.UNUSED or responsable is None or not responsable.email:
        flash(
            request,
            _(
                "Ce code ne peut pas être envoyé : il a servi, il est révoqué, "
                "ou le responsable n'a pas d'adresse e-mail."
            ),
            "error",
        )
        return back(request)
    if code.mailed_at is not None and not text_field(request.POST, "renvoyer", 1):
        flash(
            request,
            _(
                "Ce code a déjà été envoyé le ${day} à ${address} : rien n'est renvoyé.",
                mapping={
                    "day": code.mailed_at.strftime("%d/%m/%Y %H:%M"),
                    "address": code.mailed_to,
                },
            ),
            "warning",
        )
        return back(request)
    pupil = site.pupils[code.pupil_id]
    send_mail(
        request,
        responsable.email,
        _("Votre code d'activation scolarité services"),
        "ts_host:templates/mail/activation_code.txt",
        {
            "responsable": responsable,
            "establishment": request.context.config.name,
            "of_pupil": of_name(None, pupil.first_name),  # the mail is in French
            "code": display(code.code),
            "url": request.academy.public_url + request.route_path("create_responsable"),
        },
    )
    code.mailed_at, code.mailed_to = datetime.now(), responsable.email
    audit(request, "staff.code.mailed", uai=request.context.uai, target=code.pupil_id)
    flash(
        request,
        _("Code envoyé à ${address}.", mapping={"address": responsable.email}),
        "success",
    )
    return back(request)


@view_config(route_name="office_letters", permission=CODES, request_method="POST")
def print_letters(request):
    """The letters (PDF) of the unused codes of a class, of one pupil (one of
    their responsables), or of the establishment's codes not yet printed.

    A POST: printing marks the codes printed (``letters.print_letters``, the
    command line's rule), so a link followed from elsewhere must not do it.
    """
    from ..admin import letters

    context, site, form = request.context, request.site, request.POST
    kind = text_field(form, "type", 3)
    scope = admin_codes.Scope(
        context.uai,
        division=text_field(form, "classe", 20),
        pupil=text_field(form, "eleve", 40),
        responsable=text_field(form, "responsable", 40) if kind == CodeKind.CAR else "",
        kinds=(CodeKind(kind),) if kind in tuple(CodeKind) else (CodeKind.CAR,),
    )
    not_printed = bool(text_field(form, "non_imprimes", 1))
    try:
        selection = admin_codes.select(site, scope)
    except CommandError as exc:
        flash(request, str(exc), "error")
        return HTTPSeeOther(codes_url(request))
    found = admin_codes.rows(site, selection, [CodeState.UNUSED], not_printed=not_printed)
    letterhead = letters.Letterhead.for_establishment(
        request.academy,
        request.registry.ts_plugins,
        context.uai,
        reference_day(request.registry.settings),
    )
    output = io.BytesIO()
    printing = letters.print_letters(site, found, output, letterhead)
    if not printing.letters:
        flash(
            request,
            _("Tous les codes inutilisés ont déjà leur lettre imprimée : rien à imprimer.")
            if not_printed
            else NOTHING_TO_PRINT,
            "info",
        )
        return HTTPSeeOther(codes_url(request, classe=scope.division))
    audit(
        request,
        "staff.letters.printed",
        uai=context.uai,
        target=selection.pupils[0].id if scope.pupil else "",
        count=printing.letters,
        not_printed=not_printed,
    )
    if not_printed:
        what = "non-imprimes"
    elif scope.pupil:
        what = selection.pupils[0].id
    else:
        what = re.sub(r"[^\w-]", "_", scope.division) or "etablissement"
    return Response(
        body=output.getvalue(),
        content_type="application/pdf",
        content_disposition=f'attachment; filename="lettres-{context.uai}-{what}.pdf"',
    )


@view_config(
    route_name="office_services",
    permission=STAFF,
    renderer="ts_host:templates/staff/services.pt",
)
def office_services(request):
    """What the establishment offers, as ``establishments.toml`` configures it (read-only:
    configuration stays the source; the académie changes it on the server)."""
    config = request.context.config
    statuses = request.registry.ts_plugins.statuses
    services = []
    for service_id in config.services:
        status = statuses.get(service_id)
        description = status.description if status else None
        services.append(
            {
                "id": service_id,
                "title": description.title if description else service_id,
                "description": description.description if description else "",
                "settings": sorted(config.settings_for(service_id).items()),
            }
        )
    return {"config": config, "services": services}
