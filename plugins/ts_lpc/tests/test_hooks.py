"""The hook implementations: description, settings, GDPR access and erasure."""

from __future__ import annotations

import json

import colander
import pytest

import ts_lpc
from ts_host.api import API_VERSION, ServiceDescription
from ts_host.testing import assert_gdpr_export_covers
from ts_lpc.models import SERVICE_ID


def test_the_service_describes_itself():
    description = ts_lpc.ts_describe_service()
    assert isinstance(description, ServiceDescription)
    assert description.id == SERVICE_ID == "lpc"
    assert description.title == "Le livret de compétences"
    assert description.translation_domain == "ts_lpc"
    assert API_VERSION.startswith("1.")


def test_the_settings_default_to_offering_the_pdf():
    schema = ts_lpc.ts_describe_service().settings_schema
    assert schema.deserialize({}) == {"pdf": True}
    assert schema.deserialize({"pdf": False}) == {"pdf": False}
    with pytest.raises(colander.Invalid):
        schema.deserialize({"pdf": "non"})


def test_a_gdpr_request_gets_the_whole_livret(site, tm, livret):
    with tm:
        data = ts_lpc.ts_pupil_data(site.pupils[livret])
    assert json.loads(json.dumps(data)) == data
    assert data["professeur_principal"] == "Mme MOREL"
    assert data["paliers"]["3"]["validations"]["1"] == "2027-01-12"
    assert data["paliers"]["3"]["renseignements"]["3.1.1.1"][0] == {
        "discipline": "Français",
        "date": "2026-10-05",
    }


def test_every_demo_livret_is_in_its_pupil_s_gdpr_export(ts_app, site, tm):
    with tm:
        assert_gdpr_export_covers(site, ts_app.registry.ts_plugins, SERVICE_ID)


def test_erasure_leaves_nothing(site, tm, livret, family_app):
    with tm:
        pupil = site.pupils[livret]
        ts_lpc.ts_erase_pupil_data(pupil)
        assert ts_lpc.ts_pupil_data(pupil) is None
        ts_lpc.ts_erase_pupil_data(pupil)  # twice is harmless
    page = family_app.get(f"/eleve/{livret}/competences")
    assert "validée le" not in page.text
