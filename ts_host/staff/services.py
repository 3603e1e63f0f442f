"""Services' pages in the establishment office, and their tiles on its dashboard.

A service adds a staff page with ``config.add_staff_route`` in its
``ts_configure``, as it adds a family's page with ``add_pupil_route``: the
route lives under ``/gestion/<uai>/<segment>`` and its context is checked by
the host — a staff member of this establishment, which enables the service.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from ..contract import STAFF_PERMISSION
from ..security import STAFF_PREFIX
from .establishment import UAI_PATTERN, EstablishmentOffice


def service_office_factory(service_id: str):
    def factory(request) -> EstablishmentOffice:
        office = EstablishmentOffice(request)
        # As for a UAI the account does not serve: the same 404, and nothing
        # learnt by an anonymous visitor, whom the ACL sends to sign in.
        if request.staff is not None and not office.config.enables(service_id):
            raise HTTPNotFound()
        office.service_id = service_id
        return office

    return factory


def add_staff_route(config, name: str, pattern: str = "", **kw) -> None:
    """Directive for plugins: a page of the establishment office, for the service
    being configured (``ts_configure``), under ``/gestion/<uai>/<segment>``."""
    service_id = config.registry.ts_configuring
    segment = config.registry.ts_plugins.services[service_id].url_segment or service_id
    # The configurator's prefix is the families' (/eleve/{pupil}/<segment>).
    family_prefix, config.route_prefix = config.route_prefix, None
    try:
        config.add_route(
            name,
            f"{STAFF_PREFIX}/{{uai:{UAI_PATTERN}}}/{segment}{pattern}",
            factory=service_office_factory(service_id),
            **kw,
        )
    finally:
        config.route_prefix = family_prefix


def add_staff_page(
    config,
    name: str,
    pattern: str,
    view,
    renderer=None,
    *,
    permission: str = STAFF_PERMISSION,
    body_limit: int | None = None,
    **view_options,
) -> None:
    """Directive for plugins: a page of the establishment office, route and view.

    The route is ``add_staff_route``'s; the view takes ``STAFF_PERMISSION``
    unless a stricter one is given (``STAFF_EDIT_PERMISSION`` keeps the vie
    scolaire out).  ``body_limit`` declares the larger body an upload form
    takes (``config.allow_body``); ``view_options`` go to ``add_view``.
    """
    config.add_staff_route(name, pattern)
    if body_limit is not None:
        config.allow_body(name, body_limit)
    config.add_view(view, route_name=name, renderer=renderer, permission=permission, **view_options)
