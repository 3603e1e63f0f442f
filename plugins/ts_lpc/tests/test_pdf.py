"""The "bilan détaillé" PDF, read back with pypdf."""

from __future__ import annotations

import io
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from pypdf import PdfReader

from ts_host.api import Pupil
from ts_host.testing import (
    ESTABLISHMENT_A,
    PASSWORD,
    TODAY,
    login,
    make_account,
    pupils_of,
    set_teaching_team,
)
from ts_lpc.livret import build_livret
from ts_lpc.models import SERVICE_ID, LpcRecord, PalierRecord
from ts_lpc.pdf import render_livret
from ts_lpc.referential import load_referential, pdf_footer

from .pages import statuses

DATE = re.compile(r"\d\d/\d\d/\d{4}")


def pages_text(body: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(body)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_is_an_attachment_named_after_the_palier(family_app, livret):
    response = family_app.get(f"/eleve/{livret}/competences/livret.pdf")
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="livret-competences-palier-3.pdf"'
    )
    assert response.body.startswith(b"%PDF-")
    palier1 = family_app.get(f"/eleve/{livret}/competences/livret.pdf", params={"palier": "1"})
    assert 'filename="livret-competences-palier-1.pdf"' in palier1.headers["Content-Disposition"]


def test_the_pdf_says_whose_livret_and_on_which_day(family_app, site, tm, livret):
    with tm:
        pupil = site.pupils[livret]
        name, born, division = pupil.full_name, pupil.birth_date, pupil.division
        set_teaching_team(
            site, pupil.uai, division, {"Français": ("Mme FRANÇOIS",)}, "Mme FRANÇOIS"
        )
    first = flat(pages_text(family_app.get(f"/eleve/{livret}/competences/livret.pdf").body)[0])
    assert first.startswith(
        "Livret personnel de compétences Palier 3 Bilan détaillé en date du 15/02/2027"
    )
    assert f"Nom et prénom : {name}" in first
    assert f"né(e) le : {born:%d/%m/%Y}" in first
    assert f"classe de : {division}" in first
    assert "Professeur principal : Mme FRANÇOIS" in first


def test_the_pdf_names_the_livret_files_principal_only_for_a_class_the_structure_leaves_without(
    family_app, site, tm, livret
):
    with tm:
        pupil = site.pupils[livret]
        set_teaching_team(site, pupil.uai, pupil.division, {"Français": ("Mme FRANÇOIS",)})
    first = flat(pages_text(family_app.get(f"/eleve/{livret}/competences/livret.pdf").body)[0])
    assert "Professeur principal : Mme MOREL" in first


def test_the_pdf_holds_the_pages_dates_and_validations(family_app, livret):
    text = flat(
        " ".join(pages_text(family_app.get(f"/eleve/{livret}/competences/livret.pdf").body))
    )
    assert "La compétence 1 est validée le : 12/01/2027" in text
    assert "La maîtrise du niveau A2 est validée en ANGLAIS LV1 le : 01/02/2027" in text
    # Validated on 20/03/2027 and informed on 01/03/2027: not yet on 15/02/2027.
    assert re.search(r"La compétence 3 est validée le : (?!\d)", text)
    assert "20/03/2027" not in text and "01/03/2027" not in text
    assert "05/10/2026 Français 12/11/2026 Histoire-Géographie" in text
    for number in range(1, 8):
        assert f"Compétence {number} - {load_referential()[3].competence(number).label}" in text


@pytest.fixture
def demo_pupil(testapp, ts_app, site, tm) -> tuple[str, str]:
    """The demo pupil of A with the most competences validated by today, logged
    in: (id, birth date)."""
    today = date.fromisoformat(TODAY)

    def validated(pupil) -> int:
        palier3 = pupil.services[SERVICE_ID].palier(3)
        return sum(day <= today for day in palier3.validations.values())

    with tm:
        pupil = max(pupils_of(site, ESTABLISHMENT_A), key=validated)
        assert validated(pupil) > 0
        make_account(site, ts_app.registry.ts_hasher, [pupil.id], "famille.demo")
        found = pupil.id, f"{pupil.birth_date:%d/%m/%Y}"
    assert login(testapp, "famille.demo", PASSWORD).status_int == 303
    return found


