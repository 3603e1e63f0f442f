"""The importer and export toolkit (``ts_host.importing``), on an in-memory site."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from ts_host.api import (
    Column,
    Importer,
    ImportRejected,
    ImportSummary,
    NotFound,
    PupilFinder,
    neutralise,
    parse_french_date,
    read_csv,
    read_rows,
    write_csv,
)
from ts_host.models import Establishment, Pupil, Site

UAI, OTHER = "0541234Y", "0542345F"


@pytest.fixture
def site() -> Site:
    site = Site()
    for uai in (UAI, OTHER):
        site.establishments.add(uai, Establishment(uai))
    people = [
        Pupil("p1", UAI, "Léa-Marie", "Dupont", date(2013, 5, 2), "4A", ine="1234567890A"),
        Pupil("p2", UAI, "Hugo", "Martin", date(2013, 1, 9), "4A", ine="1234567890B"),
        Pupil("p3", UAI, "Inès", "Bernard", date(2012, 8, 30), "3B", ine="1234567890C"),
        Pupil("p4", OTHER, "Zoé", "Petit", date(2013, 2, 3), "4A", ine="9999999999Z"),
    ]
    for pupil in people:
        site.pupils.add(pupil.id, pupil)
        site.establishments[pupil.uai].pupil_ids.add(pupil.id, pupil.division)
    return site


def centimetres(text: str) -> int:
    if not text.lstrip("-").isdigit():
        raise ValueError(f"taille invalide « {text} » (en centimètres)")
    return int(text)


class Heights(Importer):
    """A small format: one height per pupil, written only if the whole file is good."""

    name = "tailles"
    columns = (
        Column("uai", "UAI de l'établissement"),
        Column("eleve_ine", "INE de l'élève"),
        Column("date", "date de la mesure, JJ/MM/AAAA", parse=parse_french_date),
        Column("taille", "en centimètres", parse=centimetres, missing="taille manquante"),
        Column("remarque", "texte libre", required=False, optional=True),
    )
    description = "Chaque ligne remplace la taille de l'élève."

    def check(self, line):
        pupil = line.attempt(self.pupils.by_ine, line["uai"], line["eleve_ine"])
        if line["taille"] <= 0:
            line.problem("la taille doit être positive")
        return pupil, line["taille"], line["remarque"]

    def write(self, checked):
        for pupil, height, remark in checked:
            pupil.height = (height, remark)
        return ImportSummary(updated=len(checked))


def csv_file(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "tailles.csv"
    path.write_bytes(text.encode(encoding))
    return path


GOOD = (
    "uai;eleve_ine;date;taille\n"
    "0541234Y;1234567890A;01/02/2027;152\n"
    "0541234Y;1234567890B;01/02/2027;160\n"
)


@pytest.mark.parametrize(
    ("encoding", "remark"),
    [
        ("utf-8", "élève « très » grand œuf"),
        ("utf-8-sig", "élève « très » grand œuf"),
        ("cp1252", "élève « très » grand œuf…"),
        # Bytes Windows-1252 leaves undefined (0x81) are read as Latin-1.
        ("latin-1", "élève très grand \x81"),
    ],
)
def test_utf8_with_or_without_bom_and_windows_1252_are_read(tmp_path, encoding, remark):
    path = csv_file(tmp_path, f"uai;remarque\n0541234Y;{remark}\n", encoding)
    assert read_rows(path, ["uai", "remarque"]) == [(2, {"uai": "0541234Y", "remarque": remark})]


def test_a_file_that_is_not_text_is_refused_in_french(tmp_path):
    path = csv_file(tmp_path, "uai;remarque\n", "utf-16")
    with pytest.raises(ImportRejected) as refused:
        read_rows(path, ["uai"])
    assert refused.value.bad_lines[0].line == 1
    assert "pas un fichier texte CSV" in refused.value.bad_lines[0].message


@pytest.mark.parametrize("delimiter", [";", ","])
def test_semicolons_or_commas_separate_the_columns(tmp_path, delimiter):
    text = GOOD.replace(";", delimiter).replace("Taille", "taille")
    rows = read_rows(csv_file(tmp_path, text), ["uai", "eleve_ine", "date", "taille"])
    assert [row["taille"] for _number, row in rows] == ["152", "160"]


def test_a_comma_in_a_value_does_not_fool_the_separator(tmp_path):
    text = 'uai;remarque;taille\n0541234Y;"grand, mince";150\n'
    ((_number, row),) = read_rows(csv_file(tmp_path, text), ["uai", "remarque", "taille"])
    assert row["remarque"] == "grand, mince"


def test_the_header_names_every_missing_column(tmp_path):
    # Names are read without case or spaces, with either separator.
    path = csv_file(tmp_path, "UAI , Taille\n0541234Y,150\n")
    with pytest.raises(ImportRejected) as refused:
        Heights.run(Site(), None, path)
    (bad,) = refused.value.bad_lines
    assert bad.line == 1
    assert bad.message == "colonnes manquantes : eleve_ine, date"


def test_a_good_file_is_written_whole_with_progress(site, tmp_path):
    seen = []
    summary = Heights.run(site, None, csv_file(tmp_path, GOOD), progress=lambda *a: seen.append(a))
    assert summary.updated == 2
    assert site.pupils["p1"].height == (152, "")
    assert site.pupils["p2"].height == (160, "")
    assert seen == [(1, 2), (2, 2)]


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_written(site, tmp_path):
    text = GOOD + (
        "0541234Y;1234567890C;31/02/2027;-3\n"
        "\n"
        "0541234Y;;01/02/2027;cent\n"
        "0542345F;1234567890C;01/02/2027;150\n"
        "0000000A;1234567890C;01/02/2027;150\n"
        "0541234Y;1234567890C;01/02/2027;150\n"
        "0541234Y;;01/02/2027;\n"
    )
    with pytest.raises(ImportRejected) as refused:
        Heights.run(site, None, csv_file(tmp_path, text))
    bad = {b.line: b.message for b in refused.value.bad_lines}
    assert bad == {
        # Every problem of a line: a wrong date does not hide the wrong height.
        4: "date invalide « 31/02/2027 » (JJ/MM/AAAA attendu) ; la taille doit être positive",
        6: "valeur manquante : eleve_ine ; taille invalide « cent » (en centimètres)",
        7: "aucun élève d'INE « 1234567890C » dans l'établissement 0542345F",
        8: "établissement inconnu « 0000000A »",
        10: "valeur manquante : eleve_ine ; taille manquante",
    }
    assert not any(hasattr(pupil, "height") for pupil in site.pupils.values())
    assert "ligne 4 : date invalide" in str(refused.value)


def test_an_import_for_one_establishment_refuses_the_lines_of_another(site, tmp_path):
    """An office's import (``for_establishment``): its staff write their establishment only."""
    text = GOOD + "0542345F;9999999999Z;01/02/2027;150\n"
    with pytest.raises(ImportRejected) as refused:
        Heights.for_establishment(site, None, UAI).load(csv_file(tmp_path, text))
    assert {b.line: b.message for b in refused.value.bad_lines} == {
        4: "établissement 0542345F : ce fichier ne peut concerner que 0541234Y"
    }
    assert not any(hasattr(pupil, "height") for pupil in site.pupils.values())
    assert Heights.for_establishment(site, None, UAI).load(csv_file(tmp_path, GOOD)).updated == 2
    finder = Heights.for_establishment(site, None, UAI).pupils
    with pytest.raises(NotFound, match="établissement inconnu « 0542345F »"):
        finder.by_ine(OTHER, "9999999999Z")


