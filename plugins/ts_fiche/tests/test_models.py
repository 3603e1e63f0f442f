"""The store of change requests, without a database."""

from datetime import datetime

import pytest

from ts_fiche.models import (
    APPLIED,
    FIELDS,
    PENDING,
    REFUSED,
    TRANSMITTED,
    FicheStore,
    differences,
    fiche_store,
    find_store,
    write_values,
)
from ts_host.api import Responsable, Site

CURRENT = {key: "" for key in FIELDS} | {"line1": "1 rue de la Paix", "sms_consent": False}
DAY = datetime(2027, 2, 15, 9, 0)


def wanted(**changes):
    return {**CURRENT, **changes}


def test_differences_lists_the_changed_fields_only():
    assert differences(CURRENT, wanted(line2="B", sms_consent=True)) == {
        "line2": "B",
        "sms_consent": True,
    }
    assert differences(CURRENT, CURRENT) == {}


def test_a_responsable_has_at_most_one_pending_request():
    store = FicheStore()
    first = store.submit("r1", "p1", "a1", DAY, wanted(line2="B"), CURRENT)
    again = store.submit("r1", "p1", "a2", DAY, wanted(line3="C"), CURRENT)
    assert again is first
    assert first.changes == {"line3": "C"}
    assert first.previous == {"line3": ""}
    assert first.account_id == "a2"
    assert list(store.pending) == [first.id]
    assert store.history("r1") == [first]


def test_after_export_a_new_request_is_a_new_one():
    store = FicheStore()
    first = store.submit("r1", "p1", "a1", DAY, wanted(line2="B"), CURRENT)
    store.mark_transmitted(first, DAY)
    second = store.submit("r1", "p1", "a1", DAY.replace(day=16), wanted(line2="C"), CURRENT)
    assert second is not first
    assert first.state == TRANSMITTED
    assert store.pending_for("r1") is second
    assert store.history("r1") == [second, first]
    with pytest.raises(ValueError):
        first.revise("p1", "a1", DAY, wanted(), CURRENT)


def test_decisions_only_on_transmitted_requests():
    store = FicheStore()
    change = store.submit("r1", "p1", "a1", DAY, wanted(line2="B"), CURRENT)
    with pytest.raises(ValueError):
        store.decide(change, True, DAY)
    store.mark_transmitted(change, DAY)
    store.decide(change, False, DAY)
    assert (change.state, change.decided) == (REFUSED, DAY)
    other = store.submit("r2", "p1", "a1", DAY, wanted(line2="B"), CURRENT)
    store.mark_transmitted(other, DAY)
    store.decide(other, True, DAY)
    assert other.state == APPLIED
    assert not other.open


def test_withdraw_forgets_a_pending_request_only():
    store = FicheStore()
    change = store.submit("r1", "p1", "a1", DAY, wanted(line2="B"), CURRENT)
    assert change.state == PENDING
    store.withdraw(change)
    assert (store.get(change.id), store.history("r1"), list(store.pending)) == (None, [], [])
    sent = store.submit("r1", "p1", "a1", DAY, wanted(line2="B"), CURRENT)
    store.mark_transmitted(sent, DAY)
    with pytest.raises(ValueError):
        store.withdraw(sent)


def test_write_values_replaces_the_dicts_so_the_change_is_persisted():
    responsable = Responsable(
        "r1",
        "0541234Y",
        "Mme",
        "Anne",
        "Martin",
        address={"line1": "1 rue", "city": "NANCY"},
        phones={"mobile": "06 11 22 33 44"},
    )
    address, phones = responsable.address, responsable.phones
    write_values(
        responsable,
        {
            "line2": "Bât. B",
            "phone_work": "03 83 12 34 56",
            "email": "anne@example.org",
            "sms_consent": True,
        },
    )
    assert responsable.address == {"line1": "1 rue", "city": "NANCY", "line2": "Bât. B"}
    assert responsable.phones == {"mobile": "06 11 22 33 44", "work": "03 83 12 34 56"}
    assert responsable.address is not address and responsable.phones is not phones
    assert (responsable.email, responsable.sms_consent) == ("anne@example.org", True)
    with pytest.raises(KeyError):
        write_values(responsable, {"last_name": "Dupont"})


def test_reading_the_store_never_creates_it():
    site = Site()
    assert find_store(site) is None
    assert "fiche" not in site.services
    store = fiche_store(site)
    assert find_store(site) is store
    assert fiche_store(site) is store
