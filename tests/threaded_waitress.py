"""A real waitress in a thread of the test, stopped without a race.

Closing waitress's sockets while its loop waits in ``select`` in another
thread ends that thread on ``EBADF`` (pytest then warns of an unhandled
thread exception). WebTest's ``StopableWSGIServer`` closes its channels and
its task dispatcher in order and lets its loop end quietly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from webtest.http import StopableWSGIServer


@contextmanager
def threaded_waitress(app, **options) -> Iterator[int]:
    """Serve ``app`` on a free port of 127.0.0.1 with waitress's ``options``;
    yield the port."""
    server = StopableWSGIServer(app, host="127.0.0.1", port=0, **options)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.shutdown()
        thread.join(timeout=5)
