"""The establishment's settings: price of a meal, low balance, allergens."""

from decimal import Decimal

import colander
import pytest
from ts_host.testing import ESTABLISHMENT_A

from ts_cantine.schemas import settings_schema

from .known import NBSP, headers, text_of, url


def test_an_empty_table_gives_the_defaults():
    assert settings_schema().deserialize({}) == {
        "meal_price": Decimal("3.90"),
        "low_balance": Decimal("10.00"),
        "show_allergens": True,
    }


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"meal_price": 0}, "meal_price", "doit valoir au moins 0.01 euros"),
        ({"low_balance": -1}, "low_balance", "doit valoir au moins 0 euros"),
        ({"meal_price": "cher"}, "meal_price", '"cher" is not a number'),
        ({"show_allergens": "peut-être"}, "show_allergens", "peut-être"),
    ],
)
def test_wrong_settings_are_refused_naming_the_setting(values, field, message):
    with pytest.raises(colander.Invalid) as error:
        settings_schema().deserialize(values)
    assert message in error.value.asdict()[field]


@pytest.mark.parametrize(
    "ts_service_settings", [{ESTABLISHMENT_A: {"cantine": {"show_allergens": False}}}]
)
def test_allergens_can_be_hidden(family_app, pupil_enabled):
    page = family_app.get(url(pupil_enabled))
    assert "Allergènes" not in headers(page)
    assert f"Prix d'un repas : 3,90{NBSP}€" in text_of(page.html)  # the default price
