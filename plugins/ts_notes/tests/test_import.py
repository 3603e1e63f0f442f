"""``ts-admin import notes FILE``: the documented format, all or nothing."""

from decimal import Decimal
from pathlib import Path

import pytest

import ts_notes
from ts_host.api import ImportRejected
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of
from ts_notes.importers import COLUMNS, parse_coefficient, parse_grade, parse_teachers
from ts_notes.models import SERVICE_ID

SAMPLE = Path(__file__).parent / "data" / "notes-exemple.csv"
SAMPLE_INES = ("1234567890A", "2345678901B")


def run(site, path):
    (notes_format,) = ts_notes.ts_import_formats()
    return notes_format.run(site, None, path)


@pytest.fixture
def two_pupils(site, tm):
    """Two pupils of one division of A, given the sample's INEs: (ids, division)."""
    with tm:
        pupils = pupils_of(site, ESTABLISHMENT_A)
        division = pupils[0].division
        chosen = [p for p in pupils if p.division == division][:2]
        for pupil, ine in zip(chosen, SAMPLE_INES, strict=True):
            pupil.ine = ine
        return [p.id for p in chosen], division


def sample_for(division: str, tmp_path: Path, replace=()) -> Path:
    text = SAMPLE.read_text(encoding="utf-8").replace(";3A;", f";{division};")
    for old, new in replace:
        text = text.replace(old, new)
    path = tmp_path / "notes.csv"
    path.write_text(text, encoding="utf-8")
    return path


def find(book, label):
    return next(e for e in book if e.label == label)


def test_sample_file_imports_grades_evaluations_and_team(site, tm, two_pupils, tmp_path):
    (first, second), division = two_pupils
    with tm:
        summary = run(site, sample_for(division, tmp_path))
    assert (summary.created, summary.updated, summary.unchanged) == (8, 0, 0)
    assert summary.extra["contrôles créés"] == 4
    tm.begin()
    notes = site.pupils[first].services[SERVICE_ID]
    book = notes.book
    assert book.division == division
    fractions = find(book, "Contrôle fractions")
    assert fractions.coefficient == Decimal("2.0")
    assert str(fractions.published_on) == "2027-01-13"
    assert notes.grade(fractions.id) == Decimal("14.50")
    assert site.pupils[second].services[SERVICE_ID].grade(fractions.id) == Decimal("9.00")
    # Class figures from the division's numeric grades only.
    assert (fractions.average, fractions.minimum, fractions.maximum) == (
        Decimal("11.75"),
        Decimal("9.00"),
        Decimal("14.50"),
    )
    geometry = find(book, "Devoir géométrie")
    assert notes.grade(geometry.id) == "ABS"
    assert geometry.average == Decimal("12.25")
    assert find(book, "Song lyrics").published_on is None
    assert book.teams["Mathématiques"] == ("M. MARTIN",)
    assert book.teams["LV1 - Anglais"] == ("MME LEROY", "M. SIMON")
    assert book.teams["Français"] == ("MME DURAND",)  # the former principal mark, dropped
    tm.abort()


def test_imported_grades_show_on_the_page(family_app, family, site, tm, tmp_path):
    with tm:
        pupil = site.pupils[family.pupil_ids[0]]
        pupil.ine = SAMPLE_INES[0]
        division = pupil.division
    path = sample_for(division, tmp_path)
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if SAMPLE_INES[1] not in line
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with tm:
        run(site, path)
    page = family_app.get(f"/eleve/{pupil.id}/notes", params={"periode": "2027-01"})
    assert "Contrôle fractions" in page.text and "14,50" in page.text
    assert "Song lyrics" not in page.text


def test_importing_again_changes_nothing_and_a_new_grade_updates(site, tm, two_pupils, tmp_path):
    _ids, division = two_pupils
    with tm:
        run(site, sample_for(division, tmp_path))
    with tm:
        again = run(site, sample_for(division, tmp_path))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    assert again.extra["contrôles créés"] == 0
    with tm:
        changed = run(site, sample_for(division, tmp_path, [(";14,50", ";15,00")]))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 7)


def test_a_division_without_grades_gets_its_class_book(site, tm, two_pupils, tmp_path):
    (first, _second), division = two_pupils
    with tm:
        classmates = [p for p in pupils_of(site, ESTABLISHMENT_A) if p.division == division]
        for pupil in classmates:
            pupil.services.pop(SERVICE_ID)
    with tm:
        run(site, sample_for(division, tmp_path))
    tm.begin()
    book = site.pupils[first].services[SERVICE_ID].book
    assert len(list(book)) == 4
    # Every pupil of the division now shares the book, graded or not.
    assert all(p.services[SERVICE_ID].book is book for p in classmates)
    assert set(book.members) == {p.id for p in classmates}
    tm.abort()


