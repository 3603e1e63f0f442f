"""The test kit runs with the LPC enabled in establishment A only."""

from __future__ import annotations

from datetime import date

import pytest

from ts_lpc.models import SERVICE_ID, LpcRecord, PalierRecord


@pytest.fixture(scope="session")
def ts_service_under_test():
    return "lpc"


@pytest.fixture
def livret(site, tm, pupil_enabled) -> str:
    """The enabled child with a livret of known content; "today" is 15/02/2027."""
    with tm:
        record = LpcRecord()
        record.set_professeur_principal("Mme MOREL")
        record.set_palier(
            PalierRecord.from_renseignements(
                3,
                {
                    "3.1.1.1": [
                        ("Français", date(2026, 10, 5)),
                        ("Histoire-Géographie", date(2026, 11, 12)),
                    ],
                    "3.1.1.2": [("Français", date(2027, 3, 1))],  # after today
                    "3.1.2.1": [("Français", date(2027, 1, 8))],
                },
                {"1": date(2027, 1, 12), "2": date(2027, 2, 1), "3": date(2027, 3, 20)},
                "ANGLAIS LV1",
            )
        )
        record.set_palier(
            PalierRecord.from_renseignements(
                2,
                {"2.3.1.1": [("Mathématiques", date(2023, 2, 3))]},
                {"1": date(2023, 6, 20), "3.1": date(2023, 6, 20)},
                "ANGLAIS",
            )
        )
        site.pupils[pupil_enabled].services.set(SERVICE_ID, record)
    return pupil_enabled
