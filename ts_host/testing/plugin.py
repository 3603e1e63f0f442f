"""The kit's pytest plugin: its fixtures and its run options.

``ts_host.testing`` (the ``pytest11`` entry point) loads this module; the
fixtures are documented in the package's docstring and in docs/plugins.md.
"""

from __future__ import annotations

import logging
import random
import textwrap
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import transaction
import webtest

from .. import hookspecs
from ..models import Site
from ..root import appmaker
from ..storage import blob_folder, get_database
from .admin import Admin
from .data import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    PASSWORD,
    DemoBases,
    Family,
    app_settings,
    enable_service,
    establishments_toml,
    installed_services,
    make_account,
    open_site,
    pupils_of,
)
from .storages import (
    PostgreSQL,
    PostgreSQLCopies,
    ZEOServers,
    check_selected_storage,
    selected_storage,
)
from .web import TEST_ENVIRON, Mailbox, TestApp, login


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "shared_storage: opens the test's database from other processes too (runs on ZEO "
        "when TS_TEST_STORAGE is file)",
    )
    check_selected_storage()


@pytest.fixture(autouse=True)
def _ts_logging_restored() -> Iterator[None]:
    """Give each test back the logging it started with.

    ``ts-admin`` configures logging from its ini file, as a command should:
    run in a test, its handler writes to that test's captured stderr, which
    pytest closes at the end of the test, and any later record then fails
    with « I/O operation on closed file » in whatever test logs next.
    pytest's own capture handlers come and go with each phase: left alone.
    """
    before = {name: _logging_state(logger) for name, logger in _loggers()}
    yield
    for name, logger in _loggers():
        disabled, level, handlers, propagate = before.get(name, (False, logging.NOTSET, [], True))
        for handler in _own_handlers(logger):
            if handler not in handlers:
                logger.removeHandler(handler)
                handler.close()
        for handler in handlers:
            logger.addHandler(handler)  # a no-op for those still there
        if logger.level != level:
            logger.setLevel(level)  # which also clears the loggers' level caches
        logger.disabled, logger.propagate = disabled, propagate


def _loggers() -> list[tuple[str, logging.Logger]]:
    loggers = logging.Logger.manager.loggerDict.items()
    return [("", logging.getLogger())] + [
        (name, logger) for name, logger in loggers if isinstance(logger, logging.Logger)
    ]


def _own_handlers(logger: logging.Logger) -> list[logging.Handler]:
    """The handlers of ``logger`` that are not pytest's capture."""
    return [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")]


def _logging_state(logger: logging.Logger) -> tuple:
    return logger.disabled, logger.level, _own_handlers(logger), logger.propagate


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
    See :mod:`ts_host.testing.storages`.
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
              blob-dir {blob_folder(ts_base_storage)}
              read-only true
            </filestorage>
          </demostorage>
        </zodb>
        """)
    )
    return f"zconfig://{config}"


@pytest.fixture
def ts_settings(tmp_path, ts_establishments_file, ts_zodb_uri) -> dict:
    return app_settings(tmp_path, ts_establishments_file, ts_zodb_uri)


@pytest.fixture
def ts_app(ts_settings):
    from .. import main

    app = main({}, **ts_settings)
    yield app
    get_database(app.registry).close()


@pytest.fixture
def testapp(ts_app) -> webtest.TestApp:
    """A WebTest client on the academy's public host: the portal answers no
    other (a test's own establishments file may name another)."""
    public_host = urlsplit(ts_app.registry.ts_academy.public_url).netloc
    return TestApp(ts_app, extra_environ={**TEST_ENVIRON, "HTTP_HOST": public_host})


@pytest.fixture
def tm() -> transaction.TransactionManager:
    return transaction.TransactionManager(explicit=True)


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


@pytest.fixture
def pupil_enabled(site, tm) -> str:
    with tm:
        return pupils_of(site, ESTABLISHMENT_A)[0].id


@pytest.fixture
def pupil_disabled(site, tm) -> str:
    with tm:
        return pupils_of(site, ESTABLISHMENT_B)[0].id


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


@pytest.fixture
def family_app(testapp, family) -> webtest.TestApp:
    response = login(testapp, family.login, family.password)
    assert response.status_int == 303, response.text
    return testapp


@pytest.fixture
def mailbox(ts_settings) -> Mailbox:
    """Read the messages the application committed."""
    return Mailbox(Path(ts_settings["mail.directory"]))


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
    from .. import main

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
        return TestApp(app, extra_environ=TEST_ENVIRON)

    return register


@pytest.fixture
def ts_admin(tmp_path, ts_base_storage, ts_establishments_file, capsys) -> Admin:
    """``ts_admin(command, *args)``: ``ts-admin`` on a file copy of the demo base.

    Returns an :class:`AdminRun` (``status``, ``out``, ``err``);
    ``ts_admin.site()`` reads or writes the copy between commands, and
    ``ts_admin.ini`` is the ini file the commands get.
    """
    return Admin(tmp_path / "admin", ts_base_storage, ts_establishments_file, capsys)
