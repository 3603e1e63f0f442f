"""Pages of information: help, contact, legal notice, accessibility statement."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyramid.httpexceptions import HTTPNotFound
from pyramid.renderers import render
from pyramid.response import FileResponse
from pyramid.view import view_config

from . import hookspecs
from .contract import HelpSection
from .dashboard.views import visible_pupils
from .establishments import EstablishmentConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedHelp:
    """A service's help section, its body rendered."""

    service_id: str
    title: str
    body: str


def visitor_establishments(request) -> list[EstablishmentConfig]:
    """The establishments of the logged-in family's children, in the
    children's order; every establishment of the academy for an anonymous
    visitor."""
    academy = request.academy
    if request.account is None:
        return list(academy.establishments.values())
    found: dict[str, EstablishmentConfig] = {}
    for pupil in visible_pupils(request):
        establishment = academy.establishment(pupil.uai)
        if establishment is not None:
            found.setdefault(establishment.uai, establishment)
    return list(found.values())


def help_sections(request) -> list[RenderedHelp]:
    """The ``ts_help`` sections of the services the visitor's establishments
    enable, in the services' declared order; a failing service is logged
    and left out."""
    enabled = {sid for e in visitor_establishments(request) for sid in e.services}
    plugins = request.registry.ts_plugins
    sections = []
    for service_id in plugins.services:
        if service_id not in enabled:
            continue
        try:
            section = plugins.call_service(service_id, hookspecs.ts_help, request=request)
            if section is None:
                continue
            if not isinstance(section, HelpSection):
                raise TypeError("ts_help doit renvoyer une HelpSection ou None")
            body = render(section.template, {"request": request}, request=request)
        except Exception:
            log.exception("help section of service %s failed", service_id)
            continue
        title = request.localizer.translate(section.title)
        sections.append(RenderedHelp(service_id, title, body))
    return sections


@view_config(route_name="help", renderer="ts_host:templates/pages/help.pt")
def help_view(request):
    return {"sections": help_sections(request)}


@view_config(route_name="contact", renderer="ts_host:templates/pages/contact.pt")
def contact_view(request):
    """Each of the family's establishments with its vie scolaire; the
    academy's help desk for everyone (the only contact of an anonymous
    visitor, who has no establishment yet)."""
    establishments = visitor_establishments(request) if request.account is not None else []
    return {"establishments": establishments, "academy_contact": request.academy.contact}


@view_config(route_name="legal", renderer="ts_host:templates/pages/legal.pt")
@view_config(route_name="accessibility", renderer="ts_host:templates/pages/accessibility.pt")
def page_view(request):
    return {"academy": request.academy}


@view_config(route_name="academy_logo", request_method=("GET", "HEAD"))
def academy_logo_view(request):
    """The configured logo's file; 404 when there is none."""
    logo = request.academy.logo
    if logo is None or request.matchdict["ext"] != logo.path.suffix.lower():
        raise HTTPNotFound()
    return FileResponse(
        str(logo.path), request=request, cache_max_age=3600, content_type=logo.media_type
    )


def includeme(config) -> None:
    config.add_route("help", "/aide")
    config.add_route("contact", "/contact")
    config.add_route("legal", "/mentions-legales")
    config.add_route("accessibility", "/accessibilite")
    config.add_route("academy_logo", "/logo-academie{ext:\\.[a-z]+}")
    config.scan(__name__)
