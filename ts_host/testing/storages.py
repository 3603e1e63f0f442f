"""The storages the test kit runs tests on: FileStorage, ZEO or RelStorage.

``TS_TEST_STORAGE`` chooses, for a whole test run, where each test's
throw-away database lives:

``file`` (the default)
    a ``DemoStorage`` over the session's base FileStorage, in the test's
    process;
``zeo``
    a real ZEO server (``runzeo`` in a subprocess, on a free port) serving a
    copy of the base FileStorage;
``relstorage``
    a PostgreSQL database of its own, created from a template database that
    holds the base (``CREATE DATABASE … TEMPLATE``), dropped after the test.
    The server is given by ``TS_TEST_PG_DSN`` (a libpq DSN of a role that
    may create databases; ``.ci/postgresql`` starts one).

The ZEO and PostgreSQL storages are shared: other processes may open the
same database, which is what tests marked ``shared_storage`` need.  A run
that asks for a storage it cannot reach stops at once with the reason, it
never skips.
"""

from __future__ import annotations

import gc
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
import ZODB.config
from psycopg2 import sql
from psycopg2.extensions import make_dsn
from ZEO.ClientStorage import ClientStorage
from ZODB.FileStorage import FileStorage

from ..storage import blob_folder

STORAGES = ("file", "zeo", "relstorage")
START_TIMEOUT = 30
# The options of etc/zeo-client.conf and etc/relstorage.conf, so that the
# tests run on the storages as production does.
ZEO_CLIENT_CONF = """\
%import ts_host.zeo
<zodb main>
  cache-size 20000
  <tsclientstorage>
    server {address}
    server-sync true
    cache-size 64MB
    wait-timeout {wait_timeout:g}
    call-timeout {call_timeout:g}
    blob-dir {blob_cache}
    shared-blob-dir false
    blob-cache-size 512MB
  </tsclientstorage>
</zodb>
"""
RELSTORAGE_STORAGE = """\
%import relstorage
<relstorage>
  keep-history false
  cache-local-mb 10
  blob-dir {blob_cache}
  shared-blob-dir false
  <postgresql>
    dsn {dsn}
  </postgresql>
</relstorage>
"""
#: The time limits of etc/relstorage.conf's dsn.
POSTGRESQL_LIMITS = {
    "connect_timeout": "5",
    "options": "-c statement_timeout=10s -c lock_timeout=5s",
}
RELSTORAGE_CONF = """\
%import relstorage
<zodb main>
  cache-size 20000
  <relstorage>
    keep-history false
    commit-lock-timeout 5
    cache-local-mb 10
    blob-dir {blob_cache}
    shared-blob-dir false
    blob-cache-size 512MB
    <postgresql>
      dsn {dsn}
    </postgresql>
  </relstorage>
</zodb>
"""
#: etc/zeo.conf, on a port and a folder of the test's.
ZEO_SERVER_CONF = """\
<zeo>
  address 127.0.0.1:{port}
</zeo>
<filestorage 1>
  path {folder}/Data.fs
  blob-dir {folder}/blobs
</filestorage>
"""


def selected_storage() -> str:
    """The storage ``TS_TEST_STORAGE`` asks for."""
    storage = os.environ.get("TS_TEST_STORAGE", "") or "file"
    if storage not in STORAGES:
        raise pytest.UsageError(
            f"TS_TEST_STORAGE={storage!r}: expected one of {', '.join(STORAGES)}"
        )
    return storage


def check_selected_storage() -> None:
    """Stop the run before any test when the selected storage is out of reach."""
    storage = selected_storage()
    if storage == "relstorage":
        PostgreSQL.from_environment().check()
    elif storage == "zeo":
        runzeo()


def runzeo() -> str:
    """The ``runzeo`` of this environment (the one that imports the application)."""
    found = shutil.which("runzeo", path=Path(sys.executable).parent)
    if found is None:
        raise pytest.UsageError("TS_TEST_STORAGE=zeo: runzeo is not installed next to Python")
    return found


