"""The kit's data: the two test establishments, the settings, the demo base, accounts.

Nothing here needs pytest: a benchmark or a script builds the same
establishments, settings and accounts as the tests.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import tomli_w
import transaction

from ..activation import issue
from ..establishments import Contact, EstablishmentConfig, Period
from ..models import (
    Account,
    CodeKind,
    Division,
    Establishment,
    Pupil,
    Site,
    Teacher,
    TeachingService,
)
from ..models.accounts import SecurityQuestion
from ..passwords import Hasher, normalise_answer
from ..root import appmaker
from ..storage import get_database

ESTABLISHMENT_A = "0541234Y"
ESTABLISHMENT_B = "0542345F"
PASSWORD = "860357"
TEST_SECRETS = {
    "ts.session_secret": "test-session-secret-0123456789abcdef0123456789",
    "ts.auth_secret": "test-auth-secret-0123456789abcdef0123456789abcd",
    "ts.password_pepper": "test-password-pepper-0123456789abcdef012345678",
}
DEMO_PUPILS = 80
#: The date tests run at: in the second period of the demo school year.
TODAY = "2027-02-15"


#: Establishment A's periods: the three trimestres of the 2026-2027 year.
TRIMESTRES = (
    Period("T1", date(2026, 9, 1), date(2026, 11, 30)),
    Period("T2", date(2026, 12, 1), date(2027, 3, 7)),
    Period("T3", date(2027, 3, 8), date(2027, 7, 3)),
)


def college_config(*services: str, **changes) -> EstablishmentConfig:
    """Establishment A as configuration, for unit tests that need no database.

    A collège with :data:`TRIMESTRES`, enabling ``services``; ``changes``
    replaces any other field (``half_day_split="11:55"``, ``kind="lycee"``…).
    """
    college = EstablishmentConfig(
        uai=ESTABLISHMENT_A,
        name="Collège A",
        address=(),
        contact=Contact(),
        welcome_message="",
        services=services,
        service_settings={},
        periods=TRIMESTRES,
        period_kind="trimestre",
    )
    return replace(college, **changes)


def structured_site(
    establishment: EstablishmentConfig, levels: dict[str, str], seed: int = 7
) -> Site:
    """An in-memory site whose ``establishment`` has the demo's structure for
    ``levels`` (division → level): what a service's ``ts_demo_data`` reads of
    the teaching teams, for unit tests that need no database."""
    from ..demo.structure import build_structure

    site = Site()
    record = Establishment(establishment.uai, establishment.name)
    site.establishments.add(establishment.uai, record)
    build_structure(record, establishment.kind, levels, seed, datetime(2026, 9, 1))
    return site


def set_teaching_team(
    site: Site,
    uai: str,
    division: str,
    team: dict[str, tuple[str, ...]],
    principal: str = "",
) -> None:
    """Give ``division`` the teaching ``team`` (subject → names such as
    « Mme DURAND ») and ``principal`` (one of those names, or none), in the
    establishment's structure; its other divisions are kept."""
    structure = site.establishments[uai].structure
    teachers = dict(structure.teachers.items())
    for name in {name for names in team.values() for name in names}:
        civility, last_name = name.split(" ", 1)
        teachers.setdefault(f"test {name}", Teacher(f"test {name}", civility, last_name))
    services = tuple(
        TeachingService(subject, subject, tuple(f"test {name}" for name in names))
        for subject, names in team.items()
    )
    known = structure.divisions.get(division)
    chosen = Division(
        division,
        division,
        known.level if known is not None else "",
        services,
        (f"test {principal}",) if principal else (),
    )
    others = [d for code, d in structure.divisions.items() if code != division]
    structure.replace([*others, chosen], list(teachers.values()), "tests", datetime.now())


def establishments_toml(enabled: dict[str, list[str]], settings: dict | None = None) -> str:
    """A two-establishment file (a collège A and a lycée B) enabling ``enabled``.

    ``settings`` maps a UAI to ``{service id: {setting: value}}``; values may
    be any TOML value, lists of tables included.
    """
    settings = settings or {}
    establishments = {
        ESTABLISHMENT_A: {
            "name": "Collège A",
            "kind": "college",
            "address": ["1 rue du Collège", "54000 NANCY"],
            "welcome_message": "Bienvenue au collège A.",
            "half_day_split": "11:55",
            "contact": {
                "email": "vs@college-a.test",
                "phone": "03 83 00 00 01",
                "fax": "03 83 00 00 02",
            },
            "periods": {
                "kind": "trimestre",
                "list": [
                    {"name": period.name, "start": period.start, "end": period.end}
                    for period in TRIMESTRES
                ],
            },
        },
        ESTABLISHMENT_B: {
            "name": "Lycée B",
            "kind": "lycee",
            "address": ["2 rue du Lycée", "54000 NANCY"],
            "welcome_message": "Bienvenue au lycée B.",
            "contact": {"email": "vie-scolaire@lycee-b.test", "phone": "03 83 00 00 03"},
            "periods": {
                "kind": "semestre",
                "list": [
                    {"name": "S1", "start": date(2026, 9, 1), "end": date(2027, 1, 24)},
                    {"name": "S2", "start": date(2027, 1, 25), "end": date(2027, 7, 3)},
                ],
            },
        },
    }
    for uai, establishment in establishments.items():
        establishment["services"] = list(enabled.get(uai, []))
        if settings.get(uai):
            establishment["settings"] = settings[uai]
    return tomli_w.dumps(
        {
            "academy": {
                "name": "académie de test",
                "public_url": "http://teleservices.test",
                "login_message": "Message de l'académie pour la page de connexion.",
                "help_text": "Aide de test.",
            },
            "establishments": establishments,
        }
    )


