from datetime import date

import pytest

from ts_host.testing import ESTABLISHMENT_A, TestApp, make_staff, open_site, staff_login
from ts_inscription.models import SERVICE_ID

LEVELS = ("6e", "5e", "4e", "3e")


def campaign(level: str) -> dict:
    return {
        "level": level,
        "opens": date(2027, 2, 1),
        "closes": date(2027, 3, 15),
        "languages": ["Anglais", "Allemand"],
        "regimes": ["externe", "demi-pensionnaire"],
        "transport": True,
        "options": [{"name": "Latin", "places": 20}, {"name": "Chorale"}],
    }


@pytest.fixture(scope="session")
def ts_service_under_test():
    """The host's test kit enables this service in establishment A, not in B."""
    return SERVICE_ID


@pytest.fixture(scope="session")
def ts_service_settings():
    """A campaign for every level of A: the demo puts every pupil of A on an
    affectation list, so the kit's pupils (whatever their class) are expected."""
    return {ESTABLISHMENT_A: {SERVICE_ID: {"campaigns": [campaign(level) for level in LEVELS]}}}


@pytest.fixture
def fresh(site, tm, pupil_enabled):
    """The family's child of A, with a file not started (the demo may have begun it)."""
    with tm:
        pupil = site.pupils[pupil_enabled]
        pupil.services.pop(SERVICE_ID)
        for record in site.services[SERVICE_ID].campaigns.values():
            record.release(pupil.id)
    return pupil_enabled


@pytest.fixture
def office(testapp):
    """A WebTest client signed in as a staff member of establishment A."""
    app = TestApp(testapp.app, extra_environ=testapp.extra_environ)
    with open_site(testapp.app) as site:
        member = make_staff(
            site, testapp.app.registry.ts_hasher, "secretariat", "etablissement", [ESTABLISHMENT_A]
        )
    staff_login(app, member)
    return app
