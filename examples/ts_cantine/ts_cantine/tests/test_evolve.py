"""Evolve step 1: accounts stored by version 1.0 (``repas``) get ``meals``."""

from ts_host.api import Pupil, Site
from ts_host.testing import ESTABLISHMENT_A, pupils_of

import ts_cantine
from ts_cantine.evolve import rename_repas_to_meals
from ts_cantine.models import SERVICE_ID, PupilAccount

from .known import d


def as_stored_by_1_0(account: PupilAccount) -> None:
    account.repas = account.meals
    del account.meals


def test_the_steps_are_numbered_from_1():
    assert [step.generation for step in ts_cantine.ts_evolve_steps()] == [1]


def test_step_1_renames_the_meals_and_leaves_new_accounts_alone():
    site = Site()
    old, new = PupilAccount(), PupilAccount()
    old.replace({d("08/02/2027"): 390}, {})
    new.replace({d("09/02/2027"): 410}, {})
    as_stored_by_1_0(old)
    for name, account in (("old", old), ("new", new)):
        pupil = Pupil(name, ESTABLISHMENT_A, "Léa", "Martin", d("01/01/2013"), "5A")
        pupil.services.add(SERVICE_ID, account)
        site.pupils.add(name, pupil)
    rename_repas_to_meals(site)
    assert dict(old.meals) == {d("08/02/2027").toordinal(): 390}
    assert not hasattr(old, "repas")
    assert dict(new.meals) == {d("09/02/2027").toordinal(): 410}


def test_ts_admin_evolve_applies_step_1_once(ts_admin):
    with ts_admin.site() as site:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if p.services.get(SERVICE_ID))
        pupil_id = pupil.id
        account = pupil.services[SERVICE_ID]
        balance = account.balance(d("15/02/2027"))
        as_stored_by_1_0(account)
        site.generations[SERVICE_ID] = 0

    result = ts_admin("evolve")

    assert result.status == 0, result.err
    assert (
        result.out == "cantine : étape 1 appliquée (les repas des comptes s'appellent « meals »)\n"
    )
    with ts_admin.site() as site:
        account = site.pupils[pupil_id].services[SERVICE_ID]
        assert not hasattr(account, "repas")
        assert account.balance(d("15/02/2027")) == balance
        assert site.generations[SERVICE_ID] == 1
    assert ts_admin("evolve").out == "La base est à jour.\n"


def test_a_database_that_never_had_the_service_starts_at_its_last_step(ts_admin):
    with ts_admin.site() as site:
        site.generations.pop(SERVICE_ID, None)
    assert ts_admin("evolve").status == 0
    with ts_admin.site() as site:
        assert site.generations[SERVICE_ID] == 1