def test_the_help_is_built_from_the_columns():
    text = Heights.import_format().help
    assert "uai;eleve_ine;date;taille;remarque" in text
    assert "\n  date       date de la mesure, JJ/MM/AAAA\n" in text
    assert "\n  remarque   texte libre (colonne facultative)\n" in text
    assert "Chaque ligne remplace la taille de l'élève." in text
    assert "refusé en entier" in text


@pytest.mark.parametrize(
    "cell", ["=1+1", "+33 6 12", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-", "-1", "-3,90"]
)
def test_formula_cells_are_quoted(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["=1+1", "-1+1", "-3,90=1", "-"])
def test_a_column_of_amounts_still_quotes_what_is_not_an_amount(cell):
    assert neutralise(cell, number=True) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["Dupont", "", "0541234Y", "06 12 34 56 78", "1=1", "'=1", "3,90\u00a0€"]
)
def test_other_cells_are_left_alone(cell):
    assert neutralise(cell) == cell


@pytest.mark.parametrize("cell", ["-3,90", "-3,90\u00a0€", "-12.5", "-4"])
def test_negative_amounts_stay_numbers_in_a_column_of_amounts(cell):
    assert neutralise(cell, number=True) == cell


def test_the_csv_writer_neutralises_every_cell_and_counts_rows(tmp_path):
    stream = io.StringIO()
    rows = [["=HYPERLINK(1)", "-3,90", "-3,90"], [None, 12, "-1+1"]]
    count = write_csv(stream, ["nom", "solde", "note"], rows, numbers=["solde"])
    assert count == 2
    assert stream.getvalue() == ("nom;solde;note\r\n'=HYPERLINK(1);-3,90;'-3,90\r\n;12;'-1+1\r\n")
    path = tmp_path / "sub" / "export.csv"
    write_csv(path, ["nom"], [["Élise"]], bom=True, delimiter=",")
    assert path.read_bytes() == "\ufeffnom\r\nÉlise\r\n".encode()
    assert list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))) == [
        ["nom"],
        ["Élise"],
    ]