def app_settings(folder: Path, establishments: Path, zodb_uri: str) -> dict:
    """The application's settings in tests: the test secrets, ``establishments``,
    the database at ``zodb_uri``, mail written to ``folder/mail``, and
    :data:`TODAY`.  What every application a test starts is configured with,
    in its process (``main({}, **settings)``) or in an ini file
    (:func:`ts_host.testing.servers.write_ini`)."""
    return {
        **TEST_SECRETS,
        "ts.development": "true",
        "ts.establishments": str(establishments),
        "zodbconn.uri": zodb_uri,
        "mail.directory": str(folder / "mail"),
        # Servers started by the tests are reached on a local port of their own.
        "ts.allowed_hosts": "127.0.0.1:* localhost:*",
        "ts.argon2.memory_cost": "19456",
        "ts.argon2.time_cost": "2",
        "ts.today": TODAY,
    }


_INSTALLED: dict[tuple[str, ...], list[str]] = {}


def installed_services() -> list[str]:
    """The ids of the services installed (and accepted), for the current ``sys.path``."""
    from ..plugins import PluginRegistry

    key = tuple(sys.path)
    if key not in _INSTALLED:
        registry = PluginRegistry()
        registry.load_entry_points()
        _INSTALLED[key] = list(registry.services)
    return list(_INSTALLED[key])


class DemoBases:
    """The demo databases of a test run, one per establishments file.

    Fixtures depending on what a plugin's ``conftest.py`` overrides cannot
    be session-scoped: pytest would keep what the first plugin's tests asked
    for and run every later plugin on it.  So they are function-scoped and
    memoised here, by content.
    """

    def __init__(self, tmp_path_factory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.files: dict[str, Path] = {}
        self.storages: dict[str, Path] = {}

    def establishments_file(self, text: str) -> Path:
        if text not in self.files:
            path = self.tmp_path_factory.mktemp("etc") / "establishments.toml"
            path.write_text(text, encoding="utf-8")
            self.files[text] = path
        return self.files[text]

    def storage(self, establishments: Path) -> Path:
        key = establishments.read_text(encoding="utf-8")
        if key not in self.storages:
            folder = self.tmp_path_factory.mktemp("base")
            self.storages[key] = build_demo_storage(folder / "Data.fs", establishments)
        return self.storages[key]


def build_demo_storage(path: Path, establishments: Path) -> Path:
    """Write the demo data of :data:`DEMO_PUPILS` pupils to a new FileStorage."""
    from .. import main
    from ..demo import DemoBuilder

    app = main({}, **app_settings(path.parent, establishments, f"file://{path}"))
    registry = app.registry
    db = get_database(registry)
    manager = transaction.TransactionManager(explicit=True)
    connection = db.open(transaction_manager=manager)
    with manager:
        site = appmaker(connection.root())
        builder = DemoBuilder(site, registry.ts_academy, registry.ts_plugins, seed=7)
        families = builder.plan(DEMO_PUPILS)
    manager.begin()
    builder.write(families, lambda: (manager.commit(), manager.begin()))
    manager.commit()
    connection.close()
    db.close()
    return path


@contextmanager
def open_site(app) -> Iterator[Site]:
    """Write to an application's database in one transaction, from a test."""
    manager = transaction.TransactionManager(explicit=True)
    connection = get_database(app.registry).open(transaction_manager=manager)
    try:
        with manager:
            yield appmaker(connection.root())
    finally:
        connection.close()


def pupils_of(site: Site, uai: str) -> list[Pupil]:
    ids = site.establishments[uai].pupil_ids
    return [site.pupils[pupil_id] for pupil_id in ids]


def make_account(
    site: Site,
    hasher: Hasher,
    pupil_ids: list[str],
    login: str,
    password: str = PASSWORD,
    *,
    kind: str = "responsable",
    email_address: str | None = None,
    responsable_index: int = 0,
) -> Account:
    """Create an account through codes, as activation would (inside a transaction).

    A responsable account holds a CAR of each pupil's responsable number
    ``responsable_index`` (0: the first legal responsable); see
    :func:`attach_responsable` to share the account with another one.
    """
    account = Account(f"acct-{login}", kind, login, email_address or f"{login}@example.org")
    account.password_hash = hasher.hash(password)
    account.questions.extend(
        SecurityQuestion(q, hasher.hash(normalise_answer(a)))
        for q, a in [
            ("Mon lieu de naissance ?", "Nancy"),
            ("Mon deuxième prénom ?", "Marie"),
            ("Ma couleur ?", "Bleu"),
        ]
    )
    site.add_account(account)
    for pupil_id in pupil_ids:
        pupil = site.pupils[pupil_id]
        if kind == "responsable":
            responsable_id = pupil.responsables[responsable_index].responsable_id
            code = issue(site, CodeKind.CAR, pupil, responsable_id)
        else:
            code = issue(site, CodeKind.CAE, pupil)
        site.link(account, code)
    return account


def attach_responsable(site: Site, account: Account, pupil_id: str, responsable_id: str) -> None:
    """Attach another responsable's CAR for ``pupil_id`` to ``account`` (a shared account)."""
    code = issue(site, CodeKind.CAR, site.pupils[pupil_id], responsable_id)
    site.link(account, code)


@dataclass
class Family:
    login: str
    password: str
    account_id: str
    pupil_ids: list[str]


def enable_service(academy, uai: str, service_id: str, schema, values: dict):
    """``academy`` with ``service_id`` enabled by ``uai``, its settings checked by ``schema``."""
    establishment = academy.establishments[uai]
    enabled = replace(
        establishment,
        services=(*establishment.services, service_id),
        service_settings={
            **establishment.service_settings,
            service_id: schema.deserialize(values) if schema is not None else {},
        },
    )
    return replace(academy, establishments={**academy.establishments, uai: enabled})
