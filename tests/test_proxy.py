"""Behind nginx, each family is still a client of its own for the throttles.

Every connection the application processes receive comes from nginx on
127.0.0.1: counted by ``request.client_addr`` as such, one family's failed
logins would lock every family out.  The ``[server:main]`` of the production
ini files makes waitress take the client's address from nginx's
``X-Forwarded-For``, from 127.0.0.1 only (``trusted_proxy``): anyone else
sending that header is counted under the address they really come from.
These tests run a real waitress with exactly those settings.
"""

import configparser
from pathlib import Path

import pytest

from ts_host.accounts import login as login_module

from .live_client import LiveClient
from .threaded_waitress import threaded_waitress

ETC = Path(__file__).resolve().parents[1] / "etc"
FAILED = "Identifiant ou mot de passe incorrect"
THROTTLED = "Trop de tentatives depuis cet appareil"
#: The per-client limit, lowered for speed: what is tested is whose count grows.
LIMIT = 3
#: Not the proxy: another address of the loopback interface.
OUTSIDER = "127.0.0.2"


def production_server_options() -> dict[str, str]:
    """The ``[server:main]`` shared by the production ini files, but the address."""
    sections = []
    for name in ("production.ini", "production-zeo.ini", "production-relstorage.ini"):
        ini = configparser.ConfigParser(interpolation=None)
        ini.read(ETC / name, encoding="utf-8")
        sections.append(dict(ini["server:main"]))
    assert all(section == sections[0] for section in sections)
    options = dict(sections[0])
    del options["use"], options["listen"]
    return options


@pytest.fixture
def production_waitress(ts_app, monkeypatch):
    monkeypatch.setattr(login_module, "CLIENT_LIMIT", LIMIT)
    options = production_server_options()
    assert options["trusted_proxy"] == "127.0.0.1"
    with threaded_waitress(ts_app, **options) as port:
        yield f"http://127.0.0.1:{port}"


def fail_login(client: LiveClient) -> str:
    response = client.login("personne", "975310")
    assert response.status_code == 200
    return response.text


def behind_proxy(url: str, client_address: str) -> LiveClient:
    """A family whose requests nginx forwards (from 127.0.0.1, as nginx does)."""
    return LiveClient(url, headers={"X-Forwarded-For": client_address})


def test_two_families_behind_the_proxy_are_throttled_apart(production_waitress):
    first = behind_proxy(production_waitress, "198.51.100.1")
    for _ in range(LIMIT):
        assert FAILED in fail_login(first)
    assert THROTTLED in fail_login(first)

    second = behind_proxy(production_waitress, "198.51.100.2")
    assert FAILED in fail_login(second)


def test_a_forged_forwarded_for_from_outside_changes_nothing(production_waitress):
    # Each attempt claims another address: all are counted under the real one.
    for number in range(LIMIT):
        forging = LiveClient(
            production_waitress,
            source_address=OUTSIDER,
            headers={"X-Forwarded-For": f"203.0.113.{number + 1}"},
        )
        assert FAILED in fail_login(forging)
    forging = LiveClient(
        production_waitress, source_address=OUTSIDER, headers={"X-Forwarded-For": "198.51.100.9"}
    )
    assert THROTTLED in fail_login(forging)
    # The addresses it claimed, or borrowed from a family, were never charged.
    assert FAILED in fail_login(behind_proxy(production_waitress, "198.51.100.9"))
    assert FAILED in fail_login(behind_proxy(production_waitress, "203.0.113.1"))
