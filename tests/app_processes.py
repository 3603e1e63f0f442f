"""Application processes on the test's own database, as a scaled-out academy runs them.

Each one is ``pserve`` serving the application with waitress in a process of
its own, from an ini file holding the test's settings: several of them on a
ZEO server or a PostgreSQL database share it as production processes do.
Waitress listens on port 0 and the port it got is read from its log.  The
processes trust ``X-Forwarded-For`` from 127.0.0.1, like etc/production.ini
behind its proxy, so a test can speak for many clients.
"""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import webtest

START_TIMEOUT = 60
SERVING = re.compile(r"Serving on (http://127\.0\.0\.1:\d+)")
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


@dataclass
class AppProcess:
    process: subprocess.Popen
    log: Path
    url: str = ""

    def client(self, **environ) -> webtest.TestApp:
        """A WebTest client of this process, with a cookie jar of its own."""
        host = urlsplit(self.url).netloc  # relative URLs and cookies for this host
        return webtest.TestApp(self.url, extra_environ={"HTTP_HOST": host, **environ})

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def write_ini(folder: Path, name: str, settings: dict) -> Path:
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    ini["app:main"] = {
        "use": "egg:teleservices",
        # PasteDeploy interpolates the application's values.
        **{key: str(value).replace("%", "%%") for key, value in settings.items()},
    }
    ini["server:main"] = {
        "use": "egg:waitress#main",
        "listen": "127.0.0.1:0",
        "threads": "4",
        "ident": "",
        "trusted_proxy": "127.0.0.1",
        "trusted_proxy_headers": "x-forwarded-for",
        "clear_untrusted_proxy_headers": "yes",
    }
    ini.read_dict(LOGGING)
    path = folder / f"{name}.ini"
    with path.open("w", encoding="utf-8") as stream:
        ini.write(stream)
    return path


def start(folder: Path, settings: dict, count: int) -> list[AppProcess]:
    """Start ``count`` processes at once and wait until each one serves."""
    folder.mkdir(parents=True, exist_ok=True)
    apps = []
    for number in range(count):
        ini = write_ini(folder, f"app{number}", settings)
        log = folder / f"app{number}.log"
        with log.open("w") as stream:
            process = subprocess.Popen(
                [sys.executable, "-m", "pyramid.scripts.pserve", str(ini)],
                stdout=stream,
                stderr=subprocess.STDOUT,
            )
        apps.append(AppProcess(process, log))
    deadline = time.monotonic() + START_TIMEOUT
    for app in apps:
        while not app.url:
            found = SERVING.search(app.output)
            if found:
                app.url = found.group(1)
            elif app.process.poll() is not None or time.monotonic() > deadline:
                stop(apps)
                raise RuntimeError(f"the application did not start:\n{app.output}")
            else:
                time.sleep(0.05)
    return apps


def stop(apps: list[AppProcess]) -> None:
    for app in apps:
        if app.process.poll() is None:
            app.process.terminate()
    for app in apps:
        try:
            app.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.process.kill()
            app.process.wait()
