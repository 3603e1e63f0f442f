"""``submit_responsable_changes``: a service's corrections of a responsable go
to the services the pupil's establishment enables, and only with the
contract's field names."""

from types import SimpleNamespace

import pytest

from ts_host.api import ServiceDescription, hookimpl, submit_responsable_changes
from ts_host.plugins import PluginRegistry
from ts_host.testing import ESTABLISHMENT_A, college_config

PUPIL = SimpleNamespace(uai=ESTABLISHMENT_A)
RESPONSABLE = SimpleNamespace(id="r1")


class Taker:
    """A service that takes every request it is given."""

    def __init__(self) -> None:
        self.taken: list[tuple[dict, str]] = []

    @hookimpl
    def ts_describe_service(self):
        return ServiceDescription(
            id="preneur", title="Preneur", description="Prend les demandes.", version="1.0"
        )

    @hookimpl
    def ts_submit_responsable_changes(self, changes, origin):
        self.taken.append((dict(changes), origin))
        return "demande-1"


def request_enabling(*services: str):
    taker = Taker()
    plugins = PluginRegistry()
    assert plugins.register(taker, "preneur")
    establishment = college_config(*services)
    request = SimpleNamespace(
        registry=SimpleNamespace(ts_plugins=plugins),
        academy=SimpleNamespace(establishment={establishment.uai: establishment}.get),
    )
    return request, taker


def submit(request, **changes):
    return submit_responsable_changes(request, PUPIL, RESPONSABLE, changes, origin="inscription")


def test_the_service_enabled_for_the_pupil_takes_the_corrections():
    request, taker = request_enabling("preneur")
    assert submit(request, email="nouvelle@example.org") == "demande-1"
    assert taker.taken == [({"email": "nouvelle@example.org"}, "inscription")]


def test_a_service_the_establishment_does_not_enable_is_not_asked():
    request, taker = request_enabling()
    assert submit(request, email="nouvelle@example.org") is None
    assert taker.taken == []


def test_no_correction_asks_nothing():
    request, taker = request_enabling("preneur")
    assert submit(request) is None
    assert taker.taken == []


def test_a_field_the_contract_does_not_name_is_refused_even_with_no_taker():
    request, _taker = request_enabling()
    with pytest.raises(ValueError, match="iban"):
        submit(request, iban="FR76", email="nouvelle@example.org")
