"""A mixed family workload: many families, each going through a journey.

A journey is what a family does on a visit, as its browser does it: GET the
login page, type the password on the dealt keypad (POST, 303), the
dashboard, two of its child's service pages, then log out (the layout's
form, POST, 303).  Each connection of the load is a thread playing one
family after another over one keep-alive HTTP(S) connection per journey
(``http.client``: a browser's cost, not a library's); the families are
distinct accounts, so concurrent logins write different sessions and
accounts, as on a school morning.

Every answer is checked: a wrong status, a page without the form the
journey needs, a timeout or a refused connection is an error, counted by
kind; the journey stops there and counts as failed.  wrk cannot play such a
journey (the keypad is dealt per visit), hence Python; its own CPU time is
measured and reported beside the server's.
"""

from __future__ import annotations

import gzip
import http.client
import math
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

from ts_host.testing import keypad_positions

#: Seconds a request may take before it counts as a timeout.
TIMEOUT = 30


@dataclass(frozen=True)
class Family:
    login: str
    password: str
    #: The two service pages the journey loads after the dashboard.
    pages: list[str]


class JourneyError(Exception):
    """One failed step: ``kind`` is what the report counts."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class _Forms(HTMLParser):
    """The forms of a page: action, and the values their inputs and buttons send."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({"id": attributes.get("id"), "action": attributes.get("action")})
            self.forms[-1]["fields"] = {}
        elif (
            tag in ("input", "button")
            and self.forms
            and attributes.get("name")
            and (tag == "button" or attributes.get("type") not in ("submit", "checkbox", "radio"))
        ):
            self.forms[-1]["fields"].setdefault(attributes["name"], attributes.get("value", ""))


def forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1); 0 for no value."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


@dataclass
class Tally:
    """What one load measured: journeys, requests and their latencies, errors."""

    seconds: float = 0.0
    journeys: int = 0
    failed: int = 0
    requests: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    journey_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    #: Bytes of the answers' bodies as sent (compressed when they were).
    body_bytes: int = 0

    def add(self, other: Tally) -> None:
        self.journeys += other.journeys
        self.failed += other.failed
        self.requests += other.requests
        self.latencies_ms += other.latencies_ms
        self.journey_ms += other.journey_ms
        self.errors.update(other.errors)
        self.body_bytes += other.body_bytes

    @property
    def journeys_per_second(self) -> float:
        return self.journeys / self.seconds if self.seconds else 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


class Browser:
    """One family's visit: its cookies, one connection, every answer checked."""

    def __init__(self, base_url: str, context: ssl.SSLContext | None, tally: Tally) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.host = parts.netloc
        self.tally = tally
        if parts.scheme == "https":
            self.connection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=TIMEOUT, context=context
            )
        else:
            self.connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=TIMEOUT
            )
        self.cookies: dict[str, str] = {}

    def close(self) -> None:
        self.connection.close()

    def request(self, method: str, path: str, expected: int, body: dict | None = None) -> str:
        """The answer's text; raise :class:`JourneyError` unless its status is ``expected``."""
        headers = {"Host": self.host, "Accept-Encoding": "gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        encoded = None
        if body is not None:
            encoded = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends: Pyramid checks it on HTTPS (CSRF).
            headers["Origin"] = self.base_url
            headers["Referer"] = self.base_url + path
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=encoded, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except TimeoutError as error:
            self.connection.close()
            raise JourneyError("timeout") from error
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            raise JourneyError(f"connection ({type(error).__name__})") from error
        self.tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.tally.requests += 1
        self.tally.body_bytes += len(content)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status != expected:
            raise JourneyError(f"{method} {path.split('?')[0]}: {response.status}, not {expected}")
        if response.headers.get("Content-Encoding") == "gzip":
            content = gzip.decompress(content)
        return content.decode("utf-8", errors="replace")

    def form(self, html: str, path: str, wanted) -> dict:
        found = [f for f in forms(html) if wanted(f)]
        if not found:
            raise JourneyError(f"{path}: the form is missing")
        return found[0]

    def journey(self, family: Family) -> None:
        login_page = self.request("GET", "/connexion", 200)
        form = self.form(login_page, "/connexion", lambda f: f["id"] == "connexion")
        try:
            keys = keypad_positions(SimpleNamespace(text=login_page), family.password)
        except KeyError as error:
            raise JourneyError("/connexion: the keypad is missing") from error
        fields = {**form["fields"], "login": family.login, "password": keys}
        self.request("POST", "/connexion", 303, fields)
        dashboard = self.request("GET", "/", 200)
        for page in family.pages:
            self.request("GET", page, 200)
        logout = self.form(dashboard, "/", lambda f: (f["action"] or "").endswith("/deconnexion"))
        action = urlsplit(logout["action"]).path
        self.request("POST", action, 303, logout["fields"])


def play(
    base_url: str,
    families: list[Family],
    *,
    connections: int,
    seconds: float,
    cafile: str | None = None,
) -> Tally:
    """``connections`` families at a time for ``seconds``; the journeys under way
    at the end are finished (and counted: the time includes them)."""
    context = ssl.create_default_context(cafile=cafile) if cafile else None
    stop = threading.Event()
    tallies = [Tally() for _ in range(connections)]

    def visit(number: int) -> None:
        tally = tallies[number]
        turn = number
        while not stop.is_set():
            family = families[turn % len(families)]
            turn += connections
            browser = Browser(base_url, context, tally)
            started = time.perf_counter()
            try:
                browser.journey(family)
            except JourneyError as error:
                tally.failed += 1
                tally.errors[error.kind] += 1
            else:
                tally.journeys += 1
                tally.journey_ms.append((time.perf_counter() - started) * 1000)
            finally:
                browser.close()

    threads = [threading.Thread(target=visit, args=(n,), daemon=True) for n in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 8)
    total = Tally(seconds=time.perf_counter() - started)
    for tally in tallies:
        total.add(tally)
    if any(thread.is_alive() for thread in threads):
        total.errors["a family still waiting at the end"] += 1
    return total
