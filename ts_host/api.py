"""The public API of the host, for téléservice plugins.

A plugin imports from here (or from ``ts_host.testing`` in its tests) and
from nowhere else in ``ts_host``; a test holds the bundled plugins to it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
from pyramid.authorization import Allow

from .establishments import Contact, EstablishmentConfig, Period
from .forms import CSRFSchema, FormView
from .i18n import of_name
from .models import Container, Pupil, Responsable, Site

# The establishment's structure (classes, teaching teams, professeurs principaux).
from .models.structure import (
    Division,
    SubjectTeam,
    Teacher,
    TeachingService,
    divisions,
    principals,
    teaching_team,
)

#: The version of this API; a plugin states the range it needs.
API_VERSION = "1.0"

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


@dataclass(frozen=True)
class BadLine:
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
    """

    name: str
    help: str
    run: Callable[[Site, Any, Path], ImportSummary]


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


def format_date(day: date | None) -> str:
    """JJ/MM/AAAA, as French administrative documents print dates."""
    return day.strftime("%d/%m/%Y") if day else ""


def format_decimal(value: Decimal | float | None, places: int = 2) -> str:
    """A number with a French decimal comma: ``13,40``."""
    if value is None:
        return ""
    return f"{value:.{places}f}".replace(".", ",")


def parse_french_date(text: str) -> date:
    """Read ``JJ/MM/AAAA``; raise ``ValueError`` with a French message."""
    try:
        day, month, year = (int(part) for part in text.strip().split("/"))
        return date(year, month, day)
    except (ValueError, TypeError):
        raise ValueError(f"date invalide « {text} » (JJ/MM/AAAA attendu)") from None


def read_csv(path: str | Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, row)`` from a ``;``-separated UTF-8 CSV file.

    The header must hold ``columns``; a wrong header raises
    :class:`ImportRejected` at line 1.  Line numbers are those a spreadsheet
    shows, header included.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(path, [BadLine(1, "le fichier n'est pas encodé en UTF-8")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(path, [BadLine(1, f"colonnes manquantes : {', '.join(missing)}")])
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
YEAR_KEY = "annee"


@dataclass(frozen=True)
class DateRange:
    """One choice of the "Filtre par" selectors: a period, a month or the year.

    ``key`` is what the page's query string carries (``T2``, ``2027-02``,
    ``annee``); ``kind`` is ``period``, ``month`` or ``year``.
    """

    key: str
    label: str
    kind: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def date_ranges(establishment: EstablishmentConfig) -> list[DateRange]:
    """The periods, then the months of the school year, then the whole year."""
    ranges = [DateRange(p.name, p.name, "period", p.start, p.end) for p in establishment.periods]
    month = establishment.year_start.replace(day=1)
    while month <= establishment.year_end:
        following = (
            month.replace(year=month.year + 1, month=1)
            if month.month == 12
            else month.replace(month=month.month + 1)
        )
        ranges.append(
            DateRange(
                f"{month:%Y-%m}",
                f"{MONTHS[month.month - 1]} {month.year}",
                "month",
                max(month, establishment.year_start),
                min(following - timedelta(days=1), establishment.year_end),
            )
        )
        month = following
    ranges.append(
        DateRange(
            YEAR_KEY,
            "Toute l'année",
            "year",
            establishment.year_start,
            establishment.year_end,
        )
    )
    return ranges


def find_date_range(
    establishment: EstablishmentConfig,
    key: str | None,
    today: date,
    default_kind: str = "period",
) -> DateRange:
    """The range named ``key``, else the current period (or month) by default.

    Outside the school year the default is the whole year.
    """
    ranges = date_ranges(establishment)
    chosen = next((r for r in ranges if r.key == key), None)
    if chosen is not None:
        return chosen
    current = next((r for r in ranges if r.kind == default_kind and today in r), None)
    return current or ranges[-1]


def today(request) -> date:
    """Today, or the fixed date of the ``ts.today`` setting (demo and tests)."""
    fixed = request.registry.settings.get("ts.today")
    return date.fromisoformat(fixed) if fixed else date.today()


__all__ = [
    "API_VERSION",
    "AdminCommand",
    "BadLine",
    "CSRFSchema",
    "CommandError",
    "Contact",
    "Container",
    "DateRange",
    "Division",
    "EstablishmentConfig",
    "EvolveStep",
    "FormView",
    "HelpSection",
    "ImportFormat",
    "ImportRejected",
    "ImportSummary",
    "Period",
    "Pupil",
    "PupilContext",
    "Responsable",
    "ServiceDescription",
    "Site",
    "SubjectTeam",
    "Teacher",
    "TeachingService",
    "Tile",
    "TileLink",
    "date_ranges",
    "divisions",
    "find_date_range",
    "format_date",
    "format_decimal",
    "hookimpl",
    "of_name",
    "parse_french_date",
    "principals",
    "read_csv",
    "service_data",
    "site_data",
    "teaching_team",
    "today",
]
