"""Grades imported tell the pupil's families from the day they may see
them: one event per pupil and release day, none for unchanged grades, and
never the grade itself."""

from datetime import datetime

from .test_import import run, sample_for, two_pupils  # noqa: F401 - the fixture


def events_of(site, tm):
    with tm:
        return list(site.notifications.events.values())


def test_new_grades_are_reported_per_pupil_from_their_release_day(site, tm, two_pupils, tmp_path):  # noqa: F811
    (first, second), division = two_pupils
    with tm:
        run(site, sample_for(division, tmp_path))
    events = events_of(site, tm)
    released = {datetime(2027, 1, 13), datetime(2027, 1, 20), datetime(2027, 1, 27)}
    assert {(e.pupil_id, e.not_before) for e in events} == {
        (pupil, day) for pupil in (first, second) for day in released
    }
    assert {e.text for e in events} == {"De nouvelles notes sont publiées."}
    with tm:  # the same file again: nothing new
        run(site, sample_for(division, tmp_path))
    assert len(events_of(site, tm)) == len(events)
    with tm:  # one grade changed: one event, for its pupil
        run(site, sample_for(division, tmp_path, [(";14,50", ";15,00")]))
    (changed,) = events_of(site, tm)[len(events) :]
    assert (changed.pupil_id, changed.not_before) == (first, datetime(2027, 1, 13))
