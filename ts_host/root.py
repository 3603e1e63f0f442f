"""The database root: the site, found or created under ``ROOT_KEY``, and each
service's own storage in it (per pupil, or site-wide).

``request.site`` is the site of the request's connection (registered here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .evolve import stamp_new_site
from .models.people import Pupil
from .models.site import ROOT_KEY, Site
from .page_cache import start_reading


def appmaker(zodb_root) -> Site:
    """Return the site, creating it on first use (Pyramid cookiecutter style).

    A new site is born at the host's latest data generation: nothing to upgrade.
    """
    if ROOT_KEY not in zodb_root:
        site = Site()
        zodb_root[ROOT_KEY] = site
        stamp_new_site(site)
    return zodb_root[ROOT_KEY]


def get_site(request) -> Site:
    """The request's first read of the database, and where its reads start."""
    from pyramid_zodbconn import get_connection

    site = appmaker(get_connection(request).root())
    start_reading(request, site)
    return site


def service_data(pupil: Pupil, service_id: str, factory: Callable[[], Any]) -> Any:
    """The service's own persistent object for this pupil, created on first use."""
    data = pupil.services.get(service_id)
    if data is None:
        data = factory()
        pupil.services.add(service_id, data)
    return data


def site_data(site: Site, service_id: str, factory: Callable[[], Any]) -> Any:
    """The service's own site-wide persistent object (data not owned by one
    pupil, e.g. requests about a responsable), created on first use."""
    data = site.services.get(service_id)
    if data is None:
        data = factory()
        site.services.add(service_id, data)
    return data


def includeme(config) -> None:
    config.add_request_method(get_site, "site", reify=True)
