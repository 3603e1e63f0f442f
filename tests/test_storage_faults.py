"""Storage faults with real servers: a ZEO server killed, restarted, frozen.

Each test runs on the storage it is about, whatever ``TS_TEST_STORAGE``
says: the fault, the answer, then the recovery without a new application.
"""

from __future__ import annotations

import errno
import logging
import os
import shlex
import signal
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import transaction
import ZODB.config
import ZODB.Connection
from persistent.mapping import PersistentMapping
from psycopg2.extensions import parse_dsn

from ts_host import main, storage_deadline
from ts_host.storage import get_database
from ts_host.testing import (
    PASSWORD,
    TEST_ENVIRON,
    TestApp,
    keypad_positions,
    login,
    make_account,
    open_site,
)
from ts_host.testing import app_settings as settings_for_app
from ts_host.testing.storages import POSTGRESQL_LIMITS, PostgreSQL, ZEOServer

ROOT = Path(__file__).resolve().parents[1]

#: The client's bounds in these tests (etc/zeo-client.conf has 5 and 10 s).
WAIT_TIMEOUT = 1
CALL_TIMEOUT = 1
#: What a request may take past them: retries that fail at once, the page.
MARGIN = 1.5
UNAVAILABLE = "Service momentanément indisponible"

#: More new objects per client than a batch of ids (ZEO reserves 100).
WRITES_AFTER_RESTART = 40
OBJECTS_PER_WRITE = 4


def zeo_database(server: ZEOServer, folder):
    """A database on ``server`` configured as etc/zeo-client.conf, with short waits."""
    folder.mkdir(parents=True, exist_ok=True)
    uri = server.uri(folder, wait_timeout=5, call_timeout=2)
    return ZODB.config.databaseFromURL(uri.removeprefix("zconfig://").removesuffix("#main"))


def add_objects(database, key: str) -> None:
    """One transaction adding new persistent objects (new object ids)."""
    manager = transaction.TransactionManager(explicit=True)
    connection = database.open(manager)
    try:
        for attempt in manager.attempts():
            with attempt:
                root = connection.root()
                if "items" not in root:
                    root["items"] = PersistentMapping()
                for number in range(OBJECTS_PER_WRITE):
                    root["items"][f"{key}-{number}"] = PersistentMapping()
    finally:
        connection.close()


def test_object_ids_reserved_before_a_zeo_restart_are_not_reused(tmp_path):
    """kill -9 of runzeo, started again on its port and file: two clients that
    had reserved ids before go on writing new objects without a clash."""
    server = ZEOServer(tmp_path / "zeo", None).start()
    clients = [zeo_database(server, tmp_path / name) for name in ("a", "b")]
    try:
        for client in clients:
            add_objects(client, f"{id(client)}-before")
        server.kill()
        server.start_again()
        for number in range(WRITES_AFTER_RESTART):
            for client in clients:
                add_objects(client, f"{id(client)}-{number}")
        with clients[0].transaction() as connection:
            items = connection.root()["items"]
            assert len(items) == 2 * (WRITES_AFTER_RESTART + 1) * OBJECTS_PER_WRITE
            assert len({item._p_oid for item in items.values()}) == len(items)
    finally:
        for client in clients:
            client.close()
        server.stop()


@pytest.fixture
def zeo_server(tmp_path, ts_base_storage):
    """A ZEO server of this test's own, serving a copy of the demo base."""
    server = ZEOServer(tmp_path / "zeo", ts_base_storage).start()
    yield server
    if server.process.poll() is None:
        os.kill(server.process.pid, signal.SIGCONT)
    server.stop()


@pytest.fixture
def ts_zodb_uri(zeo_server, tmp_path) -> str:
    """The test's application on ``zeo_server``, whatever TS_TEST_STORAGE says."""
    return zeo_server.uri(tmp_path, wait_timeout=WAIT_TIMEOUT, call_timeout=CALL_TIMEOUT)


@contextmanager
def frozen(server: ZEOServer, seconds: float = 4):
    """The server stopped (SIGSTOP) but its connections open, for ``seconds`` at most.

    It is let go by a timer too: without the bounds under test, a request
    would wait for it, and the test must fail on the time taken, not hang.
    """
    let_go = threading.Timer(seconds, os.kill, (server.process.pid, signal.SIGCONT))
    os.kill(server.process.pid, signal.SIGSTOP)
    let_go.start()
    try:
        yield
    finally:
        let_go.cancel()
        os.kill(server.process.pid, signal.SIGCONT)


def timed_get(app, path: str, status: int):
    start = time.monotonic()
    response = app.get(path, status=status)
    return response, time.monotonic() - start


