"""The server under load, started as a user starts it: ``pserve`` and waitress.

Its ini file is etc/development.ini with the benchmark's application
(:mod:`bench.app`), its own database and mail folder, and port 0: the port
waitress got is read from its log.  The test kit writes the file and starts
the server (:mod:`ts_host.testing.servers`); this module adds what the
benchmark measures of the process.
"""

from __future__ import annotations

import configparser
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from ts_host.testing.servers import AppServer
from ts_host.testing.servers import write_ini as write_ini_file

REPOSITORY = Path(__file__).resolve().parents[1]
DEVELOPMENT_INI = REPOSITORY / "etc" / "development.ini"
START_TIMEOUT = 120


def write_ini(folder: Path, database: Path, establishments: Path) -> Path:
    """etc/development.ini, serving :mod:`bench.app` on ``database``, with
    templates compiled once as in production."""
    shipped = configparser.ConfigParser(interpolation=None)
    shipped.read(DEVELOPMENT_INI, encoding="utf-8")
    shipped_uri = urlsplit(shipped["app:main"]["zodbconn.uri"])
    # The shipped database options (the connection's cache size), not its blob
    # directory: that one is written relative to the shipped ini's folder, and
    # the host puts the benchmark's beside its database.
    options = [(k, v) for k, v in parse_qsl(shipped_uri.query) if k != "blobstorage_dir"]
    settings = {
        "use": "call:bench.app:main",
        "ts.establishments": establishments,
        "zodbconn.uri": f"file://{database}?{urlencode(options)}",
        "mail.directory": folder / "mail",
        "ts.demo_codes": folder / "demo-codes.csv",
        # As production serves them: development checks each template's file
        # for changes at every render.
        "pyramid.reload_templates": "false",
    }
    return write_ini_file(folder / "bench.ini", settings, base=DEVELOPMENT_INI, server={})


def environment() -> dict[str, str]:
    """The environment of the benchmark's processes: :mod:`bench` importable."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPOSITORY), path) if p)}


class Server(AppServer):
    """The benchmark's server: the kit's, started from the repository, and measured."""

    def __init__(self, ini: Path) -> None:
        super().__init__(ini, cwd=REPOSITORY, env=environment(), timeout=START_TIMEOUT)

    def resident_memory(self) -> int:
        """The worker's resident memory now, in bytes (waitress serves in pserve's process)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kilobytes = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1)
        return int(kilobytes) * 1024

    def cpu_seconds(self) -> float:
        """The worker's CPU time so far (user and system, all threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = int(fields[11]), int(fields[12])
        return (user + system) / os.sysconf("SC_CLK_TCK")
