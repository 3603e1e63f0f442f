"""Demo menus and accounts: deterministic, plausible, cheap."""

import random
import time
from decimal import Decimal

from ts_host.api import Pupil, Site, site_data
from ts_host.testing import ESTABLISHMENT_A, ESTABLISHMENT_B, pupils_of

import ts_cantine
from ts_cantine.models import SERVICE_ID, CantineSite

from .known import COLLEGE, MEAL_PRICE, d

SETTINGS = {"meal_price": Decimal("3.90"), "low_balance": Decimal("10.00"), "show_allergens": True}


def demo(count: int, seed: int = 3, site: Site | None = None) -> tuple[Site, list[Pupil]]:
    site = site if site is not None else Site()
    pupils = [
        Pupil(f"p{i}", ESTABLISHMENT_A, "Léa", "Martin", d("01/01/2013"), "5A")
        for i in range(count)
    ]
    ts_cantine.ts_demo_data(
        site=site, establishment=COLLEGE, pupils=pupils, rng=random.Random(seed), settings=SETTINGS
    )
    return site, pupils


def accounts(pupils):
    return [
        p.services[SERVICE_ID].export() if p.services.get(SERVICE_ID) is not None else None
        for p in pupils
    ]


def menus(site):
    return dict(site_data(site, SERVICE_ID, CantineSite).menus_of(ESTABLISHMENT_A).by_day.items())


def test_the_demo_is_deterministic():
    first_site, first = demo(100)
    again_site, again = demo(100)
    other_site, other = demo(100, seed=4)
    assert accounts(first) == accounts(again) and menus(first_site) == menus(again_site)
    assert accounts(first) != accounts(other) and menus(first_site) != menus(other_site)


def test_every_school_day_has_a_menu_drawn_once_per_establishment():
    site, _pupils = demo(10)
    drawn = menus(site)
    assert len(drawn) == 219  # Monday to Friday from 01/09/2026 to 02/07/2027
    demo(10, seed=9, site=site)  # a second batch of classes
    assert menus(site) == drawn


def test_most_pupils_eat_at_the_canteen_and_pay_for_it():
    _site, pupils = demo(400)
    opened = [p.services[SERVICE_ID] for p in pupils if p.services.get(SERVICE_ID) is not None]
    assert 0.75 < len(opened) / len(pupils) < 0.95  # the others are externes
    today = d("15/02/2027")
    counts = [a.meal_count(COLLEGE.year_start, today) for a in opened]
    assert min(counts) > 60 and max(counts) <= 120  # school days up to 15/02/2027
    balances = sorted(a.balance(today) for a in opened)
    assert balances[0] < 0 < balances[len(balances) // 2]  # a few in debt, most not
    assert all(set(a.meals.values()) == {390} for a in opened)


def test_the_demo_stays_cheap_per_pupil():
    start = time.perf_counter()
    demo(2000)
    assert (time.perf_counter() - start) / 2000 < 0.001


def test_the_test_database_holds_demo_accounts_in_a_only(site, tm):
    with tm:
        in_a = [p.services.get(SERVICE_ID) for p in pupils_of(site, ESTABLISHMENT_A)]
        in_b = [p.services.get(SERVICE_ID) for p in pupils_of(site, ESTABLISHMENT_B)]
        assert any(in_a) and not any(in_b)
        prices = {price for a in in_a if a is not None for price in a.meals.values()}
        assert prices == {MEAL_PRICE}  # the establishment's setting
        assert ESTABLISHMENT_B not in site_data(site, SERVICE_ID, CantineSite).menus
