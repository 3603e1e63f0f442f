"""SIECLE imports: the exports read safely, upserted in one transaction."""

import zipfile
from datetime import date

import pytest

import ts_host.testing as kit
from ts_host import activation
from ts_host.admin.importer import import_siecle
from ts_host.admin.siecle import read_exports
from ts_host.api import ImportRejected
from ts_host.cli import main
from ts_host.models import CodeKind, CodeState

from .accounts_helpers import create_responsable, fill_account, fill_children
from .admin_helpers import (
    DATA,
    DAY,
    NEW_NAME,
    NEW_UAI,
    PUPILS_XML,
    RESPONSABLES_XML,
    SAMPLES,
    Sandbox,
    latin9,
    write_academy,
    write_big_exports,
    write_ini,
)


@pytest.fixture
def box(tmp_path):
    sandbox = Sandbox(tmp_path)
    yield sandbox
    sandbox.close()


def variant(tmp_path, source, name, *replacements):
    """A copy of a sample export with some text replaced (files stay ISO-8859-15)."""
    text = source.read_bytes().decode("iso-8859-15")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_bytes(latin9(text))
    return path


def pupil_by_eleve_id(site, eleve_id, uai=NEW_UAI):
    return site.pupils[site.establishments[uai].by_eleve_id[eleve_id]]


def responsable_by_personne_id(site, personne_id, uai=NEW_UAI):
    return site.responsables[site.establishments[uai].by_personne_id[personne_id]]


def codes_of(site, pupil):
    return sorted(
        (c for c in site.codes.values() if c.pupil_id == pupil.id),
        key=lambda c: (c.kind, c.responsable_id or ""),
    )


# Reading the exports ------------------------------------------------------------


def test_the_sample_exports_are_read_with_their_accents_and_references():
    exports = read_exports(SAMPLES)
    assert exports.pupils.parameters.uaj == NEW_UAI
    pupils = exports.pupils.pupils
    assert pupils["4200104"].last_name == "MARTIN-CŒUR"  # NOM_USAGE before NOM_DE_FAMILLE
    assert pupils["4200103"].first_name == "Bảo"  # a numeric character reference
    chloe = pupils["4200101"]
    assert (chloe.division, chloe.level, chloe.sex, chloe.ine) == ("3B", "3e", "F", "1204567891A")
    assert chloe.birth_date == date(2012, 3, 14)
    assert pupils["4200106"].division == ""  # only a group (G), no class (D)
    assert pupils["4200105"].leave_date == date(2026, 12, 18)
    people = exports.responsables.responsables
    assert people["5300210"].first_name == "Łukasz"
    assert people["5300201"].address["city"] == "VANDŒUVRE-LÈS-NANCY"
    assert people["5300201"].civility == "Mme"
    assert people["5300208"].address["country"] == "LUXEMBOURG"
    assert people["5300205"].last_name == "MARTIN-CŒUR"
    ties = {(t.eleve_id, t.personne_id): t for t in exports.responsables.ties}
    assert ties["4200109", "5300212"].legal == 0
    assert ties["4200101", "5300201"].relationship == "MERE"


@pytest.mark.parametrize("name", ["ElevesSansAdresses", "ResponsablesAvecAdresses"])
def test_the_zipped_copies_are_the_xml_files_as_schools_download_them(name):
    with zipfile.ZipFile(DATA / f"{name}.zip") as archive:
        assert archive.read(f"{name}.xml") == (DATA / f"{name}.xml").read_bytes()
    zipped = read_exports([DATA / f"{name}.zip"])
    plain = read_exports([DATA / f"{name}.xml"])
    assert (zipped.pupils, zipped.responsables) != (None, None)
    if zipped.pupils:
        assert zipped.pupils.pupils == plain.pupils.pupils
    else:
        assert zipped.responsables.responsables == plain.responsables.responsables
    assert f"{name}.zip ({name}.xml)" in zipped.sources[0]


