"""The ZODB connection, the transaction per request and its retries."""

from pathlib import Path
from urllib.parse import urlsplit

from .models import get_site


def create_storage_folder(uri: str) -> None:
    """A fresh clone has no ``var/``: FileStorage creates its file, not its folder."""
    parsed = urlsplit(uri)
    if parsed.scheme == "file":
        Path(parsed.netloc + parsed.path).parent.mkdir(parents=True, exist_ok=True)


def includeme(config) -> None:
    settings = config.registry.settings
    settings.setdefault("zodbconn.uri", "file://var/Data.fs?connection_cache_size=20000")
    settings.setdefault("retry.attempts", "3")
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    create_storage_folder(settings["zodbconn.uri"])
    config.add_request_method(get_site, "site", reify=True)


def get_database(registry):
    """The application's ZODB database (pyramid_zodbconn keeps it on the registry)."""
    return registry._zodb_databases[""]