def test_the_pdf_of_a_demo_pupil_matches_the_pages(testapp, demo_pupil):
    """Whatever the demo gave the pupil, the PDF and the pages tell the same."""
    pupil_id, born = demo_pupil
    listed = statuses(testapp.get(f"/eleve/{pupil_id}/competences"))
    assert "non validée à ce jour" in listed.values()
    assert any(status.startswith("validée le") for status in listed.values())
    text = flat(" ".join(pages_text(testapp.get(f"/eleve/{pupil_id}/competences/livret.pdf").body)))
    sentences = re.findall(
        r"(?:La compétence (\d) est validée|La maîtrise du niveau A2 est validée en [A-Z]+ LV1)"
        r" le : (\d\d/\d\d/\d{4})?",
        text,
    )
    in_pdf = {
        int(n or 2): f"validée le {d}" if d else "non validée à ce jour" for n, d in sentences
    }
    assert in_pdf == listed
    on_pages = [
        td.text
        for number in range(1, 8)
        for td in testapp.get(f"/eleve/{pupil_id}/competences/competence/{number}").html.select(
            "dialog tbody td"
        )
        if DATE.fullmatch(td.text)
    ]
    validated = [status.removeprefix("validée le ") for status in listed.values()]
    expected = ["15/02/2027", born, *on_pages, *(d for d in validated if DATE.fullmatch(d))]
    # Every date of the PDF is the bilan's, the birth date, or one the pages show.
    assert sorted(DATE.findall(text)) == sorted(expected)


def test_the_fonts_are_embedded(family_app, livret):
    reader = PdfReader(io.BytesIO(family_app.get(f"/eleve/{livret}/competences/livret.pdf").body))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/Subtype"] == "/TrueType"
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            assert "/ToUnicode" in font  # the text can be searched and copied
            names.add(font["/BaseFont"].split("+")[-1])
    assert names == {"DejaVuSans", "DejaVuSans-Bold"}
    assert "Éducation nationale" in reader.pages[0].extract_text()


@pytest.fixture
def full_livret() -> tuple[LpcRecord, Pupil]:
    """Every palier 3 item informed three times: many pages."""
    record = LpcRecord()
    record.set_professeur_principal("M. ROUSSEL")
    marks = {
        it.code: [
            ("Français", date(2025, 10, 1)),
            ("SVT", date(2026, 1, 5)),
            ("EPS", date(2026, 5, 4)),
        ]
        for it in load_referential()[3].items
    }
    record.set_palier(PalierRecord.from_renseignements(3, marks, {"1": date(2026, 12, 10)}))
    pupil = Pupil("p", ESTABLISHMENT_A, "Éloïse", "Lefèvre", date(2012, 4, 2), "3B")
    return record, pupil


def test_every_page_has_the_footer_and_its_number(full_livret):
    record, pupil = full_livret
    body = render_livret(build_livret(record, 3, date.fromisoformat(TODAY)), pupil)
    texts = [flat(t) for t in pages_text(body)]
    assert len(texts) >= 4
    footer = pdf_footer()
    for number, text in enumerate(texts, 1):
        assert footer.title in text
        assert flat(footer.text) in text
        assert f"Page {number} sur {len(texts)}" in text
        if number > 1:  # the pupil's name heads the following pages
            assert text.startswith("Livret personnel de compétences — Palier 3 — LEFÈVRE Éloïse")


def test_a_competence_running_onto_the_next_page_repeats_its_title(full_livret):
    record, pupil = full_livret
    body = render_livret(build_livret(record, 3, date.fromisoformat(TODAY)), pupil)
    texts = [flat(t) for t in pages_text(body)]
    titles = [
        f"Compétence {comp.number} - {comp.label}" for comp in load_referential()[3].competences
    ]
    spread = {title: sum(title in text for text in texts) for title in titles}
    assert max(spread.values()) >= 2
    assert min(spread.values()) >= 1


def test_palier_1_has_its_three_competences(family_app, livret):
    body = family_app.get(f"/eleve/{livret}/competences/livret.pdf", params={"palier": "1"}).body
    text = flat(" ".join(pages_text(body)))
    assert list(dict.fromkeys(re.findall(r"Compétence (\d) - ", text))) == ["1", "3", "6"]
    assert "La compétence 6 est validée au palier 1 le :" in text


def test_livrets_drawn_at_once_by_several_threads_all_succeed():
    """waitress serves on threads, and what reportlab shares between documents
    must survive two threads at once: the footer laid out once per process
    (drawing that one paragraph from two threads was a 500, found by ``make
    bench``: 9 of 320 downloads by 8 clients), and the fonts' faces, which read
    the font file through one cursor while subsetting (an ``IndexError`` in CI,
    once in 24 livrets). Threads switch every microsecond and the livrets are
    short (one mark per item, more of their time spent saving), so that such a
    race fails most runs (3 of 5 before the fix), not one in a hundred."""
    pupil = Pupil("p", ESTABLISHMENT_A, "Éloïse", "Lefèvre", date(2012, 4, 2), "3B")
    record = LpcRecord()
    marks = {it.code: [("Français", date(2025, 10, 1))] for it in load_referential()[3].items}
    record.set_palier(PalierRecord.from_renseignements(3, marks, {}))
    livret = build_livret(record, 3, date.fromisoformat(TODAY))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            bodies = list(pool.map(lambda _: render_livret(livret, pupil), range(48)))
    finally:
        sys.setswitchinterval(interval)
    footer = pdf_footer().title
    for body in bodies:
        assert all(footer in text for text in pages_text(body))
