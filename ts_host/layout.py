"""What the page layout needs to know, offered to every template as ``layout``."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from pyramid.decorator import reify
from pyramid.events import BeforeRender, subscriber
from pyramid.renderers import get_renderer

LAYOUT_TEMPLATE = "ts_host:templates/layout.pt"
MACROS_TEMPLATE = "ts_host:templates/macros.pt"


def product_version() -> str:
    try:
        return version("teleservices")
    except PackageNotFoundError:
        return "dev"


class Layout:
    """Values of the shared page frame (header, footer, messages)."""

    def __init__(self, request) -> None:
        self.request = request

    @property
    def academy_name(self) -> str:
        return self.request.academy.name

    version = product_version()

    @property
    def logged_in(self) -> bool:
        return self.request.account is not None

    @property
    def csrf_token(self) -> str:
        return self.request.session.get_csrf_token()

    def static_url(self, path: str) -> str:
        return self.request.static_url(f"ts_host:static/{path}")

    @property
    def home_url(self) -> str:
        return self.request.route_url("home")

    @property
    def help_url(self) -> str:
        return self.request.route_url("help")

    @property
    def account_url(self) -> str:
        return self.request.route_url("account")

    @property
    def logout_url(self) -> str:
        return self.request.route_url("logout")

    @reify
    def flash_messages(self) -> list[tuple[str, str]]:
        session = self.request.session
        return [
            (kind, message)
            for kind in ("success", "info", "warning", "error")
            for message in session.pop_flash(kind)
        ]


@subscriber(BeforeRender)
def add_layout(event) -> None:
    request = event.get("request")
    if request is None or "layout" in event:
        return
    event["layout"] = Layout(request)
    event["main_template"] = get_renderer(LAYOUT_TEMPLATE).implementation()
    event["ts_macros"] = get_renderer(MACROS_TEMPLATE).implementation().macros


def flash(request, message: str, kind: str = "info") -> None:
    """Show ``message`` at the top of the next page."""
    request.session.flash(request.localizer.translate(message), kind)


def includeme(config) -> None:
    config.add_static_view("static", "ts_host:static", cache_max_age=3600)
    config.scan(__name__)
