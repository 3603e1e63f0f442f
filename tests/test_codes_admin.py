"""The life of activation codes: generate, regenerate, revoke, list, and the stats."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest

import ts_host.testing as kit
from ts_host import activation
from ts_host.admin import codes, stats
from ts_host.admin.importer import import_siecle
from ts_host.admin.siecle import read_exports
from ts_host.api import CommandError
from ts_host.cli import main
from ts_host.importing import neutralise
from ts_host.models import Account, CodeKind, CodeState, Pupil, ResponsableLink

from .accounts_helpers import create_responsable
from .admin_helpers import DAY, NEW_NAME, NEW_UAI, SAMPLES, Sandbox, write_academy

NO_MATCH = "Enfant 1 : code d'activation, prénom ou date de naissance incorrect"


@pytest.fixture
def box(tmp_path):
    sandbox = Sandbox(tmp_path)
    sandbox.load()
    sandbox.tm.begin()
    yield sandbox
    sandbox.tm.abort()
    sandbox.close()


def scope(**kw):
    return codes.Scope(NEW_UAI, **kw)


def pair(site, eleve_id, personne_id=None, kind=None):
    """The codes of one pupil (and responsable), oldest first."""
    establishment = site.establishments[NEW_UAI]
    pupil_id = establishment.by_eleve_id[eleve_id]
    responsable_id = establishment.by_personne_id[personne_id] if personne_id else None
    kind = kind or (CodeKind.CAR if personne_id else CodeKind.CAE)
    found = [
        c
        for c in site.codes.values()
        if c.pupil_id == pupil_id and c.kind is kind and c.responsable_id == responsable_id
    ]
    return sorted(found, key=lambda c: c.issued_at)


def an_account(site, login, *code_objects):
    account = Account(f"acct-{login}", "responsable", login, f"{login}@example.org")
    site.add_account(account)
    for code in code_objects:
        site.link(account, code)
    return account


# Selecting ---------------------------------------------------------------------------


def test_a_scope_resolves_siecle_ids_and_public_ids(box):
    site = box.site
    by_siecle = codes.select(site, scope(pupil="4200101"))
    (chloe,) = by_siecle.pupils
    assert codes.select(site, scope(pupil=chloe.id)).pupils == [chloe]
    assert {p.first_name for p in codes.select(site, scope(division="4a")).pupils} == {
        "Théo",
        "Zoé",
    }
    mother = codes.select(site, scope(responsable="5300201"))
    assert [p.first_name for p in mother.pupils] == ["Chloé", "Théo"]
    assert mother.kinds == (CodeKind.CAR,)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"division": "9Z"}, "aucun élève en classe « 9Z » (classes : 3B, 4A, 5A, 6A)"),
        ({"pupil": "4299999"}, "élève inconnu dans l'établissement"),
        ({"responsable": "5399999"}, "responsable inconnu"),
        ({"responsable": "5300201", "kinds": (CodeKind.CAE,)}, "un CAE est le code de l'élève"),
        ({"division": "3B", "pupil": "4200102"}, "élève inconnu dans l'établissement"),
    ],
)
def test_a_scope_that_matches_nobody_is_a_clear_error(box, kw, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        codes.select(box.site, scope(**kw))


def test_an_establishment_without_pupils_asks_for_an_import_first(box):
    with pytest.raises(CommandError, match="importez d'abord ses fichiers SIECLE"):
        codes.select(box.site, codes.Scope(kit.ESTABLISHMENT_A))


def test_a_pupil_of_another_establishment_is_not_found_by_its_public_id(box):
    stranger = Pupil(
        "0123456789abcdef", kit.ESTABLISHMENT_A, "Anne", "AUTRE", date(2013, 1, 1), "3A"
    )
    box.site.ensure_establishment(kit.ESTABLISHMENT_A)
    box.site.enrol(stranger)
    with pytest.raises(CommandError, match="élève inconnu"):
        codes.select(box.site, scope(pupil=stranger.id))


def test_kinds_and_states_are_read_whatever_the_case_or_refused_in_french():
    assert codes.parse_kind("") == (CodeKind.CAR, CodeKind.CAE)
    assert codes.parse_kind("cae") == (CodeKind.CAE,)
    assert codes.parse_state("Revoked") is CodeState.REVOKED
    with pytest.raises(CommandError, match="type de code inconnu « XYZ » : CAR ou CAE"):
        codes.parse_kind("XYZ")
    with pytest.raises(CommandError, match="état inconnu « XYZ »"):
        codes.parse_state("XYZ")


# Generating ----------------------------------------------------------------------------


def test_generate_issues_only_the_missing_codes(box):
    site = box.site
    assert sum(codes.generate(site, codes.select(site, scope())).values()) == 0
    chloe = codes.select(site, scope(pupil="4200101")).pupils[0]
    aunt = codes.select(site, scope(responsable="5300212")).responsable_id  # legal 0 so far
    chloe.responsables.append(ResponsableLink(aunt, 1, "AUTRE MEMBRE DE LA FAMILLE"))
    issued = codes.generate(site, codes.select(site, scope(division="3B")))
    assert (issued[CodeKind.CAR], issued[CodeKind.CAE]) == (1, 0)
    assert sum(codes.generate(site, codes.select(site, scope())).values()) == 0


def test_generate_gives_nothing_to_a_contact_nor_to_a_pupil_who_left(box):
    site = box.site
    for code in list(site.codes.values()):
        site.codes.pop(code.code)  # as before any code was issued
    issued = codes.generate(site, codes.select(site, scope()))
    assert (issued[CodeKind.CAR], issued[CodeKind.CAE]) == (11, 7)
    issued = codes.generate(site, codes.select(site, scope(responsable="5300212")))
    assert sum(issued.values()) == 0


def test_generate_never_undoes_a_refusal(box):
    site = box.site
    codes.revoke(site, codes.select(site, scope(pupil="4200101", responsable="5300201")))
    assert sum(codes.generate(site, codes.select(site, scope())).values()) == 0
    assert [c.state for c in pair(site, "4200101", "5300201")] == [CodeState.REVOKED]


# Regenerating --------------------------------------------------------------------------


def test_regenerate_replaces_an_unused_code_and_kills_the_old_one_at_once(box, caplog):
    site = box.site
    (old,) = pair(site, "4200101", "5300201")
    chloe = site.pupils[old.pupil_id]
    with caplog.at_level("INFO", logger="ts_host.audit"):
        result = codes.regenerate(
            site, codes.select(site, scope(pupil="4200101", responsable="5300201"))
        )
    (new,) = result.issued
    assert result.revoked == 1 and old.state is CodeState.REVOKED
    assert new.code != old.code and new.usable and new.responsable_id == old.responsable_id
    assert activation.match(site, old.code, "Chloé", chloe.birth_date, CodeKind.CAR) is None
    assert activation.match(site, new.code, "Chloé", chloe.birth_date, CodeKind.CAR) is new
    (line,) = [r.getMessage() for r in caplog.records if "code.regenerated" in r.getMessage()]
    assert old.code not in line and new.code not in line  # the audit log holds no code


def test_regenerate_by_class_leaves_used_codes_and_refusals_alone(box):
    site = box.site
    (used,) = pair(site, "4200101", "5300201")
    an_account(site, "sophie", used)
    codes.revoke(site, codes.select(site, scope(pupil="4200101", responsable="5300202")))
    result = codes.regenerate(site, codes.select(site, scope(division="3B")))
    assert (len(result.issued), result.revoked, result.used) == (1, 1, 1)  # Chloé's CAE only
    assert used.state is CodeState.USED
    assert [c.state for c in pair(site, "4200101", "5300202")] == [CodeState.REVOKED]


def test_regenerating_one_named_pair_lifts_its_refusal(box):
    site = box.site
    codes.revoke(site, codes.select(site, scope(pupil="4200101", responsable="5300202")))
    result = codes.regenerate(
        site, codes.select(site, scope(pupil="4200101", responsable="5300202"))
    )
    assert result.refusals_lifted == 1
    assert [c.state for c in pair(site, "4200101", "5300202")] == [
        CodeState.REVOKED,
        CodeState.UNUSED,
    ]
    codes.revoke(site, codes.select(site, scope(pupil="4200101", kinds=(CodeKind.CAE,))))
    broad = codes.regenerate(site, codes.select(site, scope(pupil="4200101")))
    assert {code.kind for code in broad.issued} == {CodeKind.CAR}  # the CAE stays refused
    lifted = codes.regenerate(
        site, codes.select(site, scope(pupil="4200101", kinds=(CodeKind.CAE,)))
    )
    assert lifted.refusals_lifted == 1


# Revoking ------------------------------------------------------------------------------


def test_revoke_records_a_refusal_and_the_code_can_no_longer_be_used(box, caplog):
    site = box.site
    (code,) = pair(site, "4200101", "5300201")
    chloe = site.pupils[code.pupil_id]
    with caplog.at_level("INFO", logger="ts_host.audit"):
        (revocation,) = codes.revoke(
            site, codes.select(site, scope()), activation.display(code.code)
        )
    assert not revocation.already and revocation.account_id is None
    assert code.state is CodeState.REVOKED
    assert activation.match(site, code.code, "Chloé", chloe.birth_date, CodeKind.CAR) is None
    assert any("code.revoked" in r.getMessage() for r in caplog.records)
    (again,) = codes.revoke(site, codes.select(site, scope()), code.code.lower())
    assert again.already


def test_a_responsable_alone_refuses_for_all_their_children(box):
    site = box.site
    revoked = codes.revoke(site, codes.select(site, scope(responsable="5300201")))
    assert len(revoked) == 2
    assert all(r.code.state is CodeState.REVOKED for r in revoked)
    assert pair(site, "4200101", "5300202")[0].usable  # the other parent keeps theirs


def test_revoking_a_used_code_removes_the_link_from_its_account(box):
    site = box.site
    (chloe_code,) = pair(site, "4200101", "5300201")
    (theo_code,) = pair(site, "4200102", "5300201")
    account = an_account(site, "sophie", chloe_code, theo_code)
    (revocation,) = codes.revoke(
        site, codes.select(site, scope(pupil="4200101", responsable="5300201"))
    )
    assert revocation.account_id == account.id
    assert [link.code for link in account.links] == [theo_code.code]
    assert chloe_code.pupil_id not in account.pupil_ids


def test_revoke_needs_to_be_told_what_is_refused(box):
    site = box.site
    with pytest.raises(CommandError, match="précisez ce qui est refusé"):
        codes.revoke(site, codes.select(site, scope(division="3B")))
    with pytest.raises(CommandError, match="précisez ce qui est refusé"):
        codes.revoke(site, codes.select(site, scope(pupil="4200101")))
    with pytest.raises(CommandError, match="code inconnu dans l'établissement"):
        codes.revoke(site, codes.select(site, scope()), "AAAA-AAA-AAA-AAA")


# Listing -------------------------------------------------------------------------------


def test_list_gives_each_code_with_its_pupil_responsable_and_address(box):
    site = box.site
    rows = codes.rows(site, codes.select(site, scope(division="3B", kinds=(CodeKind.CAR,))))
    assert {(r.pupil.first_name, r.responsable.first_name) for r in rows} == {
        ("Chloé", "Sophie"),
        ("Chloé", "Marc"),
    }
    stream = io.StringIO()
    assert codes.write_csv(rows, stream) == 2
    table = list(csv.DictReader(io.StringIO(stream.getvalue()), delimiter=";"))
    sophie = next(r for r in table if r["responsable_prenom"] == "Sophie")
    assert sophie["code"] == activation.display(pair(site, "4200101", "5300201")[0].code)
    assert (sophie["classe"], sophie["eleve_id"], sophie["personne_id"]) == (
        "3B",
        "4200101",
        "5300201",
    )
    assert (sophie["adresse1"], sophie["code_postal"], sophie["ville"]) == (
        "12 rue des Œillets",
        "54500",
        "VANDŒUVRE-LÈS-NANCY",
    )
    assert sophie["etat"] == "inutilisé"


def test_list_filters_by_state(box):
    site = box.site
    codes.revoke(site, codes.select(site, scope(responsable="5300201")))
    selection = codes.select(site, scope())
    assert len(codes.rows(site, selection, [CodeState.REVOKED])) == 2
    assert len(codes.rows(site, selection, [CodeState.UNUSED])) == 16


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+33 6", "-1", "@SUM(A1)", "\tx"])
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(box, dangerous):
    site = box.site
    mother = site.responsables[site.establishments[NEW_UAI].by_personne_id["5300201"]]
    mother.last_name = dangerous
    rows = codes.rows(site, codes.select(site, scope(responsable="5300201")))
    stream = io.StringIO()
    codes.write_csv(rows, stream)
    table = list(csv.DictReader(io.StringIO(stream.getvalue()), delimiter=";"))
    assert table[0]["responsable_nom"] == "'" + dangerous
    assert neutralise("Dupont") == "Dupont"


# Statistics ----------------------------------------------------------------------------


def test_stats_count_codes_accounts_and_recent_logins(box):
    site = box.site
    (chloe_code,) = pair(site, "4200101", "5300201")
    (theo_code,) = pair(site, "4200102", "5300202")
    now = datetime(2027, 2, 15, 18, 0)
    an_account(site, "sophie", chloe_code).last_login = now - timedelta(days=3)
    an_account(site, "marc", theo_code).last_login = now - timedelta(days=20)
    codes.revoke(site, codes.select(site, scope(responsable="5300210")))
    names = {NEW_UAI: NEW_NAME, kit.ESTABLISHMENT_A: "Collège A"}
    college_a, new = stats.compute(site, names, now)
    assert (college_a.pupils, sum(college_a.accounts.values())) == (0, 0)
    assert (new.pupils, new.left) == (7, 2)
    assert new.issued(CodeKind.CAR) == 11 and new.issued(CodeKind.CAE) == 7
    assert new.codes[CodeKind.CAR, CodeState.USED] == 2
    assert new.codes[CodeKind.CAR, CodeState.REVOKED] == 1
    assert new.accounts["responsable"] == 2
    assert (new.logins[7], new.logins[30]) == (1, 2)
    assert new.last_login == now - timedelta(days=3)
    text = "\n".join(new.lines())
    assert "CAR 11 émis, 2 utilisés, 1 révoqués, 8 en attente" in text
    assert "1 sur 7 jours, 2 sur 30 jours ; dernière : 12/02/2027 à 18:00" in text


# The command line ------------------------------------------------------------------------


def test_codes_commands_print_what_they_did(siecle_ini, tmp_path, capsys):
    assert main(["codes", "generate", siecle_ini, "--uai", NEW_UAI]) == 0
    assert "Codes émis : 0 CAR, 0 CAE." in capsys.readouterr().out
    target = ["--uai", NEW_UAI, "--pupil", "4200101", "--responsable", "5300201"]
    assert main(["codes", "regenerate", siecle_ini, *target]) == 0
    out = capsys.readouterr().out
    assert "CAR de Chloé LEFÈVRE (3B) pour Mme Sophie LEFÈVRE : nouveau code" in out
    assert "anciens codes révoqués, qui ne servent plus : 1" in out
    assert main(["codes", "revoke", siecle_ini, *target]) == 0
    assert "révoqué, le code ne peut plus servir" in capsys.readouterr().out
    output = tmp_path / "codes.csv"
    assert main(["codes", "list", siecle_ini, "--uai", NEW_UAI, "--csv", "-o", str(output)]) == 0
    assert "19 codes écrits" in capsys.readouterr().out
    data = output.read_bytes()
    assert data.startswith("\ufeffuai;classe;eleve_nom".encode()) and data.count(b"\r\n") == 20
    assert main(["codes", "list", siecle_ini, "--uai", NEW_UAI, "--state", "revoked"]) == 0
    out = capsys.readouterr().out
    assert out.count("révoqué") == 2 and "2 codes." in out


def test_stats_from_the_command_line(siecle_ini, capsys):
    assert main(["stats", siecle_ini, "--uai", NEW_UAI.lower()]) == 0
    out = capsys.readouterr().out
    assert f"{NEW_UAI} {NEW_NAME}" in out and "CAR 11 émis" in out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["codes", "generate", "{ini}"], "précisez l'établissement : --uai UAI"),
        (["codes", "list", "{ini}", "--uai", "0599999X"], "établissement 0599999X inconnu"),
        (["codes", "list", "{ini}", "--uai", NEW_UAI, "--kind", "CAX"], "type de code inconnu"),
        (["codes", "list", "{ini}", "--uai", NEW_UAI, "--state", "perdu"], "état inconnu"),
        (["codes", "revoke", "{ini}", "--uai", NEW_UAI], "précisez ce qui est refusé"),
        (
            ["codes", "generate", "{ini}", "--uai", NEW_UAI, "--class", "9Z"],
            "aucun élève en classe",
        ),
        (["stats", "{ini}", "--uai", "0599999X"], "établissement 0599999X inconnu"),
    ],
)
def test_bad_arguments_are_a_french_message_and_status_2(siecle_ini, capsys, arguments, message):
    assert main([a.replace("{ini}", siecle_ini) for a in arguments]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# Through the web ---------------------------------------------------------------------------


@pytest.fixture
def ts_settings(tmp_path, ts_zodb_uri):
    """The kit's application, with the new establishment declared."""
    return kit.test_settings(tmp_path, write_academy(tmp_path), ts_zodb_uri)


