"""The establishment's side: the export of pending requests and the apply step."""

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest

import ts_fiche
from ts_fiche.exports import EXPORT_COLUMNS, apply_accepted, export_pending
from ts_fiche.models import APPLIED, PENDING, REFUSED, TRANSMITTED, current_values, fiche_store
from ts_fiche.schemas import comparable
from ts_host.api import ImportRejected
from ts_host.testing import ESTABLISHMENT_A, pupils_of

DATA = Path(__file__).parent / "data"
WHEN = datetime(2027, 2, 15, 10, 30)


def submit(site, pupil, index=0, account_id="acct-test", **changes):
    """Record a request for the pupil's responsable number ``index``."""
    responsable = site.responsables[pupil.responsables[index].responsable_id]
    current = comparable(current_values(responsable))
    return fiche_store(site).submit(
        responsable.id, pupil.id, account_id, WHEN, {**current, **changes}, current
    )


def read_export(text):
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline=""), delimiter=";"))


@pytest.fixture
def two_pupils(site, tm):
    with tm:
        return [p.id for p in pupils_of(site, ESTABLISHMENT_A)[:2]]


def test_export_writes_one_row_per_pending_request_and_marks_it_transmitted(site, tm, two_pupils):
    with tm:
        first, second = (site.pupils[p] for p in two_pupils)
        a = submit(site, first, phone_mobile="07 11 22 33 44", account_id="acct-a")
        b = submit(site, second, line2="Bâtiment B", sms_consent=True)
        responsable = site.responsables[a.responsable_id]
        stream = io.StringIO()
        assert export_pending(site, None, stream, now=WHEN) == 2
        assert (a.state, b.state) == (TRANSMITTED, TRANSMITTED)
        assert a.transmitted == WHEN
        expected_a = {
            "id_demande": a.id,
            "uai": responsable.uai,
            "id_responsable": responsable.id,
            "personne_id": responsable.siecle_id,
            "civilite": responsable.civility,
            "nom": responsable.last_name,
            "prenom": responsable.first_name,
            "adresse_ligne1": responsable.address["line1"],
            "code_postal": responsable.address["postcode"],
            "telephone_portable": "07 11 22 33 44",
            "email": responsable.email,
            "profession": responsable.profession,
            "accord_sms": "oui" if responsable.sms_consent else "non",
            "champs_modifies": "telephone_portable",
            "date_demande": "15/02/2027 10:30",
            "auteur_compte": "acct-a",
            "auteur_responsable": responsable.id,
        }
    rows = read_export(stream.getvalue())
    assert list(rows[0]) == EXPORT_COLUMNS
    by_id = {row["id_demande"]: row for row in rows}
    assert set(by_id) == {a.id, b.id}
    for column, value in expected_a.items():
        assert by_id[a.id][column] == value, column
    assert by_id[b.id]["adresse_ligne2"] == "Bâtiment B"
    assert by_id[b.id]["accord_sms"] == "oui"
    assert by_id[b.id]["champs_modifies"] in ("adresse_ligne2,accord_sms", "adresse_ligne2")


def test_a_second_export_has_nothing_left(site, tm, two_pupils, tmp_path):
    with tm:
        submit(site, site.pupils[two_pupils[0]], line2="Bâtiment B")
        assert export_pending(site, None, tmp_path / "one.csv") == 1
        assert export_pending(site, None, tmp_path / "two.csv") == 0
    raw = (tmp_path / "two.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == [";".join(EXPORT_COLUMNS)]


def test_export_can_keep_one_establishment(site, tm, two_pupils):
    with tm:
        submit(site, site.pupils[two_pupils[0]], line2="Bâtiment B")
        with pytest.raises(ValueError, match="établissement inconnu"):
            export_pending(site, FakeAcademy(), io.StringIO(), uai="0000000A")
        assert export_pending(site, FakeAcademy(), io.StringIO(), uai="0542345F") == 0
        stream = io.StringIO()
        assert export_pending(site, FakeAcademy(), stream, uai=ESTABLISHMENT_A) == 1


class FakeAcademy:
    def establishment(self, uai):
        return object() if uai in (ESTABLISHMENT_A, "0542345F") else None


def test_export_neutralises_formulas(site, tm, two_pupils):
    with tm:
        change = submit(
            site,
            site.pupils[two_pupils[0]],
            profession='=HYPERLINK("http://evil.test";"clic")',
            line2="+33 rue",
            line3="-1",
            city="@SUM(A1)",
            email="",
        )
        stream = io.StringIO()
        export_pending(site, None, stream)
    [row] = read_export(stream.getvalue())
    assert row["id_demande"] == change.id
    assert row["profession"] == '\'=HYPERLINK("http://evil.test";"clic")'
    assert row["adresse_ligne2"] == "'+33 rue"
    assert row["adresse_ligne3"] == "'-1"
    assert row["commune"] == "'@SUM(A1)"


def accepted_file(tmp_path, lines, header="id_demande;decision"):
    path = tmp_path / "acceptees.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_apply_writes_the_changed_fields_only_and_marks_the_requests(
    site, tm, two_pupils, tmp_path
):
    with tm:
        first, second = (site.pupils[p] for p in two_pupils)
        a = submit(site, first, phone_work="03 83 12 34 56", profession="Infirmière")
        b = submit(site, second, line2="Bâtiment B")
        export_pending(site, None, io.StringIO())
        responsable = site.responsables[a.responsable_id]
        responsable.email = "changed-by-school@example.org"  # after the request
        other = site.responsables[b.responsable_id]
        other_address = dict(other.address)
    path = accepted_file(tmp_path, [f"{a.id};acceptée", f"{b.id};refusée"])
    with tm:
        summary = apply_accepted(site, None, path)
    assert (summary.updated, summary.extra) == (
        1,
        {"demandes appliquées": 1, "demandes refusées": 1},
    )
    with tm:
        responsable = site.responsables[a.responsable_id]
        assert responsable.phones["work"] == "03 83 12 34 56"
        assert responsable.profession == "Infirmière"
        assert responsable.email == "changed-by-school@example.org"
        assert site.responsables[b.responsable_id].address == other_address
        store = fiche_store(site)
        assert store.get(a.id).state == APPLIED
        assert store.get(b.id).state == REFUSED


