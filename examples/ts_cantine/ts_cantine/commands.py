"""``ts-admin cantine-relances INI UAI``: the accounts to top up, for the intendance."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ts_host.api import AdminCommand, CommandError, parse_french_date
from ts_host.api import write_csv as write_export

from .models import SERVICE_ID
from .money import cents, euros

COLUMNS = ("division", "nom", "prenom", "eleve_ine", "solde")


def _date(text: str) -> date:
    try:
        return parse_french_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def configure(parser) -> None:
    parser.add_argument("uai", help="UAI de l'établissement (ex. 0541234Y)")
    parser.add_argument(
        "--date", type=_date, default=None, help="date du solde, JJ/MM/AAAA (défaut : aujourd'hui)"
    )
    parser.add_argument("--output", help="fichier CSV à écrire (défaut : la sortie standard)")


def low_balances(site, uai: str, threshold: int, day: date) -> list[tuple]:
    """The pupils of ``uai`` whose balance on ``day`` is under ``threshold`` cents."""
    rows = []
    for pupil_id in site.establishments[uai].pupil_ids:
        pupil = site.pupils[pupil_id]
        account = pupil.services.get(SERVICE_ID)
        if account is None or not pupil.active:
            continue
        balance = account.balance(day)
        if balance < threshold:
            rows.append((pupil.division, pupil.last_name, pupil.first_name, pupil.ine, balance))
    return sorted(rows)


def write_csv(destination, rows) -> None:
    """The list for the intendance, formula cells neutralised by the host's writer."""
    amounts = ((*names, euros(balance)) for *names, balance in rows)
    write_export(destination, COLUMNS, amounts, numbers=["solde"])


def run(site, academy, args) -> int:
    establishment = academy.establishment(args.uai)
    if establishment is None or args.uai not in site.establishments:
        raise CommandError(f"établissement inconnu : {args.uai}")
    if not establishment.enables(SERVICE_ID):
        raise CommandError(f"l'établissement {args.uai} n'offre pas le service cantine")
    settings = establishment.settings_for(SERVICE_ID)
    day = args.date or date.today()
    rows = low_balances(site, args.uai, cents(settings["low_balance"]), day)
    if args.output:
        write_csv(Path(args.output), rows)
    else:
        write_csv(sys.stdout, rows)
    if args.output:
        print(
            f"{len(rows)} comptes sous {euros(cents(settings['low_balance']))} au "
            f"{day:%d/%m/%Y} dans {args.output}."
        )
    return 0


COMMAND = AdminCommand(
    name="cantine-relances",
    help="liste les comptes de cantine dont le solde est bas (CSV)",
    configure=configure,
    run=run,
)
