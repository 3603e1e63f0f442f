"""What the page layout needs to know, offered to every template as ``layout``."""

from __future__ import annotations

import functools
import hashlib
from html import escape
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from pyramid.decorator import reify
from pyramid.events import BeforeRender, subscriber
from pyramid.renderers import get_renderer, render
from pyramid.settings import asbool
from pyramid.static import QueryStringConstantCacheBuster

LAYOUT_TEMPLATE = "ts_host:templates/layout.pt"
MACROS_TEMPLATE = "ts_host:templates/macros.pt"
CHROME_TEMPLATE = "ts_host:templates/chrome/{}.pt"
#: What a fragment holds in place of the request's CSRF token (``Layout.chrome``).
CSRF_PLACEHOLDER = "ts-csrf-token-of-the-request"
#: Fragments kept: hosts are few (ts.allowed_hosts), languages two, visitors three kinds.
CHROME_CACHE_SIZE = 256


def product_version() -> str:
    try:
        return version("teleservices")
    except PackageNotFoundError:
        return "dev"


@functools.cache
def contents_digest(folder: Path) -> str:
    """A digest of every file under ``folder``: it changes when any of them does."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Layout:
    """Values of the shared page frame (header, footer, messages).

    Its URLs are paths, without the scheme and host: a page is served on the
    host it links to, and the host part was a tenth of a small page's bytes
    (a dozen links and assets on every page).
    """

    def __init__(self, request) -> None:
        self.request = request

    @property
    def language(self) -> str:
        """The page's language, for ``<html lang>``: screen readers read it with its voice."""
        return self.request.localizer.locale_name

    @property
    def academy_name(self) -> str:
        return self.request.academy.name

    version = product_version()

    @property
    def logged_in(self) -> bool:
        return self.request.account is not None or self.request.staff is not None

    @property
    def staff(self) -> bool:
        """A staff page: the header's links lead to the establishment office."""
        return self.request.staff is not None

    @property
    def csrf_token(self) -> str:
        return self.request.session.get_csrf_token()

    def static_url(self, path: str) -> str:
        # The path of an asset never changes: Pyramid works it out once per
        # process (seven assets a page).
        paths, key = self.request.registry.ts_static_paths, (self.request.script_name, path)
        if key not in paths:
            paths[key] = self.request.static_path(f"ts_host:static/{path}")
        return paths[key]

    @property
    def home_url(self) -> str:
        return self.request.route_path("staff_home" if self.staff else "home")

    @property
    def help_url(self) -> str:
        return self.request.route_path("help")

    @property
    def contact_url(self) -> str:
        return self.request.route_path("contact")

    @property
    def accessibility_status(self) -> str:
        """« partiellement conforme »…, as the footer's link must say it."""
        return self.request.localizer.translate(self.request.academy.accessibility.status_label)

    @property
    def logo(self):
        """The academy's logo beside the Marianne block, or ``None``."""
        return self.request.academy.logo

    @property
    def logo_url(self) -> str:
        return self.request.route_path("academy_logo", ext=self.logo.path.suffix.lower())

    @property
    def account_url(self) -> str:
        return self.request.route_path("account")

    @property
    def logout_url(self) -> str:
        return self.request.route_path("staff_logout" if self.staff else "logout")

    def chrome(self, name: str) -> str:
        """The page's header or footer (``templates/chrome/<name>.pt``), as HTML.

        They are the same for every visitor of a kind (anonymous, family,
        staff) on a host, in a language: rendered once per process (their
        forty translated strings and dozen URLs were a quarter of a
        dashboard's CPU), then reused with the request's CSRF token put in.
        ``ts.layout_cache = false`` renders them every time (the test that
        compares both).
        """
        request = self.request
        cache = request.registry.ts_chrome
        if cache is None:
            return self._render_chrome(name, self)
        academy = request.academy
        key = (
            name,
            request.host_url,
            request.script_name,
            request.localizer.locale_name,
            self.logged_in,
            self.staff,
            id(academy),
        )
        cached = cache.get(key)
        if cached is None or cached[0] is not academy:
            if len(cache) >= CHROME_CACHE_SIZE:
                cache.clear()
            cached = cache[key] = (academy, self._render_chrome(name, _FragmentLayout(request)))
        html = cached[1]
        if CSRF_PLACEHOLDER in html:
            html = html.replace(CSRF_PLACEHOLDER, escape(self.csrf_token))
        return html

    def _render_chrome(self, name: str, layout: Layout) -> str:
        html = render(CHROME_TEMPLATE.format(name), {"layout": layout}, request=self.request)
        return html.strip()

    @reify
    def flash_messages(self) -> list[tuple[str, str]]:
        # Peek first: popping, even an empty queue, marks the session changed,
        # and a changed session is encrypted and sent again with the page.
        session = self.request.session
        return [
            (kind, message)
            for kind in ("success", "info", "warning", "error")
            if session.peek_flash(kind)
            for message in session.pop_flash(kind)
        ]


class _FragmentLayout(Layout):
    """The layout a cached fragment is rendered with: the token stays a placeholder."""

    csrf_token = CSRF_PLACEHOLDER


@subscriber(BeforeRender)
def add_layout(event) -> None:
    request = event.get("request")
    if request is None or "layout" in event:
        return
    event["layout"] = Layout(request)
    event["main_template"] = get_renderer(LAYOUT_TEMPLATE).implementation()
    event["ts_macros"] = get_renderer(MACROS_TEMPLATE).implementation().macros


def flash(request, message: str, kind: str = "info") -> None:
    """Show ``message`` at the top of the next page (once, however often it is
    flashed before: repeated posts must not grow the session cookie past its limit)."""
    request.session.flash(request.localizer.translate(message), kind, allow_duplicate=False)


def includeme(config) -> None:
    config.add_static_view("static", "ts_host:static", cache_max_age=3600)
    # Asset URLs carry the digest of the static files (?x=...): an upgrade
    # changes them, so nginx lets browsers keep each URL for a year.
    digest = contents_digest(Path(__file__).parent / "static")
    config.add_cache_buster("ts_host:static/", QueryStringConstantCacheBuster(digest))
    config.registry.ts_static_paths = {}
    cached = asbool(config.registry.settings.get("ts.layout_cache", True))
    config.registry.ts_chrome = {} if cached else None
    config.scan(__name__)
