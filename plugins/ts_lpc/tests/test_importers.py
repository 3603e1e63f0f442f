"""``ts-admin import lpc``: a good file is written, a bad one refused whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ts_host.api import ImportRejected
from ts_host.testing import ESTABLISHMENT_A, pupils_of
from ts_lpc import ts_import_formats
from ts_lpc.models import SERVICE_ID, Renseignement

from .pages import statuses

SAMPLE = Path(__file__).parent / "data" / "lpc.csv"
SAMPLE_INE = "1234567890A"
HEADER = "uai;eleve_ine;palier;type;code;libelle;date\n"


@pytest.fixture
def pupil_ine(site, tm, pupil_enabled) -> tuple[str, str]:
    """The enabled child, its LPC data erased: (id, INE)."""
    with tm:
        pupil = site.pupils[pupil_enabled]
        pupil.services.pop(SERVICE_ID)
        return pupil.id, pupil.ine


def run_import(site, tm, path: Path):
    (lpc_format,) = ts_import_formats()
    assert lpc_format.name == "lpc"
    with tm:
        return lpc_format.run(site, None, path)


def sample_for(tmp_path: Path, ine: str) -> Path:
    path = tmp_path / "lpc.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace(SAMPLE_INE, ine), encoding="utf-8")
    return path


def test_the_sample_file_is_imported(site, tm, tmp_path, pupil_ine):
    pupil_id, ine = pupil_ine
    summary = run_import(site, tm, sample_for(tmp_path, ine))
    assert (summary.created, summary.updated, summary.unchanged) == (9, 0, 0)
    assert summary.extra == {"élève(s)": 1}
    with tm:
        record = site.pupils[pupil_id].services[SERVICE_ID]
        assert record.professeur_principal == "Mme LAMBERT"
        palier3 = record.palier(3)
        assert palier3.renseignements_of("3.1.1.1") == (
            Renseignement("Français", date(2026, 10, 5)),
            Renseignement("Histoire-Géographie", date(2026, 11, 12)),
        )
        assert palier3.validations == {"1": date(2027, 1, 12), "2": date(2027, 2, 1)}
        assert palier3.langue == "ANGLAIS LV1"
        assert record.palier(2).validations == {
            "3.1": date(2023, 6, 20),
            "3.2": date(2023, 6, 23),
        }
        assert record.palier(1).renseignements_of("1.6.1.1")[0].day == date(2020, 3, 10)


def test_importing_the_same_file_again_changes_nothing(site, tm, tmp_path, pupil_ine):
    path = sample_for(tmp_path, pupil_ine[1])
    run_import(site, tm, path)
    summary = run_import(site, tm, path)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 9)


def test_a_later_file_updates_a_validation_date_and_the_language(site, tm, tmp_path, pupil_ine):
    pupil_id, ine = pupil_ine
    run_import(site, tm, sample_for(tmp_path, ine))
    later = tmp_path / "later.csv"
    later.write_text(
        HEADER
        + f"{ESTABLISHMENT_A};{ine};3;validation;1;;19/01/2027\n"
        + f"{ESTABLISHMENT_A};{ine};3;validation;2;ALLEMAND LV1;01/02/2027\n"
        + f"{ESTABLISHMENT_A};{ine.lower()};;professeur_principal;;M. DURAND;\n",
        encoding="utf-8",
    )
    summary = run_import(site, tm, later)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 3, 0)
    with tm:
        record = site.pupils[pupil_id].services[SERVICE_ID]
        assert record.palier(3).validations["1"] == date(2027, 1, 19)
        assert record.palier(3).langue == "ALLEMAND LV1"
        assert record.professeur_principal == "M. DURAND"


def test_a_validation_of_palier_2_competence_3_without_part_validates_both(
    site, tm, tmp_path, pupil_ine
):
    pupil_id, ine = pupil_ine
    path = tmp_path / "c3.csv"
    path.write_text(HEADER + f"{ESTABLISHMENT_A};{ine};2;validation;3;;20/06/2023\n")
    assert run_import(site, tm, path).created == 2
    with tm:
        validations = site.pupils[pupil_id].services[SERVICE_ID].palier(2).validations
        assert validations == {"3.1": date(2023, 6, 20), "3.2": date(2023, 6, 20)}


def test_the_imported_livret_is_what_the_family_sees(family_app, site, tm, tmp_path, pupil_ine):
    pupil_id, ine = pupil_ine
    run_import(site, tm, sample_for(tmp_path, ine))
    listed = statuses(family_app.get(f"/eleve/{pupil_id}/competences"))
    assert listed[1] == "validée le 12/01/2027"
    assert listed[2] == "validée le 01/02/2027"
    palier2 = statuses(family_app.get(f"/eleve/{pupil_id}/competences", params={"palier": "2"}))
    assert palier2[3] == "validée le 23/06/2023"


def test_a_file_with_bad_lines_is_refused_whole(site, tm, tmp_path):
    with tm:
        pupils = pupils_of(site, ESTABLISHMENT_A)
        ine = pupils[0].ine
        before = [p.services.get(SERVICE_ID).as_json() for p in pupils]
    lines = [
        f"{ESTABLISHMENT_A};{ine};3;item;3.1.1.1;Français;05/10/2026",  # 2: good
        f"0000000A;{ine};3;item;3.1.1.1;Français;05/10/2026",  # 3
        f"{ESTABLISHMENT_A};0000000000Z;3;item;3.1.1.1;Français;05/10/2026",  # 4
        f"{ESTABLISHMENT_A};{ine};4;item;3.1.1.1;Français;05/10/2026",  # 5
        f"{ESTABLISHMENT_A};{ine};3;note;3.1.1.1;Français;05/10/2026",  # 6
        f"{ESTABLISHMENT_A};{ine};3;item;3.9.1.1;Français;05/10/2026",  # 7
        f"{ESTABLISHMENT_A};{ine};3;item;2.1.1.1;Français;05/10/2026",  # 8
        f"{ESTABLISHMENT_A};{ine};3;item;3.1.1.1;;05/10/2026",  # 9
        f"{ESTABLISHMENT_A};{ine};3;item;3.1.1.1;Français;31/02/2027",  # 10
        f"{ESTABLISHMENT_A};{ine};1;validation;2;;12/01/2027",  # 11
        f"{ESTABLISHMENT_A};{ine};3;validation;1;ANGLAIS LV1;12/01/2027",  # 12
        f"{ESTABLISHMENT_A};{ine};;professeur_principal;;;",  # 13
        f"{ESTABLISHMENT_A};{ine};3;item;3.1.1.1;Français;05/10/1999",  # 14
        f"{ESTABLISHMENT_A};{ine};3;professeur_principal;;M. X;",  # 15
        f"{ESTABLISHMENT_A};{ine};2;validation;3.3;;20/06/2023",  # 16
    ]
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    (lpc_format,) = ts_import_formats()
    with tm:
        with pytest.raises(ImportRejected) as refused:
            lpc_format.run(site, None, path)
        # Checked before anything is written, even inside this transaction.
        assert [p.services.get(SERVICE_ID).as_json() for p in pupils] == before
    bad = {b.line: b.message for b in refused.value.bad_lines}
    assert sorted(bad) == list(range(3, 17))
    assert "établissement inconnu" in bad[3]
    assert "aucun élève d'INE « 0000000000Z »" in bad[4]
    assert "palier « 4 »" in bad[5]
    assert "type « note » inconnu" in bad[6]
    assert "item inconnu : « 3.9.1.1 »" in bad[7]
    assert "n'est pas un item du palier 3" in bad[8]
    assert "discipline" in bad[9]
    assert "date invalide « 31/02/2027 »" in bad[10]
    assert "la compétence « 2 » n'existe pas au palier 1" in bad[11]
    assert "seule la compétence 2" in bad[12]
    assert "nom du professeur principal" in bad[13]
    assert "hors des années du livret" in bad[14]
    assert "doivent être vides" in bad[15]
    assert "la compétence « 3.3 » n'existe pas au palier 2" in bad[16]


def test_a_file_without_the_columns_is_refused(site, tm, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("uai;ine;date\n0541234Y;1;01/01/2027\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        run_import(site, tm, path)
    (bad,) = refused.value.bad_lines
    assert bad.line == 1 and "eleve_ine" in bad.message


def test_the_format_is_documented():
    (lpc_format,) = ts_import_formats()
    assert "uai;eleve_ine;palier;type;code;libelle;date" in lpc_format.help
    documentation = (Path(__file__).parents[1] / "IMPORT.md").read_text(encoding="utf-8")
    assert "uai;eleve_ine;palier;type;code;libelle;date" in documentation
    assert SAMPLE.read_text(encoding="utf-8").splitlines()[0] in documentation
