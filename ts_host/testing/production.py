"""The production topology of etc/production/, started on this machine.

Debian's nginx runs the shipped site (TLS with a certificate made by
openssl, the static files, the upstream) in front of application processes
started with the units' ``ExecStart``, on etc/production-relstorage.ini and
a relstorage.conf the caller writes.  The shipped files are copied into a
folder with the machine's paths and free ports put where the deployment has
``/srv/teleservices``, ``/etc/teleservices`` and ports 443, 8001, 8002: any
other change to them raises.  tests/test_production.py checks the
deployment with it and ``make bench`` loads it (bench/topology.py): one
launcher for both.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import ts_host

from .data import TEST_SECRETS
from .storages import free_port

ROOT = Path(ts_host.__file__).resolve().parents[1]
ETC = ROOT / "etc"
SHIPPED = ETC / "production"
NGINX = "/usr/sbin/nginx"
START_TIMEOUT = 60
DEPLOYED_PORTS = ("8001", "8002")


class Missing(Exception):
    """A tool the topology needs is not installed (the message says which)."""


@contextmanager
def private_postgresql() -> Iterator[str]:
    """A throw-away PostgreSQL server (``.ci/postgresql``): its libpq DSN."""
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        raise Missing("PostgreSQL is not installed (apt-get install postgresql)")
    script = str(ROOT / ".ci" / "postgresql")
    # Not under pytest's folders (mode 700): as root the server runs as tsci.
    folder = tempfile.mkdtemp(prefix="ts-production-pg-")
    try:
        started = subprocess.run(  # noqa: S603 (the repository's script)
            [script, "start", folder],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            check=True,
        )
        yield re.search(r"TS_TEST_PG_DSN='([^']*)'", started.stdout).group(1)
    finally:
        subprocess.run([script, "stop", folder], timeout=START_TIMEOUT, check=False)  # noqa: S603


def replaced(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each key replaced; a key that is not there raises."""
    for old, new in replacements.items():
        if old not in text:
            raise AssertionError(f"{old!r} is no longer in the shipped file")
        text = text.replace(old, new)
    return text


def unit_command(unit: str, instance: str, folder: Path) -> list[str]:
    """The ExecStart of a shipped unit, as it runs on this machine."""
    line = next(
        line
        for line in (SHIPPED / unit).read_text(encoding="utf-8").splitlines()
        if line.startswith("ExecStart=")
    )
    line = replaced(
        line.removeprefix("ExecStart="),
        {
            "/srv/teleservices/venv/bin/": f"{Path(sys.executable).parent}/",
            "/etc/teleservices/": f"{folder}/",
            "%i": instance,
        },
    )
    return shlex.split(line)


def unit_environment() -> dict[str, str]:
    """The example EnvironmentFile, filled as an administrator would."""
    values = {
        "TS_SESSION_SECRET": TEST_SECRETS["ts.session_secret"],
        "TS_AUTH_SECRET": TEST_SECRETS["ts.auth_secret"],
        "TS_PASSWORD_PEPPER": TEST_SECRETS["ts.password_pepper"],
    }
    environment = {}
    for line in (SHIPPED / "secrets.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            environment[name] = values.get(name, value)
    if not set(values) <= set(environment):
        raise AssertionError("secrets.env.example no longer names every secret")
    # This machine's server is the caller's, given whole in the DSN.
    del environment["PGHOST"], environment["PGUSER"]
    return {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **environment}


def make_certificate(folder: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        raise Missing("openssl is not installed (apt-get install openssl)")
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(  # noqa: S603 (openssl, fixed arguments)
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(certificate)),
        ],
        capture_output=True,
        timeout=30,
        check=True,
    )
    return certificate, key


