"""What the canteen service stores: menus per establishment, an account per pupil.

Menus belong to an establishment, not to a pupil: they live in the
service's site-wide object (``ts_host.api.site_data``), one ``OOBTree`` of
days per UAI.  A pupil's account lives in the pupil's own namespace
(``ts_host.api.service_data``).  Amounts are whole cents (``int``): money is
never a float.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import NamedTuple

from BTrees.IIBTree import IIBTree
from BTrees.OOBTree import OOBTree
from persistent import Persistent

SERVICE_ID = "cantine"


class Menu(NamedTuple):
    """The lunch of one school day.

    Stored inside the buckets of a BTree, so kept to a plain tuple; a new
    field must come last with a default, so that menus stored before still
    load.
    """

    starter: str
    main: str
    dessert: str
    allergens: str = ""


class EstablishmentMenus(Persistent):
    """The menus of one establishment, by day."""

    def __init__(self) -> None:
        self.by_day = OOBTree()

    def __len__(self) -> int:
        # About 180 school days a year: walking the buckets is cheap.
        return len(self.by_day)

    def get(self, day: date) -> Menu | None:
        return self.by_day.get(day)

    def set(self, day: date, menu: Menu) -> str:
        """Store the day's menu; return ``created``, ``updated`` or ``unchanged``."""
        current = self.by_day.get(day)
        if current == menu:
            return "unchanged"
        self.by_day[day] = menu
        return "created" if current is None else "updated"


class CantineSite(Persistent):
    """The service's site-wide data: the menus of each establishment."""

    #: For the kit's GDPR check: menus are the establishment's, not a family's.
    gdpr_contract = {"establishment": ("menus",)}

    def __init__(self) -> None:
        self.menus = OOBTree()

    def menus_of(self, uai: str) -> EstablishmentMenus:
        """The establishment's menus, created on first use."""
        menus = self.menus.get(uai)
        if menus is None:
            menus = self.menus[uai] = EstablishmentMenus()
        return menus


def _by_day(tree: IIBTree) -> list[tuple[date, int]]:
    return [(date.fromordinal(day), cents) for day, cents in tree.items()]


class PupilAccount(Persistent):
    """A pupil's canteen account: the meals taken and the payments received.

    Both map a day (its ``date.toordinal()``) to an amount in cents, in an
    ``IIBTree``: compact (a year of meals is a few hundred bytes) and
    queried by range.  A pupil takes at most one lunch a day; the payments
    of one day are added up.

    Version 1.0 of the service called ``meals`` ``repas``: evolve step 1
    (:mod:`ts_cantine.evolve`) renames it in stored accounts.
    """

    #: For the kit's GDPR check: the trees' keys are days as ordinals.
    gdpr_contract = {
        "encoded": {
            "meals": lambda account: _by_day(account.meals),
            "payments": lambda account: _by_day(account.payments),
        }
    }

    def __init__(self) -> None:
        self.meals = IIBTree()
        self.payments = IIBTree()

    def balance(self, until: date) -> int:
        """Payments minus meals, in cents, counting the days up to ``until``."""
        last = until.toordinal()
        return sum(self.payments.values(max=last)) - sum(self.meals.values(max=last))

    def meals_between(self, start: date, end: date) -> dict[date, int]:
        """The meals taken from ``start`` to ``end`` (included), by day."""
        return {
            date.fromordinal(day): cents
            for day, cents in self.meals.items(start.toordinal(), end.toordinal())
        }

    def meal_count(self, start: date, end: date) -> int:
        return len(self.meals.keys(start.toordinal(), end.toordinal()))

    def payments_between(self, start: date, end: date) -> Iterator[tuple[date, int]]:
        for day, cents in self.payments.items(start.toordinal(), end.toordinal()):
            yield date.fromordinal(day), cents

    def export(self) -> dict[str, list[dict]]:
        """Everything the account holds, for a GDPR access request."""
        return {
            name: [
                {"date": date.fromordinal(day).isoformat(), "montant_centimes": amount}
                for day, amount in tree.items()
            ]
            for name, tree in (("repas", self.meals), ("paiements", self.payments))
        }

    def replace(self, meals: Mapping[date, int], payments: Mapping[date, int]) -> bool:
        """Make these the whole account; return whether anything changed."""
        wanted_meals = {day.toordinal(): cents for day, cents in meals.items()}
        wanted_payments = {day.toordinal(): cents for day, cents in payments.items()}
        if dict(self.meals.items()) == wanted_meals and (
            dict(self.payments.items()) == wanted_payments
        ):
            return False
        self.meals.clear()
        self.meals.update(wanted_meals)
        self.payments.clear()
        self.payments.update(wanted_payments)
        return True
