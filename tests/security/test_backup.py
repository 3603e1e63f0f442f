"""``ts-admin backup`` / ``ts-admin restore``, around repozo, on a live server."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import ZODB
from ZODB.blob import Blob
from ZODB.FileStorage import FileStorage

from ts_host.backup import backup, restore
from ts_host.root import appmaker
from ts_host.storage import with_blob_folder
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, establishments_toml

from .server import Browser, demo, serve, write_ini

#: These tests start their own servers and storages, whatever TS_TEST_STORAGE
#: says: CI's reruns on ZEO and PostgreSQL would only repeat them.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("TS_TEST_STORAGE", "file") != "file",
        reason="run once, with the FileStorage run (own servers and storages)",
    ),
]


def ts_admin(*args) -> subprocess.CompletedProcess:
    return subprocess.run(  # our own command line
        [sys.executable, "-m", "ts_host.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def transactions(path) -> list:
    """Every transaction of the file, with every record: what "the same base" means."""
    storage = FileStorage(str(path), read_only=True)
    try:
        return [(t.tid, t.status, [(r.oid, r.tid, r.data) for r in t]) for t in storage.iterator()]
    finally:
        storage.close()


def summary(path) -> dict:
    db = ZODB.DB(FileStorage(str(path), read_only=True))
    try:
        site = appmaker(db.open().root())
        return {
            "pupils": len(site.pupils),
            "accounts": len(site.accounts),
            "codes": len(site.codes),
            "logins": {login: site.accounts[i].password_hash for login, i in site.logins.items()},
        }
    finally:
        db.close()


def test_a_backup_taken_while_serving_restores_the_same_base(tmp_path):
    establishments = tmp_path / "establishments.toml"
    establishments.write_text(establishments_toml({ESTABLISHMENT_A: [], ESTABLISHMENT_B: []}))
    live = tmp_path / "live"
    live.mkdir()
    ini = write_ini(live, f"file://{live / 'Data.fs'}", establishments)
    codes = [row for row in demo(ini, 20) if row["kind"] == "CAE"]
    backups = tmp_path / "sauvegardes"
    server = serve(ini)
    try:
        assert Browser(server.url).create_pupil_account(codes[0], "avant").status == 303
        full = ts_admin("backup", ini, backups)
        assert full.returncode == 0, full.stderr
        assert Browser(server.url).create_pupil_account(codes[1], "apres").status == 303
        incremental = ts_admin("backup", ini, backups)
        assert incremental.returncode == 0, incremental.stderr
    finally:
        server.stop()
    assert len(list(backups.glob("*.fsz"))) == 1 and len(list(backups.glob("*.deltafsz"))) == 1

    other = tmp_path / "restauree"
    other.mkdir()
    restored_ini = write_ini(other, f"file://{other / 'Data.fs'}", establishments)
    done = ts_admin("restore", restored_ini, backups)
    assert done.returncode == 0, done.stderr
    assert transactions(other / "Data.fs") == transactions(live / "Data.fs")
    restored = summary(other / "Data.fs")
    assert restored == summary(live / "Data.fs")
    assert {"avant", "apres"} <= set(restored["logins"]) and restored["pupils"] == 20

    again = ts_admin("restore", restored_ini, backups)
    assert again.returncode == 2 and "--force" in again.stderr
    server = serve(restored_ini)
    try:
        assert Browser(server.url).log_in("apres").status == 303
        locked = ts_admin("restore", restored_ini, backups, "--force")
        assert locked.returncode == 2 and "ouverte par un autre processus" in locked.stderr
    finally:
        server.stop()
    assert ts_admin("restore", restored_ini, backups, "--force").returncode == 0


def test_a_zeo_or_postgresql_ini_is_refused_with_the_way_out(tmp_path):
    ini = tmp_path / "zeo.ini"
    ini.write_text("[app:main]\nuse = egg:teleservices\nzodbconn.uri = zconfig://zeo.conf\n")
    refused = ts_admin("backup", ini, tmp_path / "b")
    assert refused.returncode == 2 and "ts.backup.filestorage" in refused.stderr


def test_the_blobs_are_backed_up_after_the_database_and_restored_beside_it(tmp_path):
    live, other, backups = tmp_path / "live", tmp_path / "restauree", tmp_path / "sauvegardes"
    live.mkdir()
    other.mkdir()
    uri = with_blob_folder(f"file://{live / 'Data.fs'}")
    db = ZODB.DB(FileStorage(str(live / "Data.fs"), blob_dir=str(live / "blobs")))
    for number in (1, 2):
        with db.transaction() as connection:
            connection.root()[number] = Blob(b"%%PDF- document %d" % number)
        backup({"zodbconn.uri": uri}, backups)
    db.close()

    restore({"zodbconn.uri": f"file://{other / 'Data.fs'}"}, backups)

    restored = ZODB.DB(FileStorage(str(other / "Data.fs"), blob_dir=str(other / "blobs")))
    with restored.transaction() as connection:
        for number in (1, 2):
            with connection.root()[number].open("r") as stream:
                assert stream.read() == b"%%PDF- document %d" % number
    restored.close()
