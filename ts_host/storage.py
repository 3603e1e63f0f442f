"""The ZODB connection, the transaction per request and its retries."""

import random
import time
from pathlib import Path
from urllib.parse import urlsplit

from pyramid_retry import IBeforeRetry

#: The longest pause before a request that met a write conflict runs again.
RETRY_PAUSE = 0.05


def create_storage_folder(uri: str) -> None:
    """A fresh clone has no ``var/``: FileStorage creates its file, not its folder."""
    parsed = urlsplit(uri)
    if parsed.scheme == "file":
        Path(parsed.netloc + parsed.path).parent.mkdir(parents=True, exist_ok=True)


def pause_before_retry(event) -> None:
    """Let the requests that conflicted start again at different moments.

    Conflicts BTrees cannot resolve come in bursts (concurrent insertions
    that split the same bucket: the throttle windows of a login peak); run
    again all at once, the same requests would meet again.
    """
    time.sleep(random.uniform(0, RETRY_PAUSE))  # noqa: S311 - a jitter, not a secret


def includeme(config) -> None:
    settings = config.registry.settings
    settings.setdefault("zodbconn.uri", "file://var/Data.fs?connection_cache_size=20000")
    settings.setdefault("retry.attempts", "5")
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    create_storage_folder(settings["zodbconn.uri"])
    config.add_subscriber(pause_before_retry, IBeforeRetry)


def get_database(registry):
    """The application's ZODB database (pyramid_zodbconn keeps it on the registry)."""
    return registry._zodb_databases[""]
