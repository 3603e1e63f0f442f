"""The STS-web import: the school's structure read safely, written whole or not at all."""

from datetime import date
from pathlib import Path

import pytest

from ts_host.admin.sts import import_sts, read_sts
from ts_host.api import ImportRejected, principals, teaching_team
from ts_host.cli import main
from ts_host.evolve import add_establishment_structures
from ts_host.models import Establishment

from .admin_helpers import DAY, NEW_NAME, NEW_UAI, Sandbox, latin9, write_ini

DATA = Path(__file__).parent / "data" / "sts"
STS_XML = DATA / "sts_emp_0545432L_2026.xml"
STS_ZIP = DATA / "sts_emp_0545432L_2026.zip"


@pytest.fixture
def box(tmp_path):
    sandbox = Sandbox(tmp_path)
    yield sandbox
    sandbox.close()


def variant(tmp_path, *replacements, name="sts_emp_0545432L_2026.xml"):
    """A copy of the sample export with some text replaced (the file stays ISO-8859-15)."""
    text = STS_XML.read_bytes().decode("iso-8859-15")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_bytes(latin9(text))
    return path


def load(box, paths, uai=NEW_UAI, today=DAY):
    with box.tm:
        return import_sts(box.site, uai, NEW_NAME, read_sts(paths), today)


def team(box, division):
    with box.tm:
        establishment = box.site.establishments[NEW_UAI]
        return {
            subject.subject: [t.display_name for t in subject.teachers]
            for subject in teaching_team(establishment, division)
        }, [t.display_name for t in principals(establishment, division)]


# Reading ------------------------------------------------------------------------------


def test_the_sample_export_is_read_with_its_levels_accents_and_groups():
    export = read_sts([STS_ZIP])
    assert (export.uaj, export.year) == (NEW_UAI, "2026")
    assert {code: d.level for code, d in export.divisions.items()} == {
        "6A": "6e",
        "5A": "5e",
        "4A": "4e",
        "3B": "3e",
    }
    assert export.teachers["70001"].display_name == "Mme FRANÇOIS"
    assert export.teachers["70003"].last_name == "MARTIN-CŒUR"
    assert export.teachers["70004"].first_name == "Bảo"  # a numeric character reference
    subjects = [s.subject for s in export.divisions["3B"].services]
    assert subjects[0] == "Français"  # LIBELLE_EDITION first
    assert subjects[-1] == "LANGUES ET CULTURES DE L'ANTIQUITE LATIN"  # the 3LATIN group's


def test_the_xml_and_the_zip_read_the_same():
    assert read_sts([STS_XML]).divisions == read_sts([STS_ZIP]).divisions


# Writing ------------------------------------------------------------------------------


def test_an_import_gives_each_class_its_team_and_todays_professeur_principal(box):
    summary = load(box, [STS_ZIP])
    assert str(summary) == (
        "4 classes, 7 enseignants, 20 services d'enseignement, 3 professeurs principaux"
    )
    subjects, led_by = team(box, "4A")
    assert subjects["LV1 - Anglais"] == ["Mme GARNIER", "Mme MARTIN-CŒUR"]
    assert subjects["Mathématiques"] == ["M. LAURENT"]
    # M. LAURENT's term ended on 31/01/2027; Mme MARTIN-CŒUR's began on 01/02/2027.
    assert led_by == ["Mme MARTIN-CŒUR"]
    assert team(box, "3B")[1] == ["Mme FRANÇOIS"]
    assert team(box, "5A")[1] == []
    with box.tm:
        structure = box.site.establishments[NEW_UAI].structure
        # The head (DIR) and the CPE (EDU) teach no class: not in the teams.
        assert {"70008", "70009"}.isdisjoint(structure.teachers)
        assert "sts_emp_0545432L_2026.xml" in structure.source


def test_an_import_is_audited(box, caplog):
    with caplog.at_level("INFO", logger="ts_host.audit"):
        load(box, [STS_ZIP])
    (record,) = [r for r in caplog.records if "sts.imported" in r.getMessage()]
    assert f'"uai": "{NEW_UAI}"' in record.getMessage()
    assert '"principals": 3' in record.getMessage()


def test_the_principal_follows_the_day_of_the_import(box):
    load(box, [STS_XML], today=date(2026, 10, 1))
    assert team(box, "4A")[1] == ["M. LAURENT"]


def test_importing_again_replaces_the_structure_and_changes_nothing_else(box, tmp_path):
    load(box, [STS_ZIP])
    first = [team(box, code) for code in ("6A", "5A", "4A", "3B")]
    load(box, [STS_ZIP])
    assert [team(box, code) for code in ("6A", "5A", "4A", "3B")] == first
    smaller = variant(tmp_path, ('<DIVISION CODE="5A">', '<DIVISION CODE="5Z">'))
    load(box, [smaller])
    assert team(box, "5A") == ({}, [])
    assert team(box, "5Z")[0]["Français"] == ["Mme ROUSSEL"]


# Refusals: nothing written ------------------------------------------------------------


def refused(box, paths, uai=NEW_UAI) -> list:
    with box.tm:
        before = dict(box.site.establishments[NEW_UAI].structure.divisions.items())
    with pytest.raises(ImportRejected) as caught:
        load(box, paths, uai)
    with box.tm:
        assert dict(box.site.establishments[NEW_UAI].structure.divisions.items()) == before
    return caught.value.bad_lines


