"""The security suite runs with every installed service enabled in A and none in B."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import webtest

from ts_host.testing import (
    ESTABLISHMENT_A,
    ESTABLISHMENT_B,
    PASSWORD,
    TestApp,
    installed_services,
    login,
    make_account,
    pupils_of,
)


@pytest.fixture
def ts_enabled_services() -> dict[str, list[str]]:
    """Every service installed when the test runs in A, none in B."""
    return {ESTABLISHMENT_A: installed_services(), ESTABLISHMENT_B: []}


@pytest.fixture(scope="session")
def ts_service_settings() -> dict:
    """A téléinscription campaign for every level of A, open on the tests' day:
    the demo puts every pupil of A on an affectation list, so the service's
    pages exist for the matrix's pupils."""
    campaigns = [
        {"level": level, "opens": date(2027, 2, 1), "closes": date(2027, 3, 15)}
        for level in ("6e", "5e", "4e", "3e")
    ]
    return {ESTABLISHMENT_A: {"inscription": {"campaigns": campaigns}}}


@dataclass(frozen=True)
class Cast:
    """The people of the access matrix, all pupils of A unless said otherwise.

    ``own``: the pupil the responsable account holds; ``stranger``: a pupil
    of another family; ``child`` and ``sibling``: two children of one
    family, ``child`` having a pupil account; ``in_b``: a pupil of B (whose
    establishment enables no service), held by the ``b`` account.
    """

    own: str
    stranger: str
    child: str
    sibling: str
    in_b: str
    missing: str


def families_of(pupils) -> dict[str, set[str]]:
    """Pupil id -> ids of the pupils sharing a responsable with it (itself included)."""
    by_responsable: dict[str, set[str]] = {}
    for pupil in pupils:
        for link in pupil.responsables:
            by_responsable.setdefault(link.responsable_id, set()).add(pupil.id)
    return {
        pupil.id: set().union(*(by_responsable[link.responsable_id] for link in pupil.responsables))
        for pupil in pupils
    }


@pytest.fixture
def cast(ts_app, site, tm) -> Cast:
    """Create the accounts of the matrix: ``owner``, ``pupil`` and ``b`` (password PASSWORD)."""
    with tm:
        pupils = pupils_of(site, ESTABLISHMENT_A)
        family = families_of(pupils)
        child = next(p.id for p in pupils if len(family[p.id]) > 1)
        sibling = sorted(family[child] - {child})[0]
        own = next(p.id for p in pupils if not family[p.id] & family[child])
        stranger = next(p.id for p in pupils if not family[p.id] & (family[child] | family[own]))
        in_b = pupils_of(site, ESTABLISHMENT_B)[0].id
        hasher = ts_app.registry.ts_hasher
        make_account(site, hasher, [own], "owner")
        make_account(site, hasher, [child], "pupil", kind="eleve")
        make_account(site, hasher, [in_b], "b")
        missing = "f" * 16
        assert missing not in site.pupils
    return Cast(own, stranger, child, sibling, in_b, missing)


@pytest.fixture
def client(ts_app):
    """``client(login=None, address=…)``: a WebTest client, logged in when ``login`` is given.

    Login failures are throttled per client address: give tests that fail
    many logins an address of their own.
    """

    def make(login_name: str | None = None, address: str = "192.0.2.20") -> webtest.TestApp:
        app = TestApp(
            ts_app, extra_environ={"HTTP_HOST": "teleservices.test", "REMOTE_ADDR": address}
        )
        if login_name is not None:
            response = login(app, login_name, PASSWORD)
            assert response.status_int == 303, response.text
        return app

    return make
