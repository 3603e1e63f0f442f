"""The application's ZEO client: ZEO's ``ClientStorage`` with two corrections.

``%import ts_host.zeo`` in a ZConfig file offers the ``<tsclientstorage>``
section: every key of ZEO's ``<clientstorage>``, plus ``call-timeout``.

**Object ids reserved before a server restart are dropped.**  A client asks
the server for object ids a hundred at a time (``new_oids``) and keeps those
it has not used yet.  A restarted server (kill -9, or a clean stop) works out
its next id again from the largest id stored in its file, so it hands out
once more the ids the clients still keep: two processes then give the same
id to two new objects, and writes fail with ``ValueError: A different object
already has the same oid``.  ZEO keeps the list across reconnections and has
no setting for it; this client empties it whenever the connection is lost
or made, and drops a batch that was asked for before a reconnection.

**No call waits longer than ``call-timeout``.**  ZEO bounds only the wait
for a connection (``wait-timeout``); a server that is stopped (SIGSTOP, a
frozen virtual machine) but whose socket stays open holds every call, and
so every request thread, for as long as it lasts.  Past ``call-timeout`` a
call raises :class:`StorageTimeout`, which is not a transient error: the
request is answered 503 at once, not tried five times.  The call itself is
left to finish in ZEO's networking thread, whose order of messages stays
the server's.  A disconnected client waits ``wait-timeout`` for the
connection once; until it is back, later calls fail at once instead of
each waiting again (the retries of a request, the other threads).
"""

from __future__ import annotations

import concurrent.futures
import logging

from ZEO.ClientStorage import ClientStorage
from ZEO.Exceptions import ClientDisconnected
from ZEO.zconfig import ClientStorageConfig
from ZODB.POSException import StorageError

logger = logging.getLogger(__name__)

#: How long an abort waits for the server's answer: the server handles the
#: abort in the order it was sent whether or not the client waits for it.
ABORT_TIMEOUT = 1.0


class StorageTimeout(StorageError):
    """The storage server did not answer within the time allowed to a call."""


class BoundedClientStorage(ClientStorage):
    """``ClientStorage`` whose calls are bounded in time and whose spare ids
    do not outlive a connection (see the module's documentation)."""

    def __init__(self, *args, call_timeout: float = 10.0, **kwargs) -> None:
        self.call_timeout = call_timeout
        # Set when a wait for the connection timed out; cleared on connection.
        self._unreachable = False
        super().__init__(*args, **kwargs)
        self._call = self._bounded_call

    def notify_connected(self, conn, info) -> None:
        self._oids = []
        self._unreachable = False
        super().notify_connected(conn, info)

    def notify_disconnected(self) -> None:
        self._oids = []
        super().notify_disconnected()

    def new_oid(self) -> bytes:
        """ZEO's, except that ids asked for across a reconnection are dropped."""
        while True:
            spare = self._oids
            try:
                return spare.pop()
            except IndexError:
                pass
            generation = self._connection_generation
            batch = self._call("new_oids")
            if generation == self._connection_generation:
                spare[:0] = reversed(batch)
            else:
                # Reserved from a server since restarted: they may be handed
                # out again.  The emptied list is the one of the new connection.
                logger.info("%s: object ids reserved before a reconnection dropped", self)

    def _bounded_call(self, method: str, *args, timeout: float | None = None):
        if self._unreachable and not self._server.is_connected():
            timeout = 0  # ZEO's own answer at once: ClientDisconnected
        connected = self._server.is_connected()
        future = self._server.call(method, *args, timeout=timeout, wait=False)
        limit = ABORT_TIMEOUT if method == "tpc_abort" else self.call_timeout
        if not connected:
            # The wait for the connection comes first, then the call itself.
            limit += self._server.timeout if timeout is None else timeout
        try:
            return self._result(future, method, limit)
        except ClientDisconnected:
            if not connected:
                self._unreachable = True
            raise

    def _result(self, future: concurrent.futures.Future, method: str, limit: float):
        try:
            return future.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            raise StorageTimeout(
                f"ZEO server {self._addr} did not answer {method} within {limit:g} s"
            ) from None

    def loadBefore(self, oid, tid):
        result = self._cache.loadBefore(oid, tid)
        if result:
            return result
        server = self._server
        future = server.io_call(server.load_before_co(oid, tid, server.timeout), wait=False)
        limit = self.call_timeout + (0 if server.is_connected() else server.timeout)
        return self._result(future, "loadBefore", limit)

    def tpc_abort(self, txn, timeout=None) -> None:
        try:
            super().tpc_abort(txn, timeout)
        except StorageTimeout as error:
            # The transaction failed already: its error is the one to report.
            logger.debug("%s", error)

    def tpc_finish(self, txn, f=lambda tid: None):
        tbuf = self._check_trans(txn, "tpc_finish")
        future = self._server.tpc_finish(id(txn), tbuf, f, wait=False)
        try:
            tid = self._result(future, "tpc_finish", self.call_timeout)
        finally:
            self.tpc_end(txn)
            self._iterator_gc()
        self._update_blob_cache(tbuf, tid)
        return tid


class BoundedClientStorageConfig(ClientStorageConfig):
    """The ``<tsclientstorage>`` section: ZEO's ``<clientstorage>`` and ``call-timeout``.

    ZEO's ``open`` names its class inside the method: its options are
    passed here in the same way, to this module's class.
    """

    def open(self) -> BoundedClientStorage:
        config = self.config
        options = {}
        for name in ("blob_cache_size", "blob_cache_size_check", "client_label"):
            if getattr(config, name) is not None:
                options[name] = getattr(config, name)
        if config.ssl:
            options["ssl"], options["ssl_server_hostname"] = config.ssl
        return BoundedClientStorage(
            [server.address for server in config.server],
            blob_dir=config.blob_dir,
            shared_blob_dir=config.shared_blob_dir,
            storage=config.storage,
            cache_size=config.cache_size,
            cache=config.cache_path,
            name=config.name,
            read_only=config.read_only,
            read_only_fallback=config.read_only_fallback,
            server_sync=config.server_sync,
            wait_timeout=config.wait_timeout,
            call_timeout=config.call_timeout,
            **options,
        )