def nginx_configuration(folder: Path, app_ports: list[int], https: int, http: int) -> Path:
    """Debian's nginx.conf in short, including the shipped site made local.

    With fewer processes than the deployment's, the upstream lists only
    those (the benchmark's one-process run).
    """
    certificate, key = folder / "fullchain.pem", folder / "privkey.pem"
    site = (SHIPPED / "nginx-teleservices.conf").read_text(encoding="utf-8")
    upstream = {}
    for number, deployed in enumerate(DEPLOYED_PORTS):
        line = re.search(rf"\n *server 127\.0\.0\.1:{deployed} [^;]*;", site).group(0)
        if number < len(app_ports):
            upstream[line] = line.replace(f":{deployed} ", f":{app_ports[number]} ")
        else:
            upstream[line] = ""
    site = replaced(
        site,
        {
            **upstream,
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
            "listen 80;": f"listen 127.0.0.1:{http};",
            "/etc/letsencrypt/live/teleservices.ac-exemple.fr/fullchain.pem": str(certificate),
            "/etc/letsencrypt/live/teleservices.ac-exemple.fr/privkey.pem": str(key),
            "/var/log/nginx/": f"{folder}/logs/",
            "/var/www/certbot": f"{folder}/certbot",
            "/srv/teleservices/static/": f"{Path(ts_host.__file__).parent / 'static'}/",
        },
    )
    # The IPv6 addresses of the deployment are not this machine's.
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    (folder / "logs").mkdir(exist_ok=True)
    temporary = folder / "temp"
    temporary.mkdir(exist_ok=True)
    # As root, workers run as Debian's nginx.conf says: www-data.
    user = "user www-data;" if os.geteuid() == 0 else ""
    main = f"""\
{user}
daemon off;
worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log;
events {{ worker_connections 768; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temporary}/body;
    proxy_temp_path {temporary}/proxy;
    fastcgi_temp_path {temporary}/fastcgi;
    uwsgi_temp_path {temporary}/uwsgi;
    scgi_temp_path {temporary}/scgi;
    access_log {folder}/logs/access.log;
    include {folder}/site.conf;
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


@dataclass
class Topology:
    """nginx and the application processes, in ``folder`` (/etc/teleservices).

    :meth:`create` chooses the ports and makes the certificate, :meth:`start`
    starts everything and waits until it serves; :meth:`stop` always.
    """

    folder: Path
    url: str
    certificate: Path
    environment: dict[str, str]
    app_ports: list[int]
    https_port: int = 0
    http_port: int = 0
    apps: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    @classmethod
    def create(cls, folder: Path, processes: int = 2):
        if not os.access(NGINX, os.X_OK):
            raise Missing("nginx is not installed (apt-get install nginx)")
        https, http, *app_ports = (free_port() for _ in range(2 + processes))
        certificate, _ = make_certificate(folder)
        url = f"https://127.0.0.1:{https}"
        return cls(folder, url, certificate, unit_environment(), app_ports, https, http)

    def app_url(self, number: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[number]}"

    def start_app(self, number: int) -> subprocess.Popen:
        """Start the process ``number`` as its unit would, without waiting for it."""
        port = self.app_ports[number]
        with (self.folder / f"app-{port}.log").open("a") as log:
            process = subprocess.Popen(  # noqa: S603 (the shipped unit's command)
                unit_command("teleservices@.service", str(port), self.folder),
                cwd=self.folder,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if number < len(self.apps):
            self.apps[number] = process
        else:
            self.apps.append(process)
        return process

    def start(self, establishments: str, relstorage_conf: Path):
        """Install /etc/teleservices as docs/deployment.md does, start it all, wait.

        ``establishments`` is the text of establishments.toml (its
        ``public_url`` becomes this topology's); ``relstorage_conf`` the
        storage's configuration.  On failure everything is stopped and the
        error carries the logs.
        """
        folder = self.folder
        shutil.copy(ETC / "production-relstorage.ini", folder / "teleservices.ini")
        if relstorage_conf != folder / "relstorage.conf":
            shutil.copy(relstorage_conf, folder / "relstorage.conf")
        (folder / "establishments.toml").write_text(
            re.sub(r'(?m)^public_url = ".*"$', f'public_url = "{self.url}"', establishments),
            encoding="utf-8",
        )
        # The processes share the blob cache, and ZODB creates its folder,
        # then the folder's tmp/, when it finds none: two starting at once
        # on a fresh host race to create either, and one fails
        # (FileExistsError). On a host, `ts-admin evolve` opens the storage
        # first (docs/deployment.md), and a unit would restart the loser
        # (Restart=on-failure); here both are there first, as after that.
        (folder / "var" / "blobcache" / "tmp").mkdir(parents=True, exist_ok=True)
        try:
            for number in range(len(self.app_ports)):
                self.start_app(number)
            configuration = nginx_configuration(
                folder, self.app_ports, self.https_port, self.http_port
            )
            checked = subprocess.run(  # noqa: S603 (nginx on our configuration)
                [NGINX, "-t", "-q", "-e", "stderr", "-c", str(configuration)],
                capture_output=True,
                text=True,
                timeout=30,
            )
            if checked.returncode != 0:
                raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
            with (folder / "logs" / "nginx.log").open("w") as log:
                self.nginx = subprocess.Popen(  # noqa: S603 (nginx on our configuration)
                    [NGINX, "-e", "stderr", "-c", str(configuration)], stdout=log, stderr=log
                )
            for number, process in enumerate(self.apps):
                self.wait_until_serving(self.app_url(number), process, path="/health")
            self.wait_until_serving(self.url, self.nginx)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_serving(self, url: str, process: subprocess.Popen, path="/connexion") -> None:
        """Until ``url`` answers 200 on ``path``: an application process is asked
        for ``/health`` on its own address, which is not the academy's host."""
        context = ssl.create_default_context(cafile=str(self.certificate))
        # No proxy from the environment: the processes are on this machine.
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with opener.open(url + path, timeout=10) as answer:
                    if answer.status == 200:
                        return
                    last = answer.status
            except (OSError, urllib.error.URLError) as error:
                last = error
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start ({last!r}):\n{self.logs()}")
            time.sleep(0.1)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.folder.rglob("*.log"))
        )

    def stop(self) -> None:
        processes = [p for p in [self.nginx, *self.apps] if p is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
