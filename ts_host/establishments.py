"""``etc/establishments.toml``: the academy and what each establishment offers.

The file is read once at start-up.  Any mistake stops the start with a
:class:`ConfigurationError` naming the file, the line when it is known, the
establishment and the key, so a secretary can fix it without reading code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import colander
from pyramid.path import AssetResolver

from .i18n import _

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
UAI_RE = re.compile(r"^(\d{7})([A-Z])$")
DEPARTEMENT_RE = re.compile(r"^(0[0-8]\d|09[0-5]|9[78]\d|[67]20)")
PERIOD_KINDS = {"trimestre": 3, "semestre": 2}


class ConfigurationError(Exception):
    """A mistake in the establishments file; ``str()`` is the whole message."""


def uai_is_valid(uai: str) -> bool:
    """Seven digits, a known département, and the check letter."""
    match = UAI_RE.match(uai)
    if not match or not DEPARTEMENT_RE.match(uai):
        return False
    digits, letter = match.groups()
    return UAI_LETTERS[int(digits) % 23] == letter


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Contact:
    """The vie scolaire: what "Contacter la vie scolaire" shows."""

    email: str = ""
    phone: str = ""
    fax: str = ""


@dataclass(frozen=True)
class EstablishmentConfig:
    uai: str
    name: str
    address: tuple[str, ...]
    contact: Contact
    welcome_message: str
    services: tuple[str, ...]
    service_settings: dict[str, dict[str, Any]]
    periods: tuple[Period, ...]
    period_kind: str
    kind: str = "college"
    half_day_split: str = "12:00"

    def enables(self, service_id: str) -> bool:
        return service_id in self.services

    def settings_for(self, service_id: str) -> dict[str, Any]:
        return self.service_settings.get(service_id, {})

    @property
    def year_start(self) -> date:
        return self.periods[0].start

    @property
    def year_end(self) -> date:
        return self.periods[-1].end

    def period_of(self, day: date) -> Period | None:
        return next((p for p in self.periods if day in p), None)


@dataclass(frozen=True)
class AcademyContact:
    """The academy's help desk (``[academy.contact]``): the contact page of
    anonymous visitors, the legal notice, the accessibility feedback."""

    email: str = ""
    phone: str = ""
    address: tuple[str, ...] = ()
    url: str = ""
    hours: str = ""

    def __bool__(self) -> bool:
        return bool(self.email or self.phone or self.address or self.url)


@dataclass(frozen=True)
class LegalNotice:
    """The legal notice (``[academy.legal]``): who publishes, who hosts, who
    answers for personal data.  ``publisher`` defaults to the academy's name."""

    publisher: str = ""
    publisher_address: tuple[str, ...] = ()
    director: str = ""
    host_name: str = ""
    host_address: tuple[str, ...] = ()
    host_phone: str = ""
    dpo_email: str = ""
    dpo_address: tuple[str, ...] = ()


#: The RGAA's three conformity statuses, as the statement and the footer word them.
ACCESSIBILITY_STATUSES = {
    "total": _("totalement conforme"),
    "partial": _("partiellement conforme"),
    "none": _("non conforme"),
}


@dataclass(frozen=True)
class AccessibilityStatement:
    """The accessibility statement (``[academy.accessibility]``), after the
    RGAA's model.  Without an audit the status can only be ``none``."""

    status: str = "none"
    rgaa_version: str = "4.1.2"
    audit_date: date | None = None
    auditor: str = ""
    compliance_rate: int | None = None
    declaration_date: date | None = None
    update_date: date | None = None
    non_compliant: tuple[str, ...] = ()
    derogations: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ("HTML5", "CSS", "JavaScript", "WAI-ARIA")
    test_environment: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        return ACCESSIBILITY_STATUSES[self.status]


@dataclass(frozen=True)
class Logo:
    """The academy's logo beside the Marianne block (``[academy.logo]``)."""

    path: Path
    alt: str

    @property
    def media_type(self) -> str:
        return LOGO_TYPES[self.path.suffix.lower()]


