"""``ts-admin gdpr export``: a pupil's whole record, for an access request, without secrets."""

import json

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
def export(ts_admin, capsys):
    """``ts-admin gdpr export INI ARGS...`` on the kit's copy of the demo base."""

    def run(*args):
        capsys.readouterr()
        try:
            status = main(["gdpr", "export", str(ts_admin.ini), *map(str, args)])
        except SystemExit as exc:
            status = exc.code
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


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
