"""The deployment files: one storage setting apart, and each one opens what it says.

The moves out of the embedded database are run for real on the storage the
run selected: zodbconvert into PostgreSQL under ``TS_TEST_STORAGE=relstorage``,
otherwise the files copied to a ZEO server; the blobs go along.
"""

import logging
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import psycopg2
import pytest
import transaction
import ZODB
import zodburi
from psycopg2.extensions import make_dsn
from pyramid.paster import get_appsettings
from relstorage.adapters.postgresql import PostgreSQLAdapter
from ZEO.runzeo import ZEOOptions
from ZODB.blob import Blob
from ZODB.FileStorage import FileStorage

from ts_host import main
from ts_host.cli import main as cli_main
from ts_host.postgresql_commits import plan_commits_for_few_objects
from ts_host.root import appmaker
from ts_host.storage import StorageWithoutBlobs, blob_folder, with_blob_folder
from ts_host.testing import DEMO_PUPILS
from ts_host.testing.servers import write_ini
from ts_host.testing.storages import (
    POSTGRESQL_LIMITS,
    PostgreSQL,
    ZEOServer,
    copy_blobs,
    selected_storage,
)

ETC = Path(__file__).resolve().parents[1] / "etc"
STORAGE_SETTING = "zodbconn.uri = "


def lines(name: str) -> list[str]:
    return (ETC / name).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("variant", ["production-zeo.ini", "production-relstorage.ini"])
def test_the_deployments_differ_by_their_storage_setting_only(variant):
    embedded, other = lines("production.ini"), lines(variant)
    assert len(embedded) == len(other)
    different = [(a, b) for a, b in zip(embedded, other, strict=True) if a != b]
    assert len(different) == 1
    assert all(line.startswith(STORAGE_SETTING) for line in different[0])


def storage_config(ini: str):
    """The ZConfig section the ini file's storage setting names, parsed, unopened."""
    uri = get_appsettings(str(ETC / ini))["zodbconn.uri"]
    factory, database_settings = zodburi.resolve_uri(uri)
    return factory.__self__.config, database_settings


def test_the_zeo_deployment_is_a_client_that_syncs_at_each_request():
    config, database_settings = storage_config("production-zeo.ini")
    assert config.server[0].address == ("127.0.0.1", 8100)
    assert config.server_sync is True
    # Bounded waits (ts_host.zeo): a gone or frozen server answers 503 soon.
    assert (config.wait_timeout, config.call_timeout) == (5, 10)
    assert database_settings["cache_size"] == 20000


def test_the_relstorage_deployment_is_history_free_postgresql_without_a_password():
    config, database_settings = storage_config("production-relstorage.ini")
    assert config.keep_history is False
    assert config.adapter.config.dsn == make_dsn("dbname=teleservices", **POSTGRESQL_LIMITS)
    assert config.commit_lock_timeout == 5
    assert database_settings["cache_size"] == 20000


def test_the_zeo_server_serves_the_embedded_data_fs_where_the_clients_look():
    options = ZEOOptions()
    options.realize(["-C", str(ETC / "zeo.conf")])
    assert options.address == ("127.0.0.1", 8100)
    assert [storage.config.path for storage in options.storages] == ["var/Data.fs"]
    assert [storage.config.blob_dir for storage in options.storages] == ["var/blobs"]


@pytest.mark.parametrize("ini", ["development.ini", "production.ini"])
def test_the_embedded_database_keeps_its_blobs_beside_it(ini):
    uri = get_appsettings(str(ETC / ini))["zodbconn.uri"]
    assert uri.endswith(f"&blobstorage_dir={ETC}/../var/blobs")
    assert with_blob_folder(uri) == uri


def test_a_file_uri_without_a_blob_folder_gets_one_beside_its_file():
    assert with_blob_folder("file:///srv/db/Data.fs?connection_cache_size=9") == (
        "file:///srv/db/Data.fs?connection_cache_size=9&blobstorage_dir=/srv/db/blobs"
    )
    assert with_blob_folder("zconfig:///etc/zeo-client.conf#main") == (
        "zconfig:///etc/zeo-client.conf#main"
    )


def test_a_storage_without_blobs_is_refused_at_start_up(ts_settings, tmp_path):
    config = tmp_path / "sans-blobs.conf"
    # A FileStorage without blob-dir: ZODB stores no blob in it.
    path = tmp_path / "Data.fs"
    config.write_text(f"<zodb>\n<filestorage>\npath {path}\n</filestorage>\n</zodb>\n")
    with pytest.raises(StorageWithoutBlobs, match=r"ne garde pas de fichiers.*blob-dir"):
        main({}, **{**ts_settings, "zodbconn.uri": f"zconfig://{config}"})


def test_ts_admin_says_a_storage_without_blobs_is_refused(ts_settings, tmp_path, capsys):
    config = tmp_path / "sans-blobs.conf"
    config.write_text("<zodb>\n  <mappingstorage/>\n</zodb>\n")
    ini = write_ini(
        tmp_path / "sans-blobs.ini", {**ts_settings, "zodbconn.uri": f"zconfig://{config}"}
    )
    assert cli_main(["stats", str(ini)]) == 2
    assert "ne garde pas de fichiers" in capsys.readouterr().err


