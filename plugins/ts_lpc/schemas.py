"""The LPC's per-establishment settings (``[establishments.<uai>.settings.lpc]``)."""

from __future__ import annotations

import colander


class LpcSettings(colander.MappingSchema):
    """Every setting has a default: an establishment may leave the table out."""

    pdf = colander.SchemaNode(
        # Strict: TOML's true or false only ("non" must not read as true).
        colander.Boolean(false_choices=("false",), true_choices=("true",)),
        missing=True,
        default=True,
        title="Proposer le bilan détaillé au format PDF",
    )


def settings_schema() -> colander.SchemaNode:
    return LpcSettings()
