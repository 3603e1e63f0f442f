"""The livret of a palier on a day: statuses, validation dates, parts, languages."""

from __future__ import annotations

from datetime import date

import pytest

from ts_lpc.livret import (
    DEFAULT_PALIER,
    PALIER_ORDER,
    build_livret,
    selected_palier,
    validation_keys,
)
from ts_lpc.models import LpcRecord, PalierRecord
from ts_lpc.referential import load_referential

DAY = date(2027, 2, 15)


def record_with(number: int, marks=None, validations=None, langue="") -> LpcRecord:
    record = LpcRecord()
    record.set_palier(PalierRecord.from_renseignements(number, marks or {}, validations, langue))
    return record


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 3), ("1", 1), ("2", 2), ("3", 3), ("4", 3), ("0", 3), ("x", 3), ("", 3)],
)
def test_the_palier_asked_for_or_palier_3(value, expected):
    assert DEFAULT_PALIER == 3
    assert selected_palier(value) == expected


def test_paliers_are_offered_3_then_2_then_1():
    assert PALIER_ORDER == (3, 2, 1)


def test_validation_keys_split_only_palier_2_competence_3():
    ref = load_referential()
    assert validation_keys(ref[3].competence(3)) == ("3",)
    assert validation_keys(ref[2].competence(3)) == ("3.1", "3.2")
    assert validation_keys(ref[1].competence(6)) == ("6",)


def test_an_empty_livret_lists_the_paliers_competences_not_validated():
    livret = build_livret(None, 1, DAY)
    assert [c.number for c in livret.competences] == [1, 3, 6]
    assert all(c.validated_on is None for c in livret.competences)
    assert not any(i.informed for c in livret.competences for i in c.items)
    assert livret.professeur_principal == ""


def test_a_competence_is_validated_on_its_date_not_before():
    record = record_with(3, validations={"1": date(2027, 1, 12), "3": date(2027, 3, 20)})
    livret = build_livret(record, 3, DAY)
    assert livret.competence(1).validated_on == date(2027, 1, 12)
    assert livret.competence(3).validated_on is None  # after "today"
    assert build_livret(record, 3, date(2027, 3, 20)).competence(3).validated_on == date(
        2027, 3, 20
    )


def test_a_competence_in_parts_is_validated_when_its_last_part_is():
    record = record_with(2, validations={"3.1": date(2023, 5, 2)})
    c3 = build_livret(record, 2, DAY).competence(3)
    assert [v.day for v in c3.validations] == [date(2023, 5, 2), None]
    assert c3.validated_on is None
    record.palier(2).validate("3.2", date(2023, 6, 20))
    assert build_livret(record, 2, DAY).competence(3).validated_on == date(2023, 6, 20)


def test_items_informed_by_the_day():
    record = record_with(
        3,
        marks={
            "3.1.1.1": [("Français", date(2026, 10, 5)), ("SVT", date(2027, 3, 1))],
            "3.1.1.2": [("Français", date(2027, 3, 1))],
        },
    )
    c1 = build_livret(record, 3, DAY).competence(1)
    first, second = c1.items[:2]
    assert first.informed and [m.discipline for m in first.renseignements] == ["Français"]
    assert not second.informed
    assert first.dom_id == "renseignements-3-1-1-1"


def test_the_language_fills_the_competence_2_sentence():
    record = record_with(3, validations={"2": date(2027, 2, 1)}, langue="ANGLAIS LV1")
    (validation,) = build_livret(record, 3, DAY).competence(2).validations
    assert validation.names_language
    assert validation.sentence == "La maîtrise du niveau A2 est validée en ANGLAIS LV1 le :"
    assert validation.dated_sentence == (
        "La maîtrise du niveau A2 est validée en ANGLAIS LV1 le 01/02/2027"
    )
    (other,) = build_livret(record, 3, DAY).competence(1).validations
    assert not other.names_language
    assert other.sentence == "La compétence 1 est validée le :"


def test_a_competence_absent_from_the_palier():
    with pytest.raises(KeyError):
        build_livret(None, 1, DAY).competence(2)