@pytest.mark.parametrize("ini", ["production-zeo.ini", "production-relstorage.ini"])
def test_the_shared_storages_send_blobs_to_a_bounded_local_cache(ini):
    config, _settings = storage_config(ini)
    assert config.blob_dir == "var/blobcache"
    assert config.shared_blob_dir is False
    assert config.blob_cache_size == 512 * 1024 * 1024


@pytest.mark.parametrize(
    "ini", ["development.ini", "production.ini", "production-zeo.ini", "production-relstorage.ini"]
)
def test_every_deployment_bounds_its_object_caches_by_size_too(ini):
    """A class book holds its evaluations inside its records: bounded by a
    count of objects alone, an evening of many classes grew each process
    past the 250 MB target (267 MB at 100,000 pupils; 242 MB with the bound)."""
    uri = get_appsettings(str(ETC / ini))["zodbconn.uri"]
    _factory, database_settings = zodburi.resolve_uri(uri)
    assert database_settings["cache_size"] == 20000
    assert database_settings["cache_size_bytes"] == 2 * 1024 * 1024


def test_a_relstorage_process_keeps_ten_megabytes_of_pickles():
    """An evening fills the process's pickle cache, whatever its bound: at
    100,000 pupils, 2,000 children's records filled 64 MB, and the process
    ended 61 MB larger than with 10 (230 against 169 MB, bench/RESULTS.md)."""
    config, _settings = storage_config("production-relstorage.ini")
    assert config.cache_local_mb == 10


def zodbconvert(config: str, folder: Path) -> subprocess.CompletedProcess:
    path = folder / "zodbconvert.conf"
    path.write_text(config, encoding="utf-8")
    command = [str(Path(sys.executable).parent / "zodbconvert"), str(path)]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)


BLOB = b"%PDF- a file kept in a blob"


def pupils_and_blob_in(uri: str) -> tuple[int, bytes]:
    factory, database_settings = zodburi.resolve_uri(uri)
    db = ZODB.DB(factory(), **database_settings)
    manager = transaction.TransactionManager(explicit=True)
    connection = db.open(transaction_manager=manager)
    try:
        with manager:
            root = connection.root()
            with root["blob-check"].open("r") as stream:
                return len(appmaker(root).pupils), stream.read()
    finally:
        connection.close()
        db.close()


@pytest.fixture
def embedded(tmp_path, ts_base_storage) -> Path:
    """A folder holding var/Data.fs and var/blobs, as the repository root does,
    with one blob more under ``root()["blob-check"]``."""
    database = tmp_path / "var" / "Data.fs"
    database.parent.mkdir()
    database.write_bytes(ts_base_storage.read_bytes())
    copy_blobs(ts_base_storage, database)
    db = ZODB.DB(FileStorage(str(database), blob_dir=str(blob_folder(database))))
    with db.transaction() as connection:
        connection.root()["blob-check"] = Blob(BLOB)
    db.close()
    return tmp_path


def test_zodbconvert_moves_the_embedded_database_into_the_shared_storage(embedded):
    if selected_storage() == "relstorage":
        postgresql = PostgreSQL.from_environment()
        database = postgresql.create()
        try:
            config = (ETC / "zodbconvert-relstorage.conf").read_text(encoding="utf-8")
            config = config.replace("dbname=teleservices", postgresql.dsn_of(database))
            done = zodbconvert(config, embedded)
            assert done.returncode == 0, done.stderr
            assert pupils_and_blob_in(postgresql.uri(database, embedded)) == (DEMO_PUPILS, BLOB)
        finally:
            postgresql.drop(database)
    else:
        # ZEO elsewhere: Data.fs and blobs/ copied to the server (README, « Scaling out »).
        server = ZEOServer(embedded / "zeo", embedded / "var" / "Data.fs").start()
        try:
            assert pupils_and_blob_in(server.uri(embedded)) == (DEMO_PUPILS, BLOB)
        finally:
            server.stop()


def test_a_role_that_may_not_plan_relstorage_commits_gets_a_warning_and_starts(caplog):
    """Not the commit function's owner: the application starts, its commits are
    only slower, and the log says what to grant."""

    class NotTheOwner:
        def open_and_call(self, callback):
            raise psycopg2.errors.InsufficientPrivilege("must be owner of function")

    adapter = PostgreSQLAdapter.__new__(PostgreSQLAdapter)
    adapter.keep_history, adapter.connmanager = False, NotTheOwner()
    storage = SimpleNamespace(_adapter=adapter)
    registry = SimpleNamespace(_zodb_databases={"": SimpleNamespace(storage=storage)})
    with caplog.at_level(logging.WARNING, logger="ts_host.postgresql_commits"):
        plan_commits_for_few_objects(SimpleNamespace(app=SimpleNamespace(registry=registry)))
    assert "should own the function" in caplog.text
