"""The test kit: fixtures for the host's tests and for plugin authors.

Registered as a pytest plugin by the distribution (entry point ``pytest11``),
so a plugin's tests just use the fixtures:

``ts_service_under_test``
    override it in your ``conftest.py`` with your service id; the kit then
    enables it in establishment A and not in B.
``ts_service_settings``
    override it to give establishments settings tables:
    ``{uai: {service id: {setting: value}}}``.
``ts_app`` / ``testapp``
    a fresh WSGI application on a throw-away copy of a demo database (a
    ``DemoStorage`` over a base built once per configuration), mail written to a
    temporary folder; ``testapp`` is a WebTest ``TestApp`` on it.
``site`` / ``tm``
    the site root and a transaction manager, for reading and writing the
    same database directly from a test (``with tm: ...``).
``pupil_enabled`` / ``pupil_disabled``
    ids of demo pupils of A and of B.
``family``
    a responsable account holding both pupils; ``family_app`` is a
    ``testapp`` logged in as that account.
``mailbox``
    the messages sent so far (only those whose transaction committed).
``register_plugin``
    ``register_plugin(module, name)``: a new application, on the test's
    database, where ``module`` is service ``name``, enabled in A only, with
    its pages and its demo data; for one test only.
``ts_admin``
    ``ts_admin(command, *args)`` runs ``ts-admin`` on a file copy of the
    demo database; ``ts_admin.site()`` opens that copy.
``assert_gdpr_export_covers(site, plugins, service_id)``
    fails when a value the service stores is in none of its GDPR exports
    (:mod:`ts_host.testing_gdpr`).

The fixtures that depend on what a ``conftest.py`` overrides are
function-scoped, backed by caches of the session (:class:`DemoBases`): one
test run over the host and several plugins builds one demo base per
configuration, not one for the whole run.
"""

from __future__ import annotations

import email
import email.policy
import random
import re
import shutil
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import tomli_w
import transaction
import webtest

from . import hookspecs
from .activation import issue
from .contract import ServiceDescription
from .establishments import Contact, EstablishmentConfig, Period
from .mail import OUTBOX
from .models import (
    Account,
    CodeKind,
    Division,
    Establishment,
    Pupil,
    Site,
    Teacher,
    TeachingService,
)
from .models.accounts import SecurityQuestion
from .passwords import Hasher, normalise_answer
from .root import appmaker
from .storage import get_database
from .testing_gdpr import assert_gdpr_export_covers
from .testing_staff import StaffMember, make_staff, staff_login
from .testing_storages import (
    PostgreSQL,
    PostgreSQLCopies,
    ZEOServers,
    check_selected_storage,
    selected_storage,
)

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
    from .demo.structure import build_structure

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


def test_settings(tmp_path: Path, establishments: Path, zodb_uri: str) -> dict:
    return {
        **TEST_SECRETS,
        "ts.development": "true",
        "ts.establishments": str(establishments),
        "zodbconn.uri": zodb_uri,
        "mail.directory": str(tmp_path / "mail"),
        # Servers started by the tests are reached on a local port of their own.
        "ts.allowed_hosts": "127.0.0.1:* localhost:*",
        "ts.argon2.memory_cost": "19456",
        "ts.argon2.time_cost": "2",
        "ts.today": TODAY,
    }


_INSTALLED: dict[tuple[str, ...], list[str]] = {}


def installed_services() -> list[str]:
    """The ids of the services installed (and accepted), for the current ``sys.path``."""
    from .plugins import PluginRegistry

    key = tuple(sys.path)
    if key not in _INSTALLED:
        registry = PluginRegistry()
        registry.load_entry_points()
        _INSTALLED[key] = list(registry.services)
    return list(_INSTALLED[key])


@pytest.fixture(scope="session")
def ts_service_under_test() -> str | None:
    """Override in a plugin's conftest.py with the plugin's service id."""
    return None


@pytest.fixture(scope="session")
def ts_service_settings() -> dict[str, dict[str, dict]]:
    """Override with the establishments' settings tables: ``{uai: {service id: {...}}}``."""
    return {}


@pytest.fixture
def ts_enabled_services(ts_service_under_test) -> dict[str, list[str]]:
    """Which services each establishment enables (A: all; B: all but the one under test)."""
    services = installed_services()
    return {
        ESTABLISHMENT_A: services,
        ESTABLISHMENT_B: [s for s in services if s != ts_service_under_test],
    }


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


