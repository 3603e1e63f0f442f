"""The account's arithmetic and euros (the school weeks are the host's)."""

import pytest

from ts_cantine.models import EstablishmentMenus, Menu, PupilAccount
from ts_cantine.money import euros, parse_euros

from .known import d


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