def copy_blobs(base: Path, copy: Path) -> None:
    """Give ``copy``, a copy of the FileStorage ``base``, the blobs of ``base``.

    A committed blob file is never written again (a new revision is a new
    file), so hard links are as good as a copy, and nearly free.
    """
    if blob_folder(base).is_dir():
        shutil.copytree(blob_folder(base), blob_folder(copy), copy_function=os.link)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ZEOServer:
    """``runzeo`` serving a copy of a FileStorage (or a new one), for one test.

    The server runs in this environment, so it imports the classes that
    resolve write conflicts (``BTrees.Length``, the throttle windows) as in
    production.  A port taken between the probe and the start is retried.
    """

    def __init__(self, folder: Path, base: Path | None) -> None:
        self.folder = folder
        self.base = base
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def log(self) -> Path:
        return self.folder / "zeo.log"

    def start(self) -> ZEOServer:
        return self.launch().wait()

    def launch(self) -> ZEOServer:
        """Copy the base and start runzeo, without waiting for it to listen."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / "Data.fs"
        if self.base is not None:
            shutil.copyfile(self.base, path)
            index = self.base.with_name(self.base.name + ".index")
            if index.exists():
                shutil.copyfile(index, path.with_name(path.name + ".index"))
            copy_blobs(self.base, path)
        self._run()
        return self

    def _run(self, port: int = 0) -> None:
        self.port = port or free_port()
        config = self.folder / "zeo.conf"
        config.write_text(ZEO_SERVER_CONF.format(port=self.port, folder=self.folder))
        command = [runzeo(), "-C", str(config)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603

    def wait(self) -> ZEOServer:
        """Wait until the server listens; start it again if its port was taken."""
        deadline = time.monotonic() + START_TIMEOUT
        for _attempt in range(3):
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return self
                except OSError:
                    time.sleep(0.02)
            if self.process.poll() is None:
                break
            self._run()
        log = self.log.read_text()
        self.stop()
        raise RuntimeError(f"runzeo did not listen within {START_TIMEOUT}s:\n{log}")

    def uri(self, folder: Path, wait_timeout: float = 5, call_timeout: float = 10) -> str:
        """A ``zconfig://`` URI of a client configured as etc/zeo-client.conf.

        The timeouts are etc/zeo-client.conf's unless a test of the storage's
        faults asks for shorter ones.
        """
        config = folder / "zeo-client.conf"
        config.write_text(
            ZEO_CLIENT_CONF.format(
                address=f"127.0.0.1:{self.port}",
                blob_cache=folder / "blobcache",
                wait_timeout=wait_timeout,
                call_timeout=call_timeout,
            )
        )
        return f"zconfig://{config}#main"

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        self.process.kill()
        self.process.wait()

    def start_again(self) -> ZEOServer:
        """Start the server again on its port and its file, after :meth:`kill`."""
        self._run(self.port)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"runzeo did not listen again within {START_TIMEOUT}s")

    def terminate(self) -> None:
        close_forgotten_clients()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stopped(self) -> bool:
        """Whether the server has exited (its folder, and the file, are kept)."""
        return self.process is None or self.process.poll() is not None

    def stop(self) -> None:
        self.terminate()
        if self.process is not None:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class ZEOServers:
    """A ZEO server per test, the next one started while the test runs.

    Starting runzeo takes about half a second and stopping it a little less:
    a spare server is started as soon as one is taken, and stopped servers
    are reaped later, so that a test waits for neither.
    """

    def __init__(self) -> None:
        self.spare: ZEOServer | None = None
        self.stopping: list[ZEOServer] = []

    def take(self, base: Path) -> ZEOServer:
        self.stopping = [server for server in self.stopping if not self._removed(server)]
        server, self.spare = self.spare, None
        if server is not None and server.base != base:
            self.release(server)
            server = None
        server = server or self._launch(base)
        self.spare = self._launch(base)
        return server.wait()

    def release(self, server: ZEOServer) -> None:
        server.terminate()
        self.stopping.append(server)

    def close(self) -> None:
        if self.spare is not None:
            self.release(self.spare)
        for server in self.stopping:
            server.stop()
            self._removed(server)

    @staticmethod
    def _removed(server: ZEOServer) -> bool:
        """Remove a stopped server's temporary folder; whether it had stopped."""
        if not server.stopped():
            return False
        shutil.rmtree(server.folder, ignore_errors=True)
        return True

    @staticmethod
    def _launch(base: Path) -> ZEOServer:
        return ZEOServer(Path(tempfile.mkdtemp(prefix="ts-zeo-")), base).launch()


