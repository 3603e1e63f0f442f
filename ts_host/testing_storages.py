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
import threading
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
import ZODB.config
from psycopg2 import sql
from psycopg2.extensions import make_dsn
from ZEO.ClientStorage import ClientStorage
from ZODB.FileStorage import FileStorage

STORAGES = ("file", "zeo", "relstorage")
START_TIMEOUT = 30
# The options of etc/zeo-client.conf and etc/relstorage.conf, so that the
# tests run on the storages as production does.
ZEO_CLIENT_CONF = """\
%import ZEO
<zodb main>
  cache-size 20000
  <clientstorage>
    server {address}
    server-sync true
    cache-size 64MB
  </clientstorage>
</zodb>
"""
RELSTORAGE_STORAGE = """\
%import relstorage
<relstorage>
  keep-history false
  cache-local-mb 64
  <postgresql>
    dsn {dsn}
  </postgresql>
</relstorage>
"""
RELSTORAGE_CONF = """\
%import relstorage
<zodb main>
  cache-size 20000
  <relstorage>
    keep-history false
    cache-local-mb 64
    <postgresql>
      dsn {dsn}
    </postgresql>
  </relstorage>
</zodb>
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
        self.folder.mkdir(parents=True)
        path = self.folder / "Data.fs"
        if self.base is not None:
            shutil.copyfile(self.base, path)
            index = self.base.with_name(self.base.name + ".index")
            if index.exists():
                shutil.copyfile(index, path.with_name(path.name + ".index"))
        for _attempt in range(3):
            self.port = free_port()
            if self._listening(path):
                return self
        raise RuntimeError(f"runzeo did not start:\n{self.log.read_text()}")

    def _listening(self, path: Path) -> bool:
        """Start runzeo on ``self.port``; False if it exited (port taken)."""
        command = [runzeo(), "-a", f"127.0.0.1:{self.port}", "-f", str(path)]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.02)
        log = self.log.read_text()
        self.stop()
        raise RuntimeError(f"runzeo did not listen within {START_TIMEOUT}s:\n{log}")

    def uri(self, folder: Path) -> str:
        """A ``zconfig://`` URI of a client configured as etc/zeo-client.conf."""
        config = folder / "zeo-client.conf"
        config.write_text(ZEO_CLIENT_CONF.format(address=f"127.0.0.1:{self.port}"))
        return f"zconfig://{config}#main"

    def stop(self) -> None:
        close_forgotten_clients()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


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
        source = FileStorage(str(base), read_only=True)
        destination = ZODB.config.storageFromString(
            RELSTORAGE_STORAGE.format(dsn=self.dsn_of(name))
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
        config.write_text(RELSTORAGE_CONF.format(dsn=self.dsn_of(database)))
        return f"zconfig://{config}#main"
