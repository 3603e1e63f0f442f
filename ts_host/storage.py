"""The ZODB connection, the transaction per request and its retries."""

import random
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pyramid_retry import IBeforeRetry

#: The longest pause before a request that met a write conflict runs again.
RETRY_PAUSE = 0.05


def blob_folder(filestorage: Path) -> Path:
    """Where the blobs of the FileStorage ``filestorage`` live when nothing says."""
    return filestorage.parent / "blobs"


def with_blob_folder(uri: str) -> str:
    """A ``file://`` URI with its ``blobstorage_dir``: ``blobs/`` beside the file
    unless the URI names one.

    Services keep files in ZODB blobs (the dossier scolaire's PDFs), which a
    FileStorage without a blob directory refuses to store: the development
    and test databases, built from bare ``file://`` URIs, get one beside the
    ``Data.fs`` as production's ini files name it (docs/deployment.md).
    """
    parsed = urlsplit(uri)
    query = parse_qsl(parsed.query)
    if parsed.scheme != "file" or any(name == "blobstorage_dir" for name, _ in query):
        return uri
    query.append(("blobstorage_dir", str(blob_folder(Path(parsed.netloc + parsed.path)))))
    return urlunsplit(parsed._replace(query=urlencode(query, safe="/")))


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
    settings["zodbconn.uri"] = with_blob_folder(settings["zodbconn.uri"])
    create_storage_folder(settings["zodbconn.uri"])
    config.add_subscriber(pause_before_retry, IBeforeRetry)


def get_database(registry):
    """The application's ZODB database (pyramid_zodbconn keeps it on the registry)."""
    return registry._zodb_databases[""]
