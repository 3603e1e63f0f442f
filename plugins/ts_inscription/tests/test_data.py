"""The stored data: the conflict between two transactions, the affectation
import through ``ts-admin``, the demo, the GDPR hooks and the evolve step."""

import random
from datetime import date, datetime
from pathlib import Path

import pytest
from ZODB.POSException import ConflictError

import ts_inscription
from ts_host.api import Pupil, site_data
from ts_host.testing import (
    ESTABLISHMENT_A,
    assert_gdpr_export_covers,
    college_config,
    open_site,
    structured_site,
)
from ts_inscription import demo
from ts_inscription.models import (
    SERVICE_ID,
    InscriptionSite,
    StaleVersion,
    find_registration,
    registration_of,
)

from .conftest import campaign

SAMPLE = Path(__file__).parent / "data" / "affectation.csv"
WHEN = datetime(2027, 2, 15, 10, 0)


def test_a_conflicting_save_is_not_retried_into_an_overwrite(ts_app, fresh):
    """Two responsables save on the same version at once: ZODB refuses the
    second commit, and its retry (pyramid_retry's) finds the version moved on."""
    with open_site(ts_app) as site:
        registration_of(site.pupils[fresh]).save_step("eleve", {"n": 0}, 0, WHEN, "a")
    with pytest.raises(ConflictError), open_site(ts_app) as second:
        registration = find_registration(second.pupils[fresh])
        registration.save_step("eleve", {"n": 2}, 1, WHEN, "b")
        with open_site(ts_app) as first:
            find_registration(first.pupils[fresh]).save_step("eleve", {"n": 1}, 1, WHEN, "a")
    with open_site(ts_app) as retry, pytest.raises(StaleVersion):
        find_registration(retry.pupils[fresh]).save_step("eleve", {"n": 2}, 1, WHEN, "b")
    with open_site(ts_app) as site:
        assert find_registration(site.pupils[fresh]).data["eleve"] == {"n": 1}


def test_ts_admin_imports_the_affectation_list(ts_admin):
    run = ts_admin("import", "inscription-affectation", str(SAMPLE))
    assert run.status == 0, run.err
    with ts_admin.site() as site:
        record = site.services[SERVICE_ID].campaigns[(ESTABLISHMENT_A, "6e")]
        assert record.affectations["1234567890B"].origin == "École primaire Saint-Exupéry"


def test_ts_admin_refuses_a_bad_affectation_file_whole(ts_admin, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        SAMPLE.read_text(encoding="utf-8")
        + "0541234Y;1234567890A;Durand;Léa;12/03/2015;École;6e\n"
        + "0541234Y;1234567890C;Roux;Paul;12/03/2015;École;CM2\n",
        encoding="utf-8",
    )
    run = ts_admin("import", "inscription-affectation", str(bad))
    assert run.status == 1
    assert "ligne 4 : INE « 1234567890A » en double dans le fichier" in run.out + run.err
    assert "ligne 5 : aucune campagne pour le niveau « CM2 »" in run.out + run.err
    with ts_admin.site() as site:
        record = site.services[SERVICE_ID].campaigns[(ESTABLISHMENT_A, "6e")]
        assert "1234567890B" not in record.affectations


def test_the_demo_is_deterministic_and_has_every_state():
    establishment = college_config(SERVICE_ID)
    settings = {
        "campaigns": ts_inscription.schemas.settings_schema().deserialize(
            {"campaigns": [campaign("6e")]}
        )["campaigns"]
    }

    def fill(seed):
        site = structured_site(establishment, {"6A": "6e"})
        pupils = [
            Pupil(
                f"p{i}",
                ESTABLISHMENT_A,
                "Léa",
                f"Nom{i}",
                date(2015, 1, 1),
                "6A",
                ine=f"{i:010d}X",
                level="6e",
            )
            for i in range(30)
        ]
        demo.fill(site, establishment, pupils, random.Random(seed), settings)
        return [
            p.services[SERVICE_ID].export() if SERVICE_ID in p.services else None for p in pupils
        ]

    first = fill(1)
    assert first == fill(1) != fill(2)
    states = {entry["etat"] if entry else "non commencée" for entry in first}
    assert states == {"non commencée", "en cours", "déposée"}


def test_what_the_service_stores_is_all_in_its_gdpr_export(ts_app, family_app, site, tm, fresh):
    from .test_family import deposit, fill_all

    fill_all(family_app, fresh)
    deposit(family_app, fresh)
    with tm:
        assert_gdpr_export_covers(site, ts_app.registry.ts_plugins, SERVICE_ID)


def test_the_pupils_data_is_exported_then_erased(site, tm, pupil_enabled):
    with tm:
        pupil = site.pupils[pupil_enabled]
        registration_of(pupil).save_step("eleve", {"birth_place": "Nancy"}, 0, WHEN, "a")
        exported = ts_inscription.ts_pupil_data(site=site, pupil=pupil)
        assert exported["dossier"]["reponses"]["eleve"] == {"birth_place": "Nancy"}
        assert exported["affectation"][0]["ine"] == pupil.ine
        ts_inscription.ts_erase_pupil_data(site=site, pupil=pupil)
        assert ts_inscription.ts_pupil_data(site=site, pupil=pupil) is None


def test_ts_admin_evolve_step_1_recounts_the_places(ts_admin, tmp_path):
    with ts_admin.site() as site:
        store = site_data(site, SERVICE_ID, InscriptionSite)
        held = {
            (record.uai, record.level): {o: set(h) for o, h in record.places.items()}
            for record in store.campaigns.values()
        }
        assert any(holders for options in held.values() for holders in options.values())
        for record in store.campaigns.values():
            record.places.clear()
        site.generations[SERVICE_ID] = 0
    run = ts_admin("evolve")
    assert run.out.startswith("inscription : étape 1 appliquée"), run.out + run.err
    with ts_admin.site() as site:
        store = site.services[SERVICE_ID]
        assert {
            (record.uai, record.level): {o: set(h) for o, h in record.places.items()}
            for record in store.campaigns.values()
        } == held
