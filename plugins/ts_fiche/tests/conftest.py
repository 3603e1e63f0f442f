from dataclasses import dataclass

import pytest

from ts_host.testing import (
    ESTABLISHMENT_A,
    PASSWORD,
    attach_responsable,
    establishments_toml,
    login,
    make_account,
    pupils_of,
)

MESSAGE = "Les demandes sont traitées par le secrétariat sous huit jours."


@pytest.fixture(scope="session")
def ts_service_under_test():
    return "fiche"


@pytest.fixture
def ts_establishments_file(tmp_path_factory, ts_enabled_services):
    """The kit's file, with a message for the fiche of establishment A."""
    path = tmp_path_factory.mktemp("etc") / "establishments.toml"
    settings = {ESTABLISHMENT_A: {"fiche": {"message": MESSAGE}}}
    path.write_text(establishments_toml(ts_enabled_services, settings), encoding="utf-8")
    return path


@dataclass
class Parents:
    """A pupil of A with two legal responsables."""

    pupil_id: str
    first: str
    second: str


@pytest.fixture
def parents(site, tm) -> Parents:
    with tm:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if len(p.responsables) == 2)
        first, second = (link.responsable_id for link in pupil.responsables)
        return Parents(pupil.id, first, second)


@pytest.fixture
def log_in_as(testapp, ts_app, site, tm):
    """``log_in_as(login, pupil_ids, ...)``: create an account as ``make_account``
    does, with ``also`` = [(pupil id, responsable id)] attached to it, then
    log ``testapp`` in with it (forgetting any previous session)."""

    def log_in(login_name, pupil_ids, *, kind="responsable", responsable_index=0, also=()):
        with tm:
            account = make_account(
                site,
                ts_app.registry.ts_hasher,
                pupil_ids,
                login_name,
                kind=kind,
                responsable_index=responsable_index,
            )
            for pupil_id, responsable_id in also:
                attach_responsable(site, account, pupil_id, responsable_id)
            account_id = account.id
        testapp.reset()
        response = login(testapp, login_name, PASSWORD)
        assert response.status_int == 303, response.text
        return account_id

    return log_in
