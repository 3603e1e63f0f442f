"""The service's per-establishment settings (``[establishments.<UAI>.settings.notes]``)."""

from __future__ import annotations

import colander

IMMEDIATE = "immediate"
MONTH_END = "month_end"
PERIOD_END = "period_end"
PUBLICATION_MODES = (IMMEDIATE, MONTH_END, PERIOD_END)


class NotesSettings(colander.MappingSchema):
    publication = colander.SchemaNode(
        colander.String(),
        validator=colander.OneOf(PUBLICATION_MODES),
        missing=IMMEDIATE,
        default=IMMEDIATE,
        title="Publication des notes",
        description=(
            "« immediate » (au fil de l'eau) : une note est visible dès la date où "
            "l'enseignant publie le contrôle. « month_end » : les notes d'un mois "
            "deviennent visibles le lendemain du dernier jour du mois, plus le délai. "
            "« period_end » : les notes d'une période (trimestre ou semestre) "
            "deviennent visibles le lendemain de la fin de la période, plus le délai. "
            "Dans tous les cas, un contrôle non publié par l'enseignant reste caché."
        ),
    )
    publication_delay_days = colander.SchemaNode(
        colander.Int(),
        validator=colander.Range(0, 120),
        missing=0,
        default=0,
        title="Délai de publication (jours)",
        description=(
            "Pour « month_end » et « period_end » : nombre de jours après le lendemain "
            "de la fin du mois ou de la période (par exemple le temps du conseil de "
            "classe). Sans effet pour « immediate »."
        ),
    )


def settings_schema() -> NotesSettings:
    return NotesSettings()