MATHS = "0541234Y;{div};Mathématiques;M. MARTIN;"
FRACTIONS = MATHS + "Contrôle fractions;11/01/2027;"
BAD_LINES = [
    # (line added after the sample's, a fragment of the message expected for it)
    (MATHS + "Test;32/01/2027;1.0;;{ine};12", "date invalide"),
    (MATHS + "Test;10/01/2027;zéro;;{ine};12", "coefficient invalide"),
    (MATHS + "Test;10/01/2027;1.0;;{ine};21", "note invalide"),
    (MATHS + "Test;10/01/2027;1.0;;{ine};ABSENT", "note invalide"),
    (MATHS + "Test;10/01/2027;1.0;;0000000000Z;12", "aucun élève d'INE"),
    (
        "9999999Z;{div};Mathématiques;M. MARTIN;Test;10/01/2027;1.0;;{ine};12",
        "établissement inconnu",
    ),
    ("0541234Y;ZZ9;Mathématiques;M. MARTIN;Test;10/01/2027;1.0;;{ine};12", "pas en ZZ9"),
    ("0541234Y;{div};;M. MARTIN;Test;10/01/2027;1.0;;{ine};12", "valeur manquante : matiere"),
    (FRACTIONS + "1.0;13/01/2027;{ine};12", "même contrôle qu'à la ligne 2"),
    (FRACTIONS + "2.0;13/01/2027;{ine};12", "déjà donnée ligne 2"),
    (MATHS + "Test;10/01/2027;1.0;09/01/2027;{ine};12", "antérieure"),
]


def test_bad_lines_are_all_listed_with_their_numbers_and_nothing_is_written(
    site, tm, two_pupils, tmp_path
):
    (first, _second), division = two_pupils
    with tm:
        before = site.pupils[first].services[SERVICE_ID]._packed
        evaluations = len(list(site.pupils[first].services[SERVICE_ID].book))
    path = sample_for(division, tmp_path)
    extra = [line.format(div=division, ine=SAMPLE_INES[0]) for line, _ in BAD_LINES]
    with path.open("a", encoding="utf-8") as stream:
        stream.write("\n".join(extra) + "\n")
    with tm, pytest.raises(ImportRejected) as info:
        run(site, path)
    bad = {b.line: b.message for b in info.value.bad_lines}
    # The sample holds the header and 8 good lines: the added ones are 10 onwards.
    assert sorted(bad) == list(range(10, 10 + len(BAD_LINES)))
    for number, (_line, fragment) in enumerate(BAD_LINES, start=10):
        assert fragment in bad[number], (number, bad[number])
    tm.begin()
    assert site.pupils[first].services[SERVICE_ID]._packed == before
    assert len(list(site.pupils[first].services[SERVICE_ID].book)) == evaluations
    tm.abort()


def test_a_file_without_the_columns_is_refused_at_line_1(site, tm, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("uai;division;note\n0541234Y;3A;12\n", encoding="utf-8")
    with tm, pytest.raises(ImportRejected) as info:
        run(site, path)
    assert info.value.bad_lines[0].line == 1
    assert "colonnes manquantes" in info.value.bad_lines[0].message


def test_a_pupil_of_another_establishment_is_not_found(site, tm, tmp_path):
    with tm:
        other = pupils_of(site, ESTABLISHMENT_B)[0]
        other.ine = "9876543210K"
        division = other.division
    path = tmp_path / "notes.csv"
    path.write_text(
        ";".join(COLUMNS) + f"\n0541234Y;{division};Maths;M. X;Test;10/01/2027;1;;9876543210K;12\n",
        encoding="utf-8",
    )
    with tm, pytest.raises(ImportRejected) as info:
        run(site, path)
    assert "aucun élève d'INE « 9876543210K » dans l'établissement 0541234Y" in (
        info.value.bad_lines[0].message
    )


def test_format_is_documented_for_ts_admin_and_in_import_md():
    (notes_format,) = ts_notes.ts_import_formats()
    assert notes_format.name == "notes"
    header = ";".join(COLUMNS)
    assert header in notes_format.help
    documentation = (Path(ts_notes.__file__).parent / "IMPORT.md").read_text(encoding="utf-8")
    assert header in documentation
    assert SAMPLE.read_text(encoding="utf-8").splitlines()[0] == header


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13,40", Decimal("13.40")),
        ("13.4", Decimal("13.40")),
        ("16", Decimal("16.00")),
        ("0", Decimal("0.00")),
        ("20", Decimal("20.00")),
        ("abs", "ABS"),
        ("DIS", "DIS"),
        ("N.NOT", "N.NOT"),
    ],
)
def test_grades_read(text, expected):
    assert parse_grade(text) == expected


@pytest.mark.parametrize("text", ["20,5", "-1", "13,405", "treize", "", "1e1"])
def test_grades_refused(text):
    with pytest.raises(ValueError, match="note invalide"):
        parse_grade(text)


def test_coefficients_and_teachers_read():
    assert parse_coefficient("0,5") == Decimal("0.5")
    assert parse_coefficient("2") == Decimal("2")
    for text in ("0", "-1", "abc", "0.125", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            parse_coefficient(text)
    assert parse_teachers("MME LEROY,  M. SIMON*") == ("MME LEROY", "M. SIMON")
    assert parse_teachers("M. MARTIN") == ("M. MARTIN",)


def test_every_problem_of_a_line_is_reported(site, tm, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(
        ";".join(COLUMNS) + "\n0541234Y;3A;Maths;M. X;Test;31/02/2027;0;;XXXX;25\n",
        encoding="utf-8",
    )
    with tm, pytest.raises(ImportRejected) as info:
        run(site, path)
    (bad,) = info.value.bad_lines
    assert bad.line == 2
    for fragment in ("date invalide", "coefficient invalide", "note invalide", "aucun élève"):
        assert fragment in bad.message
