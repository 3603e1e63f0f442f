"""A real server for the browser journeys, as an academy would run it.

``ts-admin demo`` loads the demo data into a temporary FileStorage, then
``pserve`` serves the application with waitress in a subprocess, from an ini
file that copies ``etc/development.ini`` with every path moved into a
temporary folder; the establishments file is the repository's own, so the
journeys see the demo configuration and the plugins it enables.  Waitress
listens on port 0 and the port it got is read from its log: no race for a
"free" port.  A journey that runs ``ts-admin`` while the server serves (the
FileStorage would be locked) has the database served by ZEO instead, as in
production: ``pserve`` and each ``ts-admin`` are its clients.
"""

from __future__ import annotations

import csv
import email
import email.policy
import os
import re
import subprocess
import sys
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

from ts_host.plugins import PluginRegistry
from ts_host.testing.servers import AppServer
from ts_host.testing.servers import write_ini as write_ini_file
from ts_host.testing.storages import ZEOServer

REPOSITORY = Path(__file__).resolve().parents[2]
DEVELOPMENT_INI = REPOSITORY / "etc" / "development.ini"
#: ``TS_BROWSER_ESTABLISHMENTS`` runs the journeys on another configuration,
#: e.g. one that enables services the demo file does not enable yet.
ESTABLISHMENTS = Path(
    os.environ.get("TS_BROWSER_ESTABLISHMENTS", REPOSITORY / "etc" / "establishments.toml")
)
DEMO_PUPILS = 160
#: What the server logs when something went wrong on its side.
SERVER_ERROR = re.compile(r"^\S+ \S+ (ERROR|CRITI)|^Traceback ", re.MULTILINE)


@dataclass(frozen=True)
class Child:
    code: str
    uai: str
    first_name: str
    birth_date: date


@dataclass(frozen=True)
class Family:
    """A responsable's activation letters for two children (a CAR each)."""

    responsable: str
    children: tuple[Child, ...]


def write_ini(folder: Path, establishments: Path, zodb_uri: str = "") -> Path:
    """``etc/development.ini`` with its database, mail and codes in ``folder``
    (the database ``folder/Data.fs``, or the one ``zodb_uri`` names)."""
    settings = {
        "ts.establishments": establishments,
        "zodbconn.uri": zodb_uri or f"file://{folder / 'Data.fs'}",
        "mail.directory": folder / "mail",
        "ts.demo_codes": folder / "demo-codes.csv",
    }
    return write_ini_file(folder / "browser.ini", settings, base=DEVELOPMENT_INI, server={})


def two_child_families(codes_csv: Path) -> list[Family]:
    """The responsables who received a CAR for exactly two children.

    ``ts-admin demo`` writes a responsable's CAR rows one after the other,
    so a family is a run of CAR rows naming the same responsable.
    """
    runs: list[list[dict]] = []
    with codes_csv.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            if row["kind"] != "CAR":
                continue
            if runs and runs[-1][0]["responsable"] == row["responsable"]:
                runs[-1].append(row)
            else:
                runs.append([row])
    families = []
    for run in runs:
        if len(run) == 2 and run[0]["pupil_first_name"] != run[1]["pupil_first_name"]:
            children = tuple(
                Child(
                    row["code"],
                    row["uai"],
                    row["pupil_first_name"],
                    datetime.strptime(row["pupil_birth_date"], "%d/%m/%Y").date(),
                )
                for row in run
            )
            families.append(Family(run[0]["responsable"], children))
    return families


