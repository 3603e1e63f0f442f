"""``ts-admin cantine-relances INI UAI``: the accounts under the establishment's threshold."""

import csv
import io

from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of

from ts_cantine.commands import low_balances, write_csv
from ts_cantine.models import SERVICE_ID

from .known import LOW_BALANCE, d


def expected_rows(site) -> list[list[str]]:
    rows = []
    for pupil in pupils_of(site, ESTABLISHMENT_A):
        account = pupil.services.get(SERVICE_ID)
        if account is not None and account.balance(d("15/02/2027")) < LOW_BALANCE:
            balance = account.balance(d("15/02/2027"))
            amount = f"{balance / 100:.2f}".replace(".", ",") + "\u00a0€"
            rows.append([pupil.division, pupil.last_name, pupil.first_name, pupil.ine, amount])
    return sorted(rows)


def test_the_low_balances_are_listed_as_csv(ts_admin):
    result = ts_admin("cantine-relances", ESTABLISHMENT_A, "--date", "15/02/2027")
    assert result.status == 0, result.err
    header, *rows = list(csv.reader(io.StringIO(result.out), delimiter=";"))
    assert header == ["division", "nom", "prenom", "eleve_ine", "solde"]
    with ts_admin.site() as site:
        assert rows == expected_rows(site)
    assert rows  # the demo has families that pay late


def test_the_list_goes_to_a_file_with_a_summary(ts_admin, tmp_path):
    output = tmp_path / "relances.csv"
    result = ts_admin(
        "cantine-relances", ESTABLISHMENT_A, "--date", "15/02/2027", "--output", output
    )
    assert result.status == 0, result.err
    count = len(output.read_text(encoding="utf-8").splitlines()) - 1
    assert result.out == f"{count} comptes sous 15,00\u00a0€ au 15/02/2027 dans {output}.\n"


def test_a_name_that_looks_like_a_formula_is_quoted(site, tm):
    with tm:
        pupil = next(p for p in pupils_of(site, ESTABLISHMENT_A) if p.services.get(SERVICE_ID))
        pupil.last_name = "=HYPERLINK(1)"
        (row,) = [
            r
            for r in low_balances(site, ESTABLISHMENT_A, 10**9, d("15/02/2027"))
            if r[1] == pupil.last_name
        ]
    stream = io.StringIO()
    write_csv(stream, [row])
    assert stream.getvalue().splitlines()[1].split(";")[1] == "'=HYPERLINK(1)"


def test_an_unknown_or_disabled_establishment_is_a_clear_error(ts_admin):
    unknown = ts_admin("cantine-relances", "0000000A")
    assert (unknown.status, unknown.err) == (2, "ts-admin: établissement inconnu : 0000000A\n")
    disabled = ts_admin("cantine-relances", ESTABLISHMENT_B)
    assert disabled.status == 2
    assert "n'offre pas le service cantine" in disabled.err


def test_a_wrong_date_is_refused(ts_admin):
    result = ts_admin("cantine-relances", ESTABLISHMENT_A, "--date", "31/02/2027")
    assert result.status == 2
    assert "date invalide « 31/02/2027 »" in result.err