LOGO_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class Academy:
    name: str
    public_url: str
    login_message: str
    help_text: str
    establishments: dict[str, EstablishmentConfig] = field(default_factory=dict)
    source: str = ""
    contact: AcademyContact = AcademyContact()
    legal: LegalNotice = LegalNotice()
    accessibility: AccessibilityStatement = AccessibilityStatement()
    logo: Logo | None = None

    def establishment(self, uai: str) -> EstablishmentConfig | None:
        return self.establishments.get(uai)


class _Reader:
    """Checks one file, keeping what is needed to word an error."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.prefix: tuple[str, ...] = ()

    def line_of(self, *needles: str) -> int | None:
        """The line of the last needle, each needle searched after the previous
        one: ``("establishments.0541234Y", "services", "cantine")``."""
        line = 0
        for index, needle in enumerate(needles):
            if index and needle == needles[index - 1]:
                continue  # a section named twice: the reader's scope and the caller's
            line = next(
                (n for n, text in enumerate(self.lines[line:], start=line + 1) if needle in text),
                None,
            )
            if line is None:
                return None
        return line or None

    def within(self, section: str) -> _Reader:
        """The same file, searching for keys after ``section`` first."""
        scoped = _Reader(self.path, "")
        scoped.lines = self.lines
        scoped.prefix = (*self.prefix, section)
        return scoped

    def fail(self, message: str, *, where: tuple[str, ...] = (), key: str = ""):
        line = self.line_of(*self.prefix, *where) if where else None
        place = f"{self.path}:{line}" if line else str(self.path)
        raise ConfigurationError(f"{place}: {message}" + (f" (clé « {key} »)" if key else ""))

    def text(self, table: dict, key: str, context: str, *, required=True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(
                f"{context} : « {key} » doit être un texte non vide",
                where=(key,),
                key=key,
            )
        return value.strip()


def load_academy(path: str | Path, services: dict[str, Any] | None = None) -> Academy:
    """Read and validate the file.

    ``services`` maps each loaded service id to its colander settings schema
    (or ``None``); enabling a service that is not there, or giving it a
    setting its schema does not know, is an error.
    """
    path = Path(path)
    services = services if services is not None else {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{path}: fichier illisible ({exc.strerror})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path}: syntaxe TOML invalide : {exc}") from exc
    reader = _Reader(path, text)

    academy_table = data.get("academy")
    if not isinstance(academy_table, dict):
        reader.fail("la section [academy] manque")
    for key in academy_table:
        if key not in {"name", "public_url", "login_message", "help_text", *ACADEMY_TABLES}:
            reader.fail("[academy] : clé inconnue", where=(key,), key=key)
    public_url = reader.text(academy_table, "public_url", "[academy]")
    if not re.match(r"^https?://[^\s/]+", public_url):
        reader.fail(
            "[academy] : l'adresse publique doit commencer par http:// ou https://",
            where=("public_url",),
            key="public_url",
        )

    table = data.get("establishments")
    if not isinstance(table, dict) or not table:
        reader.fail("aucun établissement : ajoutez une section [establishments.<UAI>]")
    unknown = set(data) - {"academy", "establishments"}
    if unknown:
        reader.fail("section inconnue", key=sorted(unknown)[0])
    establishments = {
        uai: _establishment(reader, uai, entry, services) for uai, entry in table.items()
    }
    name = reader.text(academy_table, "name", "[academy]")
    tables = {
        key: _academy_table(reader, academy_table, key, fields)
        for key, fields in ACADEMY_TABLES.items()
    }
    legal = LegalNotice(**{"publisher": name, **tables["legal"]})
    accessibility = _accessibility(reader, tables["accessibility"])
    logo = _logo(reader, path, tables["logo"]) if "logo" in academy_table else None
    return Academy(
        name=name,
        public_url=public_url.rstrip("/"),
        login_message=reader.text(academy_table, "login_message", "[academy]", required=False),
        help_text=reader.text(academy_table, "help_text", "[academy]", required=False),
        establishments=establishments,
        source=str(path),
        contact=AcademyContact(**tables["contact"]),
        legal=legal,
        accessibility=accessibility,
        logo=logo,
    )


#: The optional tables of ``[academy]``: each key and the kind of its value.
ACADEMY_TABLES: dict[str, dict[str, str]] = {
    "contact": {
        "email": "email",
        "phone": "text",
        "address": "lines",
        "url": "url",
        "hours": "text",
    },
    "legal": {
        "publisher": "text",
        "publisher_address": "lines",
        "director": "text",
        "host_name": "text",
        "host_address": "lines",
        "host_phone": "text",
        "dpo_email": "email",
        "dpo_address": "lines",
    },
    "accessibility": {
        "status": "text",
        "rgaa_version": "text",
        "audit_date": "date",
        "auditor": "text",
        "compliance_rate": "int",
        "declaration_date": "date",
        "update_date": "date",
        "non_compliant": "lines",
        "derogations": "lines",
        "exempt": "lines",
        "technologies": "lines",
        "test_environment": "lines",
        "tools": "lines",
        "pages": "lines",
    },
    "logo": {"path": "text", "alt": "text"},
}

_KIND_WORDING = {
    "text": "un texte",
    "lines": "une liste de textes",
    "date": "une date (AAAA-MM-JJ)",
    "int": "un nombre entier",
    "email": "une adresse électronique",
    "url": "une adresse commençant par http:// ou https://",
}


def _academy_table(reader: _Reader, academy: dict, name: str, fields: dict) -> dict[str, Any]:
    """The checked values of ``[academy.<name>]`` (empty when it is absent)."""
    section = f"[academy.{name}]"
    table = academy.get(name, {})
    reader = reader.within(f"academy.{name}")
    if not isinstance(table, dict):
        reader.fail(f"{section} doit être une table", key=name)
    values: dict[str, Any] = {}
    for key, value in table.items():
        kind = fields.get(key)
        if kind is None:
            reader.fail(f"{section} : clé inconnue", where=(key,), key=f"{name}.{key}")
        if isinstance(value, str):
            value = value.strip()
        valid = {
            "text": isinstance(value, str),
            "lines": isinstance(value, list) and all(isinstance(v, str) for v in value),
            "date": isinstance(value, date) and not isinstance(value, datetime),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "email": isinstance(value, str) and EMAIL_RE.match(value) is not None,
            "url": isinstance(value, str) and URL_RE.match(value) is not None,
        }[kind]
        if not valid:
            reader.fail(
                f"{section} : « {key} » doit être {_KIND_WORDING[kind]}",
                where=(key,),
                key=f"{name}.{key}",
            )
        values[key] = tuple(v.strip() for v in value) if kind == "lines" else value
    return values


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^https?://[^\s/]+\S*$")


def _accessibility(reader: _Reader, values: dict[str, Any]) -> AccessibilityStatement:
    """The statement, holding to the RGAA's rule: « totalement conforme »
    means every criterion is met, « partiellement » at least half of them,
    and either claim needs an audit (its date and its rate)."""
    reader = reader.within("academy.accessibility")
    statement = AccessibilityStatement(**values)
    section = "[academy.accessibility]"
    if statement.status not in ACCESSIBILITY_STATUSES:
        reader.fail(
            f"{section} : « status » vaut total, partial ou none",
            where=("status",),
            key="accessibility.status",
        )
    rate = statement.compliance_rate
    if rate is not None and not 0 <= rate <= 100:
        reader.fail(
            f"{section} : « compliance_rate » est un pourcentage, de 0 à 100",
            where=("compliance_rate",),
            key="accessibility.compliance_rate",
        )
    if statement.status != "none" and (statement.audit_date is None or rate is None):
        reader.fail(
            f"{section} : un service déclaré {statement.status_label} a été audité : donnez "
            "« audit_date » et « compliance_rate »",
            where=("status",),
            key="accessibility.status",
        )
    expected = {"total": rate == 100, "partial": rate is not None and 50 <= rate < 100}
    if not expected.get(statement.status, rate is None or rate < 50):
        reader.fail(
            f"{section} : avec {rate} % des critères respectés, le service n'est pas "
            f"{statement.status_label} (totalement : 100 % ; partiellement : de 50 à 99 % ; "
            "non conforme : moins de 50 %)",
            where=("compliance_rate",),
            key="accessibility.compliance_rate",
        )
    return statement


def _logo(reader: _Reader, source: Path, values: dict[str, Any]) -> Logo:
    """The logo's file: a path relative to the establishments file, an
    absolute one, or a package's asset (``package:path``)."""
    reader = reader.within("academy.logo")
    for key in ("path", "alt"):
        if not values.get(key):
            reader.fail(
                f"[academy.logo] : « {key} » doit être un texte non vide"
                + (" (le texte alternatif nomme l'académie)" if key == "alt" else ""),
                where=(key,),
                key=f"logo.{key}",
            )
    spec = values["path"]
    if re.match(r"^[A-Za-z_][\w.]*:[^/\\]", spec):
        try:
            image = Path(AssetResolver().resolve(spec).abspath())
        except (ImportError, ValueError):
            image = Path(spec)
    else:
        image = source.parent / spec
    if image.suffix.lower() not in LOGO_TYPES:
        reader.fail(
            "[academy.logo] : le logo est une image PNG, SVG, JPEG ou WebP",
            where=("path",),
            key="logo.path",
        )
    if not image.is_file():
        reader.fail(
            f"[academy.logo] : fichier introuvable : {image}",
            where=("path",),
            key="logo.path",
        )
    return Logo(path=image.resolve(), alt=values["alt"])