class LiveServer:
    """The application served by waitress in a subprocess, with its demo data."""

    def __init__(
        self, folder: Path, establishments: Path = ESTABLISHMENTS, *, zeo: bool = False
    ) -> None:
        self.folder = folder
        self.establishments = establishments
        self.mail_dir = folder / "mail"
        self.log_path = folder / "server.log"
        self.ini = write_ini(folder, establishments)
        #: With ``zeo``, runzeo serves ``folder/Data.fs`` to pserve and ts-admin
        #: once the demo is loaded.
        self.zeo = ZEOServer(folder, base=None) if zeo else None
        configuration = tomllib.loads(establishments.read_text(encoding="utf-8"))
        self.public_url = configuration["academy"]["public_url"].rstrip("/")
        self.services = {
            uai: set(entry.get("services", ()))
            for uai, entry in configuration["establishments"].items()
        }
        self.server = AppServer(self.ini, log=self.log_path, cwd=folder)
        self.base_url = ""
        self._families: list[Family] = []

    def start(self) -> None:
        self.admin("demo", "--pupils", str(DEMO_PUPILS), "--quiet")
        self._families = two_child_families(self.folder / "demo-codes.csv")
        # One académie account per journey (an activation link serves once).
        self.academie_accounts = [
            (login, self._open_academie_account(login)) for login in ("academie0", "academie1")
        ]
        if self.zeo is not None:
            # The demo is written to the file directly (through ZEO it takes
            # four times as long); runzeo then serves that file.
            self.zeo.start()
            self.ini = write_ini(self.folder, self.establishments, self.zeo.uri(self.folder))
        self.base_url = self.server.start().url
        # S310: the URL is the http:// one waitress announced.  The first
        # page compiles the layout's templates: on a busy machine, seconds.
        first_page = f"{self.base_url}/connexion"
        with urllib.request.urlopen(first_page, timeout=60) as response:  # noqa: S310
            assert response.status == 200

    def admin(self, command: str, *args: str) -> str:
        """``ts-admin COMMAND INI ARGS…`` on this server's database: what it printed.

        While the server serves, only a journey served from ZEO may run one.
        """
        done = subprocess.run(
            [sys.executable, "-m", "ts_host.cli", *command.split(), str(self.ini), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
        )
        if done.returncode:
            raise RuntimeError(f"ts-admin {command} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def _open_academie_account(self, login: str) -> str:
        """``ts-admin staff add``, as the README's first step of the office: its link."""
        added = self.admin(
            "staff add",
            "--login",
            login,
            "--name",
            "Camille Académie",
            "--email",
            "assistance@ac-exemple.fr",
        )
        return added.strip().splitlines()[-1]

    def stop(self) -> None:
        self.server.stop(timeout=10)
        if self.zeo is not None:
            self.zeo.stop()

    def url(self, path: str) -> str:
        return self.base_url + path

    @staticmethod
    def url_segment(service: str) -> str:
        """Where the service's pages are, under ``/eleve/<pupil>/``."""
        registry = PluginRegistry()
        registry.load_entry_points()
        return registry.services[service].url_segment or service

    def offers(self, child: Child, service: str) -> bool:
        """Whether the child's establishment enables ``service``."""
        return service in self.services.get(child.uai, ())

    def take_family(self, service: str | None = None, wanted=None) -> Family:
        """A family no other journey has used (each journey has its own codes),
        with a child whose establishment enables ``service`` if one is named
        and, if ``wanted`` is given, for whom ``wanted(child)`` is true."""
        for family in self._families:
            children = [c for c in family.children if service is None or self.offers(c, service)]
            if wanted is not None:
                children = [c for c in children if wanted(c)]
            if children:
                self._families.remove(family)
                return family
        raise RuntimeError(f"the demo data has no unused two-child family for {service}")

    def path_of(self, mailed_url: str) -> str:
        """The path of a link from a mail, to open it on this server: mails build
        links from the configured public URL, never from the request's host."""
        assert mailed_url.startswith(self.public_url + "/"), mailed_url
        parts = urlsplit(mailed_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def take_academie_account(self) -> tuple[str, str]:
        """An académie account no other journey has activated: its login and link."""
        return self.academie_accounts.pop(0)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def errors_since(self, offset: int) -> list[str]:
        """Error lines and tracebacks the server logged after ``offset``."""
        with self.log_path.open("rb") as stream:
            stream.seek(offset)
            text = stream.read().decode("utf-8", errors="replace")
        return [text[match.start() :].split("\n", 1)[0] for match in SERVER_ERROR.finditer(text)]

    def mails_to(self, address: str) -> list[EmailMessage]:
        """The messages written to the mail folder for ``address``, oldest first."""
        if not self.mail_dir.is_dir():
            return []
        messages = (
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.mail_dir.glob("*.eml"))
        )
        return [m for m in messages if address.lower() in str(m["To"]).lower()]

    def wait_for_mail(self, address: str, subject: str, known: int = 0) -> EmailMessage:
        """The first message to ``address`` after the ``known`` first ones whose
        subject contains ``subject`` (the mail is written when the request's
        transaction commits, so it is there by the time the page shows)."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for message in self.mails_to(address)[known:]:
                if subject in str(message["Subject"]):
                    return message
            time.sleep(0.1)
        subjects = [str(m["Subject"]) for m in self.mails_to(address)]
        raise AssertionError(f"no mail « {subject} » to {address}; received: {subjects}")


def mail_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, path_start: str) -> str:
    """The one link of the mail whose path starts with ``path_start``."""
    links = [
        url
        for url in re.findall(r"https?://\S+", mail_text(message))
        if urlsplit(url).path.startswith(path_start)
    ]
    assert len(links) == 1, f"expected one link to {path_start}: {mail_text(message)}"
    return links[0]
