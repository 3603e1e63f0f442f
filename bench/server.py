"""The server under load, started as a user starts it: ``pserve`` and waitress.

Its ini file is etc/development.ini with the benchmark's application
(:mod:`bench.app`), its own database and mail folder, and port 0: the port
waitress got is read from its log.
"""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
DEVELOPMENT_INI = REPOSITORY / "etc" / "development.ini"
START_TIMEOUT = 120
SERVING = re.compile(r"Serving on (http://127\.0\.0\.1:\d+)")


def write_ini(folder: Path, database: Path, establishments: Path) -> Path:
    """etc/development.ini, serving :mod:`bench.app` on ``database``."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.optionxform = str
    ini.read(DEVELOPMENT_INI, encoding="utf-8")
    app = ini["app:main"]
    for key, value in app.items():
        app[key] = value.replace("%(here)s", str(DEVELOPMENT_INI.parent))
    app["use"] = "call:bench.app:main"
    app["ts.establishments"] = str(establishments)
    uri = app["zodbconn.uri"]
    app["zodbconn.uri"] = f"file://{database}" + (uri[uri.index("?") :] if "?" in uri else "")
    app["mail.directory"] = str(folder / "mail")
    app["ts.demo_codes"] = str(folder / "demo-codes.csv")
    ini["server:main"]["listen"] = "127.0.0.1:0"
    path = folder / "bench.ini"
    with path.open("w", encoding="utf-8") as stream:
        ini.write(stream)
    return path


def environment() -> dict[str, str]:
    """The environment of the benchmark's processes: :mod:`bench` importable."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPOSITORY), path) if p)}


@dataclass
class Server:
    process: subprocess.Popen
    log: Path
    url: str = ""

    @classmethod
    def start(cls, ini: Path) -> Server:
        log = ini.with_suffix(".log")
        with log.open("w") as stream:
            process = subprocess.Popen(
                [sys.executable, "-m", "pyramid.scripts.pserve", str(ini)],
                stdout=stream,
                stderr=subprocess.STDOUT,
                cwd=REPOSITORY,
                env=environment(),
            )
        server = cls(process, log)
        deadline = time.monotonic() + START_TIMEOUT
        while not server.url:
            found = SERVING.search(server.output)
            if found:
                server.url = found.group(1)
            elif process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"the server did not start:\n{server.output}")
            else:
                time.sleep(0.1)
        return server

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

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

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
