"""The per-establishment settings (``[establishments.<UAI>.settings.dossier]``).

Every node has a default (``missing``), so enabling the service needs no table.
"""

import colander


def settings_schema() -> colander.SchemaNode:
    schema = colander.MappingSchema()
    # Who signs the certificats de scolarité (« Mme Claire DUVAL, principale »);
    # empty: the establishment issues none, the page says so.
    schema.add(
        colander.SchemaNode(
            colander.String(),
            name="head_name",
            missing="",
            validator=colander.Length(max=120, max_err="120 caractères au plus"),
        )
    )
    return schema
