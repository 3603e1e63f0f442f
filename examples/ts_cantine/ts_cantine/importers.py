"""``ts-admin import INI cantine-menus|cantine-comptes FILE`` (see IMPORT.md).

Every line is checked before anything is written: a file with one bad line
is refused whole, each bad line cited with its number.
"""

from __future__ import annotations

from datetime import date

from ts_host.api import (
    Column,
    Importer,
    ImportSummary,
    Line,
    parse_french_date,
    service_data,
    site_data,
)

from .models import SERVICE_ID, CantineSite, Menu, PupilAccount
from .money import cents, parse_euros
from .weeks import SCHOOL_DAYS

MEAL, PAYMENT = "repas", "paiement"
UAI = Column("uai", "UAI de l'établissement (ex. 0541234Y), qui offre la cantine")


def _school_day(text: str) -> date:
    day = parse_french_date(text)
    if day.weekday() >= SCHOOL_DAYS:
        raise ValueError(f"le {text} n'est pas un jour de classe (du lundi au vendredi)")
    return day


def _operation(text: str) -> str:
    operation = text.lower()
    if operation not in (MEAL, PAYMENT):
        raise ValueError(f"opération inconnue « {text} » (repas ou paiement)")
    return operation


class _CantineImporter(Importer):
    def offering(self, uai: str):
        """The establishment's settings, if it offers the canteen; ``ValueError`` otherwise."""
        config = self.academy.establishment(uai)
        if config is None or uai not in self.site.establishments:
            raise ValueError(f"établissement inconnu « {uai} »")
        if not config.enables(SERVICE_ID):
            raise ValueError(f"l'établissement {uai} n'offre pas le service cantine")
        return config


class MenusImporter(_CantineImporter):
    """``cantine-menus``: the menus of the days the file cites."""

    name = "cantine-menus"
    columns = (
        UAI,
        Column("date", "JJ/MM/AAAA, du lundi au vendredi", parse=_school_day),
        Column("entree", "l'entrée", required=False),
        Column("plat", "le plat principal", missing="le plat est obligatoire"),
        Column("dessert", "le dessert", required=False),
        Column("allergenes", "les allergènes, séparés par des virgules", required=False),
    )
    description = """\
Un menu par jour et par établissement ; les jours que le fichier ne cite pas
gardent leur menu."""

    def __init__(self, site, academy) -> None:
        super().__init__(site, academy)
        self.first_line: dict[tuple[str, date], int] = {}

    def check(self, line: Line) -> tuple[str, date, Menu]:
        uai = line["uai"].upper()
        line.attempt(self.offering, uai)
        day = line["date"]
        earlier = self.first_line.setdefault((uai, day), line.number)
        if earlier != line.number:
            line.problem(
                f"menu en double : même établissement et même jour qu'à la ligne {earlier}"
            )
        return uai, day, Menu(line["entree"], line["plat"], line["dessert"], line["allergenes"])

    def write(self, checked: list[tuple[str, date, Menu]]) -> ImportSummary:
        store = site_data(self.site, SERVICE_ID, CantineSite)
        summary = ImportSummary()
        for uai, day, menu in sorted(checked, key=lambda item: item[:2]):
            summary.count(store.menus_of(uai).set(day, menu))
        return summary


class AccountsImporter(_CantineImporter):
    """``cantine-comptes``: every account of the establishments the file cites, replaced."""

    name = "cantine-comptes"
    columns = (
        UAI,
        Column("eleve_ine", "INE de l'élève dans cet établissement"),
        Column("date", "JJ/MM/AAAA", parse=parse_french_date),
        Column(
            "operation",
            "repas (un repas pris, au plus un par jour) ou paiement",
            parse=_operation,
        ),
        Column(
            "montant",
            "en euros (3,90) ; vide pour un repas : le prix du repas\nréglé pour l'établissement",
            required=False,
        ),
    )
    description = """\
Le fichier est l'extraction complète de l'année pour chaque établissement
qu'il cite : le compte d'un élève de cet établissement est remplacé par ses
lignes (et supprimé s'il n'en a plus)."""

    def __init__(self, site, academy) -> None:
        super().__init__(site, academy)
        self.first_meal: dict[tuple[str, date], int] = {}

    def check(self, line: Line) -> tuple[str, str, str, date, int]:
        uai = line["uai"].upper()
        config = line.attempt(self.offering, uai)
        pupil = None
        if config is not None:
            pupil = self.pupils.get_by_ine(uai, line["eleve_ine"])
            if pupil is None:
                line.problem(f"élève inconnu dans {uai} (INE « {line['eleve_ine']} »)")
        operation = line["operation"]
        amount = None
        if line["montant"] or operation == PAYMENT:
            amount = line.attempt(parse_euros, line["montant"])
            if amount == 0:
                line.problem("le montant doit être supérieur à zéro")
        elif config is not None:
            amount = cents(config.settings_for(SERVICE_ID)["meal_price"])
        day = line["date"]
        if operation == MEAL and pupil is not None:
            earlier = self.first_meal.setdefault((pupil.id, day), line.number)
            if earlier != line.number:
                line.problem(f"repas en double : même élève et même jour qu'à la ligne {earlier}")
        return uai, pupil.id if pupil else "", operation, day, amount

    def write(self, checked: list[tuple[str, str, str, date, int]]) -> ImportSummary:
        uais = {uai for uai, *_rest in checked}
        meals: dict[str, dict[date, int]] = {}
        payments: dict[str, dict[date, int]] = {}
        for _uai, pupil_id, operation, day, amount in checked:
            if operation == MEAL:
                meals.setdefault(pupil_id, {})[day] = amount
            else:
                daily = payments.setdefault(pupil_id, {})
                daily[day] = daily.get(day, 0) + amount
        summary = ImportSummary(extra={"comptes supprimés": 0})
        for uai in sorted(uais):
            for pupil in self.pupils.pupils(uai):
                wanted = (meals.get(pupil.id, {}), payments.get(pupil.id, {}))
                existing = pupil.services.get(SERVICE_ID)
                if not any(wanted):
                    if existing is not None:
                        pupil.services.pop(SERVICE_ID)
                        summary.extra["comptes supprimés"] += 1
                    continue
                account = service_data(pupil, SERVICE_ID, PupilAccount)
                changed = account.replace(*wanted)
                if existing is None:
                    summary.created += 1
                elif changed:
                    summary.updated += 1
                else:
                    summary.unchanged += 1
        return summary


import_menus = MenusImporter.run
import_accounts = AccountsImporter.run
FORMATS = [MenusImporter.import_format(), AccountsImporter.import_format()]
