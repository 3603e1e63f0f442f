"""Numbered upgrades of stored data, for the host and for each service.

The last step applied is recorded in ``site.generations`` under
``"ts_host"`` or the service id.  ``ts-admin evolve`` runs the missing steps
in order, one transaction each, so an interrupted upgrade resumes where it
stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import transaction
from pyramid.events import ApplicationCreated

from . import hookspecs
from .contract import EvolveStep
from .models import Container, Journal, Site, StaffDirectory, Structure
from .models.notifications import Outbox
from .models.site import ROOT_KEY, ReadMarker, token_decoys

log = logging.getLogger(__name__)

HOST = "ts_host"


def add_services_namespace(site: Site) -> None:
    if "services" not in site.__dict__:
        site.services = Container()


def add_establishment_structures(site: Site) -> None:
    for establishment in site.establishments.values():
        if "structure" not in establishment.__dict__:
            establishment.structure = Structure()


def add_token_decoys(site: Site) -> None:
    if "token_decoys" not in site.__dict__:
        site.token_decoys = token_decoys()


def add_staff_directory(site: Site) -> None:
    if "staff" not in site.__dict__:
        site.staff = StaffDirectory()
    if "journal" not in site.__dict__:
        site.journal = Journal()


def add_notifications_outbox(site: Site) -> None:
    if "notifications" not in site.__dict__:
        site.notifications = Outbox()


def add_read_marker(site: Site) -> None:
    if "read_marker" not in site.__dict__:
        site.read_marker = ReadMarker()


#: The host's own steps; append, never renumber.
HOST_STEPS: Sequence[EvolveStep] = (
    EvolveStep(1, "espace de données des services au niveau du site", add_services_namespace),
    EvolveStep(2, "structure des établissements (classes, équipes)", add_establishment_structures),
    EvolveStep(3, "comptes leurres des demandes de réinitialisation", add_token_decoys),
    EvolveStep(4, "comptes du personnel et journal (/gestion/)", add_staff_directory),
    EvolveStep(5, "file des notifications aux familles", add_notifications_outbox),
    EvolveStep(6, "marqueur des lectures des pages gardées", add_read_marker),
)


def latest(steps: Sequence[EvolveStep]) -> int:
    return max((step.generation for step in steps), default=0)


def stamp_new_site(site: Site) -> None:
    """A new database is born at the latest generation: nothing to upgrade."""
    site.generations[HOST] = latest(HOST_STEPS)


def service_steps(plugins) -> dict[str, Sequence[EvolveStep]]:
    return {
        service_id: list(plugins.call_service(service_id, hookspecs.ts_evolve_steps) or ())
        for service_id in plugins.services
    }


def pending(site: Site, plugins) -> dict[str, list[EvolveStep]]:
    """The steps still to apply, by owner (host first)."""
    owners = {HOST: HOST_STEPS, **service_steps(plugins)}
    todo = {}
    for owner, steps in owners.items():
        current = site.generations.get(owner)
        if current is None:
            continue  # never stamped: stamped at its latest by evolve()
        missing = sorted((s for s in steps if s.generation > current), key=lambda s: s.generation)
        if missing:
            todo[owner] = missing
    return todo


def evolve(get_site, plugins, manager=transaction.manager) -> list[str]:
    """Apply every pending step; return a line per step applied."""
    done = []
    with manager:
        site = get_site()
        for owner, steps in {HOST: HOST_STEPS, **service_steps(plugins)}.items():
            if owner not in site.generations:
                site.generations[owner] = latest(steps)
        todo = pending(site, plugins)
    for owner, steps in todo.items():
        for step in steps:
            with manager:
                site = get_site()
                step.apply(site)
                site.generations[owner] = step.generation
            line = f"{owner} : étape {step.generation} appliquée ({step.description})"
            log.info(line)
            done.append(line)
    return done


def warn_when_behind(event) -> None:
    """At start-up, say so in the log when the database needs ``ts-admin evolve``."""
    from .storage import get_database

    registry = event.app.registry
    manager = transaction.TransactionManager(explicit=True)
    connection = get_database(registry).open(transaction_manager=manager)
    try:
        with manager:
            root = connection.root()
            if ROOT_KEY in root:
                todo = pending(root[ROOT_KEY], registry.ts_plugins)
                for owner, steps in todo.items():
                    log.warning(
                        "%s: %d upgrade steps pending, run: ts-admin evolve <ini>",
                        owner,
                        len(steps),
                    )
    finally:
        connection.close()


def includeme(config) -> None:
    config.add_subscriber(warn_when_behind, ApplicationCreated)
