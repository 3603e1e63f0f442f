"""Real processes for the durability tests: waitress (pserve), runzeo, ts-admin,
and a small HTTP client that fills the real forms.

The servers are the kit's (:mod:`ts_host.testing.servers`,
:mod:`ts_host.testing.storages`), on an ini file of the test's settings.
"""

from __future__ import annotations

import csv
import http.cookiejar
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import webtest

from ts_host.testing import PASSWORD, app_settings, keypad_positions
from ts_host.testing.servers import AppServer
from ts_host.testing.servers import write_ini as write_ini_file
from ts_host.testing.storages import ZEOServer


def write_ini(folder: Path, uri: str, establishments: Path) -> Path:
    """An ini file as an academy writes one, with the test settings, served by waitress."""
    return write_ini_file(
        folder / "teleservices.ini", app_settings(folder, establishments, uri), server={}
    )


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


def serve(ini: Path) -> AppServer:
    """``pserve`` on ``ini``, logging to ``server.log`` beside it (appended to on a restart)."""
    return AppServer(ini, log=ini.parent / "server.log").start()


def runzeo(path: Path) -> ZEOServer:
    """A ZEO server for ``path`` (a ``Data.fs``), the file kept when it stops."""
    return ZEOServer(path.parent, None).start()


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
