"""The production topology of etc/production/, started on this machine.

Debian's nginx runs the shipped site (TLS with a certificate made by
openssl for the test, the static files, the upstream) in front of two
application processes started with the units' ``ExecStart``, on
etc/production-relstorage.ini and etc/relstorage.conf unchanged but for the
database's DSN, on a PostgreSQL server of the test's own (``.ci/postgresql``)
unless ``TS_TEST_PG_DSN`` gives one.  The files are copied into a temporary
folder with the machine's paths and free ports put where the deployment has
``/srv/teleservices``, ``/etc/teleservices`` and ports 443, 8001, 8002: any
other change to them fails the test.

Without nginx, openssl or PostgreSQL the tests are skipped with the reason,
except with ``CI`` set, where they fail (``.ci/run`` installs them).  The
module takes 30 to 60 s, most of it starting the processes; every wait is
bounded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import psycopg2
import pytest
import requests
from BTrees.IOBTree import IOBTree
from pyramid.interfaces import IRoutesMapper, IStaticURLInfo
from ZODB.utils import u64

import ts_host
from bench.topology import settle
from ts_host import main
from ts_host import testing as kit
from ts_host.api import prefetch_tree
from ts_host.headers import CSP
from ts_host.postgresql_commits import (
    COMMIT_FUNCTION,
    missing_settings,
    plan_commits_for_few_objects,
)
from ts_host.storage import get_database
from ts_host.testing import production
from ts_host.testing.production import SHIPPED, Topology, replaced
from ts_host.testing.storages import PostgreSQL

from .live_client import LiveClient

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parents[1]
ETC = ROOT / "etc"
START_TIMEOUT = 60
SLOW_CLIENTS = 150
WRITERS = 4


def required(reason: str):
    """Skip, or fail under CI: CI installs every tool these tests need."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the production topology (.ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pg_dsn() -> Iterator[str]:
    """A PostgreSQL server: ``TS_TEST_PG_DSN``'s, or a private one for this module."""
    if os.environ.get("TS_TEST_PG_DSN"):
        yield os.environ["TS_TEST_PG_DSN"]
        return
    try:
        with production.private_postgresql() as dsn:
            yield dsn
    except production.Missing as missing:
        required(str(missing))


