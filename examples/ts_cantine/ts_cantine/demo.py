"""Invented menus and accounts for the demo.

Menus are drawn once per establishment for the whole school year.  Most
pupils are demi-pensionnaires eating four or five days a week, missing a
few meals; their families top the account up at the start of each month,
some of them less than they should, so a few balances run low.  Per pupil
the work is one pass over the school days: the demo of 100,000 pupils stays
within minutes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import Any

from ts_host.api import (
    EstablishmentConfig,
    Pupil,
    Site,
    school_days,
    school_days_by_month,
    service_data,
    site_data,
)

from .models import SERVICE_ID, CantineSite, Menu, PupilAccount
from .money import cents

STARTERS = (
    "Carottes râpées",
    "Salade de tomates",
    "Betteraves vinaigrette",
    "Potage de légumes",
    "Taboulé",
    "Céleri rémoulade",
    "Œuf dur mayonnaise",
    "Salade verte",
)
MAINS = (
    ("Poulet rôti, haricots verts", ""),
    ("Lasagnes à la bolognaise", "gluten, lait"),
    ("Poisson pané, riz", "gluten, poisson"),
    ("Hachis parmentier", "lait"),
    ("Omelette, pommes de terre sautées", "œuf"),
    ("Boulettes de bœuf, semoule", "gluten"),
    ("Curry de légumes, riz", ""),
    ("Filet de colin, purée", "poisson, lait"),
    ("Sauté de dinde, petits pois", ""),
    ("Quiche lorraine, salade", "gluten, œuf, lait"),
)
DESSERTS = (
    ("Yaourt nature", "lait"),
    ("Pomme", ""),
    ("Compote de poires", ""),
    ("Fromage blanc", "lait"),
    ("Éclair au chocolat", "gluten, œuf, lait"),
    ("Orange", ""),
    ("Crème vanille", "lait"),
)
#: Lunch on these weekdays: four days (no Wednesday), or all five.
FOUR_DAYS = frozenset({0, 1, 3, 4})
FIVE_DAYS = frozenset(range(5))
#: Demi-pensionnaires eating four days, five days, and externes (no account), in percent.
REGIMES = ((FOUR_DAYS, FIVE_DAYS, None), (70, 15, 15))
MISSED_MEAL = 0.04
#: How much of the month's meals a family pays at the start of the month, in percent.
PAID_SHARES = ((1.0, 0.8, 0.0), (80, 15, 5))


def draw_menu(rng: random.Random) -> Menu:
    main, main_allergens = rng.choice(MAINS)
    dessert, dessert_allergens = rng.choice(DESSERTS)
    allergens = ", ".join(
        dict.fromkeys(a for a in f"{main_allergens}, {dessert_allergens}".split(", ") if a)
    )
    return Menu(rng.choice(STARTERS), main, dessert, allergens)


def fill(
    site: Site,
    establishment: EstablishmentConfig,
    pupils: Sequence[Pupil],
    rng: random.Random,
    settings: dict[str, Any],
) -> None:
    months = school_days_by_month(establishment)
    menus = site_data(site, SERVICE_ID, CantineSite).menus_of(establishment.uai)
    if not len(menus):
        for day in school_days(establishment):
            menus.set(day, draw_menu(rng))
    price = cents(settings["meal_price"])
    for pupil in pupils:
        weekdays = rng.choices(*REGIMES)[0]
        if weekdays is None:
            continue  # an externe: no account
        paid_share = rng.choices(*PAID_SHARES)[0]
        meals: dict[date, int] = {}
        payments: dict[date, int] = {}
        for month_days in months:
            eaten = [
                d for d in month_days if d.weekday() in weekdays and rng.random() >= MISSED_MEAL
            ]
            meals.update(dict.fromkeys(eaten, price))
            due = round(len(eaten) * price * paid_share / 100) * 100
            if due:
                payments[month_days[0]] = due
        service_data(pupil, SERVICE_ID, PupilAccount).replace(meals, payments)