@pytest.fixture
def imported(site, tm):
    with tm:
        import_siecle(site, NEW_UAI, NEW_NAME, read_exports(SAMPLES), DAY)


def letter_row(site, code):
    pupil = site.pupils[code.pupil_id]
    return activation.display(code.code), pupil.first_name, pupil.birth_date


def test_after_regeneration_the_old_code_is_refused_and_the_new_one_accepted(
    imported, testapp, site, tm
):
    with tm:
        (old,) = pair(site, "4200101", "5300201")
        old_row = letter_row(site, old)
        selection = codes.select(site, scope(pupil="4200101", responsable="5300201"))
        (new,) = codes.regenerate(site, selection).issued
        new_row = letter_row(site, new)
    refused = create_responsable(testapp, [old_row], login="sophie.lefevre")
    assert refused.status_int == 200 and NO_MATCH in refused.text
    assert create_responsable(testapp, [new_row], login="sophie.lefevre").status_int == 303


def test_a_revoked_code_cannot_create_an_account(imported, testapp, site, tm):
    with tm:
        (code,) = pair(site, "4200101", "5300201")
        row = letter_row(site, code)
        codes.revoke(site, codes.select(site, scope()), code.code)
    response = create_responsable(testapp, [row], login="sophie.lefevre")
    assert response.status_int == 200 and NO_MATCH in response.text


def test_after_revocation_the_linked_account_loses_the_pupil(imported, testapp, site, tm):
    with tm:
        rows = [letter_row(site, pair(site, e, "5300201")[0]) for e in ("4200101", "4200102")]
    assert create_responsable(testapp, rows, login="sophie.lefevre").status_int == 303
    home = kit.login(testapp, "sophie.lefevre", kit.PASSWORD).follow()
    assert "2 enfants sont rattachés" in home.text
    with tm:
        selection = codes.select(site, scope(pupil="4200101", responsable="5300201"))
        (revocation,) = codes.revoke(site, selection)
        assert revocation.account_id is not None
    home = testapp.get("/")
    assert "1 enfant est rattaché" in home.text
    assert "Théo" in home.text and "Chloé" not in home.text
    with tm:
        codes.revoke(site, codes.select(site, scope(pupil="4200102", responsable="5300201")))
    assert "Aucun enfant n'est rattaché à votre compte" in testapp.get("/").text
