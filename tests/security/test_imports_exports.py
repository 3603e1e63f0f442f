"""Files from outside (SIECLE's XML exports) and files for spreadsheets (CSV exports).

CSV imports read what a spreadsheet writes and refuse anything else.
Every hostile file is refused with a French message naming it, quickly,
without expanding an entity, fetching anything or writing a line.
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import ts_notes
from ts_fiche.exports import export_pending
from ts_fiche.models import current_values, fiche_store

from ts_host.admin import codes as code_lists
from ts_host.admin import siecle, xmlexports
from ts_host.api import ImportRejected
from ts_host.models import ActivationCode, CodeKind, Pupil, Responsable
from ts_host.testing import ESTABLISHMENT_A, pupils_of

FORMULAS = ("=cmd|' /C calc'!A0", "+33 6 12", "-1+1", "@SUM(A1)", "\t=1", "\r=1")
HEAD = '<?xml version="1.0" encoding="ISO-8859-15"?>\n'
BODY = "<BEE_ELEVES><PARAMETRES><UAJ>0541234Y</UAJ></PARAMETRES><DONNEES>{}</DONNEES></BEE_ELEVES>"
BILLION_LAUGHS = (
    HEAD
    + '<!DOCTYPE BEE_ELEVES [<!ENTITY a "ahahahahahahahahahah">'
    + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
    + "]>\n"
    + BODY.format("&j;")
)
EXTERNAL_ENTITY = (
    HEAD + '<!DOCTYPE BEE_ELEVES [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + BODY.format("&x;")
)
EXTERNAL_DTD = HEAD + '<!DOCTYPE BEE_ELEVES SYSTEM "http://example.invalid/x.dtd">\n' + BODY


def refused(path) -> ImportRejected:
    started = time.monotonic()
    with pytest.raises(ImportRejected) as caught:
        siecle.read_exports([path])
    assert time.monotonic() - started < 5
    rejected = caught.value
    assert str(path) in rejected.path and rejected.bad_lines
    return rejected


@pytest.mark.parametrize(
    "text",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD],
    ids=["milliard de rires", "entité externe", "DTD externe"],
)
def test_no_document_type_is_read_so_no_entity_is_ever_expanded_or_fetched(tmp_path, text):
    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_text(text, encoding="iso-8859-15")
    message = refused(path).bad_lines[0].message
    assert "DOCTYPE" in message and "root:" not in message


@pytest.mark.parametrize(
    "content",
    [
        (HEAD + BODY.format("<ELEVES><ELEVE ELEVE_ID='1'><NOM>DUPONT")).encode("latin-1"),
        b"",
        b"%PDF-1.4 pas du XML",
        (HEAD + BODY.format("")).encode("utf-16"),
        ('<?xml version="1.0" encoding="UTF-8"?>' + BODY.format("é")).encode("latin-1"),
        ('<?xml version="1.0" encoding="X-INCONNU"?>' + BODY.format("")).encode(),
    ],
    ids=[
        "tronqué",
        "vide",
        "pas du XML",
        "UTF-16 déclaré latin-9",
        "latin-1 déclaré UTF-8",
        "codage inconnu",
    ],
)
def test_truncated_or_wrongly_encoded_files_are_refused_in_french(tmp_path, content):
    path = tmp_path / "Eleves.xml"
    path.write_bytes(content)
    refused(path)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    monkeypatch.setattr(xmlexports, "MAX_XML_BYTES", 1024 * 1024)
    path = tmp_path / "ElevesSansAdresses.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ElevesSansAdresses.xml", HEAD + BODY.format(" " * 2 * 1024 * 1024))
    assert path.stat().st_size < 50_000
    assert "volumineux" in refused(path).bad_lines[0].message


def test_a_damaged_zip_is_refused(tmp_path):
    path = tmp_path / "Eleves.zip"
    path.write_bytes(b"PK\x03\x04 pas une archive")
    refused(path)


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def test_the_codes_csv_neutralises_formulas_in_every_cell():
    pupil = Pupil("p1", "0541234Y", FORMULAS[0], FORMULAS[1], date(2014, 3, 2), FORMULAS[2])
    responsable = Responsable(
        "r1",
        "0541234Y",
        "M.",
        FORMULAS[3],
        FORMULAS[4],
        email=FORMULAS[5],
        address={"line1": FORMULAS[0], "city": FORMULAS[3], "postcode": FORMULAS[2]},
    )
    code = ActivationCode("AAAACCCDDDEEE", CodeKind.CAR, "p1", "r1", datetime(2026, 9, 1))
    stream = io.StringIO()
    code_lists.write_csv([code_lists.CodeRow(code, pupil, responsable)], stream)
    written = cells(stream.getvalue())
    assert any(cell.startswith("'=") for cell in written)
    assert not [cell for cell in written if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_the_fiche_export_neutralises_formulas_typed_by_a_family(ts_app, site, tm, cast):
    with tm:
        pupil = site.pupils[cast.own]
        responsable = site.responsables[pupil.responsables[0].responsable_id]
        current = current_values(responsable)
        wanted = {**current, "line1": FORMULAS[0], "city": FORMULAS[3]}
        wanted.update(profession=FORMULAS[1], phone_work=FORMULAS[2], email=FORMULAS[3])
        fiche_store(site).submit(
            responsable.id, pupil.id, "acct", datetime(2027, 2, 15), wanted, current
        )
    stream = io.StringIO()
    with tm:
        assert export_pending(site, ts_app.registry.ts_academy, stream) == 1
    written = cells(stream.getvalue().lstrip("\ufeff"))
    assert any(cell.startswith("'=") for cell in written)
    assert not [cell for cell in written if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


# CSV imports: what a school's spreadsheet writes is read right, anything else refused.

NOTES_SAMPLE = Path(ts_notes.__file__).parent / "tests" / "data" / "notes-exemple.csv"


def notes_import(site, tm, path):
    (notes_format,) = ts_notes.ts_import_formats()
    with tm:
        return notes_format.run(site, None, path)


def test_a_windows_1252_file_with_commas_is_read_like_the_utf8_one(site, tm, tmp_path):
    with tm:
        pupils = [p for p in pupils_of(site, ESTABLISHMENT_A) if p.active]
        division = pupils[0].division
        first, second = [p for p in pupils if p.division == division][:2]
        first.ine, second.ine = "1234567890A", "2345678901B"
        first_id = first.id
    rows = list(csv.reader(NOTES_SAMPLE.read_text(encoding="utf-8").splitlines(), delimiter=";"))
    stream = io.StringIO()
    csv.writer(stream, delimiter=",").writerows(
        [[*row[:1], division, *row[2:]] if n else row for n, row in enumerate(rows)]
    )
    path = tmp_path / "notes.csv"
    path.write_bytes(stream.getvalue().encode("cp1252"))
    summary = notes_import(site, tm, path)
    assert (summary.created, summary.extra["contrôles créés"]) == (8, 4)
    with tm:
        book = site.pupils[first_id].services["notes"].book
        assert "Mathématiques" in {evaluation.subject for evaluation in book}


def test_a_spreadsheet_saved_as_xlsx_is_refused_in_french_and_nothing_written(site, tm, tmp_path):
    path = tmp_path / "notes.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ImportRejected) as refused:
        notes_import(site, tm, path)
    (bad,) = refused.value.bad_lines
    assert bad.line == 1 and "pas un fichier texte CSV" in bad.message
