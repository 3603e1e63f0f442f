"""A family's browser, over real HTTP: cookies, forms, the keypad.

WebTest drives an application in the test's process; the production tests
speak to real servers (waitress, nginx over TLS) and must choose the
address a connection comes from, which WebTest's proxy cannot.  This client
is ``requests`` with a cookie jar, WebTest's own form parser for the pages,
and the kit's keypad reader.
"""

from __future__ import annotations

from urllib.parse import urljoin

import requests
import webtest
from requests.adapters import HTTPAdapter

from ts_host.testing import keypad_positions

#: Every request is bounded: a test never hangs on a server that went quiet.
TIMEOUT = 10


class _FromAddress(HTTPAdapter):
    """Connections that leave from a given local address (127.0.0.2, say)."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


class LiveClient:
    """One browser: its own cookies, optionally its own source address and headers."""

    def __init__(
        self,
        base_url: str,
        *,
        source_address: str | None = None,
        headers: dict[str, str] | None = None,
        verify: str | bool = True,
    ) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        # Only what is given here: no proxy, CA bundle (REQUESTS_CA_BUNDLE
        # would override ``verify``) or netrc from the environment.
        self.session.trust_env = False
        self.session.verify = verify
        self.session.headers.update(headers or {})
        if source_address:
            for scheme in ("http://", "https://"):
                self.session.mount(scheme, _FromAddress(source_address))

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.session.get(urljoin(self.base_url, path), timeout=TIMEOUT, **kwargs)

    def submit(self, page: requests.Response, form_id: str, button: str, **values):
        """Fill the form ``form_id`` of ``page`` with ``values`` and press ``button``."""
        parsed = webtest.TestResponse(body=page.content, content_type="text/html", charset="utf-8")
        form = parsed.forms[form_id]
        for name, value in values.items():
            form[name] = value
        return self.session.request(
            form.method,
            urljoin(page.url, form.action),
            data=form.submit_fields(button),
            # What a browser sends: Pyramid checks it on HTTPS (CSRF).
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def login(self, login: str, password: str) -> requests.Response:
        """Log in through the real form, the password typed on the page's keypad."""
        page = self.get("/connexion")
        page.raise_for_status()
        keys = keypad_positions(page, password)
        return self.submit(page, "connexion", "submit", login=login, password=keys)
