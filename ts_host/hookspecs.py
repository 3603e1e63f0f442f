"""The plugin contract: every hook a téléservice may implement.

A téléservice is a Python distribution that declares an entry point in the
group ``ts_host.plugins``; the entry point names a module holding its hook
implementations, marked with :data:`ts_host.api.hookimpl`.  The plugin's
name in the plugin manager is its service id.

Call order, once per process: :func:`ts_describe_service` (when the plugin is
loaded), :func:`ts_evolve_steps` (when the database is opened or evolved),
:func:`ts_configure` (while the WSGI application is built).  Then, per
request or command: :func:`ts_tile`, :func:`ts_help`, :func:`ts_demo_data`,
:func:`ts_import_formats`, :func:`ts_pupil_data`, :func:`ts_erase_pupil_data`,
:func:`ts_responsable_data`, :func:`ts_erase_responsable_data`, and
:func:`ts_submit_responsable_changes` when another service hands over a
family's corrections.

Except for :func:`ts_describe_service`, :func:`ts_configure`,
:func:`ts_evolve_steps`, :func:`ts_import_formats` and :func:`ts_help`, the
host calls a service's hooks only for pupils of establishments that enable it
(and :func:`ts_help` only for services that some establishment enables); the
GDPR hooks (``ts_*_data``) are called for every installed service, which may
hold data from before an establishment disabled it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

    from .contract import (
        AdminCommand,
        EvolveStep,
        HelpSection,
        ImportFormat,
        ServiceDescription,
        Tile,
    )
    from .establishments import EstablishmentConfig
    from .models import Pupil, Responsable, Site

hookspec = pluggy.HookspecMarker("ts_host")


@hookspec(firstresult=True)
def ts_describe_service() -> ServiceDescription:
    """Describe the service this plugin provides.

    Called once when the plugin is loaded, before anything else.  Return a
    :class:`ts_host.api.ServiceDescription`: its ``id`` (the URL segment and
    the key of its settings and data), title, one-line description, version,
    dashboard order, the host API range it needs (``requires_host``, e.g.
    ``">=1.0,<2"``) and the colander schema of its per-establishment
    settings.  A plugin whose range excludes :data:`ts_host.api.API_VERSION`
    is refused with a logged reason.

    Example::

        @hookimpl
        def ts_describe_service():
            return ServiceDescription(id="cantine", title="La cantine", ...)
    """


@hookspec
def ts_configure(config: Configurator) -> None:
    """Add the service's routes, views, static files and templates.

    Called once while the application is built, with a configurator of the
    plugin's package whose route prefix is ``/eleve/{pupil}/<segment>``
    (the service id, or the description's ``url_segment``).
    Register pupil pages with ``config.add_pupil_route(name, pattern)``:
    their context is a :class:`ts_host.api.PupilContext` resolved through
    the logged-in account's own links; another family's pupil, a pupil who
    left, or an establishment that does not enable the service all answer
    404.  Views should use ``permission="view"``.  Route names start with
    the package's name (``ts_notes.pupil``); two services declaring the same
    route name or the same address stop the application's start, the error
    naming both.  Static files go under ``config.add_static_view(...)`` with
    a name namespaced by the service id.

    Pages of the establishment office go through
    ``config.add_staff_route(name, pattern)``: they live under
    ``/gestion/<uai>/<segment>``, their context (an
    :class:`ts_host.api.EstablishmentOffice`: ``uai``, ``config``) is
    checked by the host, and a staff member who does not work for that
    establishment, or an establishment that does not enable the service,
    answers 404; anonymous visitors and families are sent to the staff
    sign-in page.  Views use ``permission=STAFF_PERMISSION``.  Returns
    nothing.
    """


@hookspec
def ts_tile(request: Request, pupil: Pupil, settings: dict[str, Any]) -> Tile | None:
    """What the dashboard shows for one pupil, or ``None`` for nothing.

    Called on each dashboard view, once per enabled service in the
    establishment's order, with the establishment's validated ``settings``
    for this service.  An exception is logged and hides the tile only.
    Return a :class:`ts_host.api.Tile` (title, text, link label and URL).
    """


@hookspec
def ts_staff_tile(request: Request, establishment: EstablishmentConfig) -> Tile | None:
    """What the establishment office's dashboard shows for this service, or ``None``.

    Called on each view of ``/gestion/<uai>/`` for the services the
    establishment enables, for a staff member who works for it.  Return a
    :class:`ts_host.api.Tile` whose URL leads to one of the service's staff
    pages (routes added with ``config.add_staff_route`` in ``ts_configure``).
    An exception is logged and hides the tile only.
    """


@hookspec
def ts_help(request: Request) -> HelpSection | None:
    """The service's section of the help page ``/aide``: how to read its page.

    Called on each view of ``/aide``, once per service shown there, in the
    services' declared order: for a logged-in visitor, the services that the
    establishments of the account's children enable; for an anonymous
    visitor, the services that at least one establishment of the academy
    enables (what a family may find once its account exists).
    Return a :class:`ts_host.api.HelpSection` (a title and the asset spec of
    a template of the plugin, rendered by the host with ``request``, whose
    headings start at ``<h4>``), or ``None`` for no section.  An exception
    is logged and hides that section only.
    """


@hookspec
def ts_demo_data(
    site: Site,
    establishment: EstablishmentConfig,
    pupils: Sequence[Pupil],
    rng: random.Random,
    settings: dict[str, Any],
) -> None:
    """Fill the service's own demo data for the pupils of one establishment.

    Called by ``ts-admin demo`` once per establishment that enables the
    service, after the pupils are created, inside the same transaction.  Use
    only ``rng`` for randomness so the demo stays deterministic.  Store data
    in ``pupil.services`` under the service id (``ts_host.api.service_data``),
    or site-wide in ``ts_host.api.site_data(site, ...)``.  The establishment's
    structure is built by then: read a class's teachers with
    ``ts_host.api.teaching_team(site.establishments[uai], division)``.
    Returns nothing.
    """


@hookspec
def ts_import_formats() -> Sequence[ImportFormat]:
    """The file formats ``ts-admin import <name>`` accepts for this service.

    Called when ``ts-admin`` starts.  Return a list of
    :class:`ts_host.api.ImportFormat`; each one's ``run(site, academy, path)``
    either writes every line of the file or raises
    :class:`ts_host.api.ImportRejected` listing the bad lines, in which case
    the host aborts the transaction and nothing is written.  ``help`` is
    printed by ``ts-admin import --help`` and when a format is unknown.  The
    host's own formats (``siecle``) come first and keep their names.
    """


@hookspec
def ts_admin_commands() -> Sequence[AdminCommand]:
    """Subcommands the service adds to ``ts-admin``.

    Called when ``ts-admin`` starts.  Return a list of
    :class:`ts_host.api.AdminCommand`: ``configure(parser)`` adds the
    command's arguments (after the ini file, which the host adds);
    ``run(site, academy, args)`` does the work inside one transaction,
    prints its summary and returns the exit status.  Raise
    :class:`ts_host.api.CommandError` for a user mistake: the host prints it
    and exits with status 2, and nothing is written.  The host's own
    commands come through this hook too, first: a service's command named
    like one of them is left out.
    """


@hookspec
def ts_pupil_data(site: Site, pupil: Pupil) -> dict[str, Any] | None:
    """The pupil's data held by this service, for a GDPR access request.

    Called by ``ts-admin gdpr export``.  Return a JSON-serialisable dict, or
    ``None`` when the service holds nothing for this pupil.
    """


@hookspec
def ts_erase_pupil_data(site: Site, pupil: Pupil) -> None:
    """Erase everything this service holds for the pupil (GDPR erasure).

    Called by ``ts-admin gdpr erase`` inside the erasing transaction, before
    the host forgets the pupil.
    """


@hookspec
def ts_evolve_steps() -> Sequence[EvolveStep]:
    """The numbered steps that upgrade this service's stored data.

    Called when the database is evolved.  Return
    :class:`ts_host.api.EvolveStep` objects numbered from 1; the host
    records in the database the last step applied for the service and runs
    the later ones, in order, each in its own transaction.  A service whose
    data has never been stamped starts at its latest step (it has no data
    to upgrade).
    """


@hookspec
def ts_responsable_data(site: Site, responsable: Responsable) -> dict[str, Any] | None:
    """The responsable's data held by this service, for a GDPR access request.

    For what the service keeps about a person rather than one pupil (a
    responsable's change requests, kept site-wide because brothers and
    sisters share them).  Called by ``ts-admin gdpr export`` for each
    responsable of the pupil.  Return a JSON-serialisable dict, or ``None``
    when the service holds nothing for this responsable.
    """


@hookspec
def ts_erase_responsable_data(site: Site, responsable: Responsable) -> None:
    """Erase everything this service holds about the responsable (GDPR erasure).

    Called by ``ts-admin gdpr erase`` inside the erasing transaction, for
    each responsable the host forgets with the pupil (those of no other
    pupil), before it forgets them.
    """


@hookspec(firstresult=True)
def ts_submit_responsable_changes(
    request: Request,
    pupil: Pupil,
    responsable: Responsable,
    changes: Mapping[str, Any],
    origin: str,
) -> str | None:
    """Take a family's corrections to a responsable's data as a change request.

    A service that collects a responsable's data along its own form (the
    téléinscription's responsables step) does not change the school's
    records itself: it hands the corrections over, through
    ``ts_host.api.submit_responsable_changes``, to the service where the
    establishment reviews such requests (the fiche de renseignements).  The
    host calls this hook, inside the caller's transaction, only on the
    services ``pupil``'s establishment enables; the first one that returns
    something has taken the request.

    ``changes`` maps some names of :data:`ts_host.api.RESPONSABLE_FIELDS`
    to the values the family typed (strings; ``sms_consent`` a bool), only
    those that differ from the school's data; ``origin`` is the calling
    service's id; ``request.account`` is the family's account that sends
    them.  Record the request as the service's own form would (audited,
    in this transaction) and return its reference, a short text the caller
    keeps and shows to the office, or ``None`` to leave it to another
    service.  With no service taking it the caller keeps the corrections
    itself, and says so to the establishment.
    """


def all_hookspecs() -> list[str]:
    """The names of every hook of the contract (used by the docs test)."""
    return sorted(
        name for name in globals() if name.startswith("ts_") and callable(globals()[name])
    )
