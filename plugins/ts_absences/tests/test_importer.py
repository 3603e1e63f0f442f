"""``ts-admin import absences FILE``: every line checked, nothing written on error."""

from datetime import datetime
from pathlib import Path

import pytest

import ts_absences
from ts_absences.importers import import_absences, parse_datetime
from ts_absences.models import PROCESSED, REPORTED, SERVICE_ID, Absence, PupilAbsences
from ts_host.api import ImportRejected, service_data
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of

SAMPLE = Path(__file__).parent / "data" / "absences.csv"
HEADER = "uai;eleve_ine;debut;fin;etat;motif_legitime\n"


@pytest.fixture
def two_pupils(site, tm):
    """Two pupils of A carrying the INEs of the sample file."""
    with tm:
        first, second = pupils_of(site, ESTABLISHMENT_A)[:2]
        first.ine, second.ine = "1234567890A", "2345678901b"
        return first.id, second.id


def absences_of(site, tm, pupil_id) -> list[Absence]:
    tm.begin()
    data = site.pupils[pupil_id].services.get(SERVICE_ID)
    result = list(data) if data is not None else []
    tm.abort()
    return result


def run(site, tm, ts_app, path):
    with tm:
        return import_absences(site, ts_app.registry.ts_academy, path)


def write(tmp_path, *lines: str) -> Path:
    path = tmp_path / "absences.csv"
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_the_plugin_offers_the_absences_format():
    (fmt,) = ts_absences.ts_import_formats()
    assert fmt.name == "absences"
    assert "uai;eleve_ine;debut;fin;etat;motif_legitime" in fmt.help


def test_the_sample_file_replaces_the_absences_of_the_establishment(site, tm, ts_app, two_pupils):
    first, second = two_pupils
    kept = Absence(datetime(2027, 2, 2, 8), datetime(2027, 2, 2, 9), PROCESSED, True)
    with tm:
        others = [p.id for p in pupils_of(site, ESTABLISHMENT_A)[2:]]
        had_absences = sum(
            len(site.pupils[p].services[SERVICE_ID])
            for p in others
            if site.pupils[p].services.get(SERVICE_ID) is not None
        )
        in_b = pupils_of(site, ESTABLISHMENT_B)[0]
        service_data(in_b, SERVICE_ID, PupilAbsences).add(kept)
    assert had_absences  # the demo gave some

    summary = run(site, tm, ts_app, SAMPLE)

    assert summary.created + summary.updated + summary.unchanged == 5
    assert summary.extra["supprimées"] >= had_absences
    assert absences_of(site, tm, first) == [
        Absence(datetime(2027, 2, 1, 8), datetime(2027, 2, 1, 11, 55), PROCESSED, True),
        Absence(datetime(2027, 2, 3, 13, 30), datetime(2027, 2, 5, 17), PROCESSED, True),
        Absence(datetime(2027, 2, 9, 10), datetime(2027, 2, 9, 11), PROCESSED, False),
        Absence(datetime(2027, 2, 15, 8), datetime(2027, 2, 15, 17), REPORTED, False),
    ]
    assert len(absences_of(site, tm, second)) == 1
    tm.begin()
    assert all(site.pupils[p].services.get(SERVICE_ID) is None for p in others)
    tm.abort()
    # Establishment B, not in the file, is left alone.
    assert absences_of(site, tm, in_b.id) == [kept]


def test_importing_the_same_file_again_changes_nothing(site, tm, ts_app, two_pupils):
    run(site, tm, ts_app, SAMPLE)
    summary = run(site, tm, ts_app, SAMPLE)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 5)
    assert summary.extra["supprimées"] == 0


def test_a_changed_line_updates_and_a_missing_one_is_deleted(
    site, tm, ts_app, two_pupils, tmp_path
):
    run(site, tm, ts_app, SAMPLE)
    path = write(
        tmp_path,
        "0541234Y;1234567890A;01/02/2027 08:00;01/02/2027 11:55;traitée;non",
        "0541234Y;2345678901B;11/01/2027 14:00;11/01/2027 15:00;traitee;oui",
    )
    summary = run(site, tm, ts_app, path)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert summary.extra["supprimées"] == 3
    assert [a.legitimate for a in absences_of(site, tm, two_pupils[0])] == [False]


def test_the_imported_absences_show_on_the_page(site, tm, ts_app, two_pupils, family_app, family):
    run(site, tm, ts_app, SAMPLE)
    page = family_app.get(f"/eleve/{family.pupil_ids[0]}/absences")
    counts = [row.find_all("td")[-1].get_text() for row in page.html.find("tbody").find_all("tr")]
    assert counts == ["0", "0", "6"]


def test_bad_lines_are_all_reported_with_their_numbers_and_nothing_is_written(
    site, tm, ts_app, two_pupils, tmp_path
):
    first = two_pupils[0]
    before = absences_of(site, tm, first)
    path = write(
        tmp_path,
        "0541234Y;1234567890A;01/03/2027 08:00;01/03/2027 11:55;traitée;oui",
        "0541235Z;1234567890A;01/03/2027 08:00;01/03/2027 11:55;traitée;oui",
        "0541234Y;9999999999X;01/03/2027 08:00;01/03/2027 11:55;traitée;oui",
        "0541234Y;1234567890A;31/02/2027 08:00;01/03/2027 11:55;traitée;oui",
        "0541234Y;1234567890A;02/03/2027 10:00;02/03/2027 08:00;traitée;oui",
        "0541234Y;1234567890A;03/03/2027 08:00;03/03/2027 11:55;classée;oui",
        "0541234Y;1234567890A;04/03/2027 08:00;04/03/2027 11:55;traitée;peut-être",
        "0541234Y;1234567890A;01/03/2027 08:00;01/03/2027 17:00;traitée;non",
        "0541234Y;1234567890A;05/03/2027;05/03/2027 11:55;traitée;oui",
    )
    with pytest.raises(ImportRejected) as caught:
        run(site, tm, ts_app, path)
    messages = {bad.line: bad.message for bad in caught.value.bad_lines}
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "établissement inconnu « 0541235Z »" in messages[3]
    assert "élève inconnu" in messages[4] and "9999999999X" in messages[4]
    assert "debut" in messages[5] and "31/02/2027 08:00" in messages[5]
    assert "la fin doit être après le début" in messages[6]
    assert "état inconnu « classée »" in messages[7]
    assert "motif_legitime inconnu « peut-être »" in messages[8]
    assert "en double" in messages[9] and "ligne 2" in messages[9]
    assert "JJ/MM/AAAA HH:MM" in messages[10]
    assert absences_of(site, tm, first) == before


def test_a_wrong_header_is_refused_at_line_1(site, tm, ts_app, tmp_path):
    path = tmp_path / "absences.csv"
    path.write_text("uai;ine;debut;fin\n0541234Y;1;2;3\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        run(site, tm, ts_app, path)
    assert caught.value.bad_lines[0].line == 1
    assert "eleve_ine" in caught.value.bad_lines[0].message


@pytest.mark.parametrize("text", ["01/02/2027", "01/02/2027 8h00", "2027-02-01 08:00", ""])
def test_parse_datetime_wants_day_and_hour(text):
    with pytest.raises(ValueError, match="JJ/MM/AAAA HH:MM"):
        parse_datetime(text)


def test_parse_datetime_reads_french_dates():
    assert parse_datetime("05/03/2027 13:30") == datetime(2027, 3, 5, 13, 30)