@pytest.fixture(scope="module")
def deployment() -> Iterator[Path]:
    """The folder standing for /etc/teleservices and /srv/teleservices.

    Not under pytest's folders (mode 700): nginx's workers (www-data, as
    root) read the certificate there and write their temporary files.
    """
    folder = Path(tempfile.mkdtemp(prefix="ts-production-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def establishments(ts_demo_bases, ts_enabled_services, ts_service_settings) -> Path:
    return ts_demo_bases.establishments_file(
        kit.establishments_toml(ts_enabled_services, ts_service_settings)
    )


@pytest.fixture(scope="module")
def database_uri(pg_dsn, deployment, ts_demo_bases, establishments) -> Iterator[str]:
    """The demo base copied into a PostgreSQL database of the module's own,
    opened through etc/relstorage.conf by the test as by the processes."""
    server = PostgreSQL(pg_dsn)
    database = server.create_template(ts_demo_bases.storage(establishments))
    shipped = (ETC / "relstorage.conf").read_text(encoding="utf-8")
    config = deployment / "relstorage.conf"
    dsn = server.dsn_of(database)
    config.write_text(replaced(shipped, {"dsn dbname=teleservices": f"dsn {dsn}"}))
    yield f"zconfig://{config}#main"
    server.drop(database)


@dataclass
class Accounts:
    family: str
    first_name: str
    writers: list[str]


@pytest.fixture(scope="module")
def accounts(deployment, establishments, database_uri) -> Accounts:
    """A family's account and one account per writer, written by the test."""
    app = main({}, **kit.app_settings(deployment, establishments, database_uri))
    try:
        with kit.open_site(app) as site:
            pupil = kit.pupils_of(site, kit.ESTABLISHMENT_A)[0]
            logins = ["famille.test", *(f"ecrivain{n}" for n in range(WRITERS))]
            for login in logins:
                kit.make_account(site, app.registry.ts_hasher, [pupil.id], login)
            first_name = pupil.first_name
    finally:
        get_database(app.registry).close()
    return Accounts(logins[0], first_name, logins[1:])


class LiveTopology(production.Topology):
    def client(self, **kwargs) -> LiveClient:
        return LiveClient(self.url, verify=str(self.certificate), **kwargs)


@pytest.fixture(scope="module")
def topology(pg_dsn, deployment, accounts, establishments, database_uri) -> Iterator[Topology]:
    """nginx and two application processes on the module's database."""
    try:
        topology = LiveTopology.create(deployment)
    except production.Missing as missing:
        required(str(missing))
    topology.start(establishments.read_text(encoding="utf-8"), deployment / "relstorage.conf")
    try:
        yield topology
    finally:
        topology.stop()


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """The shipped units, with this machine's paths (verify checks the executables)."""
    if shutil.which("systemd-analyze") is None:
        required("systemd-analyze is not installed (apt-get install systemd)")
    units = []
    for unit in (
        "teleservices@.service",
        "teleservices-zeo.service",
        "teleservices-notify.service",
        "teleservices-notify.timer",
    ):
        text = (SHIPPED / unit).read_text(encoding="utf-8")
        if not unit.endswith(".timer"):  # a timer names no executable
            text = replaced(
                text, {"/srv/teleservices/venv/bin/": f"{Path(sys.executable).parent}/"}
            )
        (tmp_path / unit).write_text(text, encoding="utf-8")
        units.append(str(tmp_path / unit.replace("@.", "@8001.")))
    verified = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr


def test_a_family_logs_in_through_nginx_over_tls(topology, accounts):
    client = topology.client()
    page = client.get("/connexion", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"  # gzip for HTML
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Server" not in page.headers or "nginx/" not in page.headers["Server"]

    response = client.login(accounts.family, kit.PASSWORD)
    assert response.status_code == 303, response.text
    assert response.headers["Location"].startswith(topology.url)
    cookies = response.headers["Set-Cookie"]
    assert "; secure;" in cookies.lower()  # the application knows the request came in HTTPS
    home = client.get("/")
    assert home.status_code == 200
    assert accounts.first_name in home.text


def audit_events(topology: Topology, event: str) -> list[dict]:
    """The application processes' audit records of ``event`` (their logs)."""
    records = [
        json.loads(found.group(1))
        for path in topology.folder.glob("app-*.log")
        for found in re.finditer(r"\[ts_host\.audit\] (\{.*\})$", path.read_text(), re.M)
    ]
    return [record for record in records if record["event"] == event]


def test_the_application_sees_the_address_nginx_sees_never_a_forged_one(topology):
    """nginx replaces X-Forwarded-For with the connection's address (127.0.0.2
    here), and the processes trust it from nginx: the audit log and the
    per-client throttles count that address."""
    client = topology.client(source_address="127.0.0.2", headers={"X-Forwarded-For": "203.0.113.7"})
    assert client.login("personne.inconnue", "975310").status_code == 200
    failures = audit_events(topology, "login.failed")
    assert [record["client"] for record in failures] == ["127.0.0.2"]


def test_an_office_upload_of_a_few_megabytes_reaches_the_application_and_no_other_path(
    topology,
):
    """A lycée's zipped SIECLE export weighs a few MB: nginx lets it through to
    the office's import page (whose answer, without a staff session, is the
    application's redirection to the sign-in), and refuses the same body
    anywhere else (1 MiB)."""
    export = {"eleves": ("ElevesSansAdresses.zip", b"x" * (3 * 1024 * 1024), "application/zip")}
    client = topology.client()
    upload = client.session.post(
        f"{topology.url}/gestion/{kit.ESTABLISHMENT_A}/import-siecle",
        files=export,
        allow_redirects=False,
        timeout=10,
    )
    assert upload.status_code == 303, upload.text[:300]
    assert upload.headers["Location"].startswith(f"{topology.url}/gestion/connexion")
    elsewhere = client.session.post(
        f"{topology.url}/connexion", files=export, allow_redirects=False, timeout=10
    )
    assert elsewhere.status_code == 413
    # nginx's refusal (no process read the body), with its French page.
    assert "<h1>Envoi trop volumineux</h1>" in elsewhere.text


def test_one_address_cannot_post_to_the_office_at_will(topology):
    """Past a burst, nginx refuses one address's POSTs to the office (its
    French 503 page) before a process reads them; its GETs, such as the
    import's progress polling, and other addresses are not held back."""
    client = topology.client(source_address="127.0.0.3")
    office = f"{topology.url}/gestion/{kit.ESTABLISHMENT_A}/import-siecle"
    statuses: list[int] = []
    started = time.monotonic()
    while 503 not in statuses and len(statuses) < 100:
        response = client.session.post(office, data={"a": "b"}, allow_redirects=False, timeout=10)
        statuses.append(response.status_code)
    elapsed = time.monotonic() - started
    # A burst of 30 and one more a second (60r/m): the rest is refused, on a
    # busy machine too.  The accepted ones get the application's answer (sign in first).
    assert statuses[-1] == 503 and set(statuses[:-1]) == {303}, statuses
    assert 30 <= len(statuses) - 1 <= 32 + elapsed, (len(statuses), elapsed)
    assert "<h1>Service momentanément indisponible</h1>" in response.text
    assert client.get(f"/gestion/{kit.ESTABLISHMENT_A}/import-siecle").status_code == 303
    other = topology.client(source_address="127.0.0.4")
    assert other.session.post(office, allow_redirects=False, timeout=10).status_code == 303


def test_one_address_cannot_hold_many_uploads_to_the_office_at_once(topology):
    """8 bodies under way to the office from one address (sent slowly, held
    by nginx): the next POST from that address is refused until one ends."""
    context = ssl.create_default_context(cafile=str(topology.certificate))
    address = ("127.0.0.1", int(topology.url.rsplit(":", 1)[1]))
    office = f"/gestion/{kit.ESTABLISHMENT_A}/import-siecle"
    held = []
    for _ in range(8):
        connection = context.wrap_socket(
            socket.create_connection(address, timeout=10, source_address=("127.0.0.5", 0)),
            server_hostname=address[0],
        )
        connection.sendall(
            f"POST {office} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/zip\r\nContent-Length: 10000000\r\n\r\nPK".encode()
        )
        held.append(connection)
    client = topology.client(source_address="127.0.0.5")

    def post_until(status: int) -> list[int]:
        """The statuses of POSTs until one gets ``status`` (at most 20, 0.25 s
        apart: nginx may read the held requests' headers late on a busy
        machine), far from the POST rate's burst (30): a 503 here is limit_conn's."""
        statuses = []
        while status not in statuses and len(statuses) < 20:
            if statuses:
                time.sleep(0.25)
            response = client.session.post(
                f"{topology.url}{office}", allow_redirects=False, timeout=30
            )
            statuses.append(response.status_code)
        return statuses

    try:
        statuses = post_until(503)
        assert statuses[-1] == 503, statuses
    finally:
        held.pop().close()
    try:
        statuses = post_until(303)
        assert statuses[-1] == 303, statuses
    finally:
        for connection in held:
            connection.close()


def test_static_files_come_from_nginx_with_long_cache_headers(topology):
    page = topology.client().get("/connexion")
    links = re.findall(r'href="([^"]+\.css[^"]*)"', page.text)
    assert links, "the page links no stylesheet"
    for link in links:
        assert link.startswith("/static/") and "?x=" in link, link
        path = link
        from_nginx = topology.client().get(path)
        assert from_nginx.status_code == 200, path
        # The application sends max-age=3600 and its page CSP; nginx its own.
        assert from_nginx.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "default-src 'none'" in from_nginx.headers["Content-Security-Policy"]
        # Straight to a process, as nginx would ask it: with the academy's host.
        public_host = {"Host": urlsplit(topology.url).netloc}
        from_app = LiveClient(topology.app_url(0), headers=public_host).get(path)
        assert from_app.content == from_nginx.content
        assert "immutable" not in from_app.headers["Cache-Control"]
    # What the stylesheets name by a relative URL carries no digest: a day only.
    font = topology.client().get("/static/dsfr/fonts/Marianne-Regular.woff2")
    assert font.status_code == 200
    assert font.headers["Cache-Control"] == "public, max-age=86400"


def slow_client(address: tuple[str, int], context: ssl.SSLContext, number: int) -> ssl.SSLSocket:
    """A client that has sent part of its request and holds the connection."""
    connection = context.wrap_socket(
        socket.create_connection(address, timeout=10), server_hostname=address[0]
    )
    if number % 2:
        connection.sendall(b"GET /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    else:
        connection.sendall(
            b"POST /connexion HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100000\r\n\r\nlogin="
        )
    return connection


def test_slow_clients_do_not_hold_up_a_normal_request(topology):
    context = ssl.create_default_context(cafile=str(topology.certificate))
    address = ("127.0.0.1", int(topology.url.rsplit(":", 1)[1]))
    held = [slow_client(address, context, number) for number in range(SLOW_CLIENTS)]
    try:
        started = time.monotonic()
        response = topology.client().get("/connexion")
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert elapsed < 1, f"a normal request took {elapsed:.2f} s"
        # The slow clients were all still connected, waiting.
        for connection in held:
            connection.setblocking(False)
            with pytest.raises(ssl.SSLWantReadError):
                connection.recv(1)
    finally:
        for connection in held:
            connection.close()


def within(seconds: float, condition) -> bool:
    """Whether ``condition()`` comes true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_relstorage_commits_are_planned_for_a_few_objects(
    deployment, establishments, database_uri, accounts
):
    """The application started on the database (``accounts``) gave RelStorage's
    commit function its planner settings; RelStorage installing the function
    again (a new version of it) drops them, and the next start gives them back."""
    app = main({}, **kit.app_settings(deployment, establishments, database_uri))
    connections = get_database(app.registry).storage._adapter.connmanager
    try:
        assert connections.open_and_call(lambda _c, cursor: missing_settings(cursor)) == {}
        connections.open_and_call(
            lambda _c, cursor: cursor.execute(f"ALTER FUNCTION {COMMIT_FUNCTION} RESET ALL")
        )
        assert connections.open_and_call(lambda _c, cursor: missing_settings(cursor)) == {
            "enable_hashjoin": "off",
            "enable_mergejoin": "off",
        }
        plan_commits_for_few_objects(SimpleNamespace(app=app))
        assert connections.open_and_call(lambda _c, cursor: missing_settings(cursor)) == {}
    finally:
        get_database(app.registry).close()


def test_a_trees_buckets_come_from_relstorage_in_one_query(
    deployment, establishments, database_uri, monkeypatch
):
    """``prefetch_tree`` on RelStorage: a class book's 300 evaluations, ten
    buckets, read by a process that has none of them in its caches, come in
    one query instead of ten."""
    settings = kit.app_settings(deployment, establishments, database_uri)
    database = get_database(main({}, **settings).registry)
    with database.transaction() as connection:
        connection.root()["prefetch"] = IOBTree({key: str(key) for key in range(300)})
    database.close()
    database = get_database(main({}, **settings).registry)
    mover = database.storage._adapter.mover
    one_by_one, together = [], []
    load_current, load_currents = mover.load_current, mover.load_currents
    monkeypatch.setattr(
        mover, "load_current", lambda c, oid: one_by_one.append(oid) or load_current(c, oid)
    )
    monkeypatch.setattr(
        mover, "load_currents", lambda c, oids: together.append(set(oids)) or load_currents(c, oids)
    )
    try:
        with database.transaction() as connection:
            tree = connection.root()["prefetch"]
            prefetch_tree(tree)
            assert list(tree.values()) == [str(key) for key in range(300)]
            buckets = {u64(bucket._p_oid) for bucket in tree.__getstate__()[0][::2]}
        assert len(buckets) > 5
        assert together == [buckets]
        assert not buckets & set(one_by_one)
    finally:
        with database.transaction() as connection:  # the module's database as it was
            del connection.root()["prefetch"]
        database.close()


def test_the_benchmark_measures_its_copy_vacuumed_analysed_and_checkpointed(pg_dsn):
    """``bench.topology.settle``: the bulk copy's analysis and writes are done
    before the first measured step, not during it."""
    server = PostgreSQL(pg_dsn)
    name = server.create("ts_settle")

    def query(dsn: str, statement: str) -> tuple:
        connection = psycopg2.connect(dsn)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchone() if cursor.description else ()
        finally:
            connection.close()

    try:
        dsn = server.dsn_of(name)
        query(dsn, "CREATE TABLE copied AS SELECT generate_series(1, 10000) AS n")
        (before,) = query(dsn, "SELECT checkpoints_req FROM pg_stat_bgwriter")
        settle(dsn)
        statistics = (
            "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = 'copied'"
        )
        assert all(query(dsn, statistics))
        deadline = time.monotonic() + 10  # the checkpointer reports its count when it is done
        while query(dsn, "SELECT checkpoints_req FROM pg_stat_bgwriter")[0] == before:
            assert time.monotonic() < deadline, "no CHECKPOINT was asked for"
            time.sleep(0.1)
    finally:
        server.drop(name)


#: A refusal of the kill test: an answer cut short by its process's death.
CUT = "answer cut short"


def test_killing_one_process_loses_no_acknowledged_write(topology, accounts):
    """Logins (each one writes a session on the server) through nginx while a process dies;
    then the process starts again, as its unit's Restart= would."""
    acknowledged: list[LiveClient] = []
    refused: list[int | str] = []
    killed = threading.Event()
    after_kill: list[int] = []
    stop = threading.Event()

    def write(number: int) -> None:
        while not stop.is_set():
            client, after = topology.client(), killed.is_set()
            try:
                response = client.login(accounts.writers[number], kit.PASSWORD)
            except requests.exceptions.ChunkedEncodingError:
                # The process died while nginx relayed its answer: the status
                # and headers had gone, so nginx could only cut the body.
                refused.append(CUT)
                continue
            except Exception as error:  # counted, and shown if any
                refused.append(repr(error))
                continue
            if response.status_code == 303:
                acknowledged.append(client)
                if after:
                    after_kill.append(number)
            else:
                refused.append(response.status_code)

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    try:
        assert within(30, lambda: len(acknowledged) >= WRITERS), "no login went through"
        topology.apps[0].send_signal(signal.SIGKILL)
        topology.apps[0].wait(timeout=10)
        killed.set()
        # The other process serves every writer after the kill.
        served = within(30, lambda: set(after_kill) == set(range(WRITERS)))
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)

    assert served, f"the other process stopped serving: {refused}"
    # A login under way on the killed process may fail (nginx never repeats
    # a POST, nor an answer it has begun), but only then: refusals are
    # gateway errors or answers cut short, and few.
    assert set(refused) <= {502, CUT}, refused
    assert len(refused) <= WRITERS, refused
    # Every acknowledged login's session is on the server: its cookie opens
    # the family's page through the surviving process.
    for client in acknowledged:
        assert client.get("/").status_code == 200

    # Every process down: nginx answers with the portal's French page, not its own.
    topology.apps[1].terminate()
    topology.apps[1].wait(timeout=10)
    for method in ("GET", "POST"):
        down = topology.client().session.request(method, f"{topology.url}/connexion", timeout=10)
        assert down.status_code == 502, down.text
        assert "<h1>Service momentanément indisponible</h1>" in down.text
        assert "<center>nginx" not in down.text and down.headers["Cache-Control"] == "no-store"
        assert down.headers["Content-Security-Policy"] == CSP
    assert topology.client().get("/static/dsfr/dsfr.main.min.css").status_code == 200

    restarted = [topology.start_app(number) for number in (0, 1)]
    for number, process in enumerate(restarted):
        topology.wait_until_serving(topology.app_url(number), process, path="/health")
    assert acknowledged[0].get("/").status_code == 200


def test_the_site_serves_every_static_view_of_the_application(ts_app):
    """Each ``config.add_static_view`` of the host and of the installed services
    has its location in the shipped site, which nginx serves from disk."""
    info = ts_app.registry.getUtility(IStaticURLInfo)
    mapper = ts_app.registry.getUtility(IRoutesMapper)
    prefixes = {
        "/" + mapper.get_route(route_name).pattern.removesuffix("*subpath").lstrip("/")
        for _url, _spec, route_name in info.registrations
    }
    site = (SHIPPED / "nginx-teleservices.conf").read_text(encoding="utf-8")
    locations = set(re.findall(r"location (/[^ ]*/) \{\s*alias ", site))
    assert prefixes == locations


#: The pages nginx answers itself, each for its error codes: (codes, heading).
NGINX_PAGES = (
    (["502", "503", "504"], "Service momentanément indisponible"),
    (["413"], "Envoi trop volumineux"),
)


def test_nginx_answers_its_own_errors_with_french_pages_of_the_application():
    """Each of the shipped site's error_page names a file of ts_host/static that
    exists, needs nothing but the static files nginx serves, and is sent with
    the application's own security headers."""
    site = (SHIPPED / "nginx-teleservices.conf").read_text(encoding="utf-8")
    pages = re.findall(r"\n    error_page ((?:\d{3} )+)(\S+);", site)
    assert [codes.split() for codes, _uri in pages] == [codes for codes, _h in NGINX_PAGES]
    for (_codes, uri), (codes, heading) in zip(pages, NGINX_PAGES, strict=True):
        location = re.search(rf"location = {re.escape(uri)} \{{(.*?)\n    \}}", site, re.S)
        location = location.group(1)
        assert "internal;" in location
        alias = re.search(r"alias /srv/teleservices/static/(\S+);", location).group(1)
        page = (Path(ts_host.__file__).parent / "static" / alias).read_text(encoding="utf-8")
        assert '<html lang="fr">' in page and f"<h1>{heading}</h1>" in page
        # Only the static files nginx serves itself; nothing the policy would block.
        resources = re.findall(r'(?:href|src)="([^"]+)"', page)
        assert {r for r in resources if not r.startswith("/static/")} == {"/"}
        for resource in resources:
            if resource.startswith("/static/"):
                assert (Path(ts_host.__file__).parent / resource.lstrip("/")).is_file(), resource
        assert not re.search(r"<script|<style| style=| on\w+=", page)
        headers = dict(re.findall(r'add_header ([\w-]+) "?(.*?)"? always;', location))
        assert headers["Content-Security-Policy"] == CSP
        assert headers["Cache-Control"] == "no-store"
        assert ("Retry-After" in headers) == ("503" in codes), codes
    assert "proxy_intercept_errors on" not in site  # a process's own 503 page passes
