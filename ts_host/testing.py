"""The test kit: fixtures for the host's tests and for plugin authors.

Registered as a pytest plugin by the distribution (entry point ``pytest11``),
so a plugin's tests just use the fixtures:

``ts_service_under_test``
    override it in your ``conftest.py`` with your service id; the kit then
    enables it in establishment A and not in B.
``ts_app`` / ``testapp``
    a fresh WSGI application on a throw-away copy of a demo database (a
    ``DemoStorage`` over a base built once per session), mail written to a
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
    registers a plugin module for one test only.
"""

from __future__ import annotations

import email
import email.policy
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import tomli_w
import transaction
import webtest

from .activation import issue
from .api import ServiceDescription
from .models import Account, CodeKind, Pupil, Site, appmaker
from .models.accounts import SecurityQuestion
from .passwords import Hasher, normalise_answer
from .storage import get_database

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
                    {"name": "T1", "start": date(2026, 9, 1), "end": date(2026, 11, 30)},
                    {"name": "T2", "start": date(2026, 12, 1), "end": date(2027, 3, 7)},
                    {"name": "T3", "start": date(2027, 3, 8), "end": date(2027, 7, 3)},
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
        "ts.argon2.memory_cost": "19456",
        "ts.argon2.time_cost": "2",
        "ts.today": TODAY,
    }


def installed_services() -> list[str]:
    from .plugins import PluginRegistry

    registry = PluginRegistry()
    registry.load_entry_points()
    return list(registry.services)


@pytest.fixture(scope="session")
def ts_service_under_test() -> str | None:
    """Override in a plugin's conftest.py with the plugin's service id."""
    return None


@pytest.fixture(scope="session")
def ts_enabled_services(ts_service_under_test) -> dict[str, list[str]]:
    """Which services each establishment enables (A: all; B: all but the one under test)."""
    services = installed_services()
    return {
        ESTABLISHMENT_A: services,
        ESTABLISHMENT_B: [s for s in services if s != ts_service_under_test],
    }


@pytest.fixture(scope="session")
def ts_establishments_file(tmp_path_factory, ts_enabled_services) -> Path:
    path = tmp_path_factory.mktemp("etc") / "establishments.toml"
    path.write_text(establishments_toml(ts_enabled_services), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def ts_base_storage(tmp_path_factory, ts_establishments_file) -> Path:
    """A FileStorage with the demo data, built once; tests run on copies."""
    from . import main
    from .demo import DemoBuilder

    folder = tmp_path_factory.mktemp("base")
    path = folder / "Data.fs"
    app = main({}, **test_settings(folder, ts_establishments_file, f"file://{path}"))
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


@pytest.fixture
def ts_zodb_uri(tmp_path, ts_base_storage) -> str:
    """A throw-away database: a DemoStorage over the session's base."""
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


@pytest.fixture
def testapp(ts_app) -> webtest.TestApp:
    return webtest.TestApp(
        ts_app,
        extra_environ={"HTTP_HOST": "teleservices.test", "REMOTE_ADDR": "192.0.2.10"},
    )


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
    from .accounts.registration import attach_code, index_email

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
    site.accounts.add(account.id, account)
    site.logins.add(login.lower(), account.id)
    index_email(site, account)
    for pupil_id in pupil_ids:
        pupil = site.pupils[pupil_id]
        if kind == "responsable":
            responsable_id = pupil.responsables[responsable_index].responsable_id
            code = issue(site, CodeKind.CAR, pupil, responsable_id)
        else:
            code = issue(site, CodeKind.CAE, pupil)
        attach_code(account, code)
    return account


def attach_responsable(site: Site, account: Account, pupil_id: str, responsable_id: str) -> None:
    """Attach another responsable's CAR for ``pupil_id`` to ``account`` (a shared account)."""
    from .accounts.registration import attach_code

    code = issue(site, CodeKind.CAR, site.pupils[pupil_id], responsable_id)
    attach_code(account, code)


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
            if not self.folder.exists():
                return []
            return [
                email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(self.folder.glob("*.eml"))
            ]

        def last(self):
            return self.messages[-1]

    return Mailbox()


@pytest.fixture
def register_plugin(ts_app):
    """``register_plugin(module, name)``: a plugin present for this test only.

    Registers it in the running app's plugin registry (hooks only: routes
    are added at start-up, so use a new app for routes).
    """
    registry = ts_app.registry.ts_plugins
    names = []

    def register(module, name: str) -> bool:
        names.append(name)
        return registry.register(module, name=name, distribution="test")

    yield register
    for name in names:
        registry.unregister(name)


__all__ = [
    "ESTABLISHMENT_A",
    "ESTABLISHMENT_B",
    "PASSWORD",
    "TODAY",
    "Family",
    "ServiceDescription",
    "attach_responsable",
    "establishments_toml",
    "keypad_positions",
    "login",
    "make_account",
    "open_site",
    "pupils_of",
]
