"""Storage faults with real servers: a ZEO server killed, restarted, frozen.

Each test runs on the storage it is about, whatever ``TS_TEST_STORAGE``
says: the fault, the answer, then the recovery without a new application.
"""

from __future__ import annotations

import transaction
import ZODB.config
from persistent.mapping import PersistentMapping

from ts_host.testing_storages import ZEOServer

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