@pytest.fixture(scope="session")
def ts_demo_bases(tmp_path_factory) -> DemoBases:
    return DemoBases(tmp_path_factory)


@pytest.fixture
def ts_establishments_file(ts_demo_bases, ts_enabled_services, ts_service_settings) -> Path:
    return ts_demo_bases.establishments_file(
        establishments_toml(ts_enabled_services, ts_service_settings)
    )


@pytest.fixture
def ts_base_storage(ts_demo_bases, ts_establishments_file) -> Path:
    """A FileStorage with the demo data, built once per configuration; tests run on copies."""
    return ts_demo_bases.storage(ts_establishments_file)


def build_demo_storage(path: Path, establishments: Path) -> Path:
    """Write the demo data of :data:`DEMO_PUPILS` pupils to a new FileStorage."""
    from . import main
    from .demo import DemoBuilder

    app = main({}, **test_settings(path.parent, establishments, f"file://{path}"))
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


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "shared_storage: opens the test's database from other processes too (runs on ZEO "
        "when TS_TEST_STORAGE is file)",
    )
    check_selected_storage()


@pytest.fixture(scope="session")
def ts_pg_templates() -> Iterator[dict[Path, str]]:
    """The PostgreSQL databases holding each base, dropped at the end of the run."""
    templates: dict[Path, str] = {}
    yield templates
    if templates:
        server = PostgreSQL.from_environment()
        for template in templates.values():
            server.drop(template)


@pytest.fixture
def ts_pg_template(ts_pg_templates, ts_base_storage) -> str:
    """A PostgreSQL database holding the test's base (TS_TEST_STORAGE=relstorage)."""
    if ts_base_storage not in ts_pg_templates:
        server = PostgreSQL.from_environment()
        ts_pg_templates[ts_base_storage] = server.create_template(ts_base_storage)
    return ts_pg_templates[ts_base_storage]


@pytest.fixture(scope="session")
def ts_zeo_servers() -> Iterator[ZEOServers]:
    """The ZEO servers of the tests (TS_TEST_STORAGE=zeo), each started ahead."""
    servers = ZEOServers()
    yield servers
    servers.close()


@pytest.fixture(scope="session")
def ts_pg_copies(ts_pg_templates) -> Iterator[PostgreSQLCopies]:
    """The tests' PostgreSQL databases (TS_TEST_STORAGE=relstorage), each made ahead."""
    copies = PostgreSQLCopies(PostgreSQL.from_environment())
    yield copies
    copies.close()


@pytest.fixture
def ts_zodb_uri(request, tmp_path, ts_base_storage) -> str:
    """A throw-away database over the session's base, on the storage of TS_TEST_STORAGE.

    ``file``: a DemoStorage over the base (a test marked ``shared_storage``
    gets the ZEO server); ``zeo``: a ZEO server of its own serving a copy of
    the base; ``relstorage``: a PostgreSQL database copied from a template.
    See :mod:`ts_host.testing_storages`.
    """
    storage = selected_storage()
    if storage == "file" and request.node.get_closest_marker("shared_storage"):
        storage = "zeo"
    if storage == "zeo":
        servers = request.getfixturevalue("ts_zeo_servers")
        server = servers.take(ts_base_storage)
        request.addfinalizer(lambda: servers.release(server))
        return server.uri(tmp_path)
    if storage == "relstorage":
        template = request.getfixturevalue("ts_pg_template")
        copies = request.getfixturevalue("ts_pg_copies")
        database = copies.take(template)
        request.addfinalizer(lambda: copies.release(database))
        return copies.server.uri(database, tmp_path)
    config = tmp_path / "zodb.conf"
    config.write_text(
        textwrap.dedent(f"""\
        <zodb>
          <demostorage>
            <filestorage base>
              path {ts_base_storage}
              read-only true
            </filestorage>
          </demostorage>
        </zodb>
        """)
    )
    return f"zconfig://{config}"


@pytest.fixture
def ts_settings(tmp_path, ts_establishments_file, ts_zodb_uri) -> dict:
    return test_settings(tmp_path, ts_establishments_file, ts_zodb_uri)


@pytest.fixture
def ts_app(ts_settings):
    from . import main

    app = main({}, **ts_settings)
    yield app
    get_database(app.registry).close()


