"""The service as the host sees it: description, entry point, GDPR hooks."""

from importlib.metadata import entry_points

from ts_host.api import API_VERSION, ServiceDescription
from ts_host.testing import ESTABLISHMENT_A, assert_gdpr_export_covers, pupils_of

import ts_cantine
from ts_cantine.models import SERVICE_ID


def test_the_service_describes_itself_under_its_entry_point_name():
    description = ts_cantine.ts_describe_service()
    assert isinstance(description, ServiceDescription)
    (entry_point,) = [e for e in entry_points(group="ts_host.plugins") if e.value == "ts_cantine"]
    assert description.id == entry_point.name == SERVICE_ID
    assert description.title == "La cantine"
    assert API_VERSION.split(".")[0] == "1" and description.requires_host == ">=1.2,<2"


def test_the_host_accepts_and_mounts_the_service(ts_app):
    status = ts_app.registry.ts_plugins.statuses[SERVICE_ID]
    assert status.ok, status.reason
    assert status.description.version == "1.2.0"


def test_the_pupils_data_is_exported_then_erased(site, tm):
    with tm:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if p.services.get(SERVICE_ID))
        data = ts_cantine.ts_pupil_data(pupil=pupil)
        account = pupil.services[SERVICE_ID]
        assert len(data["repas"]) == len(account.meals)
        assert data["repas"][0]["montant_centimes"] > 0
        assert {p["date"] for p in data["paiements"]} >= {"2026-09-01"}
        ts_cantine.ts_erase_pupil_data(pupil=pupil)
        assert pupil.services.get(SERVICE_ID) is None
        assert ts_cantine.ts_pupil_data(pupil=pupil) is None


def test_every_account_is_in_its_pupil_s_gdpr_export(ts_app, site, tm):
    """The menus are the establishment's: see CantineSite."""
    with tm:
        assert_gdpr_export_covers(site, ts_app.registry.ts_plugins, SERVICE_ID)
