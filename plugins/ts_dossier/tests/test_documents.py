"""The zip of PDFs: checked whole (bad files, bombs, names, INE), then published whole."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfWriter

from ts_dossier.documents import ZipRefused, check_zip, is_pdf
from ts_dossier.models import MAX_DOCUMENT, SERVICE_ID
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of

from .conftest import a_pdf, make_zip

OFFICE = f"/gestion/{ESTABLISHMENT_A}/dossier"


@pytest.fixture
def ines(site, tm):
    with tm:
        return [p.ine for p in pupils_of(site, ESTABLISHMENT_A)[:2]], pupils_of(
            site, ESTABLISHMENT_B
        )[0].ine


def problems(site, tm, ts_app, files, **kw) -> list[str]:
    with tm:
        establishment = ts_app.registry.ts_academy.establishment(ESTABLISHMENT_A)
        with pytest.raises(ZipRefused) as refused:
            check_zip(io.BytesIO(make_zip(files, **kw)), site, establishment)
    return refused.value.problems


def test_a_pdf_is_recognised_by_its_magic_and_by_parsing():
    assert is_pdf(a_pdf())
    assert not is_pdf(b"GIF89a" + a_pdf())
    assert not is_pdf(a_pdf()[:200])  # truncated: starts right, does not parse
    assert not is_pdf(b"%PDF-1.4\n%%EOF")
    writer = PdfWriter(clone_from=io.BytesIO(a_pdf()))
    writer.encrypt("secret")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    assert not is_pdf(encrypted.getvalue())


def test_every_bad_file_is_reported_and_nothing_is_kept(site, tm, ts_app, ines):
    (first, second), in_b = ines
    found = problems(
        site,
        tm,
        ts_app,
        {
            f"{first}_T1.pdf": a_pdf(),
            f"{second}_T1.pdf": b"<html>not a pdf</html>",
            f"../{first}_T2.pdf": a_pdf(),
            f"dossier/{first}_T3.pdf": a_pdf(),
            f"{in_b}_S1.pdf": a_pdf(),
            "bulletin.pdf": a_pdf(),
        },
    )
    assert found == [
        f"{second}_T1.pdf : ce n'est pas un document PDF lisible",
        f"../{first}_T2.pdf : les fichiers doivent être à la racine de l'archive",
        f"dossier/{first}_T3.pdf : les fichiers doivent être à la racine de l'archive",
        f"{in_b}_S1.pdf : aucun élève d'INE « {in_b} » dans l'établissement {ESTABLISHMENT_A}",
        "bulletin.pdf : nom attendu INE_PERIODE.pdf, par exemple 1234567890A_T1.pdf",
    ]


def test_a_zip_bomb_is_refused_from_its_declared_sizes(site, tm, ts_app, ines):
    (first, _), _b = ines
    bomb = b"%PDF-" + b"0" * (MAX_DOCUMENT + 10)  # deflates to a few KB
    assert len(make_zip({f"{first}_T1.pdf": bomb})) < 50_000
    found = problems(site, tm, ts_app, {f"{first}_T1.pdf": bomb})
    assert found == [
        f"{first}_T1.pdf : {len(bomb)} octets une fois décompressé, {MAX_DOCUMENT} au plus"
    ]


def test_a_zip_lying_about_its_sizes_is_read_with_a_bound(site, tm, ts_app, ines):
    """The directory says 10 bytes; the data inflates past the limit: refused, not read."""
    (first, _), _b = ines
    payload = bytearray(make_zip({f"{first}_T1.pdf": b"%PDF-" + b"0" * (MAX_DOCUMENT + 10)}))
    size = (MAX_DOCUMENT + 15).to_bytes(4, "little")
    while (at := payload.find(size)) >= 0:  # the local header's and the directory's
        payload[at : at + 4] = (10).to_bytes(4, "little")
    with tm:
        establishment = ts_app.registry.ts_academy.establishment(ESTABLISHMENT_A)
        with pytest.raises(ZipRefused) as refused:
            check_zip(io.BytesIO(bytes(payload)), site, establishment)
    assert refused.value.problems[0].startswith(f"{first}_T1.pdf : ")


def test_not_a_zip_and_an_empty_zip_are_refused(site, tm, ts_app):
    with tm:
        establishment = ts_app.registry.ts_academy.establishment(ESTABLISHMENT_A)
        for payload, message in (
            (a_pdf(), "le fichier envoyé n'est pas une archive zip lisible"),
            (make_zip({}), "l'archive ne contient aucun document"),
        ):
            with pytest.raises(ZipRefused) as refused:
                check_zip(io.BytesIO(payload), site, establishment)
            assert refused.value.problems == [message]


def upload(office, payload: bytes):
    page = office.get(OFFICE)
    form = page.forms["import-envoi"]
    form["archive"] = ("documents.zip", payload, "application/zip")
    return form.submit()


def test_the_office_previews_then_publishes_the_whole_zip(office, site, tm, ines):
    (first, second), _b = ines
    preview = upload(
        office, make_zip({f"{first}_T2.pdf": a_pdf("T2"), f"{second}_ASSR.pdf": a_pdf()})
    )
    assert "Aperçu : 2 documents à publier" in preview.text
    with tm:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if p.ine == first)
        assert len(pupil.services[SERVICE_ID].documents) == 1  # the demo's T1 only
    counts = "Nouveaux documents : <strong>2</strong> ; documents remplacés : <strong>0</strong>."
    assert counts in " ".join(preview.text.split())
    form = preview.forms["import-confirmation"]
    done = form.submit("confirmer", status=303).follow()
    assert "Import des documents enregistré : 2 créés, 0 mis à jour, 0 inchangés." in done.text
    tm.begin()
    titles = [d.period for d in site.pupils[pupil.id].services[SERVICE_ID].documents.values()]
    assert titles == ["T1", "T2"]
    told = [e for e in site.notifications.events.values() if e.service_id == SERVICE_ID]
    assert sorted(e.kind for e in told) == ["document", "document"]  # one per pupil
    again = form.submit("confirmer", status=303).follow()  # the preview is spent
    assert "Cet envoi n'est plus disponible" in again.text


def test_one_bad_file_and_the_office_publishes_nothing(office, site, tm, ines):
    (first, second), _b = ines
    page = upload(office, make_zip({f"{first}_T2.pdf": a_pdf(), f"{second}_T2.pdf": b"MZ..."}))
    assert "Fichier refusé : rien n'a été importé" in page.text
    assert f"documents.zip : {second}_T2.pdf : ce n'est pas un document PDF lisible" in page.text
    assert "import-confirmation" not in page.forms


def test_the_command_publishes_and_its_preview_writes_nothing(ts_admin, tmp_path):
    with ts_admin.site() as site:
        first = pupils_of(site, ESTABLISHMENT_A)[0]
        ine, pupil_id = first.ine, first.id
    archive = tmp_path / "bulletins.zip"
    archive.write_bytes(make_zip({f"{ine}_T2.pdf": a_pdf("T2")}))
    preview = ts_admin("dossier-documents", ESTABLISHMENT_A, str(archive), "--apercu")
    assert preview.status == 0, preview.err
    assert "1 documents à publier (aperçu : rien n'a été écrit)." in preview.out
    with ts_admin.site() as site:
        assert len(site.pupils[pupil_id].services[SERVICE_ID].documents) == 1
    done = ts_admin("dossier-documents", ESTABLISHMENT_A, str(archive))
    assert "Documents publiés : 1 nouveaux, 0 remplacés." in done.out
    with ts_admin.site() as site:
        assert len(site.pupils[pupil_id].services[SERVICE_ID].documents) == 2
    archive.write_bytes(make_zip({f"{ine}_T3.pdf": b"not a pdf"}))
    refused = ts_admin("dossier-documents", ESTABLISHMENT_A, str(archive))
    assert refused.status == 2
    assert f"{ine}_T3.pdf : ce n'est pas un document PDF lisible" in refused.err


def test_a_stored_zip_is_refused_like_a_deflated_one(site, tm, ts_app, ines):
    (first, _), _b = ines
    found = problems(site, tm, ts_app, {f"{first}_T1.pdf": b"x"}, compression=zipfile.ZIP_STORED)
    assert found == [f"{first}_T1.pdf : ce n'est pas un document PDF lisible"]
