"""Backups of the FileStorage with repozo (ZODB's own tool), for ``ts-admin``.

``backup`` writes a full backup the first time, then incremental ones
(gzipped), while the server keeps running: repozo reads the file up to its
last committed transaction.  ``restore`` rebuilds a ``Data.fs`` (and its
index) as of now or of a date, checking the backup files on the way, into
the file the ini names: never over a database in use, never over an
existing file unless asked, and never half-written (it writes beside it,
then renames).

With ZEO the FileStorage lives on the ZEO server: ``ts.backup.filestorage``
gives its path to the ini file run on that machine.

repozo knows nothing of blobs: ``backup`` then copies the blob directory
into ``blobs/`` of the backup folder, after ``Data.fs`` so that every blob
the backup refers to is there (a committed blob file is never rewritten,
so only the new ones are copied), and ``restore`` puts them back beside the
restored ``Data.fs``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from zc.lockfile import LockError, LockFile
from ZODB.scripts import repozo

from .contract import CommandError
from .storage import blob_folder, with_blob_folder

#: The backup folder's copy of the blob directory.
BLOBS = "blobs"


def filestorage_path(settings: dict) -> Path:
    """The ``Data.fs`` of the ini file: ``ts.backup.filestorage``, or a ``file://`` URI."""
    if settings.get("ts.backup.filestorage"):
        return Path(settings["ts.backup.filestorage"])
    uri = settings.get("zodbconn.uri", "")
    if uri.startswith("file://"):
        return Path(unquote(urlsplit(uri).path))
    raise CommandError(
        "les sauvegardes (repozo) portent sur une FileStorage : cette configuration "
        f"utilise « {uri.split(':', 1)[0]} ». Indiquez le fichier Data.fs du serveur ZEO "
        "dans le réglage ts.backup.filestorage, ou sauvegardez la base PostgreSQL avec ses "
        "propres outils"
    )


def blob_path(settings: dict) -> Path:
    """The blob directory of the ini file's FileStorage: its URI's
    ``blobstorage_dir``, else ``blobs/`` beside ``Data.fs`` (etc/zeo.conf)."""
    uri = settings.get("zodbconn.uri", "")
    if uri.startswith("file://") and not settings.get("ts.backup.filestorage"):
        return Path(parse_qs(urlsplit(with_blob_folder(uri)).query)["blobstorage_dir"][0])
    return blob_folder(filestorage_path(settings))


def _copy_new_files(source: Path, destination: Path) -> None:
    """Copy what ``destination`` lacks of ``source`` (blob files are immutable),
    but for the uncommitted files of ``tmp/``."""
    destination.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        target = destination / relative
        if relative.parts[0] == "tmp" or target.exists():
            continue
        if path.is_dir():
            target.mkdir()
        else:
            shutil.copy2(path, target)


def _repozo(*argv: str) -> None:
    try:
        repozo.main(list(argv))
    except SystemExit as exit:
        if exit.code not in (None, 0):
            raise CommandError(f"repozo a échoué : {exit.code}") from None


def backup(settings: dict, destination: Path, full: bool = False) -> None:
    source = filestorage_path(settings)
    if not source.is_file():
        raise CommandError(f"base introuvable : {source}")
    destination.mkdir(parents=True, exist_ok=True)
    _wait_for_a_new_second(destination)
    _repozo("-B", "-z", "-r", str(destination), "-f", str(source), *(["-F"] if full else []))
    blobs = blob_path(settings)
    if blobs.is_dir():
        _copy_new_files(blobs, destination / BLOBS)


def _wait_for_a_new_second(destination: Path) -> None:
    """repozo names its files after the second (UTC): a second backup within the
    same second would share the first one's name, and be skipped at restore."""
    while True:
        stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime())
        if not any(path.name.startswith(stamp) for path in destination.iterdir()):
            return
        time.sleep(0.1)


def restore(settings: dict, source: Path, date: str | None = None, force: bool = False) -> Path:
    target = filestorage_path(settings)
    if not source.is_dir() or not any(source.glob("*.fs*")):
        raise CommandError(f"aucune sauvegarde dans {source}")
    if target.exists() and not force:
        raise CommandError(
            f"{target} existe déjà : restaurez vers une autre base, ou ajoutez --force "
            "pour la remplacer (serveur arrêté)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock = LockFile(str(target) + ".lock")
    except LockError:
        raise CommandError(f"{target} est ouverte par un autre processus : arrêtez-le") from None
    try:
        partial = target.with_name(target.name + ".restauration")
        _repozo("-R", "-w", "-r", str(source), "-o", str(partial), *(["-D", date] if date else []))
        index = Path(str(partial) + ".index")
        os.replace(partial, target)
        if index.exists():
            os.replace(index, str(target) + ".index")
        else:
            Path(str(target) + ".index").unlink(missing_ok=True)
        if (source / BLOBS).is_dir():
            _copy_new_files(source / BLOBS, blob_path(settings))
    finally:
        lock.close()
    return target
