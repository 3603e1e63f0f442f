"""The fiche's part of the GDPR: a responsable's change requests, exported and erased."""

import json
from datetime import date, datetime

from ts_fiche.models import FIELDS, fiche_store, find_store
from ts_host.testing import ESTABLISHMENT_A, assert_gdpr_export_covers, pupils_of

DAY = datetime(2027, 2, 15, 9, 0)
CURRENT = {key: "" for key in FIELDS} | {"sms_consent": False}


def submit(site, pupil, responsable_id: str, city: str):
    store = fiche_store(site)
    change = store.submit(
        responsable_id, pupil.id, "compte-1", DAY, CURRENT | {"city": city}, CURRENT
    )
    store.mark_transmitted(change, DAY.replace(day=16))
    store.decide(change, True, DAY.replace(day=17))
    later, wanted = DAY.replace(day=20), CURRENT | {"city": "METZ"}
    return store.submit(responsable_id, pupil.id, "compte-1", later, wanted, CURRENT)


def only_child(site):
    """A pupil of A whose responsables have no other pupil (erased with it)."""
    pupils = pupils_of(site, ESTABLISHMENT_A)
    counts: dict[str, int] = {}
    for pupil in pupils:
        for link in pupil.responsables:
            counts[link.responsable_id] = counts.get(link.responsable_id, 0) + 1
    return next(p for p in pupils if all(counts[lk.responsable_id] == 1 for lk in p.responsables))


def test_what_the_fiche_stores_is_all_in_its_exports(ts_app, site, tm):
    with tm:
        pupil = pupils_of(site, ESTABLISHMENT_A)[0]
        submit(site, pupil, pupil.responsables[0].responsable_id, "NANCY")
        assert_gdpr_export_covers(site, ts_app.registry.ts_plugins, "fiche")


def test_gdpr_export_and_erase_carry_the_responsables_requests(ts_admin):
    with ts_admin.site() as site:
        pupil = only_child(site)
        pupil.left_on = date(2027, 1, 29)
        responsable_id = pupil.responsables[0].responsable_id
        submit(site, pupil, responsable_id, "NANCY")
        pupil_id = pupil.id

    run = ts_admin("gdpr export", "--uai", ESTABLISHMENT_A, "--pupil", pupil_id)
    assert run.status == 0, run.err
    document = json.loads(run.out)
    assert document["eleve"]["date_sortie"] == "2027-01-29"
    responsable = next(r for r in document["responsables"] if r["identifiant"] == responsable_id)
    requests = responsable["services"]["fiche"]["demandes_de_modification"]
    assert [(r["etat"], r["valeurs"]["city"]) for r in requests] == [
        ("en attente de validation", "METZ"),
        ("appliquée", "NANCY"),
    ]

    run = ts_admin("gdpr erase", "--uai", ESTABLISHMENT_A, "--pupil", pupil_id, "--yes")
    assert run.status == 0, run.err
    with ts_admin.site() as site:
        store = find_store(site)
        assert store.history(responsable_id) == []
        assert responsable_id not in store.by_responsable
        assert list(store.pending) == []
        assert len(store.requests) == 0
