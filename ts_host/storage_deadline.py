"""A deadline on a request's PostgreSQL connections, kept by the client.

PostgreSQL bounds a statement itself (``statement_timeout``,
``lock_timeout``): a server frozen whole (SIGSTOP, a suspended virtual
machine) enforces nothing, its kernel keeps the TCP connections open and
acknowledged, and libpq waits in ``poll()`` for an answer that does not
come, holding the request's thread.  RelStorage refuses psycopg2's wait
callbacks (which a bound inside libpq would need), and libpq's
``tcp_user_timeout`` or keepalives see a live kernel.

So a watchdog thread keeps the bound: each request is registered with its
deadline (``ts.storage_deadline`` seconds, over the server's own limits);
past it, the watchdog finds the psycopg2 connections the request's thread
is blocked in (the locals of its frames: a cursor, a connection, or
RelStorage's managed connection holding one) and shuts their sockets down.
libpq then returns « server closed the connection », which
:mod:`ts_host.storage_faults` answers with its 503 page; the request is not
tried again (the server would hold the new attempt as long), and RelStorage
opens new connections for the next requests once the server answers.
The deadline bounds a request's time on the storage, whatever the cause: a
request still reading the database past it is cut too (the command line,
``ts-admin``, goes through no tween and has none).  Reading the locals of
another thread's frames is what debuggers do; nothing here traces or
changes them.

The socket is shut down through a duplicate of its descriptor, taken while
the connection is still open (checked after the duplicate is made): if the
request's thread closed it meanwhile and the number went to another socket,
the duplicate still designates the old one, and nothing else is touched.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType

from psycopg2.extensions import connection as PgConnection
from psycopg2.extensions import cursor as PgCursor
from relstorage.adapters.connections import AbstractManagedConnection

logger = logging.getLogger(__name__)

#: Seconds a request may spend before its database sockets are cut: past
#: etc/relstorage.conf's statement (10 s) and lock (5 s) timeouts, which
#: answer first while the server runs, and under nginx's proxy_read_timeout.
DEFAULT_DEADLINE = 25.0
#: ``environ`` key set when a request's connections were cut.
CUT = "ts.storage_cut"


def blocked_connections(frame: FrameType | None) -> Iterator[PgConnection]:
    """The open psycopg2 connections named in the locals of ``frame`` and its callers.

    Only psycopg2's own objects and RelStorage's managed connections are
    looked at: reading another object's attribute could run its code.
    """
    seen: set[int] = set()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, PgCursor | AbstractManagedConnection):
                value = value.connection
            if isinstance(value, PgConnection) and not value.closed and id(value) not in seen:
                seen.add(id(value))
                yield value
        frame = frame.f_back


def shut_down(connection: PgConnection) -> bool:
    """Shut the connection's socket down, waking a thread blocked on it."""
    try:
        duplicate = socket.socket(fileno=os.dup(connection.fileno()))
    except (OSError, ValueError):  # closed meanwhile
        return False
    with duplicate:
        if connection.closed:
            return False  # the number may be another socket's by now
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            return False
    return True


class Watchdog:
    """The requests under way, by thread, and one thread that cuts the late ones.

    One for the process (every application of a test run shares it); its
    thread sleeps until the earliest deadline.  A request past its deadline
    is cut, then looked at again every ``interval``: a connection RelStorage
    opens to try again is cut too.
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.condition = threading.Condition()
        #: thread id -> (when it is due, its deadline in seconds, its environ)
        self.requests: dict[int, tuple[float, float, dict]] = {}
        self.thread: threading.Thread | None = None

    def start(self, environ: dict, deadline: float) -> None:
        due = time.monotonic() + deadline
        with self.condition:
            earliest = min((d for d, _s, _e in self.requests.values()), default=None)
            self.requests[threading.get_ident()] = (due, deadline, environ)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self.run, name="ts-storage-deadline", daemon=True
                )
                self.thread.start()
            elif earliest is None or due < earliest:
                self.condition.notify()

    def end(self) -> None:
        with self.condition:
            self.requests.pop(threading.get_ident(), None)

    def late(self) -> list[tuple[int, float, dict]]:
        """Wait for the earliest deadline; the requests past theirs, looked at
        again after ``interval``."""
        with self.condition:
            while True:
                now = time.monotonic()
                earliest = min((d for d, _s, _e in self.requests.values()), default=None)
                if earliest is not None and earliest <= now:
                    break
                self.condition.wait(None if earliest is None else earliest - now)
            late = [(t, s, e) for t, (d, s, e) in self.requests.items() if d <= now]
            for thread_id, seconds, environ in late:
                self.requests[thread_id] = (now + self.interval, seconds, environ)
            return late

    def run(self) -> None:
        while True:
            late = self.late()
            frames = sys._current_frames()
            for thread_id, seconds, environ in late:
                try:
                    cut(frames.get(thread_id), seconds, environ)
                except Exception:  # the watchdog must outlive any one request
                    logger.exception("storage deadline: request not cut")


def cut(frame: FrameType | None, seconds: float, environ: dict) -> None:
    """Cut the connections a request's thread is blocked in (``frame``: its own)."""
    count = sum(shut_down(connection) for connection in blocked_connections(frame))
    if count:
        environ[CUT] = True
        logger.error(
            "storage deadline: %s %s held over %g s, %d database connection(s) cut",
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            seconds,
            count,
        )


#: The process's watchdog.
WATCHDOG = Watchdog()


def storage_deadline_tween_factory(handler, registry):
    deadline: float = registry.ts_storage_deadline

    def tween(request):
        WATCHDOG.start(request.environ, deadline)
        try:
            return handler(request)
        finally:
            WATCHDOG.end()

    return tween


def includeme(config) -> None:
    settings = config.registry.settings
    deadline = float(settings.get("ts.storage_deadline", DEFAULT_DEADLINE))
    if deadline <= 0:
        return
    config.registry.ts_storage_deadline = deadline
    # Over pyramid_tm: the commit is bounded too.
    config.add_tween(
        "ts_host.storage_deadline.storage_deadline_tween_factory",
        over="pyramid_tm.tm_tween_factory",
    )