@pytest.fixture
def loaded(box):
    load(box, [STS_ZIP])
    return box


def test_an_export_of_another_establishment_is_refused(loaded, tmp_path):
    other = variant(tmp_path, ('<UAJ CODE="0545432L">', '<UAJ CODE="0541234Y">'))
    (bad,) = refused(loaded, [other])
    assert bad.line == 4
    assert "celui de l'établissement 0541234Y, pas de 0545432L" in bad.message


def test_unknown_classes_subjects_and_teachers_are_all_listed_with_their_lines(loaded, tmp_path):
    broken = variant(
        tmp_path,
        ("<CODE_STRUCTURE>3B</CODE_STRUCTURE>", "<CODE_STRUCTURE>3Z</CODE_STRUCTURE>"),
        ('<DIVISION_APPARTENANCE CODE="4A"/>', '<DIVISION_APPARTENANCE CODE="4Z"/>'),
        ('<SERVICE CODE_MATIERE="061300"', '<SERVICE CODE_MATIERE="999999"'),
        ('<ENSEIGNANT ID="70007"', '<ENSEIGNANT ID="79999"'),
        ("<CIVILITE>2</CIVILITE>", "<CIVILITE>9</CIVILITE>"),
    )
    messages = " | ".join(f"{bad.line}: {bad.message}" for bad in refused(loaded, [broken]))
    assert "la classe 4Z n'est pas dans les divisions de l'export" in messages
    assert "matière 999999 absente des MATIERES" in messages
    assert "individu 79999 absent des INDIVIDUS" in messages
    assert "CIVILITE inconnue « 9 »" in messages
    # Mme FRANÇOIS's civility is refused, so is her term as principal of 3Z with her.
    assert messages.count("<INDIVIDU") == 1


def test_a_principal_of_an_unknown_class_is_refused(loaded, tmp_path):
    broken = variant(
        tmp_path, ("<CODE_STRUCTURE>6A</CODE_STRUCTURE>", "<CODE_STRUCTURE>6Z</CODE_STRUCTURE>")
    )
    (bad,) = refused(loaded, [broken])
    assert bad.line == 112  # the line of its CODE_STRUCTURE
    assert '<INDIVIDU ID="70004"' in bad.message
    assert "PROF_PRINC : la classe 6Z n'est pas dans les divisions" in bad.message


def test_a_malformed_export_is_refused_at_its_line(loaded, tmp_path):
    broken = variant(tmp_path, ("<PRENOM>Claire</PRENOM>", "<PRENOM>Claire</PRENOMS>"))
    (bad,) = refused(loaded, [broken])
    assert 'XML mal formé dans <PRENOM> de <INDIVIDU ID="70005"' in bad.message
    assert "depuis STS-web" in bad.message


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE STS_EDT [<!ENTITY a "ha">'
        + "".join(f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(9))
        + "]>",
        '<!DOCTYPE STS_EDT [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["milliard de rires", "entité externe"],
)
def test_no_entity_is_ever_expanded_or_fetched(loaded, tmp_path, doctype):
    hostile = variant(
        tmp_path,
        ("?>\n<STS_EDT>", f"?>\n{doctype}\n<STS_EDT>"),
        ("<PRENOM>Claire</PRENOM>", "<PRENOM>&j;&x;</PRENOM>"),
    )
    (bad,) = refused(loaded, [hostile])
    assert "<!DOCTYPE> refusée : un export STS-web n'en contient pas" in bad.message


def test_a_siecle_export_given_as_sts_is_named_for_what_it_is(loaded):
    siecle = STS_XML.parent.parent / "siecle" / "ElevesSansAdresses.xml"
    (bad,) = refused(loaded, [siecle])
    assert "<BEE_ELEVES> : ce n'est pas un export STS-web de la structure" in bad.message


# The command line and the evolution step ----------------------------------------------


def test_import_sts_from_the_command_line_prints_a_summary(tmp_path, capsys):
    ini = str(write_ini(tmp_path))
    assert main(["import", "sts", ini, "--uai", NEW_UAI, "--quiet", str(STS_ZIP)]) == 0
    assert f"Import STS-web de {NEW_UAI} terminé : 4 classes, 7 enseignants" in (
        capsys.readouterr().out
    )


def test_a_refused_file_leaves_the_database_untouched(tmp_path, capsys):
    ini = str(write_ini(tmp_path))
    assert main(["import", "sts", ini, "--uai", NEW_UAI, "--quiet", str(STS_ZIP)]) == 0
    database = (tmp_path / "Data.fs").read_bytes()
    broken = variant(
        tmp_path, ("<CODE_STRUCTURE>6A</CODE_STRUCTURE>", "<CODE_STRUCTURE>6Z</CODE_STRUCTURE>")
    )
    assert main(["import", "sts", ini, "--uai", NEW_UAI, "--quiet", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "Import refusé, rien n'a été écrit" in err and "ligne " in err
    assert (tmp_path / "Data.fs").read_bytes() == database


def test_the_evolution_step_gives_older_establishments_an_empty_structure(box):
    with box.tm:
        establishment = Establishment("0541234Y", "Ancien")
        del establishment.structure
        box.site.establishments.add("0541234Y", establishment)
        add_establishment_structures(box.site)
        assert teaching_team(establishment, "3A") == []
        assert principals(establishment, "3A") == ()