def test_a_malformed_file_is_refused_with_its_line_and_element():
    with pytest.raises(ImportRejected) as refused:
        read_exports([DATA / "ElevesMalforme.xml"])
    assert refused.value.path.endswith("ElevesMalforme.xml")
    (bad,) = refused.value.bad_lines
    assert bad.line == 30
    assert 'XML mal formé dans <PRENOM> de <ELEVE ELEVE_ID="4200102"' in bad.message


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_hostile_files_are_refused_at_their_doctype_before_any_entity(name):
    with pytest.raises(ImportRejected) as refused:
        read_exports([DATA / name])
    (bad,) = refused.value.bad_lines
    assert bad.line == 2
    assert "<!DOCTYPE> refusée" in bad.message
    assert "root:" not in str(refused.value)  # /etc/passwd was never read


def test_a_file_that_is_not_a_siecle_export_is_refused(tmp_path):
    path = tmp_path / "Nomenclature.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n<BEE_NOMENCLATURES/>\n')
    with pytest.raises(ImportRejected, match="ce n'est pas un export SIECLE"):
        read_exports([path])


def test_a_broken_zip_and_a_zip_without_xml_are_refused(tmp_path):
    broken = tmp_path / "ElevesSansAdresses.zip"
    broken.write_bytes(b"PK\x03\x04 pas vraiment une archive")
    with pytest.raises(ImportRejected, match="archive zip illisible"):
        read_exports([broken])
    empty = tmp_path / "vide.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("lisez-moi.txt", "rien")
    with pytest.raises(ImportRejected, match="aucun fichier XML"):
        read_exports([empty])


def test_a_bad_date_or_a_missing_name_is_refused_at_its_own_line(tmp_path):
    path = variant(
        tmp_path,
        PUPILS_XML,
        "ElevesSansAdresses.xml",
        ("<DATE_NAISS>02/09/2013</DATE_NAISS>", "<DATE_NAISS>31/02/2013</DATE_NAISS>"),
        ("<PRENOM>Zoé</PRENOM>", "<PRENOM></PRENOM>"),
    )
    with pytest.raises(ImportRejected) as refused:
        read_exports([path])
    lines = {bad.line: bad.message for bad in refused.value.bad_lines}
    assert lines[31] == (
        '<ELEVE ELEVE_ID="4200102" ELENOET="2102"> : DATE_NAISS : date invalide « 31/02/2013 » '
        "(JJ/MM/AAAA attendu)"
    )
    assert lines[114] == '<ELEVE ELEVE_ID="4200108" ELENOET="2108"> : PRENOM manquant'


def test_two_pupils_exports_in_one_import_are_refused():
    with pytest.raises(ImportRejected, match="un deuxième export élèves"):
        read_exports([PUPILS_XML, DATA / "ElevesSansAdresses.zip"])


# Importing -------------------------------------------------------------------------


def test_an_import_creates_pupils_responsables_links_and_codes(box):
    summary = box.load()
    assert (summary.pupils.created, summary.left) == (7, 2)
    assert summary.responsables.created == 12
    assert (summary.codes[CodeKind.CAR], summary.codes[CodeKind.CAE]) == (11, 7)
    site = box.site
    chloe = pupil_by_eleve_id(site, "4200101")
    assert chloe.id != "4200101" and len(chloe.id) == 16  # an opaque public id
    assert (chloe.siecle_id, chloe.ine, chloe.division, chloe.level) == (
        "4200101",
        "1204567891A",
        "3B",
        "3e",
    )
    assert site.establishments[NEW_UAI].name == NEW_NAME
    assert site.establishments[NEW_UAI].pupil_ids[chloe.id] == "3B"
    mother = responsable_by_personne_id(site, "5300201")
    assert mother.full_name == "Mme Sophie LEFÈVRE"
    assert mother.phones == {"personal": "03 83 51 22 10", "mobile": "06 12 34 56 01"}
    assert mother.sms_consent and mother.email == "sophie.lefevre@example.org"
    assert [(link.legal, link.relationship) for link in chloe.responsables] == [
        (1, "MERE"),
        (2, "PERE"),
    ]
    car = [c for c in codes_of(site, chloe) if c.kind is CodeKind.CAR]
    assert {c.responsable_id for c in car} == {link.responsable_id for link in chloe.responsables}
    assert all(c.state is CodeState.UNUSED for c in codes_of(site, chloe))


