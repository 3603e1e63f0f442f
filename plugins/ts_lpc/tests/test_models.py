"""The pupil's record: packed renseignements, validations, GDPR copy."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from ts_lpc.models import ENTRY, EPOCH, LAST_DAY, LpcRecord, PalierRecord, Renseignement


def test_renseignements_round_trip_by_item_then_date():
    record = PalierRecord.from_renseignements(
        3,
        {
            "3.7.2.4": [("EPS", date(2024, 5, 2))],
            "3.1.1.1": [
                ("Français", date(2026, 11, 12)),
                ("Histoire-Géographie", date(2025, 1, 6)),
            ],
        },
    )
    assert record.renseignements == {
        "3.1.1.1": (
            Renseignement("Histoire-Géographie", date(2025, 1, 6)),
            Renseignement("Français", date(2026, 11, 12)),
        ),
        "3.7.2.4": (Renseignement("EPS", date(2024, 5, 2)),),
    }
    assert len(record.packed) == 3 * ENTRY.size
    assert record.renseignements_of("3.2.1.1") == ()


def test_renseignements_after_a_day_are_left_out():
    record = PalierRecord.from_renseignements(
        3, {"3.1.1.1": [("Français", date(2027, 1, 5)), ("SVT", date(2027, 3, 1))]}
    )
    assert record.renseignements_of("3.1.1.1", until=date(2027, 2, 15)) == (
        Renseignement("Français", date(2027, 1, 5)),
    )
    assert record.renseignements_of("3.1.1.1", until=date(2027, 1, 4)) == ()


def test_adding_a_renseignement_keeps_the_order_and_ignores_a_repeat():
    record = PalierRecord(3)
    assert record.add_renseignement("3.1.1.2", "Français", date(2026, 10, 1))
    assert record.add_renseignement("3.1.1.1", "SVT", date(2026, 12, 1))
    assert record.add_renseignement("3.1.1.1", "Français", date(2026, 9, 20))
    assert not record.add_renseignement("3.1.1.1", "SVT", date(2026, 12, 1))
    assert [m.discipline for m in record.renseignements_of("3.1.1.1")] == ["Français", "SVT"]
    assert list(record.renseignements) == ["3.1.1.1", "3.1.1.2"]
    assert record.disciplines == ("Français", "SVT")
    with pytest.raises(ValueError):
        record.add_renseignement("2.1.1.1", "Français", date(2020, 1, 1))


def test_the_dates_the_packing_holds():
    record = PalierRecord.from_renseignements(3, {"3.1.1.1": [("A", EPOCH), ("B", LAST_DAY)]})
    assert [m.day for m in record.renseignements_of("3.1.1.1")] == [EPOCH, LAST_DAY]


def test_a_record_pickles_small():
    marks = {f"3.1.1.{i}": [("Français", date(2026, 10, i))] for i in range(1, 6)}
    record = PalierRecord.from_renseignements(3, marks, {"1": date(2027, 1, 12)})
    state = record.__getstate__()
    assert "_v_decoded" not in state
    assert len(pickle.dumps(state, 3)) < 300


def test_validations_report_what_changed():
    record = PalierRecord(3)
    assert record.validate("1", date(2027, 1, 12)) == "created"
    assert record.validate("1", date(2027, 1, 12)) == "unchanged"
    assert record.validate("1", date(2027, 1, 19)) == "updated"
    assert record.validated_on("1") == date(2027, 1, 19)
    assert record.validated_on("1", until=date(2027, 1, 18)) is None
    assert record.validated_on("2") is None


def test_a_gdpr_copy_holds_everything_as_json():
    lpc = LpcRecord()
    lpc.set_professeur_principal("Mme MOREL")
    palier = lpc.palier_for_update(3)
    palier.add_renseignement("3.2.1.1", "Anglais", date(2026, 10, 5))
    palier.validate("2", date(2027, 2, 1))
    palier.set_langue("ANGLAIS LV1")
    assert lpc.palier_for_update(3) is palier
    assert lpc.as_json() == {
        "professeur_principal": "Mme MOREL",
        "paliers": {
            "3": {
                "langue": "ANGLAIS LV1",
                "validations": {"2": "2027-02-01"},
                "renseignements": {"3.2.1.1": [{"discipline": "Anglais", "date": "2026-10-05"}]},
            }
        },
    }