def wait_until_healthy(app, within: float = 10) -> None:
    """The application finds its storage again by itself (no restart)."""
    deadline = time.monotonic() + within
    while app.get("/health", expect_errors=True).status_int != 200:
        assert time.monotonic() < deadline, "the storage was not reached again"
        time.sleep(0.2)


def assert_unavailable_page(response) -> None:
    assert response.headers["Retry-After"] == "30"
    assert response.content_type == "text/html"
    assert UNAVAILABLE in response.text
    assert "Internal Server Error" not in response.text
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_health_answers_200_without_session_or_cookie(testapp):
    response = testapp.get("/health", status=200)
    assert response.text == "ok\n"
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_health_answers_on_the_process_s_own_address_other_pages_do_not(testapp):
    """Monitoring asks each process on its own address (the production ini
    files allow no host but the academy's public one): only the probe is let
    through."""
    own_address = {"HTTP_HOST": "app-1.internal:8001"}
    assert testapp.get("/health", extra_environ=own_address, status=200).text == "ok\n"
    testapp.get("/connexion", extra_environ=own_address, status=400)


def test_a_zeo_server_gone_is_answered_503_in_french_then_served_again(
    family_app, zeo_server, caplog
):
    family_app.get("/", status=200)
    zeo_server.kill()

    response, elapsed = timed_get(family_app, "/", 503)
    assert_unavailable_page(response)
    assert elapsed < WAIT_TIMEOUT + MARGIN
    health, elapsed = timed_get(family_app, "/health", 503)
    assert health.headers["Retry-After"] == "30"
    assert elapsed < WAIT_TIMEOUT + MARGIN
    # One line for each request answered 503, naming the server; no traceback.
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in failures] == ["ts_host.storage_faults"]
    assert f"{zeo_server.port})] (disconnected)) on GET /:" in failures[0].getMessage()
    assert failures[0].exc_info is None

    zeo_server.start_again()
    wait_until_healthy(family_app)
    assert "Bienvenue" in family_app.get("/", status=200)


def test_a_frozen_zeo_server_is_answered_503_within_the_call_timeout(family_app, zeo_server):
    family_app.get("/", status=200)
    with frozen(zeo_server):
        response, elapsed = timed_get(family_app, "/", 503)
        assert_unavailable_page(response)
        assert elapsed < CALL_TIMEOUT + MARGIN
        _health, elapsed = timed_get(family_app, "/health", 503)
        assert elapsed < CALL_TIMEOUT + MARGIN
    wait_until_healthy(family_app)
    assert "Bienvenue" in family_app.get("/", status=200)


# PostgreSQL: a server of the module's own, so that it may crash.


@pytest.fixture(scope="module")
def postgresql_server():
    """A private PostgreSQL server (.ci/postgresql), whatever TS_TEST_STORAGE says."""
    folder = tempfile.mkdtemp(prefix="ts-pg-faults-")
    script = [str(ROOT / ".ci" / "postgresql")]
    started = subprocess.run([*script, "start", folder], capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    dsn = shlex.split(started.stdout.strip().removeprefix("export TS_TEST_PG_DSN="))[0]

    def run(command: str) -> None:
        subprocess.run([*script, command, folder], check=True, capture_output=True)

    yield PostgreSQL(dsn), run, {}
    run("stop")


@pytest.fixture
def on_postgresql(postgresql_server, ts_base_storage, tmp_path):
    """The test's database on the private server: (its zodburi, crash(), start_again())."""
    server, run, templates = postgresql_server
    if ts_base_storage not in templates:
        templates[ts_base_storage] = server.create_template(ts_base_storage)
    database = server.create_copy(templates[ts_base_storage])
    return server.uri(database, tmp_path), lambda: run("crash"), lambda: run("start-again")


#: The deadline of a request's PostgreSQL connections in these tests
#: (ts.storage_deadline: 25 s by default).
STORAGE_DEADLINE = 1.5


@pytest.fixture
def pg_app(on_postgresql, ts_establishments_file, tmp_path):
    """A logged-in family on an application whose storage is the private PostgreSQL."""
    settings = settings_for_app(tmp_path, ts_establishments_file, on_postgresql[0])
    app = main({}, **settings, **{"ts.storage_deadline": str(STORAGE_DEADLINE)})
    with open_site(app) as site:
        first_pupil = next(iter(site.pupils.keys()))
        account = make_account(site, app.registry.ts_hasher, [first_pupil], "famille.pg")
    client = TestApp(app, extra_environ=TEST_ENVIRON)
    assert login(client, account.login, PASSWORD).status_int == 303
    yield client
    get_database(app.registry).close()


def test_postgresql_down_is_answered_503_in_french_then_served_again(pg_app, on_postgresql, caplog):
    _uri, crash, start_again = on_postgresql
    pg_app.get("/", status=200)
    crash()

    response, elapsed = timed_get(pg_app, "/", 503)
    assert_unavailable_page(response)
    assert elapsed < 1
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.name for r in failures] == ["ts_host.storage_faults"]
    assert "OperationalError" in failures[0].getMessage()
    timed_get(pg_app, "/health", 503)

    start_again()
    wait_until_healthy(pg_app)
    assert "Bienvenue" in pg_app.get("/", status=200)