#: What every test request carries: the academy's host name and a client address.
TEST_ENVIRON = {"HTTP_HOST": "teleservices.test", "REMOTE_ADDR": "192.0.2.10"}


@pytest.fixture
def testapp(ts_app) -> webtest.TestApp:
    """A WebTest client on the academy's public host: the portal answers no
    other (a test's own establishments file may name another)."""
    public_host = urlsplit(ts_app.registry.ts_academy.public_url).netloc
    return webtest.TestApp(ts_app, extra_environ={**TEST_ENVIRON, "HTTP_HOST": public_host})


def set_today(app: webtest.TestApp, day: date) -> None:
    """Freeze ``app``'s today at ``day``: the ``ts.today`` setting that
    :func:`ts_host.api.today` reads, changed on this test's application only."""
    app.app.registry.settings["ts.today"] = day.isoformat()


@pytest.fixture
def tm() -> transaction.TransactionManager:
    return transaction.TransactionManager(explicit=True)


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


@pytest.fixture
def site(ts_app, tm) -> Iterator[Site]:
    """The site root, on a connection of the test's own.

    Read and write inside ``with tm:``; each new transaction sees what the
    application committed meanwhile.
    """
    connection = get_database(ts_app.registry).open(transaction_manager=tm)
    with tm:
        root = appmaker(connection.root())
    yield root
    connection.close()


def pupils_of(site: Site, uai: str) -> list[Pupil]:
    ids = site.establishments[uai].pupil_ids
    return [site.pupils[pupil_id] for pupil_id in ids]


@pytest.fixture
def pupil_enabled(site, tm) -> str:
    with tm:
        return pupils_of(site, ESTABLISHMENT_A)[0].id


@pytest.fixture
def pupil_disabled(site, tm) -> str:
    with tm:
        return pupils_of(site, ESTABLISHMENT_B)[0].id


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


@pytest.fixture
def family(ts_app, site, tm, pupil_enabled, pupil_disabled) -> Family:
    """A responsable with one child in A and one in B."""
    with tm:
        account = make_account(
            site,
            ts_app.registry.ts_hasher,
            [pupil_enabled, pupil_disabled],
            "famille.test",
        )
        return Family("famille.test", PASSWORD, account.id, [pupil_enabled, pupil_disabled])


def login(app: webtest.TestApp, login_name: str, password: str) -> webtest.TestResponse:
    """Log in through the real form: the keypad positions are read from the page."""
    page = app.get("/connexion")
    form = page.forms["connexion"]
    form["login"] = login_name
    form["password"] = keypad_positions(page, password)
    return form.submit("submit")


def help_section(app: webtest.TestApp, service_id: str) -> str | None:
    """The text of the service's section of ``/aide`` as ``app``'s visitor
    sees it (title first), or ``None`` when the page has none."""
    section = app.get("/aide").html.find("section", id=f"aide-{service_id}")
    return section.get_text(" ", strip=True) if section is not None else None


def keypad_positions(page: webtest.TestResponse, password: str) -> str:
    """What the keypad sends for ``password`` on this page's layout."""
    keys = dict(re.findall(r'data-ts-key="(\d)">(\d)</button>', page.text))
    position_of = {digit: position for position, digit in keys.items()}
    return "".join(position_of[d] for d in password)


@pytest.fixture
def family_app(testapp, family) -> webtest.TestApp:
    response = login(testapp, family.login, family.password)
    assert response.status_int == 303, response.text
    return testapp


@pytest.fixture
def mailbox(ts_settings):
    """Read the messages the application committed."""

    class Mailbox:
        folder = Path(ts_settings["mail.directory"])

        @property
        def messages(self) -> list[email.message.EmailMessage]:
            OUTBOX.join()  # the mails sent after the response, too
            if not self.folder.exists():
                return []
            return [
                email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(self.folder.glob("*.eml"))
            ]

        def last(self):
            return self.messages[-1]

    return Mailbox()


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


