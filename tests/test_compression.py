"""Pages are compressed when the browser accepts it (``make run``; nginx in production)."""

import gzip
from urllib.parse import urlsplit

import pytest
from webob import Request, Response

from ts_host import main
from ts_host.storage import get_database
from ts_host.testing.plugin import TEST_ENVIRON

PAGE = "/connexion"


@pytest.fixture
def ts_settings(ts_settings):
    return {**ts_settings, "ts.compress_html": "true"}


def fetch(app, **headers) -> Response:
    """The page as the server sends it (WebTest would decode it)."""
    host = urlsplit(app.registry.ts_academy.public_url).netloc
    request = Request.blank(PAGE, environ={**TEST_ENVIRON, "HTTP_HOST": host}, headers=headers)
    return request.get_response(app)


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(ts_app):
    page = fetch(ts_app, **{"Accept-Encoding": "gzip, deflate, br"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    plain = fetch(ts_app)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert len(page.body) < len(plain.body) / 3
    assert b'id="connexion"' in gzip.decompress(page.body)


def test_a_browser_refusing_gzip_gets_the_page_plain(ts_app):
    page = fetch(ts_app, **{"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in page.headers
    assert b"<form" in page.body


def test_pages_are_left_to_nginx_by_default(ts_settings):
    settings = {k: v for k, v in ts_settings.items() if k != "ts.compress_html"}
    app = main({}, **settings)
    try:
        page = fetch(app, **{"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in page.headers
        assert b"<form" in page.body
    finally:
        get_database(app.registry).close()
