"""The steps that upgrade the dossier's stored data (``ts-admin evolve``)."""

from __future__ import annotations

from ZODB.blob import Blob

from ts_host.api import EvolveStep

from .models import SERVICE_ID

#: Documents moved between two savepoints: the PDFs already moved leave the
#: object cache instead of all being held until the step's single commit.
SAVEPOINT_EVERY = 200


def move_documents_to_blobs(site) -> None:
    """1.1: each document's PDF leaves its record (``data``) for a blob of its own."""
    moved = 0
    for pupil in site.pupils.values():
        dossier = pupil.services.get(SERVICE_ID)
        if dossier is None:
            continue
        for document in dossier.documents.values():
            data = getattr(document, "data", None)
            if data is None:
                continue
            del document.data
            document.blob = Blob()
            with document.blob.open("w") as stream:
                stream.write(data)
            document.size = len(data)
            moved += 1
            if moved % SAVEPOINT_EVERY == 0 and site._p_jar is not None:
                site._p_jar.transaction_manager.savepoint(optimistic=True)
                site._p_jar.cacheGC()


def drop_pending_uploads(site) -> None:
    """1.1: the zips waiting for confirmation are kept by the host's import page;
    those 1.0 kept (an hour at most) are dropped: their sender sends them again."""
    store = site.services.get(SERVICE_ID)
    if store is not None and hasattr(store, "pending"):
        del store.pending


STEPS = [
    EvolveStep(1, "les documents publiés sont rangés en blobs ZODB", move_documents_to_blobs),
    EvolveStep(2, "les archives en attente passent par la page d'import", drop_pending_uploads),
]
