"""``ts-admin import INI cantine-menus|cantine-comptes FILE``: all lines checked, then written."""

import re
from pathlib import Path

import pytest
from ts_host.api import ImportRejected, site_data
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of

import ts_cantine
from ts_cantine.importers import import_accounts, import_menus
from ts_cantine.models import SERVICE_ID, CantineSite, Menu

from .known import MEAL_PRICE, d

DATA = Path(__file__).parent / "data"
MENUS_HEADER = "uai;date;entree;plat;dessert;allergenes\n"
ACCOUNTS_HEADER = "uai;eleve_ine;date;operation;montant\n"


def write(tmp_path, header: str, *lines: str) -> Path:
    path = tmp_path / "import.csv"
    path.write_text(header + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def run(importer, site, tm, ts_app, path):
    with tm:
        return importer(site, ts_app.registry.ts_academy, path)


def rejected(importer, site, tm, ts_app, path) -> dict[int, str]:
    with pytest.raises(ImportRejected) as error:
        run(importer, site, tm, ts_app, path)
    return {bad.line: bad.message for bad in error.value.bad_lines}


def menu_of(site, tm, uai, day) -> Menu | None:
    with tm:
        return site_data(site, SERVICE_ID, CantineSite).menus_of(uai).get(d(day))


@pytest.fixture
def two_pupils(site, tm):
    """Two pupils of A carrying the INEs of the sample accounts file."""
    with tm:
        first, second = pupils_of(site, ESTABLISHMENT_A)[:2]
        first.ine, second.ine = "1234567890A", "2345678901B"
        return first.id, second.id


def test_the_service_offers_two_formats_documented_in_their_help():
    formats = {f.name: f for f in ts_cantine.ts_import_formats()}
    assert set(formats) == {"cantine-menus", "cantine-comptes"}
    assert "uai;date;entree;plat;dessert;allergenes" in formats["cantine-menus"].help
    assert "uai;eleve_ine;date;operation;montant" in formats["cantine-comptes"].help


def test_the_sample_menus_replace_those_of_their_days(site, tm, ts_app):
    before = menu_of(site, tm, ESTABLISHMENT_A, "01/03/2027")
    summary = run(import_menus, site, tm, ts_app, DATA / "menus.csv")
    assert summary.created + summary.updated + summary.unchanged == 5
    assert menu_of(site, tm, ESTABLISHMENT_A, "24/02/2027") == Menu(
        "", "Omelette, pommes de terre sautées", "Compote de poires", "œuf"
    )
    assert menu_of(site, tm, ESTABLISHMENT_A, "01/03/2027") == before  # not in the file
    again = run(import_menus, site, tm, ts_app, DATA / "menus.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_bad_menu_lines_are_all_cited_and_nothing_is_written(site, tm, ts_app, tmp_path):
    before = menu_of(site, tm, ESTABLISHMENT_A, "22/02/2027")
    path = write(
        tmp_path,
        MENUS_HEADER,
        "0541234Y;22/02/2027;Salade;Poulet;Pomme;",
        "0541234Y;20/02/2027;Salade;Poulet;Pomme;",
        "0541234Y;31/02/2027;Salade;Poulet;Pomme;",
        "0541234Y;23/02/2027;Salade;;Pomme;",
        "0000000A;23/02/2027;Salade;Poulet;Pomme;",
        f"{ESTABLISHMENT_B};23/02/2027;Salade;Poulet;Pomme;",
        "0541234Y;22/02/2027;Potage;Colin;Orange;",
    )
    assert rejected(import_menus, site, tm, ts_app, path) == {
        3: "le 20/02/2027 n'est pas un jour de classe (du lundi au vendredi)",
        4: "date invalide « 31/02/2027 » (JJ/MM/AAAA attendu)",
        5: "le plat est obligatoire",
        6: "établissement inconnu « 0000000A »",
        7: f"l'établissement {ESTABLISHMENT_B} n'offre pas le service cantine",
        8: "menu en double : même établissement et même jour qu'à la ligne 2",
    }
    assert menu_of(site, tm, ESTABLISHMENT_A, "22/02/2027") == before


def account_of(site, tm, pupil_id):
    with tm:
        account = site.pupils[pupil_id].services.get(SERVICE_ID)
        if account is None:
            return None
        return dict(account.meals_between(d("01/09/2026"), d("03/07/2027"))), dict(
            account.payments_between(d("01/09/2026"), d("03/07/2027"))
        )


def test_the_sample_accounts_replace_those_of_the_establishment(site, tm, ts_app, two_pupils):
    first, second = two_pupils
    with tm:
        others = [p.id for p in pupils_of(site, ESTABLISHMENT_A)[2:]]
        had_accounts = sum(site.pupils[p].services.get(SERVICE_ID) is not None for p in others)
    assert had_accounts  # the demo opened some

    summary = run(import_accounts, site, tm, ts_app, DATA / "comptes.csv")

    assert summary.created + summary.updated + summary.unchanged == 2
    assert summary.extra["comptes supprimés"] == had_accounts
    meals, payments = account_of(site, tm, first)
    # An empty amount is the establishment's price; a day's payments are added up.
    assert meals == {
        d("08/02/2027"): MEAL_PRICE,
        d("09/02/2027"): MEAL_PRICE,
        d("11/02/2027"): 350,
        d("12/02/2027"): MEAL_PRICE,
    }
    assert payments == {d("01/02/2027"): 4000, d("12/02/2027"): 750}
    assert account_of(site, tm, second) == ({d("08/02/2027"): MEAL_PRICE}, {})
    assert all(account_of(site, tm, p) is None for p in others)


def test_bad_account_lines_are_all_cited_and_nothing_is_written(
    site, tm, ts_app, two_pupils, tmp_path
):
    first, _second = two_pupils
    before = account_of(site, tm, first)
    path = write(
        tmp_path,
        ACCOUNTS_HEADER,
        "0541234Y;1234567890A;08/02/2027;repas;",
        "0541234Y;9999999999Z;08/02/2027;repas;",
        "0541234Y;1234567890A;08/02/2027;remboursement;5",
        "0541234Y;1234567890A;09/02/2027;paiement;",
        "0541234Y;1234567890A;09/02/2027;paiement;-5",
        "0541234Y;1234567890A;09/02/2027;paiement;0",
        "0541234Y;1234567890A;09/02/2027;paiement;3,999",
        "0541234Y;1234567890A;08/02/2027;repas;",
        f"{ESTABLISHMENT_B};1234567890A;08/02/2027;repas;",
    )
    assert rejected(import_accounts, site, tm, ts_app, path) == {
        3: f"élève inconnu dans {ESTABLISHMENT_A} (INE « 9999999999Z »)",
        4: "opération inconnue « remboursement » (repas ou paiement)",
        5: "montant invalide «  » (en euros, par exemple 3,90)",
        6: "montant invalide « -5 » (en euros, par exemple 3,90)",
        7: "le montant doit être supérieur à zéro",
        8: "montant invalide « 3,999 » (en euros, par exemple 3,90)",
        9: "repas en double : même élève et même jour qu'à la ligne 2",
        10: f"l'établissement {ESTABLISHMENT_B} n'offre pas le service cantine",
    }
    assert account_of(site, tm, first) == before


def test_a_wrong_header_is_refused_at_line_1(site, tm, ts_app, tmp_path):
    path = write(tmp_path, "uai;date;plat\n", "0541234Y;22/02/2027;Poulet")
    assert rejected(import_menus, site, tm, ts_app, path) == {
        1: "colonnes manquantes : entree, dessert, allergenes"
    }


def test_ts_admin_imports_the_sample_files(ts_admin):
    with ts_admin.site() as site:
        first, second = pupils_of(site, ESTABLISHMENT_A)[:2]
        first.ine, second.ine = "1234567890A", "2345678901B"
        first_id = first.id
    menus = ts_admin("import", "cantine-menus", DATA / "menus.csv")
    assert menus.status == 0, menus.err
    assert menus.out.startswith("Import cantine-menus terminé : ")
    accounts = ts_admin("import", "cantine-comptes", DATA / "comptes.csv")
    assert accounts.status == 0, accounts.err
    counts = re.fullmatch(
        r"Import cantine-comptes terminé : (\d+) créés, (\d+) mis à jour, 0 inchangés, "
        r"\d+ comptes supprimés\.\n",
        accounts.out,
    )
    assert counts and int(counts[1]) + int(counts[2]) == 2
    with ts_admin.site() as site:
        account = site.pupils[first_id].services[SERVICE_ID]
        assert account.balance(d("15/02/2027")) == 4000 + 750 - 3 * MEAL_PRICE - 350


def test_ts_admin_refuses_a_bad_file_and_says_why(ts_admin, tmp_path):
    path = write(tmp_path, MENUS_HEADER, "0541234Y;20/02/2027;Salade;Poulet;Pomme;")
    result = ts_admin("import", "cantine-menus", path)
    assert result.status == 1
    assert "Import refusé, rien n'a été écrit." in result.err
    assert "ligne 2 : le 20/02/2027 n'est pas un jour de classe" in result.err


def test_ts_admin_shows_the_progress_of_the_lines_checked(ts_admin):
    lines = len((DATA / "menus.csv").read_text(encoding="utf-8").splitlines()) - 1
    result = ts_admin("import", "cantine-menus", DATA / "menus.csv")
    assert result.status == 0, result.err
    assert "Import cantine-menus" in result.err and f"{lines}/{lines}" in result.err
    quiet = ts_admin("import", "cantine-menus", DATA / "menus.csv", "--quiet")
    assert quiet.status == 0 and "Import cantine-menus" not in quiet.err