def close_forgotten_clients() -> None:
    """Close the ZEO clients a test left open (an application it built itself).

    Their networking threads would try to reconnect to the stopped server
    for the rest of the session.  Looking for them costs a walk through the
    heap, so it is done only when such a thread is still alive.
    """
    if not any(t.name.endswith("zeo client networking thread") for t in threading.enumerate()):
        return
    for candidate in gc.get_objects():
        if isinstance(candidate, ClientStorage):
            candidate.close()


class PostgreSQL:
    """The PostgreSQL server of ``TS_TEST_PG_DSN``: templates and test databases."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    @classmethod
    def from_environment(cls) -> PostgreSQL:
        dsn = os.environ.get("TS_TEST_PG_DSN", "")
        if not dsn:
            raise pytest.UsageError(
                "TS_TEST_STORAGE=relstorage needs TS_TEST_PG_DSN, the libpq DSN of a "
                "PostgreSQL role that may create databases (.ci/postgresql starts one)"
            )
        return cls(dsn)

    def check(self) -> None:
        try:
            self._execute(sql.SQL("SELECT 1"))
        except psycopg2.Error as exc:
            raise pytest.UsageError(
                f"TS_TEST_STORAGE=relstorage: PostgreSQL unreachable at "
                f"TS_TEST_PG_DSN={self.dsn!r}: {exc}"
            ) from exc

    def _execute(self, statement: sql.Composable) -> None:
        # CREATE and DROP DATABASE cannot run inside a transaction block.
        connection = psycopg2.connect(self.dsn)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def dsn_of(self, database: str) -> str:
        return make_dsn(self.dsn, dbname=database)

    def create(self, prefix: str = "ts_test") -> str:
        """A new, empty database."""
        name = f"{prefix}_{uuid.uuid4().hex}"
        self._execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return name

    def create_template(self, base: Path) -> str:
        """A new database holding a copy of the FileStorage ``base``."""
        name = self.create("ts_base")
        source = FileStorage(str(base), read_only=True, blob_dir=str(blob_folder(base)))
        with tempfile.TemporaryDirectory(prefix="ts-blobcache-") as blob_cache:
            destination = ZODB.config.storageFromString(
                RELSTORAGE_STORAGE.format(dsn=self.dsn_of(name), blob_cache=blob_cache)
            )
            try:
                destination.copyTransactionsFrom(source)
            finally:
                destination.close()
                source.close()
        return name

    def create_copy(self, template: str) -> str:
        """A new database holding what ``template`` holds."""
        name = f"ts_test_{uuid.uuid4().hex}"
        self._execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
        return name

    def drop(self, database: str) -> None:
        # FORCE: a connection a test left open must not keep the database.
        self._execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )

    def uri(self, database: str, folder: Path) -> str:
        """A ``zconfig://`` URI configured as etc/relstorage.conf, on ``database``."""
        config = folder / "relstorage.conf"
        dsn = make_dsn(self.dsn_of(database), **POSTGRESQL_LIMITS)
        config.write_text(RELSTORAGE_CONF.format(dsn=dsn, blob_cache=folder / "blobcache"))
        return f"zconfig://{config}#main"


class PostgreSQLCopies:
    """A database per test copied from a template, the next one made while the test runs.

    ``CREATE DATABASE … TEMPLATE`` takes about a third of a second: a spare
    copy is made as soon as one is taken, and databases are dropped in the
    background.  One worker runs them all, one at a time: PostgreSQL copies
    a template only while nobody else uses it.
    """

    def __init__(self, server: PostgreSQL) -> None:
        self.server = server
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ts-postgresql")
        self.spare: tuple[str, Future] | None = None

    def take(self, template: str) -> str:
        copy = None
        if self.spare is not None:
            spare_template, spare = self.spare
            if spare_template == template:
                copy = spare
            else:
                self.worker.submit(lambda: self.server.drop(spare.result()))
        copy = copy or self.worker.submit(self.server.create_copy, template)
        self.spare = (template, self.worker.submit(self.server.create_copy, template))
        return copy.result()

    def release(self, database: str) -> None:
        self.worker.submit(self.server.drop, database)

    def close(self) -> None:
        if self.spare is not None:
            spare = self.spare[1]
            self.worker.submit(lambda: self.server.drop(spare.result()))
        self.worker.shutdown(wait=True)