ESTABLISHMENT_KEYS = {
    "name",
    "address",
    "contact",
    "welcome_message",
    "services",
    "settings",
    "periods",
    "half_day_split",
    "kind",
}
ESTABLISHMENT_KINDS = {"college", "lycee"}


def _establishment(reader: _Reader, uai: str, entry: Any, services: dict) -> EstablishmentConfig:
    section = f"[establishments.{uai}]"
    where = (f"establishments.{uai}",)
    reader = reader.within(f"establishments.{uai}")
    if not uai_is_valid(uai):
        reader.fail(
            f"établissement {uai} : UAI invalide (7 chiffres et la lettre de contrôle)",
            where=where,
        )
    if not isinstance(entry, dict):
        reader.fail(f"établissement {uai} : une table est attendue", where=where)
    for key in entry:
        if key not in ESTABLISHMENT_KEYS:
            reader.fail(f"établissement {uai} : clé inconnue", where=(key,), key=key)

    enabled = entry.get("services", [])
    if not isinstance(enabled, list) or not all(isinstance(s, str) for s in enabled):
        reader.fail(
            f"établissement {uai} : « services » doit être une liste de noms",
            where=("services",),
            key="services",
        )
    for service_id in enabled:
        if service_id not in services:
            reader.fail(
                f"établissement {uai} : service inconnu « {service_id} »",
                where=("services", service_id),
                key="services",
            )
    if len(set(enabled)) != len(enabled):
        reader.fail(f"établissement {uai} : un service est cité deux fois", key="services")

    settings = entry.get("settings", {})
    checked_settings: dict[str, dict[str, Any]] = {}
    for service_id, values in settings.items():
        if service_id not in enabled:
            reader.fail(
                f"établissement {uai} : réglages d'un service non activé « {service_id} »",
                where=(f"settings.{service_id}",),
                key=f"settings.{service_id}",
            )
        checked_settings[service_id] = _service_settings(
            reader, uai, service_id, values, services[service_id]
        )
    for service_id in enabled:
        if service_id not in checked_settings:
            checked_settings[service_id] = _service_settings(
                reader, uai, service_id, {}, services[service_id]
            )

    contact = entry.get("contact", {})
    for key in contact:
        if key not in {"email", "phone", "fax"}:
            reader.fail(
                f"établissement {uai} : contact : clé inconnue",
                where=(key,),
                key=f"contact.{key}",
            )
    address = entry.get("address", [])
    if not isinstance(address, list) or not all(isinstance(line, str) for line in address):
        reader.fail(
            f"établissement {uai} : « address » doit être une liste de lignes",
            where=("address",),
            key="address",
        )
    kind = entry.get("kind", "college")
    if kind not in ESTABLISHMENT_KINDS:
        reader.fail(
            f"établissement {uai} : « kind » vaut college ou lycee",
            where=("kind",),
            key="kind",
        )
    period_kind, periods = _periods(reader, uai, entry.get("periods"))
    split = entry.get("half_day_split", "12:00")
    if not isinstance(split, str) or not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", split):
        reader.fail(
            f"établissement {uai} : heure de demi-journée invalide (HH:MM)",
            where=("half_day_split",),
            key="half_day_split",
        )
    return EstablishmentConfig(
        uai=uai,
        name=reader.text(entry, "name", section),
        address=tuple(address),
        contact=Contact(**{k: str(v) for k, v in contact.items()}),
        welcome_message=reader.text(entry, "welcome_message", section, required=False),
        services=tuple(enabled),
        service_settings=checked_settings,
        periods=periods,
        period_kind=period_kind,
        kind=kind,
        half_day_split=split,
    )


