"""When the storage fails: a 503 page in French, one log line, and a health URL.

A storage server that is gone (ZEO, PostgreSQL), frozen past its bounds
(:class:`ts_host.zeo.StorageTimeout`, PostgreSQL's ``statement_timeout``)
or a full disk under FileStorage is not the portal's bug: the family is
told, in the site's page, to come back in a moment (``503`` and
``Retry-After``), and the log gets one line naming the storage, not a
traceback.

What a reconnection can fix is tried once more: psycopg2's
``OperationalError`` and ``InterfaceError`` after PostgreSQL restarted
(RelStorage reconnects on the next attempt, unless the request's
connections were cut at its deadline: :mod:`ts_host.storage_deadline`), and ZEO's
``ClientDisconnected`` (a transient error, which pyramid_tm has pyramid_retry
try again; ``ts_host.zeo`` makes the retries of a server still gone fail at
once).  A timeout is not tried again: the server that did not answer would
hold the request as long once more.

``GET /health`` tells the proxy whether this process reaches its storage
(200) or not (503), so that it sends the families to another process.
"""

from __future__ import annotations

import errno
import logging
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import psycopg2
import transaction
from pyramid.interfaces import ISecurityPolicy
from pyramid.response import Response
from pyramid_retry import is_error_retryable, mark_error_retryable
from ZEO.Exceptions import ClientDisconnected

from .i18n import _
from .storage import get_database
from .storage_deadline import CUT
from .zeo import StorageTimeout

logger = logging.getLogger(__name__)

TEMPLATE = "ts_host:templates/error.pt"
#: Seconds a client is asked to wait before trying again (``Retry-After``).
RETRY_AFTER = 30
#: Where the proxy and the monitoring ask each process for its health.
HEALTH_PATH = "/health"

#: How long ``/health`` waits for its read of the root.
HEALTH_TIMEOUT = 2.0

#: Errors that a new connection to the server may cure: tried once more.
#: psycopg2 raises a bare ``DatabaseError`` too when the server closed the
#: connection; its other subclasses (integrity, programming) are bugs.
RECONNECTABLE = (psycopg2.OperationalError, psycopg2.InterfaceError)
#: ``OSError`` numbers of a disk that takes no more data.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
#: Where storage faults come from; :func:`is_storage_fault` tells which ones are.
FAULT_CLASSES = (ClientDisconnected, StorageTimeout, psycopg2.DatabaseError, OSError)


def is_storage_fault(error: BaseException) -> bool:
    """The storage cannot be reached, did not answer in time, or its disk is full."""
    if isinstance(error, psycopg2.DatabaseError):
        return isinstance(error, RECONNECTABLE) or type(error) is psycopg2.DatabaseError
    if isinstance(error, OSError):
        # Other OSError (a mail server out of reach …) remain the portal's
        # errors and keep their traceback.
        return error.errno in DISK_FULL
    return isinstance(error, (ClientDisconnected, StorageTimeout))


class StorageFaultPredicate:
    """View predicate ``storage_fault=True``: see :func:`is_storage_fault`."""

    def __init__(self, value, config) -> None:
        self.value = value

    def text(self) -> str:
        return f"storage_fault = {self.value}"

    phash = text

    def __call__(self, context, request) -> bool:
        return is_storage_fault(context) == self.value


