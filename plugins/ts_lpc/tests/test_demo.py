"""Demo livrets: deterministic, coherent with the pupil's schooling, cheap."""

from __future__ import annotations

import random
import time
from datetime import date

import pytest

from ts_host.api import EstablishmentConfig, Period, Pupil
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of
from ts_lpc import demo
from ts_lpc.livret import validation_keys
from ts_lpc.models import SERVICE_ID
from ts_lpc.referential import load_referential

YEAR = 2026  # the school year 2026-2027
PERIODS = (
    Period("T1", date(2026, 9, 1), date(2026, 11, 30)),
    Period("T3", date(2027, 3, 8), date(2027, 7, 3)),
)
LEVELS = {"6e": 0, "5e": 1, "4e": 2, "3e": 3, "2nde": 4, "1re": 5, "Terminale": 6}


def establishment(kind: str) -> EstablishmentConfig:
    return EstablishmentConfig(
        uai=ESTABLISHMENT_A,
        name="Établissement",
        address=(),
        contact=None,
        welcome_message="",
        services=(SERVICE_ID,),
        service_settings={},
        periods=PERIODS,
        period_kind="trimestre",
        kind=kind,
    )


def make_class(level: str, size: int = 28, division: str = "3A") -> list[Pupil]:
    born = YEAR - 11 - LEVELS[level]
    return [
        Pupil(
            f"p{i}",
            ESTABLISHMENT_A,
            "Prénom",
            "NOM",
            date(born, 1 + i % 12, 1 + i % 28),
            division,
            level=level,
        )
        for i in range(size)
    ]


def filled(kind: str, pupils: list[Pupil], seed: int = 1) -> list[dict]:
    demo.fill(establishment(kind), pupils, random.Random(seed))
    return [p.services[SERVICE_ID].as_json() for p in pupils]


def school_year(start_year: int) -> tuple[date, date]:
    return date(start_year, 9, 1), date(start_year + 1, 7, 5)


def all_dates(palier_json: dict) -> list[date]:
    return [
        date.fromisoformat(mark["date"])
        for marks in palier_json["renseignements"].values()
        for mark in marks
    ]


def test_the_same_seed_gives_the_same_livrets():
    first = filled("college", make_class("3e"), seed=5)
    assert filled("college", make_class("3e"), seed=5) == first
    assert filled("college", make_class("3e"), seed=6) != first


def test_primary_school_paliers_fall_in_ce1_and_cm2():
    pupils = make_class("4e")
    for pupil, data in zip(pupils, filled("college", pupils), strict=True):
        cp = pupil.birth_date.year + 6
        for number, start_year in ((1, cp + 1), (2, cp + 4)):
            palier = data["paliers"][str(number)]
            first, last = school_year(start_year)
            assert all(first <= day <= last for day in all_dates(palier))
            expected = {
                k for c in load_referential()[number].competences for k in validation_keys(c)
            }
            assert set(palier["validations"]) == expected
            assert all(
                first <= date.fromisoformat(d) <= last for d in palier["validations"].values()
            )
        assert data["paliers"]["2"]["langue"] in ("ANGLAIS", "ALLEMAND", "ESPAGNOL")


def test_collège_pupils_are_informed_from_6e_and_validated_in_3e_only():
    informed = {}
    for level in ("6e", "5e", "4e", "3e"):
        livrets = filled("college", make_class(level))
        first, _ = school_year(YEAR - LEVELS[level])
        _, last = school_year(YEAR)
        for data in livrets:
            palier3 = data["paliers"]["3"]
            assert all(first <= day <= last for day in all_dates(palier3))
            assert palier3["langue"].endswith(" LV1")
            if level != "3e":
                assert palier3["validations"] == {}
        informed[level] = sum(len(all_dates(d["paliers"]["3"])) for d in livrets)
    assert informed["6e"] < informed["5e"] < informed["4e"] < informed["3e"]
    validations = [d["paliers"]["3"]["validations"] for d in livrets]  # the 3e class
    days = [date.fromisoformat(day) for v in validations for day in v.values()]
    assert days and all(school_year(YEAR)[0] <= day <= school_year(YEAR)[1] for day in days)
    assert len({len(v) for v in validations}) > 1  # some pupils more than others


def test_lycée_pupils_have_the_three_paliers_complete_in_the_past():
    pupils = make_class("1re", division="1G1")
    for data in filled("lycee", pupils):
        for number, palier in load_referential().items():
            stored = data["paliers"][str(number)]
            assert set(stored["renseignements"]) == {it.code for it in palier.items}
            assert len(stored["validations"]) == sum(
                len(validation_keys(c)) for c in palier.competences
            )
            assert max(all_dates(stored)) < PERIODS[0].start


def test_the_demo_leaves_the_professeur_principal_to_the_establishments_structure():
    pupils = make_class("5e", division="5A") + make_class("5e", division="5B")
    assert {d["professeur_principal"] for d in filled("college", pupils, seed=3)} == {""}


def test_the_demo_is_cheap_per_pupil():
    pupils = [p for level in ("3e", "4e") for p in make_class(level, size=500)]
    started = time.perf_counter()
    demo.fill(establishment("college"), pupils, random.Random(2))
    lycee = make_class("Terminale", size=500, division="TG1")
    demo.fill(establishment("lycee"), lycee, random.Random(2))
    per_pupil = (time.perf_counter() - started) / 1500
    assert per_pupil < 0.001  # well under a millisecond (about 0.1 ms here)


@pytest.mark.parametrize("level", ["3e", "Terminale"])
def test_a_livret_stays_small(level):
    kind = "lycee" if level == "Terminale" else "college"
    (pupil,) = make_class(level, size=1)
    demo.fill(establishment(kind), [pupil], random.Random(4))
    record = pupil.services[SERVICE_ID]
    packed = sum(len(p.packed) for p in record.paliers.values())
    assert packed < 4000  # the bulk of a pupil's 3 to 4 KB


def test_the_test_database_has_demo_livrets_where_the_service_is_on(site, tm):
    with tm:
        assert all(p.services.get(SERVICE_ID) for p in pupils_of(site, ESTABLISHMENT_A))
        assert not any(p.services.get(SERVICE_ID) for p in pupils_of(site, ESTABLISHMENT_B))
