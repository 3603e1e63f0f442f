"""The site keeps its own indexes: each method leaves every invariant true.

Plain objects, no database: a ``Site`` and its ``Container``\\ s work alone.
"""

from datetime import date

import pytest

from ts_host.activation import issue
from ts_host.models import (
    Account,
    CodeKind,
    CodeState,
    LoginTaken,
    Pupil,
    Responsable,
    Site,
    email_key,
    login_key,
)

UAI = "0540001A"


def inconsistencies(site: Site) -> list[str]:
    """Every broken invariant of the site's docstrings, in words (none: [])."""
    found = []
    for account in site.accounts.values():
        if site.logins.get(login_key(account.login)) != account.id:
            found.append(f"login of {account.id} not indexed")
        if account.id not in (site.emails.get(email_key(account.email)) or ()):
            found.append(f"e-mail of {account.id} not indexed")
        for link in account.links:
            code = site.codes.get(link.code)
            if code is None or code.account_id != account.id or code.state is not CodeState.USED:
                found.append(f"link {link.code} of {account.id} is no used code of it")
    for key, account_id in site.logins.items():
        account = site.accounts.get(account_id)
        if account is None or login_key(account.login) != key:
            found.append(f"login {key} names no account of that login")
    for key, ids in site.emails.items():
        if not ids:
            found.append(f"address {key} maps to nobody")
        for account_id in ids:
            account = site.accounts.get(account_id)
            if account is None or email_key(account.email) != key:
                found.append(f"address {key} names {account_id}, not an account of it")
    for text, code in site.codes.items():
        if code.code != text or code.pupil_id not in site.pupils:
            found.append(f"code {text} misfiled or of an unknown pupil")
        if code.state is CodeState.USED and code.account_id not in site.accounts:
            found.append(f"used code {text} of no account")
    for establishment in site.establishments.values():
        for pupil_id, division in establishment.pupil_ids.items():
            pupil = site.pupils.get(pupil_id)
            if pupil is None or pupil.uai != establishment.uai or pupil.division != division:
                found.append(f"pupil index {pupil_id} disagrees")
        for eleve_id, pupil_id in establishment.by_eleve_id.items():
            if getattr(site.pupils.get(pupil_id), "siecle_id", None) != eleve_id:
                found.append(f"ELEVE_ID {eleve_id} disagrees")
        for personne_id, responsable_id in establishment.by_personne_id.items():
            if getattr(site.responsables.get(responsable_id), "siecle_id", None) != personne_id:
                found.append(f"PERSONNE_ID {personne_id} disagrees")
    for pupil in site.pupils.values():
        establishment = site.establishments[pupil.uai]
        if pupil.id not in establishment.pupil_ids:
            found.append(f"pupil {pupil.id} not indexed")
        if pupil.siecle_id and establishment.by_eleve_id.get(pupil.siecle_id) != pupil.id:
            found.append(f"pupil {pupil.id} not indexed by ELEVE_ID")
    for responsable in site.responsables.values():
        by_personne_id = site.establishments[responsable.uai].by_personne_id
        if responsable.siecle_id and by_personne_id.get(responsable.siecle_id) != responsable.id:
            found.append(f"responsable {responsable.id} not indexed by PERSONNE_ID")
    return found


def a_pupil(site: Site, n: int, *, responsables=()) -> Pupil:
    pupil = Pupil(f"p{n}", UAI, f"Enfant{n}", "MARTIN", date(2013, 1, n), "5A", siecle_id=f"42{n}")
    for legal, responsable in enumerate(responsables, start=1):
        pupil.add_responsable(responsable.id, legal)
    site.enrol(pupil)
    return pupil


def a_responsable(site: Site, n: int) -> Responsable:
    responsable = Responsable(f"r{n}", UAI, "Mme", f"Mère{n}", "MARTIN", siecle_id=f"53{n}")
    site.add_responsable(responsable)
    return responsable


def an_account(site: Site, login: str, *pupils: Pupil, email: str = "") -> Account:
    account = Account(f"acct-{login}", "eleve", login, email or f"{login}@example.org")
    site.add_account(account)
    for pupil in pupils:
        site.link(account, issue(site, CodeKind.CAE, pupil))
    return account


@pytest.fixture
def site() -> Site:
    site = Site()
    site.ensure_establishment(UAI, "Collège")
    return site


def test_an_account_is_found_by_its_login_and_address_whatever_their_case(site):
    account = an_account(site, "Dupont.Famille", email="Famille@Example.org")
    assert site.account_by_login("dupont.famille") is account
    assert site.account_by_login("DUPONT.FAMILLE") is account
    assert site.accounts_by_email("famille@example.ORG") == [account]
    assert site.account_by_login("inconnu") is None and site.accounts_by_email("x@y.fr") == []
    assert inconsistencies(site) == []


def test_a_login_taken_in_another_case_is_refused_and_nothing_is_written(site):
    an_account(site, "dupont")
    with pytest.raises(LoginTaken):
        an_account(site, "DUPONT")
    assert list(site.accounts) == ["acct-dupont"] and list(site.emails) == ["dupont@example.org"]
    assert inconsistencies(site) == []


def test_a_rename_to_a_login_taken_is_refused_and_changes_nothing(site):
    an_account(site, "premier")
    second = an_account(site, "second")
    with pytest.raises(LoginTaken):
        site.rename(second, "Premier")
    assert second.login == "second"
    assert dict(site.logins.items()) == {"premier": "acct-premier", "second": "acct-second"}