def test_a_contact_without_parental_authority_gets_no_code(box):
    box.load()
    mael = pupil_by_eleve_id(box.site, "4200109")
    grandmother = responsable_by_personne_id(box.site, "5300212")
    assert grandmother.id in [link.responsable_id for link in mael.responsables]
    assert [c.responsable_id for c in codes_of(box.site, mael) if c.kind is CodeKind.CAR] == [
        responsable_by_personne_id(box.site, "5300211").id
    ]


def test_reimporting_the_same_files_writes_nothing(box):
    box.load([DATA / "ElevesSansAdresses.zip", DATA / "ResponsablesAvecAdresses.zip"])
    with box.tm:
        codes_before = {c.code: c.state for c in box.site.codes.values()}
    written = box.db.lastTransaction()
    summary = box.load()
    assert (summary.total.created, summary.total.updated, summary.total.unchanged) == (0, 0, 21)
    assert summary.left == 0 and sum(summary.codes.values()) == 0
    assert box.db.lastTransaction() == written  # not one object changed
    with box.tm:
        assert {c.code: c.state for c in box.site.codes.values()} == codes_before


def test_a_pupil_whose_leave_date_passes_leaves_and_keeps_links_and_codes(box):
    box.load(today=date(2026, 12, 1))
    with box.tm:
        noe = pupil_by_eleve_id(box.site, "4200105")
        assert noe.active
        codes = [c.code for c in codes_of(box.site, noe)]
        assert len(codes) == 2  # his CAE and his father's CAR
    summary = box.load()
    assert summary.left == 1 and summary.pupils.created == 0
    with box.tm:
        assert noe.left_on == date(2026, 12, 18)
        assert [c.code for c in codes_of(box.site, noe)] == codes
        assert len(noe.responsables) == 1
        cae = next(c for c in codes_of(box.site, noe) if c.kind is CodeKind.CAE)
        assert cae.usable  # kept for the history, but activation refuses it:
        assert activation.match(box.site, cae.code, "Noé", noe.birth_date, CodeKind.CAE) is None


def test_a_pupil_without_a_class_leaves_today(box, tmp_path):
    with_class = variant(
        tmp_path,
        PUPILS_XML,
        "ElevesSansAdresses.xml",
        (
            "<CODE_STRUCTURE>4LATIN</CODE_STRUCTURE>\n          <TYPE_STRUCTURE>G",
            "<CODE_STRUCTURE>4A</CODE_STRUCTURE>\n          <TYPE_STRUCTURE>D",
        ),
    )
    box.load([with_class, RESPONSABLES_XML])
    summary = box.load()
    assert summary.left == 1
    with box.tm:
        ines = pupil_by_eleve_id(box.site, "4200106")
        assert ines.left_on == DAY and ines.division == "4A"  # the last class is kept
        assert len(codes_of(box.site, ines)) == 2


def test_a_pupil_missing_from_a_new_export_leaves_and_comes_back(box, tmp_path):
    box.load()
    text = PUPILS_XML.read_bytes().decode("iso-8859-15")
    start = text.index('      <ELEVE ELEVE_ID="4200101"')
    end = text.index('      <ELEVE ELEVE_ID="4200102"')
    without_chloe = text[:start] + text[end:]
    start = without_chloe.index('      <STRUCTURES_ELEVE ELEVE_ID="4200101"')
    end = without_chloe.index('      <STRUCTURES_ELEVE ELEVE_ID="4200102"')
    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes(latin9(without_chloe[:start] + without_chloe[end:]))
    assert box.load([path]).left == 1
    with box.tm:
        assert pupil_by_eleve_id(box.site, "4200101").left_on == DAY
    back = box.load([PUPILS_XML])
    assert (back.pupils.updated, back.left) == (1, 0)
    with box.tm:
        assert pupil_by_eleve_id(box.site, "4200101").active


