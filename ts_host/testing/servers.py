"""Application server processes: the kit's one ini writer and one launcher.

Tests that need a real server (browser journeys, durability, several
processes on one storage) and the benchmark start the application as an
academy does: ``pserve`` serving it with waitress in a process of its own,
from an ini file.  :func:`write_ini` writes that file (``ts-admin`` reads
the same), :class:`AppServer` starts ``pserve`` on it.  Waitress listens on
port 0 and the address it got is read from its log: no race for a "free"
port.
"""

from __future__ import annotations

import configparser
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import webtest

from .web import TestApp

START_TIMEOUT = 60
SERVING = re.compile(r"Serving on (http://127\.0\.0\.1:\d+)")
#: waitress as etc/development.ini configures it, on a port of its own choice.
WAITRESS = {"use": "egg:waitress#main", "listen": "127.0.0.1:0", "threads": "4", "ident": ""}
#: The log of a served ini without a base: INFO and above on the standard error.
LOGGING = {
    "loggers": {"keys": "root"},
    "handlers": {"keys": "console"},
    "formatters": {"keys": "generic"},
    "logger_root": {"level": "INFO", "handlers": "console"},
    "handler_console": {
        "class": "StreamHandler",
        "args": "(sys.stderr,)",
        "level": "NOTSET",
        "formatter": "generic",
    },
    "formatter_generic": {"format": "%(asctime)s %(levelname)-5.5s [%(name)s] %(message)s"},
}


def write_ini(
    path: Path,
    settings: Mapping[str, object],
    *,
    base: Path | None = None,
    server: Mapping[str, object] | None = None,
) -> Path:
    """Write the ini file ``path``: ``settings`` in ``[app:main]``, and how to serve it.

    ``[app:main]`` is ``egg:teleservices`` (unless ``settings`` give another
    ``use``) with ``settings`` (:func:`ts_host.testing.app_settings` makes a
    test's); over ``base``'s own when given, e.g. ``etc/development.ini``
    whose ``%(here)s`` then names ``base``'s folder.  ``server`` asks for a
    served file: ``[server:main]`` is :data:`WAITRESS` (or ``base``'s) with
    these options, always on port 0 for :class:`AppServer` to read, and the
    log goes to the standard error as :data:`LOGGING` (or ``base``) says.
    Without ``server`` nor ``base`` the file holds ``[app:main]`` only, what
    ``ts-admin`` needs.
    """
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    app = {"use": "egg:teleservices"}
    if base is not None:
        ini.read(base, encoding="utf-8")
        here = str(base.resolve().parent)
        app.update((k, v.replace("%(here)s", here)) for k, v in ini["app:main"].items())
    # PasteDeploy interpolates the application's values.
    app.update((key, str(value)) for key, value in settings.items())
    ini["app:main"] = {key: value.replace("%", "%%") for key, value in app.items()}
    if server is not None:
        options = {**(ini["server:main"] if base is not None else WAITRESS), **server}
        ini["server:main"] = {key: str(value) for key, value in options.items()}
        ini["server:main"]["listen"] = "127.0.0.1:0"
        if base is None:
            ini.read_dict(LOGGING)
    with path.open("w", encoding="utf-8") as stream:
        ini.write(stream)
    return path


class AppServer:
    """``pserve INI``: the application served by waitress in a subprocess.

    ``AppServer(ini).start()`` returns once the server answers, its address
    in :attr:`url`; what it logs goes to :attr:`log` (``ini`` with ``.log``),
    which a start after :meth:`kill` or :meth:`stop` appends to.  Several
    servers start at once with :meth:`launch` each, then :meth:`wait` each.
    """

    def __init__(
        self,
        ini: Path,
        *,
        log: Path | None = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = START_TIMEOUT,
    ) -> None:
        self.ini = ini
        self.log = log or ini.with_suffix(".log")
        self.cwd = cwd
        self.env = {**(env if env is not None else os.environ), "PYTHONUNBUFFERED": "1"}
        self.timeout = timeout
        self.process: subprocess.Popen | None = None
        self.url = ""
        self._log_start = 0

    def start(self) -> AppServer:
        return self.launch().wait()

    def launch(self) -> AppServer:
        """Start ``pserve`` without waiting for it to serve."""
        self.url = ""
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as stream:
            self.process = subprocess.Popen(  # noqa: S603 (this Python, the given ini)
                [sys.executable, "-m", "pyramid.scripts.pserve", str(self.ini)],
                stdout=stream,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=self.env,
            )
        return self

    def wait(self) -> AppServer:
        """Wait until waitress says where it serves; stop and raise if it never does."""
        deadline = time.monotonic() + self.timeout
        while not self.url:
            found = SERVING.search(self.output[self._log_start :])
            if found:
                self.url = found[1]
            elif self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the application did not start:\n{self.output}")
            else:
                time.sleep(0.05)
        return self

    @property
    def output(self) -> str:
        """What the server logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def client(self, **environ) -> webtest.TestApp:
        """A WebTest client of this server, with a cookie jar of its own."""
        host = urlsplit(self.url).netloc  # relative URLs and cookies for this host
        return TestApp(self.url, extra_environ={"HTTP_HOST": host, **environ})

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind, as a crash."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 20) -> None:
        """Terminate the server; kill it if it has not stopped within ``timeout``."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
