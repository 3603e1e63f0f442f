"""``ts-admin import INI cantine-menus|cantine-comptes FILE`` (see IMPORT.md).

Every line is checked before anything is written: a file with one bad line
is refused whole, each bad line cited with its number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ts_host.api import (
    BadLine,
    ImportFormat,
    ImportRejected,
    ImportSummary,
    Site,
    parse_french_date,
    read_csv,
    service_data,
    site_data,
)

from .models import SERVICE_ID, CantineSite, Menu, PupilAccount
from .money import cents, parse_euros
from .weeks import SCHOOL_DAYS

MENU_COLUMNS = ("uai", "date", "entree", "plat", "dessert", "allergenes")
ACCOUNT_COLUMNS = ("uai", "eleve_ine", "date", "operation", "montant")
MEAL, PAYMENT = "repas", "paiement"

MENUS_HELP = """\
Menus de la cantine, fichier CSV en UTF-8 séparé par des points-virgules,
avec l'en-tête : uai;date;entree;plat;dessert;allergenes
  uai         UAI de l'établissement (ex. 0541234Y), qui offre la cantine
  date        JJ/MM/AAAA, du lundi au vendredi
  entree      l'entrée (facultative)
  plat        le plat principal (obligatoire)
  dessert     le dessert (facultatif)
  allergenes  les allergènes, séparés par des virgules (facultatif)
Un menu par jour et par établissement ; les jours que le fichier ne cite pas
gardent leur menu."""

ACCOUNTS_HELP = """\
Comptes de cantine des élèves, fichier CSV en UTF-8 séparé par des
points-virgules, avec l'en-tête : uai;eleve_ine;date;operation;montant
  uai        UAI de l'établissement (ex. 0541234Y), qui offre la cantine
  eleve_ine  INE de l'élève dans cet établissement
  date       JJ/MM/AAAA
  operation  repas (un repas pris, au plus un par jour) ou paiement
  montant    en euros (3,90) ; vide pour un repas : le prix du repas
             réglé pour l'établissement
Le fichier est l'extraction complète de l'année pour chaque établissement
qu'il cite : le compte d'un élève de cet établissement est remplacé par ses
lignes (et supprimé s'il n'en a plus)."""


def _establishment(site: Site, academy: Any, uai: str) -> str | None:
    """The problem with this UAI, if any."""
    config = academy.establishment(uai)
    if config is None or uai not in site.establishments:
        return f"établissement inconnu « {uai} »"
    if not config.enables(SERVICE_ID):
        return f"l'établissement {uai} n'offre pas le service cantine"
    return None


def _school_day(text: str) -> date:
    day = parse_french_date(text)
    if day.weekday() >= SCHOOL_DAYS:
        raise ValueError(f"le {text} n'est pas un jour de classe (du lundi au vendredi)")
    return day


def _check_all(path: Path, columns, read_line: Callable[[int, dict], list[str]]) -> None:
    """Read every line with ``read_line`` (which returns its problems); refuse the file
    if any line has one."""
    bad = []
    for line, row in read_csv(path, columns):
        problems = read_line(line, row)
        if problems:
            bad.append(BadLine(line, " ; ".join(problems)))
    if bad:
        raise ImportRejected(path, bad)


def import_menus(site: Site, academy: Any, path: Path) -> ImportSummary:
    """Set the menus of the days the file cites."""
    menus: dict[tuple[str, date], Menu] = {}
    first_line: dict[tuple[str, date], int] = {}

    def read_line(line: int, row: dict[str, str]) -> list[str]:
        problems = []
        uai = row["uai"].upper()
        problem = _establishment(site, academy, uai)
        if problem:
            problems.append(problem)
        try:
            day = _school_day(row["date"])
        except ValueError as exc:
            problems.append(str(exc))
            day = None
        if not row["plat"]:
            problems.append("le plat est obligatoire")
        if day is not None:
            earlier = first_line.setdefault((uai, day), line)
            if earlier != line:
                problems.append(
                    f"menu en double : même établissement et même jour qu'à la ligne {earlier}"
                )
        if not problems:
            menus[uai, day] = Menu(row["entree"], row["plat"], row["dessert"], row["allergenes"])
        return problems

    _check_all(path, MENU_COLUMNS, read_line)
    store = site_data(site, SERVICE_ID, CantineSite)
    summary = ImportSummary()
    for (uai, day), menu in sorted(menus.items()):
        outcome = store.menus_of(uai).set(day, menu)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    return summary


class _Pupils:
    """Pupils found by INE within their establishment, indexed once per UAI."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.by_uai: dict[str, dict[str, str]] = {}

    def find(self, uai: str, ine: str) -> str | None:
        if uai not in self.by_uai:
            pupils = self.site.pupils
            self.by_uai[uai] = {
                pupils[pupil_id].ine.upper(): pupil_id
                for pupil_id in self.site.establishments[uai].pupil_ids
            }
        return self.by_uai[uai].get(ine.upper())


def import_accounts(site: Site, academy: Any, path: Path) -> ImportSummary:
    """Replace the accounts of every pupil of the establishments the file cites."""
    pupils = _Pupils(site)
    uais: set[str] = set()
    meals: dict[str, dict[date, int]] = {}
    payments: dict[str, dict[date, int]] = {}
    first_meal: dict[tuple[str, date], int] = {}

    def read_line(line: int, row: dict[str, str]) -> list[str]:
        problems = []
        uai = row["uai"].upper()
        problem = _establishment(site, academy, uai)
        pupil_id = None
        if problem:
            problems.append(problem)
        else:
            pupil_id = pupils.find(uai, row["eleve_ine"])
            if pupil_id is None:
                problems.append(f"élève inconnu dans {uai} (INE « {row['eleve_ine']} »)")
        try:
            day = parse_french_date(row["date"])
        except ValueError as exc:
            problems.append(str(exc))
            day = None
        operation = row["operation"].lower()
        if operation not in (MEAL, PAYMENT):
            problems.append(f"opération inconnue « {row['operation']} » (repas ou paiement)")
        amount = None
        if row["montant"] or operation == PAYMENT:
            try:
                amount = parse_euros(row["montant"])
            except ValueError as exc:
                problems.append(str(exc))
            if amount == 0:
                problems.append("le montant doit être supérieur à zéro")
        elif operation == MEAL and not problem:
            amount = cents(academy.establishment(uai).settings_for(SERVICE_ID)["meal_price"])
        if operation == MEAL and pupil_id and day:
            earlier = first_meal.setdefault((pupil_id, day), line)
            if earlier != line:
                problems.append(
                    f"repas en double : même élève et même jour qu'à la ligne {earlier}"
                )
        if not problems:
            uais.add(uai)
            if operation == MEAL:
                meals.setdefault(pupil_id, {})[day] = amount
            else:
                daily = payments.setdefault(pupil_id, {})
                daily[day] = daily.get(day, 0) + amount
        return problems

    _check_all(path, ACCOUNT_COLUMNS, read_line)
    summary = ImportSummary(extra={"comptes supprimés": 0})
    for uai in sorted(uais):
        for pupil_id in site.establishments[uai].pupil_ids:
            pupil = site.pupils[pupil_id]
            wanted = (meals.get(pupil_id, {}), payments.get(pupil_id, {}))
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


FORMATS = [
    ImportFormat(name="cantine-menus", help=MENUS_HELP, run=import_menus),
    ImportFormat(name="cantine-comptes", help=ACCOUNTS_HELP, run=import_accounts),
]
