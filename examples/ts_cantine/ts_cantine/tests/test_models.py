"""The account's arithmetic, euros, and school weeks."""

import pytest
from ts_host.testing import college_config

from ts_cantine.models import EstablishmentMenus, Menu, PupilAccount
from ts_cantine.money import euros, parse_euros
from ts_cantine.weeks import Week, find_week, school_days, school_weeks

from .known import d

COLLEGE = college_config("cantine")


def account(meals: dict[str, int], payments: dict[str, int]) -> PupilAccount:
    result = PupilAccount()
    result.replace({d(k): v for k, v in meals.items()}, {d(k): v for k, v in payments.items()})
    return result


def test_the_balance_is_payments_minus_meals_up_to_the_day():
    acc = account(
        {"08/02/2027": 390, "09/02/2027": 390, "16/02/2027": 390},
        {"01/02/2027": 2000, "16/02/2027": 5000},
    )
    assert acc.balance(d("31/01/2027")) == 0
    assert acc.balance(d("08/02/2027")) == 2000 - 390
    assert acc.balance(d("15/02/2027")) == 2000 - 780
    assert acc.balance(d("16/02/2027")) == 7000 - 1170


def test_meals_and_payments_are_read_by_range():
    acc = account({"08/02/2027": 390, "09/02/2027": 410}, {"01/02/2027": 2000})
    assert acc.meals_between(d("09/02/2027"), d("12/02/2027")) == {d("09/02/2027"): 410}
    assert acc.meal_count(d("01/09/2026"), d("08/02/2027")) == 1
    assert list(acc.payments_between(d("01/09/2026"), d("15/02/2027"))) == [(d("01/02/2027"), 2000)]


def test_replace_says_whether_anything_changed():
    acc = account({"08/02/2027": 390}, {})
    assert not acc.replace({d("08/02/2027"): 390}, {})
    assert acc.replace({d("08/02/2027"): 390}, {d("01/02/2027"): 100})
    assert acc.replace({}, {d("01/02/2027"): 100})
    assert acc.meal_count(d("01/09/2026"), d("03/07/2027")) == 0


def test_the_account_exports_everything_it_holds():
    acc = account({"08/02/2027": 390}, {"01/02/2027": 2000})
    assert acc.export() == {
        "repas": [{"date": "2027-02-08", "montant_centimes": 390}],
        "paiements": [{"date": "2027-02-01", "montant_centimes": 2000}],
    }


def test_a_menu_is_created_updated_or_unchanged():
    menus = EstablishmentMenus()
    menu = Menu("Salade", "Poulet", "Pomme")
    assert menus.set(d("15/02/2027"), menu) == "created"
    assert menus.set(d("15/02/2027"), menu) == "unchanged"
    assert menus.set(d("15/02/2027"), menu._replace(dessert="Poire")) == "updated"
    assert menus.get(d("15/02/2027")).dessert == "Poire"
    assert len(menus) == 1


@pytest.mark.parametrize(
    ("text", "cents"), [("3,90", 390), ("3.9", 390), ("4", 400), (" 12,05 ", 1205)]
)
def test_euros_are_read_with_a_decimal_comma(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize("text", ["", "-3", "3,999", "trois", "1e3"])
def test_a_wrong_amount_is_refused_in_french(text):
    with pytest.raises(ValueError, match="montant invalide"):
        parse_euros(text)


def test_euros_are_written_the_french_way():
    assert euros(1240) == "12,40\u00a0€"
    assert euros(-50) == "-0,50\u00a0€"


def test_school_weeks_cover_the_year_monday_to_friday():
    weeks = school_weeks(COLLEGE)
    assert weeks[0] == Week(d("31/08/2026")) and weeks[-1] == Week(d("28/06/2027"))
    days = school_days(COLLEGE)
    assert days[0] == d("01/09/2026") and days[-1] == d("02/07/2027")
    assert all(day.weekday() < 5 for day in days)


@pytest.mark.parametrize(
    ("today", "key", "monday"),
    [
        ("15/02/2027", None, "15/02/2027"),
        ("17/02/2027", None, "15/02/2027"),
        ("20/02/2027", None, "22/02/2027"),  # at the weekend, the week to come
        ("17/02/2027", "2027-01-04", "04/01/2027"),
        ("17/02/2027", "2027-01-05", "15/02/2027"),  # not a Monday of the year
        ("01/08/2026", None, "31/08/2026"),  # before the year: its first week
        ("14/07/2027", None, "28/06/2027"),  # after: its last week
    ],
)
def test_find_week(today, key, monday):
    assert find_week(COLLEGE, key, d(today)).monday == d(monday)


def test_a_week_is_labelled_from_monday_to_friday():
    assert Week(d("15/02/2027")).label == "du 15/02/2027 au 19/02/2027"