def test_the_first_request_after_a_postgresql_restart_is_served(pg_app, on_postgresql):
    """Its connections were closed by the restart: tried once more, it succeeds."""
    _uri, crash, start_again = on_postgresql
    pg_app.get("/", status=200)
    crash()
    start_again()
    assert "Bienvenue" in pg_app.get("/", status=200)


@contextmanager
def postgresql_frozen(postgresql_server, seconds: float = 8):
    """Every process of the private server stopped (SIGSTOP), its connections
    open, for ``seconds`` at most (a timer lets it go: see :func:`frozen`)."""
    folder = parse_dsn(postgresql_server[0].dsn)["host"]
    postmaster = int((Path(folder) / "data" / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(
        ["pgrep", "-P", str(postmaster)], capture_output=True, text=True, check=True
    ).stdout.split()
    processes = [postmaster, *map(int, children)]

    def let_go() -> None:
        for pid in processes:
            os.kill(pid, signal.SIGCONT)

    for pid in processes:
        os.kill(pid, signal.SIGSTOP)
    timer = threading.Timer(seconds, let_go)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        let_go()


def test_a_frozen_postgresql_is_answered_503_at_the_deadline_then_served_again(
    pg_app, postgresql_server, caplog
):
    """Its connections open, the server answers nothing and enforces nothing:
    the request's own connection is cut at its deadline, and the request is
    not tried again.  RelStorage's one attempt to reconnect, within the same
    call, waits for its connect_timeout: that is the bound beyond the deadline."""
    connect_timeout = float(POSTGRESQL_LIMITS["connect_timeout"])
    pg_app.get("/", status=200)
    with postgresql_frozen(postgresql_server, seconds=STORAGE_DEADLINE + connect_timeout + 4):
        response, elapsed = timed_get(pg_app, "/", 503)
        assert_unavailable_page(response)
        assert STORAGE_DEADLINE <= elapsed < STORAGE_DEADLINE + connect_timeout + MARGIN
    cuts = [r for r in caplog.records if r.name == "ts_host.storage_deadline"]
    assert len(cuts) == 1 and "GET / held over 1.5 s" in cuts[0].getMessage()
    wait_until_healthy(pg_app)
    assert "Bienvenue" in pg_app.get("/", status=200)


def test_a_full_disk_at_commit_is_answered_503_other_os_errors_are_not(
    testapp, family, monkeypatch
):
    """FileStorage writes at the vote: ENOSPC there is the storage's fault."""
    errors = [OSError(errno.ENOSPC, "No space left on device")]

    def vote(connection, txn):
        raise errors[-1]

    monkeypatch.setattr(ZODB.Connection.Connection, "tpc_vote", vote)
    page = testapp.get("/connexion")
    form = page.forms["connexion"]
    form["login"] = family.login
    form["password"] = keypad_positions(page, family.password)
    assert_unavailable_page(form.submit("submit", status=503))

    errors.append(OSError(errno.ECONNREFUSED, "Connection refused"))
    page = testapp.get("/connexion")
    form = page.forms["connexion"]
    form["login"] = family.login
    form["password"] = keypad_positions(page, family.password)
    refused = form.submit("submit", status=500)
    assert "Retry-After" not in refused.headers
    assert UNAVAILABLE not in refused.text


class FakeConnection:
    """What :func:`ts_host.storage_deadline.shut_down` reads of a psycopg2 connection."""

    def __init__(self, sock: socket.socket, closed: int) -> None:
        self.sock, self.closed = sock, closed

    def fileno(self) -> int:
        return self.sock.fileno()


def test_the_deadline_shuts_down_an_open_connection_s_socket_never_a_closed_one_s():
    """A closed connection's number may be another socket's by then: untouched."""
    for closed, woken in ((0, True), (1, False)):
        mine, server = socket.socketpair()
        with mine, server:
            assert storage_deadline.shut_down(FakeConnection(mine, closed)) is woken
            mine.setblocking(False)
            if woken:
                assert mine.recv(1) == b""  # what wakes libpq's poll(): end of stream
            else:
                server.sendall(b"x")
                assert mine.recv(1) == b"x"
