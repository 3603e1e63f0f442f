"""The deployment files: one storage setting apart, and each one opens what it says.

The zodbconvert examples are run for real on the storage the run selected
(PostgreSQL under ``TS_TEST_STORAGE=relstorage``, a ZEO server otherwise).
"""

import subprocess
import sys
from pathlib import Path

import pytest
import transaction
import ZODB
import zodburi
from psycopg2.extensions import make_dsn
from pyramid.paster import get_appsettings
from ZEO.runzeo import ZEOOptions

from ts_host.root import appmaker
from ts_host.testing import DEMO_PUPILS
from ts_host.testing_storages import POSTGRESQL_LIMITS, PostgreSQL, ZEOServer, selected_storage

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


def zodbconvert(config: str, folder: Path) -> subprocess.CompletedProcess:
    path = folder / "zodbconvert.conf"
    path.write_text(config, encoding="utf-8")
    command = [str(Path(sys.executable).parent / "zodbconvert"), str(path)]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)


def pupils_in(uri: str) -> int:
    factory, database_settings = zodburi.resolve_uri(uri)
    db = ZODB.DB(factory(), **database_settings)
    manager = transaction.TransactionManager(explicit=True)
    connection = db.open(transaction_manager=manager)
    try:
        with manager:
            return len(appmaker(connection.root()).pupils)
    finally:
        connection.close()
        db.close()


@pytest.fixture
def embedded(tmp_path, ts_base_storage) -> Path:
    """A folder holding var/Data.fs, as the repository root does."""
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "Data.fs").write_bytes(ts_base_storage.read_bytes())
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
            assert pupils_in(postgresql.uri(database, embedded)) == DEMO_PUPILS
        finally:
            postgresql.drop(database)
    else:
        server = ZEOServer(embedded / "zeo", None).start()
        try:
            config = (ETC / "zodbconvert-zeo.conf").read_text(encoding="utf-8")
            config = config.replace("127.0.0.1:8100", f"127.0.0.1:{server.port}")
            done = zodbconvert(config, embedded)
            assert done.returncode == 0, done.stderr
            assert pupils_in(server.uri(embedded)) == DEMO_PUPILS
        finally:
            server.stop()
