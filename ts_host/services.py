"""Mounting the téléservices: plugins, the establishments file, pupil routes.

Every route a service adds with ``config.add_pupil_route`` lives under
``/eleve/{pupil}/<service id>`` and gets a context factory that resolves
the pupil through the logged-in account's own links, and answers 404 unless
the pupil's establishment enables the service.
"""

from __future__ import annotations

import logging

from pyramid.exceptions import ConfigurationError
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound

from . import hookspecs
from .contract import PupilContext
from .establishments import Academy, load_academy
from .plugins import PluginRegistry
from .staff.services import add_staff_page, add_staff_route

log = logging.getLogger(__name__)

PUPIL_PREFIX = "/eleve/{pupil}"


def pupil_factory(service_id: str | None):
    """A route factory for pages about one pupil, for one service.

    Anonymous visitors are sent to log in, whatever the pupil; for a
    logged-in account, a pupil it has no link to, a pupil who left and a
    pupil that does not exist all answer the same 404.
    """

    def factory(request) -> PupilContext:
        account = request.account
        if account is None:
            raise HTTPForbidden()
        pupil_id = request.matchdict.get("pupil", "")
        if pupil_id not in account.pupil_ids:
            raise HTTPNotFound()
        pupil = request.site.pupils.get(pupil_id)
        establishment = request.academy.establishment(pupil.uai) if pupil else None
        if pupil is None or not pupil.active or establishment is None:
            raise HTTPNotFound()
        if service_id is not None and not establishment.enables(service_id):
            raise HTTPNotFound()
        return PupilContext(
            pupil, establishment, service_id or "", account.responsables_for(pupil.id)
        )

    return factory


def add_pupil_route(config, name: str, pattern: str = "", **kw) -> None:
    """Directive for plugins: a route about one pupil, for the service being configured."""
    service_id = config.registry.ts_configuring
    if pattern == "":
        kw.setdefault("inherit_slash", True)
    config.add_route(name, pattern, factory=pupil_factory(service_id), **kw)


def add_pupil_page(config, name: str, pattern: str, view, renderer=None, **view_options) -> None:
    """Directive for plugins: a family's page about one pupil, route and view.

    The route is ``add_pupil_route``'s; the view takes the pupil's ``view``
    permission, which the host gives to that pupil's family alone, so that no
    page can be registered without it.  ``view_options`` go to ``add_view``
    (``request_method``...).
    """
    config.add_pupil_route(name, pattern)
    config.add_view(view, route_name=name, renderer=renderer, permission="view", **view_options)


def add_public_route(config, name: str, pattern: str, **kw) -> None:
    """Directive for plugins: a page outside ``/eleve/``, open to anyone.

    For what a visitor without an account must reach (a certificate's public
    verification, ``/verifier``): the service's route prefix is set aside, so
    ``pattern`` is an absolute path.  The route gets no context factory: its
    views take no permission and must show nothing about a family but what the
    visitor already holds (throttle lookups with ``throttle_allowed``).
    """
    prefix = config.route_prefix
    config.route_prefix = None
    try:
        config.add_route(name, pattern, **kw)
    finally:
        config.route_prefix = prefix


def get_academy(request) -> Academy:
    return request.registry.ts_academy


def includeme(config) -> None:
    settings = config.registry.settings
    registry = PluginRegistry()
    registry.load_entry_points()
    # {service id: module} registered as if installed: how the test kit's
    # ``register_plugin`` adds a plugin for one test (not an ini setting).
    for name, module in settings.get("ts.extra_plugins", {}).items():
        registry.register(module, name=name, distribution="ts.extra_plugins")
    config.registry.ts_plugins = registry
    config.registry.ts_academy = load_academy(
        settings.get("ts.establishments", "etc/establishments.toml"),
        registry.settings_schemas(),
    )
    config.add_request_method(get_academy, "academy", reify=True)
    config.add_directive("add_pupil_route", add_pupil_route)
    config.add_directive("add_pupil_page", add_pupil_page)
    config.add_directive("add_staff_route", add_staff_route)
    config.add_directive("add_staff_page", add_staff_page)
    config.add_directive("add_public_route", add_public_route)
    owners = RouteOwners()
    for service_id in registry.services:
        start = len(config.action_state.actions)
        mount_service(config, registry, service_id)
        owners.claim(service_id, config.action_state.actions[start:])


class RouteOwners:
    """Which service added each route name and each URL pattern.

    Two services must not share a route name (``route_url`` would point one
    service's links at the other's pages) nor a pattern (the first mounted
    would hide the other's page): the application refuses to start, naming
    both services.  The routes are read from the configuration actions a
    service's ``ts_configure`` queued, so ``add_pupil_route``, ``add_route``
    and ``add_static_view`` are all seen.
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.patterns: dict[str, str] = {}

    def claim(self, service_id: str, actions: list[dict]) -> None:
        for action in actions:
            for intr in action["introspectables"]:
                if intr.category_name != "routes":
                    continue
                name, pattern = intr["name"], "/" + intr["pattern"].strip("/")
                self._take(self.names, name, service_id, f"le nom de route « {name} »")
                self._take(self.patterns, pattern, service_id, f"l'adresse « {pattern} »")

    @staticmethod
    def _take(owners: dict[str, str], key: str, service_id: str, what: str) -> None:
        other = owners.setdefault(key, service_id)
        if other != service_id:
            raise ConfigurationError(
                f"les services « {other} » et « {service_id} » déclarent tous deux {what} : "
                "désinstallez l'un d'eux, ou faites-le corriger (noms de route préfixés "
                "par le paquet du service, ts_<id>.page)"
            )


def mount_service(config, registry: PluginRegistry, service_id: str) -> None:
    """Let one service add its routes under its own prefix.

    The service gets a configurator of its own package, so its relative
    asset specs and scans resolve against it.
    """
    service_config = config.with_package(registry.pm.get_plugin(service_id))
    segment = registry.services[service_id].url_segment or service_id
    config.registry.ts_configuring = service_id
    try:
        with service_config.route_prefix_context(f"{PUPIL_PREFIX}/{segment}"):
            registry.call_service(service_id, hookspecs.ts_configure, config=service_config)
    finally:
        config.registry.ts_configuring = None
