"""The published PDFs live in ZODB blobs; version 1.0's records and pending zips are upgraded."""

from __future__ import annotations

from BTrees.OOBTree import OOBTree
from ZODB.blob import Blob

import ts_dossier
from ts_dossier.models import SERVICE_ID, dossier_site
from ts_host.testing import ESTABLISHMENT_A, pupils_of

from .conftest import a_pdf


def test_a_document_s_record_holds_no_bytes_and_is_served_from_its_blob(
    family_app, site, tm, pupil_enabled
):
    with tm:
        document = site.pupils[pupil_enabled].services[SERVICE_ID].documents[1]
        assert isinstance(document.blob, Blob)
        assert not [name for name, value in vars(document).items() if isinstance(value, bytes)]
        stored, size = document.read(), document.size
    response = family_app.get(f"/eleve/{pupil_enabled}/dossier/document/1")
    assert response.body == stored
    assert response.content_length == size == len(stored)


def test_publishing_again_replaces_the_blob_s_content(site, tm, pupil_enabled):
    with tm:
        dossier = site.pupils[pupil_enabled].services[SERVICE_ID]
        document = dossier.documents[1]
        assert (
            dossier.publish(document.period, document.filename, a_pdf("T9"), document.published_on)
            == "updated"
        )
    tm.begin()
    assert site.pupils[pupil_enabled].services[SERVICE_ID].documents[1].read() == a_pdf("T9")
    tm.abort()


def as_stored_by_1_0(document) -> bytes:
    """The document as version 1.0 stored it: its PDF in the record."""
    data = document.read()
    document.data = data
    del document.blob, document.size
    return data


def test_ts_admin_evolve_moves_the_documents_into_blobs_once(ts_admin):
    with ts_admin.site() as site:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if p.services.get(SERVICE_ID))
        pupil_id = pupil.id
        old = {n: as_stored_by_1_0(d) for n, d in pupil.services[SERVICE_ID].documents.items()}
        site.generations[SERVICE_ID] = 0
        store = dossier_site(site)
        store.pending = OOBTree({"envoi": "an upload 1.0 kept"})

    result = ts_admin("evolve")

    assert result.status == 0, result.err
    assert result.out == (
        "dossier : étape 1 appliquée (les documents publiés sont rangés en blobs ZODB)\n"
        "dossier : étape 2 appliquée (les archives en attente passent par la page d'import)\n"
    )
    with ts_admin.site() as site:
        documents = site.pupils[pupil_id].services[SERVICE_ID].documents
        assert {n: d.read() for n, d in documents.items()} == old
        assert all("data" not in vars(d) and d.size == len(old[n]) for n, d in documents.items())
        assert site.generations[SERVICE_ID] == 2
        assert not hasattr(dossier_site(site), "pending")
    assert ts_admin("evolve").out == "La base est à jour.\n"


def test_the_steps_are_numbered_from_1():
    assert [step.generation for step in ts_dossier.ts_evolve_steps()] == [1, 2]