def _service_settings(reader, uai, service_id, values, schema) -> dict[str, Any]:
    where = (f"settings.{service_id}",)
    if schema is None:
        if values:
            reader.fail(
                f"établissement {uai} : le service « {service_id} » n'a pas de réglages",
                where=where,
                key=f"settings.{service_id}",
            )
        return {}
    known = {node.name for node in schema.children}
    for key in values:
        if key not in known:
            reader.fail(
                f"établissement {uai} : réglage inconnu du service « {service_id} »",
                where=(key,),
                key=f"settings.{service_id}.{key}",
            )
    try:
        return schema.deserialize(values)
    except colander.Invalid as exc:
        detail = "; ".join(f"{k} : {v}" for k, v in exc.asdict().items())
        reader.fail(
            f"établissement {uai} : réglages du service « {service_id} » invalides : {detail}",
            where=where,
            key=f"settings.{service_id}",
        )


def _periods(reader, uai, table) -> tuple[str, tuple[Period, ...]]:
    if not isinstance(table, dict):
        reader.fail(f"établissement {uai} : la section « periods » manque", key="periods")
    kind = table.get("kind")
    if kind not in PERIOD_KINDS:
        reader.fail(
            f"établissement {uai} : « periods.kind » vaut trimestre ou semestre",
            where=("kind",),
            key="periods.kind",
        )
    entries = table.get("list", [])
    if not isinstance(entries, list) or len(entries) != PERIOD_KINDS[kind]:
        reader.fail(
            f"établissement {uai} : {PERIOD_KINDS[kind]} périodes attendues pour un {kind}",
            where=("list",),
            key="periods.list",
        )
    periods = []
    for index, period in enumerate(entries, start=1):
        key = f"periods.list[{index}]"
        try:
            start, end = period["start"], period["end"]
            name = str(period["name"])
        except (KeyError, TypeError):
            reader.fail(
                f"établissement {uai} : une période a un nom, un début et une fin",
                key=key,
            )
        if not isinstance(start, date) or not isinstance(end, date) or start > end:
            reader.fail(
                f"établissement {uai} : dates de période invalides (AAAA-MM-JJ, début "
                f"avant la fin)",
                where=(name,),
                key=key,
            )
        if periods and start <= periods[-1].end:
            reader.fail(
                f"établissement {uai} : les périodes se chevauchent",
                where=(name,),
                key=key,
            )
        periods.append(Period(name, start, end))
    return kind, tuple(periods)
