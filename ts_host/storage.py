"""The ZODB connection, the transaction per request and its retries."""

import random
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pyramid.events import ApplicationCreated
from pyramid_retry import IBeforeRetry
from ZODB.interfaces import IBlobStorage

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


class StorageWithoutBlobs(RuntimeError):
    """The configured storage keeps no files; the message says what to set."""


def require_blobs(event) -> None:
    """At start-up, refuse a storage that keeps no blobs, saying why.

    Services keep files in blobs (the dossier scolaire's documents).  A
    storage configured without a blob folder (a ZEO client or RelStorage
    without ``blob-dir``) serves everything else, then fails at the first
    document a family or the office sends: better not to start.
    """
    storage = get_database(event.app.registry).storage
    if not IBlobStorage.providedBy(storage):
        raise StorageWithoutBlobs(
            f"le stockage configuré ({storage.getName()}) ne garde pas de fichiers : "
            "donnez-lui un dossier de blobs (blob-dir pour ZEO et RelStorage, "
            "blobstorage_dir dans une adresse file://), voir docs/deployment.md"
        )


def includeme(config) -> None:
    settings = config.registry.settings
    settings.setdefault(
        "zodbconn.uri",
        "file://var/Data.fs?connection_cache_size=20000&connection_cache_size_bytes=2MB",
    )
    settings.setdefault("retry.attempts", "5")
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    settings["zodbconn.uri"] = with_blob_folder(settings["zodbconn.uri"])
    create_storage_folder(settings["zodbconn.uri"])
    config.add_subscriber(pause_before_retry, IBeforeRetry)
    config.add_subscriber(require_blobs, ApplicationCreated)


def get_database(registry):
    """The application's ZODB database (pyramid_zodbconn keeps it on the registry)."""
    return registry._zodb_databases[""]