def test_changes_in_siecle_are_updates_and_new_links_get_only_their_code(box, tmp_path):
    box.load()
    with box.tm:
        before = {c.code for c in box.site.codes.values()}
    pupils = variant(
        tmp_path,
        PUPILS_XML,
        "ElevesSansAdresses.xml",
        ("<CODE_STRUCTURE>4A</CODE_STRUCTURE>", "<CODE_STRUCTURE>4C</CODE_STRUCTURE>"),
    )
    responsables = variant(
        tmp_path,
        RESPONSABLES_XML,
        "ResponsablesAvecAdresses.xml",
        ("<RESP_LEGAL>0</RESP_LEGAL>", "<RESP_LEGAL>2</RESP_LEGAL>"),
        ("<MEL>anne.garnier@example.org</MEL>", "<MEL>anne.garnier@example.net</MEL>"),
    )
    summary = box.load([pupils, responsables])
    # Théo and Zoé change class; Maël gets a second legal responsable.
    assert (summary.pupils.updated, summary.pupils.unchanged) == (3, 6)
    assert (summary.responsables.updated, summary.responsables.unchanged) == (1, 11)
    assert (summary.codes[CodeKind.CAR], summary.codes[CodeKind.CAE]) == (1, 0)
    with box.tm:
        theo = pupil_by_eleve_id(box.site, "4200102")
        assert theo.division == "4C"
        assert box.site.establishments[NEW_UAI].pupil_ids[theo.id] == "4C"
        assert before < {c.code for c in box.site.codes.values()}
        grandmother = responsable_by_personne_id(box.site, "5300212")
        assert any(c.responsable_id == grandmother.id for c in box.site.codes.values())


def test_a_responsables_export_alone_refers_to_pupils_imported_before(box):
    box.load([PUPILS_XML])
    summary = box.load([RESPONSABLES_XML])
    assert summary.responsables.created == 12
    assert summary.codes[CodeKind.CAR] == 11


@pytest.mark.parametrize(
    "paths, uai, line, message",
    [
        ([DATA / "ElevesAutreEtablissement.xml"], NEW_UAI, 4, "celui de l'établissement 0541234Y"),
        (
            [PUPILS_XML, RESPONSABLES_XML],
            kit.ESTABLISHMENT_A,
            4,
            f"celui de l'établissement {NEW_UAI}",
        ),
        (
            [PUPILS_XML, DATA / "ResponsablesReferenceInconnue.xml"],
            NEW_UAI,
            296,
            "ELEVE_ID 4299999 inconnu",
        ),
    ],
)
def test_a_wrong_establishment_or_an_unknown_reference_writes_nothing(
    box, paths, uai, line, message
):
    written = box.db.lastTransaction()
    with pytest.raises(ImportRejected) as refused, box.tm:
        import_siecle(box.site, uai, NEW_NAME, read_exports(paths), DAY)
    (bad,) = refused.value.bad_lines
    assert bad.line == line and message in bad.message
    assert box.db.lastTransaction() == written
    with box.tm:
        assert len(box.site.pupils) == 0 and len(box.site.codes) == 0


@pytest.mark.slow
def test_two_thousand_pupils_with_their_responsables_import_in_one_go(box, tmp_path):
    paths = write_big_exports(tmp_path, 2000)
    summary = box.load(paths)
    assert summary.pupils.created == 2000
    assert summary.responsables.created == 3733
    assert (summary.codes[CodeKind.CAR], summary.codes[CodeKind.CAE]) == (3333, 2000)
    again = box.load(paths)
    assert (again.total.created, again.total.updated, again.total.unchanged) == (0, 0, 5733)


def test_an_import_is_audited(box, caplog):
    with caplog.at_level("INFO", logger="ts_host.audit"):
        box.load()
    (record,) = [r for r in caplog.records if "siecle.imported" in r.getMessage()]
    assert f'"uai": "{NEW_UAI}"' in record.getMessage()
    assert '"car_issued": 11' in record.getMessage()


# The command line --------------------------------------------------------------------


def test_import_siecle_from_the_command_line_prints_a_summary(tmp_path, capsys):
    ini = str(write_ini(tmp_path))
    zips = [str(DATA / "ElevesSansAdresses.zip"), str(DATA / "ResponsablesAvecAdresses.zip")]
    assert main(["import", "siecle", ini, "--uai", NEW_UAI, "--quiet", *zips]) == 0
    out = capsys.readouterr().out
    assert "élèves : 7 créés, 0 mis à jour, 0 inchangés, 2 sortis" in out
    assert "codes émis : 11 CAR, 7 CAE" in out
    # The services' order (ini first) works as well.
    assert main(["import", ini, "siecle", "--uai", NEW_UAI, "--quiet", *map(str, SAMPLES)]) == 0
    assert "0 créés, 0 mis à jour, 9 inchangés, 0 sortis" in capsys.readouterr().out