class ReconnectionLines(logging.Filter):
    """RelStorage's reconnection records in one line, as warnings.

    RelStorage logs a traceback when a connection it reuses was closed by
    the server, and another when it cannot open a new one; the request then
    fails with the same error, which :func:`storage_unavailable_view` logs
    once with the storage named.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, psycopg2.DatabaseError) and is_storage_fault(error):
            record.msg = f"{record.msg}: %s: %s"
            record.args = (*(record.args or ()), type(error).__name__, " ".join(str(error).split()))
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


PASSWORD_IN_DSN = re.compile(r"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")
#: The logger of RelStorage's reconnections.
RECONNECTION_LOGGER = "relstorage.adapters.connections"


def storage_name(registry) -> str:
    """The storage as its own ``getName`` says it (the server's address for ZEO).

    RelStorage's names its DSN: a password there stays out of the log.
    """
    try:
        return PASSWORD_IN_DSN.sub("password=…", get_database(registry).storage.getName())
    except Exception:  # naming must never hide the error reported
        return "?"


def answer_as_anonymous(request) -> None:
    """Whoever asks, the error page is drawn without reading the account.

    Reading it needs the storage that just failed: the header would try
    again (and wait again) to show the logout button.
    """
    policy = request.registry.queryUtility(ISecurityPolicy)
    cache = getattr(policy, "identity_cache", None)
    if cache is not None and cache.get(request, None) is None:
        cache.set(request, None)


def release_failed_connection(request) -> None:
    """Give back to the pool the connection whose opening failed.

    ``DB.open`` registers the new connection with the request's transaction,
    which synchronises it with the server at once; when that fails, the
    connection is neither returned nor closed: the request never gets it,
    and it stays registered, out of the pool.
    """
    opened = getattr(request, "_primary_zodb_conn", None)
    for connection in list(get_database(request.registry).pool.all):
        if connection.transaction_manager is request.tm and connection is not opened:
            connection.close()


def storage_unavailable_view(exc, request):
    """The 503 page; one log line for the request, whatever its attempts."""
    release_failed_connection(request)
    reconnectable = isinstance(exc, psycopg2.DatabaseError)
    # Cut at its deadline (ts_host.storage_deadline): the frozen server
    # would hold a new attempt as long.
    if reconnectable and request.environ.get("retry.attempt") == 0 and not request.environ.get(CUT):
        mark_error_retryable(exc)
    logger.log(
        logging.DEBUG if is_error_retryable(request, exc) else logging.ERROR,
        "storage unavailable (%s) on %s %s: %s: %s",
        storage_name(request.registry),
        request.method,
        request.path,
        type(exc).__name__,
        " ".join(str(exc).split()),
    )
    answer_as_anonymous(request)
    response = request.response
    response.status = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return {
        "title": _("Service momentanément indisponible"),
        "message": _(
            "Le service ne peut pas accéder à vos informations pour l'instant. Ce que "
            "vous venez d'envoyer n'a pas été enregistré : réessayez dans quelques minutes."
        ),
    }


def storage_fault_tween_factory(handler, registry):
    """The same page for a storage fault met outside the views.

    pyramid_tm reads the identity (``tm.annotate_user``) and commits outside
    the exception views' reach: what fails there would reach waitress, whose
    answer is a plain « Internal Server Error ».
    """

    def tween(request):
        try:
            return handler(request)
        except FAULT_CLASSES as error:
            if not is_storage_fault(error):
                raise
            return request.invoke_exception_view()

    return tween


class HealthProbe:
    """One read of the root at a time, in a thread of its own, waited for briefly.

    A frozen server holds the read as long as the storage's own bounds; the
    proxy's next checks do not pile up threads behind it: while a read is
    still running, the process answers that it is unavailable.
    """

    def __init__(self, registry) -> None:
        self.registry = registry
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ts-health")
        self.lock = threading.Lock()
        self.running: Future | None = None

    def read_root(self) -> None:
        manager = transaction.TransactionManager(explicit=True)
        connection = get_database(self.registry).open(transaction_manager=manager)
        try:
            with manager:  # begins with a round trip to the server (ZEO's server-sync)
                connection.root()._p_activate()
        finally:
            connection.close()

    def healthy(self) -> bool:
        with self.lock:
            if self.running is None or self.running.done():
                self.running = self.worker.submit(self.read_root)
            running = self.running
        try:
            running.result(timeout=HEALTH_TIMEOUT)
        except FutureTimeout:
            logger.warning(
                "health: %s did not answer within %g s", storage_name(self.registry), HEALTH_TIMEOUT
            )
            return False
        except Exception as error:  # any failure means: route elsewhere
            logger.warning(
                "health: %s: %s: %s", storage_name(self.registry), type(error).__name__, error
            )
            return False
        return True


def outside_health(request) -> bool:
    """pyramid_tm's ``tm.activate_hook``: ``/health`` runs no transaction.

    pyramid_tm would read the identity from the storage (``annotate_user``)
    for a cookie the request carries, before the health view could answer.
    """
    return request.path_info != HEALTH_PATH


def health_view(request):
    """``GET /health``: 200 when this process reads its storage, 503 otherwise.

    No session, no cookie, no page: a line of text for the proxy.
    """
    answer_as_anonymous(request)
    healthy = request.registry.ts_health_probe.healthy()
    response = Response(
        "ok\n" if healthy else "indisponible\n",
        status=200 if healthy else 503,
        content_type="text/plain",
        charset="utf-8",
    )
    response.headers["Cache-Control"] = "no-store"
    if not healthy:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def includeme(config) -> None:
    config.registry.settings.setdefault("tm.activate_hook", "ts_host.storage_faults.outside_health")
    config.add_view_predicate("storage_fault", StorageFaultPredicate)
    reconnections = logging.getLogger(RECONNECTION_LOGGER)
    if not any(isinstance(f, ReconnectionLines) for f in reconnections.filters):
        reconnections.addFilter(ReconnectionLines())
    config.add_tween(
        "ts_host.storage_faults.storage_fault_tween_factory", over="pyramid_tm.tm_tween_factory"
    )
    for context in FAULT_CLASSES:
        config.add_view(
            storage_unavailable_view, context=context, storage_fault=True, renderer=TEMPLATE
        )
    config.registry.ts_health_probe = HealthProbe(config.registry)
    config.add_route("health", HEALTH_PATH)
    config.add_view(health_view, route_name="health", request_method="GET")