def test_the_finder_finds_by_ine_only_within_the_establishment(site):
    finder = PupilFinder(site)
    assert finder.by_ine(UAI, "1234567890a").id == "p1"
    assert finder.get_by_ine(UAI, "9999999999Z") is None
    with pytest.raises(NotFound, match="aucun élève d'INE « 9999999999Z »"):
        finder.by_ine(UAI, "9999999999Z")
    with pytest.raises(NotFound, match="établissement inconnu « 0000000A »"):
        finder.get_by_ine("0000000A", "1234567890A")


def test_the_finder_lists_a_class_without_those_who_left(site):
    site.pupils["p2"].left_on = date(2027, 1, 5)
    finder = PupilFinder(site)
    assert [p.id for p in finder.of_class(UAI, "4A")] == ["p1"]
    assert [p.id for p in finder.of_class(UAI, "4A", left=True)] == ["p1", "p2"]
    assert finder.of_class(UAI, "6Z") == []


def test_the_finder_finds_by_name_and_birth_date_without_case_or_accents(site):
    finder = PupilFinder(site)
    assert finder.by_name(UAI, "DUPONT", "lea marie", date(2013, 5, 2)).id == "p1"
    with pytest.raises(NotFound, match="aucun élève DUPONT Léa né le 02/05/2013"):
        finder.by_name(UAI, "DUPONT", "Léa", date(2013, 5, 2))
    with pytest.raises(NotFound):
        finder.by_name(UAI, "Petit", "Zoé", date(2013, 2, 3))
    twin = Pupil("p5", UAI, "Lea Marie", "DUPONT", date(2013, 5, 2), "4B")
    site.pupils.add(twin.id, twin)
    site.establishments[UAI].pupil_ids.add(twin.id, twin.division)
    with pytest.raises(ValueError, match="plusieurs élèves"):
        PupilFinder(site).by_name(UAI, "Dupont", "Léa-Marie", date(2013, 5, 2))


def test_read_csv_still_reads_for_older_plugins_and_names_its_replacement(tmp_path):
    path = csv_file(tmp_path, GOOD)
    with pytest.warns(DeprecationWarning, match="Importer, or call read_rows"):
        rows = list(read_csv(path, ["uai", "taille"]))
    assert rows == read_rows(path, ["uai", "taille"])
