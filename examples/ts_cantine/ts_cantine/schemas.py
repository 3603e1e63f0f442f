"""The per-establishment settings of the service (``establishments.toml``).

::

    [establishments.0541234Y.settings.cantine]
    meal_price = 3.90       # euros, the price of one lunch
    low_balance = 10.00     # below this balance the page asks to top the account up
    show_allergens = true   # show the allergens column of the menus

Every setting has a default, so an establishment may enable the service
with no table at all.
"""

from __future__ import annotations

from decimal import Decimal

import colander

DEFAULT_MEAL_PRICE = Decimal("3.90")
DEFAULT_LOW_BALANCE = Decimal("10.00")


def euros_node(name: str, default: Decimal, minimum: Decimal, title: str) -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.Decimal(quant="0.01"),
        name=name,
        title=title,
        missing=default,
        validator=colander.Range(
            min=minimum,
            max=Decimal("1000"),
            min_err="doit valoir au moins ${min} euros",
            max_err="doit valoir au plus ${max} euros",
        ),
    )


def settings_schema() -> colander.SchemaNode:
    schema = colander.MappingSchema()
    schema.add(euros_node("meal_price", DEFAULT_MEAL_PRICE, Decimal("0.01"), "Prix d'un repas"))
    schema.add(euros_node("low_balance", DEFAULT_LOW_BALANCE, Decimal("0"), "Seuil de solde bas"))
    schema.add(
        colander.SchemaNode(
            colander.Boolean(
                false_choices=("false", "0", "non"), true_choices=("true", "1", "oui")
            ),
            name="show_allergens",
            title="Afficher les allergènes",
            missing=True,
        )
    )
    return schema
