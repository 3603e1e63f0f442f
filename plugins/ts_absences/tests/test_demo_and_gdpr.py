"""Demo absences (deterministic, realistic, cheap) and the GDPR hooks."""

import random
import time
from collections import Counter
from datetime import date

import ts_absences
from ts_absences.counting import half_days, parse_split
from ts_absences.demo import fill
from ts_absences.models import PROCESSED, REPORTED, SERVICE_ID
from ts_host.api import Pupil
from ts_host.testing import ESTABLISHMENT_A, assert_gdpr_export_covers, college_config, pupils_of

COLLEGE = college_config(SERVICE_ID, half_day_split="11:55")


def new_pupils(count: int) -> list[Pupil]:
    return [
        Pupil(f"p{i}", ESTABLISHMENT_A, "Léa", "Martin", date(2013, 1, 1), "5A")
        for i in range(count)
    ]


def demo(count: int, seed: int = 3) -> list[Pupil]:
    pupils = new_pupils(count)
    ts_absences.ts_demo_data(
        establishment=COLLEGE, pupils=pupils, rng=random.Random(seed), settings={}
    )
    return pupils


def absences(pupil: Pupil) -> list:
    data = pupil.services.get(SERVICE_ID)
    return list(data) if data is not None else []


def test_demo_is_deterministic():
    first = [absences(p) for p in demo(200)]
    again = [absences(p) for p in demo(200)]
    other = [absences(p) for p in demo(200, seed=4)]
    assert first == again
    assert first != other


def test_demo_is_realistic():
    pupils = demo(1000)
    every = [a for p in pupils for a in absences(p)]
    per_month = Counter()
    for pupil in pupils:
        for absence in absences(pupil):
            per_month[(pupil.id, absence.start.year, absence.start.month)] += 1
    months_with_absences = len(per_month)
    # Most pupil-months have 0 to 3 absences, a few pupils many more.
    assert months_with_absences < 0.5 * len(pupils) * 10
    assert max(per_month.values()) >= 5
    assert sum(1 for n in per_month.values() if n <= 3) > 0.9 * months_with_absences
    assert any(not absences(p) for p in pupils)
    states = Counter((a.state, a.legitimate) for a in every)
    assert states[(PROCESSED, True)] > states[(PROCESSED, False)] > 0
    assert states[(REPORTED, False)] > 0
    split = parse_split(COLLEGE.half_day_split)
    spans = Counter(min(len(list(half_days(a.start, a.end, split))), 3) for a in every)
    assert spans[1] > spans[2] > 0 and spans[3] > 0
    assert all(a.start.weekday() < 5 and COLLEGE.year_start <= a.start.date() for a in every)
    assert all(a.end.date() <= COLLEGE.year_end for a in every)


def test_demo_is_cheap_enough_for_100000_pupils():
    pupils = new_pupils(2000)
    started = time.perf_counter()
    fill(COLLEGE, pupils, random.Random(1))
    per_pupil = (time.perf_counter() - started) / len(pupils)
    # 100,000 pupils in well under a minute; generous for slow machines.
    assert per_pupil < 0.0005


def test_the_demo_database_holds_absences_for_a(site, tm):
    with tm:
        pupils = pupils_of(site, ESTABLISHMENT_A)
        assert sum(1 for p in pupils if p.services.get(SERVICE_ID) is not None) > len(pupils) / 2


def test_pupil_data_lists_the_absences_for_an_access_request():
    pupil = next(p for p in demo(50) if absences(p))
    data = ts_absences.ts_pupil_data(pupil=pupil)
    assert len(data["absences"]) == len(absences(pupil))
    first = data["absences"][0]
    assert set(first) == {"debut", "fin", "etat", "motif_legitime"}
    assert first["etat"] in ("signalée", "traitée")
    assert first["debut"] == absences(pupil)[0].start.isoformat(timespec="minutes")


def test_every_demo_absence_is_in_its_pupil_s_gdpr_export(ts_app, site, tm):
    with tm:
        states = {a.state for p in pupils_of(site, ESTABLISHMENT_A) for a in absences(p)}
        assert states == {REPORTED, PROCESSED}  # both codes, exported as their labels
        assert_gdpr_export_covers(site, ts_app.registry.ts_plugins, SERVICE_ID)


def test_pupil_without_absences_has_no_data():
    assert ts_absences.ts_pupil_data(pupil=new_pupils(1)[0]) is None


def test_erasure_removes_every_absence():
    pupil = next(p for p in demo(50) if absences(p))
    ts_absences.ts_erase_pupil_data(site=None, pupil=pupil)
    assert pupil.services.get(SERVICE_ID) is None
    assert ts_absences.ts_pupil_data(pupil=pupil) is None
