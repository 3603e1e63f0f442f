"""The contract between the host and its plugins: the types hooks return or
receive, the hook implementation marker and the API version.

The hook specifications themselves are in :mod:`ts_host.hookspecs`.  This
module imports nothing of the host at run time (the model and the
establishments only for type checking), so any host module can use these
types without closing an import circle; plugins get them from
:mod:`ts_host.api`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from pyramid.authorization import Allow

if TYPE_CHECKING:
    from .establishments import Contact, EstablishmentConfig
    from .models import Pupil, Site

#: The version of the plugins' API; a plugin states the range it needs
#: (``ServiceDescription.requires_host``).  Within a major version, names
#: are only added, or deprecated with a warning naming their replacement.
API_VERSION = "1.3"
#: The permission of a service's pages in the establishment office: every
#: staff member who works for the establishment (``config.add_staff_route``).
STAFF_PERMISSION = "gestion"
#: The permission of a service's office page that changes data (an import):
#: the établissement's staff and the académie, not the vie scolaire, who reads.
STAFF_EDIT_PERMISSION = "gestion:edition"
#: The names of a responsable's fields that a family may ask to correct, as
#: ``ts_submit_responsable_changes`` receives them: the address lines
#: (SIECLE's), the phones (``Responsable.phones``' personal, mobile and work),
#: the e-mail, the consent to text messages (a bool) and the profession.
RESPONSABLE_FIELDS = (
    *("line1", "line2", "line3", "postcode", "city", "country"),
    *("phone_personal", "phone_mobile", "phone_work"),
    *("email", "sms_consent", "profession"),
)

hookimpl = pluggy.HookimplMarker("ts_host")


@dataclass(frozen=True)
class ServiceDescription:
    """What a plugin says about its service (see ``ts_describe_service``).

    ``settings_schema`` is a colander ``SchemaNode`` (a mapping) validating
    the service's table in ``establishments.toml``, or ``None``.
    ``url_segment`` names the service's pages under ``/eleve/{pupil}/`` when
    it should differ from the id (the LPC's pages are ``…/competences``).
    """

    id: str
    title: str
    description: str
    version: str
    order: int = 100
    requires_host: str = ">=1.0,<2"
    settings_schema: Any = None
    translation_domain: str | None = None
    url_segment: str | None = None


@dataclass(frozen=True)
class TileLink:
    """A link listed in a tile, to another application (opened in the same tab)."""

    label: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class Tile:
    """One dashboard tile: "> {link_label}" points to ``url`` (a page of the
    service); ``links`` lists links to other applications, if any."""

    title: str
    text: str
    link_label: str = ""
    url: str = ""
    links: Sequence[TileLink] = ()


@dataclass(frozen=True)
class HelpSection:
    """A service's section of the help page (see ``ts_help``).

    ``title`` heads the section (the service's title, usually);
    ``template`` is the asset spec of a Chameleon template of the plugin
    (``"ts_cantine:templates/help.pt"``) holding the section's body: how to
    read the service's page.  The host renders it with ``request`` and
    places it under the title.
    """

    title: str
    template: str


#: ``progress(lines checked, lines in the file)``, called after each line.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BadLine:
    """A line of a refused file: its number as a spreadsheet shows it, and why."""

    line: int
    message: str


class ImportRejected(Exception):
    """Raised by an importer: the file is refused and nothing is written."""

    def __init__(self, path: str | Path, bad_lines: Sequence[BadLine]) -> None:
        self.path = str(path)
        self.bad_lines = list(bad_lines)
        listing = "\n".join(f"  ligne {b.line} : {b.message}" for b in self.bad_lines[:50])
        more = len(self.bad_lines) - 50
        suffix = f"\n  … et {more} autres lignes" if more > 0 else ""
        super().__init__(f"{self.path} refusé :\n{listing}{suffix}")


@dataclass
class ImportSummary:
    """What an import did, for the summary ``ts-admin`` prints."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        """Add one to ``created``, ``updated`` or ``unchanged``."""
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        parts = [
            f"{self.created} créés",
            f"{self.updated} mis à jour",
            f"{self.unchanged} inchangés",
        ]
        parts += [f"{value} {name}" for name, value in self.extra.items()]
        return ", ".join(parts)


@dataclass(frozen=True)
class ImportFormat:
    """A file format ``ts-admin import <name>`` reads.

    ``run(site, academy, path)`` returns an :class:`ImportSummary` or raises
    :class:`ImportRejected`.  ``help`` documents the format for ``--help``.
    When ``reports_progress`` is true (the formats an :class:`Importer`
    builds), ``run`` also takes ``progress=`` (a :data:`Progress`).
    """

    name: str
    help: str
    run: Callable[..., ImportSummary]
    reports_progress: bool = False


class CommandError(Exception):
    """A user mistake in a ``ts-admin`` command: printed, exit status 2."""


@dataclass(frozen=True)
class AdminCommand:
    """A ``ts-admin`` subcommand of a service (see ``ts_admin_commands``)."""

    name: str
    help: str
    configure: Callable[[Any], None]
    run: Callable[[Site, Any, Any], int]


@dataclass(frozen=True)
class EvolveStep:
    """Step ``generation`` of a service's data: ``apply(site)`` upgrades it."""

    generation: int
    description: str
    apply: Callable[[Site], None]


class PupilContext:
    """The context of every page under ``/eleve/{pupil}/``.

    Built only from the logged-in account's own links, so ``pupil`` is
    always one the account may see.  ``responsable_ids`` are the
    responsables this account speaks for about this pupil (empty for a pupil
    account): personal data of anyone else must not be shown.
    """

    def __init__(
        self,
        pupil: Pupil,
        establishment: EstablishmentConfig,
        service_id: str,
        responsable_ids: Sequence[str],
    ) -> None:
        self.pupil = pupil
        self.establishment = establishment
        self.service_id = service_id
        self.responsable_ids = tuple(responsable_ids)
        self.__acl__ = [(Allow, f"pupil:{pupil.id}", "view")]

    @property
    def settings(self) -> dict[str, Any]:
        return self.establishment.settings_for(self.service_id)

    @property
    def contact(self) -> Contact:
        return self.establishment.contact