def test_a_rename_frees_the_old_login_and_may_change_the_case_only(site):
    account = an_account(site, "ancien")
    site.rename(account, "nouveau")
    assert "ancien" not in site.logins and site.account_by_login("nouveau") is account
    site.rename(account, "Nouveau")
    assert account.login == "Nouveau" and list(site.logins) == ["nouveau"]
    assert not site.login_taken("ancien")
    assert site.login_taken("NOUVEAU") and not site.login_taken("nouveau", by_other_than=account)
    assert inconsistencies(site) == []


def test_a_new_address_moves_the_account_and_keeps_a_shared_one_for_the_other(site):
    first = an_account(site, "premier", email="Partagee@example.org")
    second = an_account(site, "second", email="partagee@example.org")
    assert {a.id for a in site.accounts_by_email("partagee@example.org")} == {first.id, second.id}
    site.readdress(first, "Nouvelle@example.org")
    assert site.accounts_by_email("nouvelle@example.org") == [first]
    assert site.accounts_by_email("partagee@example.org") == [second]
    site.readdress(second, "autre@example.org")
    assert "partagee@example.org" not in site.emails, "an empty set is not kept"
    assert inconsistencies(site) == []


def test_a_pupil_is_enrolled_in_its_establishments_indexes_and_follows_its_class(site):
    pupil = a_pupil(site, 1)
    establishment = site.establishments[UAI]
    assert establishment.pupil_ids[pupil.id] == "5A"
    assert establishment.by_eleve_id["421"] == pupil.id
    assert site.update_pupil(pupil, {"division": "4B", "first_name": "Enfant1"})
    assert establishment.pupil_ids[pupil.id] == "4B"
    assert not site.update_pupil(pupil, {"division": "4B"}), "unchanged: nothing written"
    assert inconsistencies(site) == []


def test_an_eleve_id_or_personne_id_already_anothers_is_refused(site):
    a_pupil(site, 1)
    a_responsable(site, 1)
    twin = Pupil("p-twin", UAI, "Autre", "MARTIN", date(2013, 1, 1), "5A", siecle_id="421")
    with pytest.raises(KeyError):
        site.enrol(twin)
    namesake = Responsable("r-twin", UAI, "M.", "Autre", "MARTIN", siecle_id="531")
    with pytest.raises(KeyError):
        site.add_responsable(namesake)
    assert site.establishments[UAI].by_personne_id["531"] == "r1"
    assert "p-twin" not in site.pupils and "r-twin" not in site.responsables
    assert inconsistencies(site) == []


def test_a_link_uses_the_code_and_unlinking_takes_it_back(site):
    pupil = a_pupil(site, 1)
    account = an_account(site, "eleve", pupil)
    (link,) = account.links
    code = site.codes[link.code]
    assert (code.state, code.account_id, account.pupil_ids) == (
        CodeState.USED,
        account.id,
        [pupil.id],
    )
    with pytest.raises(ValueError):
        site.link(an_account(site, "autre"), code)
    assert site.unlink(code) is account
    assert account.links == []


def test_forgetting_an_account_removes_every_index_entry_and_frees_its_codes(site):
    pupil = a_pupil(site, 1)
    account = an_account(site, "Eleve", pupil, email="Eleve@Example.org")
    site.tokens.add("digest", "record")
    account.tokens["reset"] = "digest"
    code = site.codes[account.links[0].code]
    site.forget_account(account)
    assert len(site.accounts) == len(site.logins) == len(site.emails) == len(site.tokens) == 0
    assert (code.state, code.account_id) == (CodeState.UNUSED, None)
    assert inconsistencies(site) == []


def test_forgetting_a_pupil_removes_every_index_entry_that_names_it(site):
    shared, own = a_responsable(site, 1), a_responsable(site, 2)
    erased = a_pupil(site, 1, responsables=(shared, own))
    sibling = a_pupil(site, 2, responsables=(shared,))
    family = Account("acct-famille", "responsable", "famille", "famille@example.org")
    site.add_account(family)
    for pupil in (erased, sibling):
        site.link(family, issue(site, CodeKind.CAR, pupil, shared.id))
    an_account(site, "eleve", erased)
    issue(site, CodeKind.CAR, erased, own.id)  # never used

    forgotten = site.forget_pupil(erased)

    assert (forgotten.codes, forgotten.accounts_removed, forgotten.accounts_unlinked) == (3, 1, 1)
    assert forgotten.responsables == 1
    establishment = site.establishments[UAI]
    assert erased.id not in site.pupils and erased.id not in establishment.pupil_ids
    assert "421" not in establishment.by_eleve_id
    assert own.id not in site.responsables and "532" not in establishment.by_personne_id
    assert shared.id in site.responsables, "another pupil still has this responsable"
    assert not [c for c in site.codes.values() if c.pupil_id == erased.id]
    assert site.account_by_login("eleve") is None and "eleve@example.org" not in site.emails
    assert family.pupil_ids == [sibling.id]
    assert inconsistencies(site) == []


def test_an_update_never_changes_what_the_indexes_hang_on(site):
    pupil = a_pupil(site, 1)
    with pytest.raises(ValueError):
        site.update_pupil(pupil, {"siecle_id": "999", "first_name": "Autre"})
    assert (pupil.siecle_id, pupil.first_name) == ("421", "Enfant1")
    with pytest.raises(ValueError):
        site.update_responsable(a_responsable(site, 1), {"uai": "0999999Z"})
    assert inconsistencies(site) == []