@pytest.fixture
def register_plugin(ts_app, ts_settings):
    """``register_plugin(module, name, settings=None, demo=True)``: a plugin for one test.

    Returns a WebTest ``TestApp`` on a new application that shares the
    database of ``ts_app`` (so ``site``, ``tm``, ``family``... hold) and in
    which ``module`` is registered as service ``name`` before the routes are
    configured, so its pages exist; establishment A enables it with
    ``settings``, B does not.  With ``demo``, its ``ts_demo_data`` first
    fills the pupils of A.  A plugin the host refuses fails the test with
    the reason.  Log in on the returned app (``login``) to see its pages.
    """
    from . import main

    def register(
        module, name: str, settings: dict | None = None, *, demo: bool = True
    ) -> webtest.TestApp:
        app = main({}, **{**ts_settings, "ts.extra_plugins": {name: module}})
        registry = app.registry
        status = registry.ts_plugins.statuses.get(name)
        if status is None or not status.ok:
            pytest.fail(f"service {name} refusé : {status.reason if status else 'absent'}")
        # pyramid_zodbconn looks the database up on the registry at each request.
        own = get_database(registry)
        registry._zodb_databases[""] = get_database(ts_app.registry)
        own.close()
        registry.ts_academy = enable_service(
            registry.ts_academy,
            ESTABLISHMENT_A,
            name,
            status.description.settings_schema,
            settings or {},
        )
        if demo:
            establishment = registry.ts_academy.establishment(ESTABLISHMENT_A)
            with open_site(app) as site:
                registry.ts_plugins.call_service(
                    name,
                    hookspecs.ts_demo_data,
                    site=site,
                    establishment=establishment,
                    pupils=pupils_of(site, ESTABLISHMENT_A),
                    rng=random.Random(7),  # noqa: S311 (demo data, not secret)
                    settings=establishment.settings_for(name),
                )
        return webtest.TestApp(app, extra_environ=TEST_ENVIRON)

    return register


@dataclass
class AdminRun:
    """What one ``ts-admin`` command did: its exit status and what it printed."""

    status: int
    out: str
    err: str


class Admin:
    """``ts-admin`` on a file copy of a demo base, with an ini file of its own."""

    def __init__(self, folder: Path, base: Path, establishments: Path, capsys) -> None:
        folder.mkdir()
        self.database = folder / "Data.fs"
        shutil.copyfile(base, self.database)
        self.ini = folder / "teleservices.ini"
        settings = test_settings(folder, establishments, f"file://{self.database}")
        lines = [f"{key} = {value}" for key, value in settings.items()]
        self.ini.write_text(
            "[app:main]\nuse = egg:teleservices\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
        self.capsys = capsys

    def __call__(self, command: str, *args) -> AdminRun:
        """Run ``ts-admin COMMAND INI ARGS...`` in this process.

        ``COMMAND`` may name an action too: ``ts_admin("gdpr export", ...)``.
        """
        from .cli import main

        self.capsys.readouterr()
        try:
            status = main([*command.split(), str(self.ini), *(str(arg) for arg in args)])
        except SystemExit as exc:  # argparse refusing the arguments
            status = exc.code
        captured = self.capsys.readouterr()
        return AdminRun(status, captured.out, captured.err)

    @contextmanager
    def site(self) -> Iterator[Site]:
        """The copy's site root, in one transaction committed at the end."""
        import ZODB

        db = ZODB.DB(str(self.database))
        manager = transaction.TransactionManager(explicit=True)
        connection = db.open(transaction_manager=manager)
        try:
            with manager:
                yield appmaker(connection.root())
        finally:
            connection.close()
            db.close()


@pytest.fixture
def ts_admin(tmp_path, ts_base_storage, ts_establishments_file, capsys) -> Admin:
    """``ts_admin(command, *args)``: ``ts-admin`` on a file copy of the demo base.

    Returns an :class:`AdminRun` (``status``, ``out``, ``err``);
    ``ts_admin.site()`` reads or writes the copy between commands, and
    ``ts_admin.ini`` is the ini file the commands get.
    """
    return Admin(tmp_path / "admin", ts_base_storage, ts_establishments_file, capsys)


__all__ = [
    "ESTABLISHMENT_A",
    "ESTABLISHMENT_B",
    "PASSWORD",
    "TODAY",
    "TRIMESTRES",
    "Admin",
    "AdminRun",
    "Family",
    "ServiceDescription",
    "StaffMember",
    "assert_gdpr_export_covers",
    "attach_responsable",
    "college_config",
    "establishments_toml",
    "help_section",
    "keypad_positions",
    "login",
    "make_account",
    "make_staff",
    "open_site",
    "pupils_of",
    "set_teaching_team",
    "set_today",
    "staff_login",
    "structured_site",
]
