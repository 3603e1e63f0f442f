"""``ts-admin gdpr``: a pupil's whole record for an access request, without secrets;
erasure of a pupil who left, all of it or nothing."""

import json
from datetime import date

import pytest

from ts_host.activation import display
from ts_host.cli import main
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, make_account, pupils_of

#: A service bundled with the host, whose demo data the export must carry.
SERVICE = "notes"


@pytest.fixture(scope="session")
def ts_enabled_services():
    return {ESTABLISHMENT_A: [SERVICE], ESTABLISHMENT_B: []}


@pytest.fixture
def gdpr(ts_admin, capsys):
    """``ts-admin gdpr ACTION INI ARGS...`` on the kit's copy of the demo base."""

    def run(action, *args):
        capsys.readouterr()
        try:
            status = main(["gdpr", action, str(ts_admin.ini), *map(str, args)])
        except SystemExit as exc:
            status = exc.code
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def export(gdpr):
    return lambda *args: gdpr("export", *args)


@pytest.fixture
def pupil(ts_admin, ts_app):
    """A pupil of A followed by an account; its activation codes and the account's hash."""
    with ts_admin.site() as site:
        chosen = pupils_of(site, ESTABLISHMENT_A)[0]
        account = make_account(site, ts_app.registry.ts_hasher, [chosen.id], "famille.rgpd")
        codes = [c.code for c in site.codes.values() if c.pupil_id == chosen.id]
        return {
            "id": chosen.id,
            "siecle_id": chosen.siecle_id,
            "first_name": chosen.first_name,
            "codes": codes,
            "password_hash": account.password_hash,
            "answer_hashes": [q.answer_hash for q in account.questions],
        }


def test_the_export_holds_the_pupil_the_family_the_account_and_every_service(
    export, pupil, tmp_path
):
    output = tmp_path / "eleve.json"
    status, out, err = export("--uai", ESTABLISHMENT_A, "--pupil", pupil["siecle_id"])
    assert status == 0, err
    document = json.loads(out)
    assert document["eleve"]["identifiant"] == pupil["id"]
    assert document["eleve"]["prenom"] == pupil["first_name"]
    assert document["responsables"] and all(r["nom"] for r in document["responsables"])
    assert [a["identifiant"] for a in document["comptes"]] == ["famille.rgpd"]
    assert {c["etat"] for c in document["codes_activation"]} >= {"used"}
    assert list(document["services"]) == [SERVICE]
    assert document["services"][SERVICE]["notes"]

    status, out, _err = export("--uai", ESTABLISHMENT_A, "--pupil", pupil["id"], "-o", output)
    assert status == 0
    assert "écrites dans" in out
    assert json.loads(output.read_text(encoding="utf-8"))["eleve"] == document["eleve"]


def test_the_export_leaves_out_passwords_answers_and_codes(export, pupil):
    _status, text, _err = export("--uai", ESTABLISHMENT_A, "--pupil", pupil["id"])
    secrets = [pupil["password_hash"], *pupil["answer_hashes"]]
    for code in pupil["codes"]:
        secrets += [code, display(code)]
    assert secrets and not [secret for secret in secrets if secret and secret in text]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--uai", ESTABLISHMENT_A], "précisez l'élève"),
        (["--pupil", "x"], "précisez l'établissement"),
        (["--uai", ESTABLISHMENT_A, "--pupil", "inconnu"], "élève inconnu"),
        (["--uai", "9999999Z", "--pupil", "x"], "établissement 9999999Z inconnu"),
    ],
)
def test_a_bad_request_is_a_clear_french_error(export, args, message):
    status, out, err = export(*args)
    assert status == 2
    assert message in err
    assert out == ""


# -- erasure ------------------------------------------------------------------


@pytest.fixture
def leaver(ts_admin, ts_app):
    """A pupil of A who left, followed by a family account that also follows a
    sibling-to-be (another pupil) and by the pupil's own account."""
    hasher = ts_app.registry.ts_hasher
    with ts_admin.site() as site:
        erased, other = pupils_of(site, ESTABLISHMENT_A)[:2]
        erased.left_on = date(2027, 1, 29)
        make_account(site, hasher, [erased.id, other.id], "famille.deux")
        make_account(site, hasher, [erased.id], "eleve.sorti", kind="eleve")
        shared = {
            link.responsable_id
            for pupil_id in site.establishments[ESTABLISHMENT_A].pupil_ids
            if pupil_id != erased.id
            for link in site.pupils[pupil_id].responsables
        }
        return {
            "id": erased.id,
            "siecle_id": erased.siecle_id,
            "other": other.id,
            "responsables": {
                link.responsable_id: link.responsable_id in shared for link in erased.responsables
            },
        }


def test_a_pupil_still_at_school_is_not_erased(gdpr, pupil, ts_admin):
    status, _out, err = gdpr("erase", "--uai", ESTABLISHMENT_A, "--pupil", pupil["id"], "--yes")
    assert status == 2
    assert "est encore inscrit" in err
    with ts_admin.site() as site:
        assert pupil["id"] in site.pupils


def test_without_yes_the_erasure_is_only_described(gdpr, leaver, ts_admin):
    status, out, _err = gdpr("erase", "--uai", ESTABLISHMENT_A, "--pupil", leaver["id"])
    assert status == 1
    assert "Effacerait" in out and "services : notes" in out and "relancez avec --yes" in out
    with ts_admin.site() as site:
        erased = site.pupils[leaver["id"]]
        assert SERVICE in erased.services
        assert "eleve.sorti" in site.logins


def test_the_erasure_forgets_the_pupil_and_what_only_it_had(gdpr, leaver, ts_admin):
    status, out, err = gdpr(
        "erase", "--uai", ESTABLISHMENT_A, "--pupil", leaver["siecle_id"], "--yes"
    )
    assert status == 0, err
    assert "effacé" in out
    assert "comptes supprimés : 1, détachés : 1" in out
    with ts_admin.site() as site:
        establishment = site.establishments[ESTABLISHMENT_A]
        assert leaver["id"] not in site.pupils
        assert leaver["id"] not in establishment.pupil_ids
        assert leaver["siecle_id"] not in establishment.by_eleve_id
        assert not [c for c in site.codes.values() if c.pupil_id == leaver["id"]]
        # The pupil's own account is gone with its indexes.
        assert "eleve.sorti" not in site.logins
        assert "acct-eleve.sorti" not in site.accounts
        # The family keeps its account for the other child.
        family = site.accounts["acct-famille.deux"]
        assert family.pupil_ids == [leaver["other"]]
        for responsable_id, shared in leaver["responsables"].items():
            assert (responsable_id in site.responsables) == shared
    status, _out, err = gdpr("export", "--uai", ESTABLISHMENT_A, "--pupil", leaver["id"])
    assert status == 2 and "élève inconnu" in err


def test_an_erasure_that_fails_midway_writes_nothing(gdpr, leaver, ts_admin, monkeypatch):
    def broken(self, account):
        raise RuntimeError("disque plein")

    # The services have erased their part and the codes are gone when it fails.
    monkeypatch.setattr("ts_host.models.site.Site.forget_account", broken)
    with pytest.raises(RuntimeError, match="disque plein"):
        gdpr("erase", "--uai", ESTABLISHMENT_A, "--pupil", leaver["id"], "--yes")
    with ts_admin.site() as site:
        erased = site.pupils[leaver["id"]]
        assert SERVICE in erased.services
        assert [c for c in site.codes.values() if c.pupil_id == leaver["id"]]
        assert "eleve.sorti" in site.logins