def test_apply_refuses_bad_lines_with_their_numbers_and_writes_nothing(
    site, tm, two_pupils, tmp_path
):
    with tm:
        first, second = (site.pupils[p] for p in two_pupils)
        good = submit(site, first, phone_work="03 83 12 34 56")
        export_pending(site, None, io.StringIO())
        pending = submit(site, second, line2="Bâtiment B")
        old_work = site.responsables[good.responsable_id].phones.get("work", "")
    path = accepted_file(
        tmp_path,
        [
            f"{good.id};",
            "inconnue123;",
            f"{pending.id};",
            f"{good.id};",
            f"{good.id};peut-être",
            ";",
        ],
    )
    with tm, pytest.raises(ImportRejected) as refused:
        apply_accepted(site, None, path)
    lines = {bad.line: bad.message for bad in refused.value.bad_lines}
    assert sorted(lines) == [3, 4, 5, 6, 7]
    assert "inconnue « inconnue123 »" in lines[3]
    assert "en attente de validation" in lines[4]
    assert "déjà présente ligne 2" in lines[5]
    assert "déjà présente ligne 2" in lines[6]
    assert "identifiant de demande manquant" in lines[7]
    with tm:
        assert site.responsables[good.responsable_id].phones.get("work", "") == old_work
        assert fiche_store(site).get(good.id).state == TRANSMITTED
        assert fiche_store(site).get(pending.id).state == PENDING


def test_apply_refuses_an_unknown_decision(site, tm, two_pupils, tmp_path):
    with tm:
        change = submit(site, site.pupils[two_pupils[0]], line2="Bâtiment B")
        export_pending(site, None, io.StringIO())
    with tm, pytest.raises(ImportRejected) as refused:
        apply_accepted(site, None, accepted_file(tmp_path, [f"{change.id};peut-être"]))
    [bad] = refused.value.bad_lines
    assert (bad.line, "décision « peut-être » inconnue" in bad.message) == (2, True)


def test_apply_refuses_a_request_already_decided(site, tm, two_pupils, tmp_path):
    with tm:
        change = submit(site, site.pupils[two_pupils[0]], line2="Bâtiment B")
        export_pending(site, None, io.StringIO())
        apply_accepted(site, None, accepted_file(tmp_path, [change.id]))
    with tm, pytest.raises(ImportRejected) as refused:
        apply_accepted(site, None, accepted_file(tmp_path, [change.id]))
    assert "appliquée" in refused.value.bad_lines[0].message


def test_apply_reads_the_export_file_itself(site, tm, two_pupils, tmp_path):
    """The school may send back the export, keeping the rows it accepts."""
    with tm:
        change = submit(site, site.pupils[two_pupils[0]], profession="=cmd")
        export_pending(site, None, tmp_path / "export.csv")
    with tm:
        apply_accepted(site, None, tmp_path / "export.csv")
        assert site.responsables[change.responsable_id].profession == "=cmd"


def test_import_format_fiche_runs_apply_and_documents_the_columns():
    [import_format] = ts_fiche.ts_import_formats()
    assert import_format.name == "fiche"
    assert import_format.run is apply_accepted
    assert "id_demande" in import_format.help and "decision" in import_format.help


def test_sample_file_has_the_documented_header(site, tm):
    """The sample's ids exist in no database: each line is refused, by number."""
    with tm, pytest.raises(ImportRejected) as refused:
        apply_accepted(site, None, DATA / "fiche-decisions.csv")
    assert [bad.line for bad in refused.value.bad_lines] == [2, 3]
    assert all("demande inconnue" in bad.message for bad in refused.value.bad_lines)


def test_apply_refuses_a_file_without_the_id_column(site, tm, tmp_path):
    with tm, pytest.raises(ImportRejected) as refused:
        apply_accepted(site, None, accepted_file(tmp_path, ["x"], header="identifiant"))
    assert refused.value.bad_lines[0].line == 1