@pytest.mark.parametrize(
    "hostile", ["ElevesMalforme.xml", "billion-laughs.xml", "external-entity.xml"]
)
def test_a_malformed_or_hostile_file_leaves_the_database_untouched(tmp_path, capsys, hostile):
    ini = str(write_ini(tmp_path))
    assert main(["import", "siecle", ini, "--uai", NEW_UAI, "--quiet", *map(str, SAMPLES)]) == 0
    database = (tmp_path / "Data.fs").read_bytes()
    files = [str(PUPILS_XML), str(DATA / hostile)]
    if hostile == "ElevesMalforme.xml":
        files = [str(DATA / hostile), str(RESPONSABLES_XML)]
    assert main(["import", "siecle", ini, "--uai", NEW_UAI, "--quiet", *files]) == 1
    err = capsys.readouterr().err
    assert "Import refusé, rien n'a été écrit" in err
    assert f"{hostile} refusé" in err and "ligne " in err
    assert (tmp_path / "Data.fs").read_bytes() == database


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--quiet", "ElevesSansAdresses.xml"], "précisez l'établissement : --uai UAI"),
        (["--uai", "0599999X", "ElevesSansAdresses.xml"], "établissement 0599999X inconnu"),
        (["--uai", NEW_UAI, "Absent.xml"], "fichier introuvable : Absent.xml"),
    ],
)
def test_bad_arguments_are_a_french_message_and_status_2(tmp_path, capsys, arguments, message):
    ini = str(write_ini(tmp_path))
    arguments = [
        str(DATA / a) if a.endswith(".xml") and a != "Absent.xml" else a for a in arguments
    ]
    assert main(["import", "siecle", ini, *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_service_format_still_takes_one_file_and_no_uai(tmp_path, capsys):
    ini = str(write_ini(tmp_path))
    assert main(["import", ini, "notes", str(PUPILS_XML), str(RESPONSABLES_XML)]) == 2
    assert "lit un seul fichier, sans --uai" in capsys.readouterr().err


# Through the web ---------------------------------------------------------------------


@pytest.fixture
def ts_settings(tmp_path, ts_zodb_uri):
    """The kit's application, with the new establishment declared."""
    return kit.app_settings(tmp_path, write_academy(tmp_path), ts_zodb_uri)


def test_a_family_creates_its_account_on_the_web_from_the_imported_codes(testapp, site, tm):
    with tm:
        import_siecle(site, NEW_UAI, NEW_NAME, read_exports(SAMPLES), DAY)
        mother = responsable_by_personne_id(site, "5300201")
        rows = []
        for eleve_id in ("4200101", "4200102"):
            pupil = pupil_by_eleve_id(site, eleve_id)
            code = next(c for c in codes_of(site, pupil) if c.responsable_id == mother.id)
            rows.append((activation.display(code.code), pupil.first_name, pupil.birth_date))
    response = create_responsable(testapp, rows, login="sophie.lefevre")
    assert response.status_int == 303, response.text
    home = kit.login(testapp, "sophie.lefevre", kit.PASSWORD).follow()
    assert "2 enfants sont rattachés à votre compte" in home.text
    assert "Chloé" in home.text and "Théo" in home.text and NEW_NAME in home.text


def test_a_pupil_creates_an_account_with_the_name_typed_without_its_accent(testapp, site, tm):
    with tm:
        import_siecle(site, NEW_UAI, NEW_NAME, read_exports(SAMPLES), DAY)
        bao = pupil_by_eleve_id(site, "4200103")
        cae = next(c for c in codes_of(site, bao) if c.kind is CodeKind.CAE)
    page = testapp.get("/creer-compte/eleve")
    form = page.forms["creer-compte-eleve"]
    fill_children(form, [(activation.display(cae.code), "Bao", bao.birth_date)])
    fill_account(page, form, login="bao.nguyen", email="bao@example.org")
    assert form.submit("submit").status_int == 303
