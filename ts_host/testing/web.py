"""The kit's web helpers: a test's client on the academy's host, logging in, mail."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date
from pathlib import Path

import webtest

from ..mail import OUTBOX


class BrowserResponse(webtest.TestResponse):
    """A response whose ``.html`` and forms are parsed as a browser parses
    them, by the WHATWG algorithm (html5lib): a table cell without its
    optional end tag ends at the next cell (``ts_notes`` writes its rows so),
    where Python's ``html.parser``, WebTest's default, nests the row's cells
    in one another."""

    parser_features = "html5lib"


class BrowserRequest(webtest.TestRequest):
    ResponseClass = BrowserResponse


class TestApp(webtest.TestApp):
    """WebTest's client, whose pages are :class:`BrowserResponse`.

    WebTest sets the parser on the response class of the client's requests,
    for every client of that class at once: this one has classes of its own.
    """

    __test__ = False  # not a test class, whatever its name
    RequestClass = BrowserRequest

    def __init__(self, app, **options) -> None:
        options.setdefault("parser_features", BrowserResponse.parser_features)
        super().__init__(app, **options)


#: What every test request carries: the academy's host name and a client address.
TEST_ENVIRON = {"HTTP_HOST": "teleservices.test", "REMOTE_ADDR": "192.0.2.10"}


def set_today(app: webtest.TestApp, day: date) -> None:
    """Freeze ``app``'s today at ``day``: the ``ts.today`` setting that
    :func:`ts_host.api.today` reads, changed on this test's application only."""
    app.app.registry.settings["ts.today"] = day.isoformat()


def kept_pages(app: webtest.TestApp) -> int:
    """How many pages ``app``'s application keeps (:mod:`ts_host.page_cache`):
    a test of a kept page checks it is kept before it changes what it shows."""
    return len(app.app.registry.ts_pages)


def login(app: webtest.TestApp, login_name: str, password: str) -> webtest.TestResponse:
    """Log in through the real form: the keypad positions are read from the page."""
    page = app.get("/connexion")
    form = page.forms["connexion"]
    form["login"] = login_name
    form["password"] = keypad_positions(page, password)
    return form.submit("submit")


def help_section(app: webtest.TestApp, service_id: str) -> str | None:
    """The text of the service's section of ``/aide`` as ``app``'s visitor
    sees it (title first), or ``None`` when the page has none."""
    section = app.get("/aide").html.find("section", id=f"aide-{service_id}")
    return section.get_text(" ", strip=True) if section is not None else None


def keypad_positions(page: webtest.TestResponse, password: str) -> str:
    """What the keypad sends for ``password`` on this page's layout."""
    keys = dict(re.findall(r'data-ts-key="(\d)">(\d)</button>', page.text))
    position_of = {digit: position for position, digit in keys.items()}
    return "".join(position_of[d] for d in password)


class Mailbox:
    """The messages an application wrote to its mail folder (those whose
    transaction committed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        OUTBOX.join()  # the mails sent after the response, too
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(self.folder.glob("*.eml"))
        ]

    def last(self):
        return self.messages[-1]
