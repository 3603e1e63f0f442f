"""Another service's corrections of a responsable become the fiche's change
requests (the hook ``ts_submit_responsable_changes``, reached through the
host's ``submit_responsable_changes``), as the fiche's own form makes them."""

import json
import logging

from pyramid.testing import DummyRequest

from ts_fiche.models import PENDING, find_store
from ts_host.api import submit_responsable_changes

ACCOUNT = "compte-de-la-famille"


class Account:
    id = ACCOUNT


def family_request(ts_app, site) -> DummyRequest:
    """What the hook reads of a family's request: the database, the
    establishments, the account, the settings (today)."""
    request = DummyRequest()
    request.registry = ts_app.registry
    request.site = site
    request.academy = ts_app.registry.ts_academy
    request.account = Account()
    request.client_addr = "192.0.2.1"
    return request


def first_responsable(site, pupil_id):
    pupil = site.pupils[pupil_id]
    return pupil, site.responsables[pupil.responsables[0].responsable_id]


def hand_over(ts_app, site, pupil_id, **changes):
    pupil, responsable = first_responsable(site, pupil_id)
    request = family_request(ts_app, site)
    return submit_responsable_changes(request, pupil, responsable, changes, origin="inscription")


def test_corrections_become_a_pending_request_written_as_the_form_writes_them(
    ts_app, site, tm, pupil_enabled, caplog
):
    caplog.set_level(logging.INFO, logger="ts_host.audit")
    with tm:
        reference = hand_over(
            ts_app, site, pupil_enabled, phone_mobile="07.11.22.33.44", city="Lunéville"
        )
    with tm:
        change = find_store(site).get(reference)
        _pupil, responsable = first_responsable(site, pupil_enabled)
        assert change.state == PENDING
        assert change.changes == {"phone_mobile": "07 11 22 33 44", "city": "LUNÉVILLE"}
        assert (change.responsable_id, change.pupil_id) == (responsable.id, pupil_enabled)
        assert change.account_id == ACCOUNT
        assert responsable.phones.get("mobile") != "07 11 22 33 44"  # only asked
    [record] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ts_host.audit"]
    assert record["event"] == "fiche.request.submitted"
    assert (record["target"], record["origin"]) == (reference, "inscription")


def test_corrections_are_laid_over_the_pending_request_of_the_fiche(
    ts_app, site, tm, pupil_enabled
):
    with tm:
        first = hand_over(ts_app, site, pupil_enabled, profession="Boulangère")
        again = hand_over(ts_app, site, pupil_enabled, email="nouvelle@example.org")
        assert again == first
        change = find_store(site).get(first)
        assert change.changes == {"profession": "Boulangère", "email": "nouvelle@example.org"}
        same = hand_over(ts_app, site, pupil_enabled, email="nouvelle@example.org")
        assert same == first
        assert len(find_store(site).history(change.responsable_id)) == 1


def test_corrections_that_ask_for_nothing_new_make_no_request(ts_app, site, tm, pupil_enabled):
    with tm:
        _pupil, responsable = first_responsable(site, pupil_enabled)
        city = (responsable.address or {}).get("city", "")
        assert hand_over(ts_app, site, pupil_enabled, city=city.lower()) is None
        store = find_store(site)
        assert store is None or not store.history(responsable.id)


def test_an_establishment_without_the_fiche_takes_no_request(ts_app, site, tm, pupil_disabled):
    with tm:
        _pupil, responsable = first_responsable(site, pupil_disabled)
        store = find_store(site)
        before = len(store.history(responsable.id)) if store is not None else 0
        assert hand_over(ts_app, site, pupil_disabled, profession="Boulangère") is None
        store = find_store(site)
        assert (len(store.history(responsable.id)) if store is not None else 0) == before


def test_the_fiche_form_audits_its_requests_alike(family_app, family, site, tm, caplog):
    caplog.set_level(logging.INFO, logger="ts_host.audit")
    pupil_id = family.pupil_ids[0]
    with tm:
        _pupil, responsable = first_responsable(site, pupil_id)
    form = family_app.get(f"/eleve/{pupil_id}/fiche/responsable/{responsable.id}").forms["fiche"]
    form["profession"] = "Boulangère"
    form.submit("submit", status=303)
    with tm:
        [change] = find_store(site).history(responsable.id)
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ts_host.audit"]
    submitted = [r for r in records if r["event"] == "fiche.request.submitted"]
    assert [(r["target"], r["origin"]) for r in submitted] == [(change.id, "fiche")]
