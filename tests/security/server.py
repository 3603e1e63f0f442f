"""Real processes for the durability tests: waitress (pserve), runzeo, ts-admin,
and a small HTTP client that fills the real forms."""

from __future__ import annotations

import csv
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import webtest

from ts_host.testing import PASSWORD, TEST_SECRETS, TODAY, keypad_positions

START_TIMEOUT = 60
SERVING = re.compile(r"Serving on (http://127\.0\.0\.1:\d+)")
ZEO_LISTENING = re.compile(r"listening on \('127\.0\.0\.1', ([1-9]\d*)\)")


def write_ini(folder: Path, uri: str, establishments: Path) -> Path:
    """An ini file as an academy writes one, with the test secrets."""
    settings = {
        **TEST_SECRETS,
        "ts.development": "true",  # cookies without Secure: the test speaks plain HTTP
        "ts.allowed_hosts": "127.0.0.1:*",  # reached on the port it listens on
        "ts.establishments": establishments,
        "zodbconn.uri": uri,
        "mail.directory": folder / "mail",
        "ts.today": TODAY,
        "ts.argon2.memory_cost": 19456,
        "ts.argon2.time_cost": 2,
    }
    lines = "\n".join(f"{key} = {value}" for key, value in settings.items())
    path = folder / "teleservices.ini"
    path.write_text(
        f"[app:main]\nuse = egg:teleservices\n{lines}\n\n"
        "[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:0\nident =\nthreads = 4\n\n"
        "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
        "[logger_root]\nlevel = INFO\nhandlers = console\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = generic\n"
        "[formatter_generic]\nformat = %(levelname)s [%(name)s] %(message)s\n",
        encoding="utf-8",
    )
    return path


def run(*command: str | Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def demo(ini: Path, pupils: int) -> list[dict[str, str]]:
    """``ts-admin demo``; the unused activation codes of its CSV."""
    codes = ini.parent / "codes.csv"
    run(
        sys.executable,
        "-m",
        "ts_host.cli",
        "demo",
        ini,
        "--pupils",
        pupils,
        "--codes",
        codes,
        "--quiet",
    )
    with codes.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


class Process:
    """A subprocess whose log is read until it says where it listens."""

    def __init__(self, command: list, log: Path, pattern: re.Pattern) -> None:
        self.log = log
        start = log.stat().st_size if log.exists() else 0  # a restart appends to the log
        with log.open("a") as stream:
            self.popen = subprocess.Popen(
                [str(part) for part in command], stdout=stream, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = pattern.findall(log.read_text()[start:])
            if found:
                self.address = found[-1]
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"{command} did not start:\n{log.read_text()}")

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def serve(ini: Path) -> Process:
    command = [sys.executable, "-m", "pyramid.scripts.pserve", ini]
    return Process(command, ini.parent / "server.log", SERVING)


def runzeo(path: Path) -> Process:
    """A ZEO server for ``path`` (it logs port 0 when given it: so a free port is probed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "ZEO.runzeo", "-a", f"127.0.0.1:{port}", "-f", path]
    return Process(command, path.parent / "zeo.log", ZEO_LISTENING)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


@dataclass
class Answer:
    status: int
    location: str
    page: webtest.TestResponse | None


class Browser:
    """One user's cookies; forms parsed and filled with WebTest's form model."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: list | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self.opener.open(self.base + path, body, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        content = response.read()
        page = None
        if "html" in response.headers.get("Content-Type", ""):
            page = webtest.TestResponse(body=content, content_type="text/html", charset="utf-8")
        return Answer(response.status, response.headers.get("Location", ""), page)

    def create_pupil_account(self, code: dict[str, str], login: str) -> Answer:
        page = self.request("/creer-compte/eleve").page
        form = page.forms["creer-compte-eleve"]
        for number, part in enumerate(code["code"].split("-"), start=1):
            form.set(f"part{number}", part, index=0)
        form.set("first_name", code["pupil_first_name"], index=0)
        form.set("birth_date", code["pupil_birth_date"], index=0)  # jj/mm/aaaa, as printed
        form["login"], form["email"] = login, f"{login}@example.org"
        form["password"] = form["confirmation"] = keypad_positions(page, PASSWORD)
        form["question1"], form["answer1"] = "Mon lieu de naissance ?", "Nancy"
        form["question2"], form["answer2"] = "Mon deuxième prénom ?", "Marie"
        form["question3"], form["answer3"] = "Ma couleur ?", "Bleu"
        return self.request("/creer-compte/eleve", list(form.submit_fields("submit")))

    def log_in(self, login: str) -> Answer:
        page = self.request("/connexion").page
        form = page.forms["connexion"]
        form["login"], form["password"] = login, keypad_positions(page, PASSWORD)
        return self.request("/connexion", list(form.submit_fields("submit")))
