"""Nothing acknowledged is lost: ``kill -9`` in the middle of 200 account creations.

A real waitress serves a real FileStorage (then a ZEO client on a real ZEO
server); 200 pupils create their account at once from the demo's codes;
the application process is killed without warning once about half have
been answered.  After a restart, every creation answered "303, see the
confirmation page" exists and logs in, no account is half-made, and the
storage passes ZODB's own checks.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import pytest
import ZODB
from ZODB.FileStorage import FileStorage
from ZODB.scripts import fstest

from ts_host.models import CodeState
from ts_host.root import appmaker
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, establishments_toml

from .server import Browser, demo, runzeo, serve, write_ini

CREATIONS = 200
KILL_AFTER = 90
CLIENTS = 24

#: These tests start their own servers and storages, whatever TS_TEST_STORAGE
#: says: CI's reruns on ZEO and PostgreSQL would only repeat them.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("TS_TEST_STORAGE", "file") != "file",
        reason="run once, with the FileStorage run (own servers and storages)",
    ),
]


def create_all(base: str, codes: list[dict], kill) -> list[str]:
    """Create one account per code concurrently; ``kill()`` once KILL_AFTER are answered.

    Returns the identifiants whose creation was acknowledged (303 to the
    confirmation page).
    """

    def create(number: int, code: dict) -> str | None:
        try:
            answer = Browser(base).create_pupil_account(code, f"eleve.{number}")
        except (OSError, http.client.HTTPException):  # the server died under this request
            return None
        if answer.status == 303 and answer.location.endswith("/creer-compte/confirmation"):
            return f"eleve.{number}"
        return None

    acknowledged = []
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(create, n, code) for n, code in enumerate(codes)]
        for future in as_completed(futures):
            if future.result():
                acknowledged.append(future.result())
                if len(acknowledged) == KILL_AFTER:
                    kill()
    return acknowledged


def check_storage(path: Path, acknowledged: list[str]) -> None:
    """ZODB's own checks, then the application's invariants, on the file."""
    fstest.check(str(path))
    refs = subprocess.run(
        [sys.executable, "-m", "ZODB.scripts.fsrefs", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refs.returncode == 0 and not refs.stdout.strip(), refs.stdout + refs.stderr
    db = ZODB.DB(FileStorage(str(path), read_only=True))
    try:
        site = appmaker(db.open().root())
        assert set(acknowledged) <= set(site.logins.keys())
        for container in (site.accounts, site.logins, site.codes, site.emails):
            assert len(container) == len(container.data)
        for login, account_id in site.logins.items():
            account = site.accounts[account_id]
            assert account.login.lower() == login and account.password_hash
            assert len(account.questions) == 3 and len(account.links) == 1
            code = site.codes[account.links[0].code]
            assert (code.state, code.account_id) == (CodeState.USED, account.id)
            assert account.id in site.emails[account.email.lower()]
        assert len(site.logins) == len(site.accounts)
        for code in site.codes.values():
            if code.state is CodeState.USED:
                account = site.accounts[code.account_id]
                assert [link.code for link in account.links] == [code.code]
    finally:
        db.close()


def scenario(tmp_path: Path, uri: str, path: Path, start_app, stop_storage) -> None:
    establishments = tmp_path / "establishments.toml"
    establishments.write_text(establishments_toml({ESTABLISHMENT_A: [], ESTABLISHMENT_B: []}))
    ini = write_ini(tmp_path, uri, establishments)
    codes = [row for row in demo(ini, CREATIONS + 40) if row["kind"] == "CAE"][:CREATIONS]
    assert len(codes) == CREATIONS
    server = start_app(ini)
    acknowledged = create_all(server.address, codes, server.kill)
    assert server.popen.returncode == -9
    assert KILL_AFTER <= len(acknowledged) < CREATIONS
    server = start_app(ini)
    try:
        with ThreadPoolExecutor(8) as pool:
            logins = list(
                pool.map(lambda login: Browser(server.address).log_in(login), acknowledged)
            )
        assert all(answer.status == 303 and answer.location.endswith("/") for answer in logins)
    finally:
        server.stop()
    stop_storage()
    check_storage(path, acknowledged)


def test_kill_9_of_waitress_on_filestorage_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "Data.fs"
    scenario(tmp_path, f"file://{path}", path, serve, lambda: None)


def test_kill_9_of_a_zeo_client_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "Data.fs"
    zeo = runzeo(path)
    config = tmp_path / "zeo-client.conf"
    config.write_text(
        "%import ZEO\n<zodb main>\n  <clientstorage>\n"
        f"    server 127.0.0.1:{zeo.address}\n    server-sync true\n"
        "  </clientstorage>\n</zodb>\n"
    )
    try:
        scenario(tmp_path, f"zconfig://{config}#main", path, serve, zeo.stop)
    finally:
        zeo.stop()
