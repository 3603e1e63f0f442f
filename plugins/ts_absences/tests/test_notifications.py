"""An absence recorded by the import tells the pupil's families (one event,
in the import's transaction), and says nothing of its reason."""

from pathlib import Path

from ts_absences.importers import import_absences
from ts_host.testing import ESTABLISHMENT_A, pupils_of

SAMPLE = Path(__file__).parent / "data" / "absences.csv"


def events_of(site, tm):
    with tm:
        return list(site.notifications.events.values())


def test_a_new_absence_is_reported_once_and_an_unchanged_file_reports_nothing(
    site, tm, ts_app, tmp_path
):
    with tm:
        first, second = pupils_of(site, ESTABLISHMENT_A)[:2]
        first.ine, second.ine = "1234567890A", "2345678901b"
        first_id, second_id = first.id, second.id
    with tm:
        import_absences(site, ts_app.registry.ts_academy, SAMPLE)
    events = events_of(site, tm)
    assert sorted(e.pupil_id for e in events) == sorted([first_id, second_id])
    assert {(e.service_id, e.kind, e.text) for e in events} == {
        ("absences", "absence", "Une nouvelle absence est enregistrée.")
    }
    with tm:
        import_absences(site, ts_app.registry.ts_academy, SAMPLE)
    assert len(events_of(site, tm)) == 2
